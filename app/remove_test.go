package app

import (
	"context"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"cecyber/app/store"
	"cecyber/metrics"
	"cecyber/proxmox"
	"cecyber/proxmox/pvesim"
	"cecyber/proxmox/pvesim/memnet"
)

// TestRemoveClusterWaitsForPollInFlight: removing a cluster while one of
// its polls is in flight leaves nothing of it behind once that poll is
// over: no history rows, no open alert (in memory or in the database), no
// cluster row, no keychain entry.
//
// Everything but the keychain runs in a synctest bubble: the app, its
// poller, both SQLite stores, and the simulator, served over TLS on an
// in-memory network (memnet) that the cluster's client dials through
// proxmox.Config.DialContext, still pinned. synctest.Wait then says when
// the poll is held where the test wants it, and the bubble's clock decides
// when a held poll goes on; nothing is timed on the wall clock.
//
// The poll is held in two places:
//   - at the server, before /cluster/resources answers: removal cancels
//     the request, and the poll must write nothing;
//   - after the network, in its last step (OnPoll, about to store the
//     alert it made fire), held a minute on the bubble's clock: that
//     minute only passes once removal waits for the poller, and the
//     removal must delete what the poll wrote only after it ended. This
//     is the case that fails if removal does not wait.
func TestRemoveClusterWaitsForPollInFlight(t *testing.T) {
	keys := newOutsideKeychain(t, testKeychain(t))
	for _, hold := range []string{"AtServer", "AfterNetwork"} {
		t.Run(hold, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) { testRemoveHeldPoll(t, keys, hold == "AtServer") })
		})
	}
}

func testRemoveHeldPoll(t *testing.T, keys *outsideKeychain, atServer bool) {
	sim := pvesim.New(pvesim.Config{Nodes: 1, Guests: 2, Seed: 1})
	t.Cleanup(func() { sim.Close() })
	srv := serveInMemory(t, sim)

	db := store.MustOpenDB(t)
	hist, err := metrics.Open(filepath.Join(t.TempDir(), "metrics.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { hist.Close() })
	emit := &holdingEmitter{}
	a := New(Options{Store: db, Keychain: keys, Metrics: hist, PollInterval: time.Hour,
		Logger: slog.New(slog.DiscardHandler)})
	a.startup(context.Background(), emit)
	t.Cleanup(a.shutdown)
	// This test opens no console, and the console proxy listens on a real
	// loopback socket, which would keep the bubble from ever being idle.
	a.console.Close()
	a.console = nil

	id := addMemCluster(t, a, sim, srv)
	rows := func() (n int) {
		t.Helper()
		if err := hist.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		if err := hist.DB().QueryRow(`SELECT count(*) FROM targets WHERE cluster = ?`, id).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if rows() == 0 {
		t.Fatal("the first poll stored no history")
	}

	// A guest at 97% CPU for the CPU rule's five minutes: the next poll
	// makes its alert fire, stores samples and stores the alert, if it is
	// allowed to finish.
	sim.SetGuestCPU(101, 0.97)
	a.Refresh() // pending
	time.Sleep(5 * time.Minute)

	if atServer {
		srv.hold.Store(true)
	} else {
		emit.hold.Store(true)
	}
	polled := make(chan struct{})
	go func() {
		defer close(polled)
		a.Refresh()
	}()
	synctest.Wait()
	if atServer {
		if n := srv.held.Load(); n != 1 {
			t.Fatalf("%d requests held at the server once everything was blocked; want the poll's one", n)
		}
	} else {
		if n := emit.held.Load(); n != 1 {
			t.Fatalf("%d alerts held on their way out once everything was blocked; want the poll's one", n)
		}
		if !hasAlert(a.openAlerts(), id) {
			t.Fatal("the held poll made no alert fire: it would have nothing to write")
		}
	}

	if err := a.RemoveCluster(id, false); err != nil {
		t.Fatalf("RemoveCluster: %v", err)
	}
	srv.release()
	<-polled // on the bubble's clock: a poll still held goes on now
	synctest.Wait()

	if n := rows(); n != 0 {
		t.Errorf("%d history targets of the removed cluster came back", n)
	}
	if hasAlert(a.openAlerts(), id) {
		t.Errorf("ghost alert in the inventory: %+v", a.openAlerts())
	}
	open, err := db.OpenAlerts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, al := range open {
		if al.Cluster == id {
			t.Errorf("ghost alert in the database: %+v", al)
		}
	}
	if _, err := a.findCluster(id); err == nil {
		t.Error("the removed cluster is still listed")
	}
	if _, err := db.Cluster(context.Background(), id); err == nil {
		t.Error("the removed cluster is still in the database")
	}
	if _, err := keys.Get(id); err == nil {
		t.Error("the removed cluster's secret is still in the keychain")
	}
}

func hasAlert(open []Alert, cluster string) bool {
	for _, al := range open {
		if al.Cluster == cluster {
			return true
		}
	}
	return false
}

// addMemCluster adds the simulator as a cluster the way AddCluster does
// once the cluster is discovered (keychain, database, then addCluster and
// its first poll); AddCluster itself would discover it over the network.
func addMemCluster(t *testing.T, a *App, sim *pvesim.Sim, srv *memServer) string {
	t.Helper()
	tok := sim.AdminToken()
	node := sim.Nodes()[0]
	_, fp, _ := sim.NodeCertificate(node)
	id := newClusterID()
	spec := clusterSpec{id: id, name: "Lab", nodes: map[string]string{srv.url: node}, nodeNames: []string{node},
		cfg: proxmox.Config{Endpoint: srv.url, TokenID: tok.ID, Secret: tok.Secret, Fingerprint: fp,
			DialContext: srv.net.DialContext}}
	if err := a.opts.Keychain.Set(id, tok.Secret); err != nil {
		t.Fatal(err)
	}
	err := a.opts.Store.CreateCluster(a.ctx, &store.Cluster{ID: id, Name: spec.name, TokenID: tok.ID,
		Endpoints: []store.Endpoint{{URL: srv.url, Node: node, Fingerprint: fp}}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := a.addCluster(spec)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.poller.Poll(a.ctx); err != nil {
		t.Fatal(err)
	}
	if st := c.snapshot().state; st.Error != nil {
		t.Fatalf("first poll: %+v", st.Error)
	}
	return id
}

// memServer serves a simulator over TLS on an in-memory network, in the
// caller's bubble. While hold is set, /cluster/resources requests wait
// at the server until release or until their client gives up.
type memServer struct {
	net  *memnet.Network
	url  string
	hold atomic.Bool
	held atomic.Int32

	releaseOnce sync.Once
	released    chan struct{}
}

func serveInMemory(t *testing.T, sim *pvesim.Sim) *memServer {
	t.Helper()
	tlsCfg, _ := sim.TLSConfig(sim.Nodes()[0])
	s := &memServer{net: &memnet.Network{}, url: "https://127.0.0.1:8006", released: make(chan struct{})}
	ln, err := s.net.Listen("127.0.0.1:8006")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(memnet.ServeTLS(ln, tlsCfg, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.hold.Load() && strings.HasSuffix(r.URL.Path, "/cluster/resources") {
			s.held.Add(1)
			select {
			case <-s.released:
			case <-r.Context().Done():
				return
			}
		}
		sim.ServeHTTP(w, r)
	})))
	return s
}

func (s *memServer) release() { s.releaseOnce.Do(func() { close(s.released) }) }

// holdingEmitter is the window. While hold is set, telling it an alert
// fired takes a minute of the bubble's clock: the poll that made it fire
// is then held after its last network request, in OnPoll, before it
// stores the alert.
type holdingEmitter struct {
	hold atomic.Bool
	held atomic.Int32
}

func (e *holdingEmitter) Emit(event string, _ any) {
	if event == EventAlert && e.hold.Load() {
		e.held.Add(1)
		time.Sleep(time.Minute)
	}
}

// outsideKeychain runs a real keychain's calls on a goroutine started
// outside any synctest bubble. The Secret Service is reached over D-Bus,
// on a connection the process shares, whose reader goroutine (outside the
// bubble) hands each reply to a channel the caller made: called from the
// bubble, the caller waits on a bubbled channel that only a goroutine
// outside can fill, and synctest, seeing it durably blocked with nothing
// else to run, panics with a deadlock. Opened in the bubble, the
// connection's reader would wait on a socket and the bubble would never
// be idle.
type outsideKeychain struct {
	kc    Keychain
	mu    sync.Mutex // one call at a time
	calls chan func()
	done  chan struct{}
}

func newOutsideKeychain(t *testing.T, kc Keychain) *outsideKeychain {
	k := &outsideKeychain{kc: kc, calls: make(chan func()), done: make(chan struct{})}
	go func() {
		for f := range k.calls {
			f()
			k.done <- struct{}{}
		}
	}()
	t.Cleanup(func() { close(k.calls) })
	return k
}

func (k *outsideKeychain) do(f func()) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.calls <- f
	<-k.done
}

func (k *outsideKeychain) Set(id, secret string) (err error) {
	k.do(func() { err = k.kc.Set(id, secret) })
	return err
}

func (k *outsideKeychain) Get(id string) (secret string, err error) {
	k.do(func() { secret, err = k.kc.Get(id) })
	return secret, err
}

func (k *outsideKeychain) Delete(id string) (err error) {
	k.do(func() { err = k.kc.Delete(id) })
	return err
}
