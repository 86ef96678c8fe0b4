//go:build !dev

package main

// devOrigins is empty outside dev builds: only the webview may open consoles.
func devOrigins() []string { return nil }
