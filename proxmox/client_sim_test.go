package proxmox_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"cecyber/proxmox"
	"cecyber/proxmox/pvesim"
)

// These tests drive every typed call through the same code the app uses,
// against the simulated cluster served over real HTTPS.

func newSim(t *testing.T) *pvesim.Server {
	t.Helper()
	return newSimVersion(t, pvesim.Version91)
}

// newSimVersion is newSim playing a release (pvesim.Version91, Version84).
func newSimVersion(t *testing.T, version string) *pvesim.Server {
	t.Helper()
	return pvesim.NewTestServer(t, pvesim.Config{Nodes: 3, Guests: 24, Seed: 1, Version: version})
}

// forEachRelease runs test as a subtest per release pvesim plays.
func forEachRelease(t *testing.T, test func(t *testing.T, version string)) {
	t.Helper()
	for _, v := range pvesim.Versions {
		t.Run(v, func(t *testing.T) { test(t, v) })
	}
}

func simClient(t *testing.T, s *pvesim.Server, tok pvesim.Token) *proxmox.Client {
	t.Helper()
	c, err := proxmox.NewClient(proxmox.Config{
		Endpoint:    s.URL,
		TokenID:     tok.ID,
		Secret:      tok.Secret,
		Fingerprint: s.Fingerprint,
		Timeout:     5 * time.Second,
	})
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c
}

func simToken(t *testing.T, s *pvesim.Server, id string) pvesim.Token {
	t.Helper()
	for _, tok := range s.Tokens() {
		if tok.ID == id {
			return tok
		}
	}
	t.Fatalf("simulator has no token %s", id)
	return pvesim.Token{}
}

func wantKind(t *testing.T, what string, err error, kind proxmox.Kind) *proxmox.Error {
	t.Helper()
	var pe *proxmox.Error
	if !errors.As(err, &pe) || pe.Kind != kind {
		t.Fatalf("%s error = %v; want kind %s", what, err, kind)
	}
	return pe
}

func TestSimReadCalls(t *testing.T) { forEachRelease(t, testSimReadCalls) }

func testSimReadCalls(t *testing.T, version string) {
	s := newSimVersion(t, version)
	c := simClient(t, s, s.AdminToken())
	ctx := context.Background()
	pve8 := strings.HasPrefix(version, "8.")

	v, err := c.Version(ctx)
	if err != nil || v.Version != version || !strings.HasPrefix(version, v.Release+".") {
		t.Errorf("Version = %+v, %v; want version %s and its release", v, err, version)
	}

	cs, err := c.ClusterStatus(ctx)
	if err != nil {
		t.Fatalf("ClusterStatus: %v", err)
	}
	var nodesInStatus int
	for _, e := range cs {
		if e.Type == "node" {
			nodesInStatus++
			if !e.Online {
				t.Errorf("cluster status: node %s offline", e.Name)
			}
		}
	}
	if nodesInStatus != 3 {
		t.Errorf("ClusterStatus lists %d nodes; want 3", nodesInStatus)
	}

	res, err := c.Resources(ctx, "")
	if err != nil {
		t.Fatalf("Resources: %v", err)
	}
	var guests []proxmox.Resource
	for _, r := range res {
		if r.Type == "qemu" || r.Type == "lxc" {
			guests = append(guests, r)
		}
	}
	if len(guests) != 24 {
		t.Errorf("Resources lists %d guests; want 24", len(guests))
	}
	// memhost is PVE 9's: on 8.4 it decodes as 0, which means unknown.
	var withMemHost int
	for _, g := range guests {
		if g.MemHost > 0 {
			withMemHost++
		}
	}
	if (withMemHost > 0) == pve8 {
		t.Errorf("%d guests with memhost on %s", withMemHost, version)
	}
	vms, err := c.Resources(ctx, "vm")
	if err != nil || len(vms) != len(guests) {
		t.Errorf("Resources(vm) = %d entries, %v; want %d", len(vms), err, len(guests))
	}
	if _, err := c.Resources(ctx, "bogus"); !proxmox.IsKind(err, proxmox.KindInvalid) {
		t.Errorf("Resources(bogus) = %v; want KindInvalid", err)
	}

	nodes, err := c.Nodes(ctx)
	if err != nil || len(nodes) != 3 {
		t.Fatalf("Nodes = %d, %v; want 3", len(nodes), err)
	}
	for _, n := range nodes {
		st, err := c.NodeStatus(ctx, n.Node)
		if err != nil || st.Memory.Total == 0 {
			t.Errorf("NodeStatus(%s) = %+v, %v; want memory totals", n.Node, st, err)
		}
		pts, err := c.NodeRRDData(ctx, n.Node, "hour", "AVERAGE")
		if wantPts := map[bool]int{true: 70, false: 60}[pve8]; err != nil || len(pts) != wantPts {
			t.Errorf("NodeRRDData(%s) = %d points, %v; want %d", n.Node, len(pts), err, wantPts)
		}
		certs, err := c.CertificatesInfo(ctx, n.Node)
		if err != nil || len(certs) == 0 {
			t.Errorf("CertificatesInfo(%s) = %v, %v", n.Node, certs, err)
		}
		for _, kind := range []proxmox.GuestType{proxmox.QEMU, proxmox.LXC} {
			if _, err := c.Guests(ctx, n.Node, kind); err != nil {
				t.Errorf("Guests(%s, %s) = %v", n.Node, kind, err)
			}
		}
		if _, err := c.Tasks(ctx, n.Node, proxmox.TaskFilter{Limit: 10}); err != nil {
			t.Errorf("Tasks(%s) = %v", n.Node, err)
		}
	}

	g := guests[0]
	ref := proxmox.GuestRef{Node: g.Node, Type: proxmox.GuestType(g.Type), VMID: g.VMID}
	st, err := c.GuestStatus(ctx, ref)
	if err != nil || st.VMID != g.VMID || st.Status == "" {
		t.Errorf("GuestStatus(%+v) = %+v, %v", ref, st, err)
	}
	cfg, err := c.GuestConfig(ctx, ref)
	if err != nil || len(cfg) == 0 {
		t.Errorf("GuestConfig(%+v) = %v, %v", ref, cfg, err)
	}
	pts, err := c.RRDData(ctx, ref, "hour", "")
	if err != nil || len(pts) == 0 {
		t.Errorf("RRDData(%+v) = %d points, %v", ref, len(pts), err)
	}

	perms, err := c.Permissions(ctx)
	if err != nil || !perms.Has("/vms/100", "VM.PowerMgmt") {
		t.Errorf("Permissions = %v, %v; want VM.PowerMgmt on /vms/100 for the admin token", perms, err)
	}
}

// simClock is a clock for pvesim.Config.Now that moves only when told.
type simClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *simClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *simClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestSimStartGuest(t *testing.T) { forEachRelease(t, testSimStartGuest) }

func testSimStartGuest(t *testing.T, version string) {
	clock := &simClock{now: time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)}
	s := pvesim.NewTestServer(t, pvesim.Config{Nodes: 3, Guests: 24, Seed: 1, Now: clock.Now, Version: version})
	c := simClient(t, s, s.AdminToken())
	ctx := context.Background()
	vms, err := c.Resources(ctx, "vm")
	if err != nil {
		t.Fatal(err)
	}
	var ref proxmox.GuestRef
	for _, r := range vms {
		if r.Status == "stopped" && !r.Template {
			ref = proxmox.GuestRef{Node: r.Node, Type: proxmox.GuestType(r.Type), VMID: r.VMID}
			break
		}
	}
	if ref.VMID == 0 {
		t.Fatal("no stopped guest in the simulator")
	}
	upid, err := c.GuestAction(ctx, ref, proxmox.Start)
	if err != nil {
		t.Fatalf("GuestAction(%+v, start) = %v", ref, err)
	}
	info, err := proxmox.ParseUPID(string(upid))
	if err != nil || info.Node != ref.Node {
		t.Fatalf("ParseUPID(%q) = %+v, %v; want node %s", upid, info, err, ref.Node)
	}
	// The simulated start takes seconds of the simulator's time; poll as
	// the app does, a simulated second apart.
	var ts proxmox.TaskStatus
	for range 60 {
		ts, err = c.TaskStatus(ctx, ref.Node, upid)
		if err != nil {
			t.Fatalf("TaskStatus(%s) = %v", upid, err)
		}
		if !ts.Running {
			break
		}
		clock.Advance(time.Second)
	}
	if ts.Running || !ts.OK() {
		t.Fatalf("task %s = %+v; want stopped with OK", upid, ts)
	}
	log, err := c.TaskLog(ctx, ref.Node, upid)
	if err != nil || len(log) == 0 {
		t.Errorf("TaskLog(%s) = %v, %v; want lines", upid, log, err)
	}
	st, err := c.GuestStatus(ctx, ref)
	if err != nil || st.Status != "running" {
		t.Errorf("after start, GuestStatus = %q, %v; want running", st.Status, err)
	}
}

func TestSimErrors(t *testing.T) {
	s := newSim(t)
	ctx := context.Background()

	t.Run("ErrUnauthorized", func(t *testing.T) {
		tok := s.AdminToken()
		tok.Secret = "00000000-0000-4000-8000-000000000000"
		_, err := simClient(t, s, tok).Version(ctx)
		pe := wantKind(t, "Version with a wrong secret", err, proxmox.KindUnauthorized)
		if pe.Status != 401 {
			t.Errorf("status = %d; want 401", pe.Status)
		}
		if strings.Contains(err.Error(), tok.Secret) || strings.Contains(err.Error(), s.AdminToken().Secret) {
			t.Errorf("error %q contains a secret", err)
		}
	})

	t.Run("ErrFingerprint", func(t *testing.T) {
		wrong := strings.Repeat("AB:", 31) + "AB"
		tok := s.AdminToken()
		c, err := proxmox.NewClient(proxmox.Config{Endpoint: s.URL, TokenID: tok.ID, Secret: tok.Secret, Fingerprint: wrong})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Version(ctx)
		wantKind(t, "Version with a wrong fingerprint", err, proxmox.KindFingerprint)
		if msg := err.Error(); !strings.Contains(msg, wrong) || !strings.Contains(msg, s.Fingerprint) {
			t.Errorf("error %q does not name both fingerprints", msg)
		}
	})

	t.Run("ErrForbidden", func(t *testing.T) {
		c := simClient(t, s, simToken(t, s, pvesim.AuditorTokenID))
		vms, err := c.Resources(ctx, "vm")
		if err != nil || len(vms) == 0 {
			t.Fatalf("auditor Resources = %d, %v", len(vms), err)
		}
		g := vms[0]
		_, err = c.GuestAction(ctx, proxmox.GuestRef{Node: g.Node, Type: proxmox.GuestType(g.Type), VMID: g.VMID}, proxmox.Start)
		pe := wantKind(t, "auditor start", err, proxmox.KindForbidden)
		want := "Permission check failed (/vms/"
		if !strings.HasPrefix(pe.Message, want) || !strings.Contains(pe.Message, "VM.PowerMgmt") {
			t.Errorf("Message = %q; want Proxmox's %q…VM.PowerMgmt)", pe.Message, want)
		}
	})

	t.Run("ErrNodeOffline", func(t *testing.T) {
		c := simClient(t, s, s.AdminToken())
		s.SetNodeOnline("pve2", false)
		defer s.SetNodeOnline("pve2", true)
		_, err := c.NodeStatus(ctx, "pve2")
		wantKind(t, "NodeStatus(offline node)", err, proxmox.KindServer)
	})

	t.Run("ErrNotImplemented", func(t *testing.T) {
		c := simClient(t, s, s.AdminToken())
		s.SetFault("GET", "/nodes/{node}/certificates/info", 501, "Method 'GET /nodes/pve1/certificates/info' not implemented")
		defer s.SetFault("GET", "/nodes/{node}/certificates/info", 0, "")
		_, err := c.CertificatesInfo(ctx, "pve1")
		pe := wantKind(t, "CertificatesInfo with a 501 fault", err, proxmox.KindNotImplemented)
		if !strings.Contains(pe.Message, "not implemented") {
			t.Errorf("Message = %q; want Proxmox's text", pe.Message)
		}
	})

	t.Run("ErrResetContainer", func(t *testing.T) {
		c := simClient(t, s, s.AdminToken())
		_, err := c.GuestAction(ctx, proxmox.GuestRef{Node: "pve1", Type: proxmox.LXC, VMID: 200}, proxmox.Reset)
		wantKind(t, "reset of a container", err, proxmox.KindInvalid)
	})
}

func TestSimProbe(t *testing.T) { forEachRelease(t, testSimProbe) }

func testSimProbe(t *testing.T, version string) {
	s := newSimVersion(t, version)
	res, err := proxmox.Probe(context.Background(), s.URL)
	if err != nil {
		t.Fatalf("Probe(%s) = %v", s.URL, err)
	}
	if res.Fingerprint != s.Fingerprint {
		t.Errorf("Probe fingerprint = %s; want %s", res.Fingerprint, s.Fingerprint)
	}
	// The version comes from the login page, read without any credential.
	if res.Version != version {
		t.Errorf("Probe version = %q; want %s", res.Version, version)
	}
	// A default node serves pve-ssl.pem, signed by the cluster's own CA.
	if res.SelfSigned || !strings.Contains(res.Issuer, "PVE Cluster Manager CA") || res.NotAfter.Before(time.Now()) {
		t.Errorf("Probe = %v (issuer %s); want pve-ssl.pem, signed by the cluster CA, valid now", res, res.Issuer)
	}
}
