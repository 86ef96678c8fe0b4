package metrics_test

import (
	"context"
	"slices"
	"testing"

	"cecyber/proxmox"
)

// TestTargetsAndDeleteCluster: Targets lists what a cluster has history
// for; DeleteCluster drops it, and no other cluster's.
func TestTargetsAndDeleteCluster(t *testing.T) {
	ctx := context.Background()
	s, _ := mustOpen(t, "")
	node := proxmox.Resource{ID: "node/pve1", Type: "node", Node: "pve1", Status: "online", CPU: 0.1, MaxCPU: 4, Mem: 1 << 30, MaxMem: 8 << 30}
	for _, c := range []string{"a", "b"} {
		if _, err := s.Ingest(ctx, c, t0, []proxmox.Resource{node, guest("qemu/100", 0.5, 100, 1000)}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Targets(ctx, "a")
	if err != nil || !slices.Equal(got, []string{"node/pve1", "qemu/100"}) {
		t.Fatalf("Targets(a) = %v, %v; want node/pve1 and qemu/100", got, err)
	}
	if err := s.DeleteCluster(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Targets(ctx, "a"); err != nil || len(got) != 0 {
		t.Errorf("Targets(a) after DeleteCluster = %v, %v; want none", got, err)
	}
	if got, _ := s.Targets(ctx, "b"); len(got) != 2 {
		t.Errorf("Targets(b) after deleting a = %v; want b's two", got)
	}
}
