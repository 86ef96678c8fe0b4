package alerts

import (
	"sort"
	"sync"
	"time"
)

// Target is one node or guest as one poll saw it.
type Target struct {
	ID     string // "qemu/101", "lxc/105", "node/pve1"
	Name   string
	Node   string
	IsNode bool
	Tags   []string
	Status string // as Proxmox says: running, stopped, paused; online, offline, unknown

	CPU, Mem float64 // percent; Mem < 0 when the maximum is unknown

	// I/O rates in bytes per second, valid when HasRates: a target seen
	// for the first time, or whose counters were reset, has none yet.
	DiskRead, DiskWrite, NetIn, NetOut float64
	HasRates                           bool
}

// Snapshot is one successful poll of one cluster.
type Snapshot struct {
	Cluster string
	At      time.Time
	Targets []Target

	// StoppedByUs reports whether this app asked Proxmox to stop, shut
	// down or hibernate the guest lately, which makes its stop expected.
	// Nil means none was.
	StoppedByUs func(target string) bool
}

// State is where an alert is in its life.
type State string

// States, in order. Inactive is never stored: it is what a pending alert
// becomes when its condition ends before its duration.
const (
	Inactive State = "inactive"
	Pending  State = "pending"
	Firing   State = "firing"
	Resolved State = "resolved"
)

// Alert is one rule's alert on one target.
type Alert struct {
	ID         string
	RuleID     string
	Metric     string
	Cluster    string
	Target     string
	TargetName string
	Node       string
	State      State
	Value      float64 // the latest value, in the rule's unit (1 for an event)
	Trigger    float64

	PendingAt, FiringAt, ResolvedAt time.Time
	AckedAt, SnoozedUntil           time.Time
}

// Snoozed reports whether the alert is snoozed at t.
func (a *Alert) Snoozed(t time.Time) bool { return a.SnoozedUntil.After(t) }

// Change is one transition: the alert as it is now, and the state it left
// ("" for an alert that did not exist).
type Change struct {
	Alert Alert
	From  State
	// Notify is set when the alert just fired under a rule that asks for
	// an OS notification and the user has not snoozed it.
	Notify bool
}

type key struct{ rule, cluster, target string }

// Engine evaluates rules against snapshots. It is safe for concurrent use:
// every cluster's poller calls Evaluate with its own snapshots.
type Engine struct {
	newID func() string

	mu      sync.Mutex
	rules   []Rule
	open    map[key]*openAlert
	status  map[string]map[string]string // cluster → target → status at the last poll
	snoozes map[key]time.Time            // outlive an alert, so a relapse stays quiet
	gen     uint64
}

type openAlert struct {
	Alert
	seen uint64 // the evaluation that last saw the target under the rule
}

// NewEngine returns an engine with rules, resuming alerts that were open
// (pending or firing) when the app last stopped. newID names new alerts.
func NewEngine(rules []Rule, open []Alert, newID func() string) *Engine {
	e := &Engine{
		newID:   newID,
		rules:   append([]Rule(nil), rules...),
		open:    map[key]*openAlert{},
		status:  map[string]map[string]string{},
		snoozes: map[key]time.Time{},
	}
	for _, a := range open {
		k := key{a.RuleID, a.Cluster, a.Target}
		e.open[k] = &openAlert{Alert: a}
		if !a.SnoozedUntil.IsZero() {
			e.snoozes[k] = a.SnoozedUntil
		}
	}
	return e
}

// Rules returns the rules in order.
func (e *Engine) Rules() []Rule {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]Rule(nil), e.rules...)
}

// SetRules replaces the rules. Alerts of a rule that is gone or disabled
// resolve at now; the others are judged by their new rule at the next poll.
func (e *Engine) SetRules(rules []Rule, now time.Time) []Change {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.rules = append([]Rule(nil), rules...)
	live := map[string]bool{}
	for _, r := range rules {
		if r.Enabled {
			live[r.ID] = true
		}
	}
	var out []Change
	for k, a := range e.open {
		if !live[k.rule] {
			out = append(out, e.closeLocked(k, a, now))
		}
	}
	sortChanges(out)
	return out
}

// ForgetCluster resolves every alert of a cluster the user removed.
func (e *Engine) ForgetCluster(cluster string, now time.Time) []Change {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []Change
	for k, a := range e.open {
		if k.cluster == cluster {
			out = append(out, e.closeLocked(k, a, now))
		}
	}
	delete(e.status, cluster)
	sortChanges(out)
	return out
}

// Open returns the alerts that are pending or firing, firing first, newest
// first.
func (e *Engine) Open() []Alert {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Alert, 0, len(e.open))
	for _, a := range e.open {
		out = append(out, a.Alert)
	}
	sort.Slice(out, func(i, j int) bool {
		if (out[i].State == Firing) != (out[j].State == Firing) {
			return out[i].State == Firing
		}
		if !out[i].PendingAt.Equal(out[j].PendingAt) {
			return out[i].PendingAt.After(out[j].PendingAt)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// Ack marks an open alert as seen by the user. It reports false when no
// open alert has that ID (it resolved meanwhile).
func (e *Engine) Ack(id string, now time.Time) (Alert, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, a := range e.open {
		if a.ID == id {
			a.AckedAt = now
			return a.Alert, true
		}
	}
	return Alert{}, false
}

// Snooze silences an open alert until then, and any relapse of the same
// rule on the same target until then too.
func (e *Engine) Snooze(id string, until time.Time) (Alert, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for k, a := range e.open {
		if a.ID == id {
			a.SnoozedUntil = until
			e.snoozes[k] = until
			return a.Alert, true
		}
	}
	return Alert{}, false
}

// Evaluate runs every enabled rule over a snapshot and returns the
// transitions, in a stable order. Targets absent from the snapshot resolve
// their alerts (the guest was removed, or the token no longer sees it).
func (e *Engine) Evaluate(s Snapshot) []Change {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.gen++
	prev := e.status[s.Cluster]
	var out []Change
	for ri := range e.rules {
		r := &e.rules[ri]
		if !r.Enabled {
			continue
		}
		for ti := range s.Targets {
			t := &s.Targets[ti]
			if !r.covers(s.Cluster, t) {
				continue
			}
			k := key{r.ID, s.Cluster, t.ID}
			a := e.open[k]
			if a == nil && !e.mightStart(r, t, prev) {
				continue // the common case, decided without allocating
			}
			if c, ok := e.step(r, k, a, t, prev, &s); ok {
				out = append(out, c)
			}
		}
	}
	for k, a := range e.open {
		if k.cluster == s.Cluster && a.seen != e.gen {
			out = append(out, e.closeLocked(k, a, s.At))
		}
	}
	next := make(map[string]string, len(s.Targets))
	for i := range s.Targets {
		next[s.Targets[i].ID] = s.Targets[i].Status
	}
	e.status[s.Cluster] = next
	sortChanges(out)
	return out
}

// mightStart is a cheap test of whether a target without an alert could
// start one under r at this poll.
func (e *Engine) mightStart(r *Rule, t *Target, prev map[string]string) bool {
	switch r.Metric {
	case NodeOffline:
		return offline(t.Status)
	case UnexpectedStop:
		return t.Status == "stopped" && prev[t.ID] == "running"
	case GuestError:
		return guestError(t.Status)
	}
	v, known := value(r.Metric, t)
	return known && v > r.Trigger
}

// step moves one rule's alert on one target along.
func (e *Engine) step(r *Rule, k key, a *openAlert, t *Target, prev map[string]string, s *Snapshot) (Change, bool) {
	at := s.At
	v, known, on := e.condition(r, a, t, prev, s)
	if a != nil {
		a.seen = e.gen
		a.TargetName, a.Node = t.Name, t.Node
	}
	if !known {
		return Change{}, false // a gap: nothing is decided on missing data
	}
	switch {
	case a == nil:
		if !on {
			return Change{}, false
		}
		a = &openAlert{Alert: Alert{
			ID: e.newID(), RuleID: r.ID, Metric: r.Metric, Cluster: k.cluster,
			Target: t.ID, TargetName: t.Name, Node: t.Node,
			State: Pending, Value: v, Trigger: r.Trigger, PendingAt: at,
		}, seen: e.gen}
		if until, ok := e.snoozes[k]; ok {
			if until.After(at) {
				a.SnoozedUntil = until
			} else {
				delete(e.snoozes, k)
			}
		}
		e.open[k] = a
		if r.For <= 0 {
			return e.fire(r, a, at, ""), true
		}
		return Change{Alert: a.Alert}, true
	case a.State == Pending:
		a.Value = v
		if !on {
			delete(e.open, k)
			a.State = Inactive
			return Change{Alert: a.Alert, From: Pending}, true
		}
		if at.Sub(a.PendingAt) >= r.For {
			return e.fire(r, a, at, Pending), true
		}
		return Change{}, false
	default: // firing
		a.Value = v
		if on {
			return Change{}, false
		}
		return e.closeLocked(k, a, at), true
	}
}

func (e *Engine) fire(r *Rule, a *openAlert, at time.Time, from State) Change {
	a.State, a.FiringAt = Firing, at
	return Change{Alert: a.Alert, From: from, Notify: r.Notify && !a.Snoozed(at)}
}

// closeLocked ends an open alert: a firing one resolves, a pending one goes
// back to inactive.
func (e *Engine) closeLocked(k key, a *openAlert, at time.Time) Change {
	delete(e.open, k)
	from := a.State
	if from == Pending {
		a.State = Inactive
	} else {
		a.State, a.ResolvedAt = Resolved, at
	}
	return Change{Alert: a.Alert, From: from}
}

// condition returns the value rule r watches on t, whether it is known at
// this poll, and whether the alert's condition holds: for a new or pending
// alert, the value is above the trigger; for a firing one, it has not yet
// fallen to the clear threshold.
func (e *Engine) condition(r *Rule, a *openAlert, t *Target, prev map[string]string, s *Snapshot) (v float64, known, on bool) {
	firing := a != nil && a.State == Firing
	switch r.Metric {
	case NodeOffline:
		if offline(t.Status) {
			return 1, true, true
		}
		return 0, true, false
	case GuestError:
		if guestError(t.Status) {
			return 1, true, true
		}
		return 0, true, false
	case UnexpectedStop:
		if t.Status != "stopped" {
			return 0, true, false
		}
		if a != nil {
			return 1, true, true // still down since the stop that started it
		}
		if prev[t.ID] != "running" {
			return 0, true, false
		}
		if s.StoppedByUs != nil && s.StoppedByUs(t.ID) {
			return 0, true, false
		}
		return 1, true, true
	}
	v, known = value(r.Metric, t)
	if !known {
		return 0, false, false
	}
	if firing {
		return v, true, v > r.Clear
	}
	return v, true, v > r.Trigger
}

// value reads a thresholded metric. A guest that is not running (or a
// node that is not online) uses nothing, so its value is 0 and known.
func value(metric string, t *Target) (float64, bool) {
	if t.IsNode && t.Status != "online" || !t.IsNode && t.Status != "running" {
		return 0, true
	}
	switch metric {
	case CPU:
		return t.CPU, true
	case Mem:
		return t.Mem, t.Mem >= 0
	case DiskRead:
		return t.DiskRead, t.HasRates
	case DiskWrite:
		return t.DiskWrite, t.HasRates
	case NetIn:
		return t.NetIn, t.HasRates
	case NetOut:
		return t.NetOut, t.HasRates
	}
	return 0, false
}

func offline(status string) bool { return status == "offline" || status == "unknown" }

// guestError: the VM's QMP status says QEMU stopped it on an error or the
// guest panicked.
func guestError(status string) bool {
	return status == "io-error" || status == "internal-error" || status == "guest-panicked"
}

func sortChanges(cs []Change) {
	sort.SliceStable(cs, func(i, j int) bool {
		a, b := cs[i].Alert, cs[j].Alert
		if a.Cluster != b.Cluster {
			return a.Cluster < b.Cluster
		}
		if a.Target != b.Target {
			return a.Target < b.Target
		}
		return a.RuleID < b.RuleID
	})
}
