//go:build dev

package desktop

import (
	"net"
	"os"
)

// DevBuild gives dev builds their own single-instance lock (see
// app.InstanceID), so `make dev` starts while the installed app is open.
const DevBuild = true

// A dev build (`make dev`, `wails dev`, the end-to-end tests' binary) keeps
// its clusters, history and logs in a folder of its own and its token
// secrets under a keychain service of its own: it never reads or changes
// the installed app's. Its dev server answers a browser on a fixed port,
// which is no place for a user's real clusters.
const (
	ConfigFolder    = "Cecyber-dev"
	KeychainService = "cecyber-dev"
)

// DevOrigins lets the console proxy accept the pages a dev build serves: the
// Wails dev server (a browser at http://127.0.0.1:34115 or wherever
// "devserver" points) besides the webview itself.
func DevOrigins() []string {
	addr := os.Getenv("devserver")
	if addr == "" {
		addr = "localhost:34115"
	}
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil
	}
	return []string{"http://" + addr, "http://localhost:" + port, "http://127.0.0.1:" + port}
}
