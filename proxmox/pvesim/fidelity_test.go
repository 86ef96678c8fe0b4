package pvesim

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// actionTask posts a power action and returns the task's UPID, failing the
// test on any other answer.
func actionTask(t *testing.T, srv *Server, tok Token, g Guest, action string, params url.Values) string {
	t.Helper()
	r := request(t, srv, tok, http.MethodPost, fmt.Sprintf("/nodes/%s/%s/%d/status/%s", g.Node, g.Type, g.VMID, action), params)
	if r.status != http.StatusOK {
		t.Fatalf("POST %s on %d: %d %s %v", action, g.VMID, r.status, r.reason, r.errors)
	}
	var upid string
	if err := json.Unmarshal(r.data, &upid); err != nil {
		t.Fatal(err)
	}
	return upid
}

// finishedTask moves the clock past any task's end and returns the task's
// type and exit status.
func finishedTask(t *testing.T, srv *Server, clk *fakeClock, tok Token, node, upid string) (typ, exit string) {
	t.Helper()
	clk.Advance(10 * time.Minute)
	var st struct {
		Status     string `json:"status"`
		ExitStatus string `json:"exitstatus"`
		Type       string `json:"type"`
	}
	get(t, srv, tok, "/nodes/"+node+"/tasks/"+url.PathEscape(upid)+"/status", nil, &st)
	if st.Status != "stopped" {
		t.Fatalf("task %s still %s after 10 min", upid, st.Status)
	}
	return st.Type, st.ExitStatus
}

func guestByVMID(t *testing.T, srv *Server, vmid int) Guest {
	t.Helper()
	for _, g := range srv.Guests() {
		if g.VMID == vmid {
			return g
		}
	}
	t.Fatalf("no guest %d", vmid)
	return Guest{}
}

// TestRootOnlyParams: the parameters qemu-server (PVE/API2/Qemu.pm) and
// pve-container (PVE/API2/LXC/Status.pm) keep for root@pam are refused to
// every API token, root@pam's own included ("$authuser ne 'root@pam'"),
// with the API's 400 naming the parameter.
func TestRootOnlyParams(t *testing.T) {
	srv := NewTestServer(t, Config{Now: newFakeClock().Now})
	admin := srv.AdminToken() // root@pam!cecyber: a token of root@pam, not root@pam
	qemu, lxc := guestByVMID(t, srv, plainVMID), Guest{}
	for _, g := range srv.Guests() {
		if g.Type == "lxc" && g.Status == "running" {
			lxc = g
			break
		}
	}
	cases := []struct {
		g      Guest
		action string
		param  string
	}{
		{qemu, "start", "skiplock"}, {qemu, "start", "migratedfrom"}, {qemu, "start", "stateuri"},
		{qemu, "start", "migration_type"}, {qemu, "start", "targetstorage"},
		{qemu, "stop", "skiplock"}, {qemu, "stop", "keepActive"}, {qemu, "stop", "migratedfrom"},
		{qemu, "shutdown", "skiplock"}, {qemu, "shutdown", "keepActive"},
		{qemu, "reset", "skiplock"}, {qemu, "suspend", "skiplock"},
		{qemu, "resume", "skiplock"}, {qemu, "resume", "nocheck"},
		{lxc, "start", "skiplock"}, {lxc, "stop", "skiplock"},
	}
	for _, tc := range cases {
		t.Run(tc.g.Type+"/"+tc.action+"/"+tc.param, func(t *testing.T) {
			v := "1"
			switch tc.param {
			case "migratedfrom":
				v = "pve2"
			case "stateuri":
				v = "tcp"
			case "migration_type":
				v = "secure"
			case "targetstorage":
				v = "local-lvm"
			}
			path := fmt.Sprintf("/nodes/%s/%s/%d/status/%s", tc.g.Node, tc.g.Type, tc.g.VMID, tc.action)
			r := request(t, srv, admin, http.MethodPost, path, url.Values{tc.param: {v}})
			if r.status != http.StatusBadRequest || r.errors[tc.param] != "Only root may use this option." {
				t.Errorf("POST %s %s=%s as %s: %d %q %v; want 400 with %s: Only root may use this option.",
					path, tc.param, v, admin.ID, r.status, r.reason, r.errors, tc.param)
			}
		})
	}
	// A false value is no use of the option.
	path := fmt.Sprintf("/nodes/%s/qemu/%d/status/reset", qemu.Node, qemu.VMID)
	if r := request(t, srv, admin, http.MethodPost, path, url.Values{"skiplock": {"0"}}); r.status != http.StatusOK {
		t.Errorf("reset with skiplock=0: %d %s; want 200", r.status, r.reason)
	}
}

// TestPauseIsQmpause: qemu-server's vm_suspend forks "qmpause" to pause
// and "qmsuspend" only to hibernate (todisk), which also needs
// VM.Config.Disk on the VM and Datastore.AllocateSpace on the state
// storage; a VM being backed up (lock backup) may be paused and resumed
// (RunState.pm's vm_suspend and vm_resume skip the lock check then), but
// not hibernated.
func TestPauseIsQmpause(t *testing.T) {
	clk := newFakeClock()
	srv := NewTestServer(t, Config{Now: clk.Now})
	admin := srv.AdminToken()
	g := guestByVMID(t, srv, plainVMID)

	upid := actionTask(t, srv, admin, g, "suspend", nil)
	if typ, exit := finishedTask(t, srv, clk, admin, g.Node, upid); typ != "qmpause" || exit != "OK" {
		t.Errorf("pause: task %s %q; want qmpause OK", typ, exit)
	}
	upid = actionTask(t, srv, admin, g, "resume", nil)
	if typ, exit := finishedTask(t, srv, clk, admin, g.Node, upid); typ != "qmresume" || exit != "OK" {
		t.Errorf("resume: task %s %q; want qmresume OK", typ, exit)
	}

	// Hibernating needs more than VM.PowerMgmt.
	power := Token{ID: "power@pve!only", Secret: "s3cret-power", ACL: []ACL{{Path: "/vms", Privs: []string{"VM.Audit", "VM.PowerMgmt"}}}}
	srv.AddToken(power)
	path := fmt.Sprintf("/nodes/%s/qemu/%d/status/suspend", g.Node, g.VMID)
	if r := request(t, srv, power, http.MethodPost, path, url.Values{"todisk": {"1"}}); r.status != http.StatusForbidden ||
		r.reason != fmt.Sprintf("Permission check failed (/vms/%d, VM.Config.Disk)", g.VMID) {
		t.Errorf("hibernate with VM.PowerMgmt only: %d %q; want 403 naming VM.Config.Disk", r.status, r.reason)
	}
	disk := Token{ID: "disk@pve!nostore", Secret: "s3cret-disk", ACL: []ACL{{Path: "/vms", Privs: []string{"VM.Audit", "VM.PowerMgmt", "VM.Config.Disk"}}}}
	srv.AddToken(disk)
	if r := request(t, srv, disk, http.MethodPost, path, url.Values{"todisk": {"1"}}); r.status != http.StatusForbidden ||
		r.reason != "Permission check failed (/storage/local-lvm, Datastore.AllocateSpace)" {
		t.Errorf("hibernate without Datastore.AllocateSpace: %d %q; want 403 naming it", r.status, r.reason)
	}
	upid = actionTask(t, srv, admin, g, "suspend", url.Values{"todisk": {"1"}})
	if typ, exit := finishedTask(t, srv, clk, admin, g.Node, upid); typ != "qmsuspend" || exit != "OK" {
		t.Errorf("hibernate: task %s %q; want qmsuspend OK", typ, exit)
	}

	// Under a backup's lock.
	b := guestByVMID(t, srv, lockedVMID)
	if b.Lock != "backup" || b.Status != "running" {
		t.Fatalf("guest %d is %s with lock %q; want running with lock backup", b.VMID, b.Status, b.Lock)
	}
	upid = actionTask(t, srv, admin, b, "suspend", nil)
	if typ, exit := finishedTask(t, srv, clk, admin, b.Node, upid); typ != "qmpause" || exit != "OK" {
		t.Errorf("pause during backup: task %s %q; want qmpause OK", typ, exit)
	}
	upid = actionTask(t, srv, admin, b, "resume", nil)
	if _, exit := finishedTask(t, srv, clk, admin, b.Node, upid); exit != "OK" {
		t.Errorf("resume during backup: %q; want OK", exit)
	}
	upid = actionTask(t, srv, admin, b, "suspend", url.Values{"todisk": {"1"}})
	if _, exit := finishedTask(t, srv, clk, admin, b.Node, upid); !strings.Contains(exit, "cannot suspend to disk during backup") {
		t.Errorf("hibernate during backup: %q; want cannot suspend to disk during backup", exit)
	}
}

// TestLXCRebootIgnoresLocks: pve-container's vm_reboot (LXC/Status.pm)
// checks no lock, unlike its start, stop, shutdown and suspend; a qemu
// reboot of a locked VM fails.
func TestLXCRebootIgnoresLocks(t *testing.T) {
	clk := newFakeClock()
	srv := NewTestServer(t, Config{Now: clk.Now})
	admin := srv.AdminToken()
	var ct Guest
	for _, g := range srv.Guests() {
		if g.Type == "lxc" && g.Status == "running" && g.HAState == "" {
			ct = g
			break
		}
	}
	srv.SetGuestLock(ct.VMID, "snapshot")
	upid := actionTask(t, srv, admin, ct, "reboot", nil)
	if typ, exit := finishedTask(t, srv, clk, admin, ct.Node, upid); typ != "vzreboot" || exit != "OK" {
		t.Errorf("reboot of a locked container: task %s %q; want vzreboot OK", typ, exit)
	}
	vm := guestByVMID(t, srv, plainVMID)
	srv.SetGuestLock(vm.VMID, "snapshot")
	upid = actionTask(t, srv, admin, vm, "reboot", nil)
	if _, exit := finishedTask(t, srv, clk, admin, vm.Node, upid); !strings.Contains(exit, "locked (snapshot)") {
		t.Errorf("reboot of a locked VM: %q; want the lock error", exit)
	}
}

// envelope is an API answer with its result attributes.
type envelope struct {
	Data  json.RawMessage `json:"data"`
	Total *int            `json:"total"`
}

func getEnvelope(t *testing.T, srv *Server, tok Token, path string, params url.Values) envelope {
	t.Helper()
	r := request(t, srv, tok, http.MethodGet, path, params)
	if r.status != http.StatusOK {
		t.Fatalf("GET %s %v: %d %s %v", path, params, r.status, r.reason, r.errors)
	}
	var env envelope
	if err := json.Unmarshal(r.body, &env); err != nil {
		t.Fatal(err)
	}
	return env
}

type logLine struct {
	N int    `json:"n"`
	T string `json:"t"`
}

// TestTaskLog follows PVE/API2/Tasks.pm's read_task_log and
// PVE::Tools::dump_logfile: limit 0 is the whole log, "total" counts every
// line, an unknown but well-formed UPID reads as a log that cannot be
// opened, and a malformed one is refused as PVE::UPID::decode refuses it.
func TestTaskLog(t *testing.T) {
	clk := newFakeClock()
	srv := NewTestServer(t, Config{Now: clk.Now})
	admin := srv.AdminToken()
	g := guestByVMID(t, srv, plainVMID)
	srv.SetGuestIgnoresACPI(g.VMID, true)
	upid := actionTask(t, srv, admin, g, "shutdown", url.Values{"forceStop": {"1"}, "timeout": {"5"}})
	finishedTask(t, srv, clk, admin, g.Node, upid)
	logPath := "/nodes/" + g.Node + "/tasks/" + url.PathEscape(upid) + "/log"

	var all []logLine
	env := getEnvelope(t, srv, admin, logPath, url.Values{"limit": {"0"}})
	if err := json.Unmarshal(env.Data, &all); err != nil {
		t.Fatal(err)
	}
	if len(all) < 2 || env.Total == nil || *env.Total != len(all) || all[0].N != 1 || all[len(all)-1].N != len(all) {
		t.Fatalf("log with limit=0: %d lines %+v, total %v; want every line numbered from 1 and total = their count", len(all), all, env.Total)
	}
	var first []logLine
	env = getEnvelope(t, srv, admin, logPath, url.Values{"limit": {"1"}, "start": {"1"}})
	if err := json.Unmarshal(env.Data, &first); err != nil {
		t.Fatal(err)
	}
	if len(first) != 1 || first[0] != all[1] || *env.Total != len(all) {
		t.Errorf("log start=1 limit=1: %+v total %v; want [%+v] and total %d", first, env.Total, all[1], len(all))
	}

	unknown := "UPID:" + g.Node + ":00001234:00005678:5F000000:qmstart:101:root@pam!cecyber:"
	var lines []logLine
	env = getEnvelope(t, srv, admin, "/nodes/"+g.Node+"/tasks/"+url.PathEscape(unknown)+"/log", nil)
	if err := json.Unmarshal(env.Data, &lines); err != nil {
		t.Fatal(err)
	}
	if len(lines) != 1 || lines[0].T != "unable to open file - No such file or directory" || *env.Total != 1 {
		t.Errorf("log of an unknown UPID: %+v total %v; want the one line dump_logfile gives", lines, env.Total)
	}
	for _, bad := range []string{"UPID:pve1:1234:5678:5F000000:qmstart:101:root@pam:", "not-a-upid"} {
		r := request(t, srv, admin, http.MethodGet, "/nodes/"+g.Node+"/tasks/"+url.PathEscape(bad)+"/log", nil)
		if r.status != http.StatusBadRequest || !strings.HasPrefix(r.errors["upid"], "unable to parse worker upid") {
			t.Errorf("log of %q: %d %v; want 400 upid: unable to parse worker upid", bad, r.status, r.errors)
		}
	}
}

// TestTaskListFilters follows Tasks.pm's node_tasks: statusfilter picks
// status types (PVE::UPID::normalize_status_type), errors drops only "ok"
// (a running task is "unknown"), userfilter sees an archived task's user
// without its token part but a running task's whole owner, "total" counts
// every match, and limit 0 returns none of them.
func TestTaskListFilters(t *testing.T) {
	clk := newFakeClock()
	srv := NewTestServer(t, Config{Now: clk.Now})
	admin := srv.AdminToken()
	vm := guestByVMID(t, srv, stoppedVMID)
	node := vm.Node
	okUPID := actionTask(t, srv, admin, vm, "start", nil)
	finishedTask(t, srv, clk, admin, node, okUPID)
	srv.SetTaskFailure(vm.VMID, "reset", "simulated failure")
	failUPID := actionTask(t, srv, admin, vm, "reset", nil)
	finishedTask(t, srv, clk, admin, node, failUPID)
	runUPID := actionTask(t, srv, admin, vm, "shutdown", nil) // still running: the clock stands

	list := func(params url.Values) (map[string]string, int) {
		t.Helper()
		params.Set("source", "all")
		params.Set("vmid", fmt.Sprint(vm.VMID))
		env := getEnvelope(t, srv, admin, "/nodes/"+node+"/tasks", params)
		var tasks []struct {
			UPID   string `json:"upid"`
			Status string `json:"status"`
			User   string `json:"user"`
		}
		if err := json.Unmarshal(env.Data, &tasks); err != nil {
			t.Fatal(err)
		}
		if env.Total == nil {
			t.Fatalf("task list %v has no total", params)
		}
		got := map[string]string{}
		for _, tk := range tasks {
			got[tk.UPID] = tk.Status + " " + tk.User
		}
		return got, *env.Total
	}
	has := func(got map[string]string, upids ...string) bool {
		if len(got) != len(upids) {
			return false
		}
		for _, u := range upids {
			if _, ok := got[u]; !ok {
				return false
			}
		}
		return true
	}
	if got, total := list(url.Values{}); !has(got, okUPID, failUPID, runUPID) || total != 3 {
		t.Errorf("all: %v total %d; want the three tasks", got, total)
	}
	if got, total := list(url.Values{"errors": {"1"}}); !has(got, failUPID, runUPID) || total != 2 {
		t.Errorf("errors=1: %v total %d; want the failed and the running task", got, total)
	}
	if got, _ := list(url.Values{"statusfilter": {"ok"}}); !has(got, okUPID) {
		t.Errorf("statusfilter=ok: %v; want the OK task", got)
	}
	if got, _ := list(url.Values{"statusfilter": {"error,ok"}}); !has(got, okUPID, failUPID) {
		t.Errorf("statusfilter=error,ok: %v; want the OK and the failed task", got)
	}
	if got, _ := list(url.Values{"statusfilter": {"ok"}, "errors": {"1"}}); !has(got, failUPID, runUPID) {
		t.Errorf("statusfilter=ok with errors=1: %v; want errors to win", got)
	}
	if got, _ := list(url.Values{"userfilter": {"cecyber"}}); !has(got, runUPID) {
		t.Errorf("userfilter=cecyber (the token's name): %v; want only the running task", got)
	}
	if got, _ := list(url.Values{"userfilter": {"ROOT@pam"}}); !has(got, okUPID, failUPID, runUPID) {
		t.Errorf("userfilter=ROOT@pam: %v; want all three, case-insensitively", got)
	}
	if got, total := list(url.Values{"limit": {"0"}}); len(got) != 0 || total != 3 {
		t.Errorf("limit=0: %v total %d; want none, total 3", got, total)
	}
	if got, total := list(url.Values{"limit": {"1"}, "start": {"1"}}); len(got) != 1 || total != 3 {
		t.Errorf("start=1 limit=1: %v total %d; want one, total 3", got, total)
	}
	got, _ := list(url.Values{})
	if !strings.HasSuffix(got[runUPID], " root@pam!cecyber") || !strings.HasSuffix(got[okUPID], " root@pam") {
		t.Errorf("owners %v; want the running task's whole token, the archived one's user", got)
	}
}

// TestClusterResourcesAsPVE91: a paused VM is "paused" (pvestatd reports
// the QMP status), every guest carries memhost (0 for containers:
// extract_vm_stats with the pve-vm-9.0 RRD), nodes carry the HA manager's
// state, and each row's keys come in string order, as Proxmox's canonical
// JSON writes them.
func TestClusterResourcesAsPVE91(t *testing.T) {
	clk := newFakeClock()
	srv := NewTestServer(t, Config{Now: clk.Now})
	admin := srv.AdminToken()
	g := guestByVMID(t, srv, plainVMID)
	finishedTask(t, srv, clk, admin, g.Node, actionTask(t, srv, admin, g, "suspend", nil))

	r := request(t, srv, admin, http.MethodGet, "/cluster/resources", nil)
	var rows []json.RawMessage
	if err := json.Unmarshal(r.data, &rows); err != nil {
		t.Fatal(err)
	}
	for _, raw := range rows {
		var m map[string]any
		json.Unmarshal(raw, &m)
		keys := jsonKeys(t, raw)
		for i := 1; i < len(keys); i++ {
			if keys[i-1] > keys[i] {
				t.Errorf("%v: keys %v are not in string order", m["id"], keys)
				break
			}
		}
		switch m["type"] {
		case "qemu", "lxc":
			if _, ok := m["memhost"]; !ok {
				t.Errorf("%v has no memhost", m["id"])
			}
			if m["vmid"] == float64(plainVMID) && m["status"] != "paused" {
				t.Errorf("paused VM %d has status %v; want paused", plainVMID, m["status"])
			}
		case "node":
			if m["hastate"] != "online" {
				t.Errorf("node %v hastate %v; want online (the cluster has HA guests)", m["node"], m["hastate"])
			}
		case "sdn":
			t.Errorf("an sdn row %v: PVE 9.1 nodes report network rows instead", m["id"])
		}
	}
}

// jsonKeys lists an object's keys in the order they were written.
func jsonKeys(t *testing.T, raw json.RawMessage) []string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// TestGuestStatusFields: qemu-server's vmstatus reads disk counters, the
// QMP status and the running machine only with full (the VM list without
// full=1 lacks them; status/current has them), and pve-container's
// vmstatus always reports swap and, for a running container, all six
// pressures as strings.
func TestGuestStatusFields(t *testing.T) {
	srv := NewTestServer(t, Config{Now: newFakeClock().Now})
	admin := srv.AdminToken()
	vm := guestByVMID(t, srv, plainVMID)
	list := func(kind string, params url.Values) map[int]map[string]any {
		var rows []map[string]any
		get(t, srv, admin, "/nodes/"+vm.Node+"/"+kind, params, &rows)
		out := map[int]map[string]any{}
		for _, r := range rows {
			out[int(r["vmid"].(float64))] = r
		}
		return out
	}
	fullOnly := []string{"diskread", "diskwrite", "qmpstatus", "running-machine", "running-qemu"}
	plain := list("qemu", nil)[vm.VMID]
	full := list("qemu", url.Values{"full": {"1"}})[vm.VMID]
	for _, k := range fullOnly {
		if _, ok := plain[k]; ok {
			t.Errorf("the VM list without full=1 has %s", k)
		}
		if _, ok := full[k]; !ok {
			t.Errorf("the VM list with full=1 lacks %s", k)
		}
	}
	for _, k := range []string{"pressurecpusome", "pressurecpufull", "memhost"} {
		if _, ok := plain[k]; !ok {
			t.Errorf("a running VM in the list lacks %s", k)
		}
	}

	var ct Guest
	for _, g := range srv.Guests() {
		if g.Type == "lxc" && g.Status == "running" && g.Node == vm.Node {
			ct = g
			break
		}
	}
	var st map[string]any
	get(t, srv, admin, fmt.Sprintf("/nodes/%s/lxc/%d/status/current", ct.Node, ct.VMID), nil, &st)
	if _, ok := st["swap"]; !ok {
		t.Error("LXC status/current has no swap")
	}
	for _, k := range []string{"pressurecpusome", "pressurecpufull", "pressureiosome", "pressureiofull", "pressurememorysome", "pressurememoryfull"} {
		if _, ok := st[k].(string); !ok {
			t.Errorf("LXC status/current %s = %#v; want the string pve-container read", k, st[k])
		}
	}
	for id, r := range list("lxc", nil) {
		if _, ok := r["swap"]; !ok {
			t.Errorf("container %d in the list has no swap", id)
		}
	}
}

// TestGuestRRD: pvestatd's pve-vm-9.0 rows carry all six pressure figures
// while the guest runs and only its static sizes while it is down (the
// others are undef, which the API leaves out); rows sit on the epoch grid
// of their step, the decade's (one week) included.
func TestGuestRRD(t *testing.T) {
	clk := newFakeClock()
	srv := NewTestServer(t, Config{Now: clk.Now})
	admin := srv.AdminToken()
	for _, g := range []Guest{guestByVMID(t, srv, plainVMID), guestByVMID(t, srv, stoppedVMID)} {
		var rows []map[string]any
		get(t, srv, admin, fmt.Sprintf("/nodes/%s/qemu/%d/rrddata", g.Node, g.VMID), url.Values{"timeframe": {"hour"}}, &rows)
		last := rows[len(rows)-2] // the last complete minute
		switch g.Status {
		case "running":
			for _, k := range []string{"cpu", "mem", "memhost", "netin", "diskread", "pressurecpusome", "pressurecpufull", "pressureiosome", "pressureiofull", "pressurememorysome", "pressurememoryfull"} {
				if _, ok := last[k]; !ok {
					t.Errorf("running VM %d: rrd row lacks %s: %v", g.VMID, k, last)
				}
			}
		case "stopped":
			for _, k := range []string{"cpu", "mem", "memhost", "netin", "netout", "diskread", "diskwrite", "pressurecpusome"} {
				if _, ok := last[k]; ok {
					t.Errorf("stopped VM %d: rrd row has %s: %v", g.VMID, k, last)
				}
			}
			for _, k := range []string{"maxcpu", "maxmem", "maxdisk"} {
				if _, ok := last[k]; !ok {
					t.Errorf("stopped VM %d: rrd row lacks %s", g.VMID, k)
				}
			}
		}
	}
	// Only a node's rrddata has a decade in PVE 9.1.
	for frame, step := range map[string]int64{"hour": 60, "week": 1800, "year": 21600, "decade": 604800} {
		var rows []map[string]any
		get(t, srv, admin, "/nodes/pve1/rrddata", url.Values{"timeframe": {frame}}, &rows)
		for _, r := range rows {
			if ts := int64(r["time"].(float64)); ts%step != 0 {
				t.Errorf("%s row at %d is off the %d s epoch grid", frame, ts, step)
				break
			}
		}
	}
}

// TestVNCTicketPortBinding: from qemu-server 9.1.7 a console ticket is
// bound to its port as well as to the user and /vms/{vmid}; before, to the
// user and the path only (PVE::AccessControl::verify_vnc_ticket), so the
// API method accepts it with any port and only the worker's port answers.
func TestVNCTicketPortBinding(t *testing.T) {
	for _, legacy := range []bool{false, true} {
		srv := NewTestServer(t, Config{LegacyVNC: legacy})
		admin := srv.AdminToken()
		g := guestByVMID(t, srv, plainVMID)
		a := vncProxy(t, srv, admin, "qemu", g.Node, g.VMID, url.Values{"websocket": {"1"}})
		if legacy && strings.Contains(a.Ticket, ":PVEVNC:") {
			t.Errorf("legacy ticket %.20q carries a password prefix", a.Ticket)
		}
		port, _ := strconv.Atoi(a.Port)
		path := fmt.Sprintf("/nodes/%s/qemu/%d/vncwebsocket", g.Node, g.VMID)
		r := request(t, srv, admin, http.MethodGet, path, url.Values{"port": {strconv.Itoa(port + 1)}, "vncticket": {a.Ticket}})
		switch {
		case legacy && r.status != http.StatusOK:
			t.Errorf("legacy: ticket with another port: %d %s; want it verified (it names no port)", r.status, r.reason)
		case !legacy && r.status != http.StatusUnauthorized:
			t.Errorf("9.1.7: ticket with another port: %d %s; want 401", r.status, r.reason)
		}
	}
}

// TestLXCConsoleIsVncterm: an LXC console is vncterm (pve-container's
// vncproxy): it takes several clients on one terminal, waits 20 s for the
// first, and is 744×400 unless vncproxy gets width and height. Without
// websocket=1 the stream is not plain VNC: vncterm, like QEMU from 9.1.7,
// offers VeNCrypt only.
func TestLXCConsoleIsVncterm(t *testing.T) {
	clk := newFakeClock()
	srv := NewTestServer(t, Config{Now: clk.Now})
	admin := srv.AdminToken()
	var ct Guest
	for _, g := range srv.Guests() {
		if g.Type == "lxc" && g.Status == "running" {
			ct = g
			break
		}
	}
	a := vncProxy(t, srv, admin, "lxc", ct.Node, ct.VMID, url.Values{"websocket": {"1"}})
	clk.Advance(15 * time.Second) // past QEMU's 10 s, within vncterm's 20
	for i := 0; i < 2; i++ {
		c, _, err := dialConsole(t, srv, admin, "lxc", ct, a, 0)
		if err != nil {
			t.Fatalf("client %d: %v", i+1, err)
		}
		if result, reason, w, h, _ := rfbLogin(t, &wsStream{c: c}, a.Password); result != 0 || w != 744 || h != 400 {
			t.Errorf("client %d: result %d %q, %d×%d; want in, at 744×400", i+1, result, reason, w, h)
		}
	}

	q := vncProxy(t, srv, admin, "qemu", guestByVMID(t, srv, plainVMID).Node, plainVMID, url.Values{"websocket": {"1"}})
	clk.Advance(11 * time.Second)
	if _, _, err := dialConsole(t, srv, admin, "qemu", guestByVMID(t, srv, plainVMID), q, 0); err == nil {
		t.Error("a QEMU console connected 11 s after vncproxy; its worker waits 10 s")
	}

	for _, kind := range []string{"lxc", "qemu"} {
		g := ct
		if kind == "qemu" {
			g = guestByVMID(t, srv, plainVMID)
		}
		a := vncProxy(t, srv, admin, kind, g.Node, g.VMID, nil)
		c, _, err := dialConsole(t, srv, admin, kind, g, a, 0)
		if err != nil {
			t.Fatalf("%s console without websocket=1: %v", kind, err)
		}
		s := &wsStream{c: c}
		ver := make([]byte, 12)
		if _, err := io.ReadFull(s, ver); err != nil {
			t.Fatal(err)
		}
		s.Write(ver)
		head := make([]byte, 2)
		if _, err := io.ReadFull(s, head); err != nil {
			t.Fatal(err)
		}
		if head[0] != 1 || head[1] != 19 {
			t.Errorf("%s console without websocket=1 offers %v; want only VeNCrypt (19)", kind, head)
		}
	}
}

// TestRepeatedKeysAreArrays: pve-http-server turns a repeated form or
// query key into an array (decode_urlencoded), which a parameter that is
// not an array fails (PVE::JSONSchema::check_type), instead of the last
// value winning.
func TestRepeatedKeysAreArrays(t *testing.T) {
	srv := NewTestServer(t, Config{Now: newFakeClock().Now})
	admin := srv.AdminToken()
	r := request(t, srv, admin, http.MethodGet, "/nodes/pve1/tasks", url.Values{"typefilter": {"qmstart", "qmstop"}})
	if r.status != http.StatusBadRequest || r.errors["typefilter"] != "type check ('string') failed - got ARRAY" {
		t.Errorf("repeated typefilter: %d %v; want 400 type check ('string') failed - got ARRAY", r.status, r.errors)
	}
	g := guestByVMID(t, srv, plainVMID)
	r = request(t, srv, admin, http.MethodPost, fmt.Sprintf("/nodes/%s/qemu/%d/status/shutdown", g.Node, g.VMID), url.Values{"timeout": {"5", "10"}})
	if r.status != http.StatusBadRequest || r.errors["timeout"] != "type check ('integer') failed - got ARRAY" {
		t.Errorf("repeated timeout in a form: %d %v; want 400 type check ('integer') failed - got ARRAY", r.status, r.errors)
	}
}

// TestStopOverrulesShutdown: a stop with overrule-shutdown=1 first aborts
// the guest's running shutdown (abort_guest_tasks: it ends "received
// interrupt") and says so in its log, then stops the guest; without it the
// stop waits for the shutdown. HA guests refuse the option.
func TestStopOverrulesShutdown(t *testing.T) {
	clk := newFakeClock()
	srv := NewTestServer(t, Config{Now: clk.Now})
	admin := srv.AdminToken()
	g := guestByVMID(t, srv, plainVMID)
	srv.SetGuestIgnoresACPI(g.VMID, true)
	shutdown := actionTask(t, srv, admin, g, "shutdown", url.Values{"timeout": {"600"}})
	clk.Advance(5 * time.Second)
	stop := actionTask(t, srv, admin, g, "stop", url.Values{"overrule-shutdown": {"1"}})
	clk.Advance(5 * time.Second)
	var st struct {
		Status     string `json:"status"`
		ExitStatus string `json:"exitstatus"`
	}
	get(t, srv, admin, "/nodes/"+g.Node+"/tasks/"+url.PathEscape(shutdown)+"/status", nil, &st)
	if st.Status != "stopped" || st.ExitStatus != "received interrupt" {
		t.Errorf("the overruled shutdown: %+v; want stopped, received interrupt", st)
	}
	if typ, exit := finishedTask(t, srv, clk, admin, g.Node, stop); typ != "qmstop" || exit != "OK" {
		t.Errorf("the overruling stop: %s %q; want qmstop OK", typ, exit)
	}
	var lines []logLine
	get(t, srv, admin, "/nodes/"+g.Node+"/tasks/"+url.PathEscape(stop)+"/log", nil, &lines)
	if len(lines) == 0 || !strings.Contains(lines[0].T, "overruled qmshutdown tasks: "+shutdown) {
		t.Errorf("stop log %+v; want it to name the overruled shutdown", lines)
	}
	if s, _ := srv.GuestStatus(g.VMID); s != "stopped" {
		t.Errorf("guest %s; want stopped", s)
	}
	ha := guestByVMID(t, srv, haVMID)
	r := request(t, srv, admin, http.MethodPost, fmt.Sprintf("/nodes/%s/qemu/%d/status/stop", ha.Node, ha.VMID), url.Values{"overrule-shutdown": {"1"}})
	if r.status != http.StatusBadRequest || r.errors["overrule-shutdown"] != "Not applicable for HA resources." {
		t.Errorf("overrule on an HA VM: %d %v", r.status, r.errors)
	}
}
