package pvesim

import (
	"crypto/sha1"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

var (
	nodeParam = param{name: "node", typ: "string", format: "pve-node", required: true}
	vmidParam = param{name: "vmid", typ: "integer", min: ptr(100), max: ptr(999999999), format: "pve-vmid", required: true}
	upidParam = param{name: "upid", typ: "string", format: "pve-upid", required: true}
	rrdParams = []param{
		{name: "cf", typ: "string", enum: []string{"AVERAGE", "MAX"}},
		{name: "timeframe", typ: "string", enum: []string{"hour", "day", "week", "month", "year"}, required: true},
	}
)

// routes is the table of implemented methods of Proxmox VE 9.1, routes84
// that of 8.4 (see pve84Routes). The parameter lists copy the official
// schema of each release so that unknown parameters fail like on a real
// server; TestRoutesMatchSchema keeps them honest.
var routes, routes84 []*route

// routesFor is the route table of a release.
func routesFor(pve8 bool) []*route {
	if pve8 {
		return routes84
	}
	return routes
}

func init() {
	add := func(method, pattern, perm string, privs []string, h func(*Sim, *call) (any, error), params ...param) {
		rt := &route{method: method, pattern: pattern, perm: perm, privs: privs, handler: h}
		if strings.Contains(pattern, "{node}") {
			rt.params = append(rt.params, nodeParam)
		}
		if strings.Contains(pattern, "{vmid}") {
			rt.params = append(rt.params, vmidParam)
		}
		if strings.Contains(pattern, "{upid}") {
			rt.params = append(rt.params, upidParam)
		}
		rt.params = append(rt.params, params...)
		rt.segs = strings.Split(strings.Trim(pattern, "/"), "/")
		routes = append(routes, rt)
	}
	audit := []string{"Sys.Audit"}
	vmAudit := []string{"VM.Audit"}
	power := []string{"VM.PowerMgmt"}

	add("GET", "/version", "", nil, (*Sim).getVersion)
	add("GET", "/cluster/status", "/", audit, (*Sim).getClusterStatus)
	add("GET", "/cluster/resources", "", nil, (*Sim).getClusterResources,
		param{name: "type", typ: "string", enum: []string{"vm", "storage", "node", "sdn"}})
	add("GET", "/nodes", "", nil, (*Sim).getNodes)
	add("GET", "/nodes/{node}/status", "/nodes/{node}", audit, (*Sim).getNodeStatus)
	add("GET", "/nodes/{node}/rrddata", "/nodes/{node}", audit, (*Sim).getNodeRRD,
		param{name: "cf", typ: "string", enum: []string{"AVERAGE", "MAX"}},
		param{name: "timeframe", typ: "string", enum: []string{"hour", "day", "week", "month", "year", "decade"}, required: true})
	add("GET", "/nodes/{node}/tasks", "", nil, (*Sim).getTasks,
		param{name: "errors", typ: "boolean"},
		param{name: "limit", typ: "integer", min: ptr(0)},
		param{name: "since", typ: "integer"},
		param{name: "source", typ: "string", enum: []string{"archive", "active", "all"}},
		param{name: "start", typ: "integer", min: ptr(0)},
		param{name: "statusfilter", typ: "string"},
		param{name: "typefilter", typ: "string"},
		param{name: "until", typ: "integer"},
		param{name: "userfilter", typ: "string"},
		param{name: "vmid", typ: "integer", min: ptr(100), max: ptr(999999999), format: "pve-vmid"})
	add("GET", "/nodes/{node}/tasks/{upid}/status", "", nil, (*Sim).getTaskStatus)
	add("GET", "/nodes/{node}/tasks/{upid}/log", "", nil, (*Sim).getTaskLog,
		param{name: "download", typ: "boolean"},
		param{name: "limit", typ: "integer", min: ptr(0)},
		param{name: "start", typ: "integer", min: ptr(0)})
	add("GET", "/nodes/{node}/certificates/info", "", nil, (*Sim).getCertificates)
	add("GET", "/access/permissions", "", nil, (*Sim).getPermissions,
		param{name: "path", typ: "string"}, param{name: "userid", typ: "string"})

	for _, kind := range []string{"qemu", "lxc"} {
		base := "/nodes/{node}/" + kind
		if kind == "qemu" {
			add("GET", base, "", nil, (*Sim).getGuestList, param{name: "full", typ: "boolean"})
		} else {
			add("GET", base, "", nil, (*Sim).getGuestList)
		}
		add("GET", base+"/{vmid}/status/current", "/vms/{vmid}", vmAudit, (*Sim).getGuestStatus)
		add("GET", base+"/{vmid}/config", "/vms/{vmid}", vmAudit, (*Sim).getGuestConfig,
			param{name: "current", typ: "boolean"}, param{name: "snapshot", typ: "string"})
		add("GET", base+"/{vmid}/rrddata", "/vms/{vmid}", vmAudit, (*Sim).getGuestRRD, rrdParams...)
	}
	timeout := param{name: "timeout", typ: "integer", min: ptr(0)}
	skiplock := param{name: "skiplock", typ: "boolean"}
	qemuActions := map[string][]param{
		"start": {
			{name: "force-cpu", typ: "string"}, {name: "machine", typ: "string"},
			{name: "migratedfrom", typ: "string", format: "pve-node"}, {name: "migration_network", typ: "string"},
			{name: "migration_type", typ: "string", enum: []string{"secure", "insecure"}},
			{name: "nets-host-mtu", typ: "string"}, skiplock, {name: "stateuri", typ: "string"},
			{name: "targetstorage", typ: "string"}, timeout, {name: "with-conntrack-state", typ: "boolean"},
		},
		"stop": {
			{name: "keepActive", typ: "boolean"}, {name: "migratedfrom", typ: "string", format: "pve-node"},
			{name: "overrule-shutdown", typ: "boolean"}, skiplock, timeout,
		},
		"shutdown": {{name: "forceStop", typ: "boolean"}, {name: "keepActive", typ: "boolean"}, skiplock, timeout},
		"reboot":   {timeout},
		"reset":    {skiplock},
		"suspend":  {skiplock, {name: "statestorage", typ: "string"}, {name: "todisk", typ: "boolean"}},
		"resume":   {{name: "nocheck", typ: "boolean"}, skiplock},
	}
	lxcActions := map[string][]param{
		"start":    {{name: "debug", typ: "boolean"}, skiplock},
		"stop":     {{name: "overrule-shutdown", typ: "boolean"}, skiplock},
		"shutdown": {{name: "forceStop", typ: "boolean"}, timeout},
		"reboot":   {timeout},
		"suspend":  nil,
		"resume":   nil,
	}
	addVNCRoutes(add)
	for _, a := range actionOrder {
		if ps, ok := qemuActions[a]; ok {
			add("POST", "/nodes/{node}/qemu/{vmid}/status/"+a, "/vms/{vmid}", power, actionHandler("qemu", a), ps...)
		}
		if ps, ok := lxcActions[a]; ok {
			add("POST", "/nodes/{node}/lxc/{vmid}/status/"+a, "/vms/{vmid}", power, actionHandler("lxc", a), ps...)
		}
	}
	routes84 = pve84Routes(routes)
}

// pve84Routes derives Proxmox VE 8.4's route table from 9.1's, as the two
// schemas differ for the methods the simulator implements: node rrddata
// has no "decade" timeframe (pve-manager 8.4.1 PVE/API2/Nodes.pm, rrddata),
// a VM's start knows neither nets-host-mtu nor with-conntrack-state
// (qemu-server 8.3.12 PVE/API2/Qemu.pm, vm_start), and a node's termproxy
// refuses API tokens (nodeTermproxy84). 8.4 has no /cluster/bulk-action,
// which 9.1 added and the simulator does not implement in either.
func pve84Routes(rs []*route) []*route {
	out := make([]*route, 0, len(rs)+1)
	for _, rt := range rs {
		c := *rt
		c.params = nil
		for _, p := range rt.params {
			switch {
			case rt.pattern == "/nodes/{node}/rrddata" && p.name == "timeframe":
				p.enum = []string{"hour", "day", "week", "month", "year"}
			case rt.pattern == "/nodes/{node}/qemu/{vmid}/status/start" && (p.name == "nets-host-mtu" || p.name == "with-conntrack-state"):
				continue
			}
			c.params = append(c.params, p)
		}
		out = append(out, &c)
	}
	term := &route{method: "POST", pattern: "/nodes/{node}/termproxy", perm: "/nodes/{node}", privs: []string{"Sys.Console"},
		handler: (*Sim).nodeTermproxy84, noProxy: true,
		params: []param{nodeParam,
			{name: "cmd", typ: "string", enum: []string{"ceph_install", "upgrade", "login"}},
			{name: "cmd-opts", typ: "string"}}}
	term.segs = strings.Split(strings.Trim(term.pattern, "/"), "/")
	return append(out, term)
}

// nodeTermproxy84 is a node's termproxy in pve-manager 8.4 (PVE/API2/Nodes.pm,
// termproxy): its code starts with PVE::AccessControl::verify_username on
// the caller, which an API token ID ("user@realm!name") fails
// (PVE::Auth::Plugin::verify_username: the realm part may not hold "!"),
// so every token gets HTTP 500 before anything starts. pve-manager 9.0.13
// lets tokens through (commit 49395b74, "api: termproxy/vncwebsocket:
// allow tokens"). The method has no proxyto: the answer comes from the node
// that received the request, whichever node the path names.
func (s *Sim) nodeTermproxy84(c *call) (any, error) {
	return nil, errorf(http.StatusInternalServerError, "value '%s' does not look like a valid user name", c.user)
}

var actionOrder = []string{"start", "stop", "shutdown", "reboot", "reset", "suspend", "resume"}

func (s *Sim) getVersion(c *call) (any, error) {
	return map[string]any{"version": s.version, "release": s.release, "repoid": s.repoid}, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (s *Sim) getClusterStatus(c *call) (any, error) {
	online := 0
	for _, n := range s.nodes {
		if n.online {
			online++
		}
	}
	out := []map[string]any{{
		"type": "cluster", "id": "cluster", "name": s.cfg.ClusterName,
		"nodes": len(s.nodes), "quorate": boolInt(online*2 > len(s.nodes)), "version": len(s.nodes) + 1,
	}}
	local := c.local
	if local == "" {
		local = s.nodes[0].name
	}
	for _, n := range s.nodes {
		out = append(out, map[string]any{
			"type": "node", "id": "node/" + n.name, "name": n.name, "nodeid": n.id, "ip": n.ip,
			"local": boolInt(n.name == local), "online": boolInt(n.online), "level": "",
		})
	}
	return out, nil
}

// Resource rows are structs rather than maps: /cluster/resources must stay
// fast with 10k guests, and fixed field sets keep the JSON faithful (Proxmox
// sends zeros for stopped guests, it does not omit them). Fields are in the
// string order of their keys, as Proxmox's canonical JSON writes them.
type guestResource struct {
	CPU       float64 `json:"cpu"`
	Disk      int64   `json:"disk"`
	DiskRead  int64   `json:"diskread"`
	DiskWrite int64   `json:"diskwrite"`
	HAState   string  `json:"hastate,omitempty"`
	ID        string  `json:"id"`
	Lock      string  `json:"lock,omitempty"`
	MaxCPU    int     `json:"maxcpu"`
	MaxDisk   int64   `json:"maxdisk"`
	MaxMem    int64   `json:"maxmem"`
	Mem       int64   `json:"mem"`
	MemHost   *int64  `json:"memhost,omitempty"` // nil on PVE 8.4, whose extract_vm_stats has none
	Name      string  `json:"name"`
	NetIn     int64   `json:"netin"`
	NetOut    int64   `json:"netout"`
	Node      string  `json:"node"`
	Status    string  `json:"status"`
	Tags      string  `json:"tags,omitempty"`
	Template  int     `json:"template"`
	Type      string  `json:"type"`
	Uptime    int64   `json:"uptime"`
	VMID      int     `json:"vmid"`
}

// agedGuestResource is a guest whose node has not reported for over five
// minutes: pmxcfs dropped its RRD entry (status.c, rrd_entry_is_old), and
// extract_vm_stats (PVE/API2Tools.pm) knows only where it is configured.
type agedGuestResource struct {
	HAState string `json:"hastate,omitempty"`
	ID      string `json:"id"`
	Lock    string `json:"lock,omitempty"`
	Node    string `json:"node"`
	Status  string `json:"status"`
	Tags    string `json:"tags,omitempty"`
	Type    string `json:"type"`
	VMID    int    `json:"vmid"`
}

type nodeResource struct {
	CgroupMode int     `json:"cgroup-mode"`
	CPU        float64 `json:"cpu"`
	Disk       int64   `json:"disk"`
	HAState    string  `json:"hastate,omitempty"`
	ID         string  `json:"id"`
	Level      string  `json:"level"`
	MaxCPU     int     `json:"maxcpu"`
	MaxDisk    int64   `json:"maxdisk"`
	MaxMem     int64   `json:"maxmem"`
	Mem        int64   `json:"mem"`
	Node       string  `json:"node"`
	Status     string  `json:"status"`
	Type       string  `json:"type"`
	Uptime     int64   `json:"uptime"`
}

// bareNodeResource is a node without its figures: offline, or seen by a
// token without Sys.Audit on it (extract_node_stats' $exclude_stats).
type bareNodeResource struct {
	CgroupMode int    `json:"cgroup-mode"`
	HAState    string `json:"hastate,omitempty"`
	ID         string `json:"id"`
	Level      string `json:"level"`
	Node       string `json:"node"`
	Status     string `json:"status"`
	Type       string `json:"type"`
}

type storageResource struct {
	Content    string `json:"content"`
	Disk       int64  `json:"disk,omitempty"`
	ID         string `json:"id"`
	MaxDisk    int64  `json:"maxdisk,omitempty"`
	Node       string `json:"node"`
	PluginType string `json:"plugintype"`
	Shared     int    `json:"shared"`
	Status     string `json:"status"`
	Storage    string `json:"storage"`
	Type       string `json:"type"`
}

// networkResource is PVE 9's "network" row, which replaced "sdn" rows for
// the default zone (PVE/API2/Cluster.pm, resources).
type networkResource struct {
	ID          string `json:"id"`
	Network     string `json:"network"`
	NetworkType string `json:"network-type"`
	Node        string `json:"node"`
	Status      string `json:"status"`
	Type        string `json:"type"`
}

// sdnResource is PVE 8's row for the default zone.
type sdnResource struct {
	ID     string `json:"id"`
	Node   string `json:"node"`
	SDN    string `json:"sdn"`
	Status string `json:"status"`
	Type   string `json:"type"`
}

// rrdExpiry is how long pmxcfs keeps a node's or guest's last status
// report (status.c, rrd_entry_is_old).
const rrdExpiry = 5 * time.Minute

// qmpStatus is the status pvestatd reports for a guest: a running VM's QMP
// status ("paused" …), otherwise running or stopped.
func (g *guest) qmpStatus() string {
	if g.kind == "qemu" && g.running && g.qmpFault != "" {
		return g.qmpFault
	}
	if g.kind == "qemu" && g.running && g.paused {
		return "paused"
	}
	return g.status()
}

// haNodeState is the HA manager's view of a node (node_status).
func haNodeState(n *node) string {
	if n.online {
		return "online"
	}
	return "unknown"
}

// getClusterResources is PVE/API2/Cluster.pm's resources: guests from the
// VM list with the figures their node last reported (extract_vm_stats),
// every node (figures only with Sys.Audit on it), storages, and the
// default zone as "network" rows.
func (s *Sim) getClusterResources(c *call) (any, error) {
	typ := c.params["type"]
	acl := s.aclFor(c.tok)
	out := make([]any, 0, len(s.guests)+4*len(s.nodes))
	haActive := false
	for _, g := range s.guests {
		haActive = haActive || g.hastate != ""
	}
	if typ == "" || typ == "vm" {
		for _, g := range s.guests {
			if !acl.has("/vms/"+strconv.Itoa(g.vmid), "VM.Audit") {
				continue
			}
			id := g.kind + "/" + strconv.Itoa(g.vmid)
			at := c.now
			if !g.node.online {
				if c.now.Sub(g.node.offlineSince) > rrdExpiry {
					out = append(out, agedGuestResource{HAState: g.hastate, ID: id, Lock: g.lock, Node: g.node.name,
						Status: "unknown", Tags: g.tags, Type: g.kind, VMID: g.vmid})
					continue
				}
				at = g.node.offlineSince // the last report, stale
			}
			st := g.stats(at)
			var memhost *int64
			if !s.pve8 { // PVE 8's extract_vm_stats (PVE/API2Tools.pm) has no memhost
				m := qemuOnly(g, st.memhost)
				memhost = &m
			}
			out = append(out, guestResource{CPU: st.cpu, Disk: st.disk, DiskRead: st.diskread, DiskWrite: st.diskwrite,
				HAState: g.hastate, ID: id, Lock: g.lock, MaxCPU: g.cores, MaxDisk: g.maxdisk, MaxMem: g.maxmem,
				Mem: st.mem, MemHost: memhost, Name: g.name, NetIn: st.netin, NetOut: st.netout,
				Node: g.node.name, Status: g.qmpStatus(), Tags: g.tags, Template: boolInt(g.template), Type: g.kind,
				Uptime: st.uptime, VMID: g.vmid})
		}
	}
	if typ == "" || typ == "node" {
		for _, n := range s.nodes {
			ha := ""
			if haActive {
				ha = haNodeState(n)
			}
			b := bareNodeResource{CgroupMode: 2, HAState: ha, ID: "node/" + n.name, Level: "", Node: n.name, Status: "online", Type: "node"}
			if !n.online {
				b.Status = "offline"
			}
			if !n.online || !acl.has("/nodes/"+n.name, "Sys.Audit") {
				out = append(out, b)
				continue
			}
			st := n.stats(c.now)
			out = append(out, nodeResource{CgroupMode: 2, CPU: st.cpu, Disk: st.disk, HAState: ha, ID: b.ID, Level: "",
				MaxCPU: n.maxcpu, MaxDisk: n.maxdisk, MaxMem: n.maxmem, Mem: st.mem, Node: n.name, Status: "online",
				Type: "node", Uptime: st.uptime})
		}
	}
	if typ == "" || typ == "storage" {
		for _, n := range s.nodes {
			for _, st := range s.storages(n, c.now) {
				if acl.has("/storage/"+st.Storage, "Datastore.Audit") {
					out = append(out, st)
				}
			}
		}
	}
	// PVE 8.4 lists the default zone as an "sdn" row per node, also for
	// type=sdn (pve-manager 8.4.1 PVE/API2/Cluster.pm, resources).
	if s.pve8 && (typ == "" || typ == "sdn") && acl.has("/sdn/zones/localnetwork", "SDN.Audit") {
		for _, n := range s.nodes {
			out = append(out, sdnResource{ID: "sdn/" + n.name + "/localnetwork", Node: n.name, SDN: "localnetwork",
				Status: "ok", Type: "sdn"})
		}
	}
	// PVE 9.1 nodes report "network" resources, so their "sdn" rows are
	// left out (type=sdn answers none); the default zone is listed for
	// every node, with or without SDN configured.
	if !s.pve8 && typ == "" && acl.has("/sdn/zones/localnetwork", "SDN.Audit") {
		for _, n := range s.nodes {
			out = append(out, networkResource{ID: "network/" + n.name + "/zone/localnetwork", Network: "localnetwork",
				NetworkType: "zone", Node: n.name, Status: "ok", Type: "network"})
		}
	}
	return out, nil
}

// qemuOnly: pvestatd reports memhost for VMs only; a container's is 0.
func qemuOnly(g *guest, v int64) int64 {
	if g.kind != "qemu" {
		return 0
	}
	return v
}

func (s *Sim) storages(n *node, now time.Time) []storageResource {
	st := n.stats(now)
	status := "available"
	if !n.online {
		status = "unknown"
	}
	local := storageResource{ID: "storage/" + n.name + "/local", Type: "storage", Storage: "local", Node: n.name, Status: status,
		PluginType: "dir", Content: "backup,iso,vztmpl", Disk: st.rootUsed, MaxDisk: n.maxdisk}
	lvm := storageResource{ID: "storage/" + n.name + "/local-lvm", Type: "storage", Storage: "local-lvm", Node: n.name, Status: status,
		PluginType: "lvmthin", Content: "images,rootdir", Disk: int64(float64(n.lvmSize) * n.lvmUsed), MaxDisk: n.lvmSize}
	if !n.online {
		local.Disk, local.MaxDisk, lvm.Disk, lvm.MaxDisk = 0, 0, 0, 0
	}
	return []storageResource{local, lvm}
}

func (s *Sim) getNodes(c *call) (any, error) {
	acl := s.aclFor(c.tok)
	out := make([]map[string]any, 0, len(s.nodes))
	for _, n := range s.nodes {
		e := map[string]any{"node": n.name, "id": "node/" + n.name, "type": "node", "level": "", "ssl_fingerprint": n.cert.fingerprint}
		if !n.online {
			e["status"] = "offline"
		} else {
			e["status"] = "online"
			// Like PVE::API2Tools::extract_node_stats: no numbers
			// without Sys.Audit on the node.
			if acl.has("/nodes/"+n.name, "Sys.Audit") {
				st := n.stats(c.now)
				e["cpu"], e["maxcpu"], e["mem"], e["maxmem"] = st.cpu, n.maxcpu, st.mem, n.maxmem
				e["disk"], e["maxdisk"], e["uptime"] = st.disk, n.maxdisk, st.uptime
			}
		}
		out = append(out, e)
	}
	return out, nil
}

func (s *Sim) getNodeStatus(c *call) (any, error) {
	n := c.node
	st := n.stats(c.now)
	load := make([]string, 3)
	for i, l := range st.load {
		load[i] = strconv.FormatFloat(l, 'f', 2, 64)
	}
	return map[string]any{
		"cpu":  st.cpu,
		"wait": st.iowait,
		"idle": 0,
		"cpuinfo": map[string]any{
			"model": n.cpuModel, "cores": n.maxcpu / 2 / n.sockets, "cpus": n.maxcpu, "sockets": n.sockets,
			"mhz": "3000.000", "hvm": "1", "user_hz": 100, "flags": "fpu vme de pse tsc msr pae mce cx8 apic sep mtrr",
		},
		"loadavg":  load,
		"memory":   map[string]any{"total": n.maxmem, "used": st.mem, "free": n.maxmem - st.mem, "available": st.memAvail},
		"swap":     map[string]any{"total": n.swap, "used": st.swapUsed, "free": n.swap - st.swapUsed},
		"rootfs":   map[string]any{"total": n.maxdisk, "used": st.rootUsed, "free": n.maxdisk - st.rootUsed, "avail": n.maxdisk - st.rootUsed},
		"ksm":      map[string]any{"shared": 0},
		"uptime":   st.uptime,
		"kversion": "Linux " + n.kernel + " #1 SMP PREEMPT_DYNAMIC PMX " + n.kernel + " (2025-11-01T10:00Z)",
		"current-kernel": map[string]any{
			"sysname": "Linux", "release": n.kernel, "machine": "x86_64",
			"version": "#1 SMP PREEMPT_DYNAMIC PMX " + n.kernel + " (2025-11-01T10:00Z)",
		},
		"boot-info":  map[string]any{"mode": "efi", "secureboot": 0},
		"pveversion": fmt.Sprintf("pve-manager/%s/%s", s.version, s.repoid),
	}, nil
}

// qemuVersion is the QEMU of the release: pve-qemu-kvm 10.1 in PVE 9.1,
// 9.2 in PVE 8.4.
func (s *Sim) qemuVersion() string {
	if s.pve8 {
		return "9.2.0"
	}
	return "10.1.2"
}

// qemuMachine is the newest machine version of qemuVersion.
func (s *Sim) qemuMachine() string {
	if s.pve8 {
		return "9.2"
	}
	return "10.1"
}

// guestOn finds the guest a /nodes/{node}/{kind}/{vmid}/… call addresses.
// Like qemu-server and pve-container, the node only looks at its own
// configuration directory, so a guest that lives elsewhere (or nowhere)
// gets the same error.
func (s *Sim) guestOn(c *call, kind string) (*guest, error) {
	g := s.guestByID[c.vmid]
	if g == nil || g.node != c.node || g.kind != kind {
		p := fmt.Sprintf("nodes/%s/qemu-server/%d.conf", c.node.name, c.vmid)
		if kind == "lxc" {
			p = fmt.Sprintf("nodes/%s/lxc/%d.conf", c.node.name, c.vmid)
		}
		return nil, errorf(http.StatusInternalServerError, "Configuration file '%s' does not exist", p)
	}
	return g, nil
}

func routeKind(c *call) string {
	if strings.HasPrefix(c.route.pattern, "/nodes/{node}/lxc") {
		return "lxc"
	}
	return "qemu"
}

func (s *Sim) getGuestList(c *call) (any, error) {
	kind := routeKind(c)
	acl := s.aclFor(c.tok)
	out := make([]map[string]any, 0)
	for _, g := range s.guests {
		if g.node != c.node || g.kind != kind || !acl.has("/vms/"+strconv.Itoa(g.vmid), "VM.Audit") {
			continue
		}
		out = append(out, s.guestStatusMap(g, c.now, kind == "qemu" && c.boolParam("full"), false))
	}
	return out, nil
}

func (s *Sim) getGuestStatus(c *call) (any, error) {
	g, err := s.guestOn(c, routeKind(c))
	if err != nil {
		return nil, err
	}
	return s.guestStatusMap(g, c.now, true, true), nil
}

// guestStatusMap is the shape of …/status/current (current) and of the
// /nodes/{node}/{qemu|lxc} list entries: qemu-server's vmstatus($vmid,
// $full) (PVE/QemuServer.pm), which reads disk counters, the QMP status
// and the running machine only when full, and pve-container's vmstatus
// (PVE/LXC.pm), which always reports swap and disk counters and, for a
// running container, all six pressures as the strings it read.
func (s *Sim) guestStatusMap(g *guest, now time.Time, full, current bool) map[string]any {
	st := g.stats(now)
	m := map[string]any{
		"vmid": g.vmid, "name": g.name, "status": g.status(), "cpus": g.cores, "cpu": st.cpu,
		"maxmem": g.maxmem, "mem": st.mem, "maxdisk": g.maxdisk, "disk": st.disk,
		"diskread": st.diskread, "diskwrite": st.diskwrite, "netin": st.netin, "netout": st.netout,
		"uptime": st.uptime,
	}
	if g.tags != "" {
		m["tags"] = g.tags
	}
	if g.lock != "" {
		m["lock"] = g.lock
	}
	if g.template {
		m["template"] = 1
	}
	if g.running {
		m["pid"] = g.pid
	}
	if g.running && !s.pve8 {
		m["pressurecpusome"], m["pressurecpufull"] = st.pressureCPU, st.pressureCPU/2
		m["pressureiosome"], m["pressureiofull"] = st.pressureIO, st.pressureIO/2
		m["pressurememorysome"], m["pressurememoryfull"] = st.pressureMemo, st.pressureMemo
	}
	if g.kind == "qemu" {
		if !s.pve8 {
			m["memhost"] = st.memhost
		}
		m["qmpstatus"] = g.qmpStatus()
		if g.running {
			m["running-machine"] = "pc-i440fx-" + s.qemuMachine() + "+pve0"
			m["running-qemu"] = s.qemuVersion()
		}
		if !full {
			for _, k := range []string{"diskread", "diskwrite", "qmpstatus", "running-machine", "running-qemu"} {
				delete(m, k)
			}
		}
	} else {
		m["type"] = "lxc"
		m["maxswap"] = g.swap
		m["swap"] = int64(0)
		if g.running {
			m["swap"] = g.swap / 50
		}
		if g.running && !s.pve8 {
			for _, k := range []string{"pressurecpusome", "pressurecpufull", "pressureiosome", "pressureiofull", "pressurememorysome", "pressurememoryfull"} {
				m[k] = strconv.FormatFloat(m[k].(float64), 'f', 2, 64)
			}
		}
	}
	if current {
		ha := map[string]any{"managed": 0}
		if g.hastate != "" {
			ha = map[string]any{"managed": 1, "state": g.hastate}
		}
		m["ha"] = ha
		if g.kind == "qemu" {
			m["agent"] = 1
			if g.running {
				m["balloon"] = g.maxmem
				m["freemem"] = g.maxmem - st.mem
			}
		}
	}
	return m
}

func (s *Sim) getGuestConfig(c *call) (any, error) {
	g, err := s.guestOn(c, routeKind(c))
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if g.kind == "qemu" {
		m = map[string]any{
			"name": g.name, "cores": g.cores, "sockets": 1, "memory": strconv.FormatInt(g.maxmem/mib, 10),
			"ostype": g.ostype, "boot": "order=scsi0;ide2;net0", "scsihw": "virtio-scsi-single", "cpu": "x86-64-v2-AES",
			"scsi0":   fmt.Sprintf("local-lvm:vm-%d-disk-0,iothread=1,size=%dG", g.vmid, g.maxdisk/gib),
			"ide2":    "none,media=cdrom",
			"net0":    fmt.Sprintf("virtio=%s,bridge=vmbr0,firewall=1", g.mac),
			"agent":   "1",
			"numa":    0,
			"onboot":  boolInt(g.running),
			"smbios1": fmt.Sprintf("uuid=%s", uuidFrom(g.seedBits)),
			"vmgenid": uuidFrom(g.seedBits ^ 0x5555),
			"meta":    "creation-qemu=" + s.qemuVersion() + ",ctime=1760000000",
		}
		if g.template {
			m["template"] = 1
			m["scsi0"] = fmt.Sprintf("local-lvm:base-%d-disk-0,iothread=1,size=%dG", g.vmid, g.maxdisk/gib)
		}
	} else {
		m = map[string]any{
			"hostname": g.name, "arch": "amd64", "cores": g.cores, "memory": g.maxmem / mib, "swap": g.swap / mib,
			"ostype": g.ostype, "rootfs": fmt.Sprintf("local-lvm:vm-%d-disk-0,size=%dG", g.vmid, g.maxdisk/gib),
			"net0":         fmt.Sprintf("name=eth0,bridge=vmbr0,firewall=1,hwaddr=%s,ip=dhcp,type=veth", g.mac),
			"unprivileged": 1, "features": "nesting=1", "onboot": boolInt(g.running),
		}
		if g.template {
			m["template"] = 1
		}
	}
	if g.tags != "" {
		m["tags"] = g.tags
	}
	if g.lock != "" {
		m["lock"] = g.lock
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	h := sha1.New()
	for _, k := range keys {
		fmt.Fprintf(h, "%s: %v\n", k, m[k])
	}
	m["digest"] = fmt.Sprintf("%x", h.Sum(nil))
	return m, nil
}

func uuidFrom(x uint64) string {
	a, b := mix(x, 1), mix(x, 2)
	return fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", uint32(a), uint16(a>>32), uint16(a>>48)&0xfff, uint16(b)&0xfff, b>>16&0xffffffffffff)
}
