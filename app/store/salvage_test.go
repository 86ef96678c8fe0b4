package store_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cecyber/app/store"
)

// newFilled writes n clusters with two endpoints each and 3,000 alerts
// (several pages) into a database at path, and returns it open.
func newFilled(t *testing.T, path string, n int) *store.DB {
	t.Helper()
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i := range n {
		c := store.Cluster{Name: fmt.Sprintf("cluster %d", i), TokenID: "root@pam!cecyber", Endpoints: []store.Endpoint{
			{URL: fmt.Sprintf("https://127.0.0.%d:8006", i+1), Fingerprint: strings.Repeat("AB:", 31) + "AB"},
			{URL: fmt.Sprintf("https://127.0.1.%d:8006", i+1), Fingerprint: strings.Repeat("CD:", 31) + "CD"},
		}}
		if err := db.CreateCluster(ctx, &c); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 3000 {
		if _, err := db.SQL().Exec(`INSERT INTO alerts (id, rule_id, metric, cluster_id, target, target_name, state, pending_at)
			VALUES (?, 'cpu', 'cpu', 'c-1', 'qemu/100', 'a guest with a longish name', 'resolved', ?)`, fmt.Sprintf("a-%05d", i), i); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

func countRows(t *testing.T, db *store.DB, table string) int {
	t.Helper()
	var n int
	if err := db.SQL().QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestOpenRepairingBadPage: a bad page among the alerts costs some alerts,
// never the clusters. (A bad page of clusters loses those on it, and their
// endpoints: see metrics/sqlitefile's tests.)
func TestOpenRepairingBadPage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cecyber.db")
	db := newFilled(t, path, 2)
	var pgno int64
	if err := db.SQL().QueryRow(`SELECT pageno FROM dbstat WHERE name = 'alerts' AND pagetype = 'leaf' ORDER BY pageno LIMIT 1 OFFSET 3`).Scan(&pgno); err != nil {
		t.Fatal(err)
	}
	db.Close()
	fh, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	fh.WriteAt([]byte(strings.Repeat("\xff\x00", 2048)), (pgno-1)*4096)
	fh.Close()

	db, rep, err := store.OpenRepairing(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	saved, lost := rep.Summary()
	t.Logf("bad alerts page: saved %s; lost (rows/pages) %s; kept %s", saved, lost, filepath.Base(rep.MovedTo))
	clusters, err := db.Clusters(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(clusters) != 2 || len(clusters[0].Endpoints) != 2 || len(clusters[1].Endpoints) != 2 {
		t.Errorf("after salvage: %d clusters (%+v); want the 2 with 2 endpoints each", len(clusters), clusters)
	}
	if n := countRows(t, db, "alerts"); n >= 3000 || n < 2900 || rep.Table("alerts").LostPages != 1 {
		t.Errorf("alerts = %d (report %+v); want all but one page's", n, rep.Table("alerts"))
	}
}

// TestOpenRepairingForeignWAL: the -wal of another Cecyber database (50
// clusters) next to this one (2) is set aside, not applied.
func TestOpenRepairingForeignWAL(t *testing.T) {
	dir := t.TempDir()
	mine := filepath.Join(dir, "cecyber.db")
	newFilled(t, mine, 2).Close()
	otherPath := filepath.Join(dir, "other", "cecyber.db")
	other, err := store.Open(otherPath)
	if err != nil {
		t.Fatal(err)
	}
	other.SQL().SetMaxOpenConns(1)
	if _, err := other.SQL().Exec(`PRAGMA wal_autocheckpoint = 0`); err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		c := store.Cluster{Name: fmt.Sprintf("theirs %d", i), TokenID: "root@pam!x",
			Endpoints: []store.Endpoint{{URL: fmt.Sprintf("https://127.0.2.%d:8006", i+1), Fingerprint: strings.Repeat("EF:", 31) + "EF"}}}
		if err := other.CreateCluster(context.Background(), &c); err != nil {
			t.Fatal(err)
		}
	}
	wal, err := os.ReadFile(otherPath + "-wal") // as a crash leaves it
	if err != nil {
		t.Fatal(err)
	}
	other.Close()
	if err := os.WriteFile(mine+"-wal", wal, 0o600); err != nil {
		t.Fatal(err)
	}

	db, rep, err := store.OpenRepairing(mine)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	t.Logf("foreign -wal: %s", rep.WALRefused)
	if n := countRows(t, db, "clusters"); n != 2 {
		t.Errorf("clusters = %d; want this database's 2", n)
	}
	if rep.WALRefused == "" {
		t.Error("the foreign -wal was not reported")
	}
	if _, err := os.Stat(rep.WALMovedTo); err != nil {
		t.Errorf("the foreign -wal was not kept: %v", err)
	}
}
