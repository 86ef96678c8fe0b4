package app

import (
	"bytes"
	"encoding/base64"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestSaveScreenshot(t *testing.T) {
	dir := t.TempDir()
	a, _ := newTestApp(t, Options{Getenv: func(k string) string {
		if k == "XDG_PICTURES_DIR" {
			return dir
		}
		return ""
	}})
	img := image.NewRGBA(image.Rect(0, 0, 4, 3))
	img.Set(1, 1, color.RGBA{R: 200, A: 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	b64 := "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())

	path, err := a.SaveScreenshot("cecyber-web-01-20261126-120000.png", b64)
	if err != nil {
		t.Fatalf("SaveScreenshot() = %v", err)
	}
	if want := filepath.Join(dir, "Cecyber", "cecyber-web-01-20261126-120000.png"); path != want {
		t.Errorf("saved to %s; want %s", path, want)
	}
	got, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(got, buf.Bytes()) {
		t.Errorf("file holds %d bytes, %v; want the PNG", len(got), err)
	}
	// Private, like the config folder: what a console shows may be secret.
	if runtime.GOOS != "windows" {
		if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("screenshot mode %v, %v; want 0600", st.Mode().Perm(), err)
		}
		if st, err := os.Stat(filepath.Dir(path)); err != nil || st.Mode().Perm() != 0o700 {
			t.Errorf("screenshot folder mode %v, %v; want 0700", st.Mode().Perm(), err)
		}
	}
	// The same name again gets a name of its own; the first is kept.
	second, err := a.SaveScreenshot("cecyber-web-01-20261126-120000.png", b64)
	if err != nil || second != filepath.Join(dir, "Cecyber", "cecyber-web-01-20261126-120000-2.png") {
		t.Errorf("saving the same name again = %q, %v; want a -2 file", second, err)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, buf.Bytes()) {
		t.Error("the first screenshot was overwritten")
	}
	// Never leave the folder, never write what is not a PNG.
	for _, tt := range []struct{ name, data string }{
		{"../escape.png", b64},
		{"cecyber-x.png", base64.StdEncoding.EncodeToString([]byte("GIF89a"))},
	} {
		if _, err := a.SaveScreenshot(tt.name, tt.data); err == nil {
			t.Errorf("SaveScreenshot(%q) succeeded; want an error", tt.name)
		}
	}
}
