package logs

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestSetupRotates logs through the logger main.go uses, with a small limit,
// and checks that files rotate, that the oldest go, that no record is split
// between files, and that everything is private to the user.
func TestSetupRotates(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state", "cecyber", "logs")
	var stderr bytes.Buffer
	log, closer, err := Setup(Options{Dir: dir, Stderr: &stderr, MaxBytes: 4 << 10, Keep: 3})
	if err != nil {
		t.Fatalf("Setup() error = %v", err)
	}
	const records = 400 // about 40 KiB: ten rotations of 4 KiB
	for i := range records {
		log.Info("poll done", "cluster", "lab", "i", i, "pad", strings.Repeat("x", 40))
	}
	if err := closer.Close(); err != nil {
		t.Fatalf("Close() error = %v", err)
	}
	if got := strings.Count(stderr.String(), "\n"); got != records {
		t.Errorf("stderr got %d records; want %d", got, records)
	}

	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := []string{"cecyber.log", "cecyber.log.1", "cecyber.log.2"}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Fatalf("log folder holds %q; want %q (Keep 3)", names, want)
	}
	for _, name := range names {
		path := filepath.Join(dir, name)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if len(data) > 4<<10 {
			t.Errorf("%s is %d bytes; want at most %d", name, len(data), 4<<10)
		}
		if !bytes.HasSuffix(data, []byte("\n")) || !bytes.HasPrefix(data, []byte("time=")) {
			t.Errorf("%s does not hold whole records: starts %q", name, data[:min(20, len(data))])
		}
		checkMode(t, path, 0o600)
	}
	// The newest record is in the current file, the oldest ones are gone.
	cur, _ := os.ReadFile(filepath.Join(dir, "cecyber.log"))
	if !strings.Contains(string(cur), "i=399 ") {
		t.Errorf("cecyber.log lacks the last record")
	}
	all := ""
	for _, name := range names {
		b, _ := os.ReadFile(filepath.Join(dir, name))
		all += string(b)
	}
	if strings.Contains(all, "i=0 ") {
		t.Errorf("the first record survived ten rotations with Keep 3")
	}
	checkMode(t, dir, fs.ModeDir|0o700)
}

// TestOpenTightensModes: a folder and file left readable by others (an
// older version, a user's cp -r) become private when the app starts.
func TestOpenTightensModes(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows has no Unix permission bits")
	}
	dir := filepath.Join(t.TempDir(), "logs")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, FileName)
	if err := os.WriteFile(path, []byte("old record\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := Open(path, 0, 0)
	if err != nil {
		t.Fatalf("Open() error = %v", err)
	}
	if _, err := f.Write([]byte("new record\n")); err != nil {
		t.Fatal(err)
	}
	f.Close()
	checkMode(t, dir, fs.ModeDir|0o700)
	checkMode(t, path, 0o600)
	if b, _ := os.ReadFile(path); string(b) != "old record\nnew record\n" {
		t.Errorf("file holds %q; want the old record kept and the new one appended", b)
	}
	if _, err := f.Write([]byte("late\n")); err == nil {
		t.Errorf("Write after Close succeeded; want fs.ErrClosed")
	}
}

func TestKeepOne(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	f, err := Open(path, 10, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, s := range []string{"aaaaaa\n", "bbbbbb\n", "cccccc\n"} {
		if _, err := f.Write([]byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	if b, _ := os.ReadFile(path); string(b) != "cccccc\n" {
		t.Errorf("with Keep 1 the file holds %q; want only the last record", b)
	}
	if _, err := os.Stat(path + ".1"); !os.IsNotExist(err) {
		t.Errorf("Keep 1 left a backup: %v", err)
	}
}

func TestDir(t *testing.T) {
	tests := []struct {
		name string
		goos string
		env  map[string]string
		want string
	}{
		{"LinuxXDG", "linux", map[string]string{"XDG_STATE_HOME": "/x/state", "HOME": "/home/u"}, filepath.Join("/x/state", "cecyber", "logs")},
		{"LinuxDefault", "linux", map[string]string{"HOME": "/home/u"}, filepath.Join("/home/u", ".local", "state", "cecyber", "logs")},
		{"LinuxRelativeXDGIgnored", "linux", map[string]string{"XDG_STATE_HOME": "state", "HOME": "/home/u"}, filepath.Join("/home/u", ".local", "state", "cecyber", "logs")},
		{"FreeBSD", "freebsd", map[string]string{"HOME": "/home/u"}, filepath.Join("/home/u", ".local", "state", "cecyber", "logs")},
		{"MacOS", "darwin", map[string]string{"HOME": "/Users/u", "XDG_STATE_HOME": "/x"}, filepath.Join("/Users/u", "Library", "Logs", "Cecyber")},
		{"Windows", "windows", map[string]string{"LOCALAPPDATA": `C:\Users\u\AppData\Local`}, filepath.Join(`C:\Users\u\AppData\Local`, "Cecyber", "logs")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if x := tt.env["XDG_STATE_HOME"]; tt.goos == "linux" && x != "" && x[0] == '/' && !filepath.IsAbs(x) {
				t.Skipf("%s is an absolute path on Linux but not to %s's path/filepath, which dirFor uses", x, runtime.GOOS)
			}
			got, err := dirFor(tt.goos, func(k string) string { return tt.env[k] })
			if err != nil || got != tt.want {
				t.Errorf("dirFor(%q) = %q, %v; want %q", tt.goos, got, err, tt.want)
			}
		})
	}
	for _, goos := range []string{"linux", "darwin", "windows"} {
		if _, err := dirFor(goos, func(string) string { return "" }); err == nil {
			t.Errorf("dirFor(%q) with no environment succeeded; want an error saying what to set", goos)
		}
	}
}

func checkMode(t *testing.T, path string, want fs.FileMode) {
	t.Helper()
	if runtime.GOOS == "windows" {
		return
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode() != want {
		t.Errorf("mode of %s = %v; want %v", path, st.Mode(), want)
	}
}
