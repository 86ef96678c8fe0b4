package metrics_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cecyber/metrics"
	"cecyber/proxmox"
)

// ingestPolls stores polls of guests guests, 10 s apart, from t0.
func ingestPolls(t *testing.T, s *metrics.Store, guests, polls int) {
	t.Helper()
	res := make([]proxmox.Resource, guests)
	for i := range polls {
		for g := range res {
			res[g] = guest(fmt.Sprintf("qemu/%d", 100+g), 0.5, int64(100+i*10), int64(i)*1000)
		}
		if _, err := s.Ingest(context.Background(), "c", t0.Add(time.Duration(i)*10*time.Second), res); err != nil {
			t.Fatal(err)
		}
	}
}

func rows(t *testing.T, s *metrics.Store, table string) int {
	t.Helper()
	var n int
	if err := s.DB().QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestOpenRepairingBadPage: one bad page of raw history costs that page's
// rows; the rest of the history and every target stay.
func TestOpenRepairingBadPage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "metrics.db")
	s, _ := mustOpen(t, path)
	ingestPolls(t, s, 200, 120) // 24,000 raw rows
	before := rows(t, s, "raw")
	var pgno int64
	if err := s.DB().QueryRow(`SELECT pageno FROM dbstat WHERE name = 'raw' AND pagetype = 'leaf' ORDER BY pageno LIMIT 1 OFFSET 40`).Scan(&pgno); err != nil {
		t.Fatal(err)
	}
	s.Close()
	fh, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	fh.WriteAt([]byte(strings.Repeat("\xff\x00", 2048)), (pgno-1)*4096)
	fh.Close()

	s2, rep, err := metrics.OpenRepairing(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	after := rows(t, s2, "raw")
	saved, lost := rep.Summary()
	t.Logf("bad raw page: raw rows %d before, %d after; saved %s; lost (rows/pages) %s", before, after, saved, lost)
	if after >= before || after < before-300 {
		t.Errorf("raw rows after salvage = %d of %d; want all but one page's", after, before)
	}
	if n := rows(t, s2, "targets"); n != 200 {
		t.Errorf("targets = %d; want 200", n)
	}
	// The salvaged history is usable: the next poll goes in.
	if _, err := s2.Ingest(context.Background(), "c", t0.Add(time.Hour), []proxmox.Resource{guest("qemu/100", 0.5, 5000, 1)}); err != nil {
		t.Errorf("Ingest after salvage: %v", err)
	}
}

// TestOpenRepairingForeignWAL: the -wal of another history (50 guests)
// next to this one (200) is set aside: the history keeps its own rows.
func TestOpenRepairingForeignWAL(t *testing.T) {
	dir := t.TempDir()
	mine := filepath.Join(dir, "metrics.db")
	s, _ := mustOpen(t, mine)
	ingestPolls(t, s, 200, 120)
	before := rows(t, s, "raw")
	s.Close()

	otherPath := filepath.Join(dir, "other", "metrics.db")
	other, _ := mustOpen(t, otherPath)
	other.DB().SetMaxOpenConns(1)
	if _, err := other.DB().Exec(`PRAGMA wal_autocheckpoint = 0`); err != nil {
		t.Fatal(err)
	}
	ingestPolls(t, other, 50, 120)
	wal, err := os.ReadFile(otherPath + "-wal") // as a crash leaves it
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(mine+"-wal", wal, 0o600); err != nil {
		t.Fatal(err)
	}

	s2, rep, err := metrics.OpenRepairing(mine)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	after := rows(t, s2, "raw")
	t.Logf("foreign -wal: raw rows %d before, %d after (%s)", before, after, rep.WALRefused)
	if after != before || rep.WALRefused == "" {
		t.Errorf("raw rows = %d (refused %q); want this history's %d and the -wal refused", after, rep.WALRefused, before)
	}
}
