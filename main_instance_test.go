package main

import (
	"bufio"
	"errors"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
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
	if err := refuseReleaseFolder(dev, release); err == nil {
		t.Error("a dev folder that links to the installed app's was allowed")
	}
}
