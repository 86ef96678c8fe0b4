package proxmox_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"cecyber/proxmox"
)

// TestVNCProxyEndpointIsTheOneThatAnswered: the client fails over to
// another node while pve1 is still issuing a console ticket. The ticket
// must name pve1, whose VNC listener it opens, not the client's endpoint of
// the moment (the vncwebsocket would otherwise go to the wrong node):
// VNCProxy takes it from the request that answered, never from Active.
func TestVNCProxyEndpointIsTheOneThatAnswered(t *testing.T) {
	t.Parallel()
	s := newNodeSim(t)
	c := failoverClient(t, s, 5*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	ref := proxmox.GuestRef{Node: "pve1", Type: proxmox.QEMU, VMID: 100}
	for _, g := range s.Guests() {
		if g.Node == "pve1" && g.Type == "qemu" && g.Status == "running" {
			ref.VMID = g.VMID
			break
		}
	}

	var failedOver error
	var activeMeanwhile string
	s.SetRequestHook(func(method, path, node string) {
		if method != "POST" || !strings.HasSuffix(path, "/vncproxy") || node != "pve1" {
			return
		}
		s.SetRequestHook(nil)
		// pve1 stops taking new connections (this request goes on), and
		// another request of the same client fails over to pve2.
		if err := s.SetNodeAccepting("pve1", false); err != nil {
			failedOver = err
			return
		}
		_, failedOver = c.Version(ctx)
		activeMeanwhile = c.Active()
	})
	tk, err := c.VNCProxy(ctx, ref)
	if err != nil {
		t.Fatalf("VNCProxy: %v", err)
	}
	if failedOver != nil {
		t.Fatalf("the request that should fail over: %v", failedOver)
	}
	if activeMeanwhile != s.NodeURL("pve2") {
		t.Errorf("while pve1 issued the ticket the client moved to %s; want pve2", activeMeanwhile)
	}
	if tk.Endpoint != s.NodeURL("pve1") {
		t.Errorf("ticket endpoint = %s; want pve1's %s, which issued it", tk.Endpoint, s.NodeURL("pve1"))
	}
	u, err := c.VNCWebSocketURL(ref, tk)
	if err != nil || !strings.HasPrefix(u, "wss://"+strings.TrimPrefix(s.NodeURL("pve1"), "https://")+"/") {
		t.Errorf("VNCWebSocketURL = %q, %v; want it on pve1", u, err)
	}
}
