// Package pvesim simulates a Proxmox VE 9.1 cluster, or with
// Config.Version a Proxmox VE 8.4 one (see Version84), behind the real
// /api2/json HTTP API, so that the client layer, the app and demo mode run
// against something that behaves like pveproxy without a real cluster.
//
// It is built like tailscale's testcontrol: the zero Config works, all state
// lives in memory under one mutex, faults are injected through exported
// methods, and any route it does not know fails loudly with Proxmox's own
// "not implemented" error instead of answering something plausible.
//
// Time never advances by itself: tasks, uptimes, counters and metric curves
// are all computed from Config.Now when a request arrives, so a test with a
// fake clock sees exactly the same cluster on every run.
//
// Try it by hand:
//
//	go run ./proxmox/pvesim/cmd/pvesim -listen 127.0.0.1:8006
//	openssl s_client -connect 127.0.0.1:8006 </dev/null | openssl x509 >sim.pem
//	curl --cacert sim.pem -H 'Authorization: PVEAPIToken=root@pam!cecyber=SECRET' \
//	    https://127.0.0.1:8006/api2/json/cluster/resources
//
// (compare `openssl x509 -in sim.pem -noout -fingerprint -sha256` with the
// fingerprint the command printed before trusting it).
package pvesim

import (
	"crypto/rand"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// Config describes the simulated cluster. The zero value is a valid
// three-node cluster with 24 guests.
type Config struct {
	Nodes       int              // default 3; node names "pve1".."pveN"
	Guests      int              // default 24; negative means none
	Seed        int64            // default 1; same seed → same cluster and same metric curves
	ClusterName string           // default "demo"
	Now         func() time.Time // default time.Now; every state change is computed from it
	// Version is the pve-manager version /version reports, default
	// Version91. Its major version chooses the release the cluster
	// plays: "8.x" answers as Proxmox VE 8.4 (Version84) does, anything
	// else as 9.1. See Versions.
	Version string
	// SharedAddress makes Start serve every node on the listen address's
	// IP with a port of its own, instead of one loopback address per node
	// (127.0.0.1, 127.0.0.2, … on one port). Start falls back to it by
	// itself where only 127.0.0.1 is configured (macOS). Proxmox's
	// /cluster/status has no port, so every node then reports the same IP
	// and a client cannot find the other nodes by it: failover is only
	// exercised with one address per node.
	SharedAddress bool
	// LegacyVNC makes vncproxy answer like qemu-server before 9.1.7:
	// no "password" unless generate-password=1 is passed, and the VNC
	// password is the ticket (QEMU compares its first 8 characters).
	// A Proxmox VE 8.4 cluster (Version84) always answers so: it plays
	// 8.4.1 as released, with qemu-server 8.3.12 and pve-container 5.2.6.
	LegacyVNC bool
	// QEMUConsoles serves the console of a running qemu guest from a
	// real QEMU process (no disk: the SeaBIOS screen), started on the
	// guest's first console and killed when the guest stops or the
	// simulator closes (Server.Close, Sim.Close). The VNC password is
	// set and expired over QMP as qm vncproxy does. Linux only; without
	// qemu-system-x86_64 on PATH it logs why and uses the built-in RFB
	// server.
	QEMUConsoles bool
	// QEMUGuests, when not empty, limits QEMUConsoles to these VMIDs.
	QEMUGuests []int
	// CustomCertificates gives every node a custom certificate
	// (pveproxy-ssl.pem, as `pvenode cert set` or ACME would), which
	// pveproxy serves instead of the cluster-signed pve-ssl.pem.
	CustomCertificates bool
}

// Token is an API token and the ACL entries granted to it. Privilege
// separated tokens in Proxmox start with no permission at all, which is what
// an empty ACL means here too.
type Token struct {
	ID     string // user@realm!name
	Secret string
	ACL    []ACL
}

// ACL grants privileges on a path and, like Proxmox with propagate=1, on
// everything below it.
type ACL struct {
	Path  string // "/", "/vms", "/vms/101", "/nodes/pve1"
	Privs []string
}

// Default token IDs. Their secrets are random per Sim; see Tokens.
const (
	AdminTokenID   = "root@pam!cecyber"
	AuditorTokenID = "auditor@pve!readonly"
	LimitedTokenID = "ops@pve!limited"
	NoACLTokenID   = "empty@pve!nothing"
)

const (
	limitedTokenVM  = 101
	defaultNodes    = 3
	defaultGuests   = 24
	defaultVersion  = Version91
	defaultCluster  = "demo"
	authFailMessage = "Authentication failed!"
)

// The releases pvesim plays, as the pve-manager version /version reports.
const (
	// Version91 is Proxmox VE 9.1, the default.
	Version91 = "9.1.2"
	// Version84 is Proxmox VE 8.4 as released (pve-manager 8.4.1 of
	// 2025-04-10): no memhost or pressure figures anywhere, the PVE 8
	// RRD layout (70 rows per timeframe, no decade), "sdn" rows instead
	// of "network" ones in /cluster/resources, consoles as LegacyVNC,
	// a node's termproxy refusing API tokens, no /cluster/bulk-action.
	Version84 = "8.4.1"
)

// Versions lists the releases pvesim plays, for tests that run over
// each of them.
var Versions = []string{Version91, Version84}

// ParseRelease maps a release as users name it ("8.4", "9.1") or a full
// version to the version pvesim plays it with.
func ParseRelease(s string) (string, error) {
	switch s {
	case "9.1", Version91:
		return Version91, nil
	case "8.4", Version84:
		return Version84, nil
	}
	return "", fmt.Errorf("pvesim: unknown Proxmox VE release %q: want 8.4 or 9.1", s)
}

// Sim is a simulated Proxmox VE cluster. It implements http.Handler for
// paths under /api2/json/ and is safe for concurrent use.
type Sim struct {
	cfg     Config
	now     func() time.Time
	version string
	// pve8 is whether the cluster plays Proxmox VE 8.4 (Config.Version
	// 8.x); routes is the route table of its release.
	pve8    bool
	routes  []*route
	release string
	repoid  string

	// hookMu guards the fault hooks. It is separate from mu so that a test
	// can change faults while a slow (latency-injected) request is running.
	hookMu      sync.Mutex
	latency     time.Duration
	nodeLatency map[string]time.Duration
	authDelay   time.Duration
	faults      []fault
	drops       []string
	onRequest   func(method, path, node string)
	netFaults   netFaults // SetNodeHanging, SetCutShort

	// listeners, when set (by Start, before serving), follows nodes going
	// down and up and certificates changing. It is called without mu held.
	listeners listenerControl

	mu         sync.Mutex
	ca         *nodeCert // pve-root-ca.pem; never changes
	tokens     map[string]Token
	nodes      []*node
	nodeByName map[string]*node
	guests     []*guest // sorted by vmid
	guestByID  map[int]*guest
	tasks      []*task // in creation order
	active     []*task // not yet finished
	taskByUPID map[string]*task
	taskFail   map[failKey]string
	nextPID    int
	vnc        vncState
	qemu       qemuState // Config.QEMUConsoles; see qemu.go
}

type fault struct {
	method  string
	pattern string
	status  int
	message string
}

type failKey struct {
	vmid   int
	action string
}

// New builds a simulated cluster from cfg, filling in defaults. It panics
// only if the system's random source fails, as crypto/rand would anyway.
func New(cfg Config) *Sim {
	if cfg.Nodes <= 0 {
		cfg.Nodes = defaultNodes
	}
	if cfg.Guests < 0 {
		cfg.Guests = 0
	} else if cfg.Guests == 0 {
		cfg.Guests = defaultGuests
	}
	if cfg.Seed == 0 {
		cfg.Seed = 1
	}
	if cfg.ClusterName == "" {
		cfg.ClusterName = defaultCluster
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Version == "" {
		cfg.Version = defaultVersion
	}
	pve8 := strings.HasPrefix(cfg.Version, "8.")
	if pve8 {
		cfg.LegacyVNC = true
	}
	s := &Sim{
		cfg:     cfg,
		now:     cfg.Now,
		version: cfg.Version,
		pve8:    pve8,
		routes:  routesFor(pve8),
		release: releaseOf(cfg.Version),
		// pve-manager's short git revision: 16 hex digits.
		repoid:     fmt.Sprintf("%016x", mix(uint64(cfg.Seed), 0x7e90)),
		tokens:     make(map[string]Token),
		nodeByName: make(map[string]*node),
		guestByID:  make(map[int]*guest),
		taskByUPID: make(map[string]*task),
		taskFail:   make(map[failKey]string),
	}
	ca, err := newClusterCA(uuidFrom(uint64(cfg.Seed) ^ 0xca))
	if err != nil {
		panic(fmt.Sprintf("pvesim: cluster CA: %v", err))
	}
	s.ca = ca
	s.build(cfg.Now())
	for _, t := range defaultTokens() {
		s.tokens[t.ID] = t
	}
	return s
}

func releaseOf(v string) string {
	dots := 0
	for i, c := range v {
		if c == '.' {
			dots++
			if dots == 2 {
				return v[:i]
			}
		}
	}
	return v
}

// AllPrivileges lists every privilege Proxmox VE 9 knows; the admin token
// holds all of them on "/".
var AllPrivileges = []string{
	"Datastore.Allocate", "Datastore.AllocateSpace", "Datastore.AllocateTemplate", "Datastore.Audit",
	"Group.Allocate", "Mapping.Audit", "Mapping.Modify", "Mapping.Use", "Permissions.Modify",
	"Pool.Allocate", "Pool.Audit", "Realm.Allocate", "Realm.AllocateUser",
	"SDN.Allocate", "SDN.Audit", "SDN.Use",
	"Sys.AccessNetwork", "Sys.Audit", "Sys.Console", "Sys.Incoming", "Sys.Modify", "Sys.PowerMgmt", "Sys.Syslog",
	"User.Modify",
	"VM.Allocate", "VM.Audit", "VM.Backup", "VM.Clone",
	"VM.Config.CDROM", "VM.Config.CPU", "VM.Config.Cloudinit", "VM.Config.Disk", "VM.Config.HWType",
	"VM.Config.Memory", "VM.Config.Network", "VM.Config.Options", "VM.Console",
	"VM.GuestAgent.Audit", "VM.GuestAgent.FileRead", "VM.GuestAgent.FileSystemMgmt",
	"VM.GuestAgent.FileWrite", "VM.GuestAgent.Unrestricted",
	"VM.Migrate", "VM.PowerMgmt", "VM.Replicate", "VM.Snapshot", "VM.Snapshot.Rollback",
}

func defaultTokens() []Token {
	return []Token{
		{ID: AdminTokenID, Secret: newUUID(), ACL: []ACL{{Path: "/", Privs: AllPrivileges}}},
		{ID: AuditorTokenID, Secret: newUUID(), ACL: []ACL{{Path: "/", Privs: []string{"VM.Audit", "Sys.Audit", "Datastore.Audit"}}}},
		{ID: LimitedTokenID, Secret: newUUID(), ACL: []ACL{{Path: fmt.Sprintf("/vms/%d", limitedTokenVM), Privs: []string{"VM.Audit", "VM.PowerMgmt", "VM.Console"}}}},
		{ID: NoACLTokenID, Secret: newUUID()},
	}
}

// newUUID returns a random version 4 UUID, the format Proxmox uses for token
// secrets.
func newUUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("pvesim: crypto/rand: %v", err))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// AddToken adds t, replacing any token with the same ID.
func (s *Sim) AddToken(t Token) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[t.ID] = cloneToken(t)
}

// AdminToken returns the full-privilege token root@pam!cecyber.
func (s *Sim) AdminToken() Token {
	s.mu.Lock()
	defer s.mu.Unlock()
	return cloneToken(s.tokens[AdminTokenID])
}

// Tokens returns every token the simulator accepts, sorted by ID. The
// defaults are AdminTokenID, AuditorTokenID (VM.Audit, Sys.Audit and
// Datastore.Audit on /), LimitedTokenID (VM.Audit, VM.PowerMgmt and
// VM.Console on /vms/101 only) and NoACLTokenID (no permission at all).
func (s *Sim) Tokens() []Token {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Token, 0, len(s.tokens))
	for _, t := range s.tokens {
		out = append(out, cloneToken(t))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Token returns the token with the given ID.
func (s *Sim) Token(id string) (Token, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[id]
	return cloneToken(t), ok
}

func cloneToken(t Token) Token {
	acl := make([]ACL, len(t.ACL))
	for i, a := range t.ACL {
		acl[i] = ACL{Path: a.Path, Privs: append([]string(nil), a.Privs...)}
	}
	if t.ACL == nil {
		acl = nil
	}
	t.ACL = acl
	return t
}

// Nodes returns the node names in order.
func (s *Sim) Nodes() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, len(s.nodes))
	for i, n := range s.nodes {
		out[i] = n.name
	}
	return out
}

// SetLatency delays every request by d before it is handled.
func (s *Sim) SetLatency(d time.Duration) {
	s.hookMu.Lock()
	defer s.hookMu.Unlock()
	s.latency = d
}

// SetNodeLatency delays by d every request that node's listener receives
// (a Sim used as a bare http.Handler counts as the first node), on top of
// SetLatency. Zero removes it.
func (s *Sim) SetNodeLatency(node string, d time.Duration) {
	s.hookMu.Lock()
	defer s.hookMu.Unlock()
	if s.nodeLatency == nil {
		s.nodeLatency = make(map[string]time.Duration)
	}
	if d <= 0 {
		delete(s.nodeLatency, node)
		return
	}
	s.nodeLatency[node] = d
}

// SetRequestHook has fn called for every API request, with its method,
// its path below /api2/json and the node whose listener received it, on
// the goroutine serving it, after any latency and before the request is
// authenticated and answered: the request waits for fn. Tests use it to act
// at an exact moment (a failover while a console ticket is being issued).
// nil removes it.
func (s *Sim) SetRequestHook(fn func(method, path, node string)) {
	s.hookMu.Lock()
	defer s.hookMu.Unlock()
	s.onRequest = fn
}

// SetAuthFailureDelay delays every 401 answer by d. pveproxy waits 3
// seconds before refusing credentials; the simulator answers at once unless
// told otherwise, so that tests stay fast.
func (s *Sim) SetAuthFailureDelay(d time.Duration) {
	s.hookMu.Lock()
	defer s.hookMu.Unlock()
	s.authDelay = d
}

// ClusterCA returns the cluster CA (pve-root-ca.pem) in PEM: the cert
// vncproxy answers with, and the issuer of every node's pve-ssl.pem.
func (s *Sim) ClusterCA() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]byte(nil), s.ca.pem...)
}

// NodeCertificate returns the certificate a node's pveproxy serves, in PEM,
// and its fingerprint: its pveproxy-ssl.pem if it has a custom one, else
// its pve-ssl.pem.
func (s *Sim) NodeCertificate(node string) (certPEM []byte, fingerprint string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.nodeByName[node]
	if n == nil {
		return nil, "", false
	}
	return append([]byte(nil), n.cert.pem...), n.cert.fingerprint, true
}

// TLSConfig returns the TLS server configuration of node's pveproxy: its
// current certificate (RotateCertificate applies to the next handshake),
// HTTP/1.1 only. With it a Sim made by New is served on a listener of the
// caller's own, such as an in-memory one (memnet) in a synctest bubble;
// the Sim itself is the handler, answering as its first node. ok is false
// for an unknown node.
func (s *Sim) TLSConfig(node string) (cfg *tls.Config, ok bool) {
	s.mu.Lock()
	n := s.nodeByName[node]
	s.mu.Unlock()
	if n == nil {
		return nil, false
	}
	return s.nodeTLSConfig(n), true
}

// SetFault makes requests matching method and pathPattern fail with status
// and message (after authentication, before routing). method "" or "*"
// matches any method. pathPattern is relative to /api2/json; each segment is
// matched with path.Match, and "{name}" matches any one segment, so both
// "/nodes/*/qemu/*/status/start" and "/nodes/{node}/qemu/{vmid}/status/start"
// work. status 0 removes the fault; an empty message becomes the status
// text.
func (s *Sim) SetFault(method, pathPattern string, status int, message string) {
	s.hookMu.Lock()
	defer s.hookMu.Unlock()
	if method == "*" {
		method = ""
	}
	kept := s.faults[:0]
	for _, f := range s.faults {
		if f.method != method || f.pattern != pathPattern {
			kept = append(kept, f)
		}
	}
	s.faults = kept
	if message == "" {
		message = http.StatusText(status)
	}
	if status != 0 {
		s.faults = append(s.faults, fault{method: method, pattern: pathPattern, status: status, message: message})
	}
}

// SetDropConnections makes the server close the connection without
// answering for requests whose path matches pathPattern (see SetFault).
func (s *Sim) SetDropConnections(pathPattern string, on bool) {
	s.hookMu.Lock()
	defer s.hookMu.Unlock()
	kept := s.drops[:0]
	for _, p := range s.drops {
		if p != pathPattern {
			kept = append(kept, p)
		}
	}
	s.drops = kept
	if on {
		s.drops = append(s.drops, pathPattern)
	}
}

// SetNodeOnline takes a node off the cluster or brings it back. While a node
// is offline, /cluster/status and /cluster/resources report it like PVE does
// and requests proxied to it fail with HTTP 595. Served by Start, its own
// listener is closed too, with every connection it held, so that
// connecting to it is refused as when the host is down; bringing it back
// listens again on the same address.
func (s *Sim) SetNodeOnline(node string, online bool) {
	s.mu.Lock()
	n := s.nodeByName[node]
	if n == nil {
		s.mu.Unlock()
		return
	}
	s.advanceLocked(s.now())
	if !online && n.online {
		n.online, n.offlineSince = false, s.now()
	}
	s.mu.Unlock()
	if s.listeners != nil {
		// There is no one to tell about a failure to listen again
		// (the address was ours a moment ago); the node then stays
		// unreachable, which tests notice.
		_ = s.listeners.setListening(node, online)
	}
	if online {
		s.mu.Lock()
		s.advanceLocked(s.now())
		n.online = true
		s.mu.Unlock()
	}
}

// RotateCertificate gives node a new custom certificate (pveproxy-ssl.pem,
// as `pvenode cert set` or an ACME renewal would), with the same names and
// addresses, which pveproxy serves from then on, and closes the node's
// connections, as pveproxy restarts. It returns the new fingerprint ("" for
// an unknown node).
func (s *Sim) RotateCertificate(node string) (newFingerprint string) {
	s.mu.Lock()
	n := s.nodeByName[node]
	if n == nil {
		s.mu.Unlock()
		return ""
	}
	old := n.cert.leaf
	s.mu.Unlock()
	// Key generation happens outside mu: handshakes take it to read the
	// current certificate.
	c, err := newCert(node, append([]string(nil), old.DNSNames...), append([]net.IP(nil), old.IPAddresses...))
	if err != nil {
		panic(fmt.Sprintf("pvesim: node certificate: %v", err))
	}
	s.mu.Lock()
	n.custom = c
	n.cert = n.served()
	s.mu.Unlock()
	if s.listeners != nil {
		s.listeners.dropConnections(node)
	}
	return c.fingerprint
}

// listenerControl is what a Sim needs of the listeners serving it.
type listenerControl interface {
	// setListening closes a node's listener (and its connections) or
	// opens it again.
	setListening(node string, online bool) error
	// dropConnections closes the connections a node's listener holds.
	dropConnections(node string)
}

// SetGuestIgnoresACPI makes a guest ignore shutdown requests, so its
// shutdown tasks run into their timeout.
func (s *Sim) SetGuestIgnoresACPI(vmid int, ignore bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if g := s.guestByID[vmid]; g != nil {
		g.ignoreACPI = ignore
	}
}

// QMPStatuses are the QMP run states SetGuestQMPStatus accepts: those
// /cluster/resources reports for a running VM other than running and
// paused.
var QMPStatuses = []string{"suspended", "prelaunch", "inmigrate", "postmigrate", "io-error", "internal-error", "guest-panicked"}

// SetGuestQMPStatus makes a running VM report a QMP status, as QEMU does
// when it stops a VM on a disk error (io-error) or the guest kernel
// panics (guest-panicked); "" gives it back its own. It reports whether
// vmid is a running VM and status one of QMPStatuses (or "").
func (s *Sim) SetGuestQMPStatus(vmid int, status string) bool {
	if status != "" && !slices.Contains(QMPStatuses, status) {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advanceLocked(s.now())
	g := s.guestByID[vmid]
	if g == nil || g.kind != "qemu" || !g.running {
		return false
	}
	g.qmpFault = status
	return true
}

// SetGuestCPU fixes a guest's CPU load, as a fraction of its CPUs (0.97
// is 97%), in what status and /cluster/resources report while it runs; a
// negative load gives it back its simulated one. Its history is unchanged.
func (s *Sim) SetGuestCPU(vmid int, load float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if g := s.guestByID[vmid]; g != nil {
		g.cpuPinned, g.cpuFixed = load >= 0, min(load, 1)
	}
}

// SetGuestLock sets a guest's config lock ("backup", "migrate",
// "snapshot", …; "" removes it), as a task running elsewhere would.
func (s *Sim) SetGuestLock(vmid int, lock string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if g := s.guestByID[vmid]; g != nil {
		s.advanceLocked(s.now())
		g.lock = lock
	}
}

// SetTaskFailure makes the next task of the given action ("start", "stop",
// "shutdown", "reboot", "reset", "suspend", "resume") on vmid end with
// message as its exit status, leaving the guest as it was. An empty message
// clears it.
func (s *Sim) SetTaskFailure(vmid int, action string, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := failKey{vmid, action}
	if message == "" {
		delete(s.taskFail, k)
		return
	}
	s.taskFail[k] = message
}

// GuestStatus reports a guest's current status ("running", "stopped") as
// the API would, for tests that want to check state without a request.
func (s *Sim) GuestStatus(vmid int) (status string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advanceLocked(s.now())
	g := s.guestByID[vmid]
	if g == nil {
		return "", false
	}
	return g.status(), true
}

// GuestNode returns the node a guest lives on.
func (s *Sim) GuestNode(vmid int) (node string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.guestByID[vmid]
	if g == nil {
		return "", false
	}
	return g.node.name, true
}

// Guest describes a simulated guest for tests and demo mode.
type Guest struct {
	VMID     int
	Type     string // "qemu" or "lxc"
	Node     string
	Name     string
	Status   string
	Template bool
	Lock     string
	HAState  string
	Tags     string
}

// Guests lists every guest, sorted by VMID.
func (s *Sim) Guests() []Guest {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advanceLocked(s.now())
	out := make([]Guest, len(s.guests))
	for i, g := range s.guests {
		out[i] = Guest{VMID: g.vmid, Type: g.kind, Node: g.node.name, Name: g.name, Status: g.status(),
			Template: g.template, Lock: g.lock, HAState: g.hastate, Tags: g.tags}
	}
	return out
}

var _ http.Handler = (*Sim)(nil)

// MoveGuest puts a guest on another node, as a migration finished outside
// the client would: its API path changes, its VMID does not. It reports
// whether both exist.
func (s *Sim) MoveGuest(vmid int, node string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, n := s.guestByID[vmid], s.nodeByName[node]
	if g == nil || n == nil {
		return false
	}
	g.node = n
	return true
}

// RemoveGuest destroys a guest, as someone else deleting it would. It
// reports whether the guest existed.
func (s *Sim) RemoveGuest(vmid int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.guestByID[vmid] == nil {
		return false
	}
	delete(s.guestByID, vmid)
	for i, g := range s.guests {
		if g.vmid == vmid {
			s.guests = append(s.guests[:i], s.guests[i+1:]...)
			break
		}
	}
	return true
}
