package desktop

import (
	"bufio"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestShowErrorDialog: with no window of the app's own, a start-up failure
// is a native dialog. On a private X server with only xmessage installed
// (as on a bare X session), ShowError opens it and waits for it.
func TestShowErrorDialog(t *testing.T) {
	for _, tool := range []string{"Xvfb", "xdotool", "xmessage"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("needs %s (apt-get install xvfb xdotool x11-utils; make test installs them)", tool)
		}
	}
	xvfb := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "800x600x24", "-nolisten", "tcp")
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	xvfb.ExtraFiles = []*os.File{w}
	if err := xvfb.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	t.Cleanup(func() { xvfb.Process.Kill(); xvfb.Wait() })
	n, err := bufio.NewReader(r).ReadString('\n') // Xvfb writes its display number once it accepts clients
	if err != nil {
		t.Fatal(err)
	}
	display := ":" + strings.TrimSpace(n)
	t.Setenv("DISPLAY", display)
	t.Setenv("WAYLAND_DISPLAY", "")
	if !CanOpenWindow() {
		t.Fatal("CanOpenWindow() = false with DISPLAY set")
	}
	done := make(chan error, 1)
	go func() { done <- ShowError("Cecyber could not start", "The disk is full.") }()
	// --sync waits for the window: the dialog is on screen.
	out, err := exec.Command("xdotool", "search", "--sync", "--name", "xmessage").Output()
	if err != nil {
		t.Fatalf("no dialog window appeared: %v", err)
	}
	win := strings.Fields(string(out))[0]
	// The user presses Enter on its only button: ShowError returns.
	if out, err := exec.Command("xdotool", "windowfocus", "--sync", win, "key", "Return").CombinedOutput(); err != nil {
		t.Fatalf("press Enter: %v %s", err, out)
	}
	if err := <-done; err != nil {
		t.Errorf("ShowError after the dialog was closed = %v; want nil", err)
	}

	t.Setenv("DISPLAY", "")
	if err := ShowError("x", "y"); err == nil {
		t.Error("ShowError without a display = nil; want an error (the caller falls back to stderr)")
	}
}
