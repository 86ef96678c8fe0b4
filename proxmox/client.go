package proxmox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	gp "github.com/luthermonson/go-proxmox"
)

const (
	apiPrefix      = "/api2/json"
	defaultTimeout = 15 * time.Second
	userAgent      = "cecyber/1 (+go-proxmox)"
)

// Config says how to reach and authenticate to a Proxmox VE cluster.
type Config struct {
	Endpoint string // "https://host:8006"; normalized with ParseEndpoint
	TokenID  string // "user@realm!tokenid"
	// Secret is the API token's secret. It is never logged, never put in an
	// error, and left out of String, GoString and JSON.
	Secret      string `json:"-"`
	Fingerprint string // Endpoint's pinned SHA-256 leaf fingerprint, any NormalizeFingerprint form
	// Failover lists further endpoints of the same cluster (its other
	// nodes, see NodeEndpoints), each pinned to its own certificate, tried
	// in order when the current endpoint cannot be reached. Nil means
	// Endpoint only. Entries repeating an earlier URL with the same
	// fingerprint are dropped.
	Failover []Pin
	// Timeout bounds each request to one endpoint; zero means 15 s.
	Timeout time.Duration
	// ConnectTimeout bounds the dial and TLS handshake of each new
	// connection, within Timeout: a node that is down or hanging is left
	// for the next one after this long. Zero means DefaultConnectTimeout
	// (3 s).
	ConnectTimeout time.Duration
	// LoopbackOnly makes the client refuse to connect anywhere but this
	// machine (the demo cluster): a dial to another address fails at once
	// with a KindNotLoopback error and is logged, nothing is sent. Test
	// binaries and EnvLoopbackOnly=1 make every client loopback-only.
	LoopbackOnly bool
	// Logger receives the refusals of LoopbackOnly; nil means
	// slog.Default(). Nothing else is logged here.
	Logger *slog.Logger
	// DialContext, when set, makes the raw connections instead of the
	// network: for tests and in-process transports (an in-memory
	// listener inside a testing/synctest bubble, where a real socket
	// would keep the bubble from ever being idle). It replaces only the
	// socket: the address is checked as for any dial (LoopbackOnly, where
	// with a hook only a loopback IP or "localhost" passes, as names are
	// not resolved), and every connection it returns is TLS-pinned to the
	// endpoint's fingerprint as always. Nil dials the network. Left out
	// of JSON, which cannot hold a function.
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error) `json:"-"`
}

// String omits the secret.
func (c Config) String() string {
	return fmt.Sprintf("proxmox.Config{Endpoint: %q, TokenID: %q, Secret: %s, Fingerprint: %q, Failover: %v, Timeout: %v, LoopbackOnly: %v}",
		c.Endpoint, c.TokenID, secretMark(c.Secret), c.Fingerprint, c.Failover, c.Timeout, c.LoopbackOnly)
}

// GoString omits the secret from %#v too.
func (c Config) GoString() string { return c.String() }

func secretMark(s string) string {
	if s == "" {
		return `""`
	}
	return "[redacted]"
}

// Client makes typed calls to a Proxmox VE cluster over pinned
// connections: to its current endpoint, failing over to the cluster's other
// pinned endpoints when that one cannot be reached (see Config.Failover).
// It is safe for concurrent use.
type Client struct {
	tokenID string
	timeout time.Duration
	authz   string      // the Authorization header value; holds the secret
	eps     []*endpoint // Config.Endpoint first, then Config.Failover
	// host is the first endpoint's host:port. Errors made after a request
	// name activeHost instead, the endpoint that answered.
	host string

	// closed is set by Close: no request starts after it, and the
	// connections of any still running are closed when it ends.
	closed atomic.Bool

	// mu guards the failover state below.
	mu      sync.Mutex
	cur     int                 // index in eps of the endpoint requests go to first
	aside   []*FingerprintError // per endpoint: why it is set aside; nil if it is not
	changes []CertChange        // in the order they were found
}

// endpoint is one pinned address of the cluster with its own connections.
type endpoint struct {
	url    string // "https://host:port"
	host   string // host:port, for errors
	dialer *PinnedDialer
	api    *gp.Client // over kept-alive connections
	// once makes each request on a connection of its own, closed after
	// the answer: a request that must not be repeated then either never
	// had a connection or certainly went over a live one.
	once *gp.Client
	// transports are api's and once's, for Close.
	transports []*http.Transport
}

// NewClient checks cfg and builds a client. It makes no network request:
// a wrong token shows on the first call.
func NewClient(cfg Config) (*Client, error) {
	invalid := func(err error) (*Client, error) { return nil, &Error{Kind: KindInvalid, Err: err} }
	if _, _, _, err := ParseTokenID(cfg.TokenID); err != nil {
		return invalid(err)
	}
	tokenID := strings.TrimSpace(cfg.TokenID)
	secret := strings.TrimSpace(cfg.Secret)
	if secret == "" {
		return invalid(errors.New("token secret is empty: paste the secret Proxmox showed when the token was created"))
	}
	if strings.ContainsAny(secret, " \t\r\n=") {
		return invalid(errors.New("token secret contains spaces or \"=\": paste only the secret"))
	}
	endpoint, err := ParseEndpoint(cfg.Endpoint)
	if err != nil {
		return invalid(err)
	}
	if cfg.Fingerprint == "" {
		return invalid(errors.New("no pinned certificate fingerprint: probe the server and confirm its fingerprint first"))
	}
	pins, err := normalizePins(append([]Pin{{URL: endpoint, Fingerprint: cfg.Fingerprint}}, cfg.Failover...))
	if err != nil {
		return invalid(err)
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = defaultTimeout
	}
	c := &Client{
		tokenID: tokenID,
		timeout: timeout,
		authz:   "PVEAPIToken=" + tokenID + "=" + secret,
		aside:   make([]*FingerprintError, len(pins)),
		host:    hostOf(pins[0].URL),
	}
	for _, p := range pins {
		ep, err := newEndpoint(p, tokenID, secret, timeout, min(cfg.ConnectTimeout, timeout), cfg)
		if err != nil {
			return invalid(err)
		}
		c.eps = append(c.eps, ep)
	}
	return c, nil
}

func newEndpoint(p Pin, tokenID, secret string, timeout, connectTimeout time.Duration, cfg Config) (*endpoint, error) {
	dialer, err := newPinnedDialer(p.Fingerprint, connectTimeout, newDial(connectTimeout, cfg.LoopbackOnly, cfg.Logger, cfg.DialContext))
	if err != nil {
		return nil, err
	}
	var transports []*http.Transport
	newAPI := func(keepAlive bool) *gp.Client {
		transport := &http.Transport{
			// Proxmox sits on the LAN; an environment proxy would see
			// the token header only as ciphertext but could still
			// break pinning expectations, so connections go direct.
			Proxy:                 nil,
			DialTLSContext:        dialer.DialTLSContext,
			DisableKeepAlives:     !keepAlive,
			MaxIdleConnsPerHost:   4,
			IdleConnTimeout:       90 * time.Second,
			ResponseHeaderTimeout: timeout,
		}
		transports = append(transports, transport)
		httpClient := &http.Client{
			Transport: &statusTransport{base: transport, secret: secret},
			// Redirects would carry the token elsewhere; pveproxy
			// never sends any.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
		return gp.NewClient(p.URL+apiPrefix,
			gp.WithAPIToken(tokenID, secret),
			gp.WithHTTPClient(httpClient),
			gp.WithUserAgent(userAgent),
			gp.WithLogger(quietLogger{}),
		)
	}
	api, once := newAPI(true), newAPI(false)
	return &endpoint{
		url:        p.URL,
		host:       hostOf(p.URL),
		dialer:     dialer,
		api:        api,
		once:       once,
		transports: transports,
	}, nil
}

// ErrClosed is the cause of the error of a request made after Close.
var ErrClosed = errors.New("proxmox: the client is closed (the cluster was removed or reconnected)")

// Close releases the client's connections: the idle ones at once, and
// those of requests still running as each ends. Requests made after Close
// fail with ErrClosed. The console's websockets, dialled with Dialer, are
// the console's own. Close may be called more than once.
func (c *Client) Close() error {
	c.closed.Store(true)
	c.closeIdle()
	return nil
}

func (c *Client) isClosed() bool { return c.closed.Load() }

// releaseIfClosed closes the connections a request brought back to the
// idle pool after Close.
func (c *Client) releaseIfClosed() {
	if c.closed.Load() {
		c.closeIdle()
	}
}

func (c *Client) closeIdle() {
	for _, ep := range c.eps {
		for _, t := range ep.transports {
			t.CloseIdleConnections()
		}
	}
}

// String names the endpoint and token ID, never the secret.
func (c *Client) String() string {
	return fmt.Sprintf("proxmox.Client{%s as %s}", c.Endpoint(), c.tokenID)
}

// GoString keeps %#v from printing the fields (and the secret).
func (c *Client) GoString() string { return c.String() }

// Endpoint returns the configured (first) endpoint, normalized
// "https://host:port"; Active tells which one requests go to now.
func (c *Client) Endpoint() string { return c.eps[0].url }

// Fingerprint returns the first endpoint's pinned fingerprint, "AB:CD:…".
func (c *Client) Fingerprint() string { return c.eps[0].dialer.Fingerprint() }

// Dialer returns the first endpoint's pinned dialer, for connections made
// outside the REST API (the console's websocket: gorilla's
// Dialer.NetDialTLSContext). It only dials Endpoint's host; DialerFor
// gives the dialer of another of the client's endpoints.
func (c *Client) Dialer() *PinnedDialer { return c.eps[0].dialer }

// DialerFor returns the pinned dialer of the client's endpoint url (as
// Active or Pins name it), or nil if url is not one of them.
func (c *Client) DialerFor(url string) *PinnedDialer {
	if u, err := ParseEndpoint(url); err == nil {
		for _, ep := range c.eps {
			if ep.url == u {
				return ep.dialer
			}
		}
	}
	return nil
}

// AuthHeader returns the header that authenticates to Proxmox, for the
// console's websocket dial. It carries the secret: send it only over a
// connection made with Dialer, and never log it.
func (c *Client) AuthHeader() http.Header {
	return http.Header{"Authorization": []string{c.authz}}
}

// quietLogger keeps go-proxmox silent: at debug level it would log request
// and response bodies.
type quietLogger struct{}

func (quietLogger) Debugf(string, ...any) {}
func (quietLogger) Errorf(string, ...any) {}
func (quietLogger) Infof(string, ...any)  {}
func (quietLogger) Warnf(string, ...any)  {}

func (c *Client) get(ctx context.Context, path string, query url.Values, out any) error {
	op := "GET " + path
	if len(query) > 0 {
		path += "?" + query.Encode()
	}
	return c.do(ctx, op, true, func(ctx context.Context, ep *endpoint) error {
		return ep.api.Get(ctx, path, out)
	})
}

// post sends a request that is not idempotent (power actions): it fails
// over only when the request certainly did not reach a server.
func (c *Client) post(ctx context.Context, path string, body any, out any) error {
	return c.do(ctx, "POST "+path, false, func(ctx context.Context, ep *endpoint) error {
		return ep.once.Post(ctx, path, body, out)
	})
}

func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }

func invalidArg(err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Kind: KindInvalid, Err: err}
}

func nodePath(node string) (string, error) {
	if err := ValidNodeName(node); err != nil {
		return "", invalidArg(err)
	}
	return "/nodes/" + node, nil
}

func guestPath(ref GuestRef) (string, error) {
	if err := ref.Validate(); err != nil {
		return "", invalidArg(err)
	}
	return fmt.Sprintf("/nodes/%s/%s/%d", ref.Node, ref.Type, ref.VMID), nil
}

// Version returns the Proxmox VE version of the node that answers.
func (c *Client) Version(ctx context.Context) (Version, error) {
	var v struct {
		Version pveString `json:"version"`
		Release pveString `json:"release"`
		RepoID  pveString `json:"repoid"`
	}
	err := c.get(ctx, "/version", nil, &v)
	return Version{Version: string(v.Version), Release: string(v.Release), RepoID: string(v.RepoID)}, err
}

// ClusterStatus returns /cluster/status: one "cluster" entry (absent on a
// single node without cluster) and one entry per node.
func (c *Client) ClusterStatus(ctx context.Context) ([]ClusterStatusEntry, error) {
	var out []ClusterStatusEntry
	return out, c.get(ctx, "/cluster/status", nil, &out)
}

// ResourceTypes are the filters /cluster/resources accepts.
var ResourceTypes = []string{"vm", "node", "storage", "sdn", "pool"}

// Resources returns /cluster/resources, filtered by typ ("vm", "node",
// "storage", "sdn", "pool"; "" for everything).
func (c *Client) Resources(ctx context.Context, typ string) ([]Resource, error) {
	var q url.Values
	if typ != "" {
		known := false
		for _, t := range ResourceTypes {
			known = known || t == typ
		}
		if !known {
			return nil, invalidArg(fmt.Errorf("resource type %q is not one of %s", typ, strings.Join(ResourceTypes, ", ")))
		}
		q = url.Values{"type": {typ}}
	}
	var out []Resource
	return out, c.get(ctx, "/cluster/resources", q, &out)
}

// Nodes returns /nodes.
func (c *Client) Nodes(ctx context.Context) ([]NodeSummary, error) {
	var out []NodeSummary
	return out, c.get(ctx, "/nodes", nil, &out)
}

// NodeStatus returns /nodes/{node}/status.
func (c *Client) NodeStatus(ctx context.Context, node string) (NodeStatus, error) {
	p, err := nodePath(node)
	if err != nil {
		return NodeStatus{}, err
	}
	var out NodeStatus
	return out, c.get(ctx, p+"/status", nil, &out)
}

// Guests lists the VMs (QEMU) or containers (LXC) of one node.
func (c *Client) Guests(ctx context.Context, node string, kind GuestType) ([]GuestSummary, error) {
	p, err := nodePath(node)
	if err != nil {
		return nil, err
	}
	if !kind.Valid() {
		return nil, invalidArg(fmt.Errorf("guest type %q is neither qemu nor lxc", kind))
	}
	var out []GuestSummary
	if err := c.get(ctx, p+"/"+string(kind), nil, &out); err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Node, out[i].Type = node, kind
	}
	return out, nil
}

// GuestStatus returns …/status/current.
func (c *Client) GuestStatus(ctx context.Context, ref GuestRef) (GuestStatus, error) {
	p, err := guestPath(ref)
	if err != nil {
		return GuestStatus{}, err
	}
	var out GuestStatus
	return out, c.get(ctx, p+"/status/current", nil, &out)
}

// GuestConfig returns a guest's configuration, every value as a string
// the way it appears in the config file (numbers as written, booleans as
// 0/1).
func (c *Client) GuestConfig(ctx context.Context, ref GuestRef) (map[string]string, error) {
	p, err := guestPath(ref)
	if err != nil {
		return nil, err
	}
	var raw map[string]json.RawMessage
	if err := c.get(ctx, p+"/config", nil, &raw); err != nil {
		return nil, err
	}
	return configStrings(raw), nil
}

func configStrings(raw map[string]json.RawMessage) map[string]string {
	out := make(map[string]string, len(raw))
	for k, v := range raw {
		s, err := scalarText(v)
		if err != nil {
			s = string(v) // an object or array: keep its JSON
		} else if string(v) == "null" {
			continue
		}
		out[k] = s
	}
	return out
}

var (
	rrdTimeframes = []string{"hour", "day", "week", "month", "year"}
	rrdCFs        = []string{"", "AVERAGE", "MAX"}
)

func rrdQuery(timeframe, cf string) (url.Values, error) {
	okTF, okCF := false, false
	for _, t := range rrdTimeframes {
		okTF = okTF || t == timeframe
	}
	for _, t := range rrdCFs {
		okCF = okCF || t == cf
	}
	if !okTF {
		return nil, invalidArg(fmt.Errorf("RRD timeframe %q is not one of %s", timeframe, strings.Join(rrdTimeframes, ", ")))
	}
	if !okCF {
		return nil, invalidArg(fmt.Errorf("RRD consolidation %q is not AVERAGE or MAX", cf))
	}
	q := url.Values{"timeframe": {timeframe}}
	if cf != "" {
		q.Set("cf", cf)
	}
	return q, nil
}

// RRDData returns a guest's metric history for timeframe ("hour", "day",
// "week", "month", "year"), consolidated by cf ("AVERAGE", "MAX"; "" for
// Proxmox's default, AVERAGE).
func (c *Client) RRDData(ctx context.Context, ref GuestRef, timeframe, cf string) ([]RRDPoint, error) {
	p, err := guestPath(ref)
	if err != nil {
		return nil, err
	}
	return c.rrd(ctx, p+"/rrddata", timeframe, cf)
}

// NodeRRDData is RRDData for a node.
func (c *Client) NodeRRDData(ctx context.Context, node, timeframe, cf string) ([]RRDPoint, error) {
	p, err := nodePath(node)
	if err != nil {
		return nil, err
	}
	return c.rrd(ctx, p+"/rrddata", timeframe, cf)
}

func (c *Client) rrd(ctx context.Context, path, timeframe, cf string) ([]RRDPoint, error) {
	q, err := rrdQuery(timeframe, cf)
	if err != nil {
		return nil, err
	}
	var raw []map[string]json.RawMessage
	if err := c.get(ctx, path, q, &raw); err != nil {
		return nil, err
	}
	pts, err := decodeRRD(raw)
	if err != nil {
		return nil, &Error{Kind: KindProtocol, Op: "GET " + path, Host: c.activeHost(), Err: err}
	}
	return pts, nil
}

// decodeRRD gives every point the same set of metrics (the union over the
// series) so that a metric missing from a sample reads as a gap.
func decodeRRD(raw []map[string]json.RawMessage) ([]RRDPoint, error) {
	keys := map[string]bool{}
	for _, m := range raw {
		for k := range m {
			if k != "time" {
				keys[k] = true
			}
		}
	}
	out := make([]RRDPoint, 0, len(raw))
	for _, m := range raw {
		var t pveInt
		if err := json.Unmarshal(m["time"], &t); err != nil || t == 0 {
			return nil, errors.New("rrddata sample without a time")
		}
		pt := RRDPoint{Time: int64(t), Values: make(map[string]*float64, len(keys))}
		for k := range keys {
			pt.Values[k] = nil
			v, ok := m[k]
			if !ok {
				continue
			}
			var f pveFloat
			s, err := scalarText(v)
			if err != nil || s == "" || json.Unmarshal(v, &f) != nil {
				continue // null or not a number: a gap
			}
			x := float64(f)
			pt.Values[k] = &x
		}
		out = append(out, pt)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time < out[j].Time })
	return out, nil
}

// GuestAction asks Proxmox to start, stop, … a guest and returns the task
// that does it. Actions a container lacks (reset) are refused before any
// request.
func (c *Client) GuestAction(ctx context.Context, ref GuestRef, action Action) (UPID, error) {
	return c.GuestActionWith(ctx, ref, action, nil)
}

// Tasks lists a node's tasks, newest first.
func (c *Client) Tasks(ctx context.Context, node string, f TaskFilter) ([]Task, error) {
	p, err := nodePath(node)
	if err != nil {
		return nil, err
	}
	q := url.Values{}
	if f.Limit > 0 {
		q.Set("limit", strconv.Itoa(f.Limit))
	}
	if f.Start > 0 {
		q.Set("start", strconv.Itoa(f.Start))
	}
	switch f.Source {
	case "":
	case "archive", "active", "all":
		q.Set("source", f.Source)
	default:
		return nil, invalidArg(fmt.Errorf("task source %q is not archive, active or all", f.Source))
	}
	if f.Type != "" {
		q.Set("typefilter", f.Type)
	}
	if f.User != "" {
		q.Set("userfilter", f.User)
	}
	if f.VMID != 0 {
		if err := ValidVMID(f.VMID); err != nil {
			return nil, invalidArg(err)
		}
		q.Set("vmid", strconv.Itoa(f.VMID))
	}
	if f.Errors {
		q.Set("errors", "1")
	}
	if !f.Since.IsZero() {
		q.Set("since", strconv.FormatInt(f.Since.Unix(), 10))
	}
	if !f.Until.IsZero() {
		q.Set("until", strconv.FormatInt(f.Until.Unix(), 10))
	}
	var out []Task
	return out, c.get(ctx, p+"/tasks", q, &out)
}

func taskPath(node string, upid UPID) (string, error) {
	p, err := nodePath(node)
	if err != nil {
		return "", err
	}
	info, err := ParseUPID(string(upid))
	if err != nil {
		return "", invalidArg(err)
	}
	if info.Node != node {
		return "", invalidArg(fmt.Errorf("task %s runs on node %q, not %q", upid, info.Node, node))
	}
	return p + "/tasks/" + url.PathEscape(string(upid)), nil
}

// TaskStatus returns a task's state; poll it until Running is false.
func (c *Client) TaskStatus(ctx context.Context, node string, upid UPID) (TaskStatus, error) {
	p, err := taskPath(node, upid)
	if err != nil {
		return TaskStatus{}, err
	}
	var out TaskStatus
	return out, c.get(ctx, p+"/status", nil, &out)
}

// taskLogPage is how many lines TaskLog asks for at a time; Proxmox's
// default page is 50.
const taskLogPage = 1000

// maxTaskLogLines bounds what TaskLog reads of a runaway log.
const maxTaskLogLines = 100000

// TaskLog returns a task's whole log (up to 100000 lines).
func (c *Client) TaskLog(ctx context.Context, node string, upid UPID) ([]TaskLogLine, error) {
	p, err := taskPath(node, upid)
	if err != nil {
		return nil, err
	}
	var all []TaskLogLine
	for len(all) < maxTaskLogLines {
		var page []TaskLogLine
		q := url.Values{"start": {strconv.Itoa(len(all))}, "limit": {strconv.Itoa(taskLogPage)}}
		if err := c.get(ctx, p+"/log", q, &page); err != nil {
			return nil, err
		}
		all = append(all, page...)
		if len(page) < taskLogPage {
			break
		}
	}
	return all, nil
}

// Permissions returns the token's effective privileges per ACL path.
func (c *Client) Permissions(ctx context.Context) (Permissions, error) {
	var raw map[string]map[string]pveBool
	if err := c.get(ctx, "/access/permissions", nil, &raw); err != nil {
		return nil, err
	}
	out := make(Permissions, len(raw))
	for path, privs := range raw {
		m := make(map[string]bool, len(privs))
		for k, v := range privs {
			m[k] = bool(v)
		}
		out[path] = m
	}
	return out, nil
}

// CertificatesInfo returns the certificates a node serves; their
// fingerprints let a cluster's other nodes be pinned without asking the
// user again.
func (c *Client) CertificatesInfo(ctx context.Context, node string) ([]CertInfo, error) {
	p, err := nodePath(node)
	if err != nil {
		return nil, err
	}
	var out []CertInfo
	return out, c.get(ctx, p+"/certificates/info", nil, &out)
}
