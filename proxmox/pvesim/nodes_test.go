package pvesim

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"slices"
	"syscall"
	"testing"
	"time"
)

// newNodeServer starts a three-node cluster, one loopback address per node.
// Linux and Windows route all of 127.0.0.0/8 to loopback without setup;
// macOS configures only 127.0.0.1, where Start gives each node a port
// instead (TestSharedAddress).
func newNodeServer(t *testing.T) *Server {
	t.Helper()
	srv, err := Start(Config{Nodes: 3, Guests: 6}, "127.0.0.1:0")
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	if srv.NodeURL("pve2") == "https://"+net.JoinHostPort("127.0.0.2", portOf(t, srv.URL)) {
		return srv
	}
	if runtime.GOOS == "linux" {
		t.Fatalf("pve2 listens on %s; want 127.0.0.2 on the first node's port", srv.NodeURL("pve2"))
	}
	t.Skipf("this system has no 127.0.0.2 (pve2 is on %s): one address per node is tested on Linux", srv.NodeURL("pve2"))
	return nil
}

func portOf(t *testing.T, rawURL string) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Port()
}

// handshake completes a TLS handshake with addr trusting only certPEM, with
// the host name checked against the address, and returns the certificate
// the server presented.
func handshake(t *testing.T, rawURL string, certPEM []byte) (*x509.Certificate, error) {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	d := &tls.Dialer{Config: &tls.Config{RootCAs: pool, ServerName: u.Hostname(), MinVersion: tls.VersionTLS12}}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := d.DialContext(ctx, "tcp", u.Host)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	return conn.(*tls.Conn).ConnectionState().PeerCertificates[0], nil
}

// nodeGet is get on a given node's listener.
func nodeGet(t *testing.T, srv *Server, node, path string, v any) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.NodeURL(node)+apiPrefix+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	tok := srv.AdminToken()
	req.Header.Set("Authorization", "PVEAPIToken="+tok.ID+"="+tok.Secret)
	r := doRequest(t, srv, req)
	if v != nil && r.status == http.StatusOK {
		if err := json.Unmarshal(r.data, v); err != nil {
			t.Fatalf("GET %s on %s: decode: %v", path, node, err)
		}
	}
	return r
}

type statusEntry struct {
	Type   string `json:"type"`
	Name   string `json:"name"`
	IP     string `json:"ip"`
	Local  int    `json:"local"`
	Online int    `json:"online"`
}

func TestNodeListeners(t *testing.T) {
	t.Parallel()
	srv := newNodeServer(t)
	_, port, _ := net.SplitHostPort(srv.URL[len("https://"):])
	if srv.NodeURL("pve1") != srv.URL {
		t.Errorf("NodeURL(pve1) = %q; want URL %q", srv.NodeURL("pve1"), srv.URL)
	}
	if srv.NodeFingerprint("pve1") != srv.Fingerprint {
		t.Errorf("NodeFingerprint(pve1) = %q; want Fingerprint %q", srv.NodeFingerprint("pve1"), srv.Fingerprint)
	}
	if got := srv.NodeURL("pve9"); got != "" {
		t.Errorf("NodeURL(pve9) = %q; want \"\"", got)
	}
	seen := map[string]bool{}
	for i, node := range []string{"pve1", "pve2", "pve3"} {
		ip := net.IPv4(127, 0, 0, byte(i+1)).String()
		if got, want := srv.NodeURL(node), "https://"+net.JoinHostPort(ip, port); got != want {
			t.Errorf("NodeURL(%s) = %q; want %q", node, got, want)
		}
		certPEM, fp, _ := srv.NodeCertificate(node)
		if seen[fp] {
			t.Errorf("node %s shares its certificate with another node", node)
		}
		seen[fp] = true
		// Verifying with the node's own certificate as the only root and
		// the IP as server name checks both the certificate and its SAN.
		leaf, err := handshake(t, srv.NodeURL(node), certPEM)
		if err != nil {
			t.Fatalf("handshake with %s: %v", node, err)
		}
		if got := Fingerprint(leaf.Raw); got != fp || got != srv.NodeFingerprint(node) {
			t.Errorf("%s presents %s; want %s", node, got, fp)
		}
		if !slices.Contains(leaf.DNSNames, node) {
			t.Errorf("%s certificate DNS names %v lack %s", node, leaf.DNSNames, node)
		}

		var status []statusEntry
		if r := nodeGet(t, srv, node, "/cluster/status", &status); r.status != http.StatusOK {
			t.Fatalf("GET /cluster/status on %s: %d %s", node, r.status, r.reason)
		}
		for j, e := range status[1:] {
			wantIP := net.IPv4(127, 0, 0, byte(j+1)).String()
			if e.IP != wantIP {
				t.Errorf("on %s, /cluster/status ip of %s = %q; want %q", node, e.Name, e.IP, wantIP)
			}
			if wantLocal := boolInt(e.Name == node); e.Local != wantLocal {
				t.Errorf("on %s, /cluster/status local of %s = %d; want %d", node, e.Name, e.Local, wantLocal)
			}
		}
	}
}

// TestStartLoopbackOnly: the simulator refuses to serve anywhere but
// loopback, and "localhost" is 127.0.0.1.
func TestStartLoopbackOnly(t *testing.T) {
	t.Parallel()
	for _, addr := range []string{"0.0.0.0:0", "[::]:0", "example.com:0", "127.0.0.1", "127.0.0.254:0"} {
		if srv, err := Start(Config{Nodes: 3}, addr); err == nil {
			srv.Close()
			t.Errorf("Start(%q) succeeded; want an error", addr)
		}
	}
	srv, err := Start(Config{Nodes: 1, Guests: -1}, "localhost:0")
	if err != nil {
		t.Fatalf("Start(localhost:0): %v", err)
	}
	defer srv.Close()
	if u, _ := url.Parse(srv.URL); u.Hostname() != "127.0.0.1" {
		t.Errorf("URL = %s; want 127.0.0.1", srv.URL)
	}
}

// TestSharedAddress: with one address for the whole cluster (what macOS
// offers), every node still has its own listener and certificate, on a
// port of its own, and /cluster/status names only that address.
func TestSharedAddress(t *testing.T) {
	t.Parallel()
	for _, addr := range []string{"127.0.0.1:0", "[::1]:0"} {
		t.Run(addr, func(t *testing.T) {
			srv, err := Start(Config{Nodes: 3, Guests: 6, SharedAddress: true}, addr)
			if err != nil {
				if addr == "[::1]:0" {
					t.Skipf("no IPv6 loopback here: %v", err)
				}
				t.Fatalf("Start: %v", err)
			}
			defer srv.Close()
			host, _, _ := net.SplitHostPort(addr)
			ports := map[string]bool{}
			for _, node := range []string{"pve1", "pve2", "pve3"} {
				u, err := url.Parse(srv.NodeURL(node))
				if err != nil || u.Hostname() != host {
					t.Fatalf("NodeURL(%s) = %q; want host %s", node, srv.NodeURL(node), host)
				}
				if ports[u.Port()] {
					t.Errorf("%s shares port %s with another node", node, u.Port())
				}
				ports[u.Port()] = true
				certPEM, fp, _ := srv.NodeCertificate(node)
				leaf, err := handshake(t, srv.NodeURL(node), certPEM)
				if err != nil {
					t.Fatalf("handshake with %s: %v", node, err)
				}
				if Fingerprint(leaf.Raw) != fp {
					t.Errorf("%s presents another certificate than NodeCertificate's", node)
				}
				var status []statusEntry
				if r := nodeGet(t, srv, node, "/cluster/status", &status); r.status != http.StatusOK {
					t.Fatalf("GET /cluster/status on %s: %d %s", node, r.status, r.reason)
				}
				for _, e := range status[1:] {
					if e.IP != net.ParseIP(host).String() {
						t.Errorf("on %s, /cluster/status ip of %s = %q; want %s", node, e.Name, e.IP, host)
					}
				}
			}
		})
	}
}

func TestRotateCertificate(t *testing.T) {
	t.Parallel()
	srv := newNodeServer(t)
	oldPEM, oldFP, _ := srv.NodeCertificate("pve2")
	otherFP := srv.NodeFingerprint("pve3")
	// A connection made before the change is closed, as pveproxy restarts
	// after `pvenode cert set`.
	u, _ := url.Parse(srv.NodeURL("pve2"))
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(oldPEM)
	before, err := tls.Dial("tcp", u.Host, &tls.Config{RootCAs: pool, ServerName: u.Hostname(), MinVersion: tls.VersionTLS12})
	if err != nil {
		t.Fatalf("handshake before rotation: %v", err)
	}
	defer before.Close()

	newFP := srv.RotateCertificate("pve2")
	if newFP == "" || newFP == oldFP {
		t.Fatalf("RotateCertificate(pve2) = %q; want a new fingerprint (old %s)", newFP, oldFP)
	}
	if got := srv.NodeFingerprint("pve2"); got != newFP {
		t.Errorf("NodeFingerprint(pve2) = %s; want %s", got, newFP)
	}
	if got := srv.NodeFingerprint("pve3"); got != otherFP {
		t.Errorf("rotating pve2 changed pve3's fingerprint")
	}
	var cve *tls.CertificateVerificationError
	if _, err := handshake(t, srv.NodeURL("pve2"), oldPEM); !errors.As(err, &cve) {
		t.Fatalf("handshake trusting the old certificate: %v; want a verification error", err)
	}
	leaf := cve.UnverifiedCertificates[0]
	if got := Fingerprint(leaf.Raw); got != newFP {
		t.Errorf("pve2 presents %s after rotation; want %s", got, newFP)
	}
	if !slices.Contains(leaf.DNSNames, "pve2") || len(leaf.IPAddresses) == 0 || leaf.IPAddresses[0].String() != "127.0.0.2" {
		t.Errorf("rotated certificate names %v %v; want pve2 and 127.0.0.2", leaf.DNSNames, leaf.IPAddresses)
	}
	newPEM, _, _ := srv.NodeCertificate("pve2")
	if _, err := handshake(t, srv.NodeURL("pve2"), newPEM); err != nil {
		t.Errorf("handshake trusting the new certificate: %v", err)
	}
	before.SetDeadline(time.Now().Add(5 * time.Second))
	if n, err := before.Read(make([]byte, 1)); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("connection from before the rotation: read %d, %v; want it closed", n, err)
	}

	var info []struct {
		Filename    string `json:"filename"`
		Fingerprint string `json:"fingerprint"`
	}
	nodeGet(t, srv, "pve1", "/nodes/pve2/certificates/info", &info)
	if len(info) != 3 || info[2].Filename != "pveproxy-ssl.pem" || info[2].Fingerprint != newFP {
		t.Errorf("certificates/info of pve2 = %+v; want a pveproxy-ssl.pem with fingerprint %s last", info, newFP)
	}
	if got := srv.RotateCertificate("pve9"); got != "" {
		t.Errorf("RotateCertificate(pve9) = %q; want \"\"", got)
	}
}

func TestRotateCertificateSingleListener(t *testing.T) {
	t.Parallel()
	srv := NewTestServer(t, Config{Guests: -1})
	newFP := srv.RotateCertificate("pve1")
	var cve *tls.CertificateVerificationError
	if _, err := handshake(t, srv.URL, srv.CertPEM); !errors.As(err, &cve) {
		t.Fatalf("handshake trusting the certificate from before rotation: %v; want a verification error", err)
	}
	if got := Fingerprint(cve.UnverifiedCertificates[0].Raw); got != newFP {
		t.Errorf("listener presents %s after rotation; want %s", got, newFP)
	}
	// Client trusts the current certificates.
	if r := request(t, srv, srv.AdminToken(), "GET", "/version", nil); r.status != http.StatusOK {
		t.Errorf("GET /version after rotation: %d %s", r.status, r.reason)
	}
}

func TestNodeListenerOffline(t *testing.T) {
	t.Parallel()
	srv := newNodeServer(t)
	// Hold a keep-alive connection to pve2: taking the node down must end
	// it too.
	client := srv.Client()
	get := func(node, path string) (*http.Response, error) {
		req, _ := http.NewRequest(http.MethodGet, srv.NodeURL(node)+apiPrefix+path, nil)
		tok := srv.AdminToken()
		req.Header.Set("Authorization", "PVEAPIToken="+tok.ID+"="+tok.Secret)
		res, err := client.Do(req)
		if err == nil {
			res.Body.Close()
		}
		return res, err
	}
	if res, err := get("pve2", "/version"); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("GET /version on pve2: %v", err)
	}

	srv.SetNodeOnline("pve2", false)
	u, _ := url.Parse(srv.NodeURL("pve2"))
	if conn, err := net.DialTimeout("tcp", u.Host, 5*time.Second); err == nil {
		conn.Close()
		t.Fatalf("dial offline pve2 succeeded; want connection refused")
	} else if !errors.Is(err, syscall.ECONNREFUSED) && !(runtime.GOOS == "windows" && errors.Is(err, syscall.Errno(10061))) { // WSAECONNREFUSED
		t.Errorf("dial offline pve2: %v; want connection refused", err)
	}
	if _, err := get("pve2", "/version"); err == nil {
		t.Errorf("GET /version on offline pve2 over a kept-alive client succeeded")
	}
	var status []statusEntry
	nodeGet(t, srv, "pve1", "/cluster/status", &status)
	for _, e := range status[1:] {
		if want := boolInt(e.Name != "pve2"); e.Online != want {
			t.Errorf("with pve2 down, pve1 reports %s online=%d; want %d", e.Name, e.Online, want)
		}
	}
	if r := nodeGet(t, srv, "pve3", "/nodes/pve2/status", nil); r.status != 595 {
		t.Errorf("GET /nodes/pve2/status through pve3 = %d %s; want 595", r.status, r.reason)
	}
	srv.SetNodeOnline("pve2", false) // again: no-op

	srv.SetNodeOnline("pve2", true)
	if res, err := get("pve2", "/nodes/pve2/status"); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("GET /nodes/pve2/status on pve2 back online: %v %v", res, err)
	}
	nodeGet(t, srv, "pve1", "/cluster/status", &status)
	for _, e := range status[1:] {
		if e.Online != 1 {
			t.Errorf("after pve2 is back, %s online=%d; want 1", e.Name, e.Online)
		}
	}

	// After Close nothing reopens.
	srv.Close()
	srv.SetNodeOnline("pve3", false)
	srv.SetNodeOnline("pve3", true)
	if conn, err := net.DialTimeout("tcp", u.Host, 5*time.Second); err == nil {
		conn.Close()
		t.Errorf("dial pve2 after Close succeeded")
	}
}

func TestNodeLatency(t *testing.T) {
	t.Parallel()
	srv := newNodeServer(t)
	srv.SetNodeLatency("pve2", time.Minute)
	client := srv.Client()
	client.Timeout = 200 * time.Millisecond
	tok := srv.AdminToken()
	do := func(node string) error {
		req, _ := http.NewRequest(http.MethodGet, srv.NodeURL(node)+apiPrefix+"/version", nil)
		req.Header.Set("Authorization", "PVEAPIToken="+tok.ID+"="+tok.Secret)
		res, err := client.Do(req)
		if err == nil {
			res.Body.Close()
		}
		return err
	}
	var ne net.Error
	if err := do("pve2"); !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("GET on slow pve2: %v; want a timeout", err)
	}
	client.Timeout = 10 * time.Second
	if err := do("pve1"); err != nil {
		t.Errorf("GET on pve1 while pve2 is slow: %v", err)
	}
	srv.SetNodeLatency("pve2", 0)
	if err := do("pve2"); err != nil {
		t.Errorf("GET on pve2 after removing its latency: %v", err)
	}
}
