package app

// The DTOs below are the window's whole view of the backend. They are plain JSON
// shapes: go-proxmox and proxmox types never cross this boundary, and no field
// ever carries a token secret.

// Inventory is the live state of every configured cluster, as of UpdatedAt.
// It is what Inventory returns and what the "inventory" event carries.
type Inventory struct {
	Clusters  []ClusterState `json:"clusters"`
	Nodes     []Node         `json:"nodes"`
	Guests    []Guest        `json:"guests"`
	UpdatedAt int64          `json:"updatedAt"` // unix milliseconds of the newest successful poll; 0 before any
}

// ClusterState is one configured cluster and how talking to it goes.
type ClusterState struct {
	ID       string `json:"id"`       // stable local identifier
	Name     string `json:"name"`     // the user's name for it (the demo's is "Demo")
	Endpoint string `json:"endpoint"` // https://host:port
	Demo     bool   `json:"demo"`
	Version  string `json:"version"` // Proxmox VE version, e.g. "9.1.2"; "" until known
	// Status is "connecting" before the first answer, "ok" after a successful
	// poll, "error" when the last poll failed (Error says why).
	Status     string     `json:"status"`
	Error      *ErrorInfo `json:"error,omitempty"`
	LastPollAt int64      `json:"lastPollAt"` // unix ms of the last successful poll; 0 if none
}

// Node is one Proxmox node as /cluster/resources reports it.
type Node struct {
	Cluster string  `json:"cluster"` // ClusterState.ID
	Name    string  `json:"name"`
	Status  string  `json:"status"` // "online", "offline", "unknown"
	CPU     float64 `json:"cpu"`    // fraction of MaxCPU, 0..1
	MaxCPU  float64 `json:"maxcpu"` // may be fractional (a container's cpulimit)
	Mem     int64   `json:"mem"`    // bytes
	MaxMem  int64   `json:"maxmem"`
	Uptime  int64   `json:"uptime"` // seconds
}

// Guest is one VM or container.
type Guest struct {
	Cluster  string   `json:"cluster"` // ClusterState.ID
	ID       string   `json:"id"`      // "qemu/101" or "lxc/105", unique within a cluster
	VMID     int      `json:"vmid"`
	Name     string   `json:"name"`
	Type     string   `json:"type"` // "qemu" or "lxc"
	Node     string   `json:"node"`
	Status   string   `json:"status"` // "running", "stopped", "paused", "suspended", "unknown"
	Template bool     `json:"template"`
	Lock     string   `json:"lock,omitempty"`    // e.g. "backup", "migrate"
	HAState  string   `json:"hastate,omitempty"` // e.g. "started" when HA-managed
	CPU      float64  `json:"cpu"`               // fraction of MaxCPU, 0..1
	MaxCPU   float64  `json:"maxcpu"`
	Mem      int64    `json:"mem"` // bytes
	MaxMem   int64    `json:"maxmem"`
	Uptime   int64    `json:"uptime"` // seconds
	Tags     []string `json:"tags"`
}

// ErrorInfo is how every error reaches the window: a stable code the window
// translates, the English message for logs, and Proxmox's own words when it
// sent any (shown verbatim: they name the missing privilege, the bad path...).
type ErrorInfo struct {
	// Code is one of: "invalid", "unreachable", "timeout", "unauthorized",
	// "forbidden", "notfound", "fingerprint", "server", "unavailable", "internal".
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Detail  string            `json:"detail,omitempty"` // Proxmox's message, verbatim
	Params  map[string]string `json:"params,omitempty"` // e.g. host, expected, actual fingerprints
}

// Environment tells the window what it runs on, once at start.
type Environment struct {
	Locale  string `json:"locale"`  // the OS locale as a BCP 47 tag, e.g. "pt-BR"; "" if unknown
	Version string `json:"version"` // Cecyber's version
	Demo    bool   `json:"demo"`    // started with --demo
}
