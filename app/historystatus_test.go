package app

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"cecyber/metrics"
	"cecyber/proxmox"
	"cecyber/proxmox/pvesim"
)

// TestHistoryDiskFull fills a real (tmpfs) disk under the metric history:
// the window is told that history is not being saved and how much space is
// left, live data keeps coming, the polls wait in memory, and once space
// returns they are saved and the window is told so.
func TestHistoryDiskFull(t *testing.T) {
	dir := inTmpfs(t, "2m")
	if dir == "" {
		return
	}
	hist, err := metrics.Open(filepath.Join(dir, "metrics.db"))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	step := func() { mu.Lock(); now = now.Add(10 * time.Second); mu.Unlock() }
	var demo DemoCluster
	start := simDemo(pvesim.Config{Nodes: 2, Guests: 40, Seed: 3, Now: clock})
	a, rec := newTestApp(t, Options{Metrics: hist, Now: clock,
		StartDemo: func() (DemoCluster, error) {
			var err error
			demo, err = start()
			return demo, err
		}})
	t.Cleanup(func() { hist.Close() })
	if _, err := a.OpenDemo(); err != nil {
		t.Fatal(err)
	}
	filler := fillDisk(t, dir)

	lastStatus := func() (HistoryStatus, bool) {
		evs := rec.all()
		for i := len(evs) - 1; i >= 0; i-- {
			if evs[i].name == EventHistoryStatus {
				return evs[i].data.(HistoryStatus), true
			}
		}
		return HistoryStatus{}, false
	}
	// Polls until the history cannot be written (the log may first fill
	// what space it already has).
	var st HistoryStatus
	polls := 0
	for ; polls < 200; polls++ {
		step()
		inv, err := a.Refresh()
		if err != nil {
			t.Fatal(err)
		}
		if inv.UpdatedAt != clock().UnixMilli() || len(inv.Guests) != 40 {
			t.Fatalf("live data stopped with the history: updated %d, %d guests", inv.UpdatedAt, len(inv.Guests))
		}
		if s, ok := lastStatus(); ok && !s.Saving {
			st = s
			break
		}
	}
	t.Logf("history stopped after %d polls on a full disk: %+v", polls+1, st)
	if st.Saving || st.Reason != "full" || st.FreeBytes < 0 || st.FreeBytes > 64<<10 || st.Dir != dir {
		t.Fatalf("status on a full disk = %+v; want not saving, reason full, the (almost no) free space of %s", st, dir)
	}
	stoppedAt := clock().Unix()
	// Polls go on; their samples wait. Alerts too: a guest stopped from
	// outside the app raises its alert while nothing can be saved.
	other, err := proxmox.NewClient(demo.Config)
	if err != nil {
		t.Fatal(err)
	}
	var victim Guest
	inv, _ := a.Inventory()
	for _, g := range inv.Guests {
		if g.Status == "running" && g.Type == "qemu" {
			victim = g
			break
		}
	}
	if _, err := other.GuestActionWith(context.Background(), proxmox.GuestRef{Node: victim.Node, Type: "qemu", VMID: victim.VMID}, "stop", nil); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		step()
		if _, err := a.Refresh(); err != nil {
			t.Fatal(err)
		}
	}
	if st, _ := lastStatus(); st.Saving || st.Unsaved != 4 {
		t.Errorf("after 3 more polls: %+v; want 4 polls waiting", st)
	}
	if got, err := a.HistoryStatus(); err != nil || got.Saving {
		t.Errorf("HistoryStatus() = %+v, %v; want not saving", got, err)
	}
	if got := alertsFor(a, victim.ID); len(got) != 1 || got[0].State != "firing" {
		inv, _ := a.Inventory()
		for _, g := range inv.Guests {
			if g.ID == victim.ID {
				t.Logf("victim now %+v", g)
			}
		}
		t.Errorf("a guest stopped while the disk is full (%s): alerts %+v (all %+v); want one firing", victim.ID, got, inv.Alerts)
	}

	if err := removeFile(filler); err != nil {
		t.Fatal(err)
	}
	step()
	if _, err := a.Refresh(); err != nil {
		t.Fatal(err)
	}
	st, _ = lastStatus()
	if !st.Saving || st.Unsaved != 0 || st.Dropped != 0 {
		t.Errorf("status once space returned = %+v; want saving, nothing waiting or dropped", st)
	}
	// The polls taken while the disk was full are in the history.
	var n int
	hist.DB().QueryRow(`SELECT count(DISTINCT ts) FROM raw WHERE ts >= ?`, stoppedAt).Scan(&n)
	if n != 5 {
		t.Errorf("%d polls stored from the one that hit the full disk on; want all 5", n)
	}
}
