package app

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"cecyber/proxmox"
	"cecyber/proxmox/pvesim"
)

// TestConsoleClaimedLate: a QEMU console's worker accepts its connection
// only within 10 s of vncproxy. A tab that connects 11 s after OpenConsole
// still gets the guest's screen: the proxy finds the worker gone and asks
// for a fresh ticket once, while noVNC waits.
func TestConsoleClaimedLate(t *testing.T) {
	clk := &steppedClock{t: time.Now().Truncate(time.Second)}
	sim := pvesim.NewTestServer(t, pvesim.Config{Nodes: 3, Guests: 24, Now: clk.Now})
	a, _ := newTestApp(t, Options{Now: clk.Now, ConsoleOrigins: []string{"wails://wails"}})
	tok := sim.AdminToken()
	connect(t, a, proxmox.Config{Endpoint: sim.URL, TokenID: tok.ID, Secret: tok.Secret, Fingerprint: sim.Fingerprint})

	var vncproxies atomic.Int32
	sim.SetRequestHook(func(method, path, _ string) {
		if method == "POST" && strings.HasSuffix(path, "/vncproxy") {
			vncproxies.Add(1)
		}
	})
	con, err := a.OpenConsole("c1", "qemu/101")
	if err != nil {
		t.Fatalf("OpenConsole() = %v", err)
	}
	clk.Advance(11 * time.Second) // the first ticket's worker has given up
	ws := dialConsole(t, con.URL)
	defer ws.Close()
	w, h, name := noVNCHandshake(t, ws)
	if w == 0 || h == 0 || !strings.Contains(name, "web-01") {
		t.Errorf("ServerInit %dx%d %q; want web-01's screen", w, h, name)
	}
	if n := vncproxies.Load(); n != 2 {
		t.Errorf("%d vncproxy requests; want 2 (the first ticket's worker timed out, the second served)", n)
	}
}
