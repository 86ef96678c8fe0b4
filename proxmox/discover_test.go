package proxmox_test

import (
	"context"
	"strings"
	"testing"

	"cecyber/proxmox"
	"cecyber/proxmox/pvesim"
)

// TestDiscover: a trusted cluster tells its name, which node answered, and
// the other nodes' pinned endpoints; a token that may not list them still
// connects, without failover, and says why.
func TestDiscover(t *testing.T) {
	s := newSim(t)
	tok := s.AdminToken()
	cfg := proxmox.Config{Endpoint: s.URL, TokenID: tok.ID, Secret: tok.Secret, Fingerprint: s.Fingerprint}
	d, err := proxmox.Discover(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Discover() error = %v", err)
	}
	if d.ClusterName != "demo" || d.Nodes[s.URL] != "pve1" || d.NoFailover != nil {
		t.Errorf("Discover() = name %q, nodes %v, noFailover %v; want demo, %s on pve1", d.ClusterName, d.Nodes, d.NoFailover, s.URL)
	}
	if got := strings.Join(d.NodeNames, ","); got != "pve1,pve2,pve3" {
		t.Errorf("Discover() NodeNames = %q; want pve1,pve2,pve3", got)
	}
	if len(d.Config.Failover) != 2 {
		t.Fatalf("failover pins %+v; want the two other nodes", d.Config.Failover)
	}
	for _, p := range d.Config.Failover {
		if p.Fingerprint == "" || d.Nodes[p.URL] == "" || d.Nodes[p.URL] == "pve1" {
			t.Errorf("failover pin %+v (node %q); want another node, pinned", p, d.Nodes[p.URL])
		}
	}
	if d.Config.Secret != tok.Secret || d.Config.Endpoint != s.URL {
		t.Error("Discover changed the endpoint or the secret")
	}

	ro := simToken(t, s, pvesim.AuditorTokenID)
	cfg.TokenID, cfg.Secret = ro.ID, ro.Secret
	if _, err := proxmox.Discover(context.Background(), cfg); err != nil {
		t.Errorf("Discover() with the auditor token: %v", err)
	}

	cfg.Secret = "wrong"
	if _, err := proxmox.Discover(context.Background(), cfg); !proxmox.IsKind(err, proxmox.KindUnauthorized) {
		t.Errorf("Discover() with a wrong secret = %v; want unauthorized", err)
	}
}
