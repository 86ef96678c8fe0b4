package store

import (
	"path/filepath"
	"time"
)

// TB is the part of testing.TB that MustOpenDB needs; it keeps package
// testing out of the application binary.
type TB interface {
	Helper()
	TempDir() string
	Cleanup(func())
	Fatalf(format string, args ...any)
}

// MustOpenDB opens a fresh database in a file under tb.TempDir() (a real
// file, so WAL and multiple pooled connections behave as in the app) and
// closes it when the test ends. Its clock is fixed at 2025-01-02 03:04:05
// UTC; tests may replace db.Now.
func MustOpenDB(tb TB) *DB {
	tb.Helper()
	db, err := Open(filepath.Join(tb.TempDir(), "cecyber.db"))
	if err != nil {
		tb.Fatalf("store.Open: %v", err)
	}
	db.Now = func() time.Time { return time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC) }
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Fatalf("store.Close: %v", err)
		}
	})
	return db
}
