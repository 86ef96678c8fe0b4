package app

import (
	"context"
	"testing"
	"time"

	"cecyber/proxmox"
	"cecyber/proxmox/pvesim"
)

// TestStaleGuestsOfAnOfflineNode: while a node is away, Proxmox reports its
// guests' last status for five minutes (pmxcfs), then "unknown" without a
// name. The window gets them marked stale, with the last poll that found
// their node online, so that it can say how old the status is; on both
// releases.
func TestStaleGuestsOfAnOfflineNode(t *testing.T) {
	for _, version := range pvesim.Versions {
		t.Run(version, func(t *testing.T) {
			clk := &steppedClock{t: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)}
			sim := pvesim.NewTestServer(t, pvesim.Config{Nodes: 3, Guests: 24, Now: clk.Now, Version: version})
			a, _ := newTestApp(t, Options{Now: clk.Now})
			tok := sim.AdminToken()
			connect(t, a, proxmox.Config{Endpoint: sim.URL, TokenID: tok.ID, Secret: tok.Secret, Fingerprint: sim.Fingerprint})
			c, _ := a.findCluster("c1")
			seenOnline := clk.Now().UnixMilli()
			g, _ := c.findGuest("qemu/103") // files-01, running on pve2
			if g.NodeOffline || g.ReportedAt != 0 || g.Status != "running" {
				t.Fatalf("guest on an online node: %+v; want running, not stale", g)
			}

			clk.Advance(10 * time.Second)
			sim.SetNodeOnline("pve2", false)
			clk.Advance(3 * time.Minute)
			c.poller.Poll(context.Background())
			g, _ = c.findGuest("qemu/103")
			if !g.NodeOffline || g.ReportedAt != seenOnline || g.Status != "running" || g.Name != "files-01" {
				t.Errorf("3 min after its node left: %+v; want running, files-01, stale since %d", g, seenOnline)
			}
			if other, _ := c.findGuest("qemu/101"); other.NodeOffline {
				t.Errorf("a guest of an online node is stale: %+v", other)
			}

			clk.Advance(3 * time.Minute)
			c.poller.Poll(context.Background())
			g, _ = c.findGuest("qemu/103")
			if !g.NodeOffline || g.Status != "unknown" || g.Name != "" {
				t.Errorf("6 min after its node left: %+v; want unknown, without a name, stale", g)
			}

			sim.SetNodeOnline("pve2", true)
			clk.Advance(10 * time.Second)
			c.poller.Poll(context.Background())
			if g, _ = c.findGuest("qemu/103"); g.NodeOffline || g.ReportedAt != 0 || g.Name != "files-01" {
				t.Errorf("its node back: %+v; want fresh", g)
			}
		})
	}
}
