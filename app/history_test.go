package app

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"cecyber/metrics"
	"cecyber/proxmox"
	"cecyber/proxmox/pvesim"
)

// TestHistory: polls land in the metric history, and the first request for
// a guest's day fills it from Proxmox's rrddata, so a chart drawn right after
// adding a cluster covers the whole 24 hours: from PVE 9.1's minute rows,
// and from PVE 8.4's 30-minute ones, which have no memhost.
func TestHistory(t *testing.T) {
	for _, version := range pvesim.Versions {
		t.Run(version, func(t *testing.T) { testHistory(t, version) })
	}
}

func testHistory(t *testing.T, version string) {
	store, err := metrics.Open(filepath.Join(t.TempDir(), "metrics.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	clk := &steppedClock{t: time.Now().Truncate(time.Second)}
	sim := pvesim.NewTestServer(t, pvesim.Config{Nodes: 3, Guests: 24, Now: clk.Now, Version: version})
	a, _ := newTestApp(t, Options{Metrics: store, Now: clk.Now})
	tok := sim.AdminToken()
	connect(t, a, proxmox.Config{Endpoint: sim.URL, TokenID: tok.ID, Secret: tok.Secret, Fingerprint: sim.Fingerprint})
	c, _ := a.findCluster("c1")
	clk.Advance(10 * time.Second) // the next poll, a poll interval later
	c.poller.Poll(context.Background())

	now := clk.Now()
	s, err := a.History("c1", "qemu/101", []string{"cpu", "netin"}, now.Add(-24*time.Hour).Unix(), now.Unix(), 288)
	if err != nil {
		t.Fatalf("History() = %v", err)
	}
	if len(s.Times) == 0 || len(s.Columns["cpu"]) != len(s.Times) || len(s.Columns["cpu_max"]) != len(s.Times) {
		t.Fatalf("History() = %d times, columns %v; want aligned cpu and cpu_max", len(s.Times), len(s.Columns))
	}
	filled := 0
	for _, v := range s.Columns["cpu"] {
		if v != nil {
			filled++
		}
	}
	if filled < len(s.Times)*9/10 {
		t.Errorf("History(24 h) has %d of %d points; want the day backfilled from rrddata", filled, len(s.Times))
	}
	// memhost is PVE 9's: on 8.4 the series is there, without values.
	mh, err := a.History("c1", "qemu/101", []string{"memhost"}, now.Add(-24*time.Hour).Unix(), now.Unix(), 288)
	if err != nil {
		t.Fatalf("History(memhost) = %v", err)
	}
	withHost := 0
	for _, v := range mh.Columns["memhost"] {
		if v != nil {
			withHost++
		}
	}
	if pve9 := version == pvesim.Version91; (withHost > 0) != pve9 {
		t.Errorf("History(memhost) has %d values on %s", withHost, version)
	}
	n, err := a.History("c1", "node/pve1", []string{"cpu"}, now.Add(-time.Hour).Unix(), now.Unix(), 60)
	if err != nil || len(n.Times) == 0 {
		t.Errorf("node History() = %d points, %v", len(n.Times), err)
	}
	sp, err := a.Sparklines("c1", []string{"qemu/101", "qemu/102", "lxc/105"}, "cpu", now.Add(-24*time.Hour).Unix(), now.Unix(), 48)
	if err != nil || len(sp.Times) == 0 || len(sp.Values["qemu/101"]) != len(sp.Times) {
		t.Errorf("Sparklines() = %d times, %d series, %v", len(sp.Times), len(sp.Values), err)
	}
	if _, err := a.History("c1", "qemu/101", []string{"nope"}, now.Add(-time.Hour).Unix(), now.Unix(), 60); err == nil {
		t.Error("History of an unknown metric succeeded")
	}
}

func TestRemoveClusterDropsHistory(t *testing.T) {
	store, err := metrics.Open(filepath.Join(t.TempDir(), "metrics.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	sim := pvesim.NewTestServer(t, pvesim.Config{Nodes: 1, Guests: 2})
	a, _ := newTestApp(t, Options{Metrics: store})
	tok := sim.AdminToken()
	connect(t, a, proxmox.Config{Endpoint: sim.URL, TokenID: tok.ID, Secret: tok.Secret, Fingerprint: sim.Fingerprint})
	if err := store.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	count := func() (n int) {
		store.DB().QueryRow(`SELECT count(*) FROM targets WHERE cluster = 'c1'`).Scan(&n)
		return n
	}
	if count() == 0 {
		t.Fatal("no history was recorded")
	}
	// c1 was added without the keychain (connect): remove it as the demo is.
	c, _ := a.findCluster("c1")
	c.demo = true
	if err := a.RemoveCluster("c1", false); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 0 {
		t.Errorf("%d targets of the removed cluster remain", n)
	}
}
