//go:build !dev

package desktop

// DevBuild is false outside dev builds; see dev.go.
const DevBuild = false

// DevOrigins is empty outside dev builds: only the webview may open consoles.
func DevOrigins() []string { return nil }
