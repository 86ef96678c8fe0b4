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
	Alerts    []Alert        `json:"alerts"`    // pending and firing, firing first
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

	ClusterName string     `json:"clusterName"` // Proxmox's cluster name; "" for a single node
	TokenID     string     `json:"tokenId"`
	Endpoints   []Endpoint `json:"endpoints"` // every node address, each pinned
	// CertChange is set when a pinned certificate changed: the cluster is
	// stopped on that endpoint until the user re-trusts or removes it.
	CertChange *CertChange `json:"certChange,omitempty"`
	// Permissions is the token's effective privileges by ACL path, as
	// /access/permissions reports them (e.g. "/vms/101": {"VM.PowerMgmt": true});
	// nil until read. A privilege applies to a path if listed there or on
	// the nearest listed ancestor.
	Permissions map[string]map[string]bool `json:"permissions" ts_type:"Record<string, Record<string, boolean>>"`
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
	// Rates in bytes per second over the last poll interval, from
	// Proxmox's cumulative counters; nil when unknown (first poll, or a
	// counter reset).
	NetIn  *float64 `json:"netin"`
	NetOut *float64 `json:"netout"`
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
	// MemHost is the host's view of the guest's memory (Proxmox 9 sends
	// it for VMs); 0 when not sent.
	MemHost int64 `json:"memhost"`
	// NodeOffline is set when the guest's node is not online: Status and the
	// figures are the last its node reported (for five minutes, after
	// which Proxmox reports the guest as "unknown", without a name).
	NodeOffline bool `json:"nodeOffline,omitempty"`
	// ReportedAt is, with NodeOffline, the last poll (unix ms) that found
	// its node online, which the status is at most as old as; 0 when this
	// run of Cecyber never saw the node online.
	ReportedAt int64 `json:"reportedAt,omitempty"`
	// Rates in bytes per second over the last poll interval, from
	// Proxmox's cumulative counters; nil when unknown (first poll after
	// start, or a counter reset).
	DiskRead  *float64 `json:"diskread"`
	DiskWrite *float64 `json:"diskwrite"`
	NetIn     *float64 `json:"netin"`
	NetOut    *float64 `json:"netout"`
}

// ErrorInfo is how every error reaches the window: a stable code the window
// translates, the English message for logs, and Proxmox's own words when it
// sent any (shown verbatim: they name the missing privilege, the bad path...).
type ErrorInfo struct {
	// Code is one of: "invalid", "unreachable", "timeout", "unauthorized",
	// "forbidden", "notfound", "fingerprint", "server", "unavailable",
	// "keychain", "conflict", "internal".
	// For "invalid", Params["field"] names the wizard field (name, address,
	// tokenId, secret, fingerprint, action) and Params["reason"] says what is
	// wrong (see the frontend's error translations for the list).
	// For "keychain", Params["reason"] is "unavailable" (no Secret Service /
	// keychain), "locked", or "denied".
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
	// Notices are things the user must know about this start, e.g. a
	// damaged database that was moved aside (code "database", params path
	// and movedTo).
	Notices []ErrorInfo `json:"notices"`
	// Failure is set when Cecyber could not start (see StartupFailure):
	// the window shows only it. Codes "startupReadOnly", "startupFull",
	// "startupFailed", "startupRunning"; Params dir, log, detail, and free for startupFull.
	Failure *ErrorInfo `json:"failure,omitempty"`
}

// ClusterInput is what the add-cluster wizard collects. Secret travels only
// from the window to Go, once; it is never returned.
type ClusterInput struct {
	Name    string `json:"name"`
	Address string `json:"address"` // host, host:8006, https://host:8006, [fd00::1]:8006
	TokenID string `json:"tokenId"` // user@realm!tokenid
	Secret  string `json:"secret"`
	// History is the ID of a kept history (see FindKeptHistory) the new
	// cluster takes back, so its charts go on where they stopped; "" starts
	// an empty history.
	History string `json:"history,omitempty"`
}

// KeptHistory is the history of a removed cluster, kept at the user's
// request, that a cluster being added is recognised as (the same Proxmox
// cluster name and a node name in common).
type KeptHistory struct {
	ID          string   `json:"id"`          // the removed cluster's ID
	Name        string   `json:"name"`        // the user's name for it then
	ClusterName string   `json:"clusterName"` // Proxmox's cluster name; "" for a single node
	Nodes       []string `json:"nodes"`       // node names, as last known
	RemovedAt   int64    `json:"removedAt"`   // unix ms
	Targets     int      `json:"targets"`     // nodes and guests with history
}

// Certificate describes a server certificate for the user to judge.
type Certificate struct {
	Fingerprint string   `json:"fingerprint"` // SHA-256, "AB:CD:…" as Proxmox shows it
	Subject     string   `json:"subject"`
	Issuer      string   `json:"issuer"`
	NotBefore   int64    `json:"notBefore"` // unix ms
	NotAfter    int64    `json:"notAfter"`  // unix ms
	DNSNames    []string `json:"dnsNames"`
	IPAddresses []string `json:"ipAddresses"`
	SelfSigned  bool     `json:"selfSigned"`
}

// Probe is what Cecyber learns from a server before trusting it: read
// without sending any credential.
type Probe struct {
	Endpoint    string      `json:"endpoint"` // normalized https://host:port
	Host        string      `json:"host"`     // host:port, for messages
	Version     string      `json:"version"`  // "" when the server did not say
	Certificate Certificate `json:"certificate"`
}

// Endpoint is one node address of a cluster and the certificate pinned for it.
type Endpoint struct {
	Node        string `json:"node"` // "" until known
	URL         string `json:"url"`  // https://host:port
	Fingerprint string `json:"fingerprint"`
	Active      bool   `json:"active"` // the endpoint the last request went to
}

// CertChange is a pinned certificate that a server no longer presents.
// Nothing uses that endpoint until the user re-trusts it (RetrustEndpoint).
type CertChange struct {
	URL      string      `json:"url"`
	Node     string      `json:"node"`
	Expected string      `json:"expected"` // the pinned fingerprint
	Actual   Certificate `json:"actual"`   // what the server presents now
}

// Task is a Proxmox task Cecyber started and follows to its end.
type Task struct {
	UPID      string `json:"upid"`
	Cluster   string `json:"cluster"`
	Node      string `json:"node"`
	GuestID   string `json:"guestId"` // "qemu/101"
	VMID      int    `json:"vmid"`
	GuestName string `json:"guestName"`
	Action    string `json:"action"` // start, stop, shutdown, reboot, reset, suspend, resume
	// Status is "running" until the task stops, then "ok", "warnings" or
	// "error"; ExitStatus is Proxmox's text ("OK", "WARNINGS: 2", the error).
	Status     string `json:"status"`
	ExitStatus string `json:"exitStatus,omitempty"`
	StartedAt  int64  `json:"startedAt"` // unix ms
	EndedAt    int64  `json:"endedAt,omitempty"`
	// Error is set when the action could not even be started (Proxmox refused it).
	Error *ErrorInfo `json:"error,omitempty"`
}

// ActionOptions refine a power action.
type ActionOptions struct {
	// Timeout is the graceful shutdown's limit in seconds; 0 = Proxmox's default.
	Timeout int `json:"timeout,omitempty"`
	// OverruleShutdown makes a stop abort the guest's running shutdown
	// first (overrule-shutdown=1), instead of waiting behind it.
	OverruleShutdown bool `json:"overruleShutdown,omitempty"`
}

// GuestTarget names one guest of one cluster, for bulk actions.
type GuestTarget struct {
	Cluster string `json:"cluster"`
	GuestID string `json:"guestId"`
}

// TaskLogLine is one line of a task's log.
type TaskLogLine struct {
	N    int    `json:"n"`
	Text string `json:"t"`
}

// GuestDetails is the guest page: live status and configuration.
type GuestDetails struct {
	Guest  Guest             `json:"guest"`
	Config map[string]string `json:"config"` // Proxmox's config keys and values as sent
	Tasks  []Task            `json:"tasks"`  // this guest's recent tasks started here
}

// Console is one console session the window's noVNC connects to. URL is
// single-use and valid for 30 s; to reconnect, call OpenConsole again (a
// Proxmox ticket lives about 40 s, so none is ever cached).
type Console struct {
	ID        string `json:"id"`  // for CloseConsole and the "console" events
	URL       string `json:"url"` // ws://127.0.0.1:PORT/console/TOKEN
	Cluster   string `json:"cluster"`
	GuestID   string `json:"guestId"`
	GuestName string `json:"guestName"`
	Node      string `json:"node"`
	VMID      int    `json:"vmid"`
	Type      string `json:"type"` // "qemu" or "lxc"
}

// ConsoleEnded is the "console-ended" event: why a console session ended on
// the Go side. Error.Code "auth" means Proxmox refused the VNC password
// (an expired ticket): reconnect with a fresh OpenConsole.
type ConsoleEnded struct {
	ID    string     `json:"id"`
	Error *ErrorInfo `json:"error,omitempty"` // nil when closed on purpose
}

// Series is metric history in uPlot's columnar shape: Times in unix seconds
// and one column per metric (each also as "<metric>_max"), null where there
// is no data: a gap is never interpolated.
type Series struct {
	Times   []int64               `json:"times"`
	Columns map[string][]*float64 `json:"columns"`
	Step    int64                 `json:"step"` // seconds between points
	Tier    string                `json:"tier"` // "raw", "m5", "m15", "h1"
}

// Sparklines is one metric of many targets over a shared time axis.
type Sparklines struct {
	Times  []int64               `json:"times"`
	Values map[string][]*float64 `json:"values"` // target ID → values aligned with Times
}

// AlertRule says when to raise an alert; see package metrics/alerts.
type AlertRule struct {
	ID         string  `json:"id"`
	Name       string  `json:"name"`    // the user's name; "" for a built-in, which the window names
	Builtin    string  `json:"builtin"` // "cpu", "mem", "node-offline", "unexpected-stop", "guest-error" for shipped defaults
	Metric     string  `json:"metric"`  // cpu, mem, diskread, diskwrite, netin, netout, node-offline, unexpected-stop, guest-error
	Scope      string  `json:"scope"`   // all, cluster, node, guest, tag
	Cluster    string  `json:"cluster"`
	Node       string  `json:"node"`
	Guest      string  `json:"guest"` // "qemu/101"
	Tag        string  `json:"tag"`
	Trigger    float64 `json:"trigger"` // percent for cpu and mem, bytes per second for rates
	Clear      float64 `json:"clear"`   // a firing alert clears at or below this
	ForSeconds int     `json:"forSeconds"`
	Enabled    bool    `json:"enabled"`
	Notify     bool    `json:"notify"` // OS notification when it fires
}

// Alert is one rule's alert on one node or guest. Times are unix
// milliseconds, 0 for "not yet".
type Alert struct {
	ID           string  `json:"id"`
	RuleID       string  `json:"ruleId"`
	RuleName     string  `json:"ruleName"`
	Builtin      string  `json:"builtin"`
	Metric       string  `json:"metric"`
	Cluster      string  `json:"cluster"`
	ClusterName  string  `json:"clusterName"`
	Target       string  `json:"target"` // "qemu/101", "lxc/105", "node/pve1"
	TargetName   string  `json:"targetName"`
	Node         string  `json:"node"`
	State        string  `json:"state"` // pending, firing, resolved
	Value        float64 `json:"value"` // the latest value, in the rule's unit; 1 for an event
	Trigger      float64 `json:"trigger"`
	PendingAt    int64   `json:"pendingAt"`
	FiringAt     int64   `json:"firingAt"`
	ResolvedAt   int64   `json:"resolvedAt"`
	AckedAt      int64   `json:"ackedAt"`
	SnoozedUntil int64   `json:"snoozedUntil"`
}

// AlertsView is the alerts page: what is open, what resolved, the rules.
type AlertsView struct {
	Active  []Alert     `json:"active"`
	History []Alert     `json:"history"` // newest first
	Rules   []AlertRule `json:"rules"`
}

// About describes this build for the About dialog. Commit and BuildDate
// are "" when the binary was not stamped with them.
type About struct {
	Version   string `json:"version"`
	Commit    string `json:"commit"`    // short git commit, "-dirty" if built with local changes
	BuildDate string `json:"buildDate"` // RFC 3339 UTC
	Wails     string `json:"wails"`     // e.g. "v2.9.2"
	Go        string `json:"go"`        // e.g. "go1.26.8"
	Platform  string `json:"platform"`  // GOOS/GOARCH, e.g. "linux/amd64"
	License   string `json:"license"`   // SPDX identifier, "MIT"
	LogDir    string `json:"logDir"`    // the folder OpenLogFolder opens
	ConfigDir string `json:"configDir"` // where the database and window.json live
}

// HistoryStatus is whether the metric history is being saved. Live data
// and alerts never depend on it.
type HistoryStatus struct {
	Saving bool `json:"saving"`
	// Reason is "full" (no space left on the disk that holds Dir) or
	// "error" (any other write failure); "" while saving.
	Reason string `json:"reason"`
	// FreeBytes is the space left for the user on that disk; -1 if unknown.
	FreeBytes int64  `json:"freeBytes"`
	Dir       string `json:"dir"`
	// Unsaved polls wait in memory to be saved; Dropped were given up,
	// oldest first, to keep that bounded.
	Unsaved int   `json:"unsaved"`
	Dropped int   `json:"dropped"`
	Since   int64 `json:"since"` // Unix ms when saving stopped; 0 while saving
}
