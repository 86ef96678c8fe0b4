package app

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// maxScreenshot bounds a screenshot's size: a 4K screen as PNG stays well below.
const maxScreenshot = 64 << 20

var screenshotNameRE = regexp.MustCompile(`^cecyber-[A-Za-z0-9._-]{1,120}\.png$`)

var pngMagic = []byte("\x89PNG\r\n\x1a\n")

// SaveScreenshot writes a console screenshot, PNG as base64, into the
// Cecyber folder of the user's Pictures and returns the file's path. The
// webview cannot be trusted to save a download on every platform
// (WebKitGTK in Wails drops them), so Go writes it.
func (a *App) SaveScreenshot(fileName, pngBase64 string) (string, error) {
	if len(fileName) > maxFileNameLen || !screenshotNameRE.MatchString(fileName) {
		return "", invalid("fileName", "format", "A screenshot name looks like cecyber-<guest>-<time>.png.")
	}
	if len(pngBase64) > base64.StdEncoding.EncodedLen(maxScreenshot)+len("data:image/png;base64,") {
		return "", invalid("png", "size", "The screenshot is too large.")
	}
	png, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(pngBase64, "data:image/png;base64,"))
	if err != nil || !bytes.HasPrefix(png, pngMagic) {
		return "", invalid("png", "format", "The screenshot is not a PNG image.")
	}
	if len(png) > maxScreenshot {
		return "", invalid("png", "size", "The screenshot is too large.")
	}
	dir, err := a.picturesDir()
	if err != nil {
		return "", err
	}
	// A console shows whatever the guest shows (a login, a key on the
	// screen): private like the config folder, 0700 and 0600.
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("create %s: %w", dir, err)
	}
	f, path, err := createUnique(dir, fileName)
	if err != nil {
		return "", fmt.Errorf("save screenshot: %w", err)
	}
	if _, err := f.Write(png); err != nil {
		f.Close()
		return "", fmt.Errorf("save screenshot: %w", err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("save screenshot: %w", err)
	}
	a.log.Info("screenshot saved", "path", path)
	return path, nil
}

// createUnique creates name in dir, private (0600), or name-2, name-3, …
// when it exists: saving twice in one second never fails or overwrites.
func createUnique(dir, name string) (*os.File, string, error) {
	ext := filepath.Ext(name)
	base := strings.TrimSuffix(name, ext)
	for i := 1; i <= 1000; i++ {
		candidate := name
		if i > 1 {
			candidate = fmt.Sprintf("%s-%d%s", base, i, ext)
		}
		path := filepath.Join(dir, candidate)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			return f, path, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, "", err
		}
	}
	return nil, "", fmt.Errorf("%s: too many screenshots of that name", name)
}

// picturesDir is <Pictures>/Cecyber: XDG_PICTURES_DIR where set (Linux),
// else ~/Pictures, which Windows and macOS both have.
func (a *App) picturesDir() (string, error) {
	if d := a.opts.Getenv("XDG_PICTURES_DIR"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "Cecyber"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("find the Pictures folder: %w", err)
	}
	return filepath.Join(home, "Pictures", "Cecyber"), nil
}
