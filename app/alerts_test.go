package app

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"cecyber/app/store"
	"cecyber/metrics/alerts"
	"cecyber/proxmox"
	"cecyber/proxmox/pvesim"
)

// notes records OS notifications.
type notes struct {
	mu   sync.Mutex
	sent []string
}

func (n *notes) Notify(title, body string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.sent = append(n.sent, title+" | "+body)
	return nil
}

func (n *notes) all() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.sent...)
}

// alertsFor returns the inventory's open alerts on a target.
func alertsFor(a *App, target string) []Alert {
	var out []Alert
	for _, al := range a.inventory().Alerts {
		if al.Target == target {
			out = append(out, al)
		}
	}
	return out
}

// TestCPUAlertFiresAndClears drives a simulated guest's CPU above the
// default rule's 90% and back, polling every 10 s on a stepped clock, and
// checks each state the window and the database see, the OS notification,
// and that the alert survives a restart of the app.
func TestCPUAlertFiresAndClears(t *testing.T) {
	clk := &steppedClock{t: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)}
	sim := pvesim.NewTestServer(t, pvesim.Config{Nodes: 3, Guests: 24, Seed: 1, Now: clk.Now})
	dbPath := filepath.Join(t.TempDir(), "cecyber.db")
	db, err := store.Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	// Closed before the folder is removed: Windows cannot delete an open file.
	t.Cleanup(func() { db.Close() })
	n := &notes{}
	a, rec := newTestApp(t, Options{Now: clk.Now, Store: db, Notifier: n, Getenv: func(k string) string {
		if k == "LANG" {
			return "pt_BR.UTF-8"
		}
		return ""
	}})
	tok := sim.AdminToken()
	connect(t, a, proxmox.Config{Endpoint: sim.URL, TokenID: tok.ID, Secret: tok.Secret, Fingerprint: sim.Fingerprint})
	c, _ := a.findCluster("c1")
	poll := func() {
		clk.Advance(10 * time.Second)
		c.poller.Poll(context.Background())
	}

	sim.SetGuestCPU(101, 0.97)
	poll()
	got := alertsFor(a, "qemu/101")
	if len(got) != 1 || got[0].State != "pending" || got[0].Builtin != "cpu" || got[0].Value < 96 {
		t.Fatalf("after one hot poll: %+v; want one pending CPU alert at 97%%", got)
	}
	for i := 0; i < 29; i++ { // 4 min 50 s: still pending
		poll()
	}
	if got := alertsFor(a, "qemu/101"); len(got) != 1 || got[0].State != "pending" {
		t.Fatalf("before 5 minutes: %+v", got)
	}
	poll()
	got = alertsFor(a, "qemu/101")
	if len(got) != 1 || got[0].State != "firing" || got[0].FiringAt-got[0].PendingAt != 5*60*1000 {
		t.Fatalf("after 5 minutes: %+v; want firing 5 min after pending", got)
	}
	if got[0].TargetName != "web-01" || got[0].ClusterName != "lab" {
		t.Errorf("alert names %q in %q; want web-01 in lab", got[0].TargetName, got[0].ClusterName)
	}
	var fired []Alert
	for _, e := range rec.all() {
		if e.name == EventAlert {
			fired = append(fired, e.data.(Alert))
		}
	}
	if len(fired) != 1 || fired[0].ID != got[0].ID {
		t.Errorf("alert events %+v; want the one that fired", fired)
	}
	if sent := n.all(); len(sent) != 1 || !strings.Contains(sent[0], "web-01") || !strings.Contains(sent[0], "CPU em 97%") {
		t.Errorf("notifications %q; want one, in Portuguese, about web-01", sent)
	}
	open, err := db.OpenAlerts(context.Background())
	if err != nil || len(open) != 1 || open[0].ID != got[0].ID {
		t.Fatalf("stored open alerts %+v, %v", open, err)
	}

	// Ack and snooze reach the database and the inventory.
	if err := a.AckAlert(got[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := a.SnoozeAlert(got[0].ID, 60); err != nil {
		t.Fatal(err)
	}
	got = alertsFor(a, "qemu/101")
	if got[0].AckedAt == 0 || got[0].SnoozedUntil != clk.Now().Add(time.Hour).UnixMilli() {
		t.Errorf("after ack and snooze: %+v", got[0])
	}

	// The app restarts: the firing alert is still there.
	a.shutdown()
	a2, _ := newTestApp(t, Options{Now: clk.Now, Store: db, Notifier: n})
	if open := a2.openAlerts(); len(open) != 1 || open[0].ID != got[0].ID || open[0].State != "firing" || open[0].AckedAt == 0 {
		t.Fatalf("after restart: %+v", open)
	}
	connect(t, a2, proxmox.Config{Endpoint: sim.URL, TokenID: tok.ID, Secret: tok.Secret, Fingerprint: sim.Fingerprint})
	c, _ = a2.findCluster("c1")

	// Between clear (80%) and trigger: still firing. Below clear: resolved.
	sim.SetGuestCPU(101, 0.85)
	poll()
	if got := alertsFor(a2, "qemu/101"); len(got) != 1 || got[0].State != "firing" {
		t.Fatalf("at 85%%: %+v; want still firing", got)
	}
	sim.SetGuestCPU(101, 0.10)
	poll()
	if got := alertsFor(a2, "qemu/101"); len(got) != 0 {
		t.Fatalf("at 10%%: %+v; want resolved", got)
	}
	view, err := a2.Alerts(50)
	if err != nil {
		t.Fatal(err)
	}
	if len(view.History) != 1 || view.History[0].State != "resolved" || view.History[0].ResolvedAt != clk.Now().UnixMilli() {
		t.Errorf("history %+v; want the resolved alert", view.History)
	}
	if len(view.Rules) != len(alerts.DefaultRules()) {
		t.Errorf("rules %+v; want the %d defaults", view.Rules, len(alerts.DefaultRules()))
	}
	if len(n.all()) != 1 {
		t.Errorf("notifications %q; want still one", n.all())
	}
}

// TestUnexpectedStopAlert: a guest stopped from outside the app raises an
// alert; one the app stopped does not.
func TestUnexpectedStopAlert(t *testing.T) {
	clk := &steppedClock{t: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)}
	sim := pvesim.NewTestServer(t, pvesim.Config{Nodes: 3, Guests: 24, Seed: 1, Now: clk.Now})
	a, _ := newTestApp(t, Options{Now: clk.Now})
	tok := sim.AdminToken()
	cfg := proxmox.Config{Endpoint: sim.URL, TokenID: tok.ID, Secret: tok.Secret, Fingerprint: sim.Fingerprint}
	connect(t, a, cfg)
	c, _ := a.findCluster("c1")
	poll := func() {
		clk.Advance(10 * time.Second)
		c.poller.Poll(context.Background())
	}
	poll()

	// The app stops web-01 (101); someone else stops proxy-01 (lxc/105).
	if _, err := a.GuestAction("c1", "qemu/101", "stop", ActionOptions{}); err != nil {
		t.Fatal(err)
	}
	other, err := proxmox.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	g, _ := c.findGuest("lxc/105")
	if _, err := other.GuestActionWith(context.Background(), proxmox.GuestRef{Node: g.Node, Type: "lxc", VMID: 105}, "stop", nil); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		poll()
	}
	if got := alertsFor(a, "qemu/101"); len(got) != 0 {
		t.Errorf("web-01, stopped by the app: %+v; want no alert", got)
	}
	got := alertsFor(a, "lxc/105")
	if len(got) != 1 || got[0].Builtin != "unexpected-stop" || got[0].State != "firing" {
		t.Fatalf("proxy-01, stopped from outside: %+v; want a firing unexpected-stop alert", got)
	}
}

// TestAlertRuleEditing: rules are checked, saved, survive a restart, and
// the built-ins cannot be deleted.
func TestAlertRuleEditing(t *testing.T) {
	db := store.MustOpenDB(t)
	a, _ := newTestApp(t, Options{Store: db})
	_, err := a.SaveAlertRule(AlertRule{Name: "hot disks", Metric: "diskwrite", Scope: "tag", Tag: "db", Trigger: 50e6, Clear: 80e6, Enabled: true})
	if info := errorInfo(err); info.Code != "invalid" || info.Params["field"] != "clear" {
		t.Fatalf("clear above trigger: %+v", info)
	}
	r, err := a.SaveAlertRule(AlertRule{Name: "hot disks", Metric: "diskwrite", Scope: "tag", Tag: "db", Trigger: 50e6, Clear: 40e6, ForSeconds: 120, Enabled: true})
	if err != nil || r.ID == "" {
		t.Fatalf("save: %+v, %v", r, err)
	}
	if err := a.DeleteAlertRule("builtin-cpu"); errorInfo(err).Params["reason"] != "builtin" {
		t.Errorf("deleting a built-in: %v", err)
	}
	cpu := ruleDTO(a.alerts.engine.Rules()[0])
	cpu.Trigger, cpu.Clear, cpu.Builtin = 75, 70, "tampered"
	if saved, err := a.SaveAlertRule(cpu); err != nil || saved.Builtin != "cpu" {
		t.Fatalf("edit built-in: %+v, %v", saved, err)
	}
	a.shutdown()
	a2, _ := newTestApp(t, Options{Store: db})
	view, err := a2.Alerts(10)
	if err != nil {
		t.Fatal(err)
	}
	last := len(alerts.DefaultRules())
	if len(view.Rules) != last+1 || view.Rules[0].Trigger != 75 || view.Rules[last].Name != "hot disks" || view.Rules[last].ForSeconds != 120 {
		t.Fatalf("rules after restart: %+v", view.Rules)
	}
	if err := a2.DeleteAlertRule(r.ID); err != nil {
		t.Fatal(err)
	}
	if view, _ := a2.Alerts(10); len(view.Rules) != len(alerts.DefaultRules()) {
		t.Errorf("after delete: %d rules", len(view.Rules))
	}
}

// TestAlertRulesConcurrentSaves: rules saved at the same moment are all
// kept, in memory and in the database: each save is one read-modify-write.
func TestAlertRulesConcurrentSaves(t *testing.T) {
	db := store.MustOpenDB(t)
	a, _ := newTestApp(t, Options{Store: db})
	const n = 8
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if _, err := a.SaveAlertRule(AlertRule{Name: fmt.Sprintf("rule %d", i), Metric: "cpu", Scope: "all", Trigger: 50, Clear: 40, Enabled: true}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	want := len(alerts.DefaultRules()) + n
	if got := len(a.alerts.engine.Rules()); got != want {
		t.Errorf("%d rules in the engine; want %d", got, want)
	}
	saved, _, err := db.AlertRules(context.Background())
	if err != nil || len(saved) != want {
		t.Errorf("%d rules in the database (%v); want %d", len(saved), err, want)
	}
}

// TestGuestErrorAlert: a VM that QEMU halts on a disk error, or whose guest
// panics, shows its own status in the inventory and fires the built-in
// guest-error alert at once, with an OS notification; running again, it
// resolves.
func TestGuestErrorAlert(t *testing.T) {
	clk := &steppedClock{t: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)}
	sim := pvesim.NewTestServer(t, pvesim.Config{Nodes: 3, Guests: 24, Seed: 1, Now: clk.Now})
	n := &notes{}
	a, _ := newTestApp(t, Options{Now: clk.Now, Notifier: n})
	tok := sim.AdminToken()
	connect(t, a, proxmox.Config{Endpoint: sim.URL, TokenID: tok.ID, Secret: tok.Secret, Fingerprint: sim.Fingerprint})
	c, _ := a.findCluster("c1")
	poll := func() {
		clk.Advance(10 * time.Second)
		c.poller.Poll(context.Background())
	}
	for _, status := range []string{"io-error", "guest-panicked"} {
		if !sim.SetGuestQMPStatus(101, status) {
			t.Fatalf("SetGuestQMPStatus(101, %s) refused", status)
		}
		poll()
		inv, _ := a.Inventory()
		for _, g := range inv.Guests {
			if g.VMID == 101 && g.Status != status {
				t.Errorf("guest 101 status %q; want %q", g.Status, status)
			}
		}
		got := alertsFor(a, "qemu/101")
		if len(got) != 1 || got[0].State != "firing" || got[0].Builtin != "guest-error" {
			t.Fatalf("%s: alerts %+v; want the guest-error alert firing", status, got)
		}
		sim.SetGuestQMPStatus(101, "")
		poll()
		if got := alertsFor(a, "qemu/101"); len(got) != 0 {
			t.Errorf("running again: alerts %+v; want none open", got)
		}
	}
	if len(n.all()) != 2 {
		t.Errorf("%d notifications; want one per error", len(n.all()))
	}
}
