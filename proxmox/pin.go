package proxmox

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"
)

// FingerprintError says that a server presented a certificate other than the
// pinned one.
type FingerprintError struct {
	Host     string // host:port dialled
	Expected string // the pinned fingerprint, "AB:CD:…"
	Actual   string // what the server presented
	// Certificate is the certificate the server presented, for showing
	// its subject and validity before the user re-trusts it; nil if it is
	// not known.
	Certificate *x509.Certificate
}

func (e *FingerprintError) Error() string {
	return fmt.Sprintf("the certificate of %s does not match the pinned fingerprint: expected %s, got %s; "+
		"if the certificate was renewed on purpose, confirm the new fingerprint, otherwise someone may be intercepting the connection",
		e.Host, e.Expected, e.Actual)
}

// PinnedDialer makes TLS connections that complete only with a server whose
// leaf certificate has the pinned SHA-256 fingerprint. CA chains, host names
// and validity dates are ignored: Proxmox certificates are self-signed or
// signed by the cluster's own CA, and pinning is the trust.
//
// crypto/tls can only skip chain verification through its "insecure" switch,
// which this codebase never sets. Instead the dialer learns the certificate
// once (a handshake against an empty root pool fails and reports the
// certificate the server sent), checks its fingerprint, and from then on
// verifies every handshake with a root pool holding exactly that certificate.
// The first connection therefore costs two handshakes; later ones, one.
// No application data is ever sent over the learning handshake.
//
// Use DialTLSContext as http.Transport.DialTLSContext or as gorilla's
// websocket.Dialer.NetDialTLSContext. A PinnedDialer is safe for concurrent use.
type PinnedDialer struct {
	fingerprint string
	// dial makes the raw connection the handshake runs over (see
	// newDial); nil dials with a zero net.Dialer.
	dial dialFunc
	// connectTimeout bounds each connection's dial and TLS handshake
	// together, so that a node that does not answer is left quickly for
	// the next one instead of using up the request's whole timeout.
	connectTimeout time.Duration

	mu   sync.Mutex
	leaf *x509.Certificate // the pinned certificate, once seen; nil before
}

// NewPinnedDialer returns a dialer pinned to fingerprint (any accepted
// NormalizeFingerprint form).
func NewPinnedDialer(fingerprint string) (*PinnedDialer, error) {
	return newPinnedDialer(fingerprint, DefaultConnectTimeout, newDial(DefaultConnectTimeout, false, nil, nil))
}

// DefaultConnectTimeout bounds a connection's dial and TLS handshake when
// Config.ConnectTimeout is zero. On a LAN both take milliseconds; a node
// that has not finished them in 3 s is down or hanging, and the next node
// deserves the rest of the request's time.
const DefaultConnectTimeout = 3 * time.Second

// newPinnedDialer is NewPinnedDialer with its connect timeout, over the
// raw connections dial makes (see newDial: loopback-only when asked, and
// through Config.DialContext when set).
func newPinnedDialer(fingerprint string, connectTimeout time.Duration, dial dialFunc) (*PinnedDialer, error) {
	fp, err := NormalizeFingerprint(fingerprint)
	if err != nil {
		return nil, err
	}
	if connectTimeout <= 0 {
		connectTimeout = DefaultConnectTimeout
	}
	return &PinnedDialer{fingerprint: fp, dial: dial, connectTimeout: connectTimeout}, nil
}

// rawDial makes the connection a handshake runs over.
func (d *PinnedDialer) rawDial(ctx context.Context, network, addr string) (net.Conn, error) {
	if d.dial == nil {
		var nd net.Dialer
		return nd.DialContext(ctx, network, addr)
	}
	return d.dial(ctx, network, addr)
}

// Fingerprint returns the pinned fingerprint in canonical form.
func (d *PinnedDialer) Fingerprint() string { return d.fingerprint }

// DialTLSContext dials addr ("host:port") and completes a TLS handshake
// pinned to the fingerprint. A mismatch is a *FingerprintError.
func (d *PinnedDialer) DialTLSContext(ctx context.Context, network, addr string) (net.Conn, error) {
	if leaf := d.knownLeaf(); leaf != nil {
		conn, err := d.pinnedHandshake(ctx, network, addr, leaf)
		var cve *tls.CertificateVerificationError
		if err == nil || !errors.As(err, &cve) {
			return conn, err
		}
		// The server now presents another certificate: learn it to report it.
	}
	leaf, err := d.fetchLeaf(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	if got := FormatFingerprint(leaf.Raw); got != d.fingerprint {
		return nil, &FingerprintError{Host: addr, Expected: d.fingerprint, Actual: got, Certificate: leaf}
	}
	d.mu.Lock()
	d.leaf = leaf
	d.mu.Unlock()
	conn, err := d.pinnedHandshake(ctx, network, addr, leaf)
	var cve *tls.CertificateVerificationError
	if errors.As(err, &cve) {
		return nil, fmt.Errorf("%s presents the pinned certificate, but it cannot be used for a TLS server: %w", addr, cve.Err)
	}
	return conn, err
}

func (d *PinnedDialer) knownLeaf() *x509.Certificate {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.leaf
}

func (d *PinnedDialer) handshake(ctx context.Context, network, addr string, cfg *tls.Config) (*tls.Conn, error) {
	ctx, cancel := d.connectContext(ctx)
	defer cancel()
	raw, err := d.rawDial(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	conn := tls.Client(raw, cfg)
	if err := conn.HandshakeContext(ctx); err != nil {
		raw.Close()
		return nil, err
	}
	return conn, nil
}

// fetchLeaf returns the leaf certificate addr presents, without trusting it.
func (d *PinnedDialer) fetchLeaf(ctx context.Context, network, addr string) (*x509.Certificate, error) {
	ctx, cancel := d.connectContext(ctx)
	defer cancel()
	return fetchLeaf(ctx, d.rawDial, network, addr)
}

// connectContext bounds one dial and handshake by the connect timeout (a
// zero PinnedDialer has none beyond ctx's).
func (d *PinnedDialer) connectContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if d.connectTimeout <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, d.connectTimeout)
}

func fetchLeaf(ctx context.Context, dial dialFunc, network, addr string) (*x509.Certificate, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	raw, err := dial(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	defer raw.Close()
	// An empty (non-nil) root pool makes verification fail for every
	// certificate, so the handshake stops right after the server's
	// Certificate message and the error carries what was presented.
	conn := tls.Client(raw, &tls.Config{
		MinVersion: tls.VersionTLS12,
		RootCAs:    x509.NewCertPool(),
		ServerName: host,
	})
	err = conn.HandshakeContext(ctx)
	var cve *tls.CertificateVerificationError
	switch {
	case errors.As(err, &cve) && len(cve.UnverifiedCertificates) > 0:
		return cve.UnverifiedCertificates[0], nil
	case err != nil:
		return nil, err
	default:
		return nil, errors.New("TLS handshake unexpectedly trusted an empty root pool")
	}
}

func (d *PinnedDialer) pinnedHandshake(ctx context.Context, network, addr string, leaf *x509.Certificate) (net.Conn, error) {
	cfg, err := pinnedConfig(d.fingerprint, leaf)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", addr, err)
	}
	return d.handshake(ctx, network, addr, cfg)
}

// PinnedTLSConfig returns a TLS client configuration that accepts only a
// server presenting leaf, whose fingerprint must equal fingerprint. Use it
// when the certificate is at hand (from Probe or CertificatesInfo);
// otherwise use a PinnedDialer, which learns it.
func PinnedTLSConfig(fingerprint string, leaf *x509.Certificate) (*tls.Config, error) {
	fp, err := NormalizeFingerprint(fingerprint)
	if err != nil {
		return nil, err
	}
	if leaf == nil {
		return nil, errors.New("pinned TLS config: no certificate")
	}
	if got := FormatFingerprint(leaf.Raw); got != fp {
		return nil, &FingerprintError{Host: "(certificate given)", Expected: fp, Actual: got, Certificate: leaf}
	}
	return pinnedConfig(fp, leaf)
}

// pinnedConfig trusts exactly leaf. The standard verifier still checks host
// name and dates, so ServerName is set to a name the certificate holds and
// the verifier's clock is held inside the certificate's validity: with
// pinning, neither says anything about trust.
func pinnedConfig(fingerprint string, leaf *x509.Certificate) (*tls.Config, error) {
	name := certServerName(leaf)
	if name == "" {
		return nil, errors.New("the certificate names no host (no subject alternative names), so it cannot be pinned")
	}
	roots := x509.NewCertPool()
	roots.AddCert(leaf)
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		RootCAs:    roots,
		ServerName: name,
		Time: func() time.Time {
			now := time.Now()
			if now.Before(leaf.NotBefore) {
				return leaf.NotBefore
			}
			if now.After(leaf.NotAfter) {
				return leaf.NotAfter
			}
			return now
		},
		// Belt and braces: the root pool already admits only this
		// certificate.
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return errors.New("server sent no certificate")
			}
			if got := FormatFingerprint(cs.PeerCertificates[0].Raw); got != fingerprint {
				return &FingerprintError{Host: cs.ServerName, Expected: fingerprint, Actual: got, Certificate: cs.PeerCertificates[0]}
			}
			return nil
		},
	}, nil
}

func certServerName(c *x509.Certificate) string {
	if len(c.IPAddresses) > 0 {
		return c.IPAddresses[0].String()
	}
	for _, n := range c.DNSNames {
		if !strings.Contains(n, "*") {
			return n
		}
	}
	for _, n := range c.DNSNames {
		if strings.HasPrefix(n, "*.") {
			return "pinned" + n[1:]
		}
	}
	return ""
}
