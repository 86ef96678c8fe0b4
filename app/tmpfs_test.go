package app

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// inTmpfs runs the calling test again in a child process that has a tmpfs
// of the given size (e.g. "1m") mounted at a fresh folder, in a mount
// namespace of its own (unshare -rm: no root needed where user namespaces
// are allowed). In the child it returns that folder; in the parent it
// waits for the child, reports its result, and returns "".
//
// A real small file system is what makes SQLite hit SQLITE_FULL the way a
// full disk does, in the WAL and the main file alike; PRAGMA
// max_page_count only caps the main file.
func inTmpfs(t *testing.T, size string) string {
	t.Helper()
	const env = "CECYBER_TEST_TMPFS"
	if dir := os.Getenv(env); dir != "" {
		return dir
	}
	if runtime.GOOS != "linux" {
		t.Skip("needs a Linux mount namespace for a small tmpfs")
	}
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Skip("needs unshare(1) (util-linux) to mount a small tmpfs without root")
	}
	dir := filepath.Join(t.TempDir(), "tmpfs")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("unshare", "-rm", "sh", "-c", `mount -t tmpfs -o size="$1" tmpfs "$2" && shift 2 && exec "$@"`,
		"sh", size, dir, os.Args[0], "-test.run=^"+t.Name()+"$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), env+"="+dir)
	out, err := cmd.CombinedOutput()
	t.Logf("in a %s tmpfs:\n%s", size, out)
	if err != nil {
		t.Fatalf("test in a tmpfs: %v", err)
	}
	return ""
}

// fillDisk writes a file into dir until the file system is full, and
// returns its name.
func fillDisk(t *testing.T, dir string) string {
	t.Helper()
	name := filepath.Join(dir, "filler")
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 4096)
	for {
		if _, err := f.Write(buf); err != nil {
			return name
		}
	}
}

func removeFile(name string) error { return os.Remove(name) }

func runCmd(name string, args ...string) ([]byte, error) {
	return exec.Command(name, args...).CombinedOutput()
}
