//go:build unix

// The benchmark drives Unix processes (signals, getrusage) and Debian's peers:
// it is a tool for this Linux machine, not part of Cecyber on Windows.

// Command metricsbench measures the metrics store side by side with a naive
// baseline in one run and prints name=value lines:
//
//	poll_10k_cpu_ms          CPU of one poll of a 10,000-guest cluster, end to
//	                         end (HTTPS fetch with the proxmox client, decode,
//	                         rates, insert), median of several polls
//	poll_10k_ratio_vs_naive  CPU of writing the same rows one autocommit
//	                         INSERT each, divided by Ingest's CPU for them
//	query_30d_ms             History of one guest over 30 days at 1,000 points
//	query_sparklines_ms      24 h of CPU for 500 guests in one Sparklines call
//	bytes_per_guest_year     file size after a simulated year at default tiers,
//	                         per guest
//
// The simulated cluster (pvesim) runs in a child process (this binary with
// -serve) on loopback, so the CPU measured is the client's alone, as it
// would be against a real Proxmox.
package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"time"

	"cecyber/metrics"
	"cecyber/proxmox"
	"cecyber/proxmox/pvesim"
)

type serverInfo struct {
	URL, Fingerprint, TokenID, Secret string
}

func main() {
	serve := flag.Bool("serve", false, "serve a 10,000-guest pvesim on loopback and print how to reach it (internal)")
	guests := flag.Int("guests", 10000, "guests in the simulated cluster")
	polls := flag.Int("polls", 7, "measured polls (median reported)")
	yearGuests := flag.Int("year-guests", 20, "guests in the simulated year")
	flag.Parse()
	if *serve {
		serveSim(*guests)
		return
	}
	if err := run(*guests, *polls, *yearGuests); err != nil {
		fmt.Fprintln(os.Stderr, "metricsbench:", err)
		os.Exit(1)
	}
}

func serveSim(guests int) {
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	var mu = make(chan struct{}, 1)
	mu <- struct{}{}
	now := start
	// Each request sees the cluster 10 s later, as a 10 s poller would.
	clock := func() time.Time {
		<-mu
		defer func() { mu <- struct{}{} }()
		return now
	}
	srv, err := pvesim.Start(pvesim.Config{Nodes: 8, Guests: guests, Now: clock}, "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	tok := srv.AdminToken()
	json.NewEncoder(os.Stdout).Encode(serverInfo{URL: srv.URL, Fingerprint: srv.Fingerprint, TokenID: tok.ID, Secret: tok.Secret})
	// Every line on stdin advances the clock by 10 s; EOF ends.
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		<-mu
		now = now.Add(10 * time.Second)
		mu <- struct{}{}
		fmt.Println("ok")
	}
	srv.Close()
}

func cpuNow() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func ms(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e6, 'f', 2, 64) }

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func run(guests, polls, yearGuests int) error {
	dir, err := os.MkdirTemp("", "metricsbench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	// --- poll of a 10k-guest cluster ---
	self, err := os.Executable()
	if err != nil {
		return err
	}
	child := exec.Command(self, "-serve", "-guests", strconv.Itoa(guests))
	child.Stderr = os.Stderr
	stdin, _ := child.StdinPipe()
	stdout, _ := child.StdoutPipe()
	if err := child.Start(); err != nil {
		return err
	}
	defer func() { stdin.Close(); child.Wait() }()
	rd := bufio.NewReader(stdout)
	line, err := rd.ReadBytes('\n')
	if err != nil {
		return fmt.Errorf("simulator: %w", err)
	}
	var info serverInfo
	if err := json.Unmarshal(line, &info); err != nil {
		return err
	}
	client, err := proxmox.NewClient(proxmox.Config{Endpoint: info.URL, TokenID: info.TokenID, Secret: info.Secret,
		Fingerprint: info.Fingerprint, Timeout: 30 * time.Second})
	if err != nil {
		return err
	}
	advance := func() error {
		fmt.Fprintln(stdin)
		_, err := rd.ReadBytes('\n')
		return err
	}

	st, err := metrics.Open(filepath.Join(dir, "poll.db"))
	if err != nil {
		return err
	}
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	st.Now = func() time.Time { return at }
	ctx := context.Background()
	var total, fetch, ingest []time.Duration
	var last []proxmox.Resource
	var stored int
	for i := 0; i < polls+2; i++ { // two warm-up polls: connection, first sight
		if err := advance(); err != nil {
			return err
		}
		at = at.Add(10 * time.Second)
		c0 := cpuNow()
		res, err := client.Resources(ctx, "")
		if err != nil {
			return err
		}
		c1 := cpuNow()
		r, err := st.Ingest(context.Background(), "bench", at, res)
		if err != nil {
			return err
		}
		c2 := cpuNow()
		if i >= 2 {
			total = append(total, c2-c0)
			fetch = append(fetch, c1-c0)
			ingest = append(ingest, c2-c1)
		}
		last, stored = res, r.Stored
	}
	st.Close()
	fmt.Printf("poll_10k_cpu_ms=%s\n", ms(median(total)))
	fmt.Printf("poll_10k_fetch_decode_cpu_ms=%s\n", ms(median(fetch)))
	fmt.Printf("poll_10k_ingest_cpu_ms=%s\n", ms(median(ingest)))
	fmt.Printf("poll_10k_samples=%d\n", stored)
	fmt.Printf("poll_10k_resources=%d\n", len(last))
	fmt.Printf("poll_10k_polls_measured=%d\n", len(total))
	fmt.Printf("poll_10k_total_cpu_ms_each=%v\n", msList(total))
	fmt.Printf("poll_10k_ingest_cpu_ms_each=%v\n", msList(ingest))

	// --- the same rows, one autocommit INSERT each ---
	// Naive: SQLite's defaults (rollback journal, synchronous=FULL), as a
	// first attempt would open it; and the same with the store's pragmas
	// (WAL, synchronous=NORMAL), to show what transactions alone buy.
	naive, naiveWall, err := naiveInsert(filepath.Join(dir, "naive.db"), last, at, "")
	if err != nil {
		return err
	}
	naiveWAL, naiveWALWall, err := naiveInsert(filepath.Join(dir, "naivewal.db"), last, at,
		"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)")
	if err != nil {
		return err
	}
	ours := median(ingest)
	fmt.Printf("naive_insert_cpu_ms=%s\n", ms(naive))
	fmt.Printf("naive_insert_wall_ms=%s\n", ms(naiveWall))
	fmt.Printf("naive_wal_insert_cpu_ms=%s\n", ms(naiveWAL))
	fmt.Printf("naive_wal_insert_wall_ms=%s\n", ms(naiveWALWall))
	fmt.Printf("poll_10k_ratio_vs_naive=%.1f\n", float64(naive)/float64(ours))
	fmt.Printf("poll_10k_ratio_vs_naive_wal=%.1f\n", float64(naiveWAL)/float64(ours))
	fmt.Printf("poll_10k_wall_ratio_vs_naive=%.1f\n", float64(naiveWall)/float64(ours))

	// --- a simulated year ---
	bpg, yearDB, err := simulateYear(filepath.Join(dir, "year.db"), yearGuests)
	if err != nil {
		return err
	}
	fmt.Printf("bytes_per_guest_year=%d\n", bpg)

	// --- History: 30 days of one guest at 1,000 points ---
	qs, err := metrics.Open(yearDB)
	if err != nil {
		return err
	}
	end := yearEnd
	qs.Now = func() time.Time { return end }
	var qd []time.Duration
	var series metrics.Series
	for range 21 {
		t0 := time.Now()
		series, err = qs.History(context.Background(), "year", "qemu/100", nil, end.Add(-30*24*time.Hour), end, 1000)
		if err != nil {
			return err
		}
		qd = append(qd, time.Since(t0))
	}
	qs.Close()
	fmt.Printf("query_30d_ms=%s\n", ms(median(qd)))
	fmt.Printf("query_30d_points=%d\n", len(series.Times))
	fmt.Printf("query_30d_tier=%s\n", series.Tier)
	fmt.Printf("query_30d_nonnull=%d\n", nonNull(series.Columns["cpu"]))

	// --- Sparklines: 24 h of CPU for 500 guests ---
	sd, pts, tier, err := sparklines(filepath.Join(dir, "spark.db"), 500)
	if err != nil {
		return err
	}
	fmt.Printf("query_sparklines_ms=%s\n", ms(sd))
	fmt.Printf("query_sparklines_points=%d\n", pts)
	fmt.Printf("query_sparklines_tier=%s\n", tier)
	return nil
}

func msList(ds []time.Duration) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = ms(d)
	}
	return out
}

func nonNull(v []*float64) int {
	n := 0
	for _, p := range v {
		if p != nil {
			n++
		}
	}
	return n
}

// naiveInsert writes the poll's nodes and guests into a table like raw, one
// autocommit INSERT per row, with the same pragmas as the store.
func naiveInsert(path string, res []proxmox.Resource, at time.Time, pragmas string) (cpu, wall time.Duration, err error) {
	db, err := sql.Open("sqlite", "file:"+path+pragmas)
	if err != nil {
		return 0, 0, err
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE samples (target TEXT, ts INTEGER, cpu REAL, mem INTEGER, maxmem INTEGER,
		diskread INTEGER, diskwrite INTEGER, netin INTEGER, netout INTEGER, uptime INTEGER)`); err != nil {
		return 0, 0, err
	}
	c0, w0 := cpuNow(), time.Now()
	for _, r := range res {
		if r.Type != "qemu" && r.Type != "lxc" && r.Type != "node" {
			continue
		}
		if _, err := db.Exec(`INSERT INTO samples VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.ID, at.Unix(), r.CPU, r.Mem, r.MaxMem,
			r.DiskRead, r.DiskWrite, r.NetIn, r.NetOut, r.Uptime); err != nil {
			return 0, 0, err
		}
	}
	return cpuNow() - c0, time.Since(w0), nil
}

var yearEnd = time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)

// synth is a deterministic guest: waves for gauges, counters that grow at
// pvesim-like rates (16 KiB/s–2 MiB/s disk, 4 KiB/s–1 MiB/s network).
type synth struct {
	cpu, io, net, mem float64
	maxmem            int64
	dr, dw, ni, no    float64
	boot              int64
}

func newSynth(i int) *synth {
	f := func(k int) float64 { return math.Mod(float64(i*7919+k*104729)*0.6180339887, 1) }
	return &synth{cpu: 0.05 + 0.6*f(1), io: 16384 + f(2)*(2<<20), net: 4096 + f(3)*(1<<20), mem: 0.3 + 0.5*f(4),
		maxmem: int64(1+int(f(5)*16)) << 30}
}

func (g *synth) resource(i int, t int64, dt float64) proxmox.Resource {
	w := func(k float64) float64 { return 0.5 + 0.5*math.Sin(float64(t)/(3600*(1+k))+k) }
	g.dr += dt * g.io * (0.2 + 0.8*w(1))
	g.dw += dt * 0.6 * g.io * (0.2 + 0.8*w(2))
	g.ni += dt * g.net * (0.2 + 0.8*w(3))
	g.no += dt * 0.4 * g.net * (0.2 + 0.8*w(4))
	typ := "qemu"
	if i%3 == 2 {
		typ = "lxc"
	}
	return proxmox.Resource{ID: fmt.Sprintf("%s/%d", typ, 100+i), Type: typ, Status: "running",
		CPU: g.cpu * (0.1 + 0.9*w(5)), MaxCPU: 4, Mem: int64(float64(g.maxmem) * g.mem * (0.85 + 0.15*w(6))), MaxMem: g.maxmem,
		DiskRead: int64(g.dr), DiskWrite: int64(g.dw), NetIn: int64(g.ni), NetOut: int64(g.no), Uptime: t - g.boot}
}

// feed ingests polls every step over [from, to).
func feed(st *metrics.Store, cluster string, gs []*synth, from, to time.Time, step time.Duration, now *time.Time) error {
	res := make([]proxmox.Resource, len(gs))
	for t := from; t.Before(to); t = t.Add(step) {
		*now = t
		for i, g := range gs {
			res[i] = g.resource(i, t.Unix(), step.Seconds())
		}
		if _, err := st.Ingest(context.Background(), cluster, t, res); err != nil {
			return err
		}
	}
	return nil
}

// simulateYear writes a year of polls for n guests at the default tiers
// and returns the file size per guest. Polls are 15 minutes apart until
// the last week (only the m15 and h1 tiers keep rows that old, one per
// bucket whatever the poll rate), a minute apart in the last week but one
// day (m5 keeps one row per 5 minutes), and 10 s apart in the last day (raw).
// So every tier ends up with exactly the rows a year of 10 s polls leaves.
func simulateYear(path string, n int) (int64, string, error) {
	st, err := metrics.Open(path)
	if err != nil {
		return 0, "", err
	}
	var now time.Time
	st.Now = func() time.Time { return now }
	st.MaxRateGap = 16 * time.Minute // rates across the coarse simulated polls
	gs := make([]*synth, n)
	for i := range gs {
		gs[i] = newSynth(i)
		gs[i].boot = yearEnd.Add(-400 * 24 * time.Hour).Unix()
	}
	start := yearEnd.Add(-365 * 24 * time.Hour)
	t0 := time.Now()
	week, day := yearEnd.Add(-7*24*time.Hour), yearEnd.Add(-24*time.Hour)
	if err := feed(st, "year", gs, start, week, 15*time.Minute, &now); err != nil {
		return 0, "", err
	}
	if err := feed(st, "year", gs, week, day, time.Minute, &now); err != nil {
		return 0, "", err
	}
	if err := feed(st, "year", gs, day, yearEnd, 10*time.Second, &now); err != nil {
		return 0, "", err
	}
	if err := st.Prune(context.Background()); err != nil {
		return 0, "", err
	}
	if err := st.Close(); err != nil {
		return 0, "", err
	}
	fmt.Printf("year_sim_guests=%d\n", n)
	fmt.Printf("year_sim_seconds=%.1f\n", time.Since(t0).Seconds())
	fi, err := os.Stat(path)
	if err != nil {
		return 0, "", err
	}
	fmt.Printf("year_file_bytes=%d\n", fi.Size())
	tableSizes(path)
	return fi.Size() / int64(n), path, nil
}

// tableSizes prints each table's bytes (dbstat) and rows when available.
func tableSizes(path string) {
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		return
	}
	defer db.Close()
	for _, t := range []string{"raw", "m5", "m15", "h1"} {
		var rows int64
		db.QueryRow("SELECT count(*) FROM " + t).Scan(&rows)
		var bytes sql.NullInt64
		db.QueryRow("SELECT sum(pgsize) FROM dbstat WHERE name = ?", t).Scan(&bytes)
		fmt.Printf("year_table_%s_rows=%d\n", t, rows)
		if bytes.Valid && rows > 0 {
			fmt.Printf("year_table_%s_bytes=%d\n", t, bytes.Int64)
			fmt.Printf("year_table_%s_bytes_per_row=%.1f\n", t, float64(bytes.Int64)/float64(rows))
		}
	}
}

// sparklines fills 24 h for n guests (polls a minute apart: every rollup
// row as a day of 10 s polls leaves it) and times one Sparklines call.
func sparklines(path string, n int) (time.Duration, int, string, error) {
	st, err := metrics.Open(path)
	if err != nil {
		return 0, 0, "", err
	}
	defer st.Close()
	var now time.Time
	st.Now = func() time.Time { return now }
	gs := make([]*synth, n)
	ids := make([]string, n)
	for i := range gs {
		gs[i] = newSynth(i)
		ids[i] = gs[i].resource(i, 0, 0).ID
	}
	end := yearEnd
	if err := feed(st, "spark", gs, end.Add(-24*time.Hour), end, time.Minute, &now); err != nil {
		return 0, 0, "", err
	}
	var ds []time.Duration
	var times []int64
	for range 11 {
		t0 := time.Now()
		times, _, err = st.Sparklines(context.Background(), "spark", ids, metrics.CPU, end.Add(-24*time.Hour), end, 96)
		if err != nil {
			return 0, 0, "", err
		}
		ds = append(ds, time.Since(t0))
	}
	return median(ds), len(times), "m15", nil
}
