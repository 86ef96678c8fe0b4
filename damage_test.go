package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cecyber/app/store"
	"cecyber/metrics"
	"cecyber/proxmox"
)

// TestDamagedFiles drives the start-up path through the damaged files of
// issue 18 and prints what survives as "figure name=value" lines (the same
// test gives the figures before and after the salvage):
//
//	go test -run TestDamagedFiles -v . | grep figure
func TestDamagedFiles(t *testing.T) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx := context.Background()
	setup := func(t *testing.T) string {
		base := t.TempDir()
		t.Setenv("XDG_CONFIG_HOME", base)
		t.Setenv("HOME", base)
		dir := filepath.Join(base, "Cecyber")
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	clusters := func(t *testing.T, path string, n int, prefix string, keepWAL bool) []byte {
		db, err := store.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		if keepWAL {
			db.SQL().SetMaxOpenConns(1)
			db.SQL().Exec(`PRAGMA wal_autocheckpoint = 0`)
		}
		for i := range n {
			c := store.Cluster{Name: fmt.Sprintf("%s %d", prefix, i), TokenID: "root@pam!c",
				Endpoints: []store.Endpoint{{URL: fmt.Sprintf("https://127.0.%d.%d:8006", len(prefix), i+1), Fingerprint: strings.Repeat("AB:", 31) + "AB"}}}
			if err := db.CreateCluster(ctx, &c); err != nil {
				t.Fatal(err)
			}
		}
		for i := range 3000 {
			db.SQL().Exec(`INSERT INTO alerts (id, rule_id, metric, cluster_id, target, state, pending_at) VALUES (?, 'cpu', 'cpu', 'c', 'qemu/100', 'resolved', ?)`, fmt.Sprintf("%s-%d", prefix, i), i)
		}
		var wal []byte
		if keepWAL {
			wal, _ = os.ReadFile(path + "-wal")
		}
		db.Close()
		return wal
	}
	history := func(t *testing.T, path string, guests int, keepWAL bool) []byte {
		s, err := metrics.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		if keepWAL {
			s.DB().SetMaxOpenConns(1)
			s.DB().Exec(`PRAGMA wal_autocheckpoint = 0`)
		}
		t0 := time.Now().Add(-time.Hour).Truncate(time.Minute) // inside the raw tier's retention
		res := make([]proxmox.Resource, guests)
		for p := range 120 {
			for g := range res {
				res[g] = proxmox.Resource{ID: fmt.Sprintf("qemu/%d", 100+g), Type: "qemu", Status: "running", CPU: 0.5, MaxCPU: 2,
					Mem: 1 << 30, MaxMem: 4 << 30, Uptime: int64(100 + p*10), DiskRead: int64(p) * 1000}
			}
			if _, err := s.Ingest(ctx, "c", t0.Add(time.Duration(p)*10*time.Second), res); err != nil {
				t.Fatal(err)
			}
		}
		var wal []byte
		if keepWAL {
			wal, _ = os.ReadFile(path + "-wal")
		}
		s.Close()
		return wal
	}
	smash := func(t *testing.T, path, table string, nth int) {
		s, err := metrics.Open(path) // any handle: dbstat is SQLite's
		var q func(string, ...any) int64
		if err == nil {
			defer s.Close()
			q = func(sql string, args ...any) (n int64) { s.DB().QueryRow(sql, args...).Scan(&n); return }
		} else {
			db, err := store.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			q = func(sql string, args ...any) (n int64) { db.SQL().QueryRow(sql, args...).Scan(&n); return }
		}
		pgno := q(`SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno LIMIT 1 OFFSET ?`, table, nth)
		if pgno == 0 {
			t.Fatalf("no leaf page %d of %s", nth, table)
		}
		f, err := os.OpenFile(path, os.O_RDWR, 0)
		if err != nil {
			t.Fatal(err)
		}
		f.WriteAt([]byte(strings.Repeat("\xde\xad\xbe\xef", 1024)), (pgno-1)*4096)
		f.Close()
	}
	count := func(q func() (int, error)) int {
		n, err := q()
		if err != nil {
			return -1
		}
		return n
	}
	openedStore := func(t *testing.T, dir string) (nClusters, nAlerts int) {
		db, notices, err := openStoreAt(dir, quiet)
		if err != nil {
			t.Fatalf("openStore: %v", err)
		}
		defer db.Close()
		t.Logf("notices: %+v", notices)
		nClusters = count(func() (n int, err error) { err = db.SQL().QueryRow(`SELECT count(*) FROM clusters`).Scan(&n); return })
		nAlerts = count(func() (n int, err error) { err = db.SQL().QueryRow(`SELECT count(*) FROM alerts`).Scan(&n); return })
		return
	}
	openedHistory := func(t *testing.T, dir string) int {
		s, notices, err := openMetricsAt(dir, quiet)
		if err != nil {
			t.Fatalf("openMetrics: %v", err)
		}
		defer s.Close()
		t.Logf("notices: %+v", notices)
		return count(func() (n int, err error) { err = s.DB().QueryRow(`SELECT count(*) FROM raw`).Scan(&n); return })
	}

	t.Run("BadAlertsPage", func(t *testing.T) {
		dir := setup(t)
		clusters(t, filepath.Join(dir, "cecyber.db"), 2, "mine", false)
		smash(t, filepath.Join(dir, "cecyber.db"), "alerts", 5)
		c, a := openedStore(t, dir)
		t.Logf("figure bad_alerts_page clusters=%d/2 alerts=%d/3000", c, a)
		if c != 2 || a < 2900 {
			t.Errorf("clusters %d, alerts %d; want 2 and all but a page's", c, a)
		}
	})
	t.Run("BadHistoryPage", func(t *testing.T) {
		dir := setup(t)
		history(t, filepath.Join(dir, "metrics.db"), 200, false)
		smash(t, filepath.Join(dir, "metrics.db"), "raw", 40)
		n := openedHistory(t, dir)
		t.Logf("figure bad_history_page raw=%d/24000", n)
		if n < 23500 {
			t.Errorf("raw %d of 24000 after one bad page", n)
		}
	})
	t.Run("TruncatedHistory", func(t *testing.T) {
		dir := setup(t)
		path := filepath.Join(dir, "metrics.db")
		history(t, path, 200, false)
		fi, _ := os.Stat(path)
		os.Truncate(path, fi.Size()/2/4096*4096)
		n := openedHistory(t, dir)
		t.Logf("figure truncated_history_half raw=%d/24000", n)
		if n <= 0 {
			t.Errorf("raw %d after cutting the file in half; want what the first half holds", n)
		}
	})
	t.Run("ForeignStoreWAL", func(t *testing.T) {
		dir := setup(t)
		clusters(t, filepath.Join(dir, "cecyber.db"), 2, "mine", false)
		wal := clusters(t, filepath.Join(t.TempDir(), "other.db"), 50, "theirs", true)
		os.WriteFile(filepath.Join(dir, "cecyber.db-wal"), wal, 0o600)
		c, _ := openedStore(t, dir)
		t.Logf("figure foreign_store_wal clusters=%d/2", c)
		if c != 2 {
			t.Errorf("clusters %d; want this database's 2", c)
		}
	})
	t.Run("ForeignHistoryWAL", func(t *testing.T) {
		dir := setup(t)
		history(t, filepath.Join(dir, "metrics.db"), 200, false)
		wal := history(t, filepath.Join(t.TempDir(), "other.db"), 50, true)
		os.WriteFile(filepath.Join(dir, "metrics.db-wal"), wal, 0o600)
		n := openedHistory(t, dir)
		t.Logf("figure foreign_history_wal raw=%d/24000", n)
		if n != 24000 {
			t.Errorf("raw %d; want this history's 24000", n)
		}
	})
}
