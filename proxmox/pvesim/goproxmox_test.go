package pvesim_test

import (
	"context"
	"crypto/tls"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/luthermonson/go-proxmox"

	"cecyber/proxmox/pvesim"
)

// TestGoProxmoxClient drives the simulator with go-proxmox's own high-level
// API, unmodified, to show that a third-party Proxmox client accepts it.
// The same check by hand:
//
//	curl --cacert cert.pem -H "Authorization: PVEAPIToken=root@pam!cecyber=SECRET" \
//	    https://127.0.0.1:PORT/api2/json/cluster/resources
func TestGoProxmoxClient(t *testing.T) {
	t.Parallel()
	for _, version := range pvesim.Versions {
		t.Run(version, func(t *testing.T) {
			t.Parallel()
			testGoProxmoxClient(t, version)
		})
	}
}

func testGoProxmoxClient(t *testing.T, version string) {
	srv := pvesim.NewTestServer(t, pvesim.Config{Version: version})
	tok := srv.AdminToken()
	// Pinned to the simulator's certificate through RootCAs, with
	// normal chain verification.
	hc := &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: srv.CertPool(), MinVersion: tls.VersionTLS12}},
	}
	client := proxmox.NewClient(srv.URL+"/api2/json", proxmox.WithAPIToken(tok.ID, tok.Secret), proxmox.WithHTTPClient(hc))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	v, err := client.Version(ctx)
	if err != nil {
		t.Fatalf("Version: %v", err)
	}
	if !strings.HasPrefix(version, v.Release+".") || v.Version != version {
		t.Errorf("Version = %+v; want version %s and its release", v, version)
	}

	cluster, err := client.Cluster(ctx)
	if err != nil {
		t.Fatalf("Cluster: %v", err)
	}
	if cluster.Name != "demo" || len(cluster.Nodes) != 3 || cluster.Quorate != 1 {
		t.Errorf("Cluster = name %q, %d nodes, quorate %d; want demo, 3, 1", cluster.Name, len(cluster.Nodes), cluster.Quorate)
	}
	rs, err := cluster.Resources(ctx)
	if err != nil {
		t.Fatalf("Resources: %v", err)
	}
	var vms, nodes int
	var stoppedVM *proxmox.ClusterResource
	for _, r := range rs {
		switch r.Type {
		case "qemu", "lxc":
			vms++
			if r.Type == "qemu" && r.Status == "stopped" && r.Template == 0 && stoppedVM == nil {
				stoppedVM = r
			}
		case "node":
			nodes++
		}
	}
	if vms != 24 || nodes != 3 || stoppedVM == nil {
		t.Fatalf("Resources: %d guests, %d nodes, stopped VM %v; want 24, 3, one", vms, nodes, stoppedVM)
	}

	nodeStatuses, err := client.Nodes(ctx)
	if err != nil || len(nodeStatuses) != 3 {
		t.Fatalf("Nodes = %d, %v", len(nodeStatuses), err)
	}

	node, err := client.Node(ctx, stoppedVM.Node)
	if err != nil {
		t.Fatalf("Node(%s): %v", stoppedVM.Node, err)
	}
	if node.CPUInfo.CPUs == 0 || node.Memory.Total == 0 {
		t.Errorf("Node status = %+v; want CPU and memory", node)
	}
	vm, err := node.VirtualMachine(ctx, int(stoppedVM.VMID))
	if err != nil {
		t.Fatalf("VirtualMachine(%d): %v", stoppedVM.VMID, err)
	}
	if vm.Status != "stopped" || vm.Name != stoppedVM.Name || vm.VirtualMachineConfig == nil || vm.VirtualMachineConfig.Name != vm.Name {
		t.Errorf("VirtualMachine = status %q name %q config %+v", vm.Status, vm.Name, vm.VirtualMachineConfig)
	}
	task, err := vm.Start(ctx)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	if err := task.Wait(ctx, 250*time.Millisecond, 20*time.Second); err != nil {
		t.Fatalf("Wait: %v", err)
	}
	if !task.IsSuccessful || task.ExitStatus != "OK" {
		t.Errorf("start task = %+v; want successful", task)
	}
	if err := vm.Ping(ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	if vm.Status != "running" {
		t.Errorf("VM after start: status %q; want running", vm.Status)
	}

	cts, err := node.Containers(ctx)
	if err != nil {
		t.Fatalf("Containers: %v", err)
	}
	for _, ct := range cts {
		c, err := node.Container(ctx, int(ct.VMID))
		if err != nil {
			t.Errorf("Container(%d): %v", ct.VMID, err)
			continue
		}
		if c.Name != ct.Name {
			t.Errorf("Container(%d).Name = %q; want %q", ct.VMID, c.Name, ct.Name)
		}
	}

	// Errors come back the way go-proxmox expects them from Proxmox.
	if _, err := node.VirtualMachine(ctx, 999999); err == nil || err.Error() != "500 Configuration file 'nodes/"+node.Name+"/qemu-server/999999.conf' does not exist" {
		t.Errorf("VirtualMachine(999999) error = %v", err)
	}
	limited, _ := srv.Token(pvesim.LimitedTokenID)
	lc := proxmox.NewClient(srv.APIURL(), proxmox.WithAPIToken(limited.ID, limited.Secret), proxmox.WithHTTPClient(hc))
	lcl, err := lc.Cluster(ctx) // go-proxmox tolerates the 403 of /cluster/status
	if err != nil {
		t.Fatalf("limited Cluster: %v", err)
	}
	lrs, err := lcl.Resources(ctx)
	var guests []uint64
	nodeRows := 0
	for _, r := range lrs {
		switch r.Type {
		case "qemu", "lxc":
			guests = append(guests, r.VMID)
		case "node":
			nodeRows++ // every node is listed, without figures
			if r.MaxMem != 0 {
				t.Errorf("limited token sees node %s's memory", r.Node)
			}
		}
	}
	if err != nil || len(guests) != 1 || guests[0] != 101 || nodeRows != 3 {
		t.Errorf("limited Resources: guests %v, %d nodes, %v; want only guest 101 and the 3 nodes", guests, nodeRows, err)
	}
}
