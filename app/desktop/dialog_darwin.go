package desktop

import "os/exec"

// CanOpenWindow is always true on macOS: a session has a window server.
func CanOpenWindow() bool { return true }

// ShowError shows a native error dialog (AppleScript's display alert) and
// waits until it is closed, for when the app's own window cannot open.
func ShowError(title, text string) error {
	return exec.Command("osascript", "-e", "on run argv", "-e",
		"display alert (item 1 of argv) message (item 2 of argv) as critical", "-e", "end run", title, text).Run()
}
