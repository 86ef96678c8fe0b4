package proxmox

import (
	"bytes"
	"context"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"time"
)

// ProbeResult is what an unknown server shows before it is trusted: enough
// for the user to compare the fingerprint with the one the Proxmox web UI
// shows (Datacenter → node → System → Certificates).
type ProbeResult struct {
	Endpoint    string    `json:"endpoint"`    // normalized "https://host:port"
	Fingerprint string    `json:"fingerprint"` // SHA-256 of the leaf certificate, "AB:CD:…"
	Subject     string    `json:"subject"`
	Issuer      string    `json:"issuer"`
	NotBefore   time.Time `json:"notBefore"`
	NotAfter    time.Time `json:"notAfter"`
	DNSNames    []string  `json:"dnsNames"`
	IPAddresses []string  `json:"ipAddresses"`
	SelfSigned  bool      `json:"selfSigned"`
	// Version is the Proxmox VE version read from the login page
	// ("9.1.2"); "" if it could not be read.
	Version string `json:"version"`
	// Certificate is the leaf certificate itself, for PinnedTLSConfig.
	Certificate *x509.Certificate `json:"-"`
}

// probeTimeout bounds Probe when ctx has no deadline.
const probeTimeout = 10 * time.Second

// Probe reads an unknown server's certificate, and the Proxmox version
// when it can, without trusting the server and without sending any
// credential: the handshake stops as soon as the certificate arrives, and
// the version comes from pveproxy's public login page, fetched over a
// connection pinned to the certificate just seen and with no Authorization
// header. The token secret must only ever go to a server whose fingerprint
// the user confirmed.
func Probe(ctx context.Context, endpoint string) (ProbeResult, error) {
	ep, err := ParseEndpoint(endpoint)
	if err != nil {
		return ProbeResult{}, &Error{Kind: KindInvalid, Err: err}
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, probeTimeout)
		defer cancel()
	}
	u, _ := url.Parse(ep)
	dialer := newDialer(probeTimeout, false, nil)
	leaf, err := fetchLeaf(ctx, dialer.DialContext, "tcp", u.Host)
	if err != nil {
		return ProbeResult{}, classify("probe", u.Host, err)
	}
	res := ProbeResult{
		Endpoint:    ep,
		Fingerprint: FormatFingerprint(leaf.Raw),
		Subject:     leaf.Subject.String(),
		Issuer:      leaf.Issuer.String(),
		NotBefore:   leaf.NotBefore.UTC(),
		NotAfter:    leaf.NotAfter.UTC(),
		DNSNames:    leaf.DNSNames,
		// Not CheckSignatureFrom: it demands a CA flag that self-signed
		// server certificates usually lack.
		SelfSigned: bytes.Equal(leaf.RawIssuer, leaf.RawSubject) &&
			leaf.CheckSignature(leaf.SignatureAlgorithm, leaf.RawTBSCertificate, leaf.Signature) == nil,
		Certificate: leaf,
	}
	for _, ip := range leaf.IPAddresses {
		res.IPAddresses = append(res.IPAddresses, ip.String())
	}
	res.Version = probeVersion(ctx, dialer, ep, res.Fingerprint, leaf)
	return res, nil
}

// The login page loads "/pve2/js/pvemanagerlib.js?ver=9.1.2".
var managerLibVersion = regexp.MustCompile(`pvemanagerlib\.js\?ver=([0-9][0-9A-Za-z.+~-]*)`)

// probeVersion fetches "/" over a connection pinned to leaf and returns
// the version it names, or "" for any failure: the version is a courtesy,
// the fingerprint is what matters.
func probeVersion(ctx context.Context, dialer *net.Dialer, endpoint, fingerprint string, leaf *x509.Certificate) string {
	cfg, err := PinnedTLSConfig(fingerprint, leaf)
	if err != nil {
		return ""
	}
	transport := &http.Transport{TLSClientConfig: cfg, DisableKeepAlives: true, DialContext: dialer.DialContext}
	defer transport.CloseIdleConnections()
	client := &http.Client{
		Transport:     transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint+"/", nil)
	if err != nil {
		return ""
	}
	req.Header.Set("User-Agent", userAgent)
	res, err := client.Do(req)
	if err != nil {
		return ""
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return ""
	}
	body, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if m := managerLibVersion.FindSubmatch(body); m != nil {
		return string(m[1])
	}
	return ""
}

// String summarizes the result for logs.
func (r ProbeResult) String() string {
	return fmt.Sprintf("%s %s (%s, version %q)", r.Endpoint, r.Fingerprint, r.Subject, r.Version)
}
