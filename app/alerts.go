package app

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"cecyber/metrics/alerts"
)

// EventAlert is emitted with an Alert when one starts firing.
const EventAlert = "alert"

// Notifier shows an OS notification: desktop.Notifier in the app.
type Notifier interface {
	Notify(title, body string) error
}

// keepResolved is how many resolved alerts the history keeps.
const keepResolved = 1000

// expectStopFor is how long a stop this app asked for stays expected: a
// shutdown may take minutes, and a guest whose stop never came must not
// hide a later crash forever.
const expectStopFor = 30 * time.Minute

// alertState is the App's part that raises alerts.
type alertState struct {
	engine *alerts.Engine

	// rulesMu makes every change of the rules one read-modify-write:
	// read the engine's rules, change them, store them, apply them.
	rulesMu sync.Mutex

	mu    sync.Mutex
	stops map[string]time.Time // cluster + "\x00" + guest ID → when this app asked it to stop
}

// startAlerts loads the rules (the defaults on a new installation) and
// resumes the alerts that were firing when the app stopped.
func (a *App) startAlerts() {
	rules := alerts.DefaultRules()
	var open []alerts.Alert
	if db := a.opts.Store; db != nil {
		ctx := a.context()
		if saved, ok, err := db.AlertRules(ctx); err != nil {
			a.log.Error("read alert rules; using the defaults", "err", err)
		} else if ok {
			rules = alerts.WithNewDefaults(saved)
		}
		var err error
		if open, err = db.OpenAlerts(ctx); err != nil {
			a.log.Error("read open alerts", "err", err)
		}
	}
	a.alerts.engine = alerts.NewEngine(rules, open, newAlertID)
	a.alerts.stops = map[string]time.Time{}
}

func newAlertID() string {
	var b [8]byte
	rand.Read(b[:])
	return "al-" + hex.EncodeToString(b[:])
}

// expectStop remembers that this app asked Proxmox to stop a guest, so
// that its stop raises no "unexpected stop" alert.
func (a *App) expectStop(clusterID, guestID string) {
	a.alerts.mu.Lock()
	defer a.alerts.mu.Unlock()
	a.alerts.stops[clusterID+"\x00"+guestID] = a.opts.Now()
}

// stoppedByUs answers the alert engine whether this app asked Proxmox to
// stop a guest lately; an expectation is used up by the stop it explains.
func (a *App) stoppedByUs(clusterID, guestID string, now time.Time) bool {
	a.alerts.mu.Lock()
	defer a.alerts.mu.Unlock()
	k := clusterID + "\x00" + guestID
	at, ok := a.alerts.stops[k]
	delete(a.alerts.stops, k)
	return ok && now.Sub(at) < expectStopFor
}

// applyAlertChanges stores firing and resolved alerts, and announces the
// ones that just fired: an event each, and one OS notification (a summary
// when several fire at once, so a bad minute is not forty pop-ups).
func (a *App) applyAlertChanges(changes []alerts.Change) {
	if len(changes) == 0 {
		return
	}
	var store []alerts.Alert
	var fired []Alert
	notify := 0
	names := a.alertNamer()
	for _, c := range changes {
		if c.Alert.State == alerts.Firing || c.Alert.State == alerts.Resolved {
			store = append(store, c.Alert)
		}
		if c.Alert.State == alerts.Firing && c.From != alerts.Firing {
			dto := names.dto(c.Alert)
			fired = append(fired, dto)
			a.emit.Emit(EventAlert, dto)
			if c.Notify {
				notify++
			}
		}
	}
	if db := a.opts.Store; db != nil && len(store) > 0 && a.context().Err() == nil {
		if err := db.SaveAlerts(a.context(), store, keepResolved); err != nil {
			a.log.Warn("store alerts", "err", err)
		}
	}
	if notify > 0 && a.opts.Notifier != nil {
		title, body := notificationText(a.language(), fired, notify)
		if err := a.opts.Notifier.Notify(title, body); err != nil {
			a.log.Info("OS notification", "err", err)
		}
	}
}

// openAlerts returns every pending or firing alert for the inventory.
func (a *App) openAlerts() []Alert {
	out := []Alert{}
	if a.alerts.engine == nil {
		return out
	}
	open := a.alerts.engine.Open()
	if len(open) == 0 {
		return out
	}
	names := a.alertNamer()
	for _, al := range open {
		out = append(out, names.dto(al))
	}
	return out
}

// Alerts returns the open alerts, the newest resolved ones (at most limit)
// and the rules.
func (a *App) Alerts(limit int) (AlertsView, error) {
	if a.alerts.engine == nil {
		return AlertsView{}, errNotStarted
	}
	limit = min(max(limit, 1), keepResolved)
	view := AlertsView{Active: a.openAlerts(), History: []Alert{}, Rules: []AlertRule{}}
	for _, r := range a.alerts.engine.Rules() {
		view.Rules = append(view.Rules, ruleDTO(r))
	}
	if db := a.opts.Store; db != nil {
		resolved, err := db.ResolvedAlerts(a.context(), limit)
		if err != nil {
			a.log.Error("read resolved alerts", "err", err)
			return AlertsView{}, stored(err)
		}
		names := a.alertNamer()
		for _, al := range resolved {
			view.History = append(view.History, names.dto(al))
		}
	}
	return view, nil
}

// SaveAlertRule creates a rule (ID empty) or replaces the one with its ID.
func (a *App) SaveAlertRule(in AlertRule) (AlertRule, error) {
	if err := firstErr(checkID("id", in.ID), checkID("builtin", in.Builtin), checkID("metric", in.Metric), checkID("scope", in.Scope),
		checkFinite("trigger", in.Trigger), checkFinite("clear", in.Clear), checkInt("forSeconds", in.ForSeconds, 0, 24*3600)); err != nil {
		return AlertRule{}, err
	}
	if a.alerts.engine == nil {
		return AlertRule{}, errNotStarted
	}
	r := ruleFromDTO(in)
	if err := r.Validate(); err != nil {
		if fe, ok := err.(*alerts.FieldError); ok {
			return AlertRule{}, invalid(fe.Field, fe.Reason, ruleProblem(fe))
		}
		return AlertRule{}, err
	}
	a.alerts.rulesMu.Lock()
	defer a.alerts.rulesMu.Unlock()
	rules := a.alerts.engine.Rules()
	if r.ID == "" {
		r.ID = "rule-" + newAlertID()[3:]
		r.Builtin = ""
		rules = append(rules, r)
	} else {
		i := ruleIndex(rules, r.ID)
		if i < 0 {
			return AlertRule{}, invalid("id", "unknown", "That alert rule no longer exists; reopen the rules and try again.")
		}
		r.Builtin = rules[i].Builtin
		rules[i] = r
	}
	if err := a.setRulesLocked(rules); err != nil {
		return AlertRule{}, err
	}
	return ruleDTO(r), nil
}

// DeleteAlertRule removes one of the user's rules; the shipped defaults can
// only be disabled.
func (a *App) DeleteAlertRule(id string) error {
	if err := checkID("id", id); err != nil {
		return err
	}
	if a.alerts.engine == nil {
		return errNotStarted
	}
	a.alerts.rulesMu.Lock()
	defer a.alerts.rulesMu.Unlock()
	rules := a.alerts.engine.Rules()
	i := ruleIndex(rules, id)
	if i < 0 {
		return nil // already gone
	}
	if rules[i].Builtin != "" {
		return invalid("id", "builtin", "Built-in alert rules cannot be deleted; disable the rule instead.")
	}
	return a.setRulesLocked(append(rules[:i], rules[i+1:]...))
}

// setRulesLocked saves the rules first, so what the engine runs is what the
// next start loads, then applies them. a.alerts.rulesMu must be held.
func (a *App) setRulesLocked(rules []alerts.Rule) error {
	if db := a.opts.Store; db != nil {
		if err := db.SetAlertRules(a.context(), rules); err != nil {
			a.log.Error("save alert rules", "err", err)
			return stored(err)
		}
	}
	a.applyAlertChanges(a.alerts.engine.SetRules(rules, a.opts.Now()))
	a.publish()
	return nil
}

func ruleIndex(rules []alerts.Rule, id string) int {
	for i := range rules {
		if rules[i].ID == id {
			return i
		}
	}
	return -1
}

// AckAlert marks an alert as seen: it leaves the banner and the badge, and
// stays on the alerts page until it resolves.
func (a *App) AckAlert(id string) error {
	if err := checkID("id", id); err != nil {
		return err
	}
	if a.alerts.engine == nil {
		return errNotStarted
	}
	al, ok := a.alerts.engine.Ack(id, a.opts.Now())
	return a.saveAlertUpdate(al, ok)
}

// SnoozeAlert silences an alert, and its relapses, for minutes.
func (a *App) SnoozeAlert(id string, minutes int) error {
	if err := checkID("id", id); err != nil {
		return err
	}
	if a.alerts.engine == nil {
		return errNotStarted
	}
	if minutes < 1 || minutes > 7*24*60 {
		return invalid("minutes", "outOfRange", "Snooze for between 1 minute and 7 days.")
	}
	al, ok := a.alerts.engine.Snooze(id, a.opts.Now().Add(time.Duration(minutes)*time.Minute))
	return a.saveAlertUpdate(al, ok)
}

func (a *App) saveAlertUpdate(al alerts.Alert, ok bool) error {
	if !ok {
		return invalid("id", "resolved", "That alert has already resolved.")
	}
	if db := a.opts.Store; db != nil && al.State == alerts.Firing {
		if err := db.SaveAlerts(a.context(), []alerts.Alert{al}, keepResolved); err != nil {
			a.log.Error("save alert", "err", err)
			return stored(err)
		}
	}
	a.publish()
	return nil
}

// alertNamer turns engine alerts into the window's, naming their rule and
// cluster from lookups built once per batch, not once per alert.
type alertNamer struct {
	rules    map[string]alerts.Rule
	clusters map[string]string // cluster ID → the user's name for it
}

func (a *App) alertNamer() alertNamer {
	n := alertNamer{rules: map[string]alerts.Rule{}, clusters: map[string]string{}}
	if a.alerts.engine != nil {
		for _, r := range a.alerts.engine.Rules() {
			n.rules[r.ID] = r
		}
	}
	for _, c := range a.clusterList() {
		n.clusters[c.id] = c.name()
	}
	return n
}

func (n alertNamer) dto(al alerts.Alert) Alert {
	out := Alert{
		ID: al.ID, RuleID: al.RuleID, Metric: al.Metric, Cluster: al.Cluster, ClusterName: al.Cluster,
		Target: al.Target, TargetName: al.TargetName, Node: al.Node, State: string(al.State),
		Value: al.Value, Trigger: al.Trigger,
		PendingAt: msOf(al.PendingAt), FiringAt: msOf(al.FiringAt), ResolvedAt: msOf(al.ResolvedAt),
		AckedAt: msOf(al.AckedAt), SnoozedUntil: msOf(al.SnoozedUntil),
	}
	if name, ok := n.clusters[al.Cluster]; ok {
		out.ClusterName = name
	}
	if r, ok := n.rules[al.RuleID]; ok {
		out.RuleName, out.Builtin = r.Name, r.Builtin
	}
	return out
}

func msOf(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func ruleDTO(r alerts.Rule) AlertRule {
	return AlertRule{ID: r.ID, Name: r.Name, Builtin: r.Builtin, Metric: r.Metric, Scope: r.Scope,
		Cluster: r.Cluster, Node: r.Node, Guest: r.Guest, Tag: r.Tag, Trigger: r.Trigger, Clear: r.Clear,
		ForSeconds: int(r.For / time.Second), Enabled: r.Enabled, Notify: r.Notify}
}

func ruleFromDTO(d AlertRule) alerts.Rule {
	return alerts.Rule{ID: d.ID, Name: d.Name, Metric: d.Metric, Scope: d.Scope,
		Cluster: d.Cluster, Node: d.Node, Guest: d.Guest, Tag: d.Tag, Trigger: d.Trigger, Clear: d.Clear,
		For: time.Duration(d.ForSeconds) * time.Second, Enabled: d.Enabled, Notify: d.Notify}
}

// ruleProblem is the English message for a rule's field error; the window
// shows its own translation from the field and reason.
func ruleProblem(fe *alerts.FieldError) string {
	switch fe.Field + "/" + fe.Reason {
	case "trigger/outOfRange":
		return "The trigger must be above 0 (and at most 100 for CPU and memory)."
	case "clear/aboveTrigger":
		return "The clear threshold must be between 0 and the trigger."
	case "forSeconds/outOfRange":
		return "The duration must be between 0 and 24 hours."
	case "scope/nodeMetric":
		return "A node-offline rule applies to nodes: choose all, a cluster or a node."
	}
	if fe.Reason == "required" {
		return fmt.Sprintf("Choose the %s this rule watches.", fe.Field)
	}
	return fmt.Sprintf("Check the rule's %s.", fe.Field)
}
