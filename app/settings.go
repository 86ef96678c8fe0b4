package app

import (
	"time"
)

// Settings are the user's preferences, kept in the database.
type Settings struct {
	Language             string `json:"language"`             // "" follows the OS; "en" or "pt-BR"
	Theme                string `json:"theme"`                // system, dark, light
	PollSeconds          int    `json:"pollSeconds"`          // 5–60
	MinimisedPollSeconds int    `json:"minimisedPollSeconds"` // 10–300, while the window is hidden
	RawHours             int    `json:"rawHours"`             // every poll kept this long
	M5Days               int    `json:"m5Days"`               // 5-minute averages
	M15Days              int    `json:"m15Days"`              // 15-minute averages
	H1Days               int    `json:"h1Days"`               // hourly averages
	MaxHistoryMB         int    `json:"maxHistoryMB"`         // cap on the history database; 0: none
	ConsoleScaling       string `json:"consoleScaling"`       // fit, native, remote
	PasteLayout          string `json:"pasteLayout"`          // us, abnt2
}

// SettingsView is the settings page: the settings, the defaults, and how
// much room the history takes.
type SettingsView struct {
	Settings     Settings `json:"settings"`
	Defaults     Settings `json:"defaults"`
	HistoryBytes int64    `json:"historyBytes"`
	HistoryPath  string   `json:"historyPath"`
}

// DefaultSettings are a new installation's.
func DefaultSettings() Settings {
	return Settings{
		Theme:                "system",
		PollSeconds:          10, // the rate at which Proxmox refreshes /cluster/resources
		MinimisedPollSeconds: 60,
		RawHours:             24,
		M5Days:               7,
		M15Days:              90,
		H1Days:               730,
		MaxHistoryMB:         2048,
		ConsoleScaling:       "fit",
		PasteLayout:          "us",
	}
}

const settingsKey = "settings"

// check returns an invalid error naming the first bad field.
func (s Settings) check() error {
	type bound struct {
		field     string
		v, lo, hi int
	}
	for _, b := range []bound{
		{"pollSeconds", s.PollSeconds, 5, 60},
		{"minimisedPollSeconds", s.MinimisedPollSeconds, 10, 300},
		{"rawHours", s.RawHours, 1, 168},
		{"m5Days", s.M5Days, 1, 90},
		{"m15Days", s.M15Days, 7, 365},
		{"h1Days", s.H1Days, 30, 3650},
		{"maxHistoryMB", s.MaxHistoryMB, 0, 1 << 20},
	} {
		if b.v < b.lo || b.v > b.hi {
			return invalid(b.field, "outOfRange", "Choose a value between "+itoa(b.lo)+" and "+itoa(b.hi)+".",
				"min", itoa(b.lo), "max", itoa(b.hi))
		}
	}
	if s.MaxHistoryMB != 0 && s.MaxHistoryMB < 16 {
		return invalid("maxHistoryMB", "outOfRange", "Allow the history at least 16 MB, or 0 for no cap.", "min", "16", "max", itoa(1<<20))
	}
	oneOf := func(field, v string, allowed ...string) error {
		for _, a := range allowed {
			if v == a {
				return nil
			}
		}
		return invalid(field, "unknown", "Unknown "+field+".")
	}
	for _, err := range []error{
		oneOf("language", s.Language, "", "en", "pt-BR"),
		oneOf("theme", s.Theme, "system", "dark", "light"),
		oneOf("consoleScaling", s.ConsoleScaling, "fit", "native", "remote"),
		oneOf("pasteLayout", s.PasteLayout, "us", "abnt2"),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

// loadSettings reads the saved settings over the defaults; a field an
// older version did not save keeps its default, and a saved value that
// is no longer valid falls back to the defaults as a whole.
func (a *App) loadSettings() Settings {
	s := DefaultSettings()
	if a.opts.Store == nil {
		return s
	}
	if _, err := a.opts.Store.Setting(a.context(), settingsKey, &s); err != nil {
		a.log.Error("read settings; using the defaults", "err", err)
		return DefaultSettings()
	}
	if err := s.check(); err != nil {
		a.log.Warn("saved settings are invalid; using the defaults", "err", err)
		return DefaultSettings()
	}
	return s
}

// GetSettings returns the settings and the history's size.
func (a *App) GetSettings() (SettingsView, error) {
	return a.settingsView(), nil
}

// SaveSettings checks and saves the settings and applies them at once:
// pollers take the new interval, the history its new limits.
func (a *App) SaveSettings(s Settings) (SettingsView, error) {
	if err := s.check(); err != nil {
		return SettingsView{}, err
	}
	a.settingsMu.Lock()
	if db := a.opts.Store; db != nil {
		if err := db.SetSetting(a.context(), settingsKey, s); err != nil {
			a.settingsMu.Unlock()
			a.log.Error("save settings", "err", err)
			return SettingsView{}, stored(err)
		}
	}
	a.settings = s
	a.applyHistoryLimits(s)
	a.settingsMu.Unlock()
	a.wakePollers()
	return a.settingsView(), nil
}

func (a *App) settingsView() SettingsView {
	v := SettingsView{Settings: a.currentSettings(), Defaults: DefaultSettings()}
	if m := a.opts.Metrics; m != nil {
		v.HistoryPath = m.Path()
		if n, err := m.Size(); err == nil {
			v.HistoryBytes = n
		}
	}
	return v
}

func (a *App) currentSettings() Settings {
	a.settingsMu.Lock()
	defer a.settingsMu.Unlock()
	return a.settings
}

// applyHistoryLimits hands retention and the size cap to the history.
func (a *App) applyHistoryLimits(s Settings) {
	m := a.opts.Metrics
	if m == nil {
		return
	}
	day := 24 * time.Hour
	keep := []time.Duration{time.Duration(s.RawHours) * time.Hour, time.Duration(s.M5Days) * day,
		time.Duration(s.M15Days) * day, time.Duration(s.H1Days) * day}
	if err := m.SetLimits(a.context(), keep, int64(s.MaxHistoryMB)<<20); err != nil {
		a.log.Warn("apply history limits", "err", err)
	}
}

// SetWindowHidden tells the app whether the window is minimised or
// hidden; while it is, clusters are polled at the slower interval.
func (a *App) SetWindowHidden(hidden bool) {
	a.settingsMu.Lock()
	changed := a.hidden != hidden
	a.hidden = hidden
	a.settingsMu.Unlock()
	if changed {
		a.log.Info("window visibility changed", "hidden", hidden, "pollEvery", a.pollInterval())
		a.wakePollers()
	}
}

// pollInterval is how long pollers wait between polls now.
func (a *App) pollInterval() time.Duration {
	a.settingsMu.Lock()
	defer a.settingsMu.Unlock()
	if a.opts.PollInterval > 0 {
		return a.opts.PollInterval // fixed by the caller (tests, benchmarks)
	}
	if a.hidden {
		return time.Duration(a.settings.MinimisedPollSeconds) * time.Second
	}
	return time.Duration(a.settings.PollSeconds) * time.Second
}

// wakePollers makes every poller recompute its wait: a shorter interval,
// or a window shown again after a long time minimised, polls at once.
func (a *App) wakePollers() {
	for _, c := range a.clusterList() {
		c.poller.Wake()
	}
}

// language is the language OS notifications are worded in.
func (a *App) language() string {
	if l := a.currentSettings().Language; l != "" {
		return l
	}
	return osLocale(a.opts.Getenv)
}
