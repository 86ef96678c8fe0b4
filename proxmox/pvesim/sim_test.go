package pvesim

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestAuth(t *testing.T) {
	t.Parallel()
	srv := NewTestServer(t, Config{})
	admin := srv.AdminToken()
	tests := []struct {
		name       string
		header     string
		wantStatus int
		wantReason string
	}{
		{"OK", "PVEAPIToken=" + admin.ID + "=" + admin.Secret, 200, "OK"},
		{"OKSpaceForm", "PVEAPIToken " + admin.ID + "=" + admin.Secret, 200, "OK"},
		{"Missing", "", 401, "No ticket"},
		{"OtherScheme", "Bearer abc", 401, "No ticket"},
		{"WrongSecret", "PVEAPIToken=" + admin.ID + "=00000000-0000-0000-0000-000000000000", 401, "Authentication failed!"},
		{"UnknownToken", "PVEAPIToken=root@pam!nope=" + admin.Secret, 401, "Authentication failed!"},
		{"UnknownUser", "PVEAPIToken=bob@pve!x=" + admin.Secret, 401, "Authentication failed!"},
		{"NoSecret", "PVEAPIToken=" + admin.ID, 401, "Authentication failed!"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req, _ := http.NewRequest("GET", srv.URL+"/api2/json/version", nil)
			if tt.header != "" {
				req.Header.Set("Authorization", tt.header)
			}
			r := doRequest(t, srv, req)
			if r.status != tt.wantStatus || r.reason != tt.wantReason {
				t.Errorf("GET /version with %q = %d %q; want %d %q", tt.header, r.status, r.reason, tt.wantStatus, tt.wantReason)
			}
			if tt.wantStatus == 401 && string(r.body) != `{"data":null}` {
				t.Errorf("401 body = %s; want {\"data\":null}", r.body)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	srv := NewTestServer(t, Config{})
	admin := srv.AdminToken()
	limited := mustToken(t, srv.Sim, LimitedTokenID)
	auditor := mustToken(t, srv.Sim, AuditorTokenID)
	empty := mustToken(t, srv.Sim, NoACLTokenID)
	node101, _ := srv.GuestNode(101)
	node102, _ := srv.GuestNode(102)
	node100, _ := srv.GuestNode(templateVMID)
	other := "pve2"
	if node101 == other {
		other = "pve3"
	}
	tests := []struct {
		name       string
		tok        Token
		method     string
		path       string
		params     url.Values
		wantStatus int
		wantMsg    string
		wantErrors map[string]string
	}{
		{"NotImplemented", admin, "GET", "/foo", nil, 501, "Method 'GET /foo' not implemented", nil},
		{"NotImplementedMethod", admin, "PUT", "/version", nil, 501, "Method 'PUT /version' not implemented", nil},
		{"NotImplementedDeep", admin, "GET", "/nodes/pve1/qemu/101/agent/info", nil, 501, "Method 'GET /nodes/pve1/qemu/101/agent/info' not implemented", nil},
		{"PermPowerMgmt", auditor, "POST", "/nodes/" + node101 + "/qemu/101/status/start", nil, 403, "Permission check failed (/vms/101, VM.PowerMgmt)", nil},
		{"PermOtherVM", limited, "POST", "/nodes/" + node102 + "/lxc/102/status/stop", nil, 403, "Permission check failed (/vms/102, VM.PowerMgmt)", nil},
		{"PermClusterStatus", empty, "GET", "/cluster/status", nil, 403, "Permission check failed (/, Sys.Audit)", nil},
		{"PermNodeStatus", limited, "GET", "/nodes/pve1/status", nil, 403, "Permission check failed (/nodes/pve1, Sys.Audit)", nil},
		{"WrongNode", admin, "GET", "/nodes/" + other + "/qemu/101/status/current", nil, 500,
			"Configuration file 'nodes/" + other + "/qemu-server/101.conf' does not exist", nil},
		{"WrongKind", admin, "GET", "/nodes/" + node101 + "/lxc/101/config", nil, 500,
			"Configuration file 'nodes/" + node101 + "/lxc/101.conf' does not exist", nil},
		{"NoSuchVM", admin, "GET", "/nodes/pve1/qemu/999999/status/current", nil, 500,
			"Configuration file 'nodes/pve1/qemu-server/999999.conf' does not exist", nil},
		{"NoSuchNode", admin, "GET", "/nodes/pve9/status", nil, 500,
			"hostname lookup 'pve9' failed - failed to get address info for: pve9: Name or service not known", nil},
		{"BadVMID", admin, "GET", "/nodes/pve1/qemu/abc/status/current", nil, 400, "Parameter verification failed.",
			map[string]string{"vmid": "type check ('integer') failed - got 'abc'"}},
		{"SmallVMID", admin, "GET", "/nodes/pve1/qemu/99/status/current", nil, 400, "Parameter verification failed.",
			map[string]string{"vmid": "value must have a minimum value of 100"}},
		{"BadNodeName", admin, "GET", "/nodes/pve_1/status", nil, 400, "Parameter verification failed.",
			map[string]string{"node": "invalid format - value does not look like a valid node name"}},
		{"MissingTimeframe", admin, "GET", "/nodes/pve1/rrddata", nil, 400, "Parameter verification failed.",
			map[string]string{"timeframe": "property is missing and it is not optional"}},
		{"BadEnum", admin, "GET", "/cluster/resources", url.Values{"type": {"pool"}}, 400, "Parameter verification failed.",
			map[string]string{"type": "value 'pool' does not have a value in the enumeration 'vm, storage, node, sdn'"}},
		{"UnknownParam", admin, "GET", "/version", url.Values{"foo": {"1"}}, 400, "Parameter verification failed.",
			map[string]string{"foo": "property is not defined in schema and the schema does not allow additional properties"}},
		{"BadUPID", admin, "GET", "/nodes/pve1/tasks/UPID:nope/status", nil, 400, "Parameter verification failed.",
			map[string]string{"upid": "unable to parse worker upid 'UPID:nope'"}},
		{"NoSuchTask", admin, "GET", "/nodes/pve1/tasks/UPID:pve1:00001234:00005678:5A3B7C8D:qmstart:101:root@pam:/status", nil, 400,
			"Parameter verification failed.", map[string]string{"upid": "no such task"}},
		{"NotRunning", admin, "POST", "/nodes/" + node100 + "/qemu/100/status/reset", nil, 500, "VM 100 not running", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := request(t, srv, tt.tok, tt.method, tt.path, tt.params)
			if r.status != tt.wantStatus || r.reason != tt.wantMsg {
				t.Errorf("%s %s = %d %q; want %d %q", tt.method, tt.path, r.status, r.reason, tt.wantStatus, tt.wantMsg)
			}
			if r.message != tt.wantMsg+"\n" {
				t.Errorf("message = %q; want %q", r.message, tt.wantMsg+"\n")
			}
			if r.data != nil && string(r.data) != "null" {
				t.Errorf("data = %s; want null", r.data)
			}
			want := tt.wantErrors
			if diff := cmp.Diff(want, r.errors); diff != "" {
				t.Errorf("errors mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

type resourceRow struct {
	ID       string  `json:"id"`
	Type     string  `json:"type"`
	Node     string  `json:"node"`
	Status   string  `json:"status"`
	VMID     int     `json:"vmid"`
	Name     string  `json:"name"`
	Template int     `json:"template"`
	Uptime   int64   `json:"uptime"`
	CPU      float64 `json:"cpu"`
	NetIn    int64   `json:"netin"`
	DiskRead int64   `json:"diskread"`
	HAState  string  `json:"hastate"`
	Lock     string  `json:"lock"`
	Tags     string  `json:"tags"`
}

func countTypes(rows []resourceRow) map[string]int {
	m := make(map[string]int)
	for _, r := range rows {
		m[r.Type]++
	}
	return m
}

func TestClusterResourcesPerToken(t *testing.T) {
	t.Parallel()
	srv := NewTestServer(t, Config{})
	qemu, lxc := 0, 0
	for _, g := range srv.Guests() {
		if g.Type == "qemu" {
			qemu++
		} else {
			lxc++
		}
	}
	tests := []struct {
		token string
		typ   string
		want  map[string]int
	}{
		// PVE 9.1: "network" rows instead of "sdn" ones, and every node
		// listed to every token (its figures only with Sys.Audit).
		{AdminTokenID, "", map[string]int{"qemu": qemu, "lxc": lxc, "node": 3, "storage": 6, "network": 3}},
		{AdminTokenID, "vm", map[string]int{"qemu": qemu, "lxc": lxc}},
		{AdminTokenID, "node", map[string]int{"node": 3}},
		{AdminTokenID, "sdn", map[string]int{}},
		{AuditorTokenID, "", map[string]int{"qemu": qemu, "lxc": lxc, "node": 3, "storage": 6}},
		{LimitedTokenID, "", map[string]int{"qemu": 1, "node": 3}},
		{NoACLTokenID, "", map[string]int{"node": 3}},
	}
	for _, tt := range tests {
		t.Run(tt.token+"/"+tt.typ, func(t *testing.T) {
			t.Parallel()
			var params url.Values
			if tt.typ != "" {
				params = url.Values{"type": {tt.typ}}
			}
			r := request(t, srv, mustToken(t, srv.Sim, tt.token), "GET", "/cluster/resources", params)
			if r.status != 200 {
				t.Fatalf("status %d %s", r.status, r.reason)
			}
			if tt.token == NoACLTokenID && (strings.Contains(string(r.data), `"cpu"`) || strings.Contains(string(r.data), `"maxmem"`)) {
				t.Errorf("data = %s; want the nodes without their figures", r.data)
			}
			var rows []resourceRow
			json.Unmarshal(r.data, &rows)
			if diff := cmp.Diff(tt.want, countTypes(rows)); diff != "" {
				t.Errorf("resource types (-want +got):\n%s", diff)
			}
		})
	}
}

func TestClusterShape(t *testing.T) {
	t.Parallel()
	srv := NewTestServer(t, Config{})
	var rows []resourceRow
	get(t, srv, srv.AdminToken(), "/cluster/resources", url.Values{"type": {"vm"}}, &rows)
	byID := make(map[int]resourceRow)
	stopped := 0
	for _, r := range rows {
		byID[r.VMID] = r
		if r.Status == "stopped" {
			stopped++
		}
		if r.Status == "stopped" && (r.Uptime != 0 || r.CPU != 0 || r.NetIn != 0) {
			t.Errorf("stopped %s has uptime %d cpu %v netin %d; want zeros", r.ID, r.Uptime, r.CPU, r.NetIn)
		}
	}
	if len(rows) != 24 || stopped == 0 || stopped == len(rows) {
		t.Errorf("got %d guests, %d stopped; want 24, some stopped", len(rows), stopped)
	}
	if g := byID[templateVMID]; g.Template != 1 || g.Status != "stopped" {
		t.Errorf("template %d = %+v; want template 1, stopped", templateVMID, g)
	}
	if g := byID[haVMID]; g.HAState != "started" {
		t.Errorf("guest %d hastate = %q; want started", haVMID, g.HAState)
	}
	if g := byID[lockedVMID]; g.Lock != "backup" {
		t.Errorf("guest %d lock = %q; want backup", lockedVMID, g.Lock)
	}
	if g := byID[plainVMID]; g.Name != "web-01" || g.Tags != "prod;web" || g.Status != "running" {
		t.Errorf("guest 101 = %+v; want web-01 running tagged prod;web", g)
	}
	if n := countTypes(rows)["lxc"]; n < 6 || n > 10 {
		t.Errorf("%d containers of 24; want about a third", n)
	}
}

func TestPermissions(t *testing.T) {
	t.Parallel()
	srv := NewTestServer(t, Config{})
	var got map[string]map[string]int
	get(t, srv, mustToken(t, srv.Sim, LimitedTokenID), "/access/permissions", nil, &got)
	want := map[string]map[string]int{"/vms/101": {"VM.Audit": 1, "VM.PowerMgmt": 1, "VM.Console": 1}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("limited permissions (-want +got):\n%s", diff)
	}
	got = nil
	get(t, srv, mustToken(t, srv.Sim, NoACLTokenID), "/access/permissions", nil, &got)
	if len(got) != 0 {
		t.Errorf("empty token permissions = %v; want none", got)
	}
	got = nil
	get(t, srv, mustToken(t, srv.Sim, AuditorTokenID), "/access/permissions", url.Values{"path": {"/vms/105"}}, &got)
	want = map[string]map[string]int{"/vms/105": {"VM.Audit": 1, "Sys.Audit": 1, "Datastore.Audit": 1}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("auditor permissions on /vms/105 (-want +got):\n%s", diff)
	}
	got = nil
	get(t, srv, srv.AdminToken(), "/access/permissions", nil, &got)
	if len(got["/"]) != len(AllPrivileges) {
		t.Errorf("admin has %d privileges on /; want %d", len(got["/"]), len(AllPrivileges))
	}
}

var upidPattern = regexp.MustCompile(`^UPID:pve[0-9]+:[0-9A-F]{8}:[0-9A-F]{8}:[0-9A-F]{8}:[a-z]+:[0-9]+:root@pam!cecyber:$`)

type taskStatus struct {
	Status     string `json:"status"`
	ExitStatus string `json:"exitstatus"`
	Type       string `json:"type"`
	ID         string `json:"id"`
	User       string `json:"user"`
	TokenID    string `json:"tokenid"`
	UPID       string `json:"upid"`
}

// lifecycle drives one guest through the API with a fake clock.
type lifecycle struct {
	t     *testing.T
	srv   *Server
	clock *fakeClock
	tok   Token
}

func (l *lifecycle) post(vmid int, action string, params url.Values) string {
	l.t.Helper()
	g := l.guest(vmid)
	r := request(l.t, l.srv, l.tok, "POST", fmt.Sprintf("/nodes/%s/%s/%d/status/%s", g.Node, g.Type, vmid, action), params)
	if r.status != 200 {
		l.t.Fatalf("%s %d: %d %s", action, vmid, r.status, r.reason)
	}
	var upid string
	json.Unmarshal(r.data, &upid)
	if !upidPattern.MatchString(upid) {
		l.t.Fatalf("%s %d: UPID %q does not look like Proxmox's", action, vmid, upid)
	}
	return upid
}

func (l *lifecycle) guest(vmid int) Guest {
	for _, g := range l.srv.Guests() {
		if g.VMID == vmid {
			return g
		}
	}
	l.t.Fatalf("no guest %d", vmid)
	return Guest{}
}

func (l *lifecycle) task(upid string) taskStatus {
	l.t.Helper()
	u, err := parseUPID(upid)
	if err != nil {
		l.t.Fatal(err)
	}
	var st taskStatus
	get(l.t, l.srv, l.tok, "/nodes/"+u.Node+"/tasks/"+upid+"/status", nil, &st)
	return st
}

func (l *lifecycle) resource(vmid int) resourceRow {
	l.t.Helper()
	var rows []resourceRow
	get(l.t, l.srv, l.tok, "/cluster/resources", url.Values{"type": {"vm"}}, &rows)
	for _, r := range rows {
		if r.VMID == vmid {
			return r
		}
	}
	l.t.Fatalf("guest %d not in resources", vmid)
	return resourceRow{}
}

func newLifecycle(t *testing.T) *lifecycle {
	clock := newFakeClock()
	srv := NewTestServer(t, Config{Now: clock.Now})
	return &lifecycle{t: t, srv: srv, clock: clock, tok: srv.AdminToken()}
}

func TestTaskStartStop(t *testing.T) {
	t.Parallel()
	l := newLifecycle(t)
	before := l.resource(plainVMID)
	if before.Uptime == 0 || before.NetIn == 0 {
		t.Fatalf("guest 101 before = %+v; want running with traffic", before)
	}

	upid := l.post(plainVMID, "stop", nil)
	if st := l.task(upid); st.Status != "running" || st.Type != "qmstop" || st.ID != "101" || st.User != "root@pam" || st.TokenID != "cecyber" {
		t.Errorf("stop task right away = %+v; want running qmstop of 101 by root@pam token cecyber", st)
	}
	l.clock.Advance(2 * time.Second)
	if st := l.task(upid); st.Status != "stopped" || st.ExitStatus != "OK" {
		t.Errorf("stop task after 2s = %+v; want stopped OK", st)
	}
	if r := l.resource(plainVMID); r.Status != "stopped" || r.Uptime != 0 || r.NetIn != 0 {
		t.Errorf("guest after stop = %+v; want stopped with zero counters", r)
	}

	upid = l.post(plainVMID, "start", nil)
	l.clock.Advance(500 * time.Millisecond)
	if st := l.task(upid); st.Status != "running" {
		t.Errorf("start task after 0.5s = %+v; want running", st)
	}
	l.clock.Advance(3 * time.Second)
	if st := l.task(upid); st.Status != "stopped" || st.ExitStatus != "OK" {
		t.Errorf("start task after 3.5s = %+v; want stopped OK", st)
	}
	l.clock.Advance(60 * time.Second)
	after := l.resource(plainVMID)
	if after.Status != "running" || after.Uptime < 60 || after.Uptime > 64 {
		t.Errorf("guest 60s after start = status %s uptime %d; want running, uptime about 60", after.Status, after.Uptime)
	}
	if after.NetIn <= 0 || after.NetIn >= before.NetIn || after.DiskRead >= before.DiskRead {
		t.Errorf("counters after restart netin %d diskread %d; want reset below %d, %d and growing", after.NetIn, after.DiskRead, before.NetIn, before.DiskRead)
	}
	l.clock.Advance(60 * time.Second)
	if later := l.resource(plainVMID); later.NetIn <= after.NetIn || later.DiskRead <= after.DiskRead {
		t.Errorf("counters did not grow: %d -> %d", after.NetIn, later.NetIn)
	}

	var log []struct {
		N int    `json:"n"`
		T string `json:"t"`
	}
	u, _ := parseUPID(upid)
	get(t, l.srv, l.tok, "/nodes/"+u.Node+"/tasks/"+upid+"/log", nil, &log)
	if len(log) == 0 || log[len(log)-1].T != "TASK OK" || log[0].N != 1 {
		t.Errorf("task log = %+v; want lines ending with TASK OK", log)
	}

	var tasks []map[string]any
	get(t, l.srv, l.tok, "/nodes/"+u.Node+"/tasks", url.Values{"vmid": {"101"}}, &tasks)
	if len(tasks) != 2 || tasks[0]["upid"] != upid || tasks[0]["status"] != "OK" {
		t.Errorf("task list = %v; want the start then the stop, newest first", tasks)
	}
}

func TestTaskFailures(t *testing.T) {
	t.Parallel()
	l := newLifecycle(t)
	var lxcRunning, lxcStopped int
	for _, g := range l.srv.Guests() {
		if g.Type == "lxc" && g.Status == "running" && g.Lock == "" && g.HAState == "" && lxcRunning == 0 {
			lxcRunning = g.VMID
		}
		if g.Type == "lxc" && g.Status == "stopped" && lxcStopped == 0 {
			lxcStopped = g.VMID
		}
	}
	if lxcRunning == 0 || lxcStopped == 0 {
		t.Fatal("want a running and a stopped container")
	}

	t.Run("StartRunningVM", func(t *testing.T) {
		upid := l.post(plainVMID, "start", nil)
		l.clock.Advance(5 * time.Second)
		if st := l.task(upid); st.ExitStatus != "VM 101 already running" {
			t.Errorf("exitstatus = %q; want VM 101 already running", st.ExitStatus)
		}
	})
	t.Run("StartTemplate", func(t *testing.T) {
		upid := l.post(templateVMID, "start", nil)
		l.clock.Advance(5 * time.Second)
		if st := l.task(upid); st.ExitStatus != "you can't start a vm if it's a template" {
			t.Errorf("exitstatus = %q", st.ExitStatus)
		}
	})
	t.Run("ShutdownLocked", func(t *testing.T) {
		upid := l.post(lockedVMID, "shutdown", nil)
		l.clock.Advance(5 * time.Second)
		if st := l.task(upid); st.ExitStatus != "VM is locked (backup)" {
			t.Errorf("exitstatus = %q", st.ExitStatus)
		}
	})
	t.Run("HAStart", func(t *testing.T) {
		upid := l.post(haVMID, "start", nil)
		if st := l.task(upid); st.Type != "hastart" {
			t.Errorf("type = %q; want hastart", st.Type)
		}
	})
	t.Run("ShutdownIgnoresACPI", func(t *testing.T) {
		l.srv.SetGuestIgnoresACPI(plainVMID, true)
		defer l.srv.SetGuestIgnoresACPI(plainVMID, false)
		upid := l.post(plainVMID, "shutdown", nil)
		l.clock.Advance(59 * time.Second)
		if st := l.task(upid); st.Status != "running" {
			t.Errorf("after 59s status = %q; want running", st.Status)
		}
		l.clock.Advance(2 * time.Second)
		if st := l.task(upid); st.Status != "stopped" || st.ExitStatus != "VM quit/powerdown failed - got timeout" {
			t.Errorf("after 61s = %+v; want the timeout error", st)
		}
		if r := l.resource(plainVMID); r.Status != "running" {
			t.Errorf("guest status = %q; want still running", r.Status)
		}
		upid = l.post(plainVMID, "shutdown", url.Values{"timeout": {"10"}})
		l.clock.Advance(11 * time.Second)
		if st := l.task(upid); st.ExitStatus != "VM quit/powerdown failed - got timeout" {
			t.Errorf("timeout=10 after 11s = %+v; want the timeout error", st)
		}
	})
	t.Run("ContainerShutdownIgnoresACPI", func(t *testing.T) {
		l.srv.SetGuestIgnoresACPI(lxcRunning, true)
		upid := l.post(lxcRunning, "shutdown", url.Values{"timeout": {"5"}})
		l.clock.Advance(6 * time.Second)
		if st := l.task(upid); st.ExitStatus != "container did not stop" {
			t.Errorf("exitstatus = %q; want container did not stop", st.ExitStatus)
		}
	})
	t.Run("InjectedFailure", func(t *testing.T) {
		l.srv.SetTaskFailure(lxcStopped, "start", "startup for container failed")
		upid := l.post(lxcStopped, "start", nil)
		l.clock.Advance(5 * time.Second)
		if st := l.task(upid); st.ExitStatus != "startup for container failed" {
			t.Errorf("exitstatus = %q", st.ExitStatus)
		}
		if s, _ := l.srv.GuestStatus(lxcStopped); s != "stopped" {
			t.Errorf("guest = %s; want still stopped", s)
		}
		upid = l.post(lxcStopped, "start", nil) // the failure was used up
		l.clock.Advance(5 * time.Second)
		if st := l.task(upid); st.ExitStatus != "OK" {
			t.Errorf("second start exitstatus = %q; want OK", st.ExitStatus)
		}
	})
	t.Run("ContainerStartRunning", func(t *testing.T) {
		g := l.guest(lxcRunning)
		r := request(t, l.srv, l.tok, "POST", fmt.Sprintf("/nodes/%s/lxc/%d/status/start", g.Node, lxcRunning), nil)
		want := fmt.Sprintf("CT %d already running", lxcRunning)
		if r.status != 500 || r.reason != want {
			t.Errorf("start running CT = %d %q; want 500 %q", r.status, r.reason, want)
		}
	})
	t.Run("ContainerCheckpoint", func(t *testing.T) {
		// pve-container's suspend is lxc-checkpoint: the container stops
		// and resume restores it.
		upid := l.post(lxcRunning, "suspend", nil)
		l.clock.Advance(6 * time.Second)
		if st := l.task(upid); st.ExitStatus != "OK" {
			t.Fatalf("suspend = %+v", st)
		}
		if s, _ := l.srv.GuestStatus(lxcRunning); s != "stopped" {
			t.Errorf("after suspend = %s; want stopped", s)
		}
		upid = l.post(lxcRunning, "resume", nil)
		l.clock.Advance(6 * time.Second)
		if st := l.task(upid); st.ExitStatus != "OK" {
			t.Fatalf("resume = %+v", st)
		}
		if r := l.resource(lxcRunning); r.Status != "running" || r.Uptime > 5 {
			t.Errorf("after resume = %+v; want freshly running", r)
		}
	})
	t.Run("QueuedTasks", func(t *testing.T) {
		// A stop and a start sent together run one after the other.
		stop := l.post(stoppedVMID, "start", nil)
		start := l.post(stoppedVMID, "stop", nil)
		l.clock.Advance(10 * time.Second)
		if a, b := l.task(stop), l.task(start); a.ExitStatus != "OK" || b.ExitStatus != "OK" {
			t.Errorf("queued tasks = %+v, %+v; want both OK", a, b)
		}
		if s, _ := l.srv.GuestStatus(stoppedVMID); s != "stopped" {
			t.Errorf("guest = %s; want stopped after start then stop", s)
		}
	})
}

func TestTaskVisibility(t *testing.T) {
	t.Parallel()
	l := newLifecycle(t)
	upid := l.post(plainVMID, "reset", nil)
	u, _ := parseUPID(upid)
	limited := mustToken(t, l.srv.Sim, LimitedTokenID)
	r := request(t, l.srv, limited, "GET", "/nodes/"+u.Node+"/tasks/"+upid+"/status", nil)
	if r.status != 403 || r.reason != "Permission check failed (/nodes/"+u.Node+", Sys.Audit)" {
		t.Errorf("someone else's task = %d %q; want 403", r.status, r.reason)
	}
	lim := &lifecycle{t: t, srv: l.srv, clock: l.clock, tok: limited}
	g := l.guest(plainVMID)
	r = request(t, l.srv, limited, "POST", "/nodes/"+g.Node+"/qemu/101/status/suspend", nil)
	if r.status != 200 {
		t.Fatalf("limited suspend: %d %s", r.status, r.reason)
	}
	var own string
	json.Unmarshal(r.data, &own)
	if st := lim.task(own); st.User != "ops@pve" || st.TokenID != "limited" {
		t.Errorf("own task = %+v; want visible, user ops@pve token limited", st)
	}
	var list []map[string]any
	get(t, l.srv, limited, "/nodes/"+g.Node+"/tasks", url.Values{"source": {"all"}}, &list)
	if len(list) != 1 || list[0]["upid"] != own || list[0]["status"] != "RUNNING" {
		t.Errorf("limited task list = %v; want only its own running task", list)
	}
}

func TestNodeOffline(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	srv := NewTestServer(t, Config{Now: clk.Now})
	admin := srv.AdminToken()
	srv.SetNodeOnline("pve2", false)

	var status []map[string]any
	get(t, srv, admin, "/cluster/status", nil, &status)
	for _, e := range status {
		if e["name"] == "pve2" && e["online"] != float64(0) {
			t.Errorf("pve2 in /cluster/status = %v; want online 0", e)
		}
	}
	// Within five minutes the guests keep their node's last report
	// (pmxcfs keeps it), after that they are only "unknown", without a
	// name (rrd_entry_is_old in pmxcfs' status.c; extract_vm_stats).
	for _, tc := range []struct {
		after   time.Duration
		unknown bool
	}{{0, false}, {6 * time.Minute, true}} {
		clk.Advance(tc.after)
		var rows []resourceRow
		get(t, srv, admin, "/cluster/resources", nil, &rows)
		var raw []map[string]any
		get(t, srv, admin, "/cluster/resources", nil, &raw)
		guests := 0
		for i, r := range rows {
			switch {
			case r.Type == "node" && r.Node == "pve2" && r.Status != "offline":
				t.Errorf("node pve2 status = %q; want offline", r.Status)
			case (r.Type == "qemu" || r.Type == "lxc") && r.Node == "pve2":
				guests++
				_, named := raw[i]["name"]
				if tc.unknown && (r.Status != "unknown" || named) {
					t.Errorf("after %v, %s on pve2 = %v; want status unknown and no name", tc.after, r.ID, raw[i])
				}
				if !tc.unknown && (r.Status == "unknown" || !named) {
					t.Errorf("after %v, %s on pve2 = %v; want its last status and name", tc.after, r.ID, raw[i])
				}
			case (r.Type == "qemu" || r.Type == "lxc") && r.Status == "unknown":
				t.Errorf("%s on %s is unknown", r.ID, r.Node)
			}
		}
		if guests == 0 {
			t.Error("no guests on pve2")
		}
	}
	r := request(t, srv, admin, "GET", "/nodes/pve2/status", nil)
	if r.status != 595 || r.reason != "No route to host" {
		t.Errorf("GET /nodes/pve2/status = %d %q; want 595 No route to host", r.status, r.reason)
	}
	srv.SetNodeOnline("pve2", true)
	if r := request(t, srv, admin, "GET", "/nodes/pve2/status", nil); r.status != 200 {
		t.Errorf("back online: %d %s", r.status, r.reason)
	}
}

func TestFaultHooks(t *testing.T) {
	t.Parallel()
	srv := NewTestServer(t, Config{})
	admin := srv.AdminToken()

	t.Run("Status", func(t *testing.T) {
		srv.SetFault("GET", "/cluster/resources", 500, "simulated outage")
		r := request(t, srv, admin, "GET", "/cluster/resources", nil)
		if r.status != 500 || r.reason != "simulated outage" || r.message != "simulated outage\n" {
			t.Errorf("with fault = %d %q %q", r.status, r.reason, r.message)
		}
		if r := request(t, srv, admin, "GET", "/version", nil); r.status != 200 {
			t.Errorf("other path = %d; want 200", r.status)
		}
		srv.SetFault("GET", "/cluster/resources", 0, "")
		if r := request(t, srv, admin, "GET", "/cluster/resources", nil); r.status != 200 {
			t.Errorf("cleared = %d; want 200", r.status)
		}
		srv.SetFault("*", "/nodes/{node}/qemu/*/status/start", 503, "busy")
		r = request(t, srv, admin, "POST", "/nodes/pve1/qemu/101/status/start", nil)
		if r.status != 503 || r.reason != "busy" {
			t.Errorf("pattern fault = %d %q", r.status, r.reason)
		}
		srv.SetFault("*", "/nodes/{node}/qemu/*/status/start", 0, "")
	})
	t.Run("Drop", func(t *testing.T) {
		srv.SetDropConnections("/nodes/*/status", true)
		req, _ := http.NewRequest("GET", srv.URL+"/api2/json/nodes/pve1/status", nil)
		req.Header.Set("Authorization", "PVEAPIToken="+admin.ID+"="+admin.Secret)
		res, err := srv.Client().Do(req)
		if err == nil {
			res.Body.Close()
			t.Fatalf("dropped request answered %s", res.Status)
		}
		srv.SetDropConnections("/nodes/*/status", false)
		if r := request(t, srv, admin, "GET", "/nodes/pve1/status", nil); r.status != 200 {
			t.Errorf("after drop off = %d", r.status)
		}
	})
	t.Run("AuthFailureDelay", func(t *testing.T) {
		srv.SetAuthFailureDelay(100 * time.Millisecond)
		defer srv.SetAuthFailureDelay(0)
		start := time.Now()
		if r := request(t, srv, Token{ID: admin.ID, Secret: "wrong"}, "GET", "/version", nil); r.status != 401 {
			t.Errorf("status %d; want 401", r.status)
		}
		if d := time.Since(start); d < 100*time.Millisecond {
			t.Errorf("401 took %v; want at least the delay", d)
		}
	})
	t.Run("Latency", func(t *testing.T) {
		srv.SetLatency(150 * time.Millisecond)
		defer srv.SetLatency(0)
		start := time.Now()
		request(t, srv, admin, "GET", "/version", nil)
		if d := time.Since(start); d < 150*time.Millisecond {
			t.Errorf("request took %v; want at least the latency", d)
		}
	})
}

func TestRRDData(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	srv := NewTestServer(t, Config{Now: clock.Now})
	admin := srv.AdminToken()
	node, _ := srv.GuestNode(plainVMID)
	tests := []struct {
		timeframe string
		step      int64
		rows      int
	}{
		{"hour", 60, 60},
		{"day", 60, 1440},
		{"week", 1800, 336},
		{"month", 1800, 1440},
		{"year", 21600, 1440},
	}
	for _, tt := range tests {
		for _, path := range []string{"/nodes/" + node + "/qemu/101/rrddata", "/nodes/" + node + "/rrddata"} {
			for _, cf := range []string{"AVERAGE", "MAX"} {
				t.Run(tt.timeframe+path+cf, func(t *testing.T) {
					t.Parallel()
					var pts []map[string]any
					get(t, srv, admin, path, url.Values{"timeframe": {tt.timeframe}, "cf": {cf}}, &pts)
					if len(pts) != tt.rows {
						t.Fatalf("%d points; want %d", len(pts), tt.rows)
					}
					last := int64(pts[len(pts)-1]["time"].(float64))
					first := int64(pts[0]["time"].(float64))
					if last%tt.step != 0 || last > clock.Now().Unix() || (last-first)/tt.step != int64(tt.rows-1) {
						t.Errorf("times %d..%d; want aligned to %ds ending now", first, last, tt.step)
					}
					if _, ok := pts[len(pts)-1]["cpu"]; !ok {
						t.Errorf("latest point %v has no cpu", pts[len(pts)-1])
					}
				})
			}
		}
	}
}

func TestDeterminism(t *testing.T) {
	t.Parallel()
	snapshot := func(seed int64) []byte {
		clock := newFakeClock()
		s := New(Config{Seed: seed, Now: clock.Now})
		clock.Advance(90 * time.Second)
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/api2/json/cluster/resources", nil)
		tok := s.AdminToken()
		req.Header.Set("Authorization", "PVEAPIToken="+tok.ID+"="+tok.Secret)
		s.ServeHTTP(rec, req)
		if rec.Code != 200 {
			t.Fatalf("status %d", rec.Code)
		}
		return rec.Body.Bytes()
	}
	a, b, c := snapshot(7), snapshot(7), snapshot(8)
	if !bytes.Equal(a, b) {
		t.Errorf("same seed gave different clusters:\n%s\n%s", a, b)
	}
	if bytes.Equal(a, c) {
		t.Error("different seeds gave the same cluster")
	}
}

// TestCertificatesInfo follows PVE/API2/Certificates.pm's info: the
// cluster CA (pve-root-ca.pem), then the node's pve-ssl.pem (RSA, signed by
// that CA, what pveproxy serves), then pveproxy-ssl.pem only when the node
// has a custom certificate, which pveproxy then serves instead.
func TestCertificatesInfo(t *testing.T) {
	t.Parallel()
	for _, custom := range []bool{false, true} {
		srv := NewTestServer(t, Config{CustomCertificates: custom})
		admin := srv.AdminToken()
		seen := make(map[string]bool)
		var nodes []map[string]any
		get(t, srv, admin, "/nodes", nil, &nodes)
		var ca string
		for i, n := range srv.Nodes() {
			var infos []map[string]any
			get(t, srv, admin, "/nodes/"+n+"/certificates/info", nil, &infos)
			want := []string{"pve-root-ca.pem", "pve-ssl.pem"}
			if custom {
				want = append(want, "pveproxy-ssl.pem")
			}
			if len(infos) != len(want) {
				t.Fatalf("custom=%v %s: %d certificates; want %v", custom, n, len(infos), want)
			}
			for j, f := range want {
				if infos[j]["filename"] != f {
					t.Errorf("custom=%v %s: entry %d is %v; want %s", custom, n, j, infos[j]["filename"], f)
				}
			}
			if ca == "" {
				ca = infos[0]["fingerprint"].(string)
			}
			if infos[0]["fingerprint"] != ca || infos[0]["issuer"] != infos[0]["subject"] {
				t.Errorf("%s: the CA differs between nodes or is not self-signed: %v", n, infos[0]["subject"])
			}
			if infos[1]["issuer"] != infos[0]["subject"] || infos[1]["public-key-type"] != "rsaEncryption" || infos[1]["public-key-bits"] != float64(2048) {
				t.Errorf("%s: pve-ssl.pem issuer %v, key %v/%v; want the CA, rsaEncryption/2048", n, infos[1]["issuer"], infos[1]["public-key-type"], infos[1]["public-key-bits"])
			}
			if san := fmt.Sprint(infos[1]["san"]); !strings.Contains(san, n) || strings.Contains(san, "DNS:") {
				t.Errorf("%s: pve-ssl.pem san %s; want bare names including the node's", n, san)
			}
			served := infos[len(infos)-1]
			fp := served["fingerprint"].(string)
			if i == 0 && fp != srv.Fingerprint {
				t.Errorf("custom=%v: first node serves %s; want %s last in the list", custom, srv.Fingerprint, fp)
			}
			if nodes[i]["ssl_fingerprint"] != fp {
				t.Errorf("/nodes ssl_fingerprint %v; want the served %s", nodes[i]["ssl_fingerprint"], fp)
			}
			seen[fp] = true
			if pemBytes, nfp, ok := srv.NodeCertificate(n); !ok || nfp != fp || string(pemBytes) != served["pem"] {
				t.Errorf("NodeCertificate(%s) = %s, %v; want the served certificate", n, nfp, ok)
			}
			block, _ := pem.Decode([]byte(served["pem"].(string)))
			cert, err := x509.ParseCertificate(block.Bytes)
			if err != nil {
				t.Fatal(err)
			}
			if Fingerprint(cert.Raw) != fp {
				t.Errorf("%s: pem fingerprint %s; want %s", n, Fingerprint(cert.Raw), fp)
			}
		}
		if len(seen) != 3 {
			t.Errorf("custom=%v: %d distinct served certificates; want 3", custom, len(seen))
		}
	}
}

// TestVersionRepoID: /version's repoid is pve-manager's short git revision,
// 16 hex digits.
func TestVersionRepoID(t *testing.T) {
	srv := NewTestServer(t, Config{})
	var v map[string]string
	get(t, srv, srv.AdminToken(), "/version", nil, &v)
	if len(v["repoid"]) != 16 || strings.Trim(v["repoid"], "0123456789abcdef") != "" {
		t.Errorf("repoid %q; want 16 hex digits", v["repoid"])
	}
}

func TestGuestStatusAndConfig(t *testing.T) {
	t.Parallel()
	srv := NewTestServer(t, Config{})
	admin := srv.AdminToken()
	for _, g := range srv.Guests()[:8] {
		var st map[string]any
		get(t, srv, admin, fmt.Sprintf("/nodes/%s/%s/%d/status/current", g.Node, g.Type, g.VMID), nil, &st)
		if st["status"] != g.Status || st["name"] != g.Name || st["vmid"] != float64(g.VMID) {
			t.Errorf("%d status/current = %v", g.VMID, st)
		}
		_, hasPID := st["pid"]
		if hasPID != (g.Status == "running") {
			t.Errorf("%d pid present = %v with status %s", g.VMID, hasPID, g.Status)
		}
		if _, ok := st["template"]; ok != g.Template {
			t.Errorf("%d template field present = %v; want only on templates", g.VMID, ok)
		}
		var cfg map[string]any
		get(t, srv, admin, fmt.Sprintf("/nodes/%s/%s/%d/config", g.Node, g.Type, g.VMID), nil, &cfg)
		if cfg["digest"] == "" || (g.Type == "qemu" && cfg["name"] != g.Name) || (g.Type == "lxc" && cfg["hostname"] != g.Name) {
			t.Errorf("%d config = %v", g.VMID, cfg)
		}
	}
	var list []map[string]any
	get(t, srv, mustToken(t, srv.Sim, LimitedTokenID), "/nodes/pve1/qemu", nil, &list)
	if len(list) != 1 || list[0]["vmid"] != float64(101) {
		t.Errorf("limited /nodes/pve1/qemu = %v; want only 101", list)
	}
}

func TestClusterResources10k(t *testing.T) {
	t.Parallel()
	srv := NewTestServer(t, Config{Guests: 10000, Nodes: 8})
	var rows []resourceRow
	get(t, srv, srv.AdminToken(), "/cluster/resources", nil, &rows)
	if got := countTypes(rows); got["qemu"]+got["lxc"] != 10000 || got["node"] != 8 {
		t.Errorf("resource counts = %v; want 10000 guests and 8 nodes", got)
	}
}

func BenchmarkClusterResources10k(b *testing.B) {
	s := New(Config{Guests: 10000, Nodes: 8})
	tok := s.AdminToken()
	b.Run("Handler", func(b *testing.B) {
		for b.Loop() {
			rec := httptest.NewRecorder()
			req := httptest.NewRequest("GET", "/api2/json/cluster/resources", nil)
			req.Header.Set("Authorization", "PVEAPIToken="+tok.ID+"="+tok.Secret)
			s.ServeHTTP(rec, req)
			if rec.Code != 200 {
				b.Fatal(rec.Code)
			}
		}
	})
	b.Run("HTTPS", func(b *testing.B) {
		srv := NewTestServer(b, Config{Guests: 10000, Nodes: 8})
		tok := srv.AdminToken()
		for b.Loop() {
			r := request(b, srv, tok, "GET", "/cluster/resources", nil)
			if r.status != 200 {
				b.Fatal(r.status)
			}
		}
	})
}
