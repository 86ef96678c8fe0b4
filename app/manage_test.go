package app

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"cecyber/app/secrets"
	"cecyber/app/store"
	"cecyber/proxmox"
	"cecyber/proxmox/pvesim"
)

// testKeychain is the real OS keychain (a Secret Service on Linux) under a
// service name of its own, emptied when the test ends. make test provides a
// private gnome-keyring; without one the test fails, loudly, unless told to
// skip with CECYBER_NO_KEYCHAIN_TESTS=1.
func testKeychain(t *testing.T) secrets.Keychain {
	t.Helper()
	// Windows (Credential Manager) and macOS (Keychain) always have theirs.
	if runtime.GOOS == "linux" && os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		if os.Getenv("CECYBER_NO_KEYCHAIN_TESTS") == "1" {
			t.Skip("no Secret Service; CECYBER_NO_KEYCHAIN_TESTS=1")
		}
		t.Fatal("no D-Bus session, so no Secret Service for the keychain tests: run them with app/secrets/testdata/with-keyring.sh go test ./... (make test does), or set CECYBER_NO_KEYCHAIN_TESTS=1 to skip them")
	}
	b := make([]byte, 4)
	rand.Read(b)
	return secrets.Keychain{Service: "cecyber-test-" + hex.EncodeToString(b)}
}

// logBuffer collects everything the app logs, for the canary test.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

type managed struct {
	app    *App
	rec    *recorder
	db     *store.DB
	dbPath string
	kc     secrets.Keychain
	logs   *logBuffer
}

// newManagedApp is an App with a real database file and the real keychain.
func newManagedApp(t *testing.T, kc secrets.Keychain, dbPath string) managed {
	t.Helper()
	if dbPath == "" {
		dbPath = filepath.Join(t.TempDir(), "cecyber.db")
	}
	db, err := store.Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	logs := &logBuffer{}
	a, rec := newTestApp(t, Options{
		Store:    db,
		Keychain: kc,
		Logger:   slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	t.Cleanup(func() { db.Close() })
	return managed{app: a, rec: rec, db: db, dbPath: dbPath, kc: kc, logs: logs}
}

func adminInput(sim *pvesim.Server, name string) ClusterInput {
	tok := sim.AdminToken()
	return ClusterInput{Name: name, Address: sim.URL, TokenID: tok.ID, Secret: tok.Secret}
}

func wantCode(t *testing.T, what string, err error, code string) ErrorInfo {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error; want %s", what, code)
	}
	info := errorInfo(err)
	if info.Code != code {
		t.Fatalf("%s: error %q (%s); want code %s", what, info.Code, info.Message, code)
	}
	return info
}

func TestProbeClusterChecksFields(t *testing.T) {
	sim := pvesim.NewTestServer(t, pvesim.Config{Nodes: 1, Guests: 2})
	a, _ := newTestApp(t, Options{})
	good := adminInput(sim, "Lab")
	tests := []struct {
		name   string
		edit   func(*ClusterInput)
		field  string
		reason string
	}{
		{"ErrNoName", func(in *ClusterInput) { in.Name = " " }, "name", "empty"},
		{"ErrNoAddress", func(in *ClusterInput) { in.Address = "" }, "address", "empty"},
		{"ErrHTTP", func(in *ClusterInput) { in.Address = "http://pve.example.com:8006" }, "address", "http"},
		{"ErrPort", func(in *ClusterInput) { in.Address = "pve.example.com:99999" }, "address", "badPort"},
		{"ErrTokenNameOnly", func(in *ClusterInput) { in.TokenID = "cecyber" }, "tokenId", "noUser"},
		{"ErrNoTokenName", func(in *ClusterInput) { in.TokenID = "root@pam" }, "tokenId", "noTokenName"},
		{"ErrNoRealm", func(in *ClusterInput) { in.TokenID = "root!cecyber" }, "tokenId", "noRealm"},
		{"ErrSecretInID", func(in *ClusterInput) { in.TokenID = "root@pam!cecyber=abc" }, "tokenId", "badChars"},
		{"ErrNoSecret", func(in *ClusterInput) { in.Secret = "" }, "secret", "empty"},
		{"ErrSecretFormat", func(in *ClusterInput) { in.Secret = "hunter2" }, "secret", "format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := good
			tt.edit(&in)
			_, err := a.ProbeCluster(in)
			info := wantCode(t, "ProbeCluster", err, "invalid")
			if info.Params["field"] != tt.field || info.Params["reason"] != tt.reason {
				t.Errorf("ProbeCluster() params %v; want field %s reason %s (%s)", info.Params, tt.field, tt.reason, info.Message)
			}
		})
	}
	t.Run("OK", func(t *testing.T) {
		for _, addr := range []string{sim.URL, strings.TrimPrefix(sim.URL, "https://")} {
			in := good
			in.Address = addr
			p, err := a.ProbeCluster(in)
			if err != nil {
				t.Fatalf("ProbeCluster(%s) error = %v", addr, err)
			}
			if p.Certificate.Fingerprint != sim.Fingerprint || p.Version != "9.1.2" || p.Endpoint != sim.URL {
				t.Errorf("ProbeCluster(%s) = %+v; want fingerprint %s, version 9.1.2", addr, p, sim.Fingerprint)
			}
		}
	})
	t.Run("OK84", func(t *testing.T) {
		sim84 := pvesim.NewTestServer(t, pvesim.Config{Nodes: 1, Guests: 2, Version: pvesim.Version84})
		p, err := a.ProbeCluster(adminInput(sim84, "Lab84"))
		if err != nil || p.Version != pvesim.Version84 || p.Certificate.Fingerprint != sim84.Fingerprint {
			t.Errorf("ProbeCluster(8.4) = %+v, %v; want version %s", p, err, pvesim.Version84)
		}
	})
	t.Run("ErrUnreachable", func(t *testing.T) {
		in := good
		in.Address = "https://127.0.0.1:1"
		wantCode(t, "ProbeCluster(closed port)", func() error { _, err := a.ProbeCluster(in); return err }(), "unreachable")
	})
}

func TestAddClusterLifecycle(t *testing.T) {
	kc := testKeychain(t)
	sim := pvesim.NewTestServer(t, pvesim.Config{Nodes: 3, Guests: 9})
	other := pvesim.NewTestServer(t, pvesim.Config{Nodes: 1, Guests: 1, Seed: 7})
	m := newManagedApp(t, kc, "")
	ctx := context.Background()
	in := adminInput(sim, "Lab")

	// A fingerprint other than the server's: nothing is sent, nothing kept.
	wantCode(t, "AddCluster(wrong fingerprint)", func() error { _, err := m.app.AddCluster(in, other.Fingerprint); return err }(), "fingerprint")
	if list, _ := m.db.Clusters(ctx); len(list) != 0 {
		t.Fatalf("after a refused fingerprint the database has %d clusters", len(list))
	}

	bad := in
	bad.Secret = "00000000-0000-0000-0000-000000000000"
	wantCode(t, "AddCluster(wrong secret)", func() error { _, err := m.app.AddCluster(bad, sim.Fingerprint); return err }(), "unauthorized")

	st, err := m.app.AddCluster(in, sim.Fingerprint)
	if err != nil {
		t.Fatalf("AddCluster() error = %v", err)
	}
	if st.Status != "ok" || st.ClusterName != "demo" || len(st.Endpoints) != 3 || st.Permissions == nil {
		t.Fatalf("AddCluster() = %+v; want ok, cluster demo, 3 pinned endpoints, permissions", st)
	}
	for _, e := range st.Endpoints {
		if e.Node == "" || e.Fingerprint != sim.NodeFingerprint(e.Node) || e.URL != sim.NodeURL(e.Node) {
			t.Errorf("endpoint %+v; want node %s pinned to %s", e, e.Node, sim.NodeFingerprint(e.Node))
		}
	}
	if got, err := kc.Get(st.ID); err != nil || got != in.Secret {
		t.Errorf("keychain holds %q, %v; want the secret", got, err)
	}
	saved, err := m.db.Clusters(ctx)
	if err != nil || len(saved) != 1 || len(saved[0].Endpoints) != 3 || saved[0].TokenID != in.TokenID {
		t.Fatalf("database has %+v, %v; want the cluster with 3 endpoints", saved, err)
	}

	dup := adminInput(sim, "lab")
	info := wantCode(t, "AddCluster(same name)", func() error { _, err := m.app.AddCluster(dup, sim.Fingerprint); return err }(), "invalid")
	if info.Params["reason"] != "duplicate" {
		t.Errorf("same name: %v; want reason duplicate", info.Params)
	}

	// A new start finds the cluster again, secret from the keychain.
	m.app.shutdown()
	again, rec := newTestApp(t, Options{Store: m.db, Keychain: kc})
	waitInventory(t, rec, func(inv Inventory) bool { return len(inv.Guests) == 9 })
	if got, _ := again.Inventory(); len(got.Clusters) != 1 || got.Clusters[0].Status != "ok" {
		t.Fatalf("after restart: %+v; want the saved cluster polled", got.Clusters)
	}

	// Rename, and a replacement secret that Proxmox refuses changes nothing.
	if _, err := again.UpdateCluster(st.ID, "Lab 2", "11111111-1111-1111-1111-111111111111"); err == nil {
		t.Fatal("UpdateCluster with a wrong secret succeeded")
	}
	if got, _ := kc.Get(st.ID); got != in.Secret {
		t.Error("a refused secret replaced the stored one")
	}
	up, err := again.UpdateCluster(st.ID, "Lab 2", "")
	if err != nil || up.Name != "Lab 2" {
		t.Fatalf("UpdateCluster(rename) = %+v, %v", up, err)
	}

	if err := again.RemoveCluster(st.ID, false); err != nil {
		t.Fatalf("RemoveCluster() = %v", err)
	}
	if _, err := kc.Get(st.ID); secrets.ReasonOf(err) != secrets.ReasonNotFound {
		t.Errorf("keychain after removal: %v; want not found", err)
	}
	if list, _ := m.db.Clusters(ctx); len(list) != 0 {
		t.Errorf("database after removal has %d clusters", len(list))
	}
}

// waitInventory waits for an inventory event that satisfies ok.
func waitInventory(t *testing.T, rec *recorder, ok func(Inventory) bool) Inventory {
	t.Helper()
	deadline := time.After(15 * time.Second)
	for {
		for _, ev := range rec.all() {
			if inv, is := ev.data.(Inventory); is && ok(inv) {
				return inv
			}
		}
		select {
		case <-rec.got:
		case <-deadline:
			t.Fatal("no matching inventory event")
		}
	}
}

// waitTask waits for the task event of upid that ends it.
func waitTask(t *testing.T, rec *recorder, upid string) Task {
	t.Helper()
	deadline := time.After(90 * time.Second)
	for {
		for _, ev := range rec.all() {
			if task, is := ev.data.(Task); is && task.UPID == upid && task.Status != "running" {
				return task
			}
		}
		select {
		case <-rec.got:
		case <-deadline:
			t.Fatalf("task %s did not end", upid)
		}
	}
}

func TestFailoverAndCertificateRotation(t *testing.T) {
	kc := testKeychain(t)
	sim := pvesim.NewTestServer(t, pvesim.Config{Nodes: 3, Guests: 6})
	m := newManagedApp(t, kc, "")
	st, err := m.app.AddCluster(adminInput(sim, "Lab"), sim.Fingerprint)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := m.app.findCluster(st.ID)

	sim.SetNodeOnline("pve1", false)
	c.poller.Poll(context.Background())
	s := c.snapshot()
	if s.state.Status != "ok" {
		t.Fatalf("with pve1 down: %+v; want ok through another node", s.state.Error)
	}
	active := ""
	for _, e := range s.state.Endpoints {
		if e.Active {
			active = e.Node
		}
	}
	if active == "" || active == "pve1" {
		t.Errorf("active endpoint %q; want another node than pve1", active)
	}
	sim.SetNodeOnline("pve1", true)

	// A renewed certificate is never used before the user re-trusts it.
	old := sim.NodeFingerprint("pve2")
	renewed := sim.RotateCertificate("pve2")
	sim.SetNodeOnline("pve1", false)
	sim.SetNodeOnline("pve3", false)
	c.poller.Poll(context.Background())
	s = c.snapshot()
	if s.state.Status != "error" || s.state.CertChange == nil {
		t.Fatalf("after pve2's certificate changed: %+v; want an error and a certificate change", s.state)
	}
	if ch := s.state.CertChange; ch.Expected != old || ch.Actual.Fingerprint != renewed || ch.Node != "pve2" {
		t.Errorf("CertChange = %+v; want pve2 %s → %s", ch, old, renewed)
	}
	if _, err := m.app.RetrustEndpoint(st.ID, sim.NodeURL("pve2"), old); err == nil {
		t.Error("RetrustEndpoint accepted the old fingerprint for the renewed certificate")
	}
	got, err := m.app.RetrustEndpoint(st.ID, sim.NodeURL("pve2"), renewed)
	if err != nil {
		t.Fatalf("RetrustEndpoint() = %v", err)
	}
	if got.Status != "ok" || got.CertChange != nil {
		t.Errorf("after re-trust: %+v; want ok and no change pending", got)
	}
	saved, _ := m.db.Clusters(context.Background())
	for _, e := range saved[0].Endpoints {
		if e.Node == "pve2" && e.Fingerprint != renewed {
			t.Errorf("database pins pve2 to %s; want %s", e.Fingerprint, renewed)
		}
	}
}

func TestGuestActions(t *testing.T) {
	sim := pvesim.NewTestServer(t, pvesim.Config{Nodes: 3, Guests: 24})
	a, rec := newTestApp(t, Options{})
	tok := sim.AdminToken()
	connect(t, a, proxmox.Config{Endpoint: sim.URL, TokenID: tok.ID, Secret: tok.Secret, Fingerprint: sim.Fingerprint})

	t.Run("StartStopped", func(t *testing.T) {
		task, err := a.GuestAction("c1", "qemu/102", "start", ActionOptions{})
		if err != nil {
			t.Fatalf("GuestAction(start) = %v", err)
		}
		if task.Status != "running" || task.VMID != 102 || task.GuestName == "" {
			t.Errorf("task = %+v; want a running task for 102", task)
		}
		end := waitTask(t, rec, task.UPID)
		if end.Status != "ok" || end.ExitStatus != "OK" {
			t.Errorf("task ended %+v; want OK", end)
		}
		// The inventory shows it at once, without waiting for the next poll.
		c, _ := a.findCluster("c1")
		if g, _ := c.findGuest("qemu/102"); g.Status != "running" {
			t.Errorf("after the task VM 102 is %q; want running", g.Status)
		}
		if list, _ := a.Tasks(); len(list) == 0 || list[0].UPID != task.UPID {
			t.Errorf("Tasks() does not start with the new task")
		}
		lines, err := a.TaskLog("c1", task.Node, task.UPID)
		if err != nil || len(lines) == 0 {
			t.Errorf("TaskLog() = %v, %v; want lines", lines, err)
		}
	})

	t.Run("FailingTask", func(t *testing.T) {
		sim.SetTaskFailure(106, "start", "start failed: simulated storage error")
		task, err := a.GuestAction("c1", "qemu/106", "start", ActionOptions{})
		if err != nil {
			t.Fatal(err)
		}
		end := waitTask(t, rec, task.UPID)
		if end.Status != "error" || !strings.Contains(end.ExitStatus, "simulated storage error") {
			t.Errorf("task ended %+v; want Proxmox's error text", end)
		}
	})

	t.Run("ShutdownTimeout", func(t *testing.T) {
		sim.SetGuestIgnoresACPI(101, true)
		task, err := a.GuestAction("c1", "qemu/101", "shutdown", ActionOptions{Timeout: 1})
		if err != nil {
			t.Fatal(err)
		}
		end := waitTask(t, rec, task.UPID)
		if end.Status != "error" || !strings.Contains(end.ExitStatus, "timeout") {
			t.Errorf("shutdown ended %+v; want the timeout error", end)
		}
	})

	t.Run("StopOverrulesShutdown", func(t *testing.T) {
		// 101 ignores ACPI (above): its shutdown would run for 10 minutes.
		shutdown, err := a.GuestAction("c1", "qemu/101", "shutdown", ActionOptions{Timeout: 600})
		if err != nil {
			t.Fatal(err)
		}
		stop, err := a.GuestAction("c1", "qemu/101", "stop", ActionOptions{OverruleShutdown: true})
		if err != nil {
			t.Fatalf("stop overruling the shutdown: %v", err)
		}
		if end := waitTask(t, rec, stop.UPID); end.Status != "ok" {
			t.Errorf("the overruling stop ended %+v; want OK", end)
		}
		if end := waitTask(t, rec, shutdown.UPID); end.Status != "error" || end.ExitStatus != "received interrupt" {
			t.Errorf("the overruled shutdown ended %+v; want received interrupt", end)
		}
		if s, _ := sim.GuestStatus(101); s != "stopped" {
			t.Errorf("VM 101 is %s; want stopped", s)
		}
	})

	t.Run("ErrNoResetForContainers", func(t *testing.T) {
		wantCode(t, "reset of a container", func() error { _, err := a.GuestAction("c1", "lxc/105", "reset", ActionOptions{}); return err }(), "invalid")
	})

	t.Run("ErrForbidden", func(t *testing.T) {
		b, _ := newTestApp(t, Options{})
		ro, _ := sim.Token(pvesim.AuditorTokenID)
		connect(t, b, proxmox.Config{Endpoint: sim.URL, TokenID: ro.ID, Secret: ro.Secret, Fingerprint: sim.Fingerprint})
		info := wantCode(t, "start with a read-only token", func() error { _, err := b.GuestAction("c1", "qemu/106", "start", ActionOptions{}); return err }(), "forbidden")
		if !strings.Contains(info.Detail, "Permission check failed (/vms/106, VM.PowerMgmt)") {
			t.Errorf("forbidden detail %q; want Proxmox's message", info.Detail)
		}
		// The refused start is in the task list, failed, with Proxmox's verdict.
		list, _ := b.Tasks()
		if len(list) != 1 || list[0].Action != "start" || list[0].VMID != 106 || list[0].Status != "error" ||
			list[0].UPID != "" || list[0].EndedAt == 0 || !strings.Contains(list[0].ExitStatus, "Permission check failed (/vms/106, VM.PowerMgmt)") ||
			list[0].Error == nil || list[0].Error.Code != "forbidden" {
			t.Errorf("Tasks() after a refused start = %+v; want one failed start of 106 with Proxmox's message", list)
		}
		// A second refusal is a second entry, not a replacement of the first.
		b.GuestAction("c1", "qemu/106", "start", ActionOptions{})
		if list, _ := b.Tasks(); len(list) != 2 {
			t.Errorf("after two refused starts Tasks() has %d entries; want 2", len(list))
		}
	})

	t.Run("Bulk", func(t *testing.T) {
		tasks, err := a.BulkAction([]GuestTarget{{"c1", "lxc/111"}, {"c1", "qemu/100"}}, "start", ActionOptions{})
		if err != nil || len(tasks) != 2 {
			t.Fatalf("BulkAction() = %v, %v", tasks, err)
		}
		if tasks[0].UPID == "" || tasks[0].Error != nil {
			t.Errorf("bulk start of 111: %+v; want a task", tasks[0])
		}
		// 100 is the template: Proxmox refuses it in the task.
		if tasks[1].UPID != "" {
			if end := waitTask(t, rec, tasks[1].UPID); end.Status != "error" {
				t.Errorf("starting the template ended %+v; want an error", end)
			}
		} else if tasks[1].Error == nil {
			t.Errorf("bulk start of the template: %+v; want an error", tasks[1])
		}
	})
}

// TestNoSecretAnywhere adds a cluster and then looks for its token secret in
// everything that leaves Go memory: the database file, the logs, every event
// and every value the bound methods return.
func TestNoSecretAnywhere(t *testing.T) {
	kc := testKeychain(t)
	sim := pvesim.NewTestServer(t, pvesim.Config{Nodes: 2, Guests: 6})
	m := newManagedApp(t, kc, "")
	in := adminInput(sim, "Lab")
	secret := in.Secret

	var returned []any
	keep := func(v any, err error) {
		returned = append(returned, v)
		if err != nil {
			returned = append(returned, errorInfo(err), FormatError(err))
		}
	}
	keep(m.app.ProbeCluster(in))
	st, err := m.app.AddCluster(in, sim.Fingerprint)
	keep(st, err)
	keep(m.app.AddCluster(in, sim.Fingerprint)) // duplicate: an error
	bad := in
	bad.Name = "Other"
	bad.Secret = "22222222-2222-2222-2222-222222222222"
	keep(m.app.AddCluster(bad, sim.Fingerprint)) // wrong secret: an error
	keep(m.app.Inventory())
	keep(m.app.Refresh())
	task, err := m.app.GuestAction(st.ID, "qemu/102", "start", ActionOptions{})
	keep(task, err)
	if err == nil {
		keep(waitTask(t, m.rec, task.UPID), nil)
		keep(m.app.TaskLog(st.ID, task.Node, task.UPID))
	}
	keep(m.app.Tasks())
	keep(m.app.OpenConsole(st.ID, "qemu/101"))
	keep(m.app.GuestDetails(st.ID, "qemu/102"))
	keep(m.app.UpdateCluster(st.ID, "Lab renamed", ""))
	keep(m.app.Environment(), nil)
	for _, ev := range m.rec.all() {
		returned = append(returned, ev.data)
	}
	for i, v := range returned {
		b, _ := json.Marshal(v)
		if strings.Contains(string(b), secret) {
			t.Errorf("value %d sent to the window contains the secret: %s", i, b)
		}
	}
	if strings.Contains(m.logs.String(), secret) {
		t.Error("the logs contain the secret")
	}
	// Removing the cluster deletes its keychain entry; SQLite does not wipe
	// deleted rows, so the files below still show whatever was written.
	if err := m.app.RemoveCluster(st.ID, false); err != nil {
		t.Errorf("RemoveCluster() = %v", err)
	}
	m.app.shutdown()
	m.db.Close()
	files, _ := filepath.Glob(m.dbPath + "*")
	if len(files) == 0 {
		t.Fatal("no database files to check")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(secret)) {
			t.Errorf("%s contains the secret", f)
		}
	}
}

func TestGuestMovedOrVanished(t *testing.T) {
	sim := pvesim.NewTestServer(t, pvesim.Config{Nodes: 3, Guests: 24})
	a, rec := newTestApp(t, Options{})
	tok := sim.AdminToken()
	connect(t, a, proxmox.Config{Endpoint: sim.URL, TokenID: tok.ID, Secret: tok.Secret, Fingerprint: sim.Fingerprint})

	t.Run("Moved", func(t *testing.T) {
		from, _ := sim.GuestNode(102)
		to := "pve1"
		if from == to {
			to = "pve3"
		}
		sim.MoveGuest(102, to)
		task, err := a.GuestAction("c1", "qemu/102", "start", ActionOptions{})
		if err != nil {
			t.Fatalf("start of a guest moved from %s to %s: %v", from, to, err)
		}
		if task.Node != to {
			t.Errorf("task runs on %s; want %s, where the guest is now", task.Node, to)
		}
		if end := waitTask(t, rec, task.UPID); end.Status != "ok" {
			t.Errorf("task ended %+v", end)
		}
	})
	t.Run("ErrVanished", func(t *testing.T) {
		sim.RemoveGuest(106)
		info := wantCode(t, "start of a removed guest", func() error { _, err := a.GuestAction("c1", "qemu/106", "start", ActionOptions{}); return err }(), "notfound")
		if info.Params["vmid"] != "106" {
			t.Errorf("params %v; want the VMID", info.Params)
		}
		c, _ := a.findCluster("c1")
		if _, ok := c.findGuest("qemu/106"); ok {
			t.Error("the removed guest is still in the inventory")
		}
	})
}
