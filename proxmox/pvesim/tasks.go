package pvesim

import (
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"cecyber/proxmox/upid"
)

// taskID is the UPID of a task n forks at now, as PVE::UPID::encode
// writes it.
func (n *node) taskID(now time.Time, pid int, typ, id, user string) upid.Info {
	return upid.Info{Node: n.name, PID: int64(pid), PStart: int64(n.pstart(now)), StartTime: time.Unix(now.Unix(), 0).UTC(),
		Type: typ, ID: id, User: user}
}

// task is a worker. Tasks on one guest run one after the other, like
// workers serialised by lock_config: a task that has to wait has not begun,
// and its outcome is only decided when it begins, against the guest's state
// at that moment.
type task struct {
	u      upid.Info
	upid   string
	node   *node
	guest  *guest
	action string
	params map[string]string
	fail   string // injected failure, see SetTaskFailure

	begun  bool
	begin  time.Time
	end    time.Time
	done   bool
	exit   string // "OK" or the error, once done
	lines  []string
	effect func(end time.Time)
}

// advanceLocked finishes every task whose end is not after now, in end
// order, and begins the tasks queued behind them.
func (s *Sim) advanceLocked(now time.Time) {
	for {
		var next *task
		for _, t := range s.active {
			if t.begun && !t.end.After(now) && (next == nil || t.end.Before(next.end)) {
				next = t
			}
		}
		if next == nil {
			return
		}
		s.finishLocked(next)
	}
}

func (s *Sim) finishLocked(t *task) {
	t.done = true
	if t.exit == "" {
		t.exit = "OK"
	}
	if t.exit == "OK" && t.effect != nil {
		t.effect(t.end)
	}
	if t.exit == "OK" {
		t.lines = append(t.lines, "TASK OK")
	} else {
		t.lines = append(t.lines, "TASK ERROR: "+t.exit)
	}
	for i, a := range s.active {
		if a == t {
			s.active = append(s.active[:i], s.active[i+1:]...)
			break
		}
	}
	// Begin the next task waiting on the same guest.
	for _, a := range s.active {
		if a.guest == t.guest && !a.begun {
			s.beginLocked(a, t.end)
			break
		}
	}
}

// durations are drawn from the seed and the task's PID, so the same
// sequence of requests gives the same timings.
func (s *Sim) jitter(t *task, lo, hi time.Duration) time.Duration {
	r := newRand(s.cfg.Seed, uint64(t.u.PID)<<8|uint64(len(t.action)))
	return lo + time.Duration(r.Int64N(int64(hi-lo)+1)).Truncate(10*time.Millisecond)
}

// beginLocked decides what the worker does, as qemu-server's and
// pve-container's workers would at that point, and when it ends.
func (s *Sim) beginLocked(t *task, at time.Time) {
	t.begun = true
	t.begin = at
	g := t.guest
	tw := g.typeWord()
	fail := func(d time.Duration, msg string) {
		t.end = at.Add(d)
		t.exit = msg
	}
	ok := func(d time.Duration, effect func(time.Time)) {
		t.end = at.Add(d)
		t.effect = effect
	}
	start := func(end time.Time) {
		if !g.running && !g.stoppedAt.IsZero() {
			g.downs = append(g.downs, span{g.stoppedAt, end})
		}
		g.running, g.paused = true, false
		g.startedAt, g.stoppedAt = end, time.Time{}
		g.pid = g.node.nextPID
		g.node.nextPID += 7
		if g.lock == "suspended" {
			g.lock = ""
		}
	}
	stop := func(end time.Time) {
		g.running, g.paused = false, false
		g.stoppedAt = end
		g.pid = 0
	}
	skiplock := parseBool(t.params["skiplock"]) == 1
	lockErr := func() string {
		if g.lock != "" && !skiplock {
			return fmt.Sprintf("%s is locked (%s)", tw, g.lock)
		}
		return ""
	}
	// shutdownTime is how long a clean shutdown takes, or the timeout when
	// the guest ignores ACPI; timedOut reports the latter.
	shutdownTime := func(defTimeout int) (time.Duration, bool) {
		if g.ignoreACPI {
			timeout := defTimeout
			if v, ok := t.params["timeout"]; ok {
				timeout, _ = strconv.Atoi(v)
			}
			return time.Duration(timeout) * time.Second, true
		}
		return s.jitter(t, 2*time.Second, 6*time.Second), false
	}

	if t.fail != "" {
		fail(s.jitter(t, 500*time.Millisecond, 2*time.Second), t.fail)
		return
	}

	switch t.u.Type {
	case "hastart":
		t.lines = append(t.lines, fmt.Sprintf("Requesting HA start for %s %d", tw, g.vmid))
		ok(s.jitter(t, 1*time.Second, 2*time.Second), func(end time.Time) {
			g.hastate = "started"
			if !g.running {
				start(end)
			}
		})
		return
	case "hastop":
		t.lines = append(t.lines, fmt.Sprintf("Requesting HA stop for %s %d", tw, g.vmid))
		ok(s.jitter(t, 1*time.Second, 3*time.Second), func(end time.Time) {
			g.hastate = "stopped"
			if g.running {
				stop(end)
			}
		})
		return
	}

	switch t.action {
	case "start":
		switch {
		case g.template && g.kind == "qemu":
			fail(300*time.Millisecond, "you can't start a vm if it's a template")
		case g.template:
			fail(300*time.Millisecond, "you can't start a CT if it's a template")
		case g.kind == "qemu" && g.lock == "backup" && g.running:
			// qemu-server resumes the guest inside the running backup.
			ok(300*time.Millisecond, func(time.Time) { g.paused = false })
		case g.lock != "" && g.lock != "suspended" && !skiplock:
			fail(300*time.Millisecond, lockErr())
		case g.running:
			fail(300*time.Millisecond, fmt.Sprintf("%s %d already running", tw, g.vmid))
		default:
			ok(s.jitter(t, 1*time.Second, 3*time.Second), start)
		}
	case "stop":
		switch {
		case !g.running:
			ok(200*time.Millisecond, nil)
		case lockErr() != "":
			fail(300*time.Millisecond, lockErr())
		default:
			ok(s.jitter(t, 700*time.Millisecond, 1500*time.Millisecond), stop)
		}
	case "shutdown":
		def := 60 // qemu-server's _do_vm_stop and pve-container's API default
		d, timedOut := shutdownTime(def)
		force := parseBool(t.params["forceStop"]) == 1
		switch {
		case !g.running:
			ok(200*time.Millisecond, nil)
		case lockErr() != "":
			fail(300*time.Millisecond, lockErr())
		case timedOut && force:
			t.lines = append(t.lines, fmt.Sprintf("%s still running - terminating now with SIGTERM", tw))
			ok(d+time.Second, stop)
		case timedOut && g.kind == "lxc":
			fail(d, "container did not stop")
		case timedOut:
			fail(d, "VM quit/powerdown failed - got timeout")
		default:
			ok(d, stop)
		}
	case "reboot":
		d, timedOut := shutdownTime(60)
		restart := func(end time.Time) {
			stop(end.Add(-time.Second))
			start(end)
		}
		switch {
		case !g.running:
			ok(200*time.Millisecond, nil)
		case lockErr() != "" && g.kind == "qemu":
			// pve-container's vm_reboot checks no lock.
			fail(300*time.Millisecond, lockErr())
		case timedOut && g.kind == "qemu":
			fail(d, "VM quit/powerdown failed - got timeout")
		default:
			// pve-container kills a container that does not stop in
			// time, then starts it again.
			ok(d+s.jitter(t, 1*time.Second, 3*time.Second), restart)
		}
	case "reset":
		// A reset keeps the QEMU process: uptime and counters go on.
		if e := lockErr(); e != "" {
			fail(300*time.Millisecond, e)
		} else {
			ok(s.jitter(t, 200*time.Millisecond, 600*time.Millisecond), nil)
		}
	case "suspend":
		todisk := parseBool(t.params["todisk"]) == 1
		// qemu-server's vm_suspend checks the lock unless the VM is
		// being backed up, and then refuses only hibernation.
		backingUp := g.kind == "qemu" && g.lock == "backup"
		switch {
		case backingUp && todisk:
			fail(300*time.Millisecond, "cannot suspend to disk during backup")
		case lockErr() != "" && !backingUp:
			fail(300*time.Millisecond, lockErr())
		case g.kind == "lxc":
			// lxc-checkpoint -s saves the container's state and stops it.
			ok(s.jitter(t, 2*time.Second, 5*time.Second), func(end time.Time) {
				stop(end)
				g.checkpointed = true
			})
		case todisk:
			ok(s.jitter(t, 3*time.Second, 8*time.Second), func(end time.Time) {
				stop(end)
				g.lock = "suspended"
			})
		default:
			ok(s.jitter(t, 300*time.Millisecond, 900*time.Millisecond), func(time.Time) { g.paused = true })
		}
	case "resume":
		switch {
		case g.kind == "lxc" && !g.checkpointed:
			fail(500*time.Millisecond, fmt.Sprintf("command 'lxc-checkpoint -n %d -r --foreground -D /var/lib/vz/dump' failed: exit code 1", g.vmid))
		case g.kind == "lxc":
			ok(s.jitter(t, 2*time.Second, 5*time.Second), func(end time.Time) {
				start(end)
				g.checkpointed = false
			})
		case g.lock == "suspended" && !g.running:
			ok(s.jitter(t, 2*time.Second, 5*time.Second), start)
		case lockErr() != "" && g.lock != "backup":
			// qemu-server's vm_resume: a VM paused during its backup
			// may be resumed.
			fail(300*time.Millisecond, lockErr())
		default:
			ok(s.jitter(t, 300*time.Millisecond, 900*time.Millisecond), func(time.Time) { g.paused = false })
		}
	}
}

// rootOnlyParams are the parameters only root@pam itself may pass, in the
// order the API methods check them: qemu-server's PVE/API2/Qemu.pm
// (vm_start's $get_root_param, vm_stop, vm_reset, vm_shutdown, vm_suspend,
// vm_resume) and pve-container's PVE/API2/LXC/Status.pm (vm_start,
// vm_stop). The check is "$value && $authuser ne 'root@pam'": an API token
// is never root@pam, not even one of root@pam's own.
var rootOnlyParams = map[string]map[string][]string{
	"qemu": {
		"start": {"stateuri", "skiplock", "migratedfrom", "migration_type", "migration_network",
			"targetstorage", "force-cpu", "with-conntrack-state", "nets-host-mtu"},
		"stop":     {"skiplock", "keepActive", "migratedfrom"},
		"reset":    {"skiplock"},
		"shutdown": {"skiplock", "keepActive"},
		"suspend":  {"skiplock"},
		"resume":   {"skiplock", "nocheck"},
	},
	"lxc": {
		"start": {"skiplock"},
		"stop":  {"skiplock"},
	},
}

// rootOnly refuses the first of params the caller passed with a true value
// unless the caller is root@pam (never, for a token), with the API's 400.
func rootOnly(c *call, params []string) error {
	for _, p := range params {
		v, ok := c.params[p]
		if !ok || v == "" || v == "0" || c.user == "root@pam" {
			continue
		}
		return paramError(map[string]string{p: "Only root may use this option."})
	}
	return nil
}

// stateStorage is where a hibernated VM's state goes: statestorage, or
// the storage find_vmstate_storage picks (local-lvm here).
func stateStorage(c *call) string {
	if s := c.params["statestorage"]; s != "" {
		return s
	}
	return "local-lvm"
}

var taskTypes = map[string]map[string]string{
	"qemu": {"start": "qmstart", "stop": "qmstop", "shutdown": "qmshutdown", "reboot": "qmreboot",
		"reset": "qmreset", "suspend": "qmsuspend", "resume": "qmresume"},
	"lxc": {"start": "vzstart", "stop": "vzstop", "shutdown": "vzshutdown", "reboot": "vzreboot",
		"suspend": "vzsuspend", "resume": "vzresume"},
}

// actionHandler returns the handler of POST …/status/{action}. It runs the
// checks the API methods make before forking a worker (they answer with an
// HTTP error), then forks the task and answers its UPID.
func actionHandler(kind, action string) func(*Sim, *call) (any, error) {
	return func(s *Sim, c *call) (any, error) {
		if err := rootOnly(c, rootOnlyParams[kind][action]); err != nil {
			return nil, err
		}
		g, err := s.guestOn(c, kind)
		if err != nil {
			return nil, err
		}
		// The API checks see the state as of now, including the effect of
		// tasks already queued on this guest only once they finished.
		notRunning := errorf(http.StatusInternalServerError, "%s %d not running", g.typeWord(), g.vmid)
		typ := taskTypes[kind][action]
		ha := g.hastate != ""
		switch kind {
		case "qemu":
			switch action {
			case "start":
				if ha {
					typ = "hastart"
				}
			case "stop":
				if ha {
					typ = "hastop"
				}
			case "shutdown":
				if g.running && g.paused && !c.boolParam("forceStop") {
					return nil, errorf(http.StatusInternalServerError, "VM is paused - cannot shutdown")
				}
				if ha {
					typ = "hastop"
				}
			case "reboot":
				if g.running && g.paused {
					return nil, errorf(http.StatusInternalServerError, "VM is paused - cannot shutdown")
				}
				if !g.running {
					return nil, notRunning
				}
			case "reset", "suspend":
				if !g.running {
					return nil, notRunning
				}
				if action == "suspend" && ha && c.boolParam("todisk") {
					return nil, errorf(http.StatusInternalServerError, "Cannot suspend HA managed VM to disk")
				}
				if action == "suspend" && !c.boolParam("todisk") {
					// Pausing keeps the VM in memory: qmpause. Only
					// todisk hibernates (qmsuspend), and it checks
					// the disk and storage privileges first.
					typ = "qmpause"
				}
				if action == "suspend" && c.boolParam("todisk") {
					path := fmt.Sprintf("/vms/%d", g.vmid)
					if !s.hasPrivsLocked(c.tok, path, "VM.Config.Disk") {
						return nil, permError(path, "VM.Config.Disk")
					}
					storage := "/storage/" + stateStorage(c)
					if !s.hasPrivsLocked(c.tok, storage, "Datastore.AllocateSpace") {
						return nil, permError(storage, "Datastore.AllocateSpace")
					}
				}
			case "resume":
				if !g.running && g.lock != "suspended" {
					return nil, notRunning
				}
			}
		case "lxc":
			switch action {
			case "start":
				if g.running {
					return nil, errorf(http.StatusInternalServerError, "CT %d already running", g.vmid)
				}
				if ha {
					typ = "hastart"
				}
			case "stop", "shutdown":
				if !g.running {
					return nil, notRunning
				}
				if ha {
					typ = "hastop"
				}
			case "reboot":
				if !g.running {
					// sic: pve-container says "VM" here.
					return nil, errorf(http.StatusInternalServerError, "VM %d not running", g.vmid)
				}
			case "suspend":
				if !g.running {
					return nil, notRunning
				}
			case "resume":
				// lxc-checkpoint restores a stopped container.
				if g.running {
					return nil, errorf(http.StatusInternalServerError, "CT %d already running", g.vmid)
				}
			}
		}
		overrule := action == "stop" && c.boolParam("overrule-shutdown")
		if overrule && ha {
			return nil, paramError(map[string]string{"overrule-shutdown": "Not applicable for HA resources."})
		}
		var overruled []string
		if overrule {
			overruled = s.abortShutdownsLocked(c, g, c.now)
		}
		t := s.newTaskLocked(c, g, action, typ)
		if len(overruled) > 0 {
			t.lines = append(t.lines, fmt.Sprintf("overruled %s tasks: %s", shutdownType[kind], strings.Join(overruled, ", ")))
		}
		return t.upid, nil
	}
}

var shutdownType = map[string]string{"qemu": "qmshutdown", "lxc": "vzshutdown"}

// abortShutdownsLocked is what a stop with overrule-shutdown does first
// (qemu-server's vm_stop, pve-container's vm_stop): pve-guest-common's
// abort_guest_tasks kills the guest's running shutdown tasks that the
// caller may abort (Sys.Modify on the node, or its own, a token's by the
// token or its user), which end "received interrupt" (the worker's TERM
// handler in PVE::RESTEnvironment). It returns their UPIDs.
func (s *Sim) abortShutdownsLocked(c *call, g *guest, now time.Time) []string {
	canAll := s.hasPrivsLocked(c.tok, "/nodes/"+g.node.name, "Sys.Modify")
	var out []string
	for _, a := range append([]*task(nil), s.active...) {
		if a.guest != g || !a.begun || a.u.Type != shutdownType[g.kind] {
			continue
		}
		if !canAll && !taskUserMatches(a.u.User, c.user) {
			continue
		}
		a.end, a.exit, a.effect = now, "received interrupt", nil
		s.finishLocked(a)
		out = append(out, a.upid)
	}
	return out
}

func (s *Sim) newTaskLocked(c *call, g *guest, action, typ string) *task {
	n := g.node
	pid := n.nextPID
	n.nextPID += 3 + int(mix(uint64(pid), uint64(s.cfg.Seed))%97)
	u := n.taskID(c.now, pid, typ, strconv.Itoa(g.vmid), c.user)
	t := &task{u: u, upid: u.String(), node: n, guest: g, action: action, params: c.params}
	k := failKey{g.vmid, action}
	if msg, ok := s.taskFail[k]; ok {
		t.fail = msg
		delete(s.taskFail, k)
	}
	busy := false
	for _, a := range s.active {
		if a.guest == g {
			busy = true
		}
	}
	s.tasks = append(s.tasks, t)
	s.active = append(s.active, t)
	s.taskByUPID[t.upid] = t
	if !busy {
		s.beginLocked(t, c.now)
	}
	return t
}

// taskUserFields splits a token owner into user and tokenid, as
// PVE::API2::Tasks does for its answers.
func taskUserFields(owner string, m map[string]any) {
	if user, tok, ok := strings.Cut(owner, "!"); ok {
		m["user"], m["tokenid"] = user, tok
		return
	}
	m["user"] = owner
}

// canSeeTask is PVE::API2::Tasks' check_task_user plus the Sys.Audit
// fallback.
func (s *Sim) canSeeTask(c *call, t *task) bool {
	if t.u.User == c.user {
		return true
	}
	return s.hasPrivsLocked(c.tok, "/nodes/"+c.node.name, "Sys.Audit")
}

func (s *Sim) lookupTask(c *call) (*task, error) {
	t := s.taskByUPID[c.params["upid"]]
	if t == nil || t.node != c.node {
		return nil, paramError(map[string]string{"upid": "no such task"})
	}
	if !s.canSeeTask(c, t) {
		return nil, permError("/nodes/"+c.node.name, "Sys.Audit")
	}
	return t, nil
}

func (s *Sim) getTaskStatus(c *call) (any, error) {
	t, err := s.lookupTask(c)
	if err != nil {
		return nil, err
	}
	m := map[string]any{
		"upid": t.upid, "node": t.u.Node, "pid": t.u.PID, "pstart": t.u.PStart, "starttime": t.u.StartTime.Unix(),
		"type": t.u.Type, "id": t.u.ID, "status": "running",
	}
	taskUserFields(t.u.User, m)
	if t.done {
		m["status"] = "stopped"
		m["exitstatus"] = t.exit
	}
	return m, nil
}

// getTaskLog is PVE/API2/Tasks.pm's read_task_log: any well-formed UPID
// is looked up (a malformed one is a 400); one whose log is not on this
// node reads as PVE::Tools::dump_logfile's "unable to open file" line. The
// lines are numbered from 1; limit 0 means every line; "total" counts them
// all, and an empty log is one "no content" line.
func (s *Sim) getTaskLog(c *call) (any, error) {
	u, err := upid.Parse(c.params["upid"])
	if err != nil {
		return nil, paramError(map[string]string{"upid": "unable to parse worker upid"})
	}
	if !taskUserMatches(u.User, c.user) && !s.hasPrivsLocked(c.tok, "/nodes/"+c.node.name, "Sys.Audit") {
		return nil, permError("/nodes/"+c.node.name, "Sys.Audit")
	}
	if c.boolParam("download") {
		if c.has("start") || c.has("limit") {
			return nil, errorf(http.StatusInternalServerError, "'download' cannot be used together with 'start' or 'limit' parameters")
		}
		return nil, errorf(http.StatusNotImplemented, "pvesim: task log download is not simulated")
	}
	var lines []string
	if t := s.taskByUPID[c.params["upid"]]; t != nil && t.node == c.node {
		lines = t.lines
		if len(lines) == 0 {
			lines = []string{"no content"}
		}
	} else {
		lines = []string{"unable to open file - No such file or directory"}
	}
	start, limit := c.intParam("start", 0), c.intParam("limit", 50)
	out := make([]map[string]any, 0)
	for i := start; i < len(lines) && (limit == 0 || len(out) < limit); i++ {
		out = append(out, map[string]any{"n": i + 1, "t": lines[i]})
	}
	return withTotal{data: out, total: len(lines)}, nil
}

// taskUserMatches is Tasks.pm's check_task_user: a token's task is seen by
// that token and by its user; a user's task by that user only.
func taskUserMatches(owner, caller string) bool {
	if user, _, ok := strings.Cut(owner, "!"); ok {
		return caller == owner || caller == user
	}
	return caller == owner
}

// taskStatusType is PVE::UPID::normalize_status_type.
func taskStatusType(status string) string {
	switch {
	case status == "":
		return "unknown"
	case status == "OK":
		return "ok"
	case warningsRE.MatchString(status):
		return "warning"
	case status == "unexpected status":
		return "unknown"
	}
	return "error"
}

var warningsRE = regexp.MustCompile(`^WARNINGS: \d+$`)

func (s *Sim) getTasks(c *call) (any, error) {
	source := c.params["source"]
	if source == "" {
		source = "archive"
	}
	start, limit := c.intParam("start", 0), c.intParam("limit", 50)
	// Tasks.pm's node_tasks: statusfilter lists the status types wanted,
	// unless errors is set, which drops only "ok" (a running task has no
	// status yet: "unknown").
	statusOK := map[string]bool{"ok": true, "warning": true, "error": true, "unknown": true}
	if errs := c.boolParam("errors"); c.has("statusfilter") && !errs {
		statusOK = map[string]bool{}
		for _, f := range strings.FieldsFunc(c.params["statusfilter"], func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\x00' }) {
			statusOK[strings.ToLower(f)] = true
		}
	} else if errs {
		statusOK["ok"] = false
	}
	auditor := s.hasPrivsLocked(c.tok, "/nodes/"+c.node.name, "Sys.Audit")
	var vmid string
	if c.has("vmid") {
		vmid = c.params["vmid"]
	}
	// Newest first, like the task index.
	list := make([]*task, 0)
	for i := len(s.tasks) - 1; i >= 0; i-- {
		t := s.tasks[i]
		if t.node != c.node {
			continue
		}
		if (source == "archive" && !t.done) || (source == "active" && t.done) {
			continue
		}
		// An archived task's owner is split into user and tokenid
		// before the filters see it; a running one (read from the
		// active file) keeps the token.
		owner := t.u.User
		if t.done {
			owner, _, _ = strings.Cut(owner, "!")
		}
		if uf := c.params["userfilter"]; uf != "" && !strings.Contains(strings.ToLower(owner), strings.ToLower(uf)) {
			continue
		}
		if !auditor && !taskUserMatches(t.u.User, c.user) {
			continue
		}
		if tf := c.params["typefilter"]; tf != "" && t.u.Type != tf {
			continue
		}
		if vmid != "" && t.u.ID != vmid {
			continue
		}
		if c.has("since") && t.u.StartTime.Unix() < int64(c.intParam("since", 0)) {
			continue
		}
		if c.has("until") && t.u.StartTime.Unix() > int64(c.intParam("until", 0)) {
			continue
		}
		status := ""
		if t.done {
			status = t.exit
		}
		if !statusOK[taskStatusType(status)] {
			continue
		}
		list = append(list, t)
	}
	// Running tasks first, then by start time, newest first.
	sort.SliceStable(list, func(i, j int) bool {
		if list[i].done != list[j].done {
			return !list[i].done
		}
		return list[i].u.StartTime.Unix() > list[j].u.StartTime.Unix()
	})
	// "total" counts every task the filters let through; start skips
	// the first ones and limit (0: none) bounds what is returned.
	out := make([]map[string]any, 0)
	for i := start; i < len(list) && len(out) < limit; i++ {
		t := list[i]
		m := map[string]any{
			"upid": t.upid, "node": t.u.Node, "pid": t.u.PID, "pstart": t.u.PStart, "starttime": t.u.StartTime.Unix(),
			"type": t.u.Type, "id": t.u.ID,
		}
		if t.done {
			taskUserFields(t.u.User, m)
			m["status"] = t.exit
			m["endtime"] = t.end.Unix()
		} else {
			m["user"] = t.u.User // the active file's entries are not split
			m["status"] = "RUNNING"
		}
		out = append(out, m)
	}
	return withTotal{data: out, total: len(list)}, nil
}
