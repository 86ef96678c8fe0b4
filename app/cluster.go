package app

import (
	"log/slog"
	"net/url"
	"sync"
	"time"

	"cecyber/metrics"
	"cecyber/proxmox"
)

// clusterSpec is what it takes to talk to one cluster.
type clusterSpec struct {
	id          string
	name        string
	clusterName string // Proxmox's name for it
	demo        bool
	// nodes names the node behind each endpoint URL, when known.
	nodes map[string]string
	// nodeNames lists every node /cluster/status named when the cluster
	// was discovered; empty for a loaded one.
	nodeNames []string
	cfg       proxmox.Config // Endpoint first, then Failover, each pinned
}

// cluster is one Proxmox cluster as the window sees it: its connection
// and the latest poll, turned into DTOs. Its poller (metrics.Poller) does
// the polling and hands every result to apply.
type cluster struct {
	id     string
	demo   bool
	log    *slog.Logger
	poller *metrics.Poller // set by App.startPoller; Stop it before forgetting the cluster

	// connect builds the client when there is none yet (a saved cluster
	// whose secret the keychain could not give at start); nil when the
	// client was given.
	connect func() (*proxmox.Client, error)

	mu      sync.Mutex
	closed  bool              // closeClient was called: the cluster is gone
	client  *proxmox.Client   // nil until connect succeeds
	cfg     proxmox.Config    // what client was built from (Secret included, in memory only)
	nodes   map[string]string // endpoint URL → node name
	state   ClusterState
	nodeDTO []Node
	guests  []Guest
	// onlineAt is, per node, the last poll (unix ms) that found it
	// online: the figures Proxmox keeps for the guests of a node that
	// went away are at most that old.
	onlineAt map[string]int64
}

// clusterSnapshot is a consistent copy of a cluster's latest state.
type clusterSnapshot struct {
	state  ClusterState
	nodes  []Node
	guests []Guest
}

func newCluster(spec clusterSpec, client *proxmox.Client, log *slog.Logger) *cluster {
	nodes := spec.nodes
	if nodes == nil {
		nodes = map[string]string{}
	}
	return &cluster{
		id:     spec.id,
		demo:   spec.demo,
		client: client,
		cfg:    spec.cfg,
		log:    log.With("cluster", spec.name),
		nodes:  nodes,
		state: ClusterState{
			ID:          spec.id,
			Name:        spec.name,
			ClusterName: spec.clusterName,
			TokenID:     spec.cfg.TokenID,
			Endpoint:    spec.cfg.Endpoint,
			Demo:        spec.demo,
			Status:      "connecting",
		},
	}
}

func (c *cluster) snapshot() clusterSnapshot {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := clusterSnapshot{state: c.state, nodes: c.nodeDTO, guests: c.guests}
	if s.state.Error != nil {
		e := *s.state.Error
		s.state.Error = &e
	}
	s.state.Endpoints = c.endpointsLocked()
	return s
}

// endpointsLocked describes every pinned endpoint and which one is in use.
func (c *cluster) endpointsLocked() []Endpoint {
	active := ""
	pins := pinsOf(c.cfg)
	if c.client != nil {
		active = c.client.Active()
		pins = c.client.Pins()
	}
	out := []Endpoint{}
	for _, p := range pins {
		out = append(out, Endpoint{Node: c.nodes[p.URL], URL: p.URL, Fingerprint: p.Fingerprint, Active: p.URL == active})
	}
	return out
}

// config returns the configuration of the current client, secret included.
func (c *cluster) config() proxmox.Config {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cfg
}

// setClient replaces the client, after a new secret or a re-trusted
// certificate.
func (c *cluster) setClient(client *proxmox.Client, cfg proxmox.Config) {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.client
	c.client, c.cfg = client, cfg
	c.state.CertChange = nil
	c.state.Endpoint = cfg.Endpoint
	if old != nil && old != client {
		// A poll or an action may still be using it: close it once any
		// request it is making has certainly ended.
		time.AfterFunc(retireClientAfter, func() { old.Close() })
	}
}

// retireClientAfter is how long a replaced client stays open for the
// requests still using it: longer than any request's timeout.
const retireClientAfter = 2 * time.Minute

// closeClient closes the cluster's client, releasing its connections, and
// makes getClient fail from then on: the cluster was removed, or the app
// is quitting. Stop the poller first.
func (c *cluster) closeClient() {
	c.mu.Lock()
	client := c.client
	c.client, c.connect, c.closed = nil, nil, true
	c.mu.Unlock()
	if client != nil {
		client.Close()
	}
}

func (c *cluster) name() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state.Name
}

func (c *cluster) rename(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.state.Name = name
}

// getClient returns the client, building it first if need be.
func (c *cluster) getClient() (*proxmox.Client, error) {
	c.mu.Lock()
	client, connect, closed := c.client, c.connect, c.closed
	c.mu.Unlock()
	if closed {
		return nil, errUnknownCluster
	}
	if client != nil || connect == nil {
		return client, nil
	}
	client, err := connect()
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		client.Close()
		return nil, errUnknownCluster
	}
	if c.client == nil {
		c.client = client
	} else if c.client != client {
		client.Close() // another call connected first
	}
	return c.client, nil
}

// findGuest returns the guest with that ID ("qemu/101") from the latest poll.
func (c *cluster) findGuest(id string) (Guest, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, g := range c.guests {
		if g.ID == id {
			return g, true
		}
	}
	return Guest{}, false
}

// findVMID returns the guest with that VMID from the latest poll: after a
// migration its node (and so its path) changed, its VMID did not.
func (c *cluster) findVMID(vmid int) (Guest, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, g := range c.guests {
		if g.VMID == vmid {
			return g, true
		}
	}
	return Guest{}, false
}

// apply takes in one poll's result: the latest snapshot on success, the
// reason on failure (the window then shows the previous data as stale).
func (c *cluster) apply(p metrics.Poll) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if p.Client != nil && c.client != nil && p.Client != c.client {
		// A poll made with a client replaced since (the cluster moved, a
		// certificate was re-trusted) says nothing of the new connection:
		// its certificate change and its error are the old one's.
		return
	}
	if p.Client != nil {
		c.state.CertChange = c.certChangeLocked(p.Client)
	}
	if p.Err != nil {
		info := errorInfo(p.Err)
		if info.Params == nil {
			info.Params = map[string]string{}
		}
		if info.Params["host"] == "" {
			info.Params["host"] = hostOf(c.state.Endpoint)
		}
		c.state.Status = "error"
		c.state.Error = &info
		return
	}
	if p.Permissions != nil {
		c.state.Permissions = map[string]map[string]bool(p.Permissions)
	}
	if p.Version != "" {
		c.state.Version = p.Version
	}
	c.state.Status = "ok"
	c.state.Error = nil
	c.state.LastPollAt = p.At.UnixMilli()
	c.nodeDTO, c.guests = c.convert(p.Resources, p.Rates, p.At.UnixMilli())
}

// certChangeLocked reports the first endpoint whose certificate changed,
// which the client has set aside until the user re-trusts it.
func (c *cluster) certChangeLocked(client *proxmox.Client) *CertChange {
	changes := client.CertChanges()
	if len(changes) == 0 {
		return nil
	}
	ch := changes[0]
	out := &CertChange{URL: ch.URL, Node: c.nodes[ch.URL], Expected: ch.Expected, Actual: Certificate{Fingerprint: ch.Actual}}
	if ch.Certificate != nil {
		out.Actual = certificateDTO(ch.Certificate)
	}
	return out
}

// convert turns /cluster/resources rows polled at (unix ms) into the
// window's DTOs. The guests of a node that is not online are marked so:
// Proxmox goes on reporting their last status and figures for five
// minutes (pmxcfs), then their status as unknown.
func (c *cluster) convert(res []proxmox.Resource, rates map[string]metrics.Rate, at int64) ([]Node, []Guest) {
	nodes := []Node{}
	guests := []Guest{}
	if c.onlineAt == nil {
		c.onlineAt = map[string]int64{}
	}
	down := map[string]bool{}
	for _, r := range res {
		if r.Type != "node" {
			continue
		}
		if r.Status == "online" {
			c.onlineAt[r.Node] = at
		} else {
			down[r.Node] = true
		}
	}
	for _, r := range res {
		switch r.Type {
		case "node":
			nodes = append(nodes, Node{
				Cluster: c.id,
				Name:    r.Node,
				Status:  orUnknown(r.Status),
				CPU:     r.CPU,
				MaxCPU:  r.MaxCPU,
				Mem:     r.Mem,
				MaxMem:  r.MaxMem,
				Uptime:  r.Uptime,
			})
			if rate, ok := rates[r.ID]; ok {
				n := &nodes[len(nodes)-1]
				n.NetIn, n.NetOut = &rate.NetIn, &rate.NetOut
			}
		case "qemu", "lxc":
			tags := r.Tags
			if tags == nil {
				tags = []string{}
			}
			guests = append(guests, Guest{
				Cluster:  c.id,
				ID:       r.Type + "/" + itoa(r.VMID),
				VMID:     r.VMID,
				Name:     r.Name,
				Type:     r.Type,
				Node:     r.Node,
				Status:   orUnknown(r.Status),
				Template: r.Template,
				Lock:     r.Lock,
				HAState:  r.HAState,
				CPU:      r.CPU,
				MaxCPU:   r.MaxCPU,
				Mem:      r.Mem,
				MaxMem:   r.MaxMem,
				Uptime:   r.Uptime,
				Tags:     tags,
				MemHost:  r.MemHost,
			})
			if down[r.Node] {
				g := &guests[len(guests)-1]
				g.NodeOffline, g.ReportedAt = true, c.onlineAt[r.Node]
			}
			if rate, ok := metrics.GuestRate(&r, rates); ok {
				g := &guests[len(guests)-1]
				g.DiskRead, g.DiskWrite, g.NetIn, g.NetOut = &rate.DiskRead, &rate.DiskWrite, &rate.NetIn, &rate.NetOut
			}
		}
	}
	return nodes, guests
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// hostOf returns the host part of an endpoint URL, for messages.
func hostOf(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" {
		return endpoint
	}
	return u.Host
}
