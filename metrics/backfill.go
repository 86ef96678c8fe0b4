package metrics

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"sort"
	"time"

	"cecyber/proxmox"
)

// RRD timeframes of Proxmox VE 9 and their step (PVE 8 has 70 points per
// timeframe; Backfill then infers the step from the points' spacing).
var rrdSteps = map[string]time.Duration{
	"hour":  time.Minute,
	"day":   time.Minute,
	"week":  30 * time.Minute,
	"month": 30 * time.Minute,
	"year":  6 * time.Hour,
}

// rawWeight is the nominal poll interval: a backfilled row of step d
// counts as d/rawWeight samples when it is averaged with our own.
const rawWeight = 10 * time.Second

// Backfill fills the rollup tiers of one target from Proxmox's rrddata
// (AVERAGE), where the store has no row yet: it never overwrites our own
// samples, and our own samples later replace it. Rows are marked as coming
// from Proxmox (src = 1). source is the timeframe the points came from
// ("hour", "day", "week", "month", "year"), which gives their step.
//
// A point's time is the end of its step, as rrdtool reports it. Points feed
// every tier at least as coarse as their step (averaged, max of the
// averages), and a tier at most twice finer (each point repeated): so day
// (1 min) fills m5, m15 and h1; month (30 min) fills m15 and h1; year (6 h)
// fills no default tier. The raw tier only ever holds our own polls.
func (s *Store) Backfill(ctx context.Context, clusterID, targetID string, points []proxmox.RRDPoint, source string) error {
	step, ok := rrdSteps[source]
	if !ok || len(points) >= 2 && points[1].Time-points[0].Time != int64(step/time.Second) {
		step = inferStep(points)
	}
	if step <= 0 {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errors.New("backfill: metrics store is closed")
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return backfillErr(err)
	}
	defer tx.Rollback()
	var id int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO targets (cluster, target) VALUES (?, ?)
		ON CONFLICT (cluster, target) DO UPDATE SET target = excluded.target RETURNING id`, clusterID, targetID).Scan(&id); err != nil {
		return backfillErr(err)
	}
	sec := int64(step / time.Second)
	for _, tier := range s.Tiers[1:] {
		ts := int64(tier.Step / time.Second)
		if ts*2 < sec {
			continue
		}
		buckets := map[int64]*acc{}
		for i := range points {
			v, ok := rrdVals(points[i].Values)
			if !ok {
				continue
			}
			startPt := points[i].Time - sec
			if ts >= sec {
				b := bucket(startPt, tier.Step)
				a := buckets[b]
				if a == nil {
					a = &acc{}
					buckets[b] = a
				}
				a.add(&v)
				a.n += sec/int64(rawWeight/time.Second) - 1
			} else {
				for t := startPt; t < startPt+sec; t += ts {
					a := &acc{}
					a.add(&v)
					a.n = ts / int64(rawWeight/time.Second)
					buckets[bucket(t, tier.Step)] = a
				}
			}
		}
		st, err := tx.PrepareContext(ctx, insertSQL(tier.Name))
		if err != nil {
			return backfillErr(err)
		}
		keys := make([]int64, 0, len(buckets))
		for b := range buckets {
			keys = append(keys, b)
		}
		sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
		args := make([]any, 0, 3+len(rollupCols))
		for _, b := range keys {
			bv := buckets[b].bucketVals()
			bv.src = 1
			args = append(args[:0], id, b)
			args = bv.args(args)
			if _, err := st.ExecContext(ctx, args...); err != nil {
				st.Close()
				return backfillErr(err)
			}
		}
		st.Close()
	}
	if err := tx.Commit(); err != nil {
		return backfillErr(err)
	}
	if cs := s.clusters[clusterID]; cs != nil {
		cs.ids[targetID] = id
	}
	return nil
}

func backfillErr(err error) error {
	if isFull(err) {
		return fmt.Errorf("backfill: %w (%w)", ErrFull, err)
	}
	return fmt.Errorf("backfill: %w", err)
}

// inferStep is the smallest spacing between consecutive points.
func inferStep(points []proxmox.RRDPoint) time.Duration {
	var best int64
	for i := 1; i < len(points); i++ {
		if d := points[i].Time - points[i-1].Time; d > 0 && (best == 0 || d < best) {
			best = d
		}
	}
	return time.Duration(best) * time.Second
}

// rrdVals converts one rrddata point (guest or node names) to stored
// values; ok is false when the point has no data at all.
func rrdVals(m map[string]*float64) (vals, bool) {
	get := func(names ...string) (float64, bool) {
		for _, n := range names {
			if p := m[n]; p != nil && !math.IsNaN(*p) && !math.IsInf(*p, 0) {
				return *p, true
			}
		}
		return 0, false
	}
	var v vals
	any := false
	set := func(i int, f float64, ok bool, scale float64) {
		if !ok {
			v.null[i] = true
			return
		}
		any = true
		v.v[i] = encodeVal(i, f*scale)
	}
	f, ok := get("cpu")
	set(0, f, ok, cpuScale)
	f, ok = get("mem", "memused")
	set(1, f, ok, 1.0/mib)
	f, ok = get("maxmem", "memtotal")
	set(2, f, ok, 1.0/mib)
	f, ok = get("memhost")
	set(3, f, ok, 1.0/mib)
	f, ok = get("diskread")
	set(4, f, ok, 1)
	f, ok = get("diskwrite")
	set(5, f, ok, 1)
	f, ok = get("netin")
	set(6, f, ok, 1)
	f, ok = get("netout")
	set(7, f, ok, 1)
	return v, any
}

// NeedsBackfill tells which rrddata timeframes to fetch for a target at
// now: "day" and "month" the first time a target is seen (hour and week
// are subsets of them at the same step), "day" after a hole of more than
// two minutes in the last day, "day" and "month" after a longer one. None
// when the history is up to date.
func (s *Store) NeedsBackfill(ctx context.Context, clusterID, targetID string, now time.Time) ([]string, error) {
	var id int64
	err := s.db.QueryRowContext(ctx, `SELECT id FROM targets WHERE cluster = ? AND target = ?`, clusterID, targetID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return []string{"day", "month"}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("needs backfill: %w", err)
	}
	// The end of the newest data in any tier.
	last := int64(-1)
	for _, tier := range s.Tiers {
		var m sql.NullInt64
		if err := s.db.QueryRowContext(ctx, fmt.Sprintf(`SELECT max(ts) FROM %s WHERE target = ?`, tier.Name), id).Scan(&m); err != nil {
			return nil, fmt.Errorf("needs backfill: %w", err)
		}
		end := m.Int64
		if tier.Name != "raw" {
			end += int64(tier.Step / time.Second)
		}
		if m.Valid && end > last {
			last = end
		}
	}
	hole := now.Unix() - last
	switch {
	case last < 0:
		return []string{"day", "month"}, nil
	case hole <= 120:
		return nil, nil
	case hole <= 24*3600:
		return []string{"day"}, nil
	default:
		return []string{"day", "month"}, nil
	}
}
