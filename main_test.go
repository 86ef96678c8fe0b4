package main

import (
	"bytes"
	"cecyber/proxmox"
	"cecyber/proxmox/pvesim"
	"context"
	"image/png"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

func TestRunFlags(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string
		wantErr  string
	}{
		{"ErrUnknownFlag", []string{"--nope"}, 2, "", "flag provided but not defined"},
		{"ErrArgument", []string{"extra"}, 2, "", `unexpected argument "extra"`},
		{"Help", []string{"-h"}, 0, "", "Usage: cecyber"},
		{"ErrDemoRelease", []string{"-demo", "-demo-pve", "7.4"}, 2, "", `-demo-pve: pvesim: unknown Proxmox VE release "7.4": want 8.4 or 9.1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tt.args, &stdout, &stderr)
			if code != tt.wantCode || stdout.String() != tt.wantOut || !strings.Contains(stderr.String(), tt.wantErr) {
				t.Errorf("run(%q) = %d, stdout %q, stderr %q; want %d, %q, containing %q",
					tt.args, code, stdout.String(), stderr.String(), tt.wantCode, tt.wantOut, tt.wantErr)
			}
		})
	}
}

// TestRunVersion: --version says what was built, from what, with what, and
// stops before anything needs a display.
func TestRunVersion(t *testing.T) {
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "")
	defer func(c, d string) { commit, buildDate = c, d }(commit, buildDate)
	commit, buildDate = "abc1234", "2026-11-26T10:00:00Z"
	var stdout, stderr bytes.Buffer
	code := run([]string{"--version"}, &stdout, &stderr)
	want := regexp.MustCompile(`^cecyber dev \(commit abc1234, built 2026-11-26T10:00:00Z, go1\.\S+, wails v2\.\d+\.\d+\)\n$`)
	if code != 0 || !want.MatchString(stdout.String()) || stderr.Len() != 0 {
		t.Errorf("run(--version) = %d, stdout %q, stderr %q; want 0 and a line matching %s", code, stdout.String(), stderr.String(), want)
	}
}

// TestOpenLog: the app's log goes to $XDG_STATE_HOME/cecyber/logs, private
// to the user, as well as to stderr.
func TestOpenLog(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("XDG_STATE_HOME is the Linux log location")
	}
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	var stderr bytes.Buffer
	log, closer, dir := openLog(&stderr)
	log.Info("hello from the test")
	closer.Close()
	if want := filepath.Join(state, "cecyber", "logs"); dir != want {
		t.Errorf("openLog() dir = %q; want %q", dir, want)
	}
	path := filepath.Join(dir, "cecyber.log")
	data, err := os.ReadFile(path)
	if err != nil || !strings.Contains(string(data), "hello from the test") || !strings.Contains(stderr.String(), "hello from the test") {
		t.Errorf("the record did not reach both the file (%q, %v) and stderr (%q)", data, err, stderr.String())
	}
	for p, want := range map[string]os.FileMode{dir: os.ModeDir | 0o700, path: 0o600} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode() != want {
			t.Errorf("mode of %s = %v; want %v", p, st.Mode(), want)
		}
	}
}

// TestOpenStoreRecoversCorruptDatabase: a file that is not a database at
// all is moved aside, never deleted, a fresh one opens, and the user is
// told nothing could be salvaged (salvage itself: TestDamagedFiles).
func TestOpenStoreRecoversCorruptDatabase(t *testing.T) {
	dir := t.TempDir()
	// The store lives in os.UserConfigDir, which reads XDG_CONFIG_HOME on
	// Linux, APPDATA on Windows and HOME on macOS.
	t.Setenv("XDG_CONFIG_HOME", dir)
	t.Setenv("APPDATA", dir)
	t.Setenv("HOME", dir)
	config, err := os.UserConfigDir()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(config, "Cecyber", "cecyber.db")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	garbage := bytes.Repeat([]byte("not a database "), 512)
	if err := os.WriteFile(path, garbage, 0o600); err != nil {
		t.Fatal(err)
	}
	db, notices, err := openStore(filepath.Dir(path), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatalf("openStore() error = %v", err)
	}
	defer db.Close()
	if len(notices) != 1 || notices[0].Code != "salvageNone" || notices[0].Params["movedTo"] == "" {
		t.Fatalf("notices = %+v; want one database notice naming where the file went", notices)
	}
	kept, err := os.ReadFile(notices[0].Params["movedTo"])
	if err != nil || !bytes.Equal(kept, garbage) {
		t.Errorf("the damaged file was not kept intact at %s: %v", notices[0].Params["movedTo"], err)
	}
	if _, err := db.Clusters(context.Background()); err != nil {
		t.Errorf("the fresh database does not work: %v", err)
	}
}

// TestDemoStarter: -demo-pve chooses the release the demo cluster plays,
// which the app sees in /version as on a real cluster.
func TestDemoStarter(t *testing.T) {
	for _, release := range []string{"9.1", "8.4"} {
		t.Run(release, func(t *testing.T) {
			version, err := pvesim.ParseRelease(release)
			if err != nil {
				t.Fatal(err)
			}
			demo, err := demoStarter(version)()
			if err != nil {
				t.Fatal(err)
			}
			defer demo.Close()
			c, err := proxmox.NewClient(demo.Config)
			if err != nil {
				t.Fatal(err)
			}
			v, err := c.Version(context.Background())
			if err != nil || v.Release != release {
				t.Errorf("demo cluster /version = %+v, %v; want release %s", v, err, release)
			}
		})
	}
}

// TestWindowIconIsSmall: the embedded icon is what GTK keeps decoded for
// the window's life (width × height × 4 bytes: 4 MiB at 1024 px), so it
// is the 256 px rendering, no larger, and still a square PNG.
func TestWindowIconIsSmall(t *testing.T) {
	cfg, err := png.DecodeConfig(bytes.NewReader(icon))
	if err != nil {
		t.Fatalf("the embedded window icon is not a PNG: %v", err)
	}
	if cfg.Width != cfg.Height || cfg.Width > 256 || cfg.Width < 128 {
		t.Errorf("window icon is %d×%d px; want a square of 128 to 256 px", cfg.Width, cfg.Height)
	}
}
