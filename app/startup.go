package app

import (
	"errors"
	"io/fs"
	"path/filepath"
	"syscall"

	"cecyber/app/desktop"
	"cecyber/metrics"
	"cecyber/metrics/sqlitefile"
)

// StartupFailure turns why Cecyber could not start into what the window
// (or, without one, a native dialog) tells the user: what failed and what
// to do. dir is the config folder; logDir where the log is ("" if none).
//
// Codes: "startupRunning" (another Cecyber holds the folder and did not
// show its window), "startupReadOnly" (the folder cannot be written: permissions or a
// read-only disk), "startupFull" (no space left; Params free), and
// "startupFailed" (anything else). Params always carry dir, log and
// detail (the error itself, for the log and for support).
func StartupFailure(err error, dir, logDir string) ErrorInfo {
	info := ErrorInfo{Params: map[string]string{"dir": dir, "log": logDir, "detail": err.Error()}}
	switch {
	case errors.Is(err, desktop.ErrRunning):
		info.Code = "startupRunning"
		info.Message = "Another Cecyber is running on " + dir + " but did not show its window. Close it (or wait until it has started), then start Cecyber again."
	case errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS) || sqlitefile.IsReadOnly(err):
		info.Code = "startupReadOnly"
		info.Message = "Cecyber cannot write to its folder " + dir + ". Make it writable for your user, then start Cecyber again."
	case errors.Is(err, syscall.ENOSPC) || errors.Is(err, metrics.ErrFull) || sqlitefile.IsFull(err):
		info.Code = "startupFull"
		info.Message = "The disk that holds " + dir + " is full. Free some space, then start Cecyber again."
		if free, ferr := desktop.FreeSpace(existingParent(dir)); ferr == nil {
			info.Params["free"] = formatInt(free)
		}
	default:
		info.Code = "startupFailed"
		info.Message = "Cecyber could not start: " + err.Error()
	}
	if logDir != "" {
		info.Message += " The log in " + logDir + " has the details."
	}
	return info
}

// existingParent is dir or its nearest ancestor that exists.
func existingParent(dir string) string {
	for {
		if _, err := desktop.FreeSpace(dir); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return dir
		}
		dir = parent
	}
}

func formatInt(n int64) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	if neg {
		b = append([]byte{'-'}, b...)
	}
	return string(b)
}
