package desktop

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// TestLockInstance: while another process holds the folder, LockInstance
// says ErrRunning, at once; when that process ends, however it ends, the
// lock is free. (main takes it before it opens any database.)
func TestLockInstance(t *testing.T) {
	if dir := os.Getenv("CECYBER_LOCK_CHILD"); dir != "" {
		if _, err := LockInstance(dir); err != nil {
			os.Exit(3)
		}
		os.Stdout.WriteString("locked\n")
		bufio.NewReader(os.Stdin).ReadString('\n') // until the parent closes stdin
		os.Exit(0)
	}
	dir := filepath.Join(t.TempDir(), "Cecyber")
	child := exec.Command(os.Args[0], "-test.run=^TestLockInstance$")
	child.Env = append(os.Environ(), "CECYBER_LOCK_CHILD="+dir)
	stdin, _ := child.StdinPipe()
	stdout, _ := child.StdoutPipe()
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	if line, _ := bufio.NewReader(stdout).ReadString('\n'); line != "locked\n" {
		t.Fatalf("child said %q; want locked", line)
	}
	if _, err := LockInstance(dir); !errors.Is(err, ErrRunning) {
		t.Fatalf("LockInstance while another process holds it = %v; want ErrRunning", err)
	}
	if err := child.Process.Kill(); err != nil { // not a clean exit: the kernel must drop the lock
		t.Fatal(err)
	}
	child.Wait()
	stdin.Close()
	release, err := LockInstance(dir)
	if err != nil {
		t.Fatalf("LockInstance after the holder died = %v; want the lock", err)
	}
	release()
	if runtime.GOOS == "windows" {
		return // no POSIX modes: the folder's ACL is the user profile's
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("the folder LockInstance made: %v, %v; want 0700", fi.Mode(), err)
	}
}
