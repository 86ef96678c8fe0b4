// Package alerts decides when a node or guest crosses a line. Rules say what
// to watch (CPU, memory, I/O rates, a node going offline, a guest stopping
// that nobody here stopped), where (everything, a cluster, a node, a guest, a
// tag), and how (trigger and clear thresholds, and how long the condition
// must hold). After every poll an Engine turns the cluster's snapshot into
// alert transitions:
//
//	inactive → pending → firing → resolved
//
// A pending alert whose condition stops holding before its duration goes
// back to inactive and leaves no trace; a firing one resolves only when the
// value falls below the clear threshold (hysteresis), so a value hovering at
// the line does not flap. Time comes from the snapshot, never from the wall
// clock, so tests step it.
//
// The package holds no database and sends no notification: the caller
// stores the transitions it returns and tells the user.
package alerts

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Metrics a rule can watch.
const (
	CPU            = "cpu"       // percent of the allotted CPUs
	Mem            = "mem"       // percent of memory used
	DiskRead       = "diskread"  // bytes per second
	DiskWrite      = "diskwrite" // bytes per second
	NetIn          = "netin"     // bytes per second
	NetOut         = "netout"    // bytes per second
	NodeOffline    = "node-offline"
	UnexpectedStop = "unexpected-stop"
	// GuestError: QEMU stopped the VM on an error (io-error,
	// internal-error) or the guest kernel panicked (guest-panicked), as
	// /cluster/resources reports a VM's QMP status.
	GuestError = "guest-error"
)

// Scopes a rule can cover.
const (
	ScopeAll     = "all"
	ScopeCluster = "cluster"
	ScopeNode    = "node"  // the node itself and the guests on it
	ScopeGuest   = "guest" // one guest
	ScopeTag     = "tag"   // the guests carrying a tag
)

// Rule says when to alert.
type Rule struct {
	ID      string
	Name    string // the user's name; "" for a built-in, which the window names
	Builtin string // which shipped default this is ("cpu", "mem", …), "" for the user's own
	Metric  string
	Scope   string
	Cluster string // for ScopeCluster, ScopeNode, ScopeGuest; optional for ScopeTag
	Node    string
	Guest   string // "qemu/101"
	Tag     string

	// Trigger starts the alert when the value is above it; Clear ends a
	// firing alert when the value falls below it. Both are in the metric's
	// unit and are ignored for NodeOffline, UnexpectedStop and GuestError.
	Trigger, Clear float64
	// For is how long the condition must hold before the alert fires.
	For time.Duration

	Enabled bool
	Notify  bool // tell the OS when it fires
}

// DefaultRules are the rules a new installation starts with.
func DefaultRules() []Rule {
	return []Rule{
		{ID: "builtin-cpu", Builtin: CPU, Metric: CPU, Scope: ScopeAll, Trigger: 90, Clear: 80, For: 5 * time.Minute, Enabled: true, Notify: true},
		{ID: "builtin-mem", Builtin: Mem, Metric: Mem, Scope: ScopeAll, Trigger: 95, Clear: 90, For: 5 * time.Minute, Enabled: true, Notify: true},
		{ID: "builtin-node-offline", Builtin: NodeOffline, Metric: NodeOffline, Scope: ScopeAll, Enabled: true, Notify: true},
		{ID: "builtin-unexpected-stop", Builtin: UnexpectedStop, Metric: UnexpectedStop, Scope: ScopeAll, Enabled: true, Notify: true},
		{ID: "builtin-guest-error", Builtin: GuestError, Metric: GuestError, Scope: ScopeAll, Enabled: true, Notify: true},
	}
}

// WithNewDefaults returns saved rules plus every shipped default they lack
// (by Builtin), so that a default added in a later version reaches an
// installation whose rules were saved before it.
func WithNewDefaults(saved []Rule) []Rule {
	have := make(map[string]bool, len(saved))
	for _, r := range saved {
		if r.Builtin != "" {
			have[r.Builtin] = true
		}
	}
	out := append([]Rule(nil), saved...)
	for _, d := range DefaultRules() {
		if !have[d.Builtin] {
			out = append(out, d)
		}
	}
	return out
}

// FieldError says which field of a rule is wrong and why.
type FieldError struct {
	Field  string // the field's JSON name: "trigger", "clear", …
	Reason string // a reason code the window translates
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("alert rule: %s: %s", e.Field, e.Reason)
}

// Thresholded reports whether the metric compares a value with thresholds
// (as opposed to an event such as a node going offline).
func Thresholded(metric string) bool {
	switch metric {
	case CPU, Mem, DiskRead, DiskWrite, NetIn, NetOut:
		return true
	}
	return false
}

// PlainText reports whether s is text a person typed and a window can show
// as it is: no NUL or other control character, and none of Unicode's
// direction overrides and isolates (U+202A–U+202E, U+2066–U+2069, the
// marks U+200E, U+200F, U+061C), which make a name read as something else.
func PlainText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		switch {
		case unicode.IsControl(r),
			r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069,
			r == 0x200E, r == 0x200F, r == 0x061C:
			return false
		}
	}
	return true
}

// Validate checks a rule and returns a *FieldError for the first problem.
func (r Rule) Validate() error {
	for _, f := range []struct {
		name, value string
		max         int
	}{{"name", r.Name, 120}, {"cluster", r.Cluster, 64}, {"node", r.Node, 64}, {"guest", r.Guest, 32}, {"tag", r.Tag, 128}} {
		if len(f.value) > f.max {
			return &FieldError{f.name, "tooLong"}
		}
		if !PlainText(f.value) {
			return &FieldError{f.name, "badChars"}
		}
	}
	switch r.Metric {
	case CPU, Mem, DiskRead, DiskWrite, NetIn, NetOut, NodeOffline, UnexpectedStop, GuestError:
	default:
		return &FieldError{"metric", "unknown"}
	}
	if Thresholded(r.Metric) {
		limit := 1e15 // bytes per second: far above any link
		if r.Metric == CPU || r.Metric == Mem {
			limit = 100
		}
		// Written so that NaN fails both.
		if !(r.Trigger > 0 && r.Trigger <= limit) {
			return &FieldError{"trigger", "outOfRange"}
		}
		if !(r.Clear >= 0 && r.Clear <= r.Trigger) {
			return &FieldError{"clear", "aboveTrigger"}
		}
	}
	if r.For < 0 || r.For > 24*time.Hour {
		return &FieldError{"forSeconds", "outOfRange"}
	}
	switch r.Scope {
	case ScopeAll:
	case ScopeCluster:
		if r.Cluster == "" {
			return &FieldError{"cluster", "required"}
		}
	case ScopeNode:
		if r.Cluster == "" {
			return &FieldError{"cluster", "required"}
		}
		if r.Node == "" {
			return &FieldError{"node", "required"}
		}
	case ScopeGuest:
		if r.Cluster == "" {
			return &FieldError{"cluster", "required"}
		}
		if !strings.HasPrefix(r.Guest, "qemu/") && !strings.HasPrefix(r.Guest, "lxc/") {
			return &FieldError{"guest", "required"}
		}
		if r.Metric == NodeOffline {
			return &FieldError{"scope", "nodeMetric"}
		}
	case ScopeTag:
		if strings.TrimSpace(r.Tag) == "" {
			return &FieldError{"tag", "required"}
		}
		if r.Metric == NodeOffline {
			return &FieldError{"scope", "nodeMetric"}
		}
	default:
		return &FieldError{"scope", "unknown"}
	}
	return nil
}

// covers reports whether the rule watches t in cluster.
func (r *Rule) covers(cluster string, t *Target) bool {
	switch r.Metric {
	case NodeOffline:
		if !t.IsNode {
			return false
		}
	case UnexpectedStop, GuestError:
		if t.IsNode {
			return false
		}
	}
	if r.Cluster != "" && r.Cluster != cluster {
		return false
	}
	switch r.Scope {
	case ScopeNode:
		return t.Node == r.Node
	case ScopeGuest:
		return t.ID == r.Guest
	case ScopeTag:
		if t.IsNode {
			return false
		}
		for _, tag := range t.Tags {
			if strings.EqualFold(tag, r.Tag) {
				return true
			}
		}
		return false
	}
	return true
}
