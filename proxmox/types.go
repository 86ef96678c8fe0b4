package proxmox

import (
	"strings"
	"time"
)

// GuestType is the kind of guest, as it appears in API paths.
type GuestType string

const (
	QEMU GuestType = "qemu" // a virtual machine
	LXC  GuestType = "lxc"  // a container
)

// Valid reports whether t is one of QEMU and LXC.
func (t GuestType) Valid() bool { return t == QEMU || t == LXC }

// GuestRef names one guest on one node.
type GuestRef struct {
	Node string
	Type GuestType
	VMID int
}

// Validate checks every part of the reference before it goes into a path.
func (r GuestRef) Validate() error {
	if err := ValidNodeName(r.Node); err != nil {
		return err
	}
	if !r.Type.Valid() {
		return &Error{Kind: KindInvalid, Err: errorf("guest type %q is neither qemu nor lxc", r.Type)}
	}
	return ValidVMID(r.VMID)
}

// Version is what /version reports.
type Version struct {
	Version string `json:"version"` // e.g. "9.1.2"
	Release string `json:"release"` // e.g. "9.1"
	RepoID  string `json:"repoid"`
}

// ClusterStatusEntry is one line of /cluster/status: the cluster itself
// (Type "cluster") or one node (Type "node").
type ClusterStatusEntry struct {
	Type    string `json:"type"` // "cluster" or "node"
	ID      string `json:"id"`   // "cluster" or "node/NAME"
	Name    string `json:"name"`
	NodeID  int    `json:"nodeid"`  // nodes only
	IP      string `json:"ip"`      // nodes only
	Online  bool   `json:"online"`  // nodes only
	Local   bool   `json:"local"`   // nodes only: the node that answered
	Level   string `json:"level"`   // nodes only: subscription level
	Quorate bool   `json:"quorate"` // cluster only
	Nodes   int    `json:"nodes"`   // cluster only
	Version int    `json:"version"` // cluster only: config version
}

func (e *ClusterStatusEntry) UnmarshalJSON(b []byte) error { return looseUnmarshal(b, e) }

// Resource is one entry of /cluster/resources: a node, guest, storage, pool
// or SDN zone. Counters (NetIn, NetOut, DiskRead, DiskWrite) are cumulative
// bytes since the guest started; CPU is a fraction of MaxCPU.
type Resource struct {
	ID         string   `json:"id"`   // "qemu/100", "node/pve1", "storage/pve1/local"
	Type       string   `json:"type"` // "node", "qemu", "lxc", "storage", "pool", "sdn"
	Node       string   `json:"node"`
	Name       string   `json:"name"`
	Status     string   `json:"status"`
	VMID       int      `json:"vmid"`
	Pool       string   `json:"pool"`
	Storage    string   `json:"storage"`
	Template   bool     `json:"template"`
	Tags       []string `json:"tags"`
	Lock       string   `json:"lock"`
	HAState    string   `json:"hastate"`
	Level      string   `json:"level"`
	CPU        float64  `json:"cpu"`
	MaxCPU     float64  `json:"maxcpu"`
	Mem        int64    `json:"mem"`
	MaxMem     int64    `json:"maxmem"`
	MemHost    int64    `json:"memhost"` // qemu on PVE 9: used memory as the host sees it
	Disk       int64    `json:"disk"`
	MaxDisk    int64    `json:"maxdisk"`
	NetIn      int64    `json:"netin"`
	NetOut     int64    `json:"netout"`
	DiskRead   int64    `json:"diskread"`
	DiskWrite  int64    `json:"diskwrite"`
	Uptime     int64    `json:"uptime"`
	PluginType string   `json:"plugintype"` // storage only
	Content    string   `json:"content"`    // storage only
	Shared     bool     `json:"shared"`     // storage only
}

func (r *Resource) UnmarshalJSON(b []byte) error {
	if decodeResourceFast(b, r) {
		return nil
	}
	return looseUnmarshal(b, r)
}

// NodeSummary is one entry of /nodes.
type NodeSummary struct {
	Node   string  `json:"node"`
	Status string  `json:"status"` // "online", "offline", "unknown"
	ID     string  `json:"id"`
	CPU    float64 `json:"cpu"`
	MaxCPU int     `json:"maxcpu"`
	Mem    int64   `json:"mem"`
	MaxMem int64   `json:"maxmem"`
	Disk   int64   `json:"disk"`
	// MaxDisk is the root file system's size.
	MaxDisk int64  `json:"maxdisk"`
	Uptime  int64  `json:"uptime"`
	Level   string `json:"level"`
	// SSLFingerprint is the node's certificate fingerprint as the cluster
	// knows it, "AB:CD:…".
	SSLFingerprint string `json:"ssl_fingerprint"`
}

func (n *NodeSummary) UnmarshalJSON(b []byte) error { return looseUnmarshal(b, n) }

// NodeStatus is /nodes/{node}/status.
type NodeStatus struct {
	CPU        float64   `json:"cpu"`
	Wait       float64   `json:"wait"` // I/O wait fraction
	Uptime     int64     `json:"uptime"`
	LoadAvg    []float64 `json:"loadavg"`
	KVersion   string    `json:"kversion"`
	PVEVersion string    `json:"pveversion"`
	Memory     MemUsage  `json:"memory"`
	Swap       MemUsage  `json:"swap"`
	RootFS     FSUsage   `json:"rootfs"`
	CPUInfo    CPUInfo   `json:"cpuinfo"`
}

func (n *NodeStatus) UnmarshalJSON(b []byte) error { return looseUnmarshal(b, n) }

// MemUsage is memory or swap use in bytes.
type MemUsage struct {
	Total int64 `json:"total"`
	Used  int64 `json:"used"`
	Free  int64 `json:"free"`
}

func (m *MemUsage) UnmarshalJSON(b []byte) error { return looseUnmarshal(b, m) }

// FSUsage is a file system's use in bytes.
type FSUsage struct {
	Total int64 `json:"total"`
	Used  int64 `json:"used"`
	Free  int64 `json:"free"`
	Avail int64 `json:"avail"`
}

func (f *FSUsage) UnmarshalJSON(b []byte) error { return looseUnmarshal(b, f) }

// CPUInfo describes a node's processors.
type CPUInfo struct {
	Model   string  `json:"model"`
	CPUs    int     `json:"cpus"`
	Cores   int     `json:"cores"`
	Sockets int     `json:"sockets"`
	MHz     float64 `json:"mhz"`
}

func (c *CPUInfo) UnmarshalJSON(b []byte) error { return looseUnmarshal(b, c) }

// GuestSummary is one entry of /nodes/{node}/qemu or /nodes/{node}/lxc.
// Node and Type are filled in from the request.
type GuestSummary struct {
	Node      string    `json:"node"`
	Type      GuestType `json:"type"`
	VMID      int       `json:"vmid"`
	Name      string    `json:"name"`
	Status    string    `json:"status"`
	Template  bool      `json:"template"`
	Tags      []string  `json:"tags"`
	Lock      string    `json:"lock"`
	CPU       float64   `json:"cpu"`
	CPUs      float64   `json:"cpus"`
	Mem       int64     `json:"mem"`
	MaxMem    int64     `json:"maxmem"`
	Disk      int64     `json:"disk"`
	MaxDisk   int64     `json:"maxdisk"`
	NetIn     int64     `json:"netin"`
	NetOut    int64     `json:"netout"`
	DiskRead  int64     `json:"diskread"`
	DiskWrite int64     `json:"diskwrite"`
	Uptime    int64     `json:"uptime"`
	PID       int64     `json:"pid"`
}

func (g *GuestSummary) UnmarshalJSON(b []byte) error { return looseUnmarshal(b, g) }

// GuestStatus is …/status/current.
type GuestStatus struct {
	VMID   int    `json:"vmid"`
	Name   string `json:"name"`
	Status string `json:"status"` // "running", "stopped"
	// QMPStatus is QEMU's finer state ("running", "paused", "prelaunch",
	// …); VMs only.
	QMPStatus      string   `json:"qmpstatus"`
	Template       bool     `json:"template"`
	Tags           []string `json:"tags"`
	Lock           string   `json:"lock"`
	CPU            float64  `json:"cpu"`
	CPUs           float64  `json:"cpus"`
	Mem            int64    `json:"mem"`
	MaxMem         int64    `json:"maxmem"`
	FreeMem        int64    `json:"freemem"` // VMs with a balloon driver only
	Swap           int64    `json:"swap"`    // containers only
	MaxSwap        int64    `json:"maxswap"` // containers only
	Disk           int64    `json:"disk"`
	MaxDisk        int64    `json:"maxdisk"`
	NetIn          int64    `json:"netin"`
	NetOut         int64    `json:"netout"`
	DiskRead       int64    `json:"diskread"`
	DiskWrite      int64    `json:"diskwrite"`
	Uptime         int64    `json:"uptime"`
	PID            int64    `json:"pid"`
	Agent          bool     `json:"agent"` // QEMU guest agent enabled
	HA             HAStatus `json:"ha"`
	RunningMachine string   `json:"running-machine"`
	RunningQEMU    string   `json:"running-qemu"`
}

func (g *GuestStatus) UnmarshalJSON(b []byte) error { return looseUnmarshal(b, g) }

// HAStatus tells whether HA manages a guest.
type HAStatus struct {
	Managed bool   `json:"managed"`
	State   string `json:"state"`
	Group   string `json:"group"`
}

func (h *HAStatus) UnmarshalJSON(b []byte) error { return looseUnmarshal(b, h) }

// RRDPoint is one sample of …/rrddata. Values holds every metric the series
// has; a nil value is a gap (Proxmox leaves the metric out or sends null).
// Rates (netin, diskread, …) are already bytes per second.
type RRDPoint struct {
	Time   int64               `json:"time"`
	Values map[string]*float64 `json:"values"`
}

// Action is a guest power action: the last element of
// POST …/status/{action}.
type Action string

const (
	Start    Action = "start"
	Stop     Action = "stop" // hard stop, like pulling the plug
	Shutdown Action = "shutdown"
	Reboot   Action = "reboot"
	Reset    Action = "reset" // VMs only
	Suspend  Action = "suspend"
	Resume   Action = "resume"
)

// supportedBy reports whether guests of type t have the action.
func (a Action) supportedBy(t GuestType) bool {
	switch a {
	case Start, Stop, Shutdown, Reboot, Suspend, Resume:
		return true
	case Reset:
		return t == QEMU
	}
	return false
}

// TaskFilter narrows Tasks. Zero fields are left to Proxmox's defaults.
type TaskFilter struct {
	Limit  int    // at most this many (Proxmox's default is 50)
	Start  int    // skip this many
	Source string // "archive" (default), "active" or "all"
	Type   string // task type, e.g. "qmstart"
	User   string
	VMID   int
	Errors bool // only failed tasks
	Since  time.Time
	Until  time.Time
}

// Task is one entry of /nodes/{node}/tasks.
type Task struct {
	UPID      UPID      `json:"upid"`
	Node      string    `json:"node"`
	Type      string    `json:"type"`
	ID        string    `json:"id"`
	User      string    `json:"user"`
	PID       int64     `json:"pid"`
	PStart    int64     `json:"pstart"`
	StartTime time.Time `json:"starttime"`
	EndTime   time.Time `json:"endtime"` // zero while running
	// Status is the exit status once the task ended ("OK", "WARNINGS: 2",
	// or the error); "" while it runs.
	Status string `json:"status"`
}

func (t *Task) UnmarshalJSON(b []byte) error { return looseUnmarshal(b, t) }

// TaskStatus is /nodes/{node}/tasks/{upid}/status.
type TaskStatus struct {
	UPID       UPID      `json:"upid"`
	Node       string    `json:"node"`
	Type       string    `json:"type"`
	ID         string    `json:"id"`
	User       string    `json:"user"`
	PID        int64     `json:"pid"`
	PStart     int64     `json:"pstart"`
	StartTime  time.Time `json:"starttime"`
	EndTime    time.Time `json:"endtime"`
	Status     string    `json:"status"`     // "running" or "stopped"
	ExitStatus string    `json:"exitstatus"` // once stopped: "OK", "WARNINGS: n" or the error
	Running    bool      `json:"-"`
}

func (t *TaskStatus) UnmarshalJSON(b []byte) error {
	if err := looseUnmarshal(b, t); err != nil {
		return err
	}
	t.Running = t.Status == "running"
	return nil
}

// OK reports whether the task ended successfully, possibly with warnings.
func (t TaskStatus) OK() bool {
	return !t.Running && (t.ExitStatus == "OK" || strings.HasPrefix(t.ExitStatus, "WARNINGS:"))
}

// TaskLogLine is one line of a task's log; N counts from 1.
type TaskLogLine struct {
	N int    `json:"n"`
	T string `json:"t"`
}

func (l *TaskLogLine) UnmarshalJSON(b []byte) error { return looseUnmarshal(b, l) }

// CertInfo is one certificate of /nodes/{node}/certificates/info.
type CertInfo struct {
	Filename    string    `json:"filename"`
	Fingerprint string    `json:"fingerprint"` // normalized "AB:CD:…"
	Subject     string    `json:"subject"`
	Issuer      string    `json:"issuer"`
	NotBefore   time.Time `json:"notbefore"`
	NotAfter    time.Time `json:"notafter"`
	SAN         []string  `json:"san"` // "DNS:pve1", "IP:192.0.2.1"
	PublicKey   string    `json:"public-key-type"`
	KeyBits     int       `json:"public-key-bits"`
	PEM         string    `json:"pem"`
}

func (c *CertInfo) UnmarshalJSON(b []byte) error {
	if err := looseUnmarshal(b, c); err != nil {
		return err
	}
	if fp, err := NormalizeFingerprint(c.Fingerprint); err == nil {
		c.Fingerprint = fp
	}
	return nil
}

// Permissions maps an ACL path ("/", "/vms/100") to privileges; the bool
// says whether the privilege propagates to paths below, which is how
// /access/permissions reports it.
type Permissions map[string]map[string]bool

// Has reports whether the privilege priv applies at path. An entry for the
// path itself is the effective set there, propagating or not; otherwise the nearest
// listed ancestor decides: a propagating grant there counts; a grant there
// that does not propagate is skipped (it does not reach children); and an
// ancestor whose privileges do propagate but lack priv means it was
// overridden, so the answer is no.
func (p Permissions) Has(path, priv string) bool {
	path = cleanACLPath(path)
	if privs, ok := p[path]; ok {
		// Proxmox lists the effective privileges of every listed path.
		_, ok := privs[priv]
		return ok
	}
	for path != "/" {
		path = parentACLPath(path)
		privs, ok := p[path]
		if !ok {
			continue
		}
		if privs[priv] {
			return true
		}
		if propagatesAny(privs) {
			return false
		}
	}
	return false
}

func propagatesAny(privs map[string]bool) bool {
	for _, v := range privs {
		if v {
			return true
		}
	}
	return false
}

func cleanACLPath(p string) string {
	p = "/" + strings.Trim(p, "/")
	return p
}

func parentACLPath(p string) string {
	i := strings.LastIndex(p, "/")
	if i <= 0 {
		return "/"
	}
	return p[:i]
}
