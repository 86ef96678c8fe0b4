package main

import (
	"bufio"
	"errors"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"cecyber/app/desktop"
)

// TestOneInstanceOpensTheDatabases starts two processes at the same moment
// on one config folder, each doing what run does before the window: take
// the lock, then open the databases. Exactly one opens them; the other
// never touches them.
func TestOneInstanceOpensTheDatabases(t *testing.T) {
	if dir := os.Getenv("CECYBER_INSTANCE_CHILD"); dir != "" {
		handOverWait = 300 * time.Millisecond // no running window to hand over to here
		release, _, err := lockInstance(dir, "test")
		if errors.Is(err, desktop.ErrRunning) {
			os.Stdout.WriteString("running\n")
			os.Exit(0)
		}
		if err != nil {
			os.Stdout.WriteString("error " + err.Error() + "\n")
			os.Exit(1)
		}
		defer release()
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		db, _, err := openStore(dir, log)
		if err != nil {
			os.Exit(1)
		}
		h, _, err := openMetrics(dir, log)
		if err != nil {
			os.Exit(1)
		}
		os.Stdout.WriteString("opened\n")
		bufio.NewReader(os.Stdin).ReadString('\n')
		h.Close()
		db.Close()
		os.Exit(0)
	}
	dir := filepath.Join(t.TempDir(), "Cecyber")
	var outs []*bufio.Reader
	var stdins []io.Closer
	var cmds []*exec.Cmd
	for range 2 {
		c := exec.Command(os.Args[0], "-test.run=^TestOneInstanceOpensTheDatabases$")
		c.Env = append(os.Environ(), "CECYBER_INSTANCE_CHILD="+dir)
		in, _ := c.StdinPipe()
		out, _ := c.StdoutPipe()
		cmds, stdins, outs = append(cmds, c), append(stdins, in), append(outs, bufio.NewReader(out))
	}
	for _, c := range cmds {
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
	}
	var said []string
	for _, o := range outs {
		line, _ := o.ReadString('\n')
		said = append(said, strings.TrimSpace(line))
	}
	for i, in := range stdins {
		in.Close()
		cmds[i].Wait()
	}
	opened, running := 0, 0
	for _, s := range said {
		switch s {
		case "opened":
			opened++
		case "running":
			running++
		}
	}
	if opened != 1 || running != 1 {
		t.Errorf("two launches at once said %q; want one opened the databases and one found it running", said)
	}
}

// TestDevBuildRefusesReleaseFolder: a dev build whose folder is the
// installed app's under another name (a symbolic link) does not start.
func TestDevBuildRefusesReleaseFolder(t *testing.T) {
	base := t.TempDir()
	release := filepath.Join(base, "Cecyber")
	if err := os.Mkdir(release, 0o700); err != nil {
		t.Fatal(err)
	}
	dev := filepath.Join(base, "Cecyber-dev")
	if err := refuseReleaseFolder(dev, release); err != nil {
		t.Errorf("no dev folder yet: %v; want it allowed (it will be created)", err)
	}
	if err := os.Symlink(release, dev); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(dev); err != nil && runtime.GOOS == "windows" {
		// Wine 8 (make test-windows): CreateSymbolicLinkW reports success
		// and creates nothing.
		t.Skipf("the system said it made the link, yet it is not there (%v)", err)
	}
	if err := refuseReleaseFolder(dev, release); err == nil {
		t.Error("a dev folder that links to the installed app's was allowed")
	}
}

// TestStartFailsWithoutDisplay: when no window can open (no display) a
// start-up failure still reaches the user: stderr and the log, exit 1.
func TestStartFailsWithoutDisplay(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("no display is a Linux (X11, Wayland) state; on Windows and macOS a window can always open")
	}
	base := t.TempDir()
	notADir := filepath.Join(base, "config")
	if err := os.WriteFile(notADir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_CONFIG_HOME", notADir) // the config folder cannot be made
	t.Setenv("HOME", base)
	t.Setenv("XDG_STATE_HOME", filepath.Join(base, "state"))
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "")
	var stdout, stderr strings.Builder
	if code := run(nil, &stdout, &stderr); code != 1 {
		t.Fatalf("run = %d; want 1", code)
	}
	if !strings.Contains(stderr.String(), "cecyber: ") || !strings.Contains(stderr.String(), "not a directory") {
		t.Errorf("stderr = %q; want the reason", stderr.String())
	}
	logs, _ := filepath.Glob(filepath.Join(base, "state", "cecyber", "logs", "*.log"))
	var all string
	for _, f := range logs {
		b, _ := os.ReadFile(f)
		all += string(b)
	}
	if !strings.Contains(all, "start-up failed") || !strings.Contains(all, "code=startupFailed") {
		t.Errorf("log %q; want the start-up failure", all)
	}
}
