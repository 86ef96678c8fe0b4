package app

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"time"

	"cecyber/app/store"
	"cecyber/proxmox"
)

// A cluster that moved keeps its history. A new address or a certificate
// changed for good (a reinstalled node) is followed by UpdateClusterEndpoint
// under the same cluster ID; and a cluster removed with its history kept is
// recognised when it is added again (FindKeptHistory), so that it can take
// that history back (ClusterInput.History).

// ProbeClusterAddress reads the certificate and version at the address a
// cluster moved to, as ProbeCluster does for a new cluster, without sending
// any credential: the user compares the fingerprint before anything is
// trusted. The address may be the current one when only the certificate
// changed.
func (a *App) ProbeClusterAddress(id, address string) (Probe, error) {
	if err := checkID("cluster", id); err != nil {
		return Probe{}, err
	}
	if a.ctx == nil {
		return Probe{}, errNotStarted
	}
	c, err := a.findCluster(id)
	if err != nil {
		return Probe{}, err
	}
	if c.demo {
		return Probe{}, invalid("address", "demo", "The demo cluster cannot be edited.")
	}
	endpoint, err := checkAddress(address)
	if err != nil {
		return Probe{}, err
	}
	return a.probe(endpoint)
}

// UpdateClusterEndpoint points a cluster at a new address, pinned to the
// fingerprint the user confirmed after ProbeClusterAddress, and keeps its
// ID, so its history, alert rules and filters go on. The token secret stays
// the one in the keychain unless secret is given, which then replaces it
// once Proxmox accepted it. The cluster's other nodes are learned again
// over the pinned connection, as when it was added. An address that
// answers as another cluster (another Proxmox cluster name, or no node
// name in common) is refused: its history would be mixed with this one's.
func (a *App) UpdateClusterEndpoint(id, address, fingerprint, secret string) (ClusterState, error) {
	if err := checkID("cluster", id); err != nil {
		return ClusterState{}, err
	}
	if a.ctx == nil {
		return ClusterState{}, errNotStarted
	}
	if a.opts.Store == nil || a.opts.Keychain == nil {
		return ClusterState{}, errNoStore
	}
	c, err := a.findCluster(id)
	if err != nil {
		return ClusterState{}, err
	}
	if c.demo {
		return ClusterState{}, invalid("address", "demo", "The demo cluster cannot be edited.")
	}
	endpoint, err := checkAddress(address)
	if err != nil {
		return ClusterState{}, err
	}
	fp, err := proxmox.NormalizeFingerprint(fingerprint)
	if err != nil {
		return ClusterState{}, invalid("fingerprint", "format", err.Error())
	}
	newSecret := secret != ""
	if newSecret {
		if secret, err = checkSecret(secret); err != nil {
			return ClusterState{}, err
		}
	} else if secret, err = a.opts.Keychain.Get(id); err != nil {
		return ClusterState{}, err
	}
	before := c.snapshot().state
	spec, err := a.discover(clusterInput{name: before.Name, endpoint: endpoint, tokenID: before.TokenID, secret: secret}, fp, false)
	if err != nil {
		return ClusterState{}, err
	}
	known := a.knownNodes(c)
	unknown := before.ClusterName == "" && len(known) == 0 // nothing to compare with
	if !unknown && !sameCluster(before.ClusterName, known, spec.clusterName, spec.nodeNames) {
		found := spec.clusterName
		if found == "" {
			found = strings.Join(spec.nodeNames, ", ")
		}
		return ClusterState{}, invalid("address", "otherCluster",
			"The server at "+hostOf(endpoint)+" belongs to another cluster ("+found+"): add it as a new cluster.",
			"host", hostOf(endpoint), "found", found)
	}
	client, err := a.newClient(spec.cfg)
	if err != nil {
		return ClusterState{}, err
	}
	if newSecret {
		if err := a.opts.Keychain.Set(id, secret); err != nil {
			return ClusterState{}, err
		}
	}
	var eps []store.Endpoint
	for _, p := range pinsOf(spec.cfg) {
		eps = append(eps, store.Endpoint{URL: p.URL, Node: spec.nodes[p.URL], Fingerprint: p.Fingerprint})
	}
	if err := a.opts.Store.SetEndpoints(a.ctx, id, eps); err != nil {
		a.log.Error("save endpoints", "err", err)
		return ClusterState{}, stored(err)
	}
	c.moved(client, spec.cfg, spec.nodes)
	a.log.Info("cluster moved", "cluster", id, "endpoint", endpoint, "fingerprint", fp, "endpoints", len(eps), "newSecret", newSecret)
	c.poller.Poll(a.ctx)
	return c.snapshot().state, nil
}

// moved replaces the client and every endpoint after the cluster moved.
func (c *cluster) moved(client *proxmox.Client, cfg proxmox.Config, nodes map[string]string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.client
	c.client, c.cfg, c.nodes = client, cfg, nodes
	c.state.CertChange = nil
	c.state.Endpoint = cfg.Endpoint
	if old != nil && old != client {
		// As in setClient: closed once its last request has ended.
		time.AfterFunc(retireClientAfter, func() { old.Close() })
	}
}

// FindKeptHistory connects as AddCluster would (pinned to the fingerprint
// the user confirmed) and lists the kept histories of removed clusters the
// cluster is recognised as, for the wizard to offer before AddCluster.
func (a *App) FindKeptHistory(input ClusterInput, fingerprint string) ([]KeptHistory, error) {
	if a.ctx == nil {
		return nil, errNotStarted
	}
	if a.opts.Store == nil || a.opts.Keychain == nil {
		return nil, errNoStore
	}
	in, err := a.checkInput(input, "")
	if err != nil {
		return nil, err
	}
	fp, err := proxmox.NormalizeFingerprint(fingerprint)
	if err != nil {
		return nil, invalid("fingerprint", "format", err.Error())
	}
	spec, err := a.discover(in, fp, false)
	if err != nil {
		return nil, err
	}
	return a.keptFor(spec)
}

// keptFor lists the kept histories spec's cluster is recognised as. One
// whose every row retention has pruned is forgotten: nothing to take back.
func (a *App) keptFor(spec clusterSpec) ([]KeptHistory, error) {
	out := []KeptHistory{}
	if a.opts.Metrics == nil {
		return out, nil
	}
	kept, err := a.opts.Store.KeptHistories(a.ctx)
	if err != nil {
		a.log.Error("list kept histories", "err", err)
		return nil, stored(err)
	}
	for _, k := range kept {
		if !sameCluster(k.ClusterName, k.Nodes, spec.clusterName, spec.nodeNames) {
			continue
		}
		targets, err := a.opts.Metrics.Targets(a.ctx, k.ID)
		if err != nil {
			a.log.Error("list kept history", "cluster", k.ID, "err", err)
			return nil, historyErr(err)
		}
		if len(targets) == 0 {
			if err := a.opts.Store.ForgetKeptHistory(a.ctx, k.ID); err != nil {
				a.log.Warn("forget an empty kept history", "cluster", k.ID, "err", err)
			}
			continue
		}
		out = append(out, KeptHistory{ID: k.ID, Name: k.Name, ClusterName: k.ClusterName,
			Nodes: append([]string{}, k.Nodes...), RemovedAt: k.RemovedAt.UnixMilli(), Targets: len(targets)})
	}
	return out, nil
}

// clusterIDRE is what newClusterID and store.CreateCluster make.
var clusterIDRE = regexp.MustCompile(`^c-[0-9a-f]{12}$`)

// checkHistoryID refuses anything but a cluster ID before any connection.
func checkHistoryID(id string) error {
	if id != "" && !clusterIDRE.MatchString(id) {
		return invalid("history", "format", "That is not the ID of a kept history.")
	}
	return nil
}

// reattachID checks that the kept history the user chose is one spec's
// cluster is recognised as, and returns its ID for the new cluster.
func (a *App) reattachID(spec clusterSpec, historyID string) (string, error) {
	kept, err := a.keptFor(spec)
	if err != nil {
		return "", err
	}
	for _, k := range kept {
		if k.ID == historyID {
			return k.ID, nil
		}
	}
	return "", invalid("history", "mismatch", "That kept history is gone or belongs to another cluster.")
}

// sameCluster reports whether a cluster seen now (its Proxmox cluster name
// and node names, from /cluster/status) is one known before: the same
// cluster name and a node name in common. A lone node has no cluster
// name, so its node name decides. Without node names on either side, a
// cluster name alone is enough, but never an empty one.
func sameCluster(knownName string, knownNodes []string, name string, nodes []string) bool {
	if knownName != name {
		return false
	}
	if len(knownNodes) == 0 || len(nodes) == 0 {
		return name != ""
	}
	for _, n := range nodes {
		if slices.Contains(knownNodes, n) {
			return true
		}
	}
	return false
}

// knownNodes lists every node name known for c: its endpoints', the last
// poll's, and those its history has.
func (a *App) knownNodes(c *cluster) []string {
	set := map[string]bool{}
	c.mu.Lock()
	for _, n := range c.nodes {
		set[n] = true
	}
	for _, n := range c.nodeDTO {
		set[n.Name] = true
	}
	c.mu.Unlock()
	if a.opts.Metrics != nil {
		ctx, cancel := context.WithTimeout(a.ctx, probeTimeout)
		defer cancel()
		targets, err := a.opts.Metrics.Targets(ctx, c.id)
		if err != nil {
			a.log.Warn("list the cluster's history", "cluster", c.id, "err", err)
		}
		for _, t := range targets {
			if n, ok := strings.CutPrefix(t, "node/"); ok {
				set[n] = true
			}
		}
	}
	delete(set, "")
	out := make([]string, 0, len(set))
	for n := range set {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}
