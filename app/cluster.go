package app

import (
	"context"
	"log/slog"
	"net/url"
	"sync"
	"time"

	"cecyber/proxmox"
)

// clusterSpec is what it takes to talk to one cluster.
type clusterSpec struct {
	id   string
	name string
	demo bool
	cfg  proxmox.Config
}

// cluster polls one Proxmox cluster and keeps its latest snapshot.
type cluster struct {
	id     string
	demo   bool
	client *proxmox.Client
	log    *slog.Logger
	now    func() time.Time

	mu      sync.Mutex
	state   ClusterState
	nodes   []Node
	guests  []Guest
	failing int // consecutive failed polls, for backoff
}

// clusterSnapshot is a consistent copy of a cluster's latest state.
type clusterSnapshot struct {
	state  ClusterState
	nodes  []Node
	guests []Guest
}

func newCluster(spec clusterSpec, client *proxmox.Client, log *slog.Logger, now func() time.Time) *cluster {
	return &cluster{
		id:     spec.id,
		demo:   spec.demo,
		client: client,
		log:    log.With("cluster", spec.name),
		now:    now,
		state: ClusterState{
			ID:       spec.id,
			Name:     spec.name,
			Endpoint: client.Endpoint(),
			Demo:     spec.demo,
			Status:   "connecting",
		},
	}
}

func (c *cluster) snapshot() clusterSnapshot {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := clusterSnapshot{state: c.state, nodes: c.nodes, guests: c.guests}
	if s.state.Error != nil {
		e := *s.state.Error
		s.state.Error = &e
	}
	return s
}

// run polls every interval until ctx ends, backing off while polls fail so
// that a cluster that is down is not hammered. It is only a ticker: the work
// is pollOnce.
func (c *cluster) run(ctx context.Context, interval time.Duration, published func()) {
	for {
		wait := interval
		c.mu.Lock()
		for i := 1; i < c.failing && wait < maxBackoff; i++ {
			wait *= 2
		}
		c.mu.Unlock()
		wait = min(wait, max(interval, maxBackoff))
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		c.pollOnce(ctx, c.now())
		published()
	}
}

const maxBackoff = time.Minute

// pollOnce reads the whole inventory in one /cluster/resources call and
// replaces the snapshot. A failed poll keeps the previous data (the window
// shows it as stale) and records why it failed.
func (c *cluster) pollOnce(ctx context.Context, now time.Time) {
	ctx, cancel := context.WithTimeout(ctx, pollTimeout)
	defer cancel()

	c.mu.Lock()
	needVersion := c.state.Version == ""
	c.mu.Unlock()

	var version string
	res, err := c.client.Resources(ctx, "")
	if err == nil && needVersion {
		var v proxmox.Version
		if v, err = c.client.Version(ctx); err == nil {
			version = v.Version
		}
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		if ctx.Err() != nil && context.Cause(ctx) == context.Canceled {
			return // shutting down, not a failure of the cluster
		}
		c.failing++
		info := errorInfo(err)
		if info.Params == nil {
			info.Params = map[string]string{}
		}
		if info.Params["host"] == "" {
			info.Params["host"] = hostOf(c.state.Endpoint)
		}
		c.state.Status = "error"
		c.state.Error = &info
		c.log.Warn("poll failed", "err", err, "failures", c.failing)
		return
	}
	c.failing = 0
	if version != "" {
		c.state.Version = version
	}
	c.state.Status = "ok"
	c.state.Error = nil
	c.state.LastPollAt = now.UnixMilli()
	c.nodes, c.guests = c.convert(res)
}

const pollTimeout = 20 * time.Second

// convert turns /cluster/resources rows into the window's DTOs.
func (c *cluster) convert(res []proxmox.Resource) ([]Node, []Guest) {
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
			})
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
