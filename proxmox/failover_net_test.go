package proxmox_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"cecyber/proxmox"
	"cecyber/proxmox/pvesim"
)

// hostOfNode is node's "127.0.0.k:PORT".
func hostOfNode(s *pvesim.Server, node string) string {
	return strings.TrimPrefix(s.NodeURL(node), "https://")
}

// TestFailoverCutShort: an answer that is empty or ends in the middle is
// no answer: a read goes on to the next node, and is not taken for a
// server that speaks something other than Proxmox.
func TestFailoverCutShort(t *testing.T) {
	t.Parallel()
	for _, mode := range []pvesim.CutMode{pvesim.CutEmpty, pvesim.CutHalf} {
		t.Run(fmt.Sprint("mode", mode), func(t *testing.T) {
			s := newNodeSim(t)
			c := failoverClient(t, s, 10*time.Second)
			ctx := context.Background()
			s.SetCutShort("pve1", "/cluster/resources", mode)
			res, err := c.Resources(ctx, "")
			if err != nil {
				t.Fatalf("Resources with pve1 cutting its answer short: %v", err)
			}
			if len(res) == 0 {
				t.Error("Resources returned nothing")
			}
			wantActive(t, c, s, "pve2")

			// Every node cuts it short: the error names the node the
			// client was using (pve2), says why, and lists the others.
			s.SetCutShort("", "/cluster/resources", mode)
			_, err = c.Resources(ctx, "")
			wantKind(t, "Resources cut short everywhere", err, proxmox.KindUnreachable)
			var pe *proxmox.Error
			if !errors.As(err, &pe) || pe.Host != hostOfNode(s, "pve2") || !errors.Is(err, proxmox.ErrCutShort) {
				t.Fatalf("error = %#v (%v); want pve2's, cut short", pe, err)
			}
			if len(pe.Also) != 2 || !strings.HasPrefix(pe.Also[0], hostOfNode(s, "pve3")) || !strings.HasPrefix(pe.Also[1], hostOfNode(s, "pve1")) {
				t.Errorf("Also = %q; want pve3 then pve1", pe.Also)
			}
			if strings.Contains(err.Error(), "Proxmox VE node?") {
				t.Errorf("error %q asks whether this is a Proxmox node at all", err)
			}
		})
	}
}

// TestFailoverCutShortPostNotRepeated: a POST whose answer was cut short
// reached a node that may have acted on it: it is not sent again to
// another node, and the error names the node that cut it short.
func TestFailoverCutShortPostNotRepeated(t *testing.T) {
	t.Parallel()
	s := newNodeSim(t)
	c := failoverClient(t, s, 10*time.Second)
	ref := stoppedGuestOff(t, s, "")
	var posts atomic.Int32
	s.SetRequestHook(func(method, path, node string) {
		if method == "POST" {
			posts.Add(1)
		}
	})
	s.SetCutShort("pve1", "/nodes/{node}/{type}/{vmid}/status/start", pvesim.CutHalf)
	_, err := c.GuestAction(context.Background(), ref, proxmox.Start)
	wantKind(t, "GuestAction(start) cut short", err, proxmox.KindUnreachable)
	var pe *proxmox.Error
	if !errors.As(err, &pe) || pe.Host != hostOfNode(s, "pve1") || len(pe.Also) != 0 {
		t.Errorf("error = %v; want pve1's alone", err)
	}
	if n := posts.Load(); n != 1 {
		t.Errorf("%d POSTs reached the cluster; want exactly 1", n)
	}
	wantActive(t, c, s, "pve1")
}

// TestFailoverHangingNode: a node that accepts connections but never
// completes their TLS handshake is left after the connect timeout, well
// within the request's own timeout, and the next node answers. The whole
// call has less time than one request timeout: if the client waited out
// the request timeout on the hanging node, the caller's deadline would
// end the call first.
func TestFailoverHangingNode(t *testing.T) {
	t.Parallel()
	s := newNodeSim(t)
	tok := s.AdminToken()
	c, err := proxmox.NewClient(proxmox.Config{
		Endpoint: s.NodeURL("pve1"), TokenID: tok.ID, Secret: tok.Secret, Fingerprint: s.NodeFingerprint("pve1"),
		Failover: []proxmox.Pin{nodePin(s, "pve2"), nodePin(s, "pve3")},
		Timeout:  time.Minute,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s.SetNodeHanging("pve1", true)
	defer s.SetNodeHanging("pve1", false)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	start := time.Now()
	if _, err := c.Version(ctx); err != nil {
		t.Fatalf("Version with pve1 hanging: %v", err)
	}
	t.Logf("pve1 hanging: pve2 answered after %v (connect timeout %v)", time.Since(start).Round(time.Millisecond), proxmox.DefaultConnectTimeout)
	wantActive(t, c, s, "pve2")
}

// TestFailoverErrorNamesHangingNode: when nothing answers, the error is
// the node the client was using (here: it hangs), not the last one tried.
func TestFailoverErrorNamesHangingNode(t *testing.T) {
	t.Parallel()
	s := newNodeSim(t)
	tok := s.AdminToken()
	c, err := proxmox.NewClient(proxmox.Config{
		Endpoint: s.NodeURL("pve1"), TokenID: tok.ID, Secret: tok.Secret, Fingerprint: s.NodeFingerprint("pve1"),
		Failover:       []proxmox.Pin{nodePin(s, "pve2"), nodePin(s, "pve3")},
		Timeout:        time.Minute,
		ConnectTimeout: time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s.SetNodeHanging("pve1", true)
	defer s.SetNodeHanging("pve1", false)
	s.SetNodeOnline("pve2", false)
	s.SetNodeOnline("pve3", false)

	_, err = c.Version(context.Background())
	wantKind(t, "Version with pve1 hanging and the others down", err, proxmox.KindTimeout)
	var pe *proxmox.Error
	if !errors.As(err, &pe) || pe.Host != hostOfNode(s, "pve1") {
		t.Fatalf("error = %v; want pve1's", err)
	}
	if !strings.Contains(err.Error(), hostOfNode(s, "pve1")) || !strings.Contains(err.Error(), hostOfNode(s, "pve3")) {
		t.Errorf("error %q does not name pve1 first and the others after", err)
	}

	// The cluster answers again: the very next request gets through.
	s.SetNodeOnline("pve3", true)
	if _, err := c.Version(context.Background()); err != nil {
		t.Fatalf("Version once pve3 is back: %v", err)
	}
	wantActive(t, c, s, "pve3")
}

// TestClientClose: Close releases the client's connections and refuses
// later requests.
func TestClientClose(t *testing.T) {
	t.Parallel()
	s := newNodeSim(t)
	c := failoverClient(t, s, 10*time.Second)
	if _, err := c.Version(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	_, err := c.Version(context.Background())
	if !errors.Is(err, proxmox.ErrClosed) {
		t.Errorf("Version after Close = %v; want ErrClosed", err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
}
