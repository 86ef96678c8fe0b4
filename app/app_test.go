package app

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"cecyber/proxmox"
	"cecyber/proxmox/pvesim"
)

// recorder is the window as far as tests care: it keeps every event.
type recorder struct {
	mu     sync.Mutex
	events []recorded
	got    chan struct{}
}

type recorded struct {
	name string
	data any
}

func newRecorder() *recorder { return &recorder{got: make(chan struct{}, 100)} }

func (r *recorder) Emit(event string, data any) {
	r.mu.Lock()
	r.events = append(r.events, recorded{event, data})
	r.mu.Unlock()
	select {
	case r.got <- struct{}{}:
	default:
	}
}

func (r *recorder) all() []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]recorded(nil), r.events...)
}

// newTestApp starts an App whose pollers only run when a test asks.
func newTestApp(t *testing.T, opts Options) (*App, *recorder) {
	t.Helper()
	if opts.PollInterval == 0 {
		opts.PollInterval = time.Hour
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.StartDemo == nil {
		opts.StartDemo = simDemo(pvesim.Config{})
	}
	a := New(opts)
	rec := newRecorder()
	a.startup(context.Background(), rec)
	t.Cleanup(a.shutdown)
	return a, rec
}

// simDemo starts the simulator as main does in demo mode.
func simDemo(cfg pvesim.Config) func() (DemoCluster, error) {
	return func() (DemoCluster, error) {
		srv, err := pvesim.Start(cfg, "127.0.0.1:0")
		if err != nil {
			return DemoCluster{}, err
		}
		tok := srv.AdminToken()
		return DemoCluster{
			Config: proxmox.Config{Endpoint: srv.URL, TokenID: tok.ID, Secret: tok.Secret, Fingerprint: srv.Fingerprint},
			Close:  srv.Close,
		}, nil
	}
}

func TestOpenDemo(t *testing.T) {
	for _, version := range pvesim.Versions {
		t.Run(version, func(t *testing.T) { testOpenDemo(t, version) })
	}
}

func testOpenDemo(t *testing.T, version string) {
	a, rec := newTestApp(t, Options{StartDemo: simDemo(pvesim.Config{Nodes: 3, Guests: 24, Seed: 1, Version: version})})
	st, err := a.OpenDemo()
	if err != nil {
		t.Fatalf("OpenDemo() error = %v", err)
	}
	if st.Status != "ok" || !st.Demo || st.Version != version || !strings.HasPrefix(st.Endpoint, "https://127.0.0.1:") {
		t.Errorf("OpenDemo() = %+v; want a connected demo cluster on https loopback with a version", st)
	}
	inv, err := a.Inventory()
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Guests) != 24 || len(inv.Nodes) != 3 {
		t.Errorf("Inventory() has %d guests and %d nodes; want 24 and 3", len(inv.Guests), len(inv.Nodes))
	}
	for i := 1; i < len(inv.Guests); i++ {
		if inv.Guests[i-1].VMID > inv.Guests[i].VMID {
			t.Errorf("guests not sorted by VMID: %d before %d", inv.Guests[i-1].VMID, inv.Guests[i].VMID)
		}
	}
	var running, template int
	for _, g := range inv.Guests {
		if g.Status == "running" {
			running++
		}
		if g.Template {
			template++
		}
		if g.Type != "qemu" && g.Type != "lxc" || g.Node == "" || g.Name == "" || g.MaxMem == 0 {
			t.Errorf("incomplete guest %+v", g)
		}
	}
	if running == 0 || template != 1 {
		t.Errorf("demo has %d running guests and %d templates; want some and 1", running, template)
	}

	again, err := a.OpenDemo()
	if err != nil || again.ID != st.ID || len(a.clusterList()) != 1 {
		t.Errorf("second OpenDemo() = %+v, %v with %d clusters; want the same single demo", again, err, len(a.clusterList()))
	}

	select {
	case <-rec.got:
	case <-time.After(5 * time.Second):
		t.Fatal("no inventory event after OpenDemo")
	}
	ev := rec.all()[0]
	if ev.name != EventInventory {
		t.Errorf("event %q; want %q", ev.name, EventInventory)
	}
	if inv, ok := ev.data.(Inventory); !ok || len(inv.Guests) != 24 {
		t.Errorf("inventory event carries %T with the wrong guests", ev.data)
	}
}

// connect adds a cluster with the given config and polls it once.
func connect(t *testing.T, a *App, cfg proxmox.Config) ClusterState {
	t.Helper()
	c, err := a.addCluster(clusterSpec{id: "c1", name: "lab", cfg: cfg})
	if err != nil {
		t.Fatalf("addCluster: %v", err)
	}
	c.poller.Poll(context.Background())
	return c.snapshot().state
}

func TestClusterErrors(t *testing.T) {
	sim := pvesim.NewTestServer(t, pvesim.Config{Nodes: 2, Guests: 6, Seed: 2})
	admin := sim.AdminToken()
	otherSim := pvesim.NewTestServer(t, pvesim.Config{Nodes: 1, Guests: 1, Seed: 3})

	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadAddr := closed.Addr().String()
	closed.Close()

	tests := []struct {
		name       string
		cfg        proxmox.Config
		wantCode   string
		wantParams []string
		wantDetail bool
	}{
		{"ErrUnauthorized", proxmox.Config{Endpoint: sim.URL, TokenID: admin.ID, Secret: "00000000-0000-0000-0000-000000000000", Fingerprint: sim.Fingerprint}, "unauthorized", nil, false},
		{"ErrFingerprint", proxmox.Config{Endpoint: sim.URL, TokenID: admin.ID, Secret: admin.Secret, Fingerprint: otherSim.Fingerprint}, "fingerprint", []string{"host", "expected", "actual"}, false},
		{"ErrUnreachable", proxmox.Config{Endpoint: "https://" + deadAddr, TokenID: admin.ID, Secret: admin.Secret, Fingerprint: sim.Fingerprint}, "unreachable", []string{"host"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, _ := newTestApp(t, Options{})
			st := connect(t, a, tt.cfg)
			if st.Status != "error" || st.Error == nil {
				t.Fatalf("state = %+v; want an error", st)
			}
			if st.Error.Code != tt.wantCode {
				t.Errorf("error code = %q (%s); want %q", st.Error.Code, st.Error.Message, tt.wantCode)
			}
			for _, p := range tt.wantParams {
				if st.Error.Params[p] == "" {
					t.Errorf("error params %v lack %q", st.Error.Params, p)
				}
			}
			if strings.Contains(st.Error.Message, admin.Secret) {
				t.Errorf("error message carries the secret: %q", st.Error.Message)
			}
		})
	}

	t.Run("ErrFingerprintNamesBoth", func(t *testing.T) {
		a, _ := newTestApp(t, Options{})
		st := connect(t, a, proxmox.Config{Endpoint: sim.URL, TokenID: admin.ID, Secret: admin.Secret, Fingerprint: otherSim.Fingerprint})
		if st.Error == nil || st.Error.Params["expected"] == st.Error.Params["actual"] ||
			!strings.EqualFold(st.Error.Params["actual"], sim.Fingerprint) {
			t.Errorf("fingerprint error %+v; want expected %s and actual %s", st.Error, otherSim.Fingerprint, sim.Fingerprint)
		}
	})

	t.Run("StaleDataKept", func(t *testing.T) {
		a, _ := newTestApp(t, Options{})
		st := connect(t, a, proxmox.Config{Endpoint: sim.URL, TokenID: admin.ID, Secret: admin.Secret, Fingerprint: sim.Fingerprint})
		if st.Status != "ok" {
			t.Fatalf("state = %+v; want ok", st)
		}
		sim.SetFault("GET", "/cluster/resources", 500, "simulated failure")
		defer sim.SetFault("GET", "/cluster/resources", 0, "")
		c := a.clusterList()[0]
		c.poller.Poll(context.Background())
		s := c.snapshot()
		if s.state.Status != "error" || s.state.Error.Code != "server" || !strings.Contains(s.state.Error.Detail, "simulated failure") {
			t.Errorf("after a 500: %+v; want a server error quoting Proxmox", s.state.Error)
		}
		if len(s.guests) != 6 || s.state.LastPollAt != st.LastPollAt {
			t.Errorf("after a failed poll %d guests, lastPollAt %d; want the previous 6 and %d", len(s.guests), s.state.LastPollAt, st.LastPollAt)
		}
	})

	t.Run("NodeOffline", func(t *testing.T) {
		a, _ := newTestApp(t, Options{})
		sim.SetNodeOnline("pve2", false)
		defer sim.SetNodeOnline("pve2", true)
		st := connect(t, a, proxmox.Config{Endpoint: sim.URL, TokenID: admin.ID, Secret: admin.Secret, Fingerprint: sim.Fingerprint})
		if st.Status != "ok" {
			t.Fatalf("state = %+v; want ok while one node is offline", st)
		}
		inv, _ := a.Inventory()
		for _, n := range inv.Nodes {
			if n.Name == "pve2" && n.Status != "offline" {
				t.Errorf("node pve2 status %q; want offline", n.Status)
			}
		}
		// Proxmox keeps reporting the node's last known guest states for
		// five minutes (pmxcfs), then "unknown" without a name: either
		// way every guest stays listed, never a blank row.
		seen := 0
		for _, g := range inv.Guests {
			if g.Node != "pve2" {
				continue
			}
			seen++
			if g.Status == "" || g.Name == "" {
				t.Errorf("guest %d on the offline node: status %q, name %q; want its last report", g.VMID, g.Status, g.Name)
			}
		}
		if seen == 0 {
			t.Error("the offline node's guests are gone from the inventory")
		}
	})
}

// TestNoSecretReachesTheWindow runs the demo and looks for its token secret in
// everything the window can see: events and bound methods' results.
func TestNoSecretReachesTheWindow(t *testing.T) {
	a, rec := newTestApp(t, Options{})
	if _, err := a.OpenDemo(); err != nil {
		t.Fatal(err)
	}
	a.clustersMu.Lock()
	secret := a.demo.Config.Secret
	a.clustersMu.Unlock()
	if len(secret) < 16 {
		t.Fatalf("demo secret %q is too short to be a useful canary", secret)
	}
	var seen []any
	inv, _ := a.Inventory()
	ref, _ := a.Refresh()
	demo, _ := a.OpenDemo()
	alerts, _ := a.Alerts(100)
	settings, _ := a.GetSettings()
	about, _ := a.About()
	seen = append(seen, inv, ref, demo, a.Environment(), alerts, settings, about)
	for _, ev := range rec.all() {
		seen = append(seen, ev.data)
	}
	for i, v := range seen {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), secret) {
			t.Errorf("value %d sent to the window contains the token secret", i)
		}
	}
}

func TestOSLocale(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"LANG": "pt_BR.UTF-8"}, "pt-BR"},
		{map[string]string{"LANG": "en_US.UTF-8", "LC_ALL": "pt_BR.utf8"}, "pt-BR"},
		{map[string]string{"LC_MESSAGES": "de_DE@euro", "LANG": "en_US"}, "de-DE"},
		{map[string]string{"LANG": "C.UTF-8"}, ""},
		{map[string]string{}, ""},
	}
	for _, tt := range tests {
		if got := osLocale(func(k string) string { return tt.env[k] }); got != tt.want {
			t.Errorf("osLocale(%v) = %q; want %q", tt.env, got, tt.want)
		}
	}
}

func TestFormatError(t *testing.T) {
	got := FormatError(io.ErrUnexpectedEOF).(ErrorInfo)
	if got.Code != "internal" || got.Message != "Internal error." {
		t.Errorf("FormatError(unexpected) = %+v; want the internal error hidden", got)
	}
}
