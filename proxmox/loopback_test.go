package proxmox_test

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"cecyber/proxmox"
	"cecyber/proxmox/pvesim"
)

// dialLog keeps what a loopback-only dialer logs: every dial it let
// through and every one it refused.
type dialLog struct {
	mu      sync.Mutex
	allowed []string
	refused []string
}

func (l *dialLog) Enabled(context.Context, slog.Level) bool { return true }
func (l *dialLog) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *dialLog) WithGroup(string) slog.Handler            { return l }
func (l *dialLog) Handle(_ context.Context, r slog.Record) error {
	var addr string
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "addr" {
			addr = a.Value.String()
		}
		return true
	})
	l.mu.Lock()
	defer l.mu.Unlock()
	switch r.Message {
	case "loopback dial":
		l.allowed = append(l.allowed, addr)
	case "refused non-loopback dial":
		l.refused = append(l.refused, addr)
	}
	return nil
}

func (l *dialLog) snapshot() (allowed, refused []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.allowed...), append([]string(nil), l.refused...)
}

func TestLoopbackOnlyProcess(t *testing.T) {
	if !proxmox.LoopbackOnlyProcess() {
		t.Fatal("LoopbackOnlyProcess() = false in a test binary; want true")
	}
}

// TestLoopbackGuardRefuses is the guard's own test, the one place that
// names addresses off this machine (TEST-NET-1, RFC 5737: nothing
// answers there, and nothing is sent anyway). A failover endpoint there is
// refused at once, logged, and reported with its own kind, not a hang.
func TestLoopbackGuardRefuses(t *testing.T) {
	t.Parallel()
	s := pvesim.NewTestServer(t, pvesim.Config{Nodes: 1, Guests: 2})
	tok := s.AdminToken()
	log := &dialLog{}
	c, err := proxmox.NewClient(proxmox.Config{
		Endpoint: s.URL, TokenID: tok.ID, Secret: tok.Secret, Fingerprint: s.Fingerprint,
		Failover:     []proxmox.Pin{{URL: "https://192.0.2.12:8006", Fingerprint: s.Fingerprint}},
		LoopbackOnly: true,
		Logger:       slog.New(log),
		Timeout:      time.Minute, // a dial that went out would time out, not be refused
	})
	if err != nil {
		t.Fatal(err)
	}
	s.SetNodeOnline("pve1", false) // its listener goes away: the client moves on
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err = c.Version(ctx)
	if !proxmox.IsKind(err, proxmox.KindNotLoopback) {
		t.Fatalf("Version() = %v; want a %s error", err, proxmox.KindNotLoopback)
	}
	if !strings.Contains(err.Error(), "192.0.2.12:8006") || !strings.Contains(err.Error(), "only connects to this machine") {
		t.Errorf("error %q does not name the refused address and why", err)
	}
	if _, refused := log.snapshot(); len(refused) != 1 || refused[0] != "192.0.2.12:8006" {
		t.Errorf("refusals logged = %q; want the one to 192.0.2.12:8006", refused)
	}

	// Probe is guarded too: in a test binary every dial is.
	if _, err := proxmox.Probe(ctx, "https://192.0.2.12:8006"); !proxmox.IsKind(err, proxmox.KindNotLoopback) {
		t.Errorf("Probe(192.0.2.12) = %v; want a %s error", err, proxmox.KindNotLoopback)
	}
}

// TestLoopbackGuardWithDialHook: Config.DialContext does not get around
// the guard. The hook gets the address unresolved, so only a loopback IP
// or localhost passes; any other address (TEST-NET-1 again, or a name) is
// refused and logged before the hook is called.
func TestLoopbackGuardWithDialHook(t *testing.T) {
	t.Parallel()
	errHook := errors.New("the hook was called")
	for _, tt := range []struct {
		endpoint string
		allowed  bool
	}{
		{"https://127.0.0.1:8006", true},
		{"https://127.0.0.2:8006", true},
		{"https://[::1]:8006", true},
		{"https://localhost:8006", true},
		{"https://192.0.2.12:8006", false},
		{"https://pve1.example:8006", false},
		{"https://localhost.example:8006", false},
	} {
		log := &dialLog{}
		var called []string
		c, err := proxmox.NewClient(proxmox.Config{
			Endpoint: tt.endpoint, TokenID: "root@pam!cecyber", Secret: "s3cret", Fingerprint: strings.Repeat("AB:", 31) + "AB",
			Logger: slog.New(log),
			DialContext: func(_ context.Context, _, addr string) (net.Conn, error) {
				called = append(called, addr)
				return nil, errHook
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Version(context.Background())
		allowed, refused := log.snapshot()
		host := strings.TrimPrefix(tt.endpoint, "https://")
		if tt.allowed {
			if !errors.Is(err, errHook) || len(called) == 0 || called[0] != host || len(refused) != 0 {
				t.Errorf("%s: Version() = %v, hook called with %q, refused %q; want it passed to the hook", tt.endpoint, err, called, refused)
			}
			if len(allowed) == 0 || allowed[0] != host {
				t.Errorf("%s: allowed dials logged = %q", tt.endpoint, allowed)
			}
			continue
		}
		if !proxmox.IsKind(err, proxmox.KindNotLoopback) || len(called) != 0 {
			t.Errorf("%s: Version() = %v, hook called with %q; want refused before the hook", tt.endpoint, err, called)
		}
		if len(refused) != 1 || refused[0] != host {
			t.Errorf("%s: refusals logged = %q; want one for %s", tt.endpoint, refused, host)
		}
	}
}

// TestDiscoveryAndFailoverOnLoopback finds a simulated cluster's nodes the
// way the app does, fails over when the first node's listener goes away
// and comes back, and checks that every connection made on the way went to
// a loopback address: the guard saw each dial and refused none.
func TestDiscoveryAndFailoverOnLoopback(t *testing.T) {
	t.Parallel()
	s := newNodeSim(t)
	tok := s.AdminToken()
	log := &dialLog{}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cfg := proxmox.Config{
		Endpoint: s.URL, TokenID: tok.ID, Secret: tok.Secret, Fingerprint: s.Fingerprint,
		LoopbackOnly: true, Logger: slog.New(log), Timeout: 5 * time.Second,
	}
	first, err := proxmox.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	pins, err := first.NodeEndpoints(ctx, "")
	if err != nil {
		t.Fatalf("NodeEndpoints: %v", err)
	}
	if len(pins) != 3 {
		t.Fatalf("NodeEndpoints = %+v; want 3 nodes", pins)
	}
	for _, p := range pins {
		if p.URL != cfg.Endpoint {
			cfg.Failover = append(cfg.Failover, p.Pin())
		}
	}
	c, err := proxmox.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Resources(ctx, ""); err != nil {
		t.Fatalf("ClusterResources on pve1: %v", err)
	}
	s.SetNodeOnline("pve1", false)
	if _, err := c.Resources(ctx, ""); err != nil {
		t.Fatalf("ClusterResources with pve1 gone: %v", err)
	}
	wantActive(t, c, s, "pve2")
	s.SetNodeOnline("pve2", false)
	if _, err := c.Resources(ctx, ""); err != nil {
		t.Fatalf("ClusterResources with pve1 and pve2 gone: %v", err)
	}
	wantActive(t, c, s, "pve3")

	allowed, refused := log.snapshot()
	if len(refused) != 0 {
		t.Errorf("refused dials: %q; want none", refused)
	}
	seen := map[string]bool{}
	for _, a := range allowed {
		ap, err := netip.ParseAddrPort(a)
		if err != nil || !ap.Addr().IsLoopback() {
			t.Errorf("dial to %q; want loopback only", a)
		}
		seen[ap.Addr().String()] = true
	}
	// pve1 and pve2 were dialled and found gone, pve3 answered.
	for _, node := range []string{"pve1", "pve2", "pve3"} {
		u, _ := url.Parse(s.NodeURL(node))
		if !seen[u.Hostname()] {
			t.Errorf("no dial to %s (%s) was seen; dials: %q", node, u.Hostname(), allowed)
		}
	}
}
