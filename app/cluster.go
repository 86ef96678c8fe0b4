package app

import (
	"context"
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
	cfg   proxmox.Config // Endpoint first, then Failover, each pinned
}

// cluster polls one Proxmox cluster and keeps its latest snapshot.
type cluster struct {
	id   string
	demo bool
	log  *slog.Logger
	now  func() time.Time
	stop context.CancelFunc // ends the poller; set by App.startPoller

	// connect builds the client when there is none yet (a saved cluster
	// whose secret the keychain could not give at start); nil when the
	// client was given.
	connect func() (*proxmox.Client, error)

	// history receives every successful poll; nil keeps none.
	history *metrics.Store

	// polled is told about every successful poll, after the snapshot is
	// replaced (alerts); nil tells no one.
	polled func(clusterID string, at time.Time, nodes []Node, guests []Guest)

	// wake makes run recompute its wait (the interval changed).
	wake chan struct{}

	// refreshMu lets one refresh poll at a time; lastRefresh is when the
	// latest one started (see refresh).
	refreshMu   sync.Mutex
	lastRefresh time.Time

	mu      sync.Mutex
	client  *proxmox.Client   // nil until connect succeeds
	cfg     proxmox.Config    // what client was built from (Secret included, in memory only)
	nodes   map[string]string // endpoint URL → node name
	state   ClusterState
	nodeDTO []Node
	guests  []Guest
	failing int // consecutive failed polls, for backoff
	polls   int // successful polls, to refresh permissions now and then

	// prev holds each target's counters at the last successful poll, to
	// turn Proxmox's cumulative counters into the live rates.
	prev   map[string]metrics.Sample
	prevAt time.Time

	// nodeNet is each node's latest network rate from its rrddata
	// ("node/pve1" → rate), as /cluster/resources has no node counters.
	nodeNet map[string]nodeRate
}

type nodeRate struct {
	rate metrics.Rate
	at   time.Time // the end of the rrddata minute it averages
}

// clusterSnapshot is a consistent copy of a cluster's latest state.
type clusterSnapshot struct {
	state  ClusterState
	nodes  []Node
	guests []Guest
}

func newCluster(spec clusterSpec, client *proxmox.Client, log *slog.Logger, now func() time.Time) *cluster {
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
		now:    now,
		nodes:  nodes,
		wake:   make(chan struct{}, 1),
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
	c.client, c.cfg = client, cfg
	c.state.CertChange = nil
	c.state.Endpoint = cfg.Endpoint
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
	client, connect := c.client, c.connect
	c.mu.Unlock()
	if client != nil || connect == nil {
		return client, nil
	}
	client, err := connect()
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.client == nil {
		c.client = client
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

// run polls every interval() until ctx ends, backing off while polls fail
// so that a cluster that is down is not hammered. A wake makes it measure
// the wait again from the last poll with the current interval. It is only a
// ticker: the work is pollOnce.
func (c *cluster) run(ctx context.Context, interval func() time.Duration, published func()) {
	last := time.Now()
	for {
		iv := interval()
		wait := iv
		c.mu.Lock()
		for i := 1; i < c.failing && wait < maxBackoff; i++ {
			wait *= 2
		}
		c.mu.Unlock()
		wait = min(wait, max(iv, maxBackoff)) - time.Since(last)
		timer := time.NewTimer(max(wait, 0))
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-c.wake:
			timer.Stop()
			continue
		case <-timer.C:
		}
		last = time.Now()
		c.pollOnce(ctx, c.now())
		published()
	}
}

const maxBackoff = time.Minute

// refresh polls now, for a change the window must see at once (a task that
// ended). Callers that arrive while a refresh runs share the next one, so a
// bulk action whose tasks end together costs two polls, not one per task.
func (c *cluster) refresh(ctx context.Context, now func() time.Time) {
	asked := now()
	c.refreshMu.Lock()
	defer c.refreshMu.Unlock()
	if c.lastRefresh.After(asked) {
		return // a poll that started after the request has just finished
	}
	c.lastRefresh = now()
	c.pollOnce(ctx, c.lastRefresh)
}

// pollOnce reads the whole inventory in one /cluster/resources call and
// replaces the snapshot. A failed poll keeps the previous data (the window
// shows it as stale) and records why it failed.
func (c *cluster) pollOnce(ctx context.Context, now time.Time) {
	ctx, cancel := context.WithTimeout(ctx, pollTimeout)
	defer cancel()

	client, err := c.getClient()
	if err != nil {
		c.fail(err)
		return
	}

	c.mu.Lock()
	needVersion := c.state.Version == ""
	needPerms := c.state.Permissions == nil || c.polls%permsEvery == 0
	c.mu.Unlock()

	var version string
	var perms proxmox.Permissions
	res, err := client.Resources(ctx, "")
	if err == nil && needVersion {
		var v proxmox.Version
		if v, err = client.Version(ctx); err == nil {
			version = v.Version
		}
	}
	if err == nil && needPerms {
		// A token that may not read its own permissions still works; the
		// window then treats every action as allowed and Proxmox decides.
		if p, perr := client.Permissions(ctx); perr == nil {
			perms = p
		} else {
			c.log.Info("read permissions", "err", perr)
		}
	}
	if err != nil {
		if ctx.Err() != nil && context.Cause(ctx) == context.Canceled {
			return // shutting down, not a failure of the cluster
		}
		c.fail(err)
		return
	}
	nodeRates := c.nodeNetwork(ctx, client, res, now)
	if c.history != nil {
		// One transaction per poll. A failure (a full disk) loses this
		// poll's history only: polling and the live view go on.
		if _, err := c.history.IngestWith(c.id, now, res, nodeRates); err != nil {
			c.log.Warn("store metric history", "err", err)
		}
	}

	c.mu.Lock()
	c.state.CertChange = c.certChangeLocked(client)
	c.failing = 0
	c.polls++
	if perms != nil {
		c.state.Permissions = map[string]map[string]bool(perms)
	}
	if version != "" {
		c.state.Version = version
	}
	c.state.Status = "ok"
	c.state.Error = nil
	c.state.LastPollAt = now.UnixMilli()
	rates := c.ratesLocked(res, now)
	for id, r := range nodeRates {
		rates[id] = r
	}
	c.nodeDTO, c.guests = c.convert(res, rates)
	nodes, guests := c.nodeDTO, c.guests
	c.mu.Unlock()
	if c.polled != nil {
		c.polled(c.id, now, nodes, guests)
	}
}

// ratesLocked computes every target's I/O rates since the previous poll
// and remembers this poll's counters. A target seen for the first time, or
// whose counters were reset (a restart), has no rate this time.
func (c *cluster) ratesLocked(res []proxmox.Resource, now time.Time) map[string]metrics.Rate {
	dt := now.Sub(c.prevAt)
	rates := make(map[string]metrics.Rate, len(res))
	next := make(map[string]metrics.Sample, len(res))
	for _, r := range res {
		if r.Type != "node" && r.Type != "qemu" && r.Type != "lxc" {
			continue
		}
		cur := metrics.SampleOf(r)
		next[r.ID] = cur
		if prev, ok := c.prev[r.ID]; ok && r.Type != "node" && r.Status != "stopped" {
			if rate, ok := metrics.Rates(prev, cur, dt); ok {
				rates[r.ID] = rate
			}
		}
	}
	c.prev, c.prevAt = next, now
	return rates
}

// nodeNetEvery is how many polls pass between reads of the nodes' network
// rates: rrddata's finest step is a minute, so reading it every poll would
// only repeat the same average.
const nodeNetEvery = 6

// nodeRateMaxAge is how old a node's network rate may be before it is shown
// as unknown rather than as current.
const nodeRateMaxAge = 3 * time.Minute

// nodeNetwork returns each online node's network rate. Proxmox's
// /cluster/resources carries no network counters for nodes, so the rate is
// the newest complete minute of the node's own rrddata, read every
// nodeNetEvery polls, one request per node, all at once. A node whose read
// fails keeps its previous rate until it is too old.
func (c *cluster) nodeNetwork(ctx context.Context, client *proxmox.Client, res []proxmox.Resource, now time.Time) map[string]metrics.Rate {
	c.mu.Lock()
	due := c.nodeNet == nil || c.polls%nodeNetEvery == 0
	c.mu.Unlock()
	if due {
		var mu sync.Mutex
		var wg sync.WaitGroup
		fresh := map[string]nodeRate{}
		for _, r := range res {
			if r.Type != "node" || r.Status != "online" {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				points, err := client.NodeRRDData(ctx, r.Node, "hour", "AVERAGE")
				if err != nil {
					c.log.Debug("read node network rate", "node", r.Node, "err", err)
					return
				}
				if nr, ok := lastNetwork(points); ok {
					mu.Lock()
					fresh[r.ID] = nr
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		c.mu.Lock()
		if c.nodeNet == nil {
			c.nodeNet = map[string]nodeRate{}
		}
		for id, nr := range fresh {
			c.nodeNet[id] = nr
		}
		c.mu.Unlock()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]metrics.Rate, len(c.nodeNet))
	for id, nr := range c.nodeNet {
		if now.Sub(nr.at) <= nodeRateMaxAge {
			out[id] = nr.rate
		}
	}
	return out
}

// lastNetwork is the newest rrddata point with both network values.
func lastNetwork(points []proxmox.RRDPoint) (nodeRate, bool) {
	for i := len(points) - 1; i >= 0; i-- {
		in, out := points[i].Values["netin"], points[i].Values["netout"]
		if in != nil && out != nil {
			return nodeRate{rate: metrics.Rate{NetIn: *in, NetOut: *out}, at: time.Unix(points[i].Time, 0)}, true
		}
	}
	return nodeRate{}, false
}

// fail records a failed poll.
func (c *cluster) fail(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.failing++
	info := errorInfo(err)
	if info.Params == nil {
		info.Params = map[string]string{}
	}
	if info.Params["host"] == "" {
		info.Params["host"] = hostOf(c.state.Endpoint)
	}
	if c.client != nil {
		c.state.CertChange = c.certChangeLocked(c.client)
	}
	c.state.Status = "error"
	c.state.Error = &info
	c.log.Warn("poll failed", "err", err, "failures", c.failing)
}

const pollTimeout = 20 * time.Second

// permsEvery is how many polls pass between reads of the token's
// permissions: often enough that a new ACL shows within a minute or so.
const permsEvery = 6

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

// convert turns /cluster/resources rows into the window's DTOs.
func (c *cluster) convert(res []proxmox.Resource, rates map[string]metrics.Rate) ([]Node, []Guest) {
	nodes := []Node{}
	guests := []Guest{}
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
			if rate, ok := rates[r.ID]; ok {
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
