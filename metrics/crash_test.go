package metrics_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"cecyber/metrics"
	"cecyber/proxmox"
)

const crashChildEnv = "CECYBER_METRICS_CRASH_CHILD"

// crashTargets is a large cluster: many guests make the first ingest's
// catch-up work visible (500 for the figures in the notes; fewer under the
// race detector, where only the correctness check matters).
var crashTargets = 500

func init() {
	if raceEnabled {
		crashTargets = 60
	}
}

func crashResources(poll int) []proxmox.Resource {
	res := make([]proxmox.Resource, crashTargets)
	for i := range res {
		res[i] = guest(fmt.Sprintf("qemu/%d", 100+i), 0.3, int64(86400+poll*10), int64(1000*poll))
	}
	return res
}

// TestFirstIngestAfterCrash: after an hour of polls of a large cluster and
// a crash (the writer dies without Close), the first ingest of the next
// start costs about what any other does.
func TestFirstIngestAfterCrash(t *testing.T) {
	t0 := time.Now().Truncate(time.Hour).Add(-2 * time.Hour)
	if path := os.Getenv(crashChildEnv); path != "" {
		s, err := metrics.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 360 {
			if _, err := s.Ingest(context.Background(), "c", t0.Add(time.Duration(i)*10*time.Second), crashResources(i)); err != nil {
				t.Fatal(err)
			}
		}
		os.Exit(0) // a crash: no Close
	}
	path := filepath.Join(t.TempDir(), "metrics.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestFirstIngestAfterCrash$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+path)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	start := time.Now()
	s, err := metrics.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	opened := time.Since(start)
	var took []time.Duration
	for i := 360; i < 364; i++ {
		start := time.Now()
		if _, err := s.Ingest(context.Background(), "c", t0.Add(time.Duration(i)*10*time.Second), crashResources(i)); err != nil {
			t.Fatal(err)
		}
		took = append(took, time.Since(start).Round(time.Millisecond))
		// Polls come 10 s apart: by the next one, the catch-up is done.
		s.Settled()
	}
	t.Logf("%d targets, an hour of polls, crash: open %v; ingests after it: %v", crashTargets, opened.Round(time.Millisecond), took)

	// The hour before the crash reached every rollup tier, once: each
	// tier holds every sample, none twice, once the open buckets are
	// written.
	s.Settled()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := metrics.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	for _, tier := range []string{"m5", "m15", "h1"} {
		var n int64
		if err := s2.DB().QueryRow("SELECT coalesce(sum(n), 0) FROM " + tier).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if want := int64(364 * crashTargets); n != want {
			t.Errorf("%s holds %d samples; want %d (360 before the crash, 4 after, for %d targets)", tier, n, want, crashTargets)
		}
	}
}
