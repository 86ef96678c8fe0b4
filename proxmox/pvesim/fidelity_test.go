package pvesim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
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
