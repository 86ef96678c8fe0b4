package proxmox

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http/httptrace"
	"net/netip"
	"net/url"
	"sync/atomic"
)

// Pin is one endpoint of a cluster and the fingerprint of the certificate
// it must present.
type Pin struct {
	URL         string // "https://host:port"
	Fingerprint string // SHA-256, "AB:CD:…"
}

// NodePin is a cluster node's endpoint as NodeEndpoints found it.
type NodePin struct {
	Node        string // "pve2"
	URL         string // "https://192.0.2.12:8006", "https://[fd00::12]:8006"
	Fingerprint string // "AB:CD:…", from the node's certificates/info
}

// Pin returns the node's endpoint and fingerprint as a Pin.
func (p NodePin) Pin() Pin { return Pin{URL: p.URL, Fingerprint: p.Fingerprint} }

// CertChange records an endpoint that presented a certificate other than
// the pinned one. The client sets such an endpoint aside and never uses it
// again; after the user confirms the new fingerprint, build a new Client.
type CertChange struct {
	URL         string            // the endpoint, "https://host:port"
	Expected    string            // the pinned fingerprint
	Actual      string            // the fingerprint presented
	Certificate *x509.Certificate // the certificate presented (subject, validity); nil if unknown
}

// normalizePins normalizes every URL and fingerprint and drops repeats.
// The same URL pinned to two fingerprints is a contradiction, not a repeat.
func normalizePins(pins []Pin) ([]Pin, error) {
	out := make([]Pin, 0, len(pins))
	seen := make(map[string]string, len(pins))
	for i, p := range pins {
		u, err := ParseEndpoint(p.URL)
		if err != nil {
			return nil, fmt.Errorf("endpoint %d: %w", i+1, err)
		}
		fp, err := NormalizeFingerprint(p.Fingerprint)
		if err != nil {
			return nil, fmt.Errorf("endpoint %s: %w", u, err)
		}
		if prev, ok := seen[u]; ok {
			if prev != fp {
				return nil, fmt.Errorf("endpoint %s is pinned to two different fingerprints", u)
			}
			continue
		}
		seen[u] = fp
		out = append(out, Pin{URL: u, Fingerprint: fp})
	}
	return out, nil
}

func hostOf(endpointURL string) string {
	u, _ := url.Parse(endpointURL)
	return u.Host
}

// Active returns the endpoint requests go to first: the last one that
// answered.
func (c *Client) Active() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.eps[c.cur].url
}

func (c *Client) activeHost() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.eps[c.cur].host
}

// Pins returns every endpoint of the client with its pinned fingerprint,
// Config.Endpoint first, in the order they are tried.
func (c *Client) Pins() []Pin {
	out := make([]Pin, len(c.eps))
	for i, ep := range c.eps {
		out[i] = Pin{URL: ep.url, Fingerprint: ep.dialer.Fingerprint()}
	}
	return out
}

// CertChanges returns the endpoints set aside because they presented
// another certificate than the pinned one, in the order found.
func (c *Client) CertChanges() []CertChange {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]CertChange(nil), c.changes...)
}

// order lists the endpoints to try, the current one first and then the
// following ones, wrapping around; set-aside endpoints are left out.
func (c *Client) order() []int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]int, 0, len(c.eps))
	for k := range c.eps {
		i := (c.cur + k) % len(c.eps)
		if c.aside[i] == nil {
			out = append(out, i)
		}
	}
	return out
}

func (c *Client) answered(i int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cur = i
}

func (c *Client) setAside(i int, fe *FingerprintError) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.aside[i] != nil {
		return
	}
	c.aside[i] = fe
	c.changes = append(c.changes, CertChange{URL: c.eps[i].url, Expected: fe.Expected, Actual: fe.Actual, Certificate: fe.Certificate})
}

// firstAside returns the certificate mismatch of the first endpoint set
// aside, or nil if none is: when nothing answers, a changed certificate is
// the error worth showing.
func (c *Client) firstAside(op string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, fe := range c.aside {
		if fe != nil {
			return &Error{Kind: KindFingerprint, Op: op, Host: c.eps[i].host, Err: fe}
		}
	}
	return nil
}

// do runs call against the current endpoint and, when that endpoint does
// not answer, against the next ones in order; the first that answers
// becomes current. An HTTP error is the cluster's answer and is returned
// as it is. An endpoint whose certificate changed is set aside for good and
// recorded (CertChanges).
//
// What counts as "does not answer": no connection, no TLS handshake in the
// connect timeout, no answer in the timeout, and an answer that is empty
// or cut short (KindUnreachable with ErrCutShort). The rule for repeating a
// request on the next node:
//
//   - An idempotent request (GET) moves on after any of these: sending it
//     twice changes nothing on the cluster.
//   - A request that is not idempotent (POST, PUT, DELETE: a start, a
//     console ticket) moves on only if it never had a connection, i.e. it
//     certainly did not reach a server. Once it had one, a timeout or a
//     cut-short answer leaves in doubt whether the node acted on it, and a
//     second node must not act again: the error goes to the caller, who
//     can look (the task list) before asking again. Such requests use a
//     fresh connection (endpoint.once), so that a kept-alive connection
//     the server has already closed cannot leave that in doubt.
//
// Each endpoint gets the full timeout, but a node that does not even
// connect is left after the connect timeout. If none answers, the error is
// a certificate mismatch if any endpoint had one (in this request first,
// else the first set aside before), then a loopback-only refusal,
// otherwise the error of the first endpoint tried (the node the client
// was using, the one that failed the user), listing the others tried in
// Error.Also.
func (c *Client) do(ctx context.Context, op string, idempotent bool, call func(context.Context, *endpoint) error) error {
	if c.isClosed() {
		return &Error{Kind: KindInvalid, Op: op, Err: ErrClosed}
	}
	defer c.releaseIfClosed()
	var fpErr error
	var failed []*Error
	for _, i := range c.order() {
		ep := c.eps[i]
		var connected atomic.Bool
		actx, cancel := context.WithTimeout(ctx, c.timeout)
		actx = httptrace.WithClientTrace(actx, &httptrace.ClientTrace{
			GotConn: func(httptrace.GotConnInfo) { connected.Store(true) },
		})
		cerr := call(actx, ep)
		if cerr != nil && errors.Is(actx.Err(), context.DeadlineExceeded) && ctx.Err() == nil {
			// This attempt's time ran out: whatever the transport saw last
			// (often the connection closing under it: EOF, an empty body)
			// is a consequence. It is a timeout.
			cerr = errors.Join(context.DeadlineExceeded, cerr)
		}
		err := classify(op, ep.host, cerr)
		cancel()
		if err == nil {
			c.answered(i)
			return nil
		}
		var e *Error
		if !errors.As(err, &e) || ctx.Err() != nil {
			return err // the caller gave up
		}
		var fe *FingerprintError
		switch {
		case e.Kind == KindFingerprint && errors.As(e, &fe):
			c.setAside(i, fe)
			if fpErr == nil {
				fpErr = e
			}
		case e.Status == 0 && (e.Kind == KindUnreachable || e.Kind == KindTimeout || e.Kind == KindNotLoopback):
			if !idempotent && connected.Load() {
				return err // it may have reached the server
			}
			failed = append(failed, e)
		default:
			c.answered(i)
			return err
		}
	}
	if fpErr != nil {
		return fpErr
	}
	if err := c.firstAside(op); err != nil {
		return err
	}
	if len(failed) > 0 {
		// A refusal to leave this machine is a rule, not a network
		// failure: it names what to fix, like a certificate change.
		lead := 0
		for k, e := range failed {
			if e.Kind == KindNotLoopback {
				lead = k
				break
			}
		}
		out := *failed[lead]
		for k, e := range failed {
			if k != lead {
				out.Also = append(out.Also, e.where()+" ("+string(e.Kind)+")")
			}
		}
		return &out
	}
	return &Error{Kind: KindUnreachable, Op: op, Err: errors.New("no endpoint to try")}
}

// NodeEndpoints lists the cluster's online nodes with the address and
// certificate fingerprint to pin for each, for Config.Failover. It reads
// /cluster/status (each node's ip) and /nodes/{node}/certificates/info
// (pveproxy-ssl.pem if the node has a custom certificate, else
// pve-ssl.pem) over the client's own pinned connection, which is what
// keeps the other nodes' pins trustworthy. port is the port pveproxy
// listens on ("8006"); "" means the active endpoint's port. Nodes without
// an IP, offline or unreachable through the cluster, or without a
// certificate fingerprint are left out.
func (c *Client) NodeEndpoints(ctx context.Context, port string) ([]NodePin, error) {
	if port == "" {
		_, port, _ = net.SplitHostPort(c.activeHost())
	}
	status, err := c.ClusterStatus(ctx)
	if err != nil {
		return nil, err
	}
	var out []NodePin
	for _, e := range status {
		if e.Type != "node" || !e.Online || e.IP == "" {
			continue
		}
		ip, err := netip.ParseAddr(e.IP)
		if err != nil {
			continue
		}
		u, err := ParseEndpoint("https://" + net.JoinHostPort(ip.WithZone("").String(), port))
		if err != nil {
			return nil, invalidArg(fmt.Errorf("port %q: %w", port, err))
		}
		certs, err := c.CertificatesInfo(ctx, e.Name)
		if err != nil {
			if IsKind(err, KindServer) {
				continue // went offline meanwhile (595)
			}
			return nil, err
		}
		fp := nodeFingerprint(certs)
		if fp == "" {
			continue
		}
		out = append(out, NodePin{Node: e.Name, URL: u, Fingerprint: fp})
	}
	return out, nil
}

// nodeFingerprint picks the certificate pveproxy serves: the custom one
// (pveproxy-ssl.pem) if present, else the cluster-signed pve-ssl.pem.
func nodeFingerprint(certs []CertInfo) string {
	var fallback string
	for _, ci := range certs {
		fp, err := NormalizeFingerprint(ci.Fingerprint)
		if err != nil {
			continue
		}
		switch ci.Filename {
		case "pveproxy-ssl.pem":
			return fp
		case "pve-ssl.pem":
			fallback = fp
		}
	}
	return fallback
}
