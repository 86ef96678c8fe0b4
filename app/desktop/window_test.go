package desktop

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestWindowStateRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "Cecyber", WindowFile)
	got, err := LoadWindowState(path)
	if err != nil || got != DefaultWindow {
		t.Fatalf("LoadWindowState(missing) = %+v, %v; want the default window", got, err)
	}
	want := WindowState{Width: 1000, Height: 700, X: 40, Y: 30, HasPosition: true}
	if err := SaveWindowState(path, want); err != nil {
		t.Fatalf("SaveWindowState() error = %v", err)
	}
	got, err = LoadWindowState(path)
	if err != nil {
		t.Fatalf("LoadWindowState() error = %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	if runtime.GOOS != "windows" {
		st, _ := os.Stat(path)
		if st.Mode().Perm() != 0o600 {
			t.Errorf("window.json mode = %v; want 0600", st.Mode().Perm())
		}
	}
	// Overwriting leaves no temporary files behind.
	if err := SaveWindowState(path, DefaultWindow); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("config folder holds %d files after two saves; want only window.json", len(entries))
	}
}

func TestLoadWindowStateDamaged(t *testing.T) {
	path := filepath.Join(t.TempDir(), WindowFile)
	if err := os.WriteFile(path, []byte(`{"width": 12`), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := LoadWindowState(path)
	if err == nil || got != DefaultWindow {
		t.Errorf("LoadWindowState(damaged) = %+v, %v; want the default window and an error", got, err)
	}
}

func TestLoadWindowStateClamps(t *testing.T) {
	path := filepath.Join(t.TempDir(), WindowFile)
	if err := os.WriteFile(path, []byte(`{"width": 10, "height": 999999, "x": 5, "y": 6, "hasPosition": true}`), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := LoadWindowState(path)
	want := WindowState{Width: MinWindowWidth, Height: maxWindowSide, X: 5, Y: 6, HasPosition: true}
	if err != nil || got != want {
		t.Errorf("LoadWindowState() = %+v, %v; want %+v", got, err, want)
	}
}

func TestWindowClampSize(t *testing.T) {
	laptop := []Screen{{1366, 768}}
	tests := []struct {
		name    string
		in      WindowState
		screens []Screen
		wantW   int
		wantH   int
	}{
		{"OK", WindowState{Width: 1000, Height: 700}, laptop, 1000, 700},
		{"TooSmall", WindowState{Width: 200, Height: 100}, laptop, MinWindowWidth, MinWindowHeight},
		{"LargerThanScreen", WindowState{Width: 2560, Height: 1440}, laptop, 1366, 768},
		{"LargestOfTwoScreens", WindowState{Width: 2560, Height: 1440}, []Screen{{1366, 768}, {2560, 1440}}, 2560, 1440},
		{"ScreenSmallerThanMinimum", WindowState{Width: 1000, Height: 700}, []Screen{{800, 480}}, MinWindowWidth, MinWindowHeight},
		{"UnknownScreen", WindowState{Width: 1 << 30, Height: -5}, nil, maxWindowSide, MinWindowHeight},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.in.clampSize(tt.screens)
			if got.Width != tt.wantW || got.Height != tt.wantH {
				t.Errorf("%+v.clampSize(%v) = %dx%d; want %dx%d", tt.in, tt.screens, got.Width, got.Height, tt.wantW, tt.wantH)
			}
		})
	}
}

func TestWindowPosition(t *testing.T) {
	at := func(x, y int) WindowState {
		return WindowState{Width: 1000, Height: 700, X: x, Y: y, HasPosition: true}
	}
	one := []Screen{{1920, 1080}}
	two := []Screen{{1920, 1080}, {1280, 1024}}
	tests := []struct {
		name    string
		in      WindowState
		screens []Screen
		wantOK  bool
	}{
		{"OK", at(100, 50), one, true},
		{"NoneSaved", WindowState{Width: 1000, Height: 700}, one, false},
		{"Origin", at(0, 0), one, true},
		{"PartlyLeftOfScreen", at(-800, 10), one, true},
		{"EntirelyLeftOfScreen", at(-1000, 10), one, false},
		{"AboveScreen", at(10, -5), one, false},
		{"PastRightEdge", at(1900, 10), one, false},
		{"BelowScreen", at(10, 1050), one, false},
		{"OnSecondScreen", at(2200, 100), two, true},
		{"SecondScreenUnplugged", at(2200, 100), one, false},
		{"UnknownScreenSane", at(3000, 200), nil, true},
		{"UnknownScreenHuge", at(1<<20, 200), nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, y, ok := tt.in.Position(tt.screens)
			if ok != tt.wantOK || (ok && (x != tt.in.X || y != tt.in.Y)) {
				t.Errorf("%+v.Position(%v) = %d, %d, %v; want ok=%v", tt.in, tt.screens, x, y, ok, tt.wantOK)
			}
		})
	}
}

func TestWindowClosing(t *testing.T) {
	before := WindowState{Width: 1000, Height: 700, X: 40, Y: 30, HasPosition: true}
	tests := []struct {
		name                 string
		w, h, x, y           int
		maximised, minimised bool
		want                 WindowState
	}{
		{"Normal", 1100, 750, 60, 70, false, false, WindowState{Width: 1100, Height: 750, X: 60, Y: 70, HasPosition: true}},
		{"MaximisedKeepsNormalSize", 1920, 1080, 0, 0, true, false, WindowState{Width: 1000, Height: 700, X: 40, Y: 30, HasPosition: true, Maximised: true}},
		{"MinimisedKeepsAll", 0, 0, -32000, -32000, false, true, before},
		{"TinyIsClamped", 10, 10, 5, 5, false, false, WindowState{Width: MinWindowWidth, Height: MinWindowHeight, X: 5, Y: 5, HasPosition: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := before.Closing(tt.w, tt.h, tt.x, tt.y, tt.maximised, tt.minimised)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("closing(%d, %d, %d, %d, %v, %v) (-want +got):\n%s", tt.w, tt.h, tt.x, tt.y, tt.maximised, tt.minimised, diff)
			}
		})
	}
	// Un-maximised after a maximised run: Maximised is cleared.
	got := WindowState{Width: 1000, Height: 700, Maximised: true}.Closing(1000, 700, 1, 2, false, false)
	if got.Maximised {
		t.Errorf("closing a normal window kept Maximised")
	}
}
