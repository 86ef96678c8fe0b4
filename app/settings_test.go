package app

import (
	"path/filepath"
	"testing"
	"time"

	"cecyber/app/store"
	"cecyber/metrics"
)

// TestSettings: settings are checked, saved, applied at once (history
// limits, poll interval, the slower interval while hidden) and loaded again
// at the next start.
func TestSettings(t *testing.T) {
	db := store.MustOpenDB(t)
	m, err := metrics.Open(filepath.Join(t.TempDir(), "metrics.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	a, _ := newTestApp(t, Options{Store: db, Metrics: m})
	a.opts.PollInterval = 0 // follow the settings

	view, err := a.GetSettings()
	if err != nil || view.Settings != DefaultSettings() || view.HistoryPath != m.Path() || view.HistoryBytes <= 0 {
		t.Fatalf("GetSettings() = %+v, %v; want the defaults and the history's size", view, err)
	}
	if a.pollInterval() != 10*time.Second {
		t.Errorf("default interval %v", a.pollInterval())
	}
	bad := DefaultSettings()
	bad.PollSeconds = 2
	if _, err := a.SaveSettings(bad); errorInfo(err).Params["field"] != "pollSeconds" {
		t.Errorf("2 s poll: %v; want an error on pollSeconds", err)
	}
	bad = DefaultSettings()
	bad.Theme = "neon"
	if _, err := a.SaveSettings(bad); errorInfo(err).Params["field"] != "theme" {
		t.Errorf("bad theme: %v", err)
	}

	s := DefaultSettings()
	s.Language, s.Theme, s.PollSeconds, s.MinimisedPollSeconds = "pt-BR", "dark", 5, 120
	s.RawHours, s.H1Days, s.MaxHistoryMB, s.PasteLayout = 6, 365, 512, "abnt2"
	if _, err := a.SaveSettings(s); err != nil {
		t.Fatal(err)
	}
	if a.pollInterval() != 5*time.Second {
		t.Errorf("interval after saving 5 s: %v", a.pollInterval())
	}
	a.SetWindowHidden(true)
	if a.pollInterval() != 2*time.Minute {
		t.Errorf("interval while hidden: %v; want 2m", a.pollInterval())
	}
	a.SetWindowHidden(false)
	if m.Tiers[0].Keep != 6*time.Hour || m.Tiers[3].Keep != 365*24*time.Hour || m.MaxBytes != 512<<20 {
		t.Errorf("history limits %v %v %d", m.Tiers[0].Keep, m.Tiers[3].Keep, m.MaxBytes)
	}
	if a.language() != "pt-BR" {
		t.Errorf("language %q", a.language())
	}

	a.shutdown()
	a2, _ := newTestApp(t, Options{Store: db})
	if got := a2.currentSettings(); got != s {
		t.Errorf("after restart %+v; want %+v", got, s)
	}
}
