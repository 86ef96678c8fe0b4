package app

import (
	"bytes"
	"encoding/base64"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
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
	// Never overwrite, never leave the folder, never write what is not a PNG.
	for _, tt := range []struct{ name, data string }{
		{"cecyber-web-01-20261126-120000.png", b64},
		{"../escape.png", b64},
		{"cecyber-x.png", base64.StdEncoding.EncodeToString([]byte("GIF89a"))},
	} {
		if _, err := a.SaveScreenshot(tt.name, tt.data); err == nil {
			t.Errorf("SaveScreenshot(%q) succeeded; want an error", tt.name)
		}
	}
}
