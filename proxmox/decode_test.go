package proxmox

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestTolerantScalars(t *testing.T) {
	ints := map[string]int64{`5900`: 5900, `"5900"`: 5900, `" 7 "`: 7, `""`: 0, `null`: 0, `2.0`: 2, `1e3`: 1000, `true`: 1, `-9223372036854775808`: -1 << 63, `-9.223372036854775808e18`: -1 << 63}
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
	// 2^63 does not fit; as a float it equals float64(math.MaxInt64).
	for _, in := range []string{`"abc"`, `{}`, `[1]`, `"1.5.2"`, `9223372036854775808`, `"9.3e18"`, `-9.3e18`} {
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

// resourceInputs are /cluster/resources members in every shape Proxmox has
// been seen to send and some it has not, for the fast decoder's tests.
var resourceInputs = []string{
	`{"id":"qemu/100","type":"qemu","node":"pve1","name":"web","status":"running","vmid":100,"pool":"p","template":0,"tags":"a;b","lock":"backup","hastate":"started","cpu":0.125,"maxcpu":4,"mem":1024,"maxmem":"2048","memhost":3,"disk":0,"maxdisk":10,"netin":1,"netout":2,"diskread":3,"diskwrite":4,"uptime":5}`,
	`{"id":"storage/pve1/local","type":"storage","node":"pve1","storage":"local","plugintype":"dir","content":"iso,vztmpl","shared":1,"status":"available","disk":"5","maxdisk":"6"}`,
	`{"id":"node/pve1","type":"node","level":"","cpu":"0.5","maxcpu":"8","uptime":null,"status":"online"}`,
	` { "id" : "lxc/101" , "vmid" : "101" , "template" : "1" , "tags" : " x ; y " } `,
	`{}`, `null`, `{"id":"a","id":"b"}`, `{"id":"a","id":null}`, `{"vmid":5,"vmid":"6"}`,
	`{"name":"  padded\t"}`, `{"name":"   "}`, `{"name":"caf\u00e9"}`, `{"name":"café ☕"}`, `{"name":"a\"b"}`, "{\"name\":\"bad\xff\"}",
	`{"name":5}`, `{"name":true}`, `{"name":-1.5e3}`, `{"tags":["x",1]}`, `{"tags":""}`, `{"tags":7}`, `{"tags":null}`,
	`{"vmid":1.0e3}`, `{"vmid":"2.0"}`, `{"vmid":""}`, `{"vmid":true}`, `{"vmid":"x"}`, `{"vmid":{"x":1}}`, `{"vmid":9223372036854775808}`,
	`{"mem":"-7"}`, `{"mem":"+7"}`, `{"mem":1e400}`, `{"cpu":"NaN"}`, `{"cpu":"inf"}`, `{"cpu":"0x1p-2"}`, `{"cpu":""}`,
	`{"template":"yes"}`, `{"template":"ON"}`, `{"template":2}`, `{"template":"0.0"}`, `{"template":"maybe"}`, `{"shared":false}`,
	`{"unknown":{"deep":[1,2,{"a":"b"}]},"id":"x"}`, `{"id":"x",}`, `{"id":"x"`, `{"id":01}`, `{"id":"x"} x`, `[]`, `"s"`, ``,
}

// The hand-written Resource decoder must agree with looseUnmarshal on
// everything: what it takes itself and what it hands back.
func TestResourceFastPathMatchesLoose(t *testing.T) {
	for _, in := range resourceInputs {
		var fast, loose Resource
		fastErr := fast.UnmarshalJSON([]byte(in))
		looseErr := looseUnmarshal([]byte(in), &loose)
		if (fastErr == nil) != (looseErr == nil) || fastErr != nil && fastErr.Error() != looseErr.Error() {
			t.Errorf("%s: error %v; looseUnmarshal gives %v", in, fastErr, looseErr)
		}
		if diff := cmp.Diff(loose, fast); diff != "" {
			t.Errorf("%s: (-looseUnmarshal +fast):\n%s", in, diff)
		}
		// Through encoding/json, which validates first and keeps the
		// old values of absent members.
		if json.Valid([]byte(in)) {
			viaJSON := Resource{ID: "old", VMID: 1, Tags: []string{"old"}}
			viaLoose := viaJSON
			jsonErr := json.Unmarshal([]byte(in), &viaJSON)
			looseErr := looseUnmarshal([]byte(in), &viaLoose)
			if (jsonErr == nil) != (looseErr == nil) || !cmp.Equal(viaJSON, viaLoose) {
				t.Errorf("%s: json.Unmarshal = %+v, %v; looseUnmarshal = %+v, %v", in, viaJSON, jsonErr, viaLoose, looseErr)
			}
		}
	}
	for _, dir := range []string{"pve8x", "pve9x"} {
		b, err := os.ReadFile(filepath.Join("testdata", "golden", dir, "cluster_resources.json"))
		if err != nil {
			t.Fatal(err)
		}
		var env struct{ Data []json.RawMessage }
		if err := json.Unmarshal(b, &env); err != nil || len(env.Data) == 0 {
			t.Fatalf("%s: %d resources, %v", dir, len(env.Data), err)
		}
		for _, raw := range env.Data {
			var fast, loose Resource
			if !decodeResourceFast(raw, &fast) {
				t.Errorf("%s: fast path declines %s", dir, raw)
			}
			if err := looseUnmarshal(raw, &loose); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(loose, fast); diff != "" {
				t.Errorf("%s: %s (-looseUnmarshal +fast):\n%s", dir, raw, diff)
			}
		}
	}
}
