//go:build !linux

package main

// handOver is only needed on Linux: on Windows and macOS, Wails checks its
// single-instance lock before the app starts.
func handOver(string) bool { return false }
