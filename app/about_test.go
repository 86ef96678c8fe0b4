package app

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestAbout(t *testing.T) {
	build := BuildInfo{Commit: "abc1234", BuildDate: "2026-11-26T10:00:00Z", LogDir: "/l", ConfigDir: "/c"}
	a := New(Options{Version: "0.1.0-12-gabc1234", Build: build})
	got, err := a.About()
	if err != nil {
		t.Fatalf("About() error = %v", err)
	}
	want := About{
		Version:   "0.1.0-12-gabc1234",
		Commit:    "abc1234",
		BuildDate: "2026-11-26T10:00:00Z",
		Wails:     "v2.9.2",
		Go:        runtime.Version(),
		Platform:  runtime.GOOS + "/" + runtime.GOARCH,
		License:   "MIT",
		LogDir:    "/l",
		ConfigDir: "/c",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("About() (-want +got):\n%s", diff)
	}
}

func TestVersionLine(t *testing.T) {
	got := VersionLine("0.1.0", BuildInfo{Commit: "abc1234", BuildDate: "2026-11-26T10:00:00Z"})
	want := "cecyber 0.1.0 (commit abc1234, built 2026-11-26T10:00:00Z, " + runtime.Version() + ", wails v2.9.2)"
	if got != want {
		t.Errorf("VersionLine() = %q; want %q", got, want)
	}
	// Unstamped: the commit may come from the build info (go build in a
	// checkout) or be unknown (go test); the date is unknown.
	got = VersionLine("dev", BuildInfo{})
	if !regexp.MustCompile(`^cecyber dev \(commit (unknown|[0-9a-f]{7}(-dirty)?), built unknown, go\S+, wails v2\.9\.2\)$`).MatchString(got) {
		t.Errorf("VersionLine(unstamped) = %q", got)
	}
}

// fakeOpener puts a fake xdg-open first on PATH that writes its arguments
// to the returned file.
func fakeOpener(t *testing.T) string {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("the fake opener is a shell script standing in for xdg-open")
	}
	bin := t.TempDir()
	out := filepath.Join(bin, "opened")
	script := "#!/bin/sh\nprintf '%s\\n' \"$@\" > " + out + ".tmp && /bin/mv " + out + ".tmp " + out + "\n"
	if err := os.WriteFile(filepath.Join(bin, "xdg-open"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin)
	return out
}

func TestOpenLogFolder(t *testing.T) {
	out := fakeOpener(t)
	dir := filepath.Join(t.TempDir(), "state", "cecyber", "logs")
	a := New(Options{Build: BuildInfo{LogDir: dir}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err := a.OpenLogFolder(); err != nil {
		t.Fatalf("OpenLogFolder() error = %v", err)
	}
	st, err := os.Stat(dir)
	if err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("the log folder was not created private: %v, %v", st, err)
	}
	var got []byte
	// The fake xdg-open is a real process started in the background, which
	// tells nobody when it has written its arguments: poll for them.
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if got, err = os.ReadFile(out); err == nil {
			break
		}
	}
	if string(got) != dir+"\n" {
		t.Errorf("xdg-open got arguments %q; want just %q", got, dir)
	}
}

func TestOpenLogFolderErrors(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("looks for xdg-open")
	}
	t.Setenv("PATH", t.TempDir()) // no xdg-open
	dir := filepath.Join(t.TempDir(), "logs")
	a := New(Options{Build: BuildInfo{LogDir: dir}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	err := a.OpenLogFolder()
	if err == nil || !strings.Contains(err.Error(), "xdg-utils") || !strings.Contains(err.Error(), dir) {
		t.Errorf("OpenLogFolder() without xdg-open = %v; want an error naming xdg-utils and the folder", err)
	}
	if err := New(Options{}).OpenLogFolder(); err == nil {
		t.Errorf("OpenLogFolder() with no log folder succeeded")
	}
}

func TestInstanceID(t *testing.T) {
	a := InstanceID("/home/u/.config", false)
	if a != InstanceID("/home/u/.config/", false) {
		t.Errorf("InstanceID differs for the same folder written two ways")
	}
	if a == InstanceID("/tmp/cecyber-config-1", false) {
		t.Errorf("two config folders share an instance ID")
	}
	dev := InstanceID("/home/u/.config", true)
	if dev == a {
		t.Errorf("a dev build shares the installed app's instance ID")
	}
	for _, id := range []string{a, dev} {
		if !regexp.MustCompile(`^cecyber-[0-9a-z-]+$`).MatchString(id) {
			t.Errorf("InstanceID = %q; want only lower-case letters, digits and dashes", id)
		}
		// Wails v2.9.2 on Linux: each element of the D-Bus name must not
		// start with a digit, and the whole name fits in 255 bytes.
		name := "org.wails_app_" + strings.ReplaceAll(id, "-", "_") + ".SingleInstance"
		if len(name) > 255 {
			t.Errorf("D-Bus name %q is too long", name)
		}
	}
}
