package proxmox_test

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"cecyber/proxmox"
	"cecyber/proxmox/pvesim"
	"cecyber/proxmox/pvesim/memnet"
)

// memSim is a simulator served over TLS on an in-memory network, inside
// the caller's synctest bubble.
type memSim struct {
	*pvesim.Sim
	net         *memnet.Network
	url         string
	fingerprint string
	requests    atomic.Int32 // requests that reached the handler
	hold        atomic.Bool  // requests get no answer until they are cancelled
	dials       atomic.Int32 // raw connections made through the hook
}

func startMemSim(t *testing.T, cfg pvesim.Config) *memSim {
	t.Helper()
	sim := pvesim.New(cfg)
	node := sim.Nodes()[0]
	tlsCfg, _ := sim.TLSConfig(node)
	_, fp, _ := sim.NodeCertificate(node)
	s := &memSim{Sim: sim, net: &memnet.Network{}, url: "https://127.0.0.1:8006", fingerprint: fp}
	ln, err := s.net.Listen("127.0.0.1:8006")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(memnet.ServeTLS(ln, tlsCfg, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		if s.hold.Load() {
			<-r.Context().Done()
			return
		}
		sim.ServeHTTP(w, r)
	})))
	return s
}

func (s *memSim) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	s.dials.Add(1)
	return s.net.DialContext(ctx, network, addr)
}

func (s *memSim) client(t *testing.T, fingerprint string) *proxmox.Client {
	t.Helper()
	tok := s.AdminToken()
	c, err := proxmox.NewClient(proxmox.Config{Endpoint: s.url, TokenID: tok.ID, Secret: tok.Secret,
		Fingerprint: fingerprint, DialContext: s.dial})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// TestDialContextInBubble: with Config.DialContext the client runs whole
// inside a synctest bubble, over the same pinned TLS as over a socket;
// the bubble's clock bounds its requests.
func TestDialContextInBubble(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := startMemSim(t, pvesim.Config{Nodes: 1, Guests: 2, Seed: 1})
		c := s.client(t, s.fingerprint)
		v, err := c.Version(t.Context())
		if err != nil {
			t.Fatalf("Version over memnet: %v", err)
		}
		if v.Version == "" {
			t.Error("Version is empty")
		}
		if _, err := c.Resources(t.Context(), ""); err != nil {
			t.Fatalf("Resources: %v", err)
		}
		// The first connection learns the certificate (one handshake
		// that sends nothing) and is pinned on the second; the kept-alive
		// connection then serves the second request.
		if got := s.dials.Load(); got != 2 {
			t.Errorf("%d raw dials; want 2", got)
		}

		// A server that does not answer: the request's timeout, on the
		// bubble's clock, ends it.
		ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
		defer cancel()
		start := time.Now()
		s.hold.Store(true)
		_, err = c.Nodes(ctx)
		s.hold.Store(false)
		if !proxmox.IsKind(err, proxmox.KindTimeout) || time.Since(start) != 2*time.Second {
			t.Errorf("Nodes on a server that does not answer = %v after %v; want a timeout after 2s", err, time.Since(start))
		}
	})
}

// TestDialContextStillPins: the hook replaces the socket, not the trust. A
// client pinned to another fingerprint fails with a FingerprintError and
// no request reaches the server.
func TestDialContextStillPins(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := startMemSim(t, pvesim.Config{Nodes: 1, Guests: 1})
		other := pvesim.New(pvesim.Config{Nodes: 1, Guests: 1})
		_, otherFP, _ := other.NodeCertificate(other.Nodes()[0])
		c := s.client(t, otherFP)
		_, err := c.Version(t.Context())
		var fe *proxmox.FingerprintError
		if !proxmox.IsKind(err, proxmox.KindFingerprint) || !errors.As(err, &fe) {
			t.Fatalf("Version with the wrong pin = %v; want a fingerprint error", err)
		}
		if fe.Actual != s.fingerprint {
			t.Errorf("FingerprintError.Actual = %s; want the server's %s", fe.Actual, s.fingerprint)
		}
		if n := s.requests.Load(); n != 0 {
			t.Errorf("%d requests reached the server through a certificate that is not pinned", n)
		}
	})
}

// TestConfigJSONWithDialHook: a Config with a hook still marshals (a
// function cannot), without the hook and without the secret.
func TestConfigJSONWithDialHook(t *testing.T) {
	var n memnet.Network
	b, err := json.Marshal(proxmox.Config{Endpoint: "https://127.0.0.1:8006", Secret: "s3cret-value", DialContext: n.DialContext})
	if err != nil {
		t.Fatalf("json.Marshal(Config) with DialContext: %v", err)
	}
	if s := string(b); strings.Contains(s, "s3cret-value") || strings.Contains(s, "DialContext") || !strings.Contains(s, "127.0.0.1:8006") {
		t.Errorf("Config as JSON = %s", s)
	}
}
