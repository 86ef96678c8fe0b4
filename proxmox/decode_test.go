package proxmox

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestTolerantScalars(t *testing.T) {
	ints := map[string]int64{`5900`: 5900, `"5900"`: 5900, `" 7 "`: 7, `""`: 0, `null`: 0, `2.0`: 2, `1e3`: 1000, `true`: 1}
	for in, want := range ints {
		var v pveInt
		if err := json.Unmarshal([]byte(in), &v); err != nil || int64(v) != want {
			t.Errorf("pveInt(%s) = %d, %v; want %d", in, v, err, want)
		}
	}
	bools := map[string]bool{`1`: true, `0`: false, `"1"`: true, `"0"`: false, `true`: true, `false`: false, `null`: false, `"on"`: true, `""`: false}
	for in, want := range bools {
		var v pveBool
		if err := json.Unmarshal([]byte(in), &v); err != nil || bool(v) != want {
			t.Errorf("pveBool(%s) = %v, %v; want %v", in, v, err, want)
		}
	}
	floats := map[string]float64{`0.5`: 0.5, `"0.25"`: 0.25, `3`: 3, `null`: 0}
	for in, want := range floats {
		var v pveFloat
		if err := json.Unmarshal([]byte(in), &v); err != nil || float64(v) != want {
			t.Errorf("pveFloat(%s) = %v, %v; want %v", in, v, err, want)
		}
	}
	for _, in := range []string{`"abc"`, `{}`, `[1]`, `"1.5.2"`} {
		var v pveInt
		if err := json.Unmarshal([]byte(in), &v); err == nil {
			t.Errorf("pveInt(%s) = %d; want error", in, v)
		}
	}
	lists := map[string][]string{
		`"a;b"`: {"a", "b"}, `"a,b c"`: {"a", "b", "c"}, `";a;;"`: {"a"}, `""`: nil, `["x",1]`: {"x", "1"}, `null`: nil,
	}
	for in, want := range lists {
		var v pveList
		if err := json.Unmarshal([]byte(in), &v); err != nil || !cmp.Equal([]string(v), want) {
			t.Errorf("pveList(%s) = %q, %v; want %q", in, v, err, want)
		}
	}
}

// Proxmox is inconsistent about types; the structs must not care.
func TestLooseStructs(t *testing.T) {
	t.Run("OKResource", func(t *testing.T) {
		in := `{"id":"qemu/100","type":"qemu","vmid":"100","template":"1","tags":"prod;web db","maxcpu":"4","cpu":"0.5","mem":1.0e3,"hastate":null}`
		var got Resource
		if err := json.Unmarshal([]byte(in), &got); err != nil {
			t.Fatal(err)
		}
		want := Resource{ID: "qemu/100", Type: "qemu", VMID: 100, Template: true, Tags: []string{"prod", "web", "db"}, MaxCPU: 4, CPU: 0.5, Mem: 1000}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Resource (-want +got):\n%s", diff)
		}
	})
	t.Run("OKStringPort", func(t *testing.T) {
		// vncproxy and friends send ports as strings.
		var got struct {
			Port int    `json:"port"`
			User string `json:"user"`
		}
		if err := looseUnmarshal([]byte(`{"port":"5900","user":12}`), &got); err != nil || got.Port != 5900 || got.User != "12" {
			t.Errorf("looseUnmarshal = %+v, %v; want port 5900, user \"12\"", got, err)
		}
	})
	t.Run("OKTaskTimes", func(t *testing.T) {
		var got TaskStatus
		if err := json.Unmarshal([]byte(`{"status":"stopped","exitstatus":"WARNINGS: 2","starttime":"1700000000"}`), &got); err != nil {
			t.Fatal(err)
		}
		if got.Running || !got.OK() || !got.StartTime.Equal(time.Unix(1700000000, 0)) || !got.EndTime.IsZero() {
			t.Errorf("TaskStatus = %+v; want stopped, OK with warnings, start time set, no end time", got)
		}
	})
	t.Run("ErrWrongShape", func(t *testing.T) {
		var got Resource
		if err := json.Unmarshal([]byte(`{"vmid":{"x":1}}`), &got); err == nil {
			t.Errorf("Resource with an object VMID = %+v; want error", got)
		}
	})
}

func TestGuestConfigStrings(t *testing.T) {
	raw := map[string]json.RawMessage{
		"cores": json.RawMessage(`2`), "memory": json.RawMessage(`"2048"`), "onboot": json.RawMessage(`true`),
		"name": json.RawMessage(`"web"`), "gone": json.RawMessage(`null`), "weird": json.RawMessage(`{"a":1}`),
	}
	want := map[string]string{"cores": "2", "memory": "2048", "onboot": "1", "name": "web", "weird": `{"a":1}`}
	if diff := cmp.Diff(want, configStrings(raw)); diff != "" {
		t.Errorf("configStrings (-want +got):\n%s", diff)
	}
}

func TestDecodeRRDGaps(t *testing.T) {
	var raw []map[string]json.RawMessage
	in := `[{"time":120,"cpu":0.5,"netin":null},{"time":60,"cpu":"0.25","netin":100},{"time":180}]`
	if err := json.Unmarshal([]byte(in), &raw); err != nil {
		t.Fatal(err)
	}
	got, err := decodeRRD(raw)
	if err != nil {
		t.Fatal(err)
	}
	f := func(x float64) *float64 { return &x }
	want := []RRDPoint{
		{Time: 60, Values: map[string]*float64{"cpu": f(0.25), "netin": f(100)}},
		{Time: 120, Values: map[string]*float64{"cpu": f(0.5), "netin": nil}},
		{Time: 180, Values: map[string]*float64{"cpu": nil, "netin": nil}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("decodeRRD (-want +got):\n%s", diff)
	}
}

func TestPermissionsHas(t *testing.T) {
	p := Permissions{
		"/":          {"Sys.Audit": true, "VM.Audit": false},
		"/vms":       {"VM.Audit": true, "VM.PowerMgmt": true},
		"/vms/101":   {"VM.Audit": true},
		"/nodes/pve": {"Sys.Console": false},
	}
	tests := []struct {
		path, priv string
		want       bool
	}{
		{"/", "VM.Audit", true},            // listed path: propagation does not matter
		{"/vms/100", "VM.PowerMgmt", true}, // inherited from /vms
		{"/vms/101", "VM.PowerMgmt", false},
		{"/vms/101/", "VM.Audit", true},
		{"/storage/local", "VM.Audit", false}, // not propagated from /
		{"/storage/local", "Sys.Audit", true},
		{"/nodes/pve", "Sys.Console", true},
		{"/nodes/pve/x", "Sys.Console", false},
		{"/nodes/pve/x", "Sys.Audit", true}, // /nodes/pve propagates nothing; / decides
	}
	for _, tt := range tests {
		if got := p.Has(tt.path, tt.priv); got != tt.want {
			t.Errorf("Has(%q, %q) = %v; want %v", tt.path, tt.priv, got, tt.want)
		}
	}
}
