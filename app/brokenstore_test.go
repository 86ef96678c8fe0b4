package app

import (
	"fmt"
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

// windowCodes are the error codes the window translates
// (frontend/src/lib/types.ts ERROR_CODES).
var windowCodes = []string{"invalid", "unreachable", "timeout", "unauthorized", "forbidden", "notfound",
	"fingerprint", "server", "unavailable", "keychain", "conflict", "database", "storage", "internal"}

// leaks are words that only come from SQL, SQLite or Go's own error text.
var leaks = []string{"sql", "sqlite", "database is closed", "%!", "runtime error", "<nil>", "goroutine", "context canceled", "no such table"}

// TestBrokenStoreErrors calls every bound method once the database and the
// metric history have stopped working underneath the app (both closed),
// and checks what the window would get: a code it knows, and no SQL or Go
// text in the message, the detail or the parameters.
func TestBrokenStoreErrors(t *testing.T) {
	kc := testKeychain(t)
	sim := pvesim.NewTestServer(t, pvesim.Config{Nodes: 1, Guests: 4, Seed: 1})
	db, err := store.Open(filepath.Join(t.TempDir(), "cecyber.db"))
	if err != nil {
		t.Fatal(err)
	}
	hist, err := metrics.Open(filepath.Join(t.TempDir(), "metrics.db"))
	if err != nil {
		t.Fatal(err)
	}
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

	db.Close()
	hist.Close()

	now := time.Now().Unix()
	args := map[string][]any{
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
		"SaveScreenshot":  {"shot.png", "iVBORw0KGgo="},
		"SaveSettings":    {DefaultSettings()},
		"GuestAction":     {st.ID, guest.ID, "start", ActionOptions{}},
		"BulkAction":      {[]GuestTarget{{Cluster: st.ID, GuestID: guest.ID}}, "start", ActionOptions{}},
		"TaskLog":         {st.ID, guest.Node, "UPID:pve1:00000001:00000001:00000001:qmstart:101:root@pam:"},
		"GuestDetails":    {st.ID, guest.ID},
	}
	// What the store's failure must come out as, for the methods that
	// need the store to answer.
	wantStorage := []string{"Alerts", "SaveAlertRule", "History", "Sparklines", "UpdateCluster", "SaveSettings", "RemoveCluster"}

	typ := reflect.TypeOf(a)
	var names []string
	for i := range typ.NumMethod() {
		names = append(names, typ.Method(i).Name)
	}
	// Removing goes last: the other methods need the cluster.
	slices.SortFunc(names, func(x, y string) int {
		if (x == "RemoveCluster") != (y == "RemoveCluster") {
			if x == "RemoveCluster" {
				return 1
			}
			return -1
		}
		return strings.Compare(x, y)
	})
	for _, name := range names {
		m := reflect.ValueOf(a).MethodByName(name)
		in := make([]reflect.Value, m.Type().NumIn())
		given := args[name]
		if given != nil && len(given) != len(in) {
			t.Fatalf("%s takes %d arguments; the test gives %d", name, len(in), len(given))
		}
		for i := range in {
			if given != nil {
				in[i] = reflect.ValueOf(given[i])
			} else {
				in[i] = reflect.Zero(m.Type().In(i))
			}
		}
		out := m.Call(in)
		if len(out) == 0 {
			continue
		}
		errV := out[len(out)-1]
		if !errV.Type().Implements(reflect.TypeFor[error]()) || errV.IsNil() {
			if slices.Contains(wantStorage, name) {
				t.Errorf("%s succeeded on a broken store", name)
			}
			continue
		}
		info := FormatError(errV.Interface().(error)).(ErrorInfo)
		t.Logf("%s: %s: %s", name, info.Code, info.Message)
		if !slices.Contains(windowCodes, info.Code) {
			t.Errorf("%s: code %q is not one the window translates", name, info.Code)
		}
		if slices.Contains(wantStorage, name) && info.Code != "storage" {
			t.Errorf("%s: code %q (%s); want storage", name, info.Code, info.Message)
		}
		text := strings.ToLower(info.Message + " " + info.Detail + " " + fmt.Sprint(info.Params))
		for _, w := range leaks {
			if strings.Contains(text, w) {
				t.Errorf("%s: the window would see %q: %+v", name, w, info)
			}
		}
	}
}
