package metrics_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"cecyber/metrics"
	"cecyber/proxmox"
	"cecyber/proxmox/pvesim"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// mustOpen opens a store on a real file in t.TempDir with a fixed clock.
func mustOpen(tb testing.TB, path string) (*metrics.Store, *time.Time) {
	tb.Helper()
	if path == "" {
		path = filepath.Join(tb.TempDir(), "metrics.db")
	}
	s, err := metrics.Open(path)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	now := t0
	s.Now = func() time.Time { return now }
	tb.Cleanup(func() { s.Close() })
	return s, &now
}

func guest(id string, cpu float64, uptime, counter int64) proxmox.Resource {
	return proxmox.Resource{ID: id, Type: "qemu", Status: "running", CPU: cpu, MaxCPU: 2,
		Mem: 1 << 30, MaxMem: 4 << 30, Uptime: uptime,
		DiskRead: counter, DiskWrite: counter / 2, NetIn: counter * 2, NetOut: counter}
}

func f(p *float64) string {
	if p == nil {
		return "null"
	}
	return strconv.FormatFloat(*p, 'g', 6, 64)
}

func TestRates(t *testing.T) {
	prev := metrics.Sample{Uptime: 100, DiskRead: 1000, DiskWrite: 1000, NetIn: 1000, NetOut: 1000}
	tests := []struct {
		name   string
		cur    metrics.Sample
		dt     time.Duration
		want   metrics.Rate
		wantOK bool
	}{
		{"OK", metrics.Sample{Uptime: 110, DiskRead: 2000, DiskWrite: 1500, NetIn: 1000, NetOut: 11000}, 10 * time.Second,
			metrics.Rate{DiskRead: 100, DiskWrite: 50, NetIn: 0, NetOut: 1000}, true},
		{"CounterDrop", metrics.Sample{Uptime: 110, DiskRead: 10, DiskWrite: 1500, NetIn: 1000, NetOut: 1000}, 10 * time.Second, metrics.Rate{}, false},
		{"NetCounterDrop", metrics.Sample{Uptime: 110, DiskRead: 2000, DiskWrite: 1500, NetIn: 999, NetOut: 1000}, 10 * time.Second, metrics.Rate{}, false},
		{"UptimeDrop", metrics.Sample{Uptime: 5, DiskRead: 5000, DiskWrite: 5000, NetIn: 5000, NetOut: 5000}, 10 * time.Second, metrics.Rate{}, false},
		{"ZeroDt", metrics.Sample{Uptime: 100, DiskRead: 1000, DiskWrite: 1000, NetIn: 1000, NetOut: 1000}, 0, metrics.Rate{}, false},
		{"NegativeDt", metrics.Sample{Uptime: 110, DiskRead: 2000, DiskWrite: 1500, NetIn: 1000, NetOut: 1000}, -time.Second, metrics.Rate{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := metrics.Rates(prev, tt.cur, tt.dt)
			if ok != tt.wantOK || got != tt.want {
				t.Errorf("Rates(%+v, %+v, %v) = %+v, %v; want %+v, %v", prev, tt.cur, tt.dt, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestIngestRatesAndResets(t *testing.T) {
	s, _ := mustOpen(t, "")
	steps := []struct {
		uptime, counter int64
		wantRate        bool
		wantDiskRead    float64
	}{
		{100, 1000, false, 0},  // first sight
		{110, 2000, true, 100}, // +1000 over 10 s
		{120, 500, false, 0},   // counter dropped: reset
		{130, 1500, true, 100},
		{5, 1600, false, 0}, // uptime dropped: reboot
		{15, 2600, true, 100},
	}
	for i, st := range steps {
		r, err := s.Ingest(context.Background(), "c", t0.Add(time.Duration(i)*10*time.Second), []proxmox.Resource{guest("qemu/100", 0.5, st.uptime, st.counter)})
		if err != nil {
			t.Fatal(err)
		}
		rate, ok := r.Rates["qemu/100"]
		if ok != st.wantRate || rate.DiskRead != st.wantDiskRead {
			t.Errorf("poll %d: rate %+v, %v; want diskread %v, %v", i, rate, ok, st.wantDiskRead, st.wantRate)
		}
	}
	// A gap longer than MaxRateGap gives no rate either.
	r, err := s.Ingest(context.Background(), "c", t0.Add(time.Hour), []proxmox.Resource{guest("qemu/100", 0.5, 3600, 9000)})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := r.Rates["qemu/100"]; ok {
		t.Errorf("rate across a one-hour gap; want none")
	}
	h, err := s.History(context.Background(), "c", "qemu/100", []string{"diskread"}, t0, t0.Add(time.Minute), 100)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"null", "100", "null", "100", "null", "100"}
	for i, w := range want {
		if got := f(h.Columns["diskread"][i]); got != w {
			t.Errorf("raw diskread[%d] = %s; want %s (series %v)", i, got, w, h.Times)
		}
	}
}

func TestRatesSurviveRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	s, _ := mustOpen(t, path)
	if _, err := s.Ingest(context.Background(), "c", t0, []proxmox.Resource{guest("qemu/100", 0.5, 100, 1000)}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s2, _ := mustOpen(t, path)
	r, err := s2.Ingest(context.Background(), "c", t0.Add(10*time.Second), []proxmox.Resource{guest("qemu/100", 0.5, 110, 2000)})
	if err != nil {
		t.Fatal(err)
	}
	if r.Rates["qemu/100"].DiskRead != 100 {
		t.Errorf("rate after restart = %+v; want diskread 100", r.Rates["qemu/100"])
	}
}

// TestRollups checks avg and max per bucket across bucket boundaries, and
// that a late sample merges into a written bucket.
func TestRollups(t *testing.T) {
	s, _ := mustOpen(t, "")
	// cpu per 50 s poll for ten minutes: bucket 1 = 0.1..0.6, bucket 2 = 0.2 except one 0.9.
	cpus := []float64{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.2, 0.2, 0.9, 0.2, 0.2, 0.2}
	for i, c := range cpus {
		if _, err := s.Ingest(context.Background(), "c", t0.Add(time.Duration(i)*50*time.Second), []proxmox.Resource{guest("qemu/100", c, 100+int64(i)*50, 0)}); err != nil {
			t.Fatal(err)
		}
	}
	// One more poll in the third five minutes closes the second.
	if _, err := s.Ingest(context.Background(), "c", t0.Add(10*time.Minute), []proxmox.Resource{guest("qemu/100", 0.2, 700, 0)}); err != nil {
		t.Fatal(err)
	}
	rows := rollupRows(t, s, "m5")
	if len(rows) != 2 {
		t.Fatalf("m5 rows = %v; want 2 written buckets", rows)
	}
	check := func(r rollupRow, n int64, avg, mx int64) {
		t.Helper()
		if r.n != n || r.cpu != avg || r.cpuMax != mx {
			t.Errorf("bucket %d: n=%d cpu=%d max=%d; want n=%d cpu=%d max=%d", r.ts, r.n, r.cpu, r.cpuMax, n, avg, mx)
		}
	}
	check(rows[0], 6, 3500, 6000)
	check(rows[1], 6, 3167, 9000)

	// A late sample (clock went back) for bucket 1 merges: n 7, avg and max updated.
	if _, err := s.Ingest(context.Background(), "c", t0.Add(75*time.Second), []proxmox.Resource{guest("qemu/100", 1.0, 175, 0)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Ingest(context.Background(), "c", t0.Add(15*time.Minute), []proxmox.Resource{guest("qemu/100", 0.2, 1000, 0)}); err != nil {
		t.Fatal(err)
	}
	rows = rollupRows(t, s, "m5")
	check(rows[0], 7, 4429, 10000)

	// The open buckets are visible to queries before they are written.
	h, err := s.History(context.Background(), "c", "qemu/100", []string{"cpu"}, t0, t0.Add(20*time.Minute), 4)
	if err != nil {
		t.Fatal(err)
	}
	if h.Tier != "m5" || len(h.Times) != 4 || h.Columns["cpu"][3] == nil {
		t.Errorf("History = tier %s times %v cpu %v; want m5 with the open bucket 4", h.Tier, h.Times, h.Columns["cpu"])
	}
}

type rollupRow struct{ ts, n, cpu, cpuMax int64 }

func rollupRows(t *testing.T, s *metrics.Store, table string) []rollupRow {
	t.Helper()
	rows, err := s.DB().Query("SELECT ts, n, cpu, cpu_max FROM " + table + " ORDER BY target, ts")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []rollupRow
	for rows.Next() {
		var r rollupRow
		if err := rows.Scan(&r.ts, &r.n, &r.cpu, &r.cpuMax); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// TestClockJump ingests a constant load while the clock jumps forward and
// back; every rollup row must still hold the constant and count exactly the
// raw samples in its bucket.
func TestClockJump(t *testing.T) {
	s, _ := mustOpen(t, "")
	times := []time.Duration{0, 10, 20, 3600 * 5, 3600*5 + 10, 30, 40, 50, 60, 3600*5 + 20, 70}
	for i, d := range times {
		if _, err := s.Ingest(context.Background(), "c", t0.Add(d*time.Second), []proxmox.Resource{guest("qemu/100", 0.25, int64(100+i), 0)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, tier := range []struct {
		name string
		step int64
	}{{"m5", 300}, {"m15", 900}, {"h1", 3600}} {
		var bad int
		if err := s.DB().QueryRow(`SELECT count(*) FROM `+tier.name+` r WHERE cpu != 2500 OR cpu_max != 2500 OR n !=
			(SELECT count(*) FROM raw w WHERE w.target = r.target AND w.ts >= r.ts AND w.ts < r.ts + ?)`, tier.step).Scan(&bad); err != nil {
			t.Fatal(err)
		}
		if bad != 0 {
			t.Errorf("%s: %d rows disagree with raw after clock jumps", tier.name, bad)
		}
	}
	var n int
	s.DB().QueryRow(`SELECT sum(n) FROM h1`).Scan(&n)
	if n != len(times) {
		t.Errorf("h1 holds %d samples; want %d", n, len(times))
	}
}

// TestHistory: tier choice, a single-sample spike kept in _max when zoomed
// out, nulls for a gap.
func TestHistory(t *testing.T) {
	s, now := mustOpen(t, "")
	// 3 hours of 10 s polls with a 10-minute gap and one spike.
	gapFrom, gapTo := t0.Add(60*time.Minute), t0.Add(70*time.Minute)
	spike := t0.Add(100*time.Minute + 30*time.Second)
	var res [1]proxmox.Resource
	for at := t0; at.Before(t0.Add(3 * time.Hour)); at = at.Add(10 * time.Second) {
		if !at.Before(gapFrom) && at.Before(gapTo) {
			continue // failed polls: not ingested
		}
		c := 0.1
		if at.Equal(spike) {
			c = 0.95
		}
		res[0] = guest("qemu/100", c, at.Unix()-t0.Unix()+1000, 0)
		if _, err := s.Ingest(context.Background(), "c", at, res[:]); err != nil {
			t.Fatal(err)
		}
	}
	*now = t0.Add(3 * time.Hour)

	t.Run("RawForOneHour", func(t *testing.T) {
		h, err := s.History(context.Background(), "c", "qemu/100", nil, t0.Add(30*time.Minute), t0.Add(90*time.Minute), 1000)
		if err != nil {
			t.Fatal(err)
		}
		if h.Tier != "raw" || h.Step != 10 || len(h.Times) != 360 {
			t.Fatalf("tier %s step %d points %d; want raw 10 360", h.Tier, h.Step, len(h.Times))
		}
		for i, ts := range h.Times {
			in := ts >= gapFrom.Unix() && ts < gapTo.Unix()
			if got := h.Columns["cpu"][i]; (got == nil) != in {
				t.Fatalf("cpu at %d = %s; gap=%v", ts, f(got), in)
			}
		}
		for _, m := range metrics.Metrics {
			if _, ok := h.Columns[m+"_max"]; !ok {
				t.Errorf("column %s_max missing", m)
			}
		}
	})
	t.Run("SpikeInMax", func(t *testing.T) {
		h, err := s.History(context.Background(), "c", "qemu/100", []string{"cpu"}, t0, t0.Add(3*time.Hour), 12)
		if err != nil {
			t.Fatal(err)
		}
		if h.Tier != "m15" || h.Step != 900 {
			t.Fatalf("tier %s step %d; want m15 900", h.Tier, h.Step)
		}
		var maxSeen, avgAt float64
		for i := range h.Times {
			if v := h.Columns["cpu_max"][i]; v != nil && *v > maxSeen {
				maxSeen = *v
				avgAt = *h.Columns["cpu"][i]
			}
		}
		if math.Abs(maxSeen-0.95) > 1e-9 || avgAt > 0.2 {
			t.Errorf("max %v (avg there %v); want the spike 0.95 in cpu_max and a low average", maxSeen, avgAt)
		}
	})
	t.Run("Unknown", func(t *testing.T) {
		h, err := s.History(context.Background(), "c", "qemu/999", []string{"cpu"}, t0, t0.Add(time.Hour), 10)
		if err != nil || len(h.Times) == 0 || h.Columns["cpu"][0] != nil {
			t.Errorf("History of an unknown target = %+v, %v; want all nulls", h, err)
		}
	})
	t.Run("BadMetric", func(t *testing.T) {
		if _, err := s.History(context.Background(), "c", "qemu/100", []string{"nope"}, t0, t0.Add(time.Hour), 10); err == nil {
			t.Error("unknown metric accepted")
		}
	})
}

func TestSparklines(t *testing.T) {
	s, now := mustOpen(t, "")
	for i := range 60 {
		at := t0.Add(time.Duration(i) * time.Minute)
		res := []proxmox.Resource{guest("qemu/100", 0.5, int64(i)*60+100, 0), guest("qemu/101", 0.25, int64(i)*60+100, 0)}
		if i >= 30 {
			res = res[:1] // 101 stops reporting
		}
		if _, err := s.Ingest(context.Background(), "c", at, res); err != nil {
			t.Fatal(err)
		}
	}
	*now = t0.Add(time.Hour)
	times, vals, err := s.Sparklines(context.Background(), "c", []string{"qemu/100", "qemu/101", "qemu/102"}, metrics.CPU, t0, t0.Add(time.Hour), 6)
	if err != nil {
		t.Fatal(err)
	}
	if len(times) != 6 || len(vals) != 3 {
		t.Fatalf("times %v, %d series; want 6 times, 3 series", times, len(vals))
	}
	for i := range times {
		if got := f(vals["qemu/100"][i]); got != "0.5" {
			t.Errorf("qemu/100[%d] = %s; want 0.5", i, got)
		}
		want := "0.25"
		if i >= 3 {
			want = "null"
		}
		if got := f(vals["qemu/101"][i]); got != want {
			t.Errorf("qemu/101[%d] = %s; want %s", i, got, want)
		}
		if vals["qemu/102"][i] != nil {
			t.Errorf("qemu/102[%d] not null", i)
		}
	}
}

func TestRetentionAndCap(t *testing.T) {
	s, now := mustOpen(t, "")
	for i := range 200 {
		at := t0.Add(time.Duration(i) * time.Minute)
		*now = at
		if _, err := s.Ingest(context.Background(), "c", at, []proxmox.Resource{guest("qemu/100", 0.5, int64(i)*60+100, 0)}); err != nil {
			t.Fatal(err)
		}
	}
	s.Tiers[0].Keep = time.Hour
	if err := s.Prune(context.Background()); err != nil {
		t.Fatal(err)
	}
	var oldest int64
	s.DB().QueryRow(`SELECT min(ts) FROM raw`).Scan(&oldest)
	if want := now.Add(-time.Hour).Unix(); oldest < want {
		t.Errorf("raw oldest %d; want >= %d after a one-hour retention", oldest, want)
	}
	var m5 int
	s.DB().QueryRow(`SELECT count(*) FROM m5`).Scan(&m5)
	if m5 < 39 {
		t.Errorf("m5 rows %d; retention of raw must not touch m5", m5)
	}

	// Size cap: fill, then cap below the current size; the oldest go first.
	for i := 200; i < 3000; i++ {
		at := t0.Add(time.Duration(i) * time.Minute)
		*now = at
		res := make([]proxmox.Resource, 20)
		for g := range res {
			res[g] = guest(fmt.Sprintf("qemu/%d", 100+g), 0.5, int64(i)*60+100, int64(i)*1000)
		}
		if _, err := s.Ingest(context.Background(), "c", at, res); err != nil {
			t.Fatal(err)
		}
	}
	before, _ := s.Size()
	var pages, free, size int64
	s.DB().QueryRow(`SELECT * FROM pragma_page_count, pragma_freelist_count, pragma_page_size`).Scan(&pages, &free, &size)
	s.MaxBytes = (pages - free) * size / 2
	if err := s.Prune(context.Background()); err != nil {
		t.Fatal(err)
	}
	s.DB().QueryRow(`SELECT * FROM pragma_page_count, pragma_freelist_count, pragma_page_size`).Scan(&pages, &free, &size)
	if used := (pages - free) * size; used > s.MaxBytes {
		t.Errorf("used %d bytes; cap %d", used, s.MaxBytes)
	}
	var newest, h1oldest int64
	s.DB().QueryRow(`SELECT max(ts) FROM raw`).Scan(&newest)
	s.DB().QueryRow(`SELECT min(ts) FROM h1`).Scan(&h1oldest)
	if newest != now.Unix() || h1oldest <= t0.Unix() {
		t.Errorf("after cap: newest raw %d (want %d), oldest h1 %d (want > %d)", newest, now.Unix(), h1oldest, t0.Unix())
	}
	after, _ := s.Size()
	t.Logf("size %d → %d bytes (cap %d)", before, after, s.MaxBytes)
}

func simClient(t *testing.T, srv *pvesim.Server) *proxmox.Client {
	t.Helper()
	tok := srv.AdminToken()
	c, err := proxmox.NewClient(proxmox.Config{Endpoint: srv.URL, TokenID: tok.ID, Secret: tok.Secret,
		Fingerprint: srv.Fingerprint, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestPvesimIngestAndBackfill polls a simulated cluster over HTTPS, then
// backfills a guest from its rrddata: only the holes are filled, marked.
// TestPvesimIngestAndBackfill polls the simulator and backfills from its
// rrddata: PVE 9.1's minute rows fill the five-minute tier; PVE 8.4's
// day is 70 rows of 30 minutes, which fill the 15-minute and hourly tiers.
func TestPvesimIngestAndBackfill(t *testing.T) {
	for _, version := range pvesim.Versions {
		t.Run(version, func(t *testing.T) { testPvesimIngestAndBackfill(t, version) })
	}
}

func testPvesimIngestAndBackfill(t *testing.T, version string) {
	pve8 := version == pvesim.Version84
	now := t0
	srv := pvesim.NewTestServer(t, pvesim.Config{Guests: 30, Now: func() time.Time { return now }, Version: version})
	c := simClient(t, srv)
	s, snow := mustOpen(t, "")
	ctx := context.Background()
	var last metrics.IngestResult
	for i := range 3 {
		now = t0.Add(time.Duration(i) * 10 * time.Second)
		res, err := c.Resources(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		if last, err = s.Ingest(context.Background(), "sim", now, res); err != nil {
			t.Fatal(err)
		}
	}
	if last.Stored < 30 || len(last.Rates) < 10 {
		t.Fatalf("stored %d, rates for %d targets; want every guest and node, rates for the running guests", last.Stored, len(last.Rates))
	}
	var g pvesim.Guest
	for _, x := range srv.Guests() {
		if x.Status == "running" && x.Type == "qemu" {
			g = x
			break
		}
	}
	id := fmt.Sprintf("qemu/%d", g.VMID)
	if _, ok := last.Rates[id]; !ok {
		t.Fatalf("no rate for running %s", id)
	}

	*snow = now
	need, err := s.NeedsBackfill(context.Background(), "sim", "qemu/424242", now)
	if err != nil || len(need) != 2 {
		t.Errorf("NeedsBackfill(new target) = %v, %v; want day and month", need, err)
	}
	need, err = s.NeedsBackfill(context.Background(), "sim", id, now)
	if err != nil || len(need) != 0 {
		t.Errorf("NeedsBackfill(just polled) = %v, %v; want nothing", need, err)
	}
	need, _ = s.NeedsBackfill(context.Background(), "sim", id, now.Add(3*time.Hour))
	if len(need) != 1 || need[0] != "day" {
		t.Errorf("NeedsBackfill(3 h later) = %v; want [day]", need)
	}

	ref := proxmox.GuestRef{Node: g.Node, Type: proxmox.QEMU, VMID: g.VMID}
	for _, tf := range []string{"day", "month"} {
		pts, err := c.RRDData(ctx, ref, tf, "AVERAGE")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Backfill(context.Background(), "sim", id, pts, tf); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Our own minute is still ours; the day before is Proxmox's.
	var src, n int64
	if err := s.DB().QueryRow(`SELECT src, n FROM m5 WHERE target = (SELECT id FROM targets WHERE target = ?) AND ts = ?`,
		id, t0.Unix()).Scan(&src, &n); err != nil {
		t.Fatal(err)
	}
	if src != 0 || n != 3 {
		t.Errorf("own minute: src %d n %d; want src 0 n 3 (not overwritten)", src, n)
	}
	var own, pve, m15 int
	s.DB().QueryRow(`SELECT count(*) FILTER (WHERE src = 0), count(*) FILTER (WHERE src = 1) FROM m5`).Scan(&own, &pve)
	s.DB().QueryRow(`SELECT count(*) FROM m15 WHERE src = 1`).Scan(&m15)
	var h1 int
	s.DB().QueryRow(`SELECT count(*) FROM h1 WHERE src = 1`).Scan(&h1)
	if pve8 {
		// 70 rows of 30 minutes: 35 hours in 15-minute and hourly rows;
		// month's 12-hour rows are too coarse for any default tier.
		if pve != 0 || m15 < 130 || h1 < 34 || h1 > 36 {
			t.Errorf("Proxmox rows: m5 %d, m15 %d, h1 %d; want none, about 140, 35", pve, m15, h1)
		}
	} else {
		if pve < 250 {
			t.Errorf("m5 has %d Proxmox rows; want about a day", pve)
		}
		if h1 < 24*20 {
			t.Errorf("h1 has %d Proxmox rows; want about a month", h1)
		}
	}
	h, err := s.History(context.Background(), "sim", id, []string{"cpu", "netin"}, t0.Add(-12*time.Hour), t0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	nn := countNonNull(h.Columns["cpu"])
	t.Logf("12 h before the first poll: %d of %d points, tier %s", nn, len(h.Times), h.Tier)
	if !pve8 && (nn < 140 || h.Tier != "m5") {
		t.Errorf("12 h before first poll: %d points from backfill (tier %s); want most of 144 from m5", nn, h.Tier)
	}
	if pve8 && (nn < 46 || h.Tier != "m15") {
		t.Errorf("12 h before first poll: %d points from backfill (tier %s); want most of 48 from m15", nn, h.Tier)
	}
	// Backfilling again changes nothing.
	var before int
	s.DB().QueryRow(`SELECT total(n) FROM m15`).Scan(&before)
	pts, _ := c.RRDData(ctx, ref, "day", "AVERAGE")
	if err := s.Backfill(context.Background(), "sim", id, pts, "day"); err != nil {
		t.Fatal(err)
	}
	var after int
	s.DB().QueryRow(`SELECT total(n) FROM m15`).Scan(&after)
	if before != after {
		t.Errorf("second backfill changed m15: %d → %d", before, after)
	}
}

func countNonNull(v []*float64) int {
	n := 0
	for _, p := range v {
		if p != nil && !math.IsNaN(*p) {
			n++
		}
	}
	return n
}

func TestCorruptFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "metrics.db")
	if err := os.WriteFile(path, []byte("this is not a database, just some bytes that fill the header and more"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := metrics.Open(path)
	var ce *metrics.CorruptError
	if !errors.As(err, &ce) {
		t.Fatalf("Open(garbage) = %v; want *CorruptError", err)
	}
	moved, err := metrics.Recover(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(moved); err != nil {
		t.Errorf("damaged file not kept: %v", err)
	}
	s, _ := mustOpen(t, path)
	if _, err := s.Ingest(context.Background(), "c", t0, []proxmox.Resource{guest("qemu/100", 0.5, 100, 0)}); err != nil {
		t.Errorf("fresh store: %v", err)
	}
}

// TestDiskFull emulates a full disk with PRAGMA max_page_count (mounting a
// tiny tmpfs needs privileges tests should not assume): Ingest fails with
// ErrFull, stores nothing, and works again once there is room.
func TestDiskFull(t *testing.T) {
	s, _ := mustOpen(t, "")
	db := s.DB()
	db.SetMaxOpenConns(1) // the pragma is per connection
	res := make([]proxmox.Resource, 200)
	poll := func(i int) error {
		for g := range res {
			res[g] = guest(fmt.Sprintf("qemu/%d", 100+g), 0.5, int64(100+i*10), int64(i)*1000)
		}
		_, err := s.Ingest(context.Background(), "c", t0.Add(time.Duration(i)*10*time.Second), res)
		return err
	}
	if err := poll(0); err != nil {
		t.Fatal(err)
	}
	var pages int64
	db.QueryRow(`PRAGMA page_count`).Scan(&pages)
	if _, err := db.Exec(fmt.Sprintf(`PRAGMA max_page_count = %d`, pages)); err != nil {
		t.Fatal(err)
	}
	var err error
	var last metrics.IngestResult
	i := 1
	for ; i < 50 && err == nil; i++ {
		for g := range res {
			res[g] = guest(fmt.Sprintf("qemu/%d", 100+g), 0.5, int64(100+i*10), int64(i)*1000)
		}
		last, err = s.Ingest(context.Background(), "c", t0.Add(time.Duration(i)*10*time.Second), res)
	}
	if !errors.Is(err, metrics.ErrFull) {
		t.Fatalf("Ingest on a full disk = %v; want ErrFull", err)
	}
	// The live view keeps its rates while the history cannot grow.
	if len(last.Rates) != len(res) {
		t.Errorf("a poll that could not be stored has rates for %d guests; want all %d", len(last.Rates), len(res))
	}
	t.Logf("full after %d polls: %v", i-1, err)
	failed := t0.Add(time.Duration(i-1) * 10 * time.Second).Unix()
	var n int
	db.QueryRow(`SELECT count(*) FROM raw WHERE ts = ?`, failed).Scan(&n)
	if n != 0 {
		t.Errorf("failed poll left %d rows", n)
	}
	if _, err := db.Exec(`PRAGMA max_page_count = 1073741823`); err != nil {
		t.Fatal(err)
	}
	if err := poll(i); err != nil {
		t.Fatalf("Ingest after space came back: %v", err)
	}
	var ok string
	db.QueryRow(`PRAGMA integrity_check`).Scan(&ok)
	if ok != "ok" {
		t.Errorf("integrity_check = %s", ok)
	}
}

// TestKill9 runs a child process that ingests in a loop, SIGKILLs it, and
// checks the file: integrity ok, at most the poll in flight lost, rollups
// recovered from raw on the next open.
func TestKill9(t *testing.T) {
	if os.Getenv("METRICS_KILL_CHILD") != "" {
		t.Skip("child runs the loop in TestKillChild")
	}
	path := filepath.Join(t.TempDir(), "metrics.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestKillChild$")
	cmd.Env = append(os.Environ(), "METRICS_KILL_CHILD="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	last := -1
	for sc.Scan() {
		if n, err := strconv.Atoi(sc.Text()); err == nil {
			last = n
			if n >= 150 {
				break
			}
		}
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if last < 0 {
		t.Fatal("child never reported a poll")
	}

	s, _ := mustOpen(t, path)
	var ok string
	if err := s.DB().QueryRow(`PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity_check = %q, %v", ok, err)
	}
	var polls int
	s.DB().QueryRow(`SELECT count(DISTINCT ts) FROM raw`).Scan(&polls)
	if polls < last+1 {
		t.Errorf("%d polls in raw; child had committed %d", polls, last+1)
	}
	// The next Ingest folds what the crash left unfolded: h1 counts every raw sample.
	if _, err := s.Ingest(context.Background(), "c", t0.Add(24*time.Hour), []proxmox.Resource{guest("qemu/100", 0.5, 1, 0)}); err != nil {
		t.Fatal(err)
	}
	if err := s.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	var rawN, h1N int
	s.DB().QueryRow(`SELECT count(*) FROM raw`).Scan(&rawN)
	s.DB().QueryRow(`SELECT sum(n) FROM h1`).Scan(&h1N)
	if rawN != h1N {
		t.Errorf("raw has %d samples, h1 counts %d after recovery", rawN, h1N)
	}
	t.Logf("child reported %d polls; raw holds %d polls", last+1, polls)
}

func TestKillChild(t *testing.T) {
	path := os.Getenv("METRICS_KILL_CHILD")
	if path == "" {
		t.Skip("run by TestKill9")
	}
	s, err := metrics.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	var now time.Time
	s.Now = func() time.Time { return now }
	res := make([]proxmox.Resource, 100)
	for i := 0; ; i++ {
		now = t0.Add(time.Duration(i) * 10 * time.Second)
		for g := range res {
			res[g] = guest(fmt.Sprintf("qemu/%d", 100+g), 0.5, int64(100+i*10), int64(i)*1000)
		}
		if _, err := s.Ingest(context.Background(), "c", t0.Add(time.Duration(i)*10*time.Second), res); err != nil {
			t.Fatal(err)
		}
		fmt.Println(i)
	}
}

// TestHistoryHourIsLive: a target first polled ten minutes ago, its day
// before backfilled from rrddata. The hour view has every poll up to the
// last one (a CPU step shows at once), and the earlier minutes from the
// backfill, not a 5-minute tier that ends in the past.
func TestHistoryHourIsLive(t *testing.T) {
	s, snow := mustOpen(t, "")
	ctx := context.Background()
	start := t0.Add(-10 * time.Minute)
	var pts []proxmox.RRDPoint
	for ts := start.Add(-24 * time.Hour).Truncate(time.Minute); ts.Before(start); ts = ts.Add(time.Minute) {
		cpu := 0.2
		pts = append(pts, proxmox.RRDPoint{Time: ts.Unix() + 60, Values: map[string]*float64{"cpu": &cpu}})
	}
	if err := s.Backfill(ctx, "c", "qemu/100", pts, "day"); err != nil {
		t.Fatal(err)
	}
	var last time.Time
	for i := 0; i <= 60; i++ {
		last = start.Add(time.Duration(i) * 10 * time.Second)
		cpu := 0.1
		if i == 60 {
			cpu = 0.97 // the step, in the last poll
		}
		if _, err := s.Ingest(ctx, "c", last, []proxmox.Resource{guest("qemu/100", cpu, 100+int64(i)*10, 0)}); err != nil {
			t.Fatal(err)
		}
	}
	*snow = last.Add(time.Second)
	to := last.Add(time.Second)
	h, err := s.History(ctx, "c", "qemu/100", []string{"cpu"}, to.Add(-time.Hour), to, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if h.Tier != "raw" || h.Step != 10 {
		t.Fatalf("hour view: tier %s step %d; want raw 10", h.Tier, h.Step)
	}
	cpu := h.Columns["cpu"]
	lastIdx := -1
	for i, v := range cpu {
		if v != nil {
			lastIdx = i
		}
	}
	if lastIdx < 0 || h.Times[lastIdx] != last.Unix()-last.Unix()%10 || math.Abs(*cpu[lastIdx]-0.97) > 1e-9 {
		t.Fatalf("last point: index %d of %d (time %d, want %d) = %s; want the last poll's 0.97",
			lastIdx, len(cpu), h.Times[max(lastIdx, 0)], last.Unix(), f(cpu[max(lastIdx, 0)]))
	}
	// Before the first poll: the backfilled 0.2, as a stair of 5-minute rows.
	early := 0
	for i, v := range cpu {
		if h.Times[i] < start.Unix()-300 && v != nil {
			early++
			if math.Abs(*v-0.2) > 0.01 {
				t.Errorf("%d: %s; want the backfilled 0.2", h.Times[i], f(v))
			}
		}
	}
	if early < 250 {
		t.Errorf("%d points before the first poll; want the 50 minutes backfilled (about 270)", early)
	}
	// Polls at 10 s: no gap in what Cecyber polled itself.
	for i, v := range cpu {
		if h.Times[i] >= start.Unix() && h.Times[i] <= last.Unix() && v == nil {
			t.Errorf("gap at %d in the polled minutes", h.Times[i])
		}
	}
}
