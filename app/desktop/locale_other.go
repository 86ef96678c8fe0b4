//go:build !linux

package desktop

// AvoidCLocale is only needed for WebKitGTK on Linux.
func AvoidCLocale() {}
