package app

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"

	"cecyber/app/desktop"
)

// License is Cecyber's licence as an SPDX identifier; the text is in LICENSE.
const License = "MIT"

// wailsModule is the module whose version About reports, and
// wailsFallback the version go.mod pins, for binaries built without module
// information.
const (
	wailsModule   = "github.com/wailsapp/wails/v2"
	wailsFallback = "v2.9.2"
)

// BuildInfo is what About tells besides the version: how this binary was
// built and where the app keeps its files. main fills it in.
type BuildInfo struct {
	Commit    string // short git commit, -X main.commit; "" reads it from the Go build info
	BuildDate string // RFC 3339 UTC, -X main.buildDate; "" if unknown
	LogDir    string // the folder OpenLogFolder opens
	ConfigDir string // where cecyber.db and window.json live
}

// About describes this build for the About dialog.
func (a *App) About() (About, error) {
	b := a.opts.Build
	return About{
		Version:   a.opts.Version,
		Commit:    b.commit(),
		BuildDate: b.BuildDate,
		Wails:     WailsVersion(),
		Go:        runtime.Version(),
		Platform:  runtime.GOOS + "/" + runtime.GOARCH,
		License:   License,
		LogDir:    b.LogDir,
		ConfigDir: b.ConfigDir,
	}, nil
}

// VersionLine is what cecyber --version prints, e.g.
// "cecyber 0.1.0 (commit abc1234, built 2026-11-26T12:00:00Z, go1.26.8, wails v2.9.2)".
func VersionLine(version string, b BuildInfo) string {
	return fmt.Sprintf("cecyber %s (commit %s, built %s, %s, wails %s)",
		version, unknownIfEmpty(b.commit()), unknownIfEmpty(b.BuildDate), runtime.Version(), WailsVersion())
}

func unknownIfEmpty(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// commit returns the stamped commit, else the one the go command recorded
// when it built from a git checkout (with "-dirty" for uncommitted changes).
func (b BuildInfo) commit() string {
	if b.Commit != "" {
		return b.Commit
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	var rev, dirty string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "-dirty"
			}
		}
	}
	if len(rev) > 7 {
		rev = rev[:7]
	}
	if rev == "" {
		return ""
	}
	return rev + dirty
}

// WailsVersion returns the version of Wails linked into this binary.
func WailsVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, m := range info.Deps {
			if m.Path != wailsModule {
				continue
			}
			if m.Replace != nil && m.Replace.Version != "" {
				return m.Replace.Version
			}
			if m.Version != "" && m.Version != "(devel)" {
				return m.Version
			}
		}
	}
	return wailsFallback
}

// OpenLogFolder shows the log folder in the OS file manager, creating it
// (private to the user) if nothing has been logged yet.
func (a *App) OpenLogFolder() error {
	dir := a.opts.Build.LogDir
	if dir == "" {
		return &openFolderError{err: errors.New("this build keeps no log file")}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return &openFolderError{path: dir, err: err}
	}
	if err := desktop.OpenFolder(dir); err != nil {
		a.log.Warn("open log folder", "path", dir, "err", err)
		return &openFolderError{path: dir, err: err}
	}
	return nil
}

// openFolderError says a folder could not be shown and where it is, so the
// user can open it by hand.
type openFolderError struct {
	path string
	err  error
}

func (e *openFolderError) Error() string {
	if e.path == "" {
		return "cannot open the log folder: " + e.err.Error()
	}
	return fmt.Sprintf("cannot open %s in the file manager (%v); open it by hand", e.path, e.err)
}

func (e *openFolderError) Unwrap() error { return e.err }
