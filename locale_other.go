//go:build !linux

package main

// avoidCLocale is only needed for WebKitGTK on Linux.
func avoidCLocale() {}
