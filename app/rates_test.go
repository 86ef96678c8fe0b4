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

// steppedClock is a clock the test moves by hand, shared by the simulator
// and the app so that both see the same poll interval.
type steppedClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *steppedClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *steppedClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// TestLiveRates: the live panels' disk and network rates come from two
// consecutive polls' cumulative counters; there is none on first sight, for
// a stopped guest, or across a restart (the counters start again from 0).
func TestLiveRates(t *testing.T) {
	for _, version := range pvesim.Versions {
		t.Run(version, func(t *testing.T) { testLiveRates(t, version) })
	}
}

func testLiveRates(t *testing.T, version string) {
	clk := &steppedClock{t: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)}
	sim := pvesim.NewTestServer(t, pvesim.Config{Nodes: 3, Guests: 24, Now: clk.Now, Version: version})
	hist, err := metrics.Open(filepath.Join(t.TempDir(), "metrics.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { hist.Close() })
	a, _ := newTestApp(t, Options{Now: clk.Now, Metrics: hist})
	tok := sim.AdminToken()
	connect(t, a, proxmox.Config{Endpoint: sim.URL, TokenID: tok.ID, Secret: tok.Secret, Fingerprint: sim.Fingerprint})
	c, _ := a.findCluster("c1")

	g, _ := c.findGuest("qemu/101")
	if g.DiskRead != nil || g.NetIn != nil {
		t.Errorf("first poll: rates %v %v; want none yet", g.DiskRead, g.NetIn)
	}
	clk.Advance(10 * time.Second)
	c.poller.Poll(context.Background())
	g, _ = c.findGuest("qemu/101")
	if g.DiskRead == nil || g.DiskWrite == nil || g.NetIn == nil || g.NetOut == nil {
		t.Fatalf("second poll: %+v; want all four rates", g)
	}
	if *g.NetIn < 0 || *g.NetOut <= 0 && *g.NetIn <= 0 {
		t.Errorf("running guest's network rates %v/%v; want moving, non-negative numbers", *g.NetIn, *g.NetOut)
	}
	// memhost is PVE 9's; on 8.4 it stays 0, which the window shows as
	// unknown.
	if pve9 := version == pvesim.Version91; (g.MemHost != 0) != pve9 {
		t.Errorf("memhost %d on %s", g.MemHost, version)
	}
	if stopped, _ := c.findGuest("qemu/102"); stopped.DiskRead != nil {
		t.Errorf("stopped guest has a rate %v", *stopped.DiskRead)
	}
	nodes := c.snapshot().nodes
	// Proxmox sends no network counters for nodes: their rates come from
	// the newest minute of each node's rrddata, never a made-up zero.
	if len(nodes) == 0 || nodes[0].NetIn == nil || *nodes[0].NetIn <= 0 || nodes[0].NetOut == nil {
		t.Errorf("node network rates missing: %+v", nodes)
	}
	// A refresh in the same second (a task ended right after a poll) has
	// no new sample, and keeps the rates rather than blanking them.
	c.poller.Poll(context.Background())
	if g, _ = c.findGuest("qemu/101"); g.NetIn == nil {
		t.Error("a second poll in the same second dropped the rates")
	}
}
