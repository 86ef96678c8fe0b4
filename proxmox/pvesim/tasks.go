package pvesim

import (
	"fmt"
	"net/http"
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
		case lockErr() != "":
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
		switch {
		case lockErr() != "":
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
		case lockErr() != "":
			fail(300*time.Millisecond, lockErr())
		default:
			ok(s.jitter(t, 300*time.Millisecond, 900*time.Millisecond), func(time.Time) { g.paused = false })
		}
	}
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
		g, err := s.guestOn(c, kind)
		if err != nil {
			return nil, err
		}
		if v, ok := c.params["skiplock"]; ok && parseBool(v) == 1 && !strings.HasPrefix(c.user, "root@pam") {
			return nil, paramError(map[string]string{"skiplock": "Only root may use this option."})
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
		t := s.newTaskLocked(c, g, action, typ)
		return t.upid, nil
	}
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

func (s *Sim) getTaskLog(c *call) (any, error) {
	t, err := s.lookupTask(c)
	if err != nil {
		return nil, err
	}
	if c.boolParam("download") {
		return nil, errorf(http.StatusNotImplemented, "pvesim: task log download is not simulated")
	}
	start, limit := c.intParam("start", 0), c.intParam("limit", 50)
	lines := t.lines
	if len(lines) == 0 {
		lines = []string{"no content"}
	}
	out := make([]map[string]any, 0, limit)
	for i := start; i < len(lines) && len(out) < limit; i++ {
		out = append(out, map[string]any{"n": i + 1, "t": lines[i]})
	}
	return out, nil
}

func (s *Sim) getTasks(c *call) (any, error) {
	source := c.params["source"]
	if source == "" {
		source = "archive"
	}
	start, limit := c.intParam("start", 0), c.intParam("limit", 50)
	errorsOnly := c.boolParam("errors")
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
		if !auditor && t.u.User != c.user {
			continue
		}
		if uf := c.params["userfilter"]; uf != "" && !strings.Contains(strings.ToLower(t.u.User), strings.ToLower(uf)) {
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
		if errorsOnly && (!t.done || t.exit == "OK") {
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
	out := make([]map[string]any, 0)
	for i := start; i < len(list) && len(out) < limit; i++ {
		t := list[i]
		m := map[string]any{
			"upid": t.upid, "node": t.u.Node, "pid": t.u.PID, "pstart": t.u.PStart, "starttime": t.u.StartTime.Unix(),
			"type": t.u.Type, "id": t.u.ID,
		}
		taskUserFields(t.u.User, m)
		if t.done {
			m["status"] = t.exit
			m["endtime"] = t.end.Unix()
		} else {
			m["status"] = "RUNNING"
		}
		out = append(out, m)
	}
	return out, nil
}
