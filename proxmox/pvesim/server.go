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
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// nodeCert is a certificate with its key: the cluster CA, a node's
// pve-ssl.pem or a custom pveproxy-ssl.pem (see certs.go). A nodeCert never
// changes once made; rotation replaces the node's pointer.
type nodeCert struct {
	tls         tls.Certificate
	leaf        *x509.Certificate
	pem         []byte
	fingerprint string
	subject     string // as X509_NAME_oneline writes it
	issuer      string
}

// mustPVESSL is newPVESSL for a node not served yet (New), named for
// loopback.
func mustPVESSL(ca *nodeCert, keyIndex int, name string) *nodeCert {
	c, err := newPVESSL(ca, keyIndex, name, []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback})
	if err != nil {
		panic(fmt.Sprintf("pvesim: node certificate: %v", err))
	}
	return c
}

func newCert(name string, dns []string, ips []net.IP) (*nodeCert, error) {
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
		IPAddresses:           ips,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	subject := "/OU=PVE Cluster Node/O=Proxmox Virtual Environment/CN=" + name
	return &nodeCert{
		tls:         tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf},
		leaf:        leaf,
		pem:         pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		fingerprint: Fingerprint(der),
		subject:     subject,
		issuer:      subject, // self-signed
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

// Server is a Sim served over HTTPS on real listeners, one per node, each on
// loopback: the simulated cluster never names an address that is not its
// own, so a client following it (failover, consoles) stays on the machine.
type Server struct {
	*Sim
	// URL is the first node's "https://127.0.0.1:PORT", without /api2/json.
	URL string
	// Fingerprint is the SHA-256 of the first node's certificate when the
	// server started ("AB:CD:…"); after RotateCertificate, NodeFingerprint
	// tells the current one.
	Fingerprint string
	// CertPEM is the first node's certificate when the server started;
	// trust it with x509.CertPool.AppendCertsFromPEM.
	CertPEM []byte

	listeners []*nodeListener // in node order

	// lnMu guards closed, so that no listener reopens after Close.
	lnMu   sync.Mutex
	closed bool
}

// nodeListener is one node's pveproxy: an address, and while the node is up
// an http.Server accepting on it. Taking a node down closes the server and
// every connection it holds, as a host going down would; bringing it back
// starts a new one on the same address.
type nodeListener struct {
	node string
	addr string // "127.0.0.k:PORT"
	tls  *tls.Config

	handler http.Handler
	// hung tells whether the node hangs (Sim.SetNodeHanging); nil never.
	hung func() <-chan struct{}

	mu   sync.Mutex
	srv  *http.Server  // nil while down
	ln   net.Listener  // srv's listener; nil while down or not accepting
	done chan struct{} // closed when srv's Serve returns

	// connMu is separate from mu because http.Server reports connection
	// states from its own goroutines, also while close holds mu.
	connMu sync.Mutex
	conns  map[net.Conn]struct{} // open connections, for dropConnections
}

// nodeListenerAttempts bounds how often Start looks for a port that is free
// on every node's address.
const nodeListenerAttempts = 10

// Start builds a Sim from cfg and serves it over HTTPS on the loopback
// address addr ("127.0.0.1:0" picks a free port; "localhost" means
// 127.0.0.1). Any other address is refused: the simulator is for one
// machine, and a client that follows its node addresses must never leave it.
//
// Every node listens on its own address with its own certificate naming
// its name and IP, and /cluster/status reports that IP, as every node of a
// real cluster runs pveproxy: node k on the k-th IPv4 address from addr's
// (127.0.0.1, 127.0.0.2, …) on one port, free on all of them. Where those
// addresses cannot be bound (macOS configures only 127.0.0.1), or with
// Config.SharedAddress or an IPv6 address, every node listens on addr's IP
// with a port of its own.
func Start(cfg Config, addr string) (*Server, error) {
	ip, port, err := loopbackAddr(addr)
	if err != nil {
		return nil, err
	}
	sim := New(cfg)
	var ips []net.IP
	var lns []net.Listener
	if !cfg.SharedAddress && ip.To4() != nil {
		ips, err = nodeIPs(ip.To4(), len(sim.nodes))
		if err != nil {
			return nil, err
		}
		lns, err = listenAll(ips, port)
		if err != nil && !cannotBind(err) {
			return nil, err
		}
	}
	if lns == nil {
		// One address, a port per node.
		ips = make([]net.IP, len(sim.nodes))
		for i := range ips {
			ips[i] = ip
		}
		if lns, err = listenPorts(ip, port, len(sim.nodes)); err != nil {
			return nil, err
		}
	}
	sim.mu.Lock()
	for i, n := range sim.nodes {
		// pve-ssl.pem names the node's IP; a custom certificate, when
		// simulated, names it too.
		cert, err := newPVESSL(sim.ca, i+1, n.name, []net.IP{ips[i]})
		if err == nil && cfg.CustomCertificates {
			n.custom, err = newCert(n.name, []string{"localhost", n.name}, []net.IP{ips[i]})
		}
		if err != nil {
			sim.mu.Unlock()
			closeAll(lns)
			return nil, fmt.Errorf("pvesim: certificate: %w", err)
		}
		n.pveSSL = cert
		n.cert = n.served()
		n.ip = ips[i].String()
	}
	sim.mu.Unlock()

	firstPEM, firstFP, _ := sim.NodeCertificate(sim.nodes[0].name)
	s := &Server{
		Sim:         sim,
		URL:         "https://" + lns[0].Addr().String(),
		Fingerprint: firstFP,
		CertPEM:     firstPEM,
	}
	for i, ln := range lns {
		n := sim.nodes[i]
		nl := &nodeListener{
			node:    n.name,
			addr:    ln.Addr().String(),
			tls:     sim.nodeTLSConfig(n),
			handler: localHandler(sim, n.name),
			hung:    func() <-chan struct{} { return sim.hangOf(n.name) },
		}
		nl.serve(ln)
		s.listeners = append(s.listeners, nl)
	}
	sim.listeners = s
	return s, nil
}

// loopbackAddr splits a loopback listen address.
func loopbackAddr(addr string) (net.IP, string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, "", fmt.Errorf("pvesim: listen address %q: %w", addr, err)
	}
	if host == "localhost" {
		host = "127.0.0.1"
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return nil, "", fmt.Errorf("pvesim: listen address %q is not a loopback address: the simulator serves this machine only (use 127.0.0.1:PORT)", addr)
	}
	return ip, port, nil
}

// nodeIPs derives one IPv4 loopback address per node from ip: ip itself
// for the first node, the following addresses for the others.
func nodeIPs(ip net.IP, nodes int) ([]net.IP, error) {
	if int(ip[3])+nodes-1 > 254 {
		return nil, fmt.Errorf("pvesim: %d nodes do not fit after %s", nodes, ip)
	}
	out := make([]net.IP, nodes)
	for i := range out {
		out[i] = net.IPv4(ip[0], ip[1], ip[2], ip[3]+byte(i)).To4()
	}
	return out, nil
}

// cannotBind tells whether err says an address is not configured on this
// machine (127.0.0.2 on macOS), as opposed to a port being taken.
func cannotBind(err error) bool {
	return errors.Is(err, syscall.EADDRNOTAVAIL)
}

// listenAll listens on the same port on every address. With port 0 the
// first listener picks the port, and the whole set is tried again if
// another address has it taken.
func listenAll(ips []net.IP, port string) ([]net.Listener, error) {
	var lastErr error
	for attempt := 0; attempt < nodeListenerAttempts; attempt++ {
		lns := make([]net.Listener, 0, len(ips))
		p := port
		var err error
		for _, ip := range ips {
			var ln net.Listener
			ln, err = net.Listen("tcp", net.JoinHostPort(ip.String(), p))
			if err != nil {
				break
			}
			if p == "0" {
				_, p, _ = net.SplitHostPort(ln.Addr().String())
			}
			lns = append(lns, ln)
		}
		if err == nil {
			return lns, nil
		}
		closeAll(lns)
		lastErr = err
		if port != "0" || cannotBind(err) {
			break
		}
	}
	return nil, fmt.Errorf("pvesim: listen on every node address: %w", lastErr)
}

// listenPorts listens n times on ip: on port and the following ports, or on
// free ports when port is "0".
func listenPorts(ip net.IP, port string, n int) ([]net.Listener, error) {
	first, err := strconv.Atoi(port)
	if err != nil {
		return nil, fmt.Errorf("pvesim: port %q: %w", port, err)
	}
	lns := make([]net.Listener, 0, n)
	for i := 0; i < n; i++ {
		p := 0
		if first != 0 {
			p = first + i
		}
		ln, err := net.Listen("tcp", net.JoinHostPort(ip.String(), strconv.Itoa(p)))
		if err != nil {
			closeAll(lns)
			return nil, fmt.Errorf("pvesim: listen for node %d: %w", i+1, err)
		}
		lns = append(lns, ln)
	}
	return lns, nil
}

func closeAll(lns []net.Listener) {
	for _, ln := range lns {
		ln.Close()
	}
}

// nodeTLSConfig presents n's current certificate, so that RotateCertificate
// applies to the next handshake.
func (s *Sim) nodeTLSConfig(n *node) *tls.Config {
	return &tls.Config{
		GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
			s.mu.Lock()
			defer s.mu.Unlock()
			return &n.cert.tls, nil
		},
		MinVersion: tls.VersionTLS12,
		// pveproxy speaks HTTP/1.1 only; staying there also keeps
		// connection hijacking (custom reason phrases, dropped
		// connections) possible.
		NextProtos: []string{"http/1.1"},
	}
}

type localNodeKey struct{}

// localHandler marks requests as received by node, which then answers as
// the local node (/cluster/status "local", per-node latency).
func localHandler(s *Sim, node string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), localNodeKey{}, node)))
	})
}

// localNode is the node whose listener received r; "" means the first.
func localNode(r *http.Request) string {
	n, _ := r.Context().Value(localNodeKey{}).(string)
	return n
}

func (l *nodeListener) serve(ln net.Listener) {
	srv := &http.Server{
		Handler:           l.handler,
		ReadHeaderTimeout: 30 * time.Second,
		// TLS handshake errors from probing clients are expected (a
		// client that does not trust us yet closes the handshake); keep
		// them out of the test output.
		ErrorLog:  log.New(discard{}, "", 0),
		ConnState: l.track,
	}
	done := make(chan struct{})
	l.srv, l.ln, l.done = srv, ln, done
	var inner net.Listener = ln
	if l.hung != nil {
		inner = &hangListener{Listener: ln, hung: l.hung, done: done}
	}
	go func() {
		defer close(done)
		_ = srv.Serve(tls.NewListener(inner, l.tls))
	}()
}

func (l *nodeListener) track(c net.Conn, st http.ConnState) {
	l.connMu.Lock()
	defer l.connMu.Unlock()
	switch st {
	case http.StateNew:
		if l.conns == nil {
			l.conns = make(map[net.Conn]struct{})
		}
		l.conns[c] = struct{}{}
	case http.StateClosed, http.StateHijacked:
		delete(l.conns, c)
	}
}

// dropConnections closes every connection the listener holds; it goes on
// accepting new ones.
func (l *nodeListener) dropConnections() {
	l.connMu.Lock()
	defer l.connMu.Unlock()
	for c := range l.conns {
		c.Close()
		delete(l.conns, c)
	}
}

// open starts serving again on the listener's address. The address was
// ours a moment ago, so a failure is retried briefly (the port may sit in
// a closing state).
func (l *nodeListener) open() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.openLocked()
}

func (l *nodeListener) openLocked() error {
	if l.srv != nil {
		return nil
	}
	var err error
	for i := 0; i < 20; i++ {
		var ln net.Listener
		if ln, err = net.Listen("tcp", l.addr); err == nil {
			l.serve(ln)
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("pvesim: reopen %s for %s: %w", l.addr, l.node, err)
}

// close stops accepting and closes every connection, then waits for the
// serving goroutine.
func (l *nodeListener) close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.closeLocked()
}

func (l *nodeListener) closeLocked() error {
	if l.srv == nil {
		return nil
	}
	err := l.srv.Close()
	<-l.done
	l.srv, l.ln, l.done = nil, nil, nil
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

func (l *nodeListener) shutdown(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.srv == nil {
		return nil
	}
	err := l.srv.Shutdown(ctx)
	if err == nil {
		<-l.done
		l.srv, l.ln, l.done = nil, nil, nil
	}
	return err
}

// accept makes the listener stop accepting new connections while the
// ones it holds go on being served, or accept again.
func (l *nodeListener) accept(on bool) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.srv == nil:
		return fmt.Errorf("pvesim: %s is down", l.node)
	case !on && l.ln != nil:
		err := l.ln.Close()
		l.ln = nil
		return err
	case on && l.ln == nil:
		// A fresh server on the same address; the old one's
		// connections end with it.
		if err := l.closeLocked(); err != nil {
			return err
		}
		return l.openLocked()
	}
	return nil
}

// SetNodeAccepting makes node's listener stop accepting new connections
// while the connections it holds go on (pveproxy busy restarting, a
// firewall rule added mid-request), or accept again, which ends the
// connections it held. Tests use it to make a client fail over at an exact
// moment.
func (s *Server) SetNodeAccepting(node string, accepting bool) error {
	s.lnMu.Lock()
	defer s.lnMu.Unlock()
	for _, l := range s.listeners {
		if l.node == node {
			return l.accept(accepting)
		}
	}
	return fmt.Errorf("pvesim: no node %q", node)
}

// setListening makes a node that goes offline stop accepting connections,
// and one that comes back listen again.
func (s *Server) setListening(node string, online bool) error {
	s.lnMu.Lock()
	defer s.lnMu.Unlock()
	if s.closed {
		return nil
	}
	for _, l := range s.listeners {
		if l.node == node {
			if online {
				return l.open()
			}
			return l.close()
		}
	}
	return nil
}

func (s *Server) dropConnections(node string) {
	for _, l := range s.listeners {
		if l.node == node {
			l.dropConnections()
		}
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// Close stops every listener and closes every connection, then waits for
// the serving goroutines to end, and ends the QEMU processes of consoles
// (Config.QEMUConsoles).
func (s *Server) Close() error {
	s.lnMu.Lock()
	defer s.lnMu.Unlock()
	s.closed = true
	var errs []error
	for _, l := range s.listeners {
		errs = append(errs, l.close())
	}
	errs = append(errs, s.Sim.Close())
	return errors.Join(errs...)
}

// Shutdown stops accepting connections and waits for active requests, then
// ends the QEMU processes of consoles like Close.
func (s *Server) Shutdown(ctx context.Context) error {
	s.lnMu.Lock()
	defer s.lnMu.Unlock()
	s.closed = true
	var errs []error
	for _, l := range s.listeners {
		errs = append(errs, l.shutdown(ctx))
	}
	errs = append(errs, s.Sim.Close())
	return errors.Join(errs...)
}

// NodeURL returns the URL node listens on, "https://127.0.0.k:PORT"; it
// returns "" for an unknown node.
func (s *Server) NodeURL(node string) string {
	if _, _, ok := s.NodeCertificate(node); !ok {
		return ""
	}
	for _, l := range s.listeners {
		if l.node == node {
			return "https://" + l.addr
		}
	}
	return s.URL
}

// NodeFingerprint returns the fingerprint of the certificate node presents
// now ("" for an unknown node).
func (s *Server) NodeFingerprint(node string) string {
	_, fp, _ := s.NodeCertificate(node)
	return fp
}

// CertPool returns a pool holding the certificate every node presents
// now, each self-signed: with it a client verifies any node's listener.
func (s *Server) CertPool() *x509.CertPool {
	p := x509.NewCertPool()
	s.Sim.mu.Lock()
	defer s.Sim.mu.Unlock()
	for _, n := range s.nodes {
		p.AddCert(n.cert.leaf)
	}
	return p
}

// Client returns an HTTP client that trusts exactly the nodes' current
// certificates (see CertPool), verified as roots.
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
