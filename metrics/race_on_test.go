//go:build race

package metrics_test

// raceEnabled: the race detector slows SQLite down about tenfold; tests
// that only need volume for a measurement use less of it.
const raceEnabled = true
