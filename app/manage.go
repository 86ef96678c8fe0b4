package app

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"cecyber/app/store"
	"cecyber/proxmox"
)

// EventTask is emitted with a Task whenever a task Cecyber follows changes.
const EventTask = "task"

const (
	probeTimeout   = 15 * time.Second
	connectTimeout = 30 * time.Second
	actionTimeout  = 30 * time.Second
)

// clusterInput is a ClusterInput that passed every check.
type clusterInput struct {
	name, endpoint, tokenID, secret string
}

// checkInput checks every wizard field, the first problem first, so the
// window can point at the field.
func (a *App) checkInput(in ClusterInput, exceptID string) (clusterInput, error) {
	var out clusterInput
	var err error
	if out.name, err = checkName(in.Name, func(n string) bool { return a.nameTaken(n, exceptID) }); err != nil {
		return out, err
	}
	if out.endpoint, err = checkAddress(in.Address); err != nil {
		return out, err
	}
	if out.tokenID, err = checkTokenID(in.TokenID); err != nil {
		return out, err
	}
	if out.secret, err = checkSecret(in.Secret); err != nil {
		return out, err
	}
	if err = checkHistoryID(in.History); err != nil {
		return out, err
	}
	return out, nil
}

func (a *App) nameTaken(name, exceptID string) bool {
	for _, c := range a.clusterList() {
		if c.id != exceptID && strings.EqualFold(c.snapshot().state.Name, name) {
			return true
		}
	}
	return false
}

// ProbeCluster checks the wizard's fields and reads the server's certificate
// and version without sending any credential: the token goes only to a
// server whose fingerprint the user has confirmed.
func (a *App) ProbeCluster(input ClusterInput) (Probe, error) {
	if a.ctx == nil {
		return Probe{}, errNotStarted
	}
	in, err := a.checkInput(input, "")
	if err != nil {
		return Probe{}, err
	}
	return a.probe(in.endpoint)
}

// probe reads what endpoint shows before it is trusted.
func (a *App) probe(endpoint string) (Probe, error) {
	ctx, cancel := context.WithTimeout(a.ctx, probeTimeout)
	defer cancel()
	res, err := proxmox.Probe(ctx, endpoint)
	if err != nil {
		return Probe{}, err
	}
	return Probe{
		Endpoint:    res.Endpoint,
		Host:        hostOf(res.Endpoint),
		Version:     res.Version,
		Certificate: certificateDTO(res.Certificate),
	}, nil
}

// AddCluster connects with the token, pinned to the fingerprint the user
// confirmed, learns every node's address and certificate over that pinned
// connection, and saves the cluster: the secret to the OS keychain, the
// rest to the local database.
func (a *App) AddCluster(input ClusterInput, fingerprint string) (ClusterState, error) {
	if a.ctx == nil {
		return ClusterState{}, errNotStarted
	}
	if a.opts.Store == nil || a.opts.Keychain == nil {
		return ClusterState{}, errNoStore
	}
	in, err := a.checkInput(input, "")
	if err != nil {
		return ClusterState{}, err
	}
	fp, err := checkFingerprint(fingerprint)
	if err != nil {
		return ClusterState{}, err
	}
	if err := checkHistoryID(input.History); err != nil {
		return ClusterState{}, err
	}
	spec, err := a.discover(in, fp, false)
	if err != nil {
		return ClusterState{}, err
	}

	spec.id = newClusterID()
	if input.History != "" {
		// The cluster takes back the history kept when it was removed.
		if spec.id, err = a.reattachID(spec, input.History); err != nil {
			return ClusterState{}, err
		}
	}
	if err := a.opts.Keychain.Set(spec.id, in.secret); err != nil {
		return ClusterState{}, err
	}
	sc := &store.Cluster{ID: spec.id, Name: spec.name, TokenID: in.tokenID, ClusterName: spec.clusterName}
	for _, p := range pinsOf(spec.cfg) {
		sc.Endpoints = append(sc.Endpoints, store.Endpoint{URL: p.URL, Node: spec.nodes[p.URL], Fingerprint: p.Fingerprint})
	}
	if err := a.opts.Store.CreateCluster(a.ctx, sc); err != nil {
		if derr := a.opts.Keychain.Delete(spec.id); derr != nil {
			a.log.Warn("undo keychain entry", "cluster", spec.id, "err", derr)
		}
		a.log.Error("save cluster", "err", err)
		return ClusterState{}, stored(err)
	}
	c, err := a.addCluster(spec)
	if err != nil {
		return ClusterState{}, err
	}
	a.log.Info("cluster added", "cluster", spec.name, "endpoints", len(sc.Endpoints), "history", input.History)
	c.poller.Poll(a.ctx)
	return c.snapshot().state, nil
}

var errNoStore = errors.New("this session cannot save clusters")

// discover checks the token against the cluster the user just trusted and
// learns its name and its other nodes (see proxmox.Discover). loopbackOnly
// keeps every connection on this machine (the demo).
func (a *App) discover(in clusterInput, fp string, loopbackOnly bool) (clusterSpec, error) {
	cfg := proxmox.Config{Endpoint: in.endpoint, TokenID: in.tokenID, Secret: in.secret, Fingerprint: fp,
		LoopbackOnly: loopbackOnly, Logger: a.log}
	ctx, cancel := context.WithTimeout(a.ctx, connectTimeout)
	defer cancel()
	d, err := proxmox.Discover(ctx, cfg)
	if err != nil {
		return clusterSpec{}, err
	}
	if d.NoFailover != nil {
		a.log.Info("no failover endpoints", "cluster", in.name, "err", d.NoFailover)
	}
	names := d.NodeNames
	if len(names) == 0 { // a token that may not read /cluster/status
		for _, n := range d.Nodes {
			if n != "" {
				names = append(names, n)
			}
		}
	}
	return clusterSpec{name: in.name, clusterName: d.ClusterName, nodes: d.Nodes, nodeNames: names, cfg: d.Config}, nil
}

func pinsOf(cfg proxmox.Config) []proxmox.Pin {
	return append([]proxmox.Pin{{URL: cfg.Endpoint, Fingerprint: cfg.Fingerprint}}, cfg.Failover...)
}

func newClusterID() string {
	b := make([]byte, 6)
	rand.Read(b)
	return "c-" + hex.EncodeToString(b)
}

// loadClusters starts every saved cluster. One whose secret the keychain
// cannot give (unavailable, locked) is listed with that error and retried
// at every poll, so unlocking the keychain is enough.
func (a *App) loadClusters() {
	if a.opts.Store == nil {
		return
	}
	saved, err := a.opts.Store.Clusters(a.ctx)
	if err != nil {
		a.log.Error("load clusters", "err", err)
		return
	}
	for _, sc := range saved {
		spec := clusterSpec{id: sc.ID, name: sc.Name, clusterName: sc.ClusterName, nodes: map[string]string{}}
		spec.cfg.TokenID = sc.TokenID
		for i, e := range sc.Endpoints {
			spec.nodes[e.URL] = e.Node
			if i == 0 {
				spec.cfg.Endpoint, spec.cfg.Fingerprint = e.URL, e.Fingerprint
				continue
			}
			spec.cfg.Failover = append(spec.cfg.Failover, proxmox.Pin{URL: e.URL, Fingerprint: e.Fingerprint})
		}
		c := newCluster(spec, nil, a.log)
		c.connect = a.keychainConnect(spec)
		a.startPoller(c, true)
	}
}

// keychainConnect builds a cluster's client once its secret can be read.
func (a *App) keychainConnect(spec clusterSpec) func() (*proxmox.Client, error) {
	return func() (*proxmox.Client, error) {
		secret, err := a.opts.Keychain.Get(spec.id)
		if err != nil {
			return nil, err
		}
		cfg := spec.cfg
		cfg.Secret = secret
		return a.newClient(cfg)
	}
}

// UpdateCluster renames a cluster and, when secret is not empty, replaces
// its token secret in the keychain once Proxmox accepted it.
func (a *App) UpdateCluster(id, name, secret string) (ClusterState, error) {
	if err := checkID("cluster", id); err != nil {
		return ClusterState{}, err
	}
	c, err := a.findCluster(id)
	if err != nil {
		return ClusterState{}, err
	}
	if c.demo {
		return ClusterState{}, invalid("name", "demo", "The demo cluster cannot be edited.")
	}
	name, err = checkName(name, func(n string) bool { return a.nameTaken(n, id) })
	if err != nil {
		return ClusterState{}, err
	}
	if secret != "" {
		if secret, err = checkSecret(secret); err != nil {
			return ClusterState{}, err
		}
		cfg := c.config()
		cfg.Secret = secret
		client, err := a.newClient(cfg)
		if err != nil {
			return ClusterState{}, err
		}
		ctx, cancel := context.WithTimeout(a.ctx, connectTimeout)
		defer cancel()
		if _, err := client.Version(ctx); err != nil {
			client.Close()
			return ClusterState{}, err
		}
		if err := a.opts.Keychain.Set(id, secret); err != nil {
			client.Close()
			return ClusterState{}, err
		}
		c.setClient(client, cfg)
	}
	if err := a.opts.Store.RenameCluster(a.ctx, id, name); err != nil {
		a.log.Error("rename cluster", "err", err)
		return ClusterState{}, stored(err)
	}
	c.rename(name)
	c.poller.Poll(a.ctx)
	return c.snapshot().state, nil
}

// RemoveCluster forgets a cluster and deletes its keychain entry. Its metric
// history is kept or dropped as asked; kept, it can be taken back by adding
// the same cluster again (FindKeptHistory, ClusterInput.History).
func (a *App) RemoveCluster(id string, keepHistory bool) error {
	if err := checkID("cluster", id); err != nil {
		return err
	}
	c, err := a.findCluster(id)
	if err != nil {
		return err
	}
	if !c.demo {
		if err := a.opts.Keychain.Delete(id); err != nil {
			return err
		}
		if keepHistory && a.opts.Metrics != nil {
			// Recorded with the names it is recognised by when added again.
			err = a.opts.Store.DeleteClusterKeepingHistory(a.ctx, id, a.knownNodes(c))
		} else {
			err = a.opts.Store.DeleteCluster(a.ctx, id)
		}
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			a.log.Error("delete cluster", "err", err)
			return stored(err)
		}
	}
	// Wait for the poller to end before deleting anything: a poll in
	// flight would otherwise write history rows and alerts again. Then
	// its connections go: nothing polls it any more.
	c.poller.Stop()
	c.closeClient()
	a.clustersMu.Lock()
	for i, x := range a.clusters {
		if x == c {
			a.clusters = append(a.clusters[:i], a.clusters[i+1:]...)
			break
		}
	}
	if c.demo {
		a.closeDemoLocked()
	}
	a.clustersMu.Unlock()
	a.forgetHistory(id)
	if a.alerts.engine != nil {
		a.alerts.engine.ForgetCluster(id, a.opts.Now())
	}
	if a.opts.Store != nil && !c.demo {
		if err := a.opts.Store.DeleteClusterAlerts(a.ctx, id); err != nil {
			a.log.Warn("drop the removed cluster's alerts", "cluster", id, "err", err)
		}
	}
	if !keepHistory && a.opts.Metrics != nil {
		if err := a.opts.Metrics.DeleteCluster(a.ctx, id); err != nil {
			a.log.Warn("drop the removed cluster's history", "cluster", id, "err", err)
		}
	}
	a.log.Info("cluster removed", "cluster", id, "keepHistory", keepHistory)
	a.publish()
	return nil
}

// RetrustEndpoint pins the certificate an endpoint presents now, after the
// user compared it with the old one. fingerprint must be what they saw, and
// the server must still present exactly it.
func (a *App) RetrustEndpoint(clusterID, endpoint, fingerprint string) (ClusterState, error) {
	if err := firstErr(checkID("cluster", clusterID), checkID("endpoint", endpoint)); err != nil {
		return ClusterState{}, err
	}
	c, err := a.findCluster(clusterID)
	if err != nil {
		return ClusterState{}, err
	}
	fp, err := checkFingerprint(fingerprint)
	if err != nil {
		return ClusterState{}, err
	}
	cfg := c.config()
	found := false
	if cfg.Endpoint == endpoint {
		cfg.Fingerprint, found = fp, true
	}
	cfg.Failover = append([]proxmox.Pin(nil), cfg.Failover...)
	for i := range cfg.Failover {
		if cfg.Failover[i].URL == endpoint {
			cfg.Failover[i].Fingerprint, found = fp, true
		}
	}
	if !found {
		return ClusterState{}, invalid("fingerprint", "endpoint", "That address is not one of this cluster's endpoints.")
	}
	ctx, cancel := context.WithTimeout(a.ctx, probeTimeout)
	defer cancel()
	res, err := proxmox.Probe(ctx, endpoint)
	if err != nil {
		return ClusterState{}, err
	}
	if res.Fingerprint != fp {
		return ClusterState{}, &proxmox.FingerprintError{Host: hostOf(endpoint), Expected: fp, Actual: res.Fingerprint}
	}
	client, err := a.newClient(cfg)
	if err != nil {
		return ClusterState{}, err
	}
	if !c.demo {
		if err := a.opts.Store.SetFingerprint(a.ctx, clusterID, endpoint, fp); err != nil {
			client.Close()
			a.log.Error("save fingerprint", "err", err)
			return ClusterState{}, stored(err)
		}
	}
	c.setClient(client, cfg)
	a.log.Info("certificate re-trusted", "cluster", clusterID, "endpoint", endpoint, "fingerprint", fp)
	c.poller.Poll(a.ctx)
	return c.snapshot().state, nil
}

// certificateDTO describes a certificate for the window.
func certificateDTO(cert *x509.Certificate) Certificate {
	if cert == nil {
		return Certificate{}
	}
	out := Certificate{
		Fingerprint: proxmox.FormatFingerprint(cert.Raw),
		Subject:     cert.Subject.String(),
		Issuer:      cert.Issuer.String(),
		NotBefore:   cert.NotBefore.UnixMilli(),
		NotAfter:    cert.NotAfter.UnixMilli(),
		DNSNames:    append([]string{}, cert.DNSNames...),
		IPAddresses: []string{},
		SelfSigned:  bytes.Equal(cert.RawIssuer, cert.RawSubject),
	}
	for _, ip := range cert.IPAddresses {
		out.IPAddresses = append(out.IPAddresses, ip.String())
	}
	return out
}
