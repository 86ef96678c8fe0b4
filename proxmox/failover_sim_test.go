package proxmox_test

import (
	"context"
	"encoding/pem"
	"errors"
	"net/url"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"cecyber/proxmox"
	"cecyber/proxmox/pvesim"
)

// newNodeSim starts a three-node cluster whose nodes listen on 127.0.0.1,
// 127.0.0.2 and 127.0.0.3, each with its own certificate. Where the system
// has only 127.0.0.1 (macOS) the nodes share it on ports of their own, and
// /cluster/status cannot tell them apart: the failover tests need Linux or
// Windows there.
func newNodeSim(t *testing.T) *pvesim.Server {
	t.Helper()
	s, err := pvesim.Start(pvesim.Config{Nodes: 3, Guests: 12}, "127.0.0.1:0")
	if err != nil {
		t.Fatalf("pvesim.Start: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if u, _ := url.Parse(s.NodeURL("pve2")); u.Hostname() != "127.0.0.2" {
		if runtime.GOOS == "linux" {
			t.Fatalf("pve2 listens on %s; want 127.0.0.2", s.NodeURL("pve2"))
		}
		t.Skipf("no 127.0.0.2 on this system (pve2 is on %s)", s.NodeURL("pve2"))
	}
	return s
}

func nodePin(s *pvesim.Server, node string) proxmox.Pin {
	return proxmox.Pin{URL: s.NodeURL(node), Fingerprint: s.NodeFingerprint(node)}
}

// failoverClient talks to pve1 first, then pve2, then pve3.
func failoverClient(t *testing.T, s *pvesim.Server, timeout time.Duration) *proxmox.Client {
	t.Helper()
	tok := s.AdminToken()
	c, err := proxmox.NewClient(proxmox.Config{
		Endpoint:    s.NodeURL("pve1"),
		TokenID:     tok.ID,
		Secret:      tok.Secret,
		Fingerprint: s.NodeFingerprint("pve1"),
		Failover:    []proxmox.Pin{nodePin(s, "pve2"), nodePin(s, "pve3")},
		Timeout:     timeout,
	})
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c
}

func wantActive(t *testing.T, c *proxmox.Client, s *pvesim.Server, node string) {
	t.Helper()
	if got, want := c.Active(), s.NodeURL(node); got != want {
		t.Errorf("Active() = %s; want %s (%s)", got, want, node)
	}
}

func TestNodeEndpoints(t *testing.T) {
	t.Parallel()
	s := newNodeSim(t)
	c := simClient(t, s, s.AdminToken())
	ctx := context.Background()

	pins, err := c.NodeEndpoints(ctx, "")
	if err != nil {
		t.Fatalf("NodeEndpoints: %v", err)
	}
	if len(pins) != 3 {
		t.Fatalf("NodeEndpoints = %+v; want 3 nodes", pins)
	}
	for i, p := range pins {
		node := s.Nodes()[i]
		want := proxmox.NodePin{Node: node, URL: s.NodeURL(node), Fingerprint: s.NodeFingerprint(node)}
		if p != want {
			t.Errorf("NodeEndpoints[%d] = %+v; want %+v", i, p, want)
		}
		if p.Pin() != nodePin(s, node) {
			t.Errorf("NodePin.Pin() = %+v; want %+v", p.Pin(), nodePin(s, node))
		}
	}

	pins, err = c.NodeEndpoints(ctx, "8006")
	if err != nil || len(pins) != 3 || pins[1].URL != "https://127.0.0.2:8006" {
		t.Errorf("NodeEndpoints(8006) = %+v, %v; want pve2 at https://127.0.0.2:8006", pins, err)
	}
	if _, err := c.NodeEndpoints(ctx, "x"); !proxmox.IsKind(err, proxmox.KindInvalid) {
		t.Errorf("NodeEndpoints(\"x\") error = %v; want invalid", err)
	}

	s.SetNodeOnline("pve3", false)
	pins, err = c.NodeEndpoints(ctx, "")
	if err != nil || len(pins) != 2 || pins[0].Node != "pve1" || pins[1].Node != "pve2" {
		t.Errorf("NodeEndpoints with pve3 offline = %+v, %v; want pve1 and pve2", pins, err)
	}

	// Pinning the results lets a client reach every node.
	s.SetNodeOnline("pve3", true)
	pins, _ = c.NodeEndpoints(ctx, "")
	tok := s.AdminToken()
	for _, p := range pins {
		nc, err := proxmox.NewClient(proxmox.Config{Endpoint: p.URL, TokenID: tok.ID, Secret: tok.Secret, Fingerprint: p.Fingerprint})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := nc.Version(ctx); err != nil {
			t.Errorf("Version on %s pinned from NodeEndpoints: %v", p.Node, err)
		}
	}
}

func TestFailoverUnreachable(t *testing.T) {
	t.Parallel()
	s := newNodeSim(t)
	c := failoverClient(t, s, 5*time.Second)
	ctx := context.Background()

	if _, err := c.Version(ctx); err != nil {
		t.Fatalf("Version: %v", err)
	}
	wantActive(t, c, s, "pve1")

	s.SetNodeOnline("pve1", false)
	if _, err := c.Resources(ctx, "vm"); err != nil {
		t.Fatalf("Resources with pve1 down: %v", err)
	}
	wantActive(t, c, s, "pve2")

	s.SetNodeOnline("pve1", true)
	if _, err := c.Version(ctx); err != nil {
		t.Fatalf("Version with pve1 back: %v", err)
	}
	wantActive(t, c, s, "pve2") // sticky

	// From pve2, the order wraps around: pve3, then pve1.
	s.SetNodeOnline("pve2", false)
	s.SetNodeOnline("pve3", false)
	if _, err := c.Version(ctx); err != nil {
		t.Fatalf("Version with pve2 and pve3 down: %v", err)
	}
	wantActive(t, c, s, "pve1")

	s.SetNodeOnline("pve1", false)
	_, err := c.Version(ctx)
	wantKind(t, "Version with every node down", err, proxmox.KindUnreachable)
	if len(c.CertChanges()) != 0 {
		t.Errorf("CertChanges() = %+v; want none", c.CertChanges())
	}
}

func TestFailoverHTTPErrorStays(t *testing.T) {
	t.Parallel()
	s := newNodeSim(t)
	c := failoverClient(t, s, 5*time.Second)
	s.SetFault("GET", "/version", 500, "boom")
	_, err := c.Version(context.Background())
	wantKind(t, "Version with a fault", err, proxmox.KindServer)
	wantActive(t, c, s, "pve1")
}

func TestFailoverCertificateChange(t *testing.T) {
	t.Parallel()
	s := newNodeSim(t)
	c := failoverClient(t, s, 5*time.Second)
	ctx := context.Background()
	if _, err := c.Version(ctx); err != nil {
		t.Fatalf("Version: %v", err)
	}
	old1 := s.NodeFingerprint("pve1")

	new1 := s.RotateCertificate("pve1")
	if _, err := c.Version(ctx); err != nil {
		t.Fatalf("Version after pve1's certificate changed: %v", err)
	}
	wantActive(t, c, s, "pve2")
	changes := c.CertChanges()
	if len(changes) != 1 {
		t.Fatalf("CertChanges() = %+v; want one", changes)
	}
	ch := changes[0]
	if ch.URL != s.NodeURL("pve1") || ch.Expected != old1 || ch.Actual != new1 {
		t.Errorf("CertChange = {%s %s %s}; want {%s %s %s}", ch.URL, ch.Expected, ch.Actual, s.NodeURL("pve1"), old1, new1)
	}
	if ch.Certificate == nil || proxmox.FormatFingerprint(ch.Certificate.Raw) != new1 || ch.Certificate.Subject.CommonName != "pve1" {
		t.Errorf("CertChange.Certificate = %v; want pve1's new certificate", ch.Certificate)
	}
	// The pins stay what the user confirmed.
	if got := c.Pins()[0]; got.Fingerprint != old1 {
		t.Errorf("Pins()[0] = %+v; want the old fingerprint %s", got, old1)
	}

	// pve1 is set aside even once it is the only node left.
	s.SetNodeOnline("pve2", false)
	s.SetNodeOnline("pve3", false)
	_, err := c.Version(ctx)
	var fe *proxmox.FingerprintError
	if !errors.As(err, &fe) || fe.Expected != old1 || fe.Actual != new1 {
		t.Errorf("Version with only the changed pve1 up = %v; want its FingerprintError", err)
	}
	wantKind(t, "Version with only the changed pve1 up", err, proxmox.KindFingerprint)
	s.SetNodeOnline("pve2", true)
	s.SetNodeOnline("pve3", true)

	old2, old3 := s.NodeFingerprint("pve2"), s.NodeFingerprint("pve3")
	new2, new3 := s.RotateCertificate("pve2"), s.RotateCertificate("pve3")
	_, err = c.Version(ctx)
	if !errors.As(err, &fe) {
		t.Fatalf("Version with every certificate changed = %v; want a FingerprintError", err)
	}
	if fe.Expected != old2 || fe.Actual != new2 {
		t.Errorf("FingerprintError = {expected %s, actual %s}; want {%s %s}", fe.Expected, fe.Actual, old2, new2)
	}
	if !strings.Contains(err.Error(), old2) || !strings.Contains(err.Error(), new2) {
		t.Errorf("error %q does not name both fingerprints", err)
	}
	changes = c.CertChanges()
	if len(changes) != 3 || changes[1].Actual != new2 || changes[2].Expected != old3 || changes[2].Actual != new3 {
		t.Errorf("CertChanges() = %+v; want pve1, pve2 and pve3", changes)
	}
	// With every endpoint set aside, nothing is dialled again.
	_, err = c.Version(ctx)
	if !errors.As(err, &fe) || fe.Actual != new1 {
		t.Errorf("Version with every endpoint set aside = %v; want pve1's FingerprintError", err)
	}
}

// stoppedGuestOff returns a stopped, unlocked guest that does not live on node.
func stoppedGuestOff(t *testing.T, s *pvesim.Server, node string) proxmox.GuestRef {
	t.Helper()
	for _, g := range s.Guests() {
		if g.Status == "stopped" && !g.Template && g.Lock == "" && g.Node != node {
			return proxmox.GuestRef{Node: g.Node, Type: proxmox.GuestType(g.Type), VMID: g.VMID}
		}
	}
	t.Fatalf("no stopped guest outside %s", node)
	return proxmox.GuestRef{}
}

func TestFailoverPost(t *testing.T) {
	t.Parallel()
	s := newNodeSim(t)
	c := failoverClient(t, s, 5*time.Second)
	ctx := context.Background()
	if _, err := c.Version(ctx); err != nil { // a kept-alive connection to pve1
		t.Fatalf("Version: %v", err)
	}
	ref := stoppedGuestOff(t, s, "pve1")

	s.SetNodeOnline("pve1", false)
	upid, err := c.GuestAction(ctx, ref, proxmox.Start)
	if err != nil {
		t.Fatalf("GuestAction(start) with pve1 down: %v", err)
	}
	if _, err := proxmox.ParseUPID(string(upid)); err != nil {
		t.Errorf("GuestAction returned %q: %v", upid, err)
	}
	wantActive(t, c, s, "pve2")
}

func TestFailoverPostNotRepeated(t *testing.T) {
	t.Parallel()
	s := newNodeSim(t)
	c := failoverClient(t, s, 2*time.Second)
	ctx := context.Background()
	ref := stoppedGuestOff(t, s, "")
	// Connect to pve1 once, so that its certificate is known and the
	// POST's own connection needs one handshake, not the timeout.
	if _, err := c.Version(ctx); err != nil {
		t.Fatalf("Version: %v", err)
	}

	// pve1 receives every request and answers none until the test is
	// over: whatever the timing, the POST reached it. (A latency race
	// decided this before: the test could see either outcome.)
	release := make(chan struct{})
	var posts, pve1 atomic.Int32
	s.SetRequestHook(func(method, path, node string) {
		if method == "POST" {
			posts.Add(1)
		}
		if node == "pve1" {
			pve1.Add(1)
			<-release
		}
	})
	t.Cleanup(func() { close(release) })

	// The request may have been carried out, so it is not sent again.
	_, err := c.GuestAction(ctx, ref, proxmox.Start)
	wantKind(t, "GuestAction(start) on a slow pve1", err, proxmox.KindTimeout)
	var pe *proxmox.Error
	if errors.As(err, &pe) && pe.Host != strings.TrimPrefix(s.NodeURL("pve1"), "https://") {
		t.Errorf("error names %s; want pve1, which did not answer", pe.Host)
	}
	wantActive(t, c, s, "pve1")
	if n := posts.Load(); n != 1 {
		t.Errorf("%d POSTs reached the cluster; want 1 (no second start elsewhere)", n)
	}
	if st, _ := s.GuestStatus(ref.VMID); st != "stopped" {
		t.Errorf("guest %d is %s; want it still stopped (no second start elsewhere)", ref.VMID, st)
	}

	// A read on the slow node times out and moves on.
	if _, err := c.Version(ctx); err != nil {
		t.Fatalf("Version on a slow pve1: %v", err)
	}
	wantActive(t, c, s, "pve2")
	if n := pve1.Load(); n != 2 {
		t.Errorf("pve1 received %d requests; want the POST and the read", n)
	}
}

func TestFailoverConfig(t *testing.T) {
	t.Parallel()
	s := newNodeSim(t)
	tok := s.AdminToken()
	base := proxmox.Config{Endpoint: s.NodeURL("pve1"), TokenID: tok.ID, Secret: tok.Secret, Fingerprint: s.NodeFingerprint("pve1")}

	cfg := base
	cfg.Failover = []proxmox.Pin{
		nodePin(s, "pve1"), // repeats Endpoint
		{URL: strings.TrimPrefix(s.NodeURL("pve2"), "https://"), Fingerprint: strings.ToLower(s.NodeFingerprint("pve2"))},
		nodePin(s, "pve2"),
	}
	c, err := proxmox.NewClient(cfg)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	want := []proxmox.Pin{nodePin(s, "pve1"), nodePin(s, "pve2")}
	if got := c.Pins(); len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("Pins() = %+v; want %+v", got, want)
	}
	if c.Active() != s.NodeURL("pve1") || c.Endpoint() != s.NodeURL("pve1") {
		t.Errorf("Active() = %s, Endpoint() = %s; want pve1", c.Active(), c.Endpoint())
	}
	if d := c.DialerFor(s.NodeURL("pve2")); d == nil || d.Fingerprint() != s.NodeFingerprint("pve2") {
		t.Errorf("DialerFor(pve2) = %v; want pve2's dialer", d)
	}
	if d := c.DialerFor("https://127.0.0.99:8006"); d != nil {
		t.Errorf("DialerFor(unknown) = %v; want nil", d)
	}

	for name, pins := range map[string][]proxmox.Pin{
		"BadURL":         {{URL: "http://127.0.0.2:8006", Fingerprint: s.NodeFingerprint("pve2")}},
		"BadFingerprint": {{URL: s.NodeURL("pve2"), Fingerprint: "AB:CD"}},
		"TwoPins":        {{URL: s.NodeURL("pve1"), Fingerprint: s.NodeFingerprint("pve2")}},
	} {
		cfg := base
		cfg.Failover = pins
		if _, err := proxmox.NewClient(cfg); !proxmox.IsKind(err, proxmox.KindInvalid) {
			t.Errorf("%s: NewClient error = %v; want invalid", name, err)
		}
	}
}

// TestNodeEndpointsPinTheServedCertificate: each node is pinned to the
// certificate its pveproxy serves, pveproxy-ssl.pem when the node has a
// custom one, else pve-ssl.pem, and never to the cluster CA that
// certificates/info lists first.
func TestNodeEndpointsPinTheServedCertificate(t *testing.T) {
	t.Parallel()
	for _, custom := range []bool{false, true} {
		s, err := pvesim.Start(pvesim.Config{Nodes: 3, Guests: 3, CustomCertificates: custom}, "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		block, _ := pem.Decode(s.ClusterCA())
		caFP := pvesim.Fingerprint(block.Bytes)
		pins, err := simClient(t, s, s.AdminToken()).NodeEndpoints(context.Background(), "")
		if err != nil || len(pins) != 3 {
			t.Fatalf("custom=%v: NodeEndpoints = %+v, %v", custom, pins, err)
		}
		for _, p := range pins {
			if p.Fingerprint == caFP || p.Fingerprint != s.NodeFingerprint(p.Node) {
				t.Errorf("custom=%v: %s pinned to %s; want the served %s (CA %s)", custom, p.Node, p.Fingerprint, s.NodeFingerprint(p.Node), caFP)
			}
		}
	}
}
