package app

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"cecyber/app/store"
	"cecyber/metrics"
	"cecyber/proxmox"
	"cecyber/proxmox/pvesim"
)

// resourcesGate holds /cluster/resources requests while armed, so a test
// knows a poll is in flight and decides when it may go on.
type resourcesGate struct {
	next    http.Handler
	armed   atomic.Bool
	entered chan struct{}
	release chan struct{}
}

func (g *resourcesGate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if g.armed.Load() && strings.HasSuffix(r.URL.Path, "/cluster/resources") {
		g.entered <- struct{}{}
		select {
		case <-g.release:
		case <-r.Context().Done():
		}
	}
	g.next.ServeHTTP(w, r)
}

// TestRemoveClusterWaitsForPollInFlight: removing a cluster while one of
// its polls is in flight leaves nothing of it behind once that poll is
// over: no history rows, no open alert (in memory or in the database).
// The poll is held at the server, so the order is fixed, not timed.
func TestRemoveClusterWaitsForPollInFlight(t *testing.T) {
	kc := testKeychain(t)
	sim := pvesim.New(pvesim.Config{Nodes: 1, Guests: 2, Seed: 1})
	t.Cleanup(func() { sim.Close() })
	gate := &resourcesGate{next: sim, entered: make(chan struct{}), release: make(chan struct{})}
	srv := httptest.NewTLSServer(gate)
	t.Cleanup(srv.Close)

	db := store.MustOpenDB(t)
	hist, err := metrics.Open(filepath.Join(t.TempDir(), "metrics.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { hist.Close() })
	a, _ := newTestApp(t, Options{Store: db, Keychain: kc, Metrics: hist})

	tok := sim.AdminToken()
	st, err := a.AddCluster(ClusterInput{Name: "Lab", Address: srv.URL, TokenID: tok.ID, Secret: tok.Secret},
		proxmox.FormatFingerprint(srv.Certificate().Raw))
	if err != nil {
		t.Fatalf("AddCluster: %v", err)
	}
	rows := func() (n int) {
		if err := hist.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		hist.DB().QueryRow(`SELECT count(*) FROM targets WHERE cluster = ?`, st.ID).Scan(&n)
		return n
	}
	if rows() == 0 {
		t.Fatal("the first poll stored no history")
	}

	// The next poll sees a guest at 97% CPU: it would open a (pending)
	// CPU alert and store samples, if it were allowed to finish.
	sim.SetGuestCPU(101, 0.97)
	gate.armed.Store(true)
	polled := make(chan struct{})
	go func() {
		defer close(polled)
		a.Refresh()
	}()
	<-gate.entered

	if err := a.RemoveCluster(st.ID, false); err != nil {
		t.Fatalf("RemoveCluster: %v", err)
	}
	close(gate.release) // too late for the poll to do harm, if it still runs
	<-polled

	if n := rows(); n != 0 {
		t.Errorf("%d history targets of the removed cluster came back", n)
	}
	for _, al := range a.openAlerts() {
		if al.Cluster == st.ID {
			t.Errorf("ghost alert in the inventory: %+v", al)
		}
	}
	open, err := db.OpenAlerts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, al := range open {
		if al.Cluster == st.ID {
			t.Errorf("ghost alert in the database: %+v", al)
		}
	}
	if _, err := a.findCluster(st.ID); err == nil {
		t.Error("the removed cluster is still listed")
	}
}
