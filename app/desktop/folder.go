package desktop

import (
	"errors"
	"fmt"
	"os/exec"
	"runtime"
)

// folderOpeners is the program each OS opens a folder with. Wails'
// BrowserOpenURL("file://…") would do too, but it swallows failures.
var folderOpeners = map[string]string{
	"linux":   "xdg-open",
	"freebsd": "xdg-open",
	"openbsd": "xdg-open",
	"netbsd":  "xdg-open",
	"darwin":  "open",
	"windows": "explorer.exe",
}

// OpenFolder starts the OS file manager on dir and does not wait for it:
// xdg-open may run as long as the file manager does, and explorer.exe exits
// with 1 even when it worked. Only a missing opener is reported.
func OpenFolder(dir string) error {
	name, ok := folderOpeners[runtime.GOOS]
	if !ok {
		return fmt.Errorf("no file manager known on %s", runtime.GOOS)
	}
	path, err := exec.LookPath(name)
	if err != nil {
		if name == "xdg-open" {
			return errors.New("xdg-open is missing: install xdg-utils")
		}
		return err
	}
	cmd := exec.Command(path, dir)
	cmd.Env = childEnv()
	if err := cmd.Start(); err != nil {
		return err
	}
	go cmd.Wait() // reap it whenever it ends
	return nil
}
