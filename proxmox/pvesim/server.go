package pvesim

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"log"
	"math/big"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// nodeCert is a node's own key and self-signed certificate. Each node has
// one so that a later change can give every node its own listener (client
// failover is pinned per node via /nodes/{n}/certificates/info).
type nodeCert struct {
	tls         tls.Certificate
	leaf        *x509.Certificate
	pem         []byte
	fingerprint string
	subject     string
}

func mustNodeCert(name string) *nodeCert {
	c, err := newNodeCert(name, nil)
	if err != nil {
		panic(fmt.Sprintf("pvesim: node certificate: %v", err))
	}
	return c
}

func newNodeCert(name string, extraNames []string) (*nodeCert, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, err
	}
	// Validity uses the wall clock, not Config.Now: TLS clients check it
	// against their own clock, and a fake test clock must not expire it.
	wall := time.Now()
	dns := []string{"localhost", name}
	for _, n := range extraNames {
		if n != name {
			dns = append(dns, n)
		}
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject: pkix.Name{
			CommonName:         name,
			Organization:       []string{"Proxmox Virtual Environment"},
			OrganizationalUnit: []string{"PVE Cluster Node"},
		},
		NotBefore:             wall.Add(-24 * time.Hour).Truncate(time.Second),
		NotAfter:              wall.Add(2 * 365 * 24 * time.Hour).Truncate(time.Second),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		DNSNames:              dns,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &nodeCert{
		tls:         tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf},
		leaf:        leaf,
		pem:         pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		fingerprint: Fingerprint(der),
		subject:     "/OU=PVE Cluster Node/O=Proxmox Virtual Environment/CN=" + name,
	}, nil
}

// Fingerprint formats the SHA-256 of a DER certificate the way Proxmox
// shows it: upper-case hex pairs joined by colons.
func Fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	var b strings.Builder
	for i, c := range sum {
		if i > 0 {
			b.WriteByte(':')
		}
		fmt.Fprintf(&b, "%02X", c)
	}
	return b.String()
}

// Server is a Sim served over HTTPS on a real listener.
type Server struct {
	*Sim
	URL         string // "https://127.0.0.1:PORT", without /api2/json
	Fingerprint string // SHA-256 of the leaf certificate, "AB:CD:…"
	CertPEM     []byte // the leaf certificate; trust it with x509.CertPool.AppendCertsFromPEM

	srv       *http.Server
	ln        net.Listener
	done      chan struct{}
	closeOnce sync.Once
	closeErr  error
}

// Start builds a Sim from cfg and serves it over HTTPS on addr
// ("127.0.0.1:0" picks a free port). The listener presents the first node's
// certificate, freshly generated, like a client talking to pve1:8006.
func Start(cfg Config, addr string) (*Server, error) {
	sim := New(cfg)
	first := sim.nodes[0]
	// The first node's certificate also names the other nodes, so that a
	// client resolving any node name to this listener still verifies.
	names := make([]string, len(sim.nodes))
	for i, n := range sim.nodes {
		names[i] = n.name
	}
	cert, err := newNodeCert(first.name, names)
	if err != nil {
		return nil, fmt.Errorf("pvesim: certificate: %w", err)
	}
	sim.mu.Lock()
	first.cert = cert
	sim.mu.Unlock()

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("pvesim: listen: %w", err)
	}
	tlsConf := &tls.Config{
		Certificates: []tls.Certificate{cert.tls},
		MinVersion:   tls.VersionTLS12,
		// pveproxy speaks HTTP/1.1 only; staying there also keeps
		// connection hijacking (custom reason phrases, dropped
		// connections) possible.
		NextProtos: []string{"http/1.1"},
	}
	s := &Server{
		Sim:         sim,
		URL:         "https://" + ln.Addr().String(),
		Fingerprint: cert.fingerprint,
		CertPEM:     cert.pem,
		ln:          ln,
		done:        make(chan struct{}),
		srv: &http.Server{
			Handler:           sim,
			ReadHeaderTimeout: 30 * time.Second,
			// TLS handshake errors from probing clients are expected
			// (a client that does not trust us yet closes the
			// handshake); keep them out of the test output.
			ErrorLog: log.New(discard{}, "", 0),
		},
	}
	go func() {
		defer close(s.done)
		_ = s.srv.Serve(tls.NewListener(ln, tlsConf))
	}()
	return s, nil
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// Close stops the listener and closes every connection, then waits for the
// serving goroutine to end.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.closeErr = s.srv.Close()
		<-s.done
		if errors.Is(s.closeErr, http.ErrServerClosed) {
			s.closeErr = nil
		}
	})
	return s.closeErr
}

// Shutdown stops accepting connections and waits for active requests.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.srv.Shutdown(ctx)
	s.closeOnce.Do(func() { <-s.done })
	return err
}

// CertPool returns a pool holding only this server's certificate.
func (s *Server) CertPool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AppendCertsFromPEM(s.CertPEM)
	return p
}

// Client returns an HTTP client that trusts exactly this server's
// certificate, verified as a root.
func (s *Server) Client() *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			TLSClientConfig: &tls.Config{RootCAs: s.CertPool(), MinVersion: tls.VersionTLS12},
		},
		Timeout: 30 * time.Second,
	}
}

// APIURL is URL + "/api2/json", the base go-proxmox expects.
func (s *Server) APIURL() string { return s.URL + "/api2/json" }

// TB is the part of testing.TB that NewTestServer uses. Naming it here keeps
// the testing package (and its flags) out of binaries that embed the
// simulator for demo mode.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Cleanup(func())
}

// NewTestServer starts a Server on 127.0.0.1:0 and closes it when the test
// ends.
func NewTestServer(tb TB, cfg Config) *Server {
	tb.Helper()
	s, err := Start(cfg, "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("pvesim.Start: %v", err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}
