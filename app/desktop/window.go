package desktop

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// WindowFile is the name of the file, next to the database, that remembers
// the window's size and place between runs.
const WindowFile = "window.json"

// Bounds of the remembered window. The minimum is the smallest size the
// layout works at; it is also the window's MinWidth/MinHeight.
const (
	MinWindowWidth      = 900
	MinWindowHeight     = 560
	defaultWindowWidth  = 1280
	defaultWindowHeight = 800
	// maxWindowSide caps a size read from the file when the screen's size
	// is not known: larger than any real screen, small enough to be sane.
	maxWindowSide = 16384
	// grip is how much of the window must stay on a screen for the user
	// to grab its title bar and pull it back.
	grip = 100
)

// WindowState is window.json: the window's size and place when it last
// closed. X and Y are Wails' window position, relative to the screen.
type WindowState struct {
	Width       int  `json:"width"`
	Height      int  `json:"height"`
	X           int  `json:"x"`
	Y           int  `json:"y"`
	HasPosition bool `json:"hasPosition"` // false: let the OS place the window
	Maximised   bool `json:"maximised"`
}

// DefaultWindow is the window of a first run.
var DefaultWindow = WindowState{Width: defaultWindowWidth, Height: defaultWindowHeight}

// Screen is one monitor's size in the units Wails positions windows in.
type Screen struct{ Width, Height int }

// LoadWindowState reads path. A missing or unreadable file gives the
// default window: a forgotten size is never worth an error.
func LoadWindowState(path string) (WindowState, error) {
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return DefaultWindow, nil
	}
	if err != nil {
		return DefaultWindow, fmt.Errorf("read window size: %w", err)
	}
	var s WindowState
	if err := json.Unmarshal(data, &s); err != nil {
		return DefaultWindow, fmt.Errorf("read window size from %s: %w; it will be rewritten when the window closes", path, err)
	}
	return s.clampSize(nil), nil
}

// SaveWindowState writes s to path atomically (a temporary file renamed
// over the old one) so a crash never leaves half a file, private to the user.
func SaveWindowState(path string, s WindowState) error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("save window size: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), WindowFile+".*.tmp")
	if err != nil {
		return fmt.Errorf("save window size: %w", err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("save window size: %w", err)
	}
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("save window size: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save window size: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("save window size: %w", err)
	}
	return nil
}

// clampSize keeps the size between the minimum and the largest screen (or
// maxWindowSide when screens is empty).
func (s WindowState) clampSize(screens []Screen) WindowState {
	maxW, maxH := maxWindowSide, maxWindowSide
	if len(screens) > 0 {
		maxW, maxH = 0, 0
		for _, sc := range screens {
			maxW, maxH = max(maxW, sc.Width), max(maxH, sc.Height)
		}
		maxW, maxH = max(maxW, MinWindowWidth), max(maxH, MinWindowHeight)
	}
	s.Width = min(max(s.Width, MinWindowWidth), maxW)
	s.Height = min(max(s.Height, MinWindowHeight), maxH)
	return s
}

// Position returns where to put the window, or false to let the OS place
// it: when none was saved, or when the saved one would leave too little of
// the window on any screen (a monitor was unplugged, the resolution fell).
//
// Wails v2 reports each screen's size but not how the screens are arranged,
// so the check assumes they sit side by side or stacked from the origin: the
// area spans the sum of their widths and of their heights. That keeps every
// real arrangement reachable and still refuses negative or huge values.
func (s WindowState) Position(screens []Screen) (x, y int, ok bool) {
	if !s.HasPosition {
		return 0, 0, false
	}
	areaW, areaH := maxWindowSide, maxWindowSide
	if len(screens) > 0 {
		areaW, areaH = 0, 0
		for _, sc := range screens {
			areaW += sc.Width
			areaH += sc.Height
		}
	}
	// Some of the width and the title bar must stay on screen.
	if s.X+s.Width < grip || s.X > areaW-grip || s.Y < 0 || s.Y > areaH-grip {
		return 0, 0, false
	}
	return s.X, s.Y, true
}

// Closing returns the state to save when the window closes with the given
// geometry. A maximised or minimised window keeps the normal size and place
// it had before, so un-maximising next time goes back there.
func (s WindowState) Closing(width, height, x, y int, maximised, minimised bool) WindowState {
	switch {
	case minimised:
		return s
	case maximised:
		s.Maximised = true
		return s
	}
	return WindowState{Width: width, Height: height, X: x, Y: y, HasPosition: true}.clampSize(nil)
}
