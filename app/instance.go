package app

import (
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
)

// instanceUUID tells Cecyber's single-instance lock apart from every other
// Wails app's. Never change it: a running old version would no longer see a
// new one start.
const instanceUUID = "0bc176c8-d2eb-4450-89b4-fe03d815158e"

// InstanceID is the single-instance lock for the app whose database lives
// in configDir: launching Cecyber again with the same folder brings the
// running window forward instead of opening a second one on the same files.
//
// The folder is part of the ID because one user may run several Cecybers on
// purpose: the end-to-end tests start many in parallel, each with its own
// XDG_CONFIG_HOME, and those must not stop one another. Dev builds get their
// own ID too, so `make dev` starts while the installed app is open.
//
// The result is letters, digits and dashes only: Wails turns it into a
// D-Bus name on Linux, a mutex name on Windows and a file name on macOS.
func InstanceID(configDir string, dev bool) string {
	sum := sha256.Sum256([]byte(filepath.Clean(configDir)))
	id := "cecyber-" + instanceUUID + "-" + hex.EncodeToString(sum[:8])
	if dev {
		id += "-dev"
	}
	return id
}
