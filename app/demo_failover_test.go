package app

import (
	"bytes"
	"log/slog"
	"net/netip"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"testing"

	"cecyber/proxmox"
	"cecyber/proxmox/pvesim"
)

// lockedBuffer is a log the app and its clients write to concurrently.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestDemoFailover: the demo cluster pins every simulated node on its own
// loopback address, and when the node it talks to loses its listener the
// next poll goes to another node, pinned, without an error and without a
// dial off this machine.
func TestDemoFailover(t *testing.T) {
	logs := &lockedBuffer{}
	var sim *pvesim.Server
	a, _ := newTestApp(t, Options{
		StartDemo: func() (DemoCluster, error) {
			srv, err := pvesim.Start(pvesim.Config{Nodes: 3, Guests: 6, Seed: 1}, "127.0.0.1:0")
			if err != nil {
				return DemoCluster{}, err
			}
			sim = srv
			tok := srv.AdminToken()
			return DemoCluster{
				Config: proxmox.Config{Endpoint: srv.URL, TokenID: tok.ID, Secret: tok.Secret, Fingerprint: srv.Fingerprint},
				Close:  srv.Close,
			}, nil
		},
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	st, err := a.OpenDemo()
	if err != nil {
		t.Fatalf("OpenDemo() error = %v", err)
	}
	if len(st.Endpoints) != 3 {
		if runtime.GOOS != "linux" && runtime.GOOS != "windows" {
			t.Skipf("the demo's nodes share 127.0.0.1 here (%+v): failover needs an address per node", st.Endpoints)
		}
		t.Fatalf("demo endpoints = %+v; want its 3 nodes", st.Endpoints)
	}
	hosts := map[string]string{}
	for _, e := range st.Endpoints {
		u, err := url.Parse(e.URL)
		if err != nil {
			t.Fatal(err)
		}
		if ip, err := netip.ParseAddr(u.Hostname()); err != nil || !ip.IsLoopback() {
			t.Errorf("demo endpoint %s (%s) is not on loopback", e.URL, e.Node)
		}
		if e.Node == "" || e.Fingerprint == "" {
			t.Errorf("demo endpoint %+v lacks its node or pin", e)
		}
		hosts[e.Node] = e.URL
	}
	if !st.Endpoints[0].Active || st.Endpoints[0].Node != "pve1" {
		t.Errorf("demo talks to %+v first; want pve1", st.Endpoints)
	}

	sim.SetNodeOnline("pve1", false)
	inv, err := a.Refresh() // one poll
	if err != nil {
		t.Fatal(err)
	}
	got := inv.Clusters[0]
	if got.Status != "ok" {
		t.Fatalf("after pve1 went away the poll ended %q (%+v); want ok", got.Status, got.Error)
	}
	var active string
	for _, e := range got.Endpoints {
		if e.Active {
			active = e.Node
		}
	}
	if active == "" || active == "pve1" {
		t.Errorf("active endpoint after pve1 went away: %q (%+v); want another node", active, got.Endpoints)
	}
	for _, n := range inv.Nodes {
		if n.Name == "pve1" && n.Status != "offline" {
			t.Errorf("pve1 is %q; want offline", n.Status)
		}
	}
	if strings.Contains(logs.String(), "refused non-loopback dial") {
		t.Errorf("the demo dialed off this machine:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "loopback dial") {
		t.Errorf("the demo's client is not loopback-only: no dial went through the guard")
	}
}
