//go:build !linux

package desktop

// HandOver is only needed on Linux: on Windows and macOS, Wails checks its
// single-instance lock before the app starts.
func HandOver(string) bool { return false }
