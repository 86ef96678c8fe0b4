package alerts

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// sim steps an engine through polls 10 s apart, like a poller would.
type sim struct {
	t       *testing.T
	e       *Engine
	at      time.Time
	ids     int
	stopped map[string]bool // guests this app stopped
}

func newSim(t *testing.T, rules ...Rule) *sim {
	s := &sim{t: t, at: t0, stopped: map[string]bool{}}
	s.e = NewEngine(rules, nil, func() string { s.ids++; return fmt.Sprintf("a%d", s.ids) })
	return s
}

func (s *sim) poll(targets ...Target) []Change {
	s.t.Helper()
	cs := s.e.Evaluate(Snapshot{Cluster: "c1", At: s.at, Targets: targets, StoppedByUs: func(id string) bool { return s.stopped[id] }})
	s.at = s.at.Add(10 * time.Second)
	return cs
}

func guest(id string, status string, cpu float64) Target {
	return Target{ID: id, Name: "vm-" + id, Node: "pve1", Status: status, CPU: cpu, Mem: 50, HasRates: true}
}

func cpuRule() Rule {
	return Rule{ID: "r-cpu", Metric: CPU, Scope: ScopeAll, Trigger: 90, Clear: 80, For: time.Minute, Enabled: true, Notify: true}
}

func states(cs []Change) string {
	out := ""
	for _, c := range cs {
		out += fmt.Sprintf("[%s %s %s→%s]", c.Alert.RuleID, c.Alert.Target, c.From, c.Alert.State)
	}
	return out
}

func TestThresholdLifecycle(t *testing.T) {
	s := newSim(t, cpuRule())
	if cs := s.poll(guest("qemu/101", "running", 50)); len(cs) != 0 {
		t.Fatalf("below trigger: %s", states(cs))
	}
	cs := s.poll(guest("qemu/101", "running", 95))
	if states(cs) != "[r-cpu qemu/101 →pending]" {
		t.Fatalf("above trigger: %s", states(cs))
	}
	pendingAt := cs[0].Alert.PendingAt
	// Still above for less than the duration: nothing new.
	for i := 0; i < 5; i++ {
		if cs := s.poll(guest("qemu/101", "running", 96)); len(cs) != 0 {
			t.Fatalf("poll %d while pending: %s", i, states(cs))
		}
	}
	cs = s.poll(guest("qemu/101", "running", 97)) // 60 s after pending
	if states(cs) != "[r-cpu qemu/101 pending→firing]" || !cs[0].Notify {
		t.Fatalf("after the duration: %s notify=%v", states(cs), cs[0].Notify)
	}
	if got := cs[0].Alert.FiringAt.Sub(pendingAt); got != time.Minute {
		t.Errorf("fired %v after pending; want 1m", got)
	}
	// Between clear and trigger: hysteresis keeps it firing.
	if cs := s.poll(guest("qemu/101", "running", 85)); len(cs) != 0 {
		t.Fatalf("between clear and trigger: %s", states(cs))
	}
	if open := s.e.Open(); len(open) != 1 || open[0].Value != 85 {
		t.Fatalf("open alerts = %+v; want one at 85", open)
	}
	cs = s.poll(guest("qemu/101", "running", 80))
	if states(cs) != "[r-cpu qemu/101 firing→resolved]" || cs[0].Alert.ResolvedAt.IsZero() {
		t.Fatalf("at clear: %s", states(cs))
	}
	if len(s.e.Open()) != 0 {
		t.Fatalf("still open after resolving: %+v", s.e.Open())
	}
}

func TestPendingFallsBackWithoutTrace(t *testing.T) {
	s := newSim(t, cpuRule())
	s.poll(guest("qemu/101", "running", 95))
	s.poll(guest("qemu/101", "running", 95))
	cs := s.poll(guest("qemu/101", "running", 85)) // under the trigger, above clear
	if states(cs) != "[r-cpu qemu/101 pending→inactive]" {
		t.Fatalf("pending that dips: %s", states(cs))
	}
	// The duration starts over.
	s.poll(guest("qemu/101", "running", 95))
	for i := 0; i < 5; i++ {
		if cs := s.poll(guest("qemu/101", "running", 95)); len(cs) != 0 {
			t.Fatalf("restarted duration fired early at poll %d: %s", i, states(cs))
		}
	}
}

func TestZeroDurationFiresAtOnce(t *testing.T) {
	r := cpuRule()
	r.For = 0
	s := newSim(t, r)
	cs := s.poll(guest("qemu/101", "running", 95))
	if states(cs) != "[r-cpu qemu/101 →firing]" {
		t.Fatalf("got %s", states(cs))
	}
}

func TestGapDecidesNothing(t *testing.T) {
	r := Rule{ID: "r-net", Metric: NetIn, Scope: ScopeAll, Trigger: 1e6, Clear: 5e5, Enabled: true}
	s := newSim(t, r)
	g := guest("qemu/101", "running", 0)
	g.NetIn = 2e6
	if cs := s.poll(g); states(cs) != "[r-net qemu/101 →firing]" {
		t.Fatalf("got %s", states(cs))
	}
	g.HasRates, g.NetIn = false, 0 // counters reset: no rate this poll
	if cs := s.poll(g); len(cs) != 0 {
		t.Fatalf("a poll without a rate changed state: %s", states(cs))
	}
	g.HasRates, g.NetIn = true, 1e5
	if cs := s.poll(g); states(cs) != "[r-net qemu/101 firing→resolved]" {
		t.Fatalf("got %s", states(cs))
	}
}

func TestStoppedGuestResolvesUsageAlerts(t *testing.T) {
	r := cpuRule()
	r.For = 0
	s := newSim(t, r)
	s.poll(guest("qemu/101", "running", 95))
	if cs := s.poll(guest("qemu/101", "stopped", 0)); states(cs) != "[r-cpu qemu/101 firing→resolved]" {
		t.Fatalf("got %s", states(cs))
	}
}

func TestVanishedTargetResolves(t *testing.T) {
	r := cpuRule()
	r.For = 0
	s := newSim(t, r)
	s.poll(guest("qemu/101", "running", 95), guest("qemu/102", "running", 10))
	if cs := s.poll(guest("qemu/102", "running", 10)); states(cs) != "[r-cpu qemu/101 firing→resolved]" {
		t.Fatalf("got %s", states(cs))
	}
	// Another cluster's poll never touches c1's alerts.
	s.poll(guest("qemu/101", "running", 95))
	s.e.Evaluate(Snapshot{Cluster: "c2", At: s.at})
	if len(s.e.Open()) != 1 {
		t.Fatalf("c2's poll closed c1's alert: %+v", s.e.Open())
	}
}

func TestUnexpectedStop(t *testing.T) {
	r := Rule{ID: "r-stop", Metric: UnexpectedStop, Scope: ScopeAll, Enabled: true, Notify: true}
	s := newSim(t, r)
	// A guest that is stopped when the app first sees it is not news.
	if cs := s.poll(guest("qemu/101", "running", 5), guest("qemu/102", "stopped", 0)); len(cs) != 0 {
		t.Fatalf("first poll: %s", states(cs))
	}
	s.stopped["qemu/103"] = true
	s.poll(guest("qemu/101", "running", 5), guest("qemu/102", "stopped", 0), guest("qemu/103", "running", 5))
	cs := s.poll(guest("qemu/101", "stopped", 0), guest("qemu/102", "stopped", 0), guest("qemu/103", "stopped", 0))
	if states(cs) != "[r-stop qemu/101 →firing]" || !cs[0].Notify {
		t.Fatalf("stops: %s (103 was stopped by this app)", states(cs))
	}
	// Stays firing while stopped, resolves when it runs again.
	if cs := s.poll(guest("qemu/101", "stopped", 0)); len(cs) != 0 {
		t.Fatalf("still stopped: %s", states(cs))
	}
	if cs := s.poll(guest("qemu/101", "running", 1)); states(cs) != "[r-stop qemu/101 firing→resolved]" {
		t.Fatalf("running again: %s", states(cs))
	}
}

func TestNodeOffline(t *testing.T) {
	r := Rule{ID: "r-node", Metric: NodeOffline, Scope: ScopeAll, For: 20 * time.Second, Enabled: true}
	s := newSim(t, r)
	node := func(status string) Target {
		return Target{ID: "node/pve2", Name: "pve2", Node: "pve2", IsNode: true, Status: status}
	}
	s.poll(node("online"), guest("qemu/101", "stopped", 0))
	if cs := s.poll(node("offline")); states(cs) != "[r-node node/pve2 →pending]" {
		t.Fatalf("got %s", states(cs))
	}
	s.poll(node("offline"))
	if cs := s.poll(node("unknown")); states(cs) != "[r-node node/pve2 pending→firing]" {
		t.Fatalf("got %s", states(cs))
	}
	if cs := s.poll(node("online")); states(cs) != "[r-node node/pve2 firing→resolved]" {
		t.Fatalf("got %s", states(cs))
	}
}

func TestScopes(t *testing.T) {
	base := Rule{Metric: CPU, Trigger: 90, Clear: 80, Enabled: true}
	hot := []Target{
		{ID: "node/pve1", Name: "pve1", Node: "pve1", IsNode: true, Status: "online", CPU: 99},
		{ID: "qemu/101", Node: "pve1", Status: "running", CPU: 99, Tags: []string{"Prod"}},
		{ID: "qemu/102", Node: "pve2", Status: "running", CPU: 99, Tags: []string{"dev"}},
	}
	cases := []struct {
		rule Rule
		want string
	}{
		{Rule{ID: "all", Scope: ScopeAll}, "node/pve1 qemu/101 qemu/102 "},
		{Rule{ID: "cl", Scope: ScopeCluster, Cluster: "c1"}, "node/pve1 qemu/101 qemu/102 "},
		{Rule{ID: "other", Scope: ScopeCluster, Cluster: "c2"}, ""},
		{Rule{ID: "node", Scope: ScopeNode, Cluster: "c1", Node: "pve1"}, "node/pve1 qemu/101 "},
		{Rule{ID: "guest", Scope: ScopeGuest, Cluster: "c1", Guest: "qemu/102"}, "qemu/102 "},
		{Rule{ID: "tag", Scope: ScopeTag, Tag: "prod"}, "qemu/101 "},
	}
	for _, c := range cases {
		r := base
		r.ID, r.Scope, r.Cluster, r.Node, r.Guest, r.Tag = c.rule.ID, c.rule.Scope, c.rule.Cluster, c.rule.Node, c.rule.Guest, c.rule.Tag
		if err := r.Validate(); err != nil && c.rule.ID != "other" {
			t.Fatalf("%s: %v", r.ID, err)
		}
		s := newSim(t, r)
		got := ""
		for _, ch := range s.poll(hot...) {
			got += ch.Alert.Target + " "
		}
		if got != c.want {
			t.Errorf("scope %s: alerts on %q; want %q", c.rule.ID, got, c.want)
		}
	}
}

func TestAckSnoozeAndRelapse(t *testing.T) {
	r := cpuRule()
	r.For = 0
	s := newSim(t, r)
	cs := s.poll(guest("qemu/101", "running", 95))
	id := cs[0].Alert.ID
	if a, ok := s.e.Ack(id, s.at); !ok || a.AckedAt.IsZero() {
		t.Fatalf("ack: %+v %v", a, ok)
	}
	until := s.at.Add(time.Hour)
	if _, ok := s.e.Snooze(id, until); !ok {
		t.Fatal("snooze failed")
	}
	s.poll(guest("qemu/101", "running", 10)) // resolves
	cs = s.poll(guest("qemu/101", "running", 95))
	if len(cs) != 1 || cs[0].Notify || !cs[0].Alert.SnoozedUntil.Equal(until) || !cs[0].Alert.AckedAt.IsZero() {
		t.Fatalf("relapse while snoozed: %+v", cs)
	}
	if _, ok := s.e.Ack("nope", s.at); ok {
		t.Error("ack of an unknown alert succeeded")
	}
	// After the snooze, a relapse notifies again.
	s.poll(guest("qemu/101", "running", 10))
	s.at = until.Add(time.Second)
	if cs := s.poll(guest("qemu/101", "running", 95)); len(cs) != 1 || !cs[0].Notify {
		t.Fatalf("relapse after the snooze: %+v", cs)
	}
}

func TestSetRulesAndForgetCluster(t *testing.T) {
	r := cpuRule()
	r.For = 0
	s := newSim(t, r, Rule{ID: "r-stop", Metric: UnexpectedStop, Scope: ScopeAll, Enabled: true})
	s.poll(guest("qemu/101", "running", 95))
	off := r
	off.Enabled = false
	if cs := s.e.SetRules([]Rule{off}, s.at); states(cs) != "[r-cpu qemu/101 firing→resolved]" {
		t.Fatalf("disabling: %s", states(cs))
	}
	s.e.SetRules([]Rule{r}, s.at)
	s.poll(guest("qemu/101", "running", 95))
	if cs := s.e.ForgetCluster("c1", s.at); len(cs) != 1 || cs[0].Alert.State != Resolved {
		t.Fatalf("forget: %s", states(cs))
	}
}

func TestResumeOpenAlerts(t *testing.T) {
	r := Rule{ID: "r-stop", Metric: UnexpectedStop, Scope: ScopeAll, Enabled: true}
	open := []Alert{{ID: "old", RuleID: "r-stop", Metric: UnexpectedStop, Cluster: "c1", Target: "qemu/101", State: Firing, PendingAt: t0, FiringAt: t0}}
	e := NewEngine([]Rule{r}, open, func() string { return "new" })
	// The app restarted: the guest is still down, the alert stays.
	if cs := e.Evaluate(Snapshot{Cluster: "c1", At: t0.Add(time.Hour), Targets: []Target{guest("qemu/101", "stopped", 0)}}); len(cs) != 0 {
		t.Fatalf("resumed alert changed: %s", states(cs))
	}
	if got := e.Open(); len(got) != 1 || got[0].ID != "old" {
		t.Fatalf("open = %+v", got)
	}
}

func TestValidate(t *testing.T) {
	ok := cpuRule()
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid rule: %v", err)
	}
	for _, d := range DefaultRules() {
		if err := d.Validate(); err != nil {
			t.Errorf("default %s: %v", d.ID, err)
		}
	}
	bad := map[string]func(r *Rule){
		"metric":     func(r *Rule) { r.Metric = "load" },
		"trigger":    func(r *Rule) { r.Trigger = 101 },
		"clear":      func(r *Rule) { r.Clear = 95 },
		"forSeconds": func(r *Rule) { r.For = -time.Second },
		"scope":      func(r *Rule) { r.Scope = "rack" },
		"cluster":    func(r *Rule) { r.Scope = ScopeCluster },
		"node":       func(r *Rule) { r.Scope, r.Cluster = ScopeNode, "c1" },
		"guest":      func(r *Rule) { r.Scope, r.Cluster, r.Guest = ScopeGuest, "c1", "101" },
		"tag":        func(r *Rule) { r.Scope = ScopeTag },
	}
	for field, spoil := range bad {
		r := cpuRule()
		spoil(&r)
		err := r.Validate()
		fe, isField := err.(*FieldError)
		if !isField || fe.Field != field {
			t.Errorf("spoiled %s: got %v", field, err)
		}
	}
}

// BenchmarkEvaluate10k measures one poll of 10,000 guests under the default
// rules with nothing alerting, the steady state.
func BenchmarkEvaluate10k(b *testing.B) {
	targets := make([]Target, 10000)
	for i := range targets {
		targets[i] = Target{ID: fmt.Sprintf("qemu/%d", 100+i), Node: "pve1", Status: "running", CPU: 20, Mem: 40, HasRates: true}
	}
	e := NewEngine(DefaultRules(), nil, func() string { return "x" })
	at := t0
	b.ReportAllocs()
	for b.Loop() {
		e.Evaluate(Snapshot{Cluster: "c1", At: at, Targets: targets})
		at = at.Add(10 * time.Second)
	}
}

// TestGuestError: a VM that QEMU stopped on an error, or whose guest
// panicked, fires at once and resolves when it runs again; nodes and
// healthy guests never match.
func TestGuestError(t *testing.T) {
	node := func(status string) Target {
		return Target{ID: "node/pve1", Name: "pve1", Node: "pve1", IsNode: true, Status: status}
	}
	r := Rule{ID: "r-err", Metric: GuestError, Scope: ScopeAll, Enabled: true, Notify: true}
	s := newSim(t, r)
	if cs := s.poll(node("online"), guest("qemu/101", "running", 5), guest("qemu/102", "paused", 0)); len(cs) != 0 {
		t.Fatalf("healthy guests: %v", states(cs))
	}
	cs := s.poll(node("online"), guest("qemu/101", "guest-panicked", 0), guest("qemu/102", "io-error", 0))
	if states(cs) != "[r-err qemu/101 →firing][r-err qemu/102 →firing]" || !cs[0].Notify {
		t.Fatalf("errors: %v; want both firing at once, notified", states(cs))
	}
	if cs := s.poll(node("online"), guest("qemu/101", "running", 5), guest("qemu/102", "io-error", 0)); states(cs) != "[r-err qemu/101 firing→resolved]" {
		t.Errorf("back to running: %v", states(cs))
	}
}

func TestWithNewDefaults(t *testing.T) {
	saved := []Rule{DefaultRules()[0], {ID: "mine", Name: "mine", Metric: CPU, Scope: ScopeAll, Trigger: 50, Clear: 40}}
	got := WithNewDefaults(saved)
	if len(got) != 2+len(DefaultRules())-1 || got[1].ID != "mine" {
		t.Fatalf("WithNewDefaults = %d rules; want the saved two, then the missing defaults", len(got))
	}
	var has bool
	for _, r := range got {
		has = has || r.Builtin == GuestError
	}
	if !has {
		t.Error("the guest-error default was not added to saved rules")
	}
}

// TestRuleTextFields: a rule's names hold what a person types, no control
// or text-direction characters, and each field has a length limit.
func TestRuleTextFields(t *testing.T) {
	base := Rule{ID: "r", Name: "db disks", Metric: CPU, Scope: ScopeAll, Trigger: 90, Clear: 80}
	if err := base.Validate(); err != nil {
		t.Fatalf("a plain rule: %v", err)
	}
	for _, tc := range []struct {
		edit   func(*Rule)
		field  string
		reason string
	}{
		{func(r *Rule) { r.Name = "db\x00disks" }, "name", "badChars"},
		{func(r *Rule) { r.Name = "db\u202Eskid" }, "name", "badChars"},
		{func(r *Rule) { r.Name = "line\nbreak" }, "name", "badChars"},
		{func(r *Rule) { r.Name = strings.Repeat("a", 121) }, "name", "tooLong"},
		{func(r *Rule) { r.Scope, r.Tag = ScopeTag, strings.Repeat("t", 129) }, "tag", "tooLong"},
		{func(r *Rule) { r.Scope, r.Tag = ScopeTag, "prod\u2066" }, "tag", "badChars"},
	} {
		r := base
		tc.edit(&r)
		var fe *FieldError
		if err := r.Validate(); !errors.As(err, &fe) || fe.Field != tc.field || fe.Reason != tc.reason {
			t.Errorf("Validate(%+q) = %v; want %s %s", r.Name+"|"+r.Tag, err, tc.field, tc.reason)
		}
	}
	if !PlainText("Produção – São Paulo") {
		t.Error("PlainText refuses accented text")
	}
}
