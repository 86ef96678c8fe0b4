package pvesim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"testing"
	"time"
)

// The differences between the two releases pvesim plays. Each test runs
// over both, so that it says what 9.1 answers as well as what 8.4 does.

var sixPressures = []string{"pressurecpusome", "pressurecpufull", "pressureiosome", "pressureiofull", "pressurememorysome", "pressurememoryfull"}

func TestVersionPerRelease(t *testing.T) {
	for _, tt := range []struct{ version, release string }{{Version91, "9.1"}, {Version84, "8.4"}} {
		t.Run(tt.release, func(t *testing.T) {
			srv := NewTestServer(t, Config{Version: tt.version, Guests: -1})
			var v map[string]string
			get(t, srv, srv.AdminToken(), "/version", nil, &v)
			if v["version"] != tt.version || v["release"] != tt.release {
				t.Errorf("/version = %v; want version %s, release %s", v, tt.version, tt.release)
			}
			// pve-manager's Makefile: git rev-parse --short=16 HEAD, in 8.4 too.
			if !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(v["repoid"]) {
				t.Errorf("repoid %q is not 16 hex digits", v["repoid"])
			}
		})
	}
	for _, s := range []string{"8.4", "9.1", Version84, Version91} {
		if _, err := ParseRelease(s); err != nil {
			t.Errorf("ParseRelease(%q): %v", s, err)
		}
	}
	if v, err := ParseRelease("7.4"); err == nil {
		t.Errorf("ParseRelease(7.4) = %q; want an error", v)
	}
}

// TestPVE9FiguresPerRelease: memhost and the pressure stall figures are
// PVE 9's; 8.4 has none of them in /cluster/resources, status/current,
// the guest lists or rrddata.
func TestPVE9FiguresPerRelease(t *testing.T) {
	for _, version := range Versions {
		t.Run(version, func(t *testing.T) {
			pve9 := version == Version91
			srv := NewTestServer(t, Config{Version: version, Now: newFakeClock().Now})
			admin := srv.AdminToken()
			has := func(what string, m map[string]any, keys []string, want bool) {
				t.Helper()
				for _, k := range keys {
					if _, ok := m[k]; ok != want {
						t.Errorf("%s: has %s = %v; want %v", what, k, ok, want)
					}
				}
			}
			var rows []map[string]any
			get(t, srv, admin, "/cluster/resources", url.Values{"type": {"vm"}}, &rows)
			for _, r := range rows {
				has(fmt.Sprint(r["id"]), r, []string{"memhost"}, pve9)
			}
			vm := guestByVMID(t, srv, plainVMID)
			var ct Guest
			for _, g := range srv.Guests() {
				if g.Type == "lxc" && g.Status == "running" {
					ct = g
					break
				}
			}
			var st map[string]any
			get(t, srv, admin, fmt.Sprintf("/nodes/%s/qemu/%d/status/current", vm.Node, vm.VMID), nil, &st)
			has("VM status/current", st, append([]string{"memhost"}, sixPressures...), pve9)
			wantQEMU := map[bool]string{true: "10.1.2", false: "9.2.0"}[pve9]
			if st["running-qemu"] != wantQEMU {
				t.Errorf("running-qemu %v; want %s", st["running-qemu"], wantQEMU)
			}
			get(t, srv, admin, fmt.Sprintf("/nodes/%s/lxc/%d/status/current", ct.Node, ct.VMID), nil, &st)
			has("CT status/current", st, sixPressures, pve9)
			has("CT status/current", st, []string{"swap", "maxswap"}, true)
			var list []map[string]any
			get(t, srv, admin, "/nodes/"+vm.Node+"/qemu", nil, &list)
			for _, r := range list {
				if r["status"] == "running" {
					has(fmt.Sprintf("VM %v in the list", r["vmid"]), r, append([]string{"memhost"}, sixPressures...), pve9)
				}
			}

			var rrd []map[string]any
			get(t, srv, admin, fmt.Sprintf("/nodes/%s/qemu/%d/rrddata", vm.Node, vm.VMID), url.Values{"timeframe": {"hour"}}, &rrd)
			last := rrd[len(rrd)-2]
			has("VM rrd row", last, []string{"cpu", "mem", "netin", "diskread"}, true)
			has("VM rrd row", last, append([]string{"memhost"}, sixPressures...), pve9)
			get(t, srv, admin, "/nodes/"+vm.Node+"/rrddata", url.Values{"timeframe": {"hour"}}, &rrd)
			last = rrd[len(rrd)-2]
			has("node rrd row", last, []string{"cpu", "memused", "memtotal", "netin", "loadavg"}, true)
			has("node rrd row", last, []string{"memavailable", "arcsize", "pressurecpusome"}, pve9)
		})
	}
}

// TestRRDLayoutPerRelease: PVE 8 keeps 70 rows per archive (pmxcfs
// status.c), which create_rrd_data fetches up to the current step; PVE 9's
// archives are longer, and only its nodes have a decade.
func TestRRDLayoutPerRelease(t *testing.T) {
	clk := newFakeClock()
	clk.Advance(17*time.Minute + 23*time.Second) // off every grid
	type layout struct {
		step time.Duration
		rows int
	}
	want := map[string]map[string]layout{
		Version84: {"hour": {time.Minute, 70}, "day": {30 * time.Minute, 70}, "week": {3 * time.Hour, 70},
			"month": {12 * time.Hour, 70}, "year": {7 * 24 * time.Hour, 70}},
		Version91: {"hour": {time.Minute, 60}, "day": {time.Minute, 1440}, "week": {30 * time.Minute, 336},
			"month": {30 * time.Minute, 1440}, "year": {6 * time.Hour, 1440}},
	}
	for _, version := range Versions {
		t.Run(version, func(t *testing.T) {
			srv := NewTestServer(t, Config{Version: version, Now: clk.Now})
			admin := srv.AdminToken()
			vm := guestByVMID(t, srv, plainVMID)
			for frame, l := range want[version] {
				for _, path := range []string{"/nodes/pve1/rrddata", fmt.Sprintf("/nodes/%s/qemu/%d/rrddata", vm.Node, vm.VMID)} {
					var rows []map[string]any
					get(t, srv, admin, path, url.Values{"timeframe": {frame}}, &rows)
					if len(rows) != l.rows {
						t.Errorf("%s %s: %d rows; want %d", path, frame, len(rows), l.rows)
						continue
					}
					step := int64(l.step / time.Second)
					newest := clk.Now().Unix() / step * step
					if got := int64(rows[len(rows)-1]["time"].(float64)); got != newest {
						t.Errorf("%s %s: newest row at %d; want %d", path, frame, got, newest)
					}
					if got := int64(rows[1]["time"].(float64)) - int64(rows[0]["time"].(float64)); got != step {
						t.Errorf("%s %s: rows %d s apart; want %d", path, frame, got, step)
					}
				}
			}
			r := request(t, srv, admin, http.MethodGet, "/nodes/pve1/rrddata", url.Values{"timeframe": {"decade"}})
			if wantOK := version == Version91; (r.status == http.StatusOK) != wantOK {
				t.Errorf("node rrddata timeframe=decade: %d %s; want success %v", r.status, r.reason, wantOK)
			}
			if version == Version84 && r.errors["timeframe"] != "value 'decade' does not have a value in the enumeration 'hour, day, week, month, year'" {
				t.Errorf("decade on 8.4: errors %v", r.errors)
			}
		})
	}
}

// TestSDNRowsPerRelease: PVE 8.4 lists the default zone as an "sdn" row
// per node (also for type=sdn); 9.1 as a "network" row, none for type=sdn.
func TestSDNRowsPerRelease(t *testing.T) {
	for _, version := range Versions {
		t.Run(version, func(t *testing.T) {
			srv := NewTestServer(t, Config{Version: version, Guests: -1})
			admin := srv.AdminToken()
			count := func(params url.Values) map[string][]json.RawMessage {
				var rows []json.RawMessage
				get(t, srv, admin, "/cluster/resources", params, &rows)
				out := map[string][]json.RawMessage{}
				for _, raw := range rows {
					var m struct{ Type string }
					json.Unmarshal(raw, &m)
					out[m.Type] = append(out[m.Type], raw)
				}
				return out
			}
			all, sdn := count(nil), count(url.Values{"type": {"sdn"}})
			wantSDN, wantNetwork := 3, 0
			if version == Version91 {
				wantSDN, wantNetwork = 0, 3
			}
			if len(all["sdn"]) != wantSDN || len(sdn["sdn"]) != wantSDN || len(all["network"]) != wantNetwork || len(sdn["network"]) != 0 {
				t.Errorf("sdn rows %d (type=sdn: %d), network rows %d (type=sdn: %d); want %d sdn, %d network",
					len(all["sdn"]), len(sdn["sdn"]), len(all["network"]), len(sdn["network"]), wantSDN, wantNetwork)
			}
			if wantSDN > 0 {
				if got, want := string(all["sdn"][0]), `{"id":"sdn/pve1/localnetwork","node":"pve1","sdn":"localnetwork","status":"ok","type":"sdn"}`; got != want {
					t.Errorf("sdn row %s; want %s", got, want)
				}
			}
		})
	}
}

// TestVNCProxyPasswordPerRelease: qemu-server 8.3 (PVE 8.4 as released)
// answers a password only for generate-password=1 and does not prefix the
// ticket; pve-container 5.2 never does. 9.1 always does with websocket=1.
func TestVNCProxyPasswordPerRelease(t *testing.T) {
	for _, version := range Versions {
		t.Run(version, func(t *testing.T) {
			srv := NewTestServer(t, Config{Version: version})
			admin := srv.AdminToken()
			vm := guestByVMID(t, srv, plainVMID)
			var ct Guest
			for _, g := range srv.Guests() {
				if g.Type == "lxc" && g.Status == "running" {
					ct = g
					break
				}
			}
			ask := func(g Guest, params url.Values) (password, ticket string) {
				t.Helper()
				r := request(t, srv, admin, http.MethodPost, fmt.Sprintf("/nodes/%s/%s/%d/vncproxy", g.Node, g.Type, g.VMID), params)
				if r.status != http.StatusOK {
					t.Fatalf("vncproxy %s: %d %s %v", params.Encode(), r.status, r.reason, r.errors)
				}
				var v struct{ Password, Ticket string }
				json.Unmarshal(r.data, &v)
				return v.Password, v.Ticket
			}
			pw, ticket := ask(vm, url.Values{"websocket": {"1"}})
			if pve9 := version == Version91; (pw != "") != pve9 {
				t.Errorf("qemu vncproxy websocket=1: password %q; want one: %v", pw, pve9)
			}
			if version == Version84 && !regexp.MustCompile(`^PVEVNC:`).MatchString(ticket) {
				t.Errorf("8.4 ticket %q has a prefix", ticket)
			}
			if version == Version84 {
				if pw, _ := ask(vm, url.Values{"websocket": {"1"}, "generate-password": {"1"}}); len(pw) != 8 {
					t.Errorf("qemu vncproxy generate-password=1: password %q; want 8 characters", pw)
				}
			}
			if pw, _ := ask(ct, url.Values{"websocket": {"1"}}); (pw != "") != (version == Version91) {
				t.Errorf("lxc vncproxy websocket=1: password %q", pw)
			}
		})
	}
}

// TestNodeTermproxyPerRelease: pve-manager 8.4's node termproxy runs
// verify_username on the caller, which every token ID fails with HTTP
// 500, after the Sys.Console check; the simulator does not implement the
// 9.1 method, which lets tokens through to a login prompt.
func TestNodeTermproxyPerRelease(t *testing.T) {
	srv := NewTestServer(t, Config{Version: Version84, Guests: -1})
	admin := srv.AdminToken()
	r := request(t, srv, admin, http.MethodPost, "/nodes/pve2/termproxy", nil)
	want := "value 'root@pam!cecyber' does not look like a valid user name"
	if r.status != http.StatusInternalServerError || r.reason != want || r.message != want+"\n" {
		t.Errorf("8.4 node termproxy with a token: %d %q %q; want 500 %q", r.status, r.reason, r.message, want)
	}
	srv.SetNodeOnline("pve2", false) // no proxyto: the receiving node answers
	if r := request(t, srv, admin, http.MethodPost, "/nodes/pve2/termproxy", url.Values{"cmd": {"upgrade"}}); r.status != http.StatusInternalServerError {
		t.Errorf("8.4 node termproxy for an offline node: %d %s", r.status, r.reason)
	}
	auditor := mustToken(t, srv.Sim, AuditorTokenID)
	if r := request(t, srv, auditor, http.MethodPost, "/nodes/pve1/termproxy", nil); r.status != http.StatusForbidden ||
		r.reason != "Permission check failed (/nodes/pve1, Sys.Console)" {
		t.Errorf("8.4 node termproxy without Sys.Console: %d %s", r.status, r.reason)
	}
	if r := request(t, srv, admin, http.MethodPost, "/nodes/pve1/termproxy", url.Values{"cmd": {"bash"}}); r.status != http.StatusBadRequest {
		t.Errorf("8.4 node termproxy cmd=bash: %d %s", r.status, r.reason)
	}
}

// TestBulkActionPerRelease: /cluster/bulk-action came with PVE 9.1; on 8.4
// pve-manager's PVE::HTTPServer::rest_handler finds no handler and answers
// 501 "Method '… …' not implemented".
func TestBulkActionPerRelease(t *testing.T) {
	srv := NewTestServer(t, Config{Version: Version84, Guests: -1})
	r := request(t, srv, srv.AdminToken(), http.MethodPost, "/cluster/bulk-action/guest/start", url.Values{"vms": {"100", "101"}})
	want := "Method 'POST /cluster/bulk-action/guest/start' not implemented"
	if r.status != http.StatusNotImplemented || r.reason != want {
		t.Errorf("8.4 bulk start: %d %q; want 501 %q", r.status, r.reason, want)
	}
	if slices.ContainsFunc(routes84, func(rt *route) bool { return rt.pattern == "/cluster/bulk-action/guest/start" }) {
		t.Error("the 8.4 route table has bulk-action")
	}
}
