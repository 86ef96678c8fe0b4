package app

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"cecyber/app/desktop"
	"cecyber/app/store"
)

// TestStartupFailure: the failures of a start name what to do, by what
// really happened to the files: a read-only folder and a full disk (real
// tmpfs mounts, see inTmpfs), another Cecyber holding the folder.
func TestStartupFailure(t *testing.T) {
	dir := inTmpfs(t, "256k")
	if dir == "" {
		return
	}
	full := filepath.Join(dir, "full")
	if err := os.Mkdir(full, 0o700); err != nil {
		t.Fatal(err)
	}
	fillDisk(t, dir)
	_, err := store.Open(filepath.Join(full, "cecyber.db"))
	if got := StartupFailure(err, full, "/logs"); got.Code != "startupFull" || got.Params["free"] != "0" {
		t.Errorf("full disk: %v gave %+v; want startupFull with 0 free", err, got)
	}
	// A read-only file system: the same tmpfs, remounted.
	if out, err := runCmd("mount", "-o", "remount,ro", dir); err != nil {
		t.Fatalf("remount read-only: %v %s", err, out)
	}
	_, err = store.Open(filepath.Join(dir, "ro", "cecyber.db"))
	if got := StartupFailure(err, dir, ""); got.Code != "startupReadOnly" || got.Params["detail"] == "" {
		t.Errorf("read-only: %v gave %+v; want startupReadOnly with the detail", err, got)
	}
	if got := StartupFailure(fmt.Errorf("lock: %w", desktop.ErrRunning), dir, ""); got.Code != "startupRunning" {
		t.Errorf("running: gave %+v; want startupRunning", got)
	}
	if got := StartupFailure(fmt.Errorf("something else"), dir, "/logs"); got.Code != "startupFailed" || got.Params["log"] != "/logs" {
		t.Errorf("other: gave %+v; want startupFailed naming the log", got)
	}
}
