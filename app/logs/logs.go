// Package logs keeps Cecyber's log file: in the OS's place for logs, private
// to the user (folder 0700, files 0600) and rotated by size so it never grows
// without bound. It knows nothing of what is logged; the rest of the app
// makes sure no secret ever reaches a logger.
package logs

import (
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
)

// FileName is the current log file; older ones are FileName.1, FileName.2, ….
const FileName = "cecyber.log"

// Defaults for Options.
const (
	DefaultMaxBytes = 5 << 20 // 5 MiB per file
	DefaultKeep     = 5       // the current file and four older ones
)

// Dir returns where this user's logs go:
//
//	Linux and other Unix: $XDG_STATE_HOME/cecyber/logs (~/.local/state/cecyber/logs)
//	macOS:                ~/Library/Logs/Cecyber
//	Windows:              %LOCALAPPDATA%\Cecyber\logs
func Dir() (string, error) {
	return dirFor(runtime.GOOS, os.Getenv)
}

func dirFor(goos string, getenv func(string) string) (string, error) {
	home := func() (string, error) {
		if h := getenv("HOME"); h != "" {
			return h, nil
		}
		return "", errors.New("locate log folder: $HOME is not set; set it to your home folder")
	}
	switch goos {
	case "windows":
		local := getenv("LOCALAPPDATA")
		if local == "" {
			return "", errors.New(`locate log folder: %LOCALAPPDATA% is not set; set it to your local app data folder (usually C:\Users\NAME\AppData\Local)`)
		}
		return filepath.Join(local, "Cecyber", "logs"), nil
	case "darwin", "ios":
		h, err := home()
		if err != nil {
			return "", err
		}
		return filepath.Join(h, "Library", "Logs", "Cecyber"), nil
	default:
		// The XDG spec says a relative XDG_STATE_HOME is invalid and must be ignored.
		if s := getenv("XDG_STATE_HOME"); filepath.IsAbs(s) {
			return filepath.Join(s, "cecyber", "logs"), nil
		}
		h, err := home()
		if err != nil {
			return "", err
		}
		return filepath.Join(h, ".local", "state", "cecyber", "logs"), nil
	}
}

// Options configure Setup. Zero fields take the defaults.
type Options struct {
	// Dir holds the log files; Setup creates it (0700). Empty means stderr only.
	Dir string

	// Stderr also receives every record, as before there was a file; nil
	// means os.Stderr.
	Stderr io.Writer

	Level    slog.Level // slog.LevelInfo if zero
	MaxBytes int64      // rotate once the file would pass this; DefaultMaxBytes if zero
	Keep     int        // files kept including the current one; DefaultKeep if zero
}

// Setup returns the app's logger: text records to Stderr and to the rotated
// file in Dir. Close the returned io.Closer when the app ends.
//
// If the file cannot be opened, the logger still writes to Stderr and err
// says why: losing the log file must never stop the app.
func Setup(o Options) (*slog.Logger, io.Closer, error) {
	if o.Stderr == nil {
		o.Stderr = os.Stderr
	}
	handlerOpts := &slog.HandlerOptions{Level: o.Level}
	if o.Dir == "" {
		return slog.New(slog.NewTextHandler(o.Stderr, handlerOpts)), nopCloser{}, nil
	}
	f, err := Open(filepath.Join(o.Dir, FileName), o.MaxBytes, o.Keep)
	if err != nil {
		return slog.New(slog.NewTextHandler(o.Stderr, handlerOpts)), nopCloser{}, err
	}
	// Stderr first: io.MultiWriter stops at the first failing writer, and a
	// full disk must not silence the terminal.
	w := io.MultiWriter(o.Stderr, f)
	return slog.New(slog.NewTextHandler(w, handlerOpts)), f, nil
}

type nopCloser struct{}

func (nopCloser) Close() error { return nil }
