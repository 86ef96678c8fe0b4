package proxmox

import (
	"context"
	"net"
	"net/url"
)

// Discovery is what a cluster the user just trusted tells about itself.
type Discovery struct {
	// ClusterName is Proxmox's name for the cluster; "" for a lone node
	// or a token that may not read /cluster/status.
	ClusterName string
	// Config is the config Discover was given, with every other node of
	// the cluster as a Failover endpoint, pinned to the certificate that
	// node reports over the already pinned connection.
	Config Config
	// Nodes names the node behind each endpoint URL, when known.
	Nodes map[string]string
	// NodeNames lists every node /cluster/status names, in its order;
	// empty for a token that may not read it. With ClusterName it is how
	// a cluster is recognised at another address.
	NodeNames []string
	// NoFailover says why no other node could be listed (a token without
	// Sys.Audit): the cluster works, only without failover. Nil when
	// they were listed.
	NoFailover error
}

// Discover checks the token against a cluster whose endpoint is pinned in
// cfg, reads the cluster's name and the local node, and pins every other
// node with the fingerprint it reports at /nodes/{node}/certificates/info.
func Discover(ctx context.Context, cfg Config) (Discovery, error) {
	client, err := NewClient(cfg)
	if err != nil {
		return Discovery{}, err
	}
	defer client.Close()
	if _, err := client.Version(ctx); err != nil {
		return Discovery{}, err
	}
	d := Discovery{Config: cfg, Nodes: map[string]string{}}
	status, err := client.ClusterStatus(ctx)
	if err != nil && !IsKind(err, KindForbidden) {
		return Discovery{}, err
	}
	local := ""
	for _, e := range status {
		switch {
		case e.Type == "cluster":
			d.ClusterName = e.Name
		case e.Type == "node":
			d.NodeNames = append(d.NodeNames, e.Name)
			if e.Local {
				local = e.Name
			}
		}
	}
	endpoint := cfg.Endpoint
	d.Nodes[endpoint] = local
	port := ""
	if u, err := url.Parse(endpoint); err == nil {
		_, port, _ = net.SplitHostPort(u.Host)
	}
	pins, err := client.NodeEndpoints(ctx, port)
	d.NoFailover = err
	d.Config.Failover = append([]Pin(nil), cfg.Failover...)
	for _, p := range pins {
		if p.URL == endpoint || (local != "" && p.Node == local) {
			continue
		}
		d.Config.Failover = append(d.Config.Failover, Pin{URL: p.URL, Fingerprint: p.Fingerprint})
		d.Nodes[p.URL] = p.Node
	}
	return d, nil
}
