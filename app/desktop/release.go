//go:build !dev

package desktop

// DevBuild is false outside dev builds; see dev.go.
const DevBuild = false

// ConfigFolder is the folder under the OS config folder that holds the
// databases; KeychainService the OS keychain service the token secrets
// are stored under. Dev builds have their own (see dev.go).
const (
	ConfigFolder    = "Cecyber"
	KeychainService = "cecyber"
)

// DevOrigins is empty outside dev builds: only the webview may open consoles.
func DevOrigins() []string { return nil }
