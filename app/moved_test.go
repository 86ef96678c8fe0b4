package app

import (
	"context"
	"log/slog"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"cecyber/app/store"
	"cecyber/metrics"
	"cecyber/proxmox"
	"cecyber/proxmox/pvesim"
)

// movedSetup is an App with a real database, keychain and metric history,
// on a clock shared with the simulators it talks to.
type movedSetup struct {
	app  *App
	db   *store.DB
	hist *metrics.Store
	clk  *steppedClock
}

func newMovedSetup(t *testing.T) movedSetup {
	t.Helper()
	hist, err := metrics.Open(filepath.Join(t.TempDir(), "metrics.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { hist.Close() })
	db := store.MustOpenDB(t)
	clk := &steppedClock{t: time.Now().Truncate(time.Second)}
	db.Now = clk.Now
	a, _ := newTestApp(t, Options{Store: db, Keychain: testKeychain(t), Metrics: hist, Now: clk.Now})
	return movedSetup{app: a, db: db, hist: hist, clk: clk}
}

// simAt starts a simulated cluster on its own loopback port; two of them
// with the same Config are the same cluster (name, nodes, guests) at two
// addresses with two sets of certificates.
func (m movedSetup) simAt(t *testing.T, clusterName string) *pvesim.Server {
	return pvesim.NewTestServer(t, pvesim.Config{Nodes: 3, Guests: 6, Seed: 1, ClusterName: clusterName, Now: m.clk.Now})
}

// poll runs n polls of cluster id, a poll interval apart.
func (m movedSetup) poll(t *testing.T, id string, n int) {
	t.Helper()
	c, err := m.app.findCluster(id)
	if err != nil {
		t.Fatal(err)
	}
	for range n {
		m.clk.Advance(10 * time.Second)
		c.poller.Poll(context.Background())
	}
}

// historyTimes returns the times History shows a guest's CPU at over the
// hour up to upTo.
func (m movedSetup) historyTimes(t *testing.T, id, target string, upTo int64) []int64 {
	t.Helper()
	s, err := m.app.History(id, target, []string{"cpu"}, upTo-3600, upTo, 360)
	if err != nil {
		t.Fatalf("History(%s, %s) = %v", id, target, err)
	}
	var out []int64
	for i, ts := range s.Times {
		if ts <= upTo && s.Columns["cpu"][i] != nil {
			out = append(out, ts)
		}
	}
	return out
}

// lostSamples returns the times in before (ascending) missing from after
// (ascending). after may hold more: a backfill from Proxmox's RRD may fill
// a gap left between the first backfill and the first poll, depending on
// when it ran against the stepped clock.
func lostSamples(before, after []int64) []int64 {
	var lost []int64
	for _, ts := range before {
		if _, found := slices.BinarySearch(after, ts); !found {
			lost = append(lost, ts)
		}
	}
	return lost
}

// rows counts the cluster's own samples (the raw tier).
func (m movedSetup) rows(t *testing.T, id string) (n int) {
	t.Helper()
	if err := m.hist.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	err := m.hist.DB().QueryRow(`SELECT count(*) FROM raw JOIN targets ON raw.target = targets.id WHERE targets.cluster = ?`, id).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestUpdateClusterEndpoint: a cluster reinstalled at another address with
// new certificates is followed under the same ID: the new certificate is
// pinned only as the user confirmed it, the token stays in the keychain
// (or is replaced), and the history recorded before the move is still
// shown by History.
func TestUpdateClusterEndpoint(t *testing.T) {
	m := newMovedSetup(t)
	old := m.simAt(t, "lab")
	tok := old.AdminToken()
	st, err := m.app.AddCluster(adminInput(old, "Lab"), old.Fingerprint)
	if err != nil {
		t.Fatal(err)
	}
	m.poll(t, st.ID, 3)
	movedAt := m.clk.Now().Unix()
	before := m.historyTimes(t, st.ID, "qemu/101", movedAt)
	rowsBefore := m.rows(t, st.ID)
	if len(before) < 3 || rowsBefore == 0 {
		t.Fatalf("before the move: %d samples of qemu/101 and %d rows; want the polls recorded", len(before), rowsBefore)
	}

	// The nodes are reinstalled: new certificates, so the cluster stops.
	for _, n := range old.Nodes() {
		old.RotateCertificate(n)
	}
	m.poll(t, st.ID, 1)
	c, _ := m.app.findCluster(st.ID)
	if s := c.snapshot().state; s.Status != "error" || s.CertChange == nil {
		t.Fatalf("after the certificates changed: status %s, change %v; want an error and a certificate change", s.Status, s.CertChange)
	}

	// ... and they answer at another address now, with the same token.
	moved := m.simAt(t, "lab")
	moved.AddToken(tok)
	if moved.URL == old.URL {
		t.Fatal("both simulators listen on the same address")
	}

	t.Run("ErrUnknownOrBadAddress", func(t *testing.T) {
		if _, err := m.app.ProbeClusterAddress("c-nope", moved.URL); err == nil {
			t.Error("ProbeClusterAddress() of an unknown cluster succeeded")
		}
		wantCode(t, "UpdateClusterEndpoint(bad address)", func() error {
			_, err := m.app.UpdateClusterEndpoint(st.ID, "http://"+moved.URL[len("https://"):], moved.Fingerprint, "")
			return err
		}(), "invalid")
	})
	t.Run("ErrFingerprint", func(t *testing.T) {
		// A fingerprint other than the one the server presents is never pinned.
		_, err := m.app.UpdateClusterEndpoint(st.ID, moved.URL, old.Fingerprint, "")
		wantCode(t, "UpdateClusterEndpoint(old fingerprint)", err, "fingerprint")
	})
	t.Run("ErrOtherCluster", func(t *testing.T) {
		other := m.simAt(t, "elsewhere")
		other.AddToken(tok)
		_, err := m.app.UpdateClusterEndpoint(st.ID, other.URL, other.Fingerprint, "")
		info := wantCode(t, "UpdateClusterEndpoint(another cluster)", err, "invalid")
		if info.Params["field"] != "address" || info.Params["reason"] != "otherCluster" || info.Params["found"] != "elsewhere" {
			t.Errorf("params %v; want address otherCluster found=elsewhere", info.Params)
		}
	})
	t.Run("ErrWrongSecret", func(t *testing.T) {
		_, err := m.app.UpdateClusterEndpoint(st.ID, moved.URL, moved.Fingerprint, "00000000-0000-0000-0000-000000000000")
		wantCode(t, "UpdateClusterEndpoint(wrong secret)", err, "unauthorized")
		if got, _ := m.app.opts.Keychain.Get(st.ID); got != tok.Secret {
			t.Error("a rejected secret replaced the one in the keychain")
		}
	})
	if s := c.snapshot().state; s.Endpoint != old.URL {
		t.Fatalf("a refused move changed the endpoint to %s", s.Endpoint)
	}

	probe, err := m.app.ProbeClusterAddress(st.ID, moved.URL)
	if err != nil {
		t.Fatalf("ProbeClusterAddress() = %v", err)
	}
	if probe.Certificate.Fingerprint != moved.Fingerprint || probe.Endpoint != moved.URL {
		t.Fatalf("ProbeClusterAddress() = %s %s; want %s %s", probe.Endpoint, probe.Certificate.Fingerprint, moved.URL, moved.Fingerprint)
	}
	got, err := m.app.UpdateClusterEndpoint(st.ID, moved.URL, probe.Certificate.Fingerprint, "")
	if err != nil {
		t.Fatalf("UpdateClusterEndpoint() = %v", err)
	}
	if got.ID != st.ID || got.Status != "ok" || got.CertChange != nil || got.Endpoint != moved.URL || len(got.Endpoints) != 3 {
		t.Fatalf("after the move: %+v; want the same ID, ok, no change pending, three endpoints at the new address", got)
	}
	for _, e := range got.Endpoints {
		if e.URL != moved.NodeURL(e.Node) || e.Fingerprint != moved.NodeFingerprint(e.Node) {
			t.Errorf("endpoint %+v; want %s pinned to %s", e, moved.NodeURL(e.Node), moved.NodeFingerprint(e.Node))
		}
	}
	saved, err := m.db.Cluster(context.Background(), st.ID)
	if err != nil || len(saved.Endpoints) != 3 || saved.Endpoints[0].URL != moved.URL || saved.Endpoints[0].Fingerprint != moved.Fingerprint {
		t.Errorf("saved cluster = %+v, %v; want the new address first, pinned to the new certificate", saved, err)
	}

	m.poll(t, st.ID, 2)
	after := m.historyTimes(t, st.ID, "qemu/101", movedAt)
	if lost := lostSamples(before, after); len(lost) > 0 {
		t.Errorf("samples at %v were lost: %d before the move, %d after", lost, len(before), len(after))
	}
	if n := m.rows(t, st.ID); n <= rowsBefore {
		t.Errorf("%d history rows after the move and two polls; want more than the %d before", n, rowsBefore)
	}

	// A new secret replaces the one in the keychain, once accepted.
	renewed := pvesim.Token{ID: tok.ID, Secret: "5e3d0f5c-1b0e-4b8e-9d4a-3f2a1c0b9e8d", ACL: tok.ACL}
	moved.AddToken(renewed)
	if _, err := m.app.UpdateClusterEndpoint(st.ID, moved.URL, moved.Fingerprint, renewed.Secret); err != nil {
		t.Fatalf("UpdateClusterEndpoint() with a new secret = %v", err)
	}
	if got, _ := m.app.opts.Keychain.Get(st.ID); got != renewed.Secret {
		t.Error("the new secret did not replace the old one in the keychain")
	}

	// Reinstalled again, at the same address: the same flow re-trusts
	// every node's new certificate.
	for _, n := range moved.Nodes() {
		moved.RotateCertificate(n)
	}
	m.poll(t, st.ID, 1)
	if s := c.snapshot().state; s.CertChange == nil {
		t.Fatal("no certificate change after the second reinstall")
	}
	got, err = m.app.UpdateClusterEndpoint(st.ID, moved.URL, moved.NodeFingerprint("pve1"), "")
	if err != nil {
		t.Fatalf("UpdateClusterEndpoint(same address, new certificate) = %v", err)
	}
	if got.ID != st.ID || got.Status != "ok" || got.CertChange != nil {
		t.Errorf("after re-trusting at the same address: %+v; want the same ID, ok", got)
	}
	for _, e := range got.Endpoints {
		if e.Fingerprint != moved.NodeFingerprint(e.Node) {
			t.Errorf("endpoint %s pinned to %s; want its new %s", e.URL, e.Fingerprint, moved.NodeFingerprint(e.Node))
		}
	}
}

// TestReaddReattachesKeptHistory: a cluster removed with its history kept,
// added again (here at a new address: reinstalled), is recognised by its
// Proxmox cluster name and node names and takes its history back; another
// cluster is not offered it.
func TestReaddReattachesKeptHistory(t *testing.T) {
	m := newMovedSetup(t)
	old := m.simAt(t, "lab")
	st, err := m.app.AddCluster(adminInput(old, "Lab"), old.Fingerprint)
	if err != nil {
		t.Fatal(err)
	}
	m.poll(t, st.ID, 3)
	removedAt := m.clk.Now().Unix()
	before := m.historyTimes(t, st.ID, "qemu/101", removedAt)
	rows := m.rows(t, st.ID)
	if len(before) < 3 {
		t.Fatalf("%d samples before removal; want the polls", len(before))
	}
	if err := m.app.RemoveCluster(st.ID, true); err != nil {
		t.Fatal(err)
	}
	kept, err := m.db.KeptHistories(context.Background())
	if err != nil || len(kept) != 1 || kept[0].ID != st.ID || kept[0].ClusterName != "lab" ||
		!slices.Equal(kept[0].Nodes, []string{"pve1", "pve2", "pve3"}) {
		t.Fatalf("KeptHistories() = %+v, %v; want Lab's, with its three nodes", kept, err)
	}
	if _, err := m.app.History(st.ID, "qemu/101", []string{"cpu"}, removedAt-3600, removedAt, 360); err == nil {
		t.Error("History of a removed cluster answered")
	}

	again := m.simAt(t, "lab")
	in := adminInput(again, "Lab again")

	t.Run("NotOfferedToAnother", func(t *testing.T) {
		other := m.simAt(t, "elsewhere")
		got, err := m.app.FindKeptHistory(adminInput(other, "Other"), other.Fingerprint)
		if err != nil || len(got) != 0 {
			t.Errorf("FindKeptHistory(another cluster) = %+v, %v; want none", got, err)
		}
		bad := adminInput(other, "Other")
		for _, id := range []string{"c-bogus", "c-0123456789AB", st.ID + "\x00", strings.Repeat("c", 1<<16)} {
			bad.History = id
			_, err := m.app.AddCluster(bad, other.Fingerprint)
			if info := wantCode(t, "AddCluster(history "+strconv.Quote(id[:min(len(id), 20)])+")", err, "invalid"); info.Params["reason"] != "format" {
				t.Errorf("params %v; want history format", info.Params)
			}
		}
		bad.History = st.ID
		_, err = m.app.AddCluster(bad, other.Fingerprint)
		info := wantCode(t, "AddCluster(another cluster's history)", err, "invalid")
		if info.Params["field"] != "history" || info.Params["reason"] != "mismatch" {
			t.Errorf("params %v; want history mismatch", info.Params)
		}
	})
	t.Run("ErrFingerprint", func(t *testing.T) {
		_, err := m.app.FindKeptHistory(in, old.Fingerprint)
		wantCode(t, "FindKeptHistory(wrong fingerprint)", err, "fingerprint")
	})

	offers, err := m.app.FindKeptHistory(in, again.Fingerprint)
	if err != nil {
		t.Fatalf("FindKeptHistory() = %v", err)
	}
	if len(offers) != 1 || offers[0].ID != st.ID || offers[0].Name != "Lab" || offers[0].Targets == 0 ||
		offers[0].RemovedAt != removedAt*1000 || !slices.Equal(offers[0].Nodes, []string{"pve1", "pve2", "pve3"}) {
		t.Fatalf("FindKeptHistory() = %+v; want Lab's history, removed at %d", offers, removedAt*1000)
	}
	in.History = offers[0].ID
	got, err := m.app.AddCluster(in, again.Fingerprint)
	if err != nil {
		t.Fatalf("AddCluster(reattach) = %v", err)
	}
	if got.ID != st.ID || got.Name != "Lab again" || got.Status != "ok" {
		t.Fatalf("AddCluster(reattach) = %+v; want ID %s, ok", got, st.ID)
	}
	after := m.historyTimes(t, got.ID, "qemu/101", removedAt)
	if lost := lostSamples(before, after); len(lost) > 0 {
		t.Errorf("samples at %v were lost: %d before removal, %d after re-adding", lost, len(before), len(after))
	}
	if n := m.rows(t, got.ID); n < rows {
		t.Errorf("%d history rows after re-adding; want at least the %d kept", n, rows)
	}
	if kept, _ := m.db.KeptHistories(context.Background()); len(kept) != 0 {
		t.Errorf("KeptHistories() after reattaching = %+v; want none", kept)
	}
	if secret, err := m.app.opts.Keychain.Get(got.ID); err != nil || secret != again.AdminToken().Secret {
		t.Errorf("keychain under the reattached ID: %v; want the new cluster's secret", err)
	}

	// Removed without keeping: nothing is offered again.
	if err := m.app.RemoveCluster(got.ID, false); err != nil {
		t.Fatal(err)
	}
	if offers, err := m.app.FindKeptHistory(adminInput(again, "Lab"), again.Fingerprint); err != nil || len(offers) != 0 {
		t.Errorf("FindKeptHistory() after removal without history = %+v, %v; want none", offers, err)
	}
}

// TestSameCluster is the rule a cluster is recognised by.
func TestSameCluster(t *testing.T) {
	tests := []struct {
		knownName  string
		knownNodes []string
		name       string
		nodes      []string
		want       bool
	}{
		{"lab", []string{"pve1", "pve2"}, "lab", []string{"pve2", "pve3"}, true},
		{"lab", []string{"pve1"}, "lab", []string{"pve9"}, false},
		{"lab", []string{"pve1"}, "prod", []string{"pve1"}, false},
		{"", []string{"pve"}, "", []string{"pve"}, true},
		{"", []string{"pve"}, "", []string{"other"}, false},
		{"lab", nil, "lab", []string{"pve1"}, true},
		{"", nil, "", []string{"pve1"}, false},
		{"", []string{"pve1"}, "", nil, false},
	}
	for _, tt := range tests {
		if got := sameCluster(tt.knownName, tt.knownNodes, tt.name, tt.nodes); got != tt.want {
			t.Errorf("sameCluster(%q, %v, %q, %v) = %v; want %v", tt.knownName, tt.knownNodes, tt.name, tt.nodes, got, tt.want)
		}
	}
}

// TestStalePollIgnored: a poll that was in flight with the client a move
// replaced does not bring back the old address's error or certificate
// change.
func TestStalePollIgnored(t *testing.T) {
	sim := pvesim.NewTestServer(t, pvesim.Config{Nodes: 1, Guests: 1})
	tok := sim.AdminToken()
	cfg := proxmox.Config{Endpoint: sim.URL, TokenID: tok.ID, Secret: tok.Secret, Fingerprint: sim.Fingerprint}
	oldClient, err := proxmox.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	newClient, err := proxmox.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c := newCluster(clusterSpec{id: "c1", name: "Lab", cfg: cfg}, newClient, slog.New(slog.DiscardHandler))
	c.apply(metrics.Poll{Client: oldClient, Err: &proxmox.Error{Kind: proxmox.KindUnreachable, Op: "poll", Host: "old"}})
	if s := c.snapshot().state; s.Status == "error" {
		t.Errorf("a poll of the replaced client set the state to %+v", s.Error)
	}
	c.apply(metrics.Poll{Client: newClient, Err: &proxmox.Error{Kind: proxmox.KindUnreachable, Op: "poll", Host: "new"}})
	if s := c.snapshot().state; s.Status != "error" {
		t.Errorf("a failed poll of the current client left status %q", s.Status)
	}
}
