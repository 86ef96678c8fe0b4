//go:build !windows && !darwin

package desktop

import (
	"errors"
	"os"
	"os/exec"
)

// CanOpenWindow reports whether a window can open at all: on Linux, GTK
// exits the process when there is no display, before Wails could return
// an error.
func CanOpenWindow() bool { return os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != "" }

// ShowError shows a native error dialog and waits until it is closed, for
// when the app's own window cannot open. On Linux it uses whichever of
// zenity (GNOME), kdialog (KDE) or xmessage (any X server) is installed;
// without any, or without a display, it returns an error and the caller
// has only stderr and the log.
func ShowError(title, text string) error {
	if !CanOpenWindow() {
		return errors.New("no display")
	}
	for _, c := range [][]string{
		{"zenity", "--error", "--no-markup", "--title", title, "--text", text},
		{"kdialog", "--title", title, "--error", text},
		{"xmessage", "-center", "-buttons", "OK:0", "-default", "OK", title + "\n\n" + text},
	} {
		if _, err := exec.LookPath(c[0]); err != nil {
			continue
		}
		cmd := exec.Command(c[0], c[1:]...)
		cmd.Env = childEnv()
		return cmd.Run()
	}
	return errors.New("no dialog program (zenity, kdialog or xmessage)")
}
