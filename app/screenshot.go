package app

import (
	"bytes"
	"encoding/base64"
	"fmt"
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
	if !screenshotNameRE.MatchString(fileName) {
		return "", invalid("fileName", "format", "A screenshot name looks like cecyber-<guest>-<time>.png.")
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
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("create %s: %w", dir, err)
	}
	path := filepath.Join(dir, fileName)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
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
