package app

import (
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"cecyber/metrics"
	"cecyber/proxmox"
	"cecyber/proxmox/pvesim"
)

// TestShutdownDuringPollWritesNothing: a Refresh whose poll is past its
// main requests (resources, version, permissions answered) and waits for
// its last one when the app quits writes nothing, and tries to write
// nothing, to the history, then or after the stores are closed.
func TestShutdownDuringPollWritesNothing(t *testing.T) {
	sim := pvesim.NewTestServer(t, pvesim.Config{Nodes: 2, Guests: 4, Seed: 1})
	path := filepath.Join(t.TempDir(), "metrics.db")
	hist, err := metrics.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	logs := &logBuffer{}
	a, _ := newTestApp(t, Options{Metrics: hist, Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})

	// Hold the poll's last requests (the nodes' rrddata) at the server.
	entered := make(chan struct{}, 4)
	release := make(chan struct{})
	var once sync.Once
	sim.SetRequestHook(func(method, path, node string) {
		if strings.HasSuffix(path, "/rrddata") {
			entered <- struct{}{}
			<-release
		}
	})
	t.Cleanup(func() { once.Do(func() { close(release) }) })

	tok := sim.AdminToken()
	if _, err := a.addCluster(clusterSpec{id: "c1", name: "lab", cfg: proxmox.Config{Endpoint: sim.URL, TokenID: tok.ID,
		Secret: tok.Secret, Fingerprint: sim.Fingerprint}}); err != nil {
		t.Fatal(err)
	}
	refreshed := make(chan struct{})
	go func() {
		defer close(refreshed)
		a.Refresh()
	}()
	<-entered // resources, version and permissions are answered
	a.shutdown()
	if err := hist.Close(); err != nil {
		t.Fatal(err)
	}
	once.Do(func() { close(release) })
	<-refreshed

	for _, bad := range []string{"store metric history", "closed"} {
		if strings.Contains(logs.String(), bad) {
			t.Errorf("the log shows a write tried during or after shutdown (%q):\n%s", bad, logs.String())
		}
	}
	h, err := metrics.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	var n int
	if err := h.DB().QueryRow("SELECT count(*) FROM raw").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d history rows written by a poll cut short by shutdown; want none", n)
	}
}
