package metrics

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"cecyber/proxmox"
)

// ErrFull is wrapped by errors from Ingest and Backfill when the disk (or
// SQLite's page limit) is full; nothing of that call was stored, and the
// next call works again once there is space.
var ErrFull = errors.New("no space left for the metric history")

// IngestResult is what one poll produced.
type IngestResult struct {
	// Stored is how many samples were written (nodes and guests; templates,
	// storages and unreachable targets are skipped).
	Stored int
	// Rates holds the I/O rates of every target that has one this poll
	// (not on first sight, after a reset or after a gap), by target ID.
	Rates map[string]Rate
}

// prevSample is the last counters seen for a target.
type prevSample struct {
	ts int64
	s  Sample
}

// acc folds the samples of one open bucket.
type acc struct {
	n   int64
	sum [nval]float64
	cnt [nval]int64
	max [nval]int64
}

func (a *acc) add(v *vals) {
	a.n++
	for i := range v.v {
		if v.null[i] {
			continue
		}
		if a.cnt[i] == 0 || v.v[i] > a.max[i] {
			a.max[i] = v.v[i]
		}
		a.sum[i] += float64(v.v[i])
		a.cnt[i]++
	}
}

// rollupState is the open bucket of one rollup tier for one cluster: every
// target's accumulator holds the samples since the bucket was last written.
type rollupState struct {
	open  int64 // start of the open bucket; valid when accs is not empty
	accs  map[int64]*acc
	maxTS int64 // newest sample folded into accs
}

type clusterState struct {
	ids     map[string]int64 // target ID → targets.id
	prev    map[int64]prevSample
	rollups []rollupState // one per Store.Tiers[1:]
	seq     int64         // polls ingested, spreads periodic work over polls
}

// spread is how many polls periodic per-target work (saving counters,
// retention) is spread over: each target gets it every spread-th poll.
const (
	counterSpread = 6  // counters saved about once a minute at 10 s polls
	pruneSpread   = 30 // retention applied about every five minutes
)

func wanted(r *proxmox.Resource) bool {
	switch r.Type {
	case "node":
		return r.Status == "online"
	case "qemu", "lxc":
		return !r.Template && r.Status != "unknown"
	}
	return false
}

type staged struct {
	id  int64
	ts  int64
	v   vals
	s   Sample
	new string // target ID when the target was created in this transaction
}

// Ingest stores one poll of /cluster/resources taken at time at, in one
// transaction: a raw sample per node and guest, I/O rates from the
// counters, and the rollup buckets that this poll closes. If it fails,
// nothing of the poll is stored and the in-memory state is unchanged, so
// the poll is a gap and the next one works normally.
func (s *Store) Ingest(clusterID string, at time.Time, res []proxmox.Resource) (IngestResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return IngestResult{}, errors.New("ingest: metrics store is closed")
	}
	ctx := context.Background()
	cs, err := s.clusterLocked(ctx, clusterID)
	if err != nil {
		return IngestResult{}, ingestErr(err)
	}
	ts := at.Unix()
	result := IngestResult{Rates: make(map[string]Rate, len(res))}

	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return IngestResult{}, ingestErr(err)
	}
	defer tx.Rollback()

	// Close the buckets this poll leaves behind.
	var flushed []int
	for i := range cs.rollups {
		rs := &cs.rollups[i]
		tier := s.Tiers[i+1]
		if len(rs.accs) > 0 && bucket(ts, tier.Step) != rs.open {
			if err := s.flushTier(ctx, tx, clusterID, tier, rs); err != nil {
				return IngestResult{}, ingestErr(err)
			}
			flushed = append(flushed, i)
		}
	}

	insRaw, err := tx.PrepareContext(ctx, `INSERT INTO raw (target, ts, cpu, mem, maxmem, memhost, dr, dw, ni, no)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
	if err != nil {
		return IngestResult{}, ingestErr(err)
	}
	defer insRaw.Close()

	newIDs := map[string]int64{}
	batch := make([]staged, 0, len(res))
	args := make([]any, 0, 2+nval)
	maxGap := int64(s.MaxRateGap / time.Second)
	for i := range res {
		r := &res[i]
		if !wanted(r) {
			continue
		}
		id, ok := cs.ids[r.ID]
		created := ""
		if !ok {
			if id, ok = newIDs[r.ID]; !ok {
				if err := tx.QueryRowContext(ctx, `INSERT INTO targets (cluster, target) VALUES (?, ?) RETURNING id`,
					clusterID, r.ID).Scan(&id); err != nil {
					return IngestResult{}, ingestErr(err)
				}
				newIDs[r.ID] = id
				created = r.ID
			}
		}
		smp := SampleOf(*r)
		var rate *Rate
		if p, ok := cs.prev[id]; ok && ts > p.ts && ts-p.ts <= maxGap {
			if rt, ok := Rates(p.s, smp, time.Duration(ts-p.ts)*time.Second); ok {
				rate = &rt
			}
		}
		v := encode(smp, rate)
		args = append(args[:0], id, ts)
		args = v.args(args)
		out, err := insRaw.ExecContext(ctx, args...)
		if err != nil {
			return IngestResult{}, ingestErr(err)
		}
		if n, _ := out.RowsAffected(); n == 0 {
			continue // already have a sample at this second
		}
		if rate != nil {
			result.Rates[r.ID] = *rate
		}
		batch = append(batch, staged{id: id, ts: ts, v: v, s: smp, new: created})
	}

	if err := s.saveCountersLocked(ctx, tx, cs, batch, ts); err != nil {
		return IngestResult{}, ingestErr(err)
	}
	if err := s.pruneSome(ctx, tx, cs, batch); err != nil {
		return IngestResult{}, ingestErr(err)
	}
	if err := tx.Commit(); err != nil {
		return IngestResult{}, ingestErr(err)
	}

	// Committed: now, and only now, the in-memory state moves on.
	for _, i := range flushed {
		cs.rollups[i].accs = map[int64]*acc{}
	}
	for _, b := range batch {
		if b.new != "" {
			cs.ids[b.new] = b.id
		}
		cs.prev[b.id] = prevSample{ts: b.ts, s: b.s}
		for i := range cs.rollups {
			rs := &cs.rollups[i]
			if len(rs.accs) == 0 {
				rs.open = bucket(ts, s.Tiers[i+1].Step)
				rs.maxTS = ts
			}
			a := rs.accs[b.id]
			if a == nil {
				a = &acc{}
				rs.accs[b.id] = a
			}
			a.add(&b.v)
			rs.maxTS = max(rs.maxTS, ts)
		}
	}
	cs.seq++
	result.Stored = len(batch)

	if err := s.enforceCapLocked(ctx); err != nil {
		return result, fmt.Errorf("ingest: size cap: %w", err)
	}
	return result, nil
}

func ingestErr(err error) error {
	if isFull(err) {
		return fmt.Errorf("ingest: %w (%w)", ErrFull, err)
	}
	return fmt.Errorf("ingest: %w", err)
}

// bucket returns the start of the bucket of width step holding ts.
func bucket(ts int64, step time.Duration) int64 {
	st := int64(step / time.Second)
	b := ts - ts%st
	if ts < 0 && ts%st != 0 {
		b -= st
	}
	return b
}

var rollupCols = []string{"cpu", "cpu_max", "mem", "mem_max", "maxmem", "memhost", "memhost_max",
	"dr", "dr_max", "dw", "dw_max", "ni", "ni_max", "no", "no_max"}

// mergeSQL upserts a bucket of our own samples into a rollup table. An
// existing row of ours is merged, weighted by sample counts (a late sample,
// a clock that went back, a crash recovery); a row from Proxmox is replaced,
// our own samples being the finer truth.
func mergeSQL(table, selectOrValues string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "INSERT INTO %s (target, ts, n, src, %s) %s\nON CONFLICT (target, ts) DO UPDATE SET ",
		table, strings.Join(rollupCols, ", "), selectOrValues)
	b.WriteString("n = CASE WHEN src = 1 THEN excluded.n ELSE n + excluded.n END, src = 0")
	for _, c := range rollupCols {
		if strings.HasSuffix(c, "_max") {
			fmt.Fprintf(&b, ",\n%[1]s = CASE WHEN src = 1 THEN excluded.%[1]s ELSE max(coalesce(%[1]s, excluded.%[1]s), coalesce(excluded.%[1]s, %[1]s)) END", c)
		} else {
			fmt.Fprintf(&b, ",\n%[1]s = CASE WHEN src = 1 OR %[1]s IS NULL THEN excluded.%[1]s WHEN excluded.%[1]s IS NULL THEN %[1]s "+
				"ELSE CAST(round((%[1]s * n + excluded.%[1]s * excluded.n) * 1.0 / (n + excluded.n)) AS INTEGER) END", c)
		}
	}
	return b.String()
}

func valuesPlaceholders() string {
	return "VALUES (?, ?, ?, 0" + strings.Repeat(", ?", len(rollupCols)) + ")"
}

// rollupArgs are one accumulator's row values, in rollupCols order.
func (a *acc) rollupArgs(dst []any) []any {
	avg := func(i int) any {
		if a.cnt[i] == 0 {
			return nil
		}
		return int64(roundHalf(a.sum[i] / float64(a.cnt[i])))
	}
	mx := func(i int) any {
		if a.cnt[i] == 0 {
			return nil
		}
		return a.max[i]
	}
	return append(dst, avg(0), mx(0), avg(1), mx(1), avg(2), avg(3), mx(3),
		avg(4), mx(4), avg(5), mx(5), avg(6), mx(6), avg(7), mx(7))
}

func roundHalf(f float64) float64 {
	if f < 0 {
		return -roundHalf(-f)
	}
	return float64(int64(f + 0.5))
}

// flushTier writes a tier's open buckets and moves its watermark.
func (s *Store) flushTier(ctx context.Context, tx *sql.Tx, clusterID string, tier Tier, rs *rollupState) error {
	st, err := tx.PrepareContext(ctx, mergeSQL(tier.Name, valuesPlaceholders()))
	if err != nil {
		return err
	}
	defer st.Close()
	args := make([]any, 0, 3+len(rollupCols))
	for id, a := range rs.accs {
		args = append(args[:0], id, rs.open, a.n)
		args = a.rollupArgs(args)
		if _, err := st.ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("write %s bucket: %w", tier.Name, err)
		}
	}
	return setWatermark(ctx, tx, clusterID, tier.Name, rs.maxTS+1)
}

func setWatermark(ctx context.Context, tx *sql.Tx, clusterID, tier string, folded int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO watermarks (cluster, tier, folded) VALUES (?, ?, ?)
		ON CONFLICT (cluster, tier) DO UPDATE SET folded = max(folded, excluded.folded)`, clusterID, tier, folded)
	return err
}

// saveCountersLocked saves the counters of the targets whose turn it is
// this poll, so that after a restart rates resume from counters at most
// counterSpread polls old.
func (s *Store) saveCountersLocked(ctx context.Context, tx *sql.Tx, cs *clusterState, batch []staged, ts int64) error {
	st, err := tx.PrepareContext(ctx, `INSERT INTO counters (target, ts, uptime, dr, dw, ni, no) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (target) DO UPDATE SET ts = excluded.ts, uptime = excluded.uptime,
		dr = excluded.dr, dw = excluded.dw, ni = excluded.ni, no = excluded.no`)
	if err != nil {
		return err
	}
	defer st.Close()
	for _, b := range batch {
		if (b.id+cs.seq)%counterSpread != 0 && b.new == "" {
			continue
		}
		if _, err := st.ExecContext(ctx, b.id, ts, b.s.Uptime, b.s.DiskRead, b.s.DiskWrite, b.s.NetIn, b.s.NetOut); err != nil {
			return fmt.Errorf("save counters: %w", err)
		}
	}
	return nil
}

// clusterLocked returns the in-memory state of a cluster, loading it on
// first use: target IDs, last counters, and the rollups of raw rows that a
// crash left unfolded.
func (s *Store) clusterLocked(ctx context.Context, clusterID string) (*clusterState, error) {
	if cs := s.clusters[clusterID]; cs != nil {
		return cs, nil
	}
	cs := &clusterState{ids: map[string]int64{}, prev: map[int64]prevSample{}}
	for range s.Tiers[1:] {
		cs.rollups = append(cs.rollups, rollupState{accs: map[int64]*acc{}})
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT id, target FROM targets WHERE cluster = ?`, clusterID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			rows.Close()
			return nil, err
		}
		cs.ids[name] = id
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = tx.QueryContext(ctx, `SELECT c.target, c.ts, c.uptime, c.dr, c.dw, c.ni, c.no
		FROM counters c JOIN targets t ON t.id = c.target WHERE t.cluster = ?`, clusterID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		var p prevSample
		if err := rows.Scan(&id, &p.ts, &p.s.Uptime, &p.s.DiskRead, &p.s.DiskWrite, &p.s.NetIn, &p.s.NetOut); err != nil {
			rows.Close()
			return nil, err
		}
		cs.prev[id] = p
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	// Fold what a crash left in raw but not in the rollups.
	var newest sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT max(ts) FROM raw WHERE target IN (SELECT id FROM targets WHERE cluster = ?)`,
		clusterID).Scan(&newest); err != nil {
		return nil, err
	}
	if newest.Valid {
		for _, tier := range s.Tiers[1:] {
			var folded int64
			err := tx.QueryRowContext(ctx, `SELECT folded FROM watermarks WHERE cluster = ? AND tier = ?`, clusterID, tier.Name).Scan(&folded)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return nil, err
			}
			if folded > newest.Int64 {
				continue
			}
			step := int64(tier.Step / time.Second)
			sel := fmt.Sprintf(`SELECT target, ts - ts %% %[1]d, count(*), 0,
				CAST(round(avg(cpu)) AS INTEGER), max(cpu), CAST(round(avg(mem)) AS INTEGER), max(mem),
				CAST(round(avg(maxmem)) AS INTEGER), CAST(round(avg(memhost)) AS INTEGER), max(memhost),
				CAST(round(avg(dr)) AS INTEGER), max(dr), CAST(round(avg(dw)) AS INTEGER), max(dw),
				CAST(round(avg(ni)) AS INTEGER), max(ni), CAST(round(avg(no)) AS INTEGER), max(no)
				FROM raw WHERE target IN (SELECT id FROM targets WHERE cluster = ?) AND ts >= ?
				GROUP BY 1, 2`, step)
			if _, err := tx.ExecContext(ctx, mergeSQL(tier.Name, sel), clusterID, folded); err != nil {
				return nil, fmt.Errorf("fold raw into %s: %w", tier.Name, err)
			}
			if err := setWatermark(ctx, tx, clusterID, tier.Name, newest.Int64+1); err != nil {
				return nil, err
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	s.clusters[clusterID] = cs
	return cs, nil
}

// flushAllLocked writes every open bucket and every target's counters.
func (s *Store) flushAllLocked(ctx context.Context) error {
	if len(s.clusters) == 0 {
		return nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for clusterID, cs := range s.clusters {
		for i := range cs.rollups {
			rs := &cs.rollups[i]
			if len(rs.accs) == 0 {
				continue
			}
			if err := s.flushTier(ctx, tx, clusterID, s.Tiers[i+1], rs); err != nil {
				return err
			}
		}
		for id, p := range cs.prev {
			if _, err := tx.ExecContext(ctx, `INSERT INTO counters (target, ts, uptime, dr, dw, ni, no) VALUES (?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (target) DO UPDATE SET ts = excluded.ts, uptime = excluded.uptime,
				dr = excluded.dr, dw = excluded.dw, ni = excluded.ni, no = excluded.no`,
				id, p.ts, p.s.Uptime, p.s.DiskRead, p.s.DiskWrite, p.s.NetIn, p.s.NetOut); err != nil {
				return err
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	for _, cs := range s.clusters {
		for i := range cs.rollups {
			cs.rollups[i].accs = map[int64]*acc{}
		}
	}
	return nil
}

// Flush writes the open rollup buckets and the counters now, as Close
// does, without closing; queries see open buckets either way.
func (s *Store) Flush() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.flushAllLocked(context.Background()); err != nil {
		return fmt.Errorf("flush metrics: %w", err)
	}
	return nil
}
