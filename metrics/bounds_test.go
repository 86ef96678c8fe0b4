package metrics_test

import (
	"context"
	"math"
	"runtime"
	"testing"
	"time"

	"cecyber/metrics"
	"cecyber/proxmox"
)

// heapInUse is the live heap after a collection, in bytes.
func heapInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// seedHour stores an hour of polls of one guest, ending at t0.
func seedHour(t *testing.T, s *metrics.Store) {
	t.Helper()
	for i := 360; i > 0; i-- {
		at := t0.Add(-time.Duration(i) * 10 * time.Second)
		if _, err := s.Ingest(context.Background(), "c", at, []proxmox.Resource{guest("qemu/100", 0.5, int64(7200-i*10), int64(1000*(400-i)))}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestHistoryPointCap: a query for far more points than a chart can show
// over a long range returns at most MaxPoints points, however many were
// asked for; Sparklines too.
func TestHistoryPointCap(t *testing.T) {
	s, _ := mustOpen(t, "")
	seedHour(t, s)
	from := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	before := heapInUse()
	start := time.Now()
	h, err := s.History(context.Background(), "c", "qemu/100", []string{"cpu"}, from, t0, 2_000_000)
	took := time.Since(start)
	var grew int64
	if after := heapInUse(); after > before {
		grew = int64(after - before)
	}
	runtime.KeepAlive(h)
	if err != nil {
		t.Fatalf("History: %v", err)
	}
	t.Logf("History(1900..2026, 2,000,000 points): %d points, step %d s, tier %s, in %v, heap +%.1f MB",
		len(h.Times), h.Step, h.Tier, took.Round(time.Millisecond), float64(grew)/(1<<20))
	if len(h.Times) > metrics.MaxPoints || len(h.Columns["cpu"]) != len(h.Times) {
		t.Errorf("History returned %d points (%d cpu values); want at most %d", len(h.Times), len(h.Columns["cpu"]), metrics.MaxPoints)
	}

	times, vals, err := s.Sparklines(context.Background(), "c", []string{"qemu/100"}, metrics.CPU, from, t0, 2_000_000)
	if err != nil {
		t.Fatalf("Sparklines: %v", err)
	}
	if len(times) > metrics.MaxPoints || len(vals["qemu/100"]) != len(times) {
		t.Errorf("Sparklines returned %d points; want at most %d", len(times), metrics.MaxPoints)
	}
}

// TestHistoryRangeOverflow: the widest range int64 seconds allow does not
// overflow the tier choice (which made the step negative and the grid
// grow until memory ran out); it is clamped to the time history can hold.
func TestHistoryRangeOverflow(t *testing.T) {
	s, _ := mustOpen(t, "")
	seedHour(t, s)
	for _, r := range []struct{ from, to int64 }{
		{-1 << 62, 1 << 62},
		{math.MinInt64 / 2, math.MaxInt64 / 2},
		{0, 1 << 62},
		{-1 << 62, t0.Unix()},
		{t0.Unix() - 3600, 1 << 62},
	} {
		start := time.Now()
		h, err := s.History(context.Background(), "c", "qemu/100", []string{"cpu"}, time.Unix(r.from, 0), time.Unix(r.to, 0), 1000)
		if err != nil {
			t.Fatalf("History(%d, %d): %v", r.from, r.to, err)
		}
		t.Logf("History(%d, %d, 1000 points): %d points, step %d s, tier %s, in %v", r.from, r.to, len(h.Times), h.Step, h.Tier, time.Since(start).Round(time.Millisecond))
		if len(h.Times) == 0 || len(h.Times) > 1000 || h.Step <= 0 {
			t.Errorf("History(%d, %d) = %d points, step %d; want 1 to 1000 points, a positive step", r.from, r.to, len(h.Times), h.Step)
		}
		for i := 1; i < len(h.Times); i++ {
			if h.Times[i]-h.Times[i-1] != h.Step {
				t.Fatalf("History(%d, %d): times %d and %d are not one step apart", r.from, r.to, h.Times[i-1], h.Times[i])
			}
		}
		times, _, err := s.Sparklines(context.Background(), "c", []string{"qemu/100"}, metrics.CPU, time.Unix(r.from, 0), time.Unix(r.to, 0), 100)
		if err != nil || len(times) == 0 || len(times) > 100 {
			t.Errorf("Sparklines(%d, %d) = %d points, %v; want 1 to 100", r.from, r.to, len(times), err)
		}
	}
}
