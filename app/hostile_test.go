package app

import (
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"cecyber/app/store"
	"cecyber/metrics"
	"cecyber/proxmox/pvesim"
)

// hostileStrings must each be refused as "invalid" wherever a bound
// method takes a string: NUL, a control character, the right-to-left
// override, and a megabyte.
var hostileStrings = map[string]string{
	"NUL":      "a\x00b",
	"control":  "a\x07b",
	"U+202E":   "abc\u202Edef",
	"1MB":      strings.Repeat("a", 1<<20),
	"1MB+bidi": strings.Repeat("\u202E", 1<<18),
}

// hostileInts and hostileFloats must never make a bound method panic,
// answer "internal", or return more than a chart can show.
var hostileInts = map[string]int64{
	"-1": -1, "2^62": 1 << 62, "-2^62": -1 << 62, "MaxInt64": math.MaxInt64, "MinInt64": math.MinInt64, "2000000": 2_000_000,
}

var hostileFloats = map[string]float64{
	"NaN": math.NaN(), "+Inf": math.Inf(1), "-Inf": math.Inf(-1), "-1": -1, "1e308": 1e308, "2^62": 1 << 62,
}

// TestBoundMethodsRefuseHostileValues walks every exported method of App
// (by reflection: a method added later is walked too) and calls it once per
// hostile value in each string or number it takes, alone or in a struct
// or slice argument, the other arguments being valid. Every hostile string
// must come back "invalid"; no value may panic, come back "internal",
// echo more than a short message, or make History and Sparklines return
// more points than a chart can show.
func TestBoundMethodsRefuseHostileValues(t *testing.T) {
	kc := testKeychain(t)
	sim := pvesim.NewTestServer(t, pvesim.Config{Nodes: 1, Guests: 4, Seed: 1})
	db, err := store.Open(filepath.Join(t.TempDir(), "cecyber.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	hist, err := metrics.Open(filepath.Join(t.TempDir(), "metrics.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { hist.Close() })
	pictures := t.TempDir()
	a, _ := newTestApp(t, Options{Store: db, Keychain: kc, Metrics: hist, Getenv: func(k string) string {
		if k == "XDG_PICTURES_DIR" {
			return pictures
		}
		return ""
	}})
	st, err := a.AddCluster(adminInput(sim, "Lab"), sim.Fingerprint)
	if err != nil {
		t.Fatalf("AddCluster: %v", err)
	}
	inv, _ := a.Inventory()
	guest := inv.Guests[0]
	now := time.Now().Unix()

	// Valid arguments for each method; a method missing here is called
	// with zero values around the hostile one, which still must be
	// refused.
	valid := map[string][]any{
		"Alerts":          {10},
		"SaveAlertRule":   {AlertRule{Name: "hot", Metric: "cpu", Scope: "all", Trigger: 50, Clear: 40, Enabled: true}},
		"DeleteAlertRule": {"rule-x"},
		"AckAlert":        {"al-x"},
		"SnoozeAlert":     {"al-x", 10},
		"OpenConsole":     {st.ID, guest.ID},
		"CloseConsole":    {"con-x"},
		"History":         {st.ID, guest.ID, []string{"cpu"}, now - 3600, now, 60},
		"Sparklines":      {st.ID, []string{guest.ID}, "cpu", now - 3600, now, 30},
		"ProbeCluster":    {adminInput(sim, "Lab 2")},
		"AddCluster":      {adminInput(sim, "Lab 3"), sim.Fingerprint},
		"UpdateCluster":   {st.ID, "Renamed", ""},
		"RemoveCluster":   {st.ID, false},
		"RetrustEndpoint": {st.ID, st.Endpoint, sim.Fingerprint},
		"SaveScreenshot":  {"cecyber-shot.png", "iVBORw0KGgo="},
		"SaveSettings":    {DefaultSettings()},
		"GuestAction":     {st.ID, guest.ID, "start", ActionOptions{}},
		"BulkAction":      {[]GuestTarget{{Cluster: st.ID, GuestID: guest.ID}}, "start", ActionOptions{}},
		"TaskLog":         {st.ID, guest.Node, "UPID:pve1:00000001:00000001:00000001:qmstart:101:root@pam:"},
		"GuestDetails":    {st.ID, guest.ID},

		"ProbeClusterAddress":   {st.ID, st.Endpoint},
		"UpdateClusterEndpoint": {st.ID, st.Endpoint, sim.Fingerprint, ""},
		"FindKeptHistory":       {adminInput(sim, "Lab 4"), sim.Fingerprint},
	}

	typ := reflect.TypeOf(a)
	calls := 0
	for i := range typ.NumMethod() {
		name := typ.Method(i).Name
		m := reflect.ValueOf(a).MethodByName(name)
		mt := m.Type()
		base := make([]reflect.Value, mt.NumIn())
		for j := range base {
			if v := valid[name]; v != nil {
				if len(v) != len(base) {
					t.Fatalf("%s takes %d arguments; the test gives %d", name, len(base), len(v))
				}
				base[j] = reflect.ValueOf(v[j])
			} else {
				base[j] = reflect.Zero(mt.In(j))
			}
		}
		for j := range base {
			for _, h := range hostileVariants(base[j]) {
				args := slices.Clone(base)
				args[j] = h.value
				what := fmt.Sprintf("%s(arg %d%s = %s)", name, j, h.path, h.name)
				out := callBound(t, what, m, args)
				calls++
				checkHostileResult(t, what, h.isString, out)
			}
		}
	}
	t.Logf("%d calls with hostile values", calls)

	// The two queries the issue measured: refused, not answered.
	for _, pts := range []int{2_000_000, 1 << 30} {
		if _, err := a.History(st.ID, guest.ID, []string{"cpu"}, 0, now, pts); err == nil || errorInfo(err).Code != "invalid" {
			t.Errorf("History(%d points) = %v; want invalid", pts, err)
		}
	}
	if _, err := a.History(st.ID, guest.ID, []string{"cpu"}, -1<<62, 1<<62, 1000); err == nil || errorInfo(err).Code != "invalid" {
		t.Errorf("History(-2^62, 2^62) = %v; want invalid", err)
	}
	if _, err := a.Sparklines(st.ID, []string{guest.ID}, "cpu", -1<<62, 1<<62, 100); err == nil || errorInfo(err).Code != "invalid" {
		t.Errorf("Sparklines(-2^62, 2^62) = %v; want invalid", err)
	}
}

type hostileValue struct {
	name     string
	path     string // ".Field" or "[0]" inside the argument; "" for the argument itself
	value    reflect.Value
	isString bool
}

// hostileVariants returns copies of v with one string or number (v
// itself, a field of a struct, or the first element of a slice) replaced
// by each hostile value.
func hostileVariants(v reflect.Value) []hostileValue {
	var out []hostileValue
	switch v.Kind() {
	case reflect.String:
		for n, s := range hostileStrings {
			out = append(out, hostileValue{name: n, value: reflect.ValueOf(s).Convert(v.Type()), isString: true})
		}
	case reflect.Int, reflect.Int64, reflect.Int32:
		for n, x := range hostileInts {
			nv := reflect.New(v.Type()).Elem()
			nv.SetInt(x)
			out = append(out, hostileValue{name: n, value: nv})
		}
	case reflect.Float64, reflect.Float32:
		for n, x := range hostileFloats {
			nv := reflect.New(v.Type()).Elem()
			nv.SetFloat(x)
			out = append(out, hostileValue{name: n, value: nv})
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if !v.Type().Field(i).IsExported() {
				continue
			}
			for _, h := range hostileVariants(v.Field(i)) {
				nv := reflect.New(v.Type()).Elem()
				nv.Set(v)
				nv.Field(i).Set(h.value)
				out = append(out, hostileValue{name: h.name, path: "." + v.Type().Field(i).Name + h.path, value: nv, isString: h.isString})
			}
		}
	case reflect.Slice:
		elem := reflect.Zero(v.Type().Elem())
		if v.Len() > 0 {
			elem = v.Index(0)
		}
		for _, h := range hostileVariants(elem) {
			nv := reflect.MakeSlice(v.Type(), 1, 1)
			nv.Index(0).Set(h.value)
			out = append(out, hostileValue{name: h.name, path: "[0]" + h.path, value: nv, isString: h.isString})
		}
		// And far more elements than any window sends.
		if v.Len() > 0 {
			big := reflect.MakeSlice(v.Type(), 100_000, 100_000)
			for k := range big.Len() {
				big.Index(k).Set(v.Index(0))
			}
			out = append(out, hostileValue{name: "100000 elements", value: big})
		}
	}
	return out
}

// callBound calls m, turning a panic into a test failure.
func callBound(t *testing.T, what string, m reflect.Value, args []reflect.Value) (out []reflect.Value) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%s panicked: %v", what, r)
			out = nil
		}
	}()
	return m.Call(args)
}

func checkHostileResult(t *testing.T, what string, isString bool, out []reflect.Value) {
	t.Helper()
	if out == nil {
		return // panicked, reported
	}
	for _, o := range out {
		switch r := o.Interface().(type) {
		case Series:
			if len(r.Times) > metrics.MaxPoints {
				t.Errorf("%s returned %d points; want at most %d", what, len(r.Times), metrics.MaxPoints)
			}
		case Sparklines:
			if len(r.Times) > metrics.MaxPoints {
				t.Errorf("%s returned %d points; want at most %d", what, len(r.Times), metrics.MaxPoints)
			}
		}
	}
	var err error
	if len(out) > 0 {
		if e, ok := out[len(out)-1].Interface().(error); ok {
			err = e
		}
	}
	if err == nil {
		if isString && len(out) > 0 && out[len(out)-1].Type().Implements(reflect.TypeFor[error]()) {
			t.Errorf("%s succeeded; want it refused as invalid", what)
		}
		return
	}
	info := errorInfo(err)
	switch {
	case info.Code == "internal" || !slices.Contains(windowCodes, info.Code):
		t.Errorf("%s: code %q (%s); want one the window translates, not internal", what, info.Code, info.Message)
	case isString && info.Code != "invalid":
		t.Errorf("%s: code %q (%s); want invalid", what, info.Code, info.Message)
	}
	text := info.Message + info.Detail + fmt.Sprint(info.Params)
	if len(text) > 2000 || strings.ContainsAny(text, "\x00\x07\u202E") {
		t.Errorf("%s: the answer echoes the hostile value (%d bytes)", what, len(text))
	}
}
