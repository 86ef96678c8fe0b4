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
	ts   int64
	s    Sample
	rate *Rate // the rate this sample gave; nil if none or unknown
}

// acc folds the samples of one open bucket: per value the sum of the
// decoded values, how many there were and the largest code.
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
		a.sum[i] += decodeVal(i, v.v[i])
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
	id   int64
	ts   int64
	v    vals
	s    Sample
	rate *Rate
	new  string // target ID when the target was created in this transaction
}

// Ingest stores one poll of /cluster/resources taken at time at, in one
// transaction: a raw sample per node and guest, I/O rates from the
// counters, and the rollup buckets that this poll closes. If it fails,
// nothing of the poll is stored and the in-memory state is unchanged, so
// the poll is a gap and the next one works normally.
func (s *Store) Ingest(ctx context.Context, clusterID string, at time.Time, res []proxmox.Resource) (IngestResult, error) {
	return s.IngestWith(ctx, clusterID, at, res, nil)
}

// IngestWith is Ingest with the I/O rates of targets that have no counters
// in /cluster/resources: Proxmox sends none for nodes, so their network
// rates come from elsewhere (the node's rrddata). A node missing from
// nodeRates gets no rate (a gap), never zero.
//
// When it fails, the result still carries the rates that could be computed
// from the counters already known, so that the live view keeps its rates
// while the disk is full; the next poll's rates then span both intervals.
func (s *Store) IngestWith(ctx context.Context, clusterID string, at time.Time, res []proxmox.Resource, nodeRates map[string]Rate) (IngestResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	result, err := s.ingestLocked(ctx, clusterID, at, res, nodeRates)
	if err != nil && result.Rates == nil {
		result.Rates = s.peekRatesLocked(clusterID, at.Unix(), res, nodeRates)
	}
	return result, err
}

// PeekRates returns the rates a poll at at would give, from the counters
// last stored, without storing anything: the live view's rates while the
// poll waits to be stored.
func (s *Store) PeekRates(clusterID string, at time.Time, res []proxmox.Resource, nodeRates map[string]Rate) map[string]Rate {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peekRatesLocked(clusterID, at.Unix(), res, nodeRates)
}

// rateLocked is a target's rate at ts from its previous counters, or nil:
// a node's comes from nodeRates, a guest's from its counters when the
// previous sample is recent enough. This is the one place rates are made.
func (s *Store) rateLocked(cs *clusterState, id int64, known bool, r *proxmox.Resource, smp Sample, ts int64, nodeRates map[string]Rate) *Rate {
	if r.Type == "node" {
		if rt, ok := nodeRates[r.ID]; ok {
			return &rt
		}
		return nil
	}
	if !known || cs == nil {
		return nil
	}
	p, ok := cs.prev[id]
	if !ok || ts <= p.ts || ts-p.ts > int64(s.MaxRateGap/time.Second) {
		return nil
	}
	if rt, ok := Rates(p.s, smp, time.Duration(ts-p.ts)*time.Second); ok {
		return &rt
	}
	return nil
}

// peekRatesLocked computes this poll's rates without storing anything.
func (s *Store) peekRatesLocked(clusterID string, ts int64, res []proxmox.Resource, nodeRates map[string]Rate) map[string]Rate {
	out := map[string]Rate{}
	cs := s.clusters[clusterID]
	for i := range res {
		r := &res[i]
		if !wanted(r) {
			continue
		}
		var id int64
		known := false
		if cs != nil {
			id, known = cs.ids[r.ID]
		}
		if rate := s.rateLocked(cs, id, known, r, SampleOf(*r), ts, nodeRates); rate != nil {
			out[r.ID] = *rate
		}
	}
	return out
}

func (s *Store) ingestLocked(ctx context.Context, clusterID string, at time.Time, res []proxmox.Resource, nodeRates map[string]Rate) (IngestResult, error) {
	if s.closed {
		return IngestResult{}, errors.New("ingest: metrics store is closed")
	}
	cs, err := s.clusterLocked(ctx, clusterID)
	if err != nil {
		return IngestResult{}, ingestErr(err)
	}
	ts := at.Unix()
	result := IngestResult{Rates: make(map[string]Rate, len(res))}

	for i := range cs.rollups {
		rs := &cs.rollups[i]
		if len(rs.accs) > 0 && bucket(ts, s.Tiers[i+1].Step) != rs.open && len(s.pending) > 0 {
			// A watermark is about to move: what a crash left must be
			// folded first (it almost always is by now).
			if err := s.catchUpLocked(ctx); err != nil {
				return IngestResult{}, ingestErr(err)
			}
			break
		}
	}

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
		rate := s.rateLocked(cs, id, created == "", r, smp, ts, nodeRates)
		v := encode(smp, rate)
		args = append(args[:0], id, ts)
		args = v.args(args)
		out, err := insRaw.ExecContext(ctx, args...)
		if err != nil {
			return IngestResult{}, ingestErr(err)
		}
		if n, _ := out.RowsAffected(); n == 0 {
			// Already have a sample at this second (a refresh right
			// after a poll): its rate is still this second's rate.
			if p, ok := cs.prev[id]; ok && p.ts == ts && p.rate != nil {
				result.Rates[r.ID] = *p.rate
			}
			continue
		}
		if rate != nil {
			result.Rates[r.ID] = *rate
		}
		batch = append(batch, staged{id: id, ts: ts, v: v, s: smp, rate: rate, new: created})
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
		cs.prev[b.id] = prevSample{ts: b.ts, s: b.s, rate: b.rate}
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

// rollupCols are the stored columns of a rollup table after target, ts
// and ns, in the order bucketVals.args writes them.
var rollupCols = []string{"cpu", "cpu_d", "mem", "mem_d", "maxmem", "memhost", "memhost_d",
	"dr", "dr_d", "dw", "dw_d", "ni", "ni_d", "no", "no_d"}

// readCols are what readBucket reads back of a row, max as codes.
const readCols = "n, src, cpu, cpu_max, mem, mem_max, maxmem, maxmem, memhost, memhost_max, " +
	"dr, dr_max, dw, dw_max, ni, ni_max, no, no_max"

// bucketVals is one rollup row: n samples, per value the average in its
// base unit and the largest code.
type bucketVals struct {
	n   int64
	src int64
	has [nval]bool
	avg [nval]float64
	max [nval]int64
}

func (a *acc) bucketVals() bucketVals {
	b := bucketVals{n: a.n}
	for i := range a.sum {
		if a.cnt[i] > 0 {
			b.has[i] = true
			b.avg[i] = a.sum[i] / float64(a.cnt[i])
			b.max[i] = a.max[i]
		}
	}
	return b
}

// merge folds our own samples (nb) into an existing row. A row from
// Proxmox is replaced, our own samples being the finer truth; a row of our
// own is merged, averages weighted by sample counts (a late sample, a
// clock that went back, a crash recovery).
func (b bucketVals) merge(nb bucketVals) bucketVals {
	if b.src != 0 {
		return nb
	}
	out := bucketVals{n: b.n + nb.n}
	for i := range b.avg {
		switch {
		case !b.has[i]:
			out.has[i], out.avg[i], out.max[i] = nb.has[i], nb.avg[i], nb.max[i]
		case !nb.has[i]:
			out.has[i], out.avg[i], out.max[i] = true, b.avg[i], b.max[i]
		default:
			out.has[i] = true
			out.avg[i] = (b.avg[i]*float64(b.n) + nb.avg[i]*float64(nb.n)) / float64(b.n+nb.n)
			out.max[i] = max(b.max[i], nb.max[i])
		}
	}
	return out
}

// args appends ns and the stored columns (rollupCols).
func (b *bucketVals) args(dst []any) []any {
	ns := max(b.n, 1)
	if b.src != 0 {
		ns = -ns
	}
	dst = append(dst, ns)
	for i := range b.avg {
		if !b.has[i] {
			dst = append(dst, nil)
			if columns[metricOrder[i]].hasMax {
				dst = append(dst, nil)
			}
			continue
		}
		c := encodeVal(i, b.avg[i])
		dst = append(dst, c)
		if columns[metricOrder[i]].hasMax {
			dst = append(dst, max(b.max[i]-c, 0))
		}
	}
	return dst
}

// insertSQL inserts a row unless its bucket exists.
func insertSQL(table string) string {
	return fmt.Sprintf("INSERT INTO %s (target, ts, ns, %s) VALUES (?, ?%s) ON CONFLICT (target, ts) DO NOTHING",
		table, strings.Join(rollupCols, ", "), strings.Repeat(", ?", 1+len(rollupCols)))
}

// bucketWriter writes rollup rows of our own samples into one tier,
// merging with a row already there.
type bucketWriter struct {
	tx            *sql.Tx
	table         string
	ins, sel, upd *sql.Stmt
	args          []any
}

func newBucketWriter(ctx context.Context, tx *sql.Tx, table string) (*bucketWriter, error) {
	ins, err := tx.PrepareContext(ctx, insertSQL(table))
	if err != nil {
		return nil, err
	}
	return &bucketWriter{tx: tx, table: table, ins: ins, args: make([]any, 0, 3+len(rollupCols))}, nil
}

func (w *bucketWriter) Close() {
	for _, st := range []*sql.Stmt{w.ins, w.sel, w.upd} {
		if st != nil {
			st.Close()
		}
	}
}

func (w *bucketWriter) write(ctx context.Context, id, ts int64, b bucketVals) error {
	w.args = append(w.args[:0], id, ts)
	w.args = b.args(w.args)
	out, err := w.ins.ExecContext(ctx, w.args...)
	if err != nil {
		return err
	}
	if n, _ := out.RowsAffected(); n > 0 {
		return nil
	}
	// The bucket exists: merge.
	if w.sel == nil {
		if w.sel, err = w.tx.PrepareContext(ctx, fmt.Sprintf("SELECT %s FROM %s WHERE target = ? AND ts = ?", readCols, w.table)); err != nil {
			return err
		}
		set := make([]string, 0, 1+len(rollupCols))
		for _, c := range append([]string{"ns"}, rollupCols...) {
			set = append(set, c+" = ?")
		}
		if w.upd, err = w.tx.PrepareContext(ctx, fmt.Sprintf("UPDATE %s SET %s WHERE target = ? AND ts = ?",
			w.table, strings.Join(set, ", "))); err != nil {
			return err
		}
	}
	var old bucketVals
	var cols [2 * nval]sql.NullInt64
	dest := []any{&old.n, &old.src}
	for i := range cols {
		dest = append(dest, &cols[i])
	}
	if err := w.sel.QueryRowContext(ctx, id, ts).Scan(dest...); err != nil {
		return err
	}
	for i := range old.avg {
		if a := cols[2*i]; a.Valid {
			old.has[i] = true
			old.avg[i] = decodeVal(i, a.Int64)
			old.max[i] = a.Int64
			if m := cols[2*i+1]; m.Valid {
				old.max[i] = m.Int64
			}
		}
	}
	m := old.merge(b)
	w.args = m.args(w.args[:0])
	w.args = append(w.args, id, ts)
	_, err = w.upd.ExecContext(ctx, w.args...)
	return err
}

// flushTier writes a tier's open buckets and moves its watermark.
func (s *Store) flushTier(ctx context.Context, tx *sql.Tx, clusterID string, tier Tier, rs *rollupState) error {
	w, err := newBucketWriter(ctx, tx, tier.Name)
	if err != nil {
		return err
	}
	defer w.Close()
	for id, a := range rs.accs {
		if err := w.write(ctx, id, rs.open, a.bucketVals()); err != nil {
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

	// What a crash left in raw but not in the rollups is folded after
	// this poll, not before it (see catchUp): after an hour of data it is
	// many times a poll's work, and the live view would wait for it.
	cu, err := pendingFold(ctx, tx, clusterID, s.Tiers[1:])
	if err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	s.clusters[clusterID] = cs
	if cu != nil {
		s.startCatchUp(cu)
	}
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
func (s *Store) Flush(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.catchUpLocked(ctx); err != nil {
		return fmt.Errorf("flush metrics: %w", err)
	}
	if err := s.flushAllLocked(ctx); err != nil {
		return fmt.Errorf("flush metrics: %w", err)
	}
	return nil
}

// foldRaw merges the raw rows of a cluster from folded to newest into a
// rollup tier.
func foldRaw(ctx context.Context, tx *sql.Tx, clusterID string, tier Tier, folded, newest int64) error {
	rows, err := tx.QueryContext(ctx, `SELECT target, ts, cpu, mem, maxmem, memhost, dr, dw, ni, no
		FROM raw WHERE target IN (SELECT id FROM targets WHERE cluster = ?) AND ts >= ? AND ts <= ?`, clusterID, folded, newest)
	if err != nil {
		return err
	}
	type key struct{ id, ts int64 }
	buckets := map[key]*acc{}
	var id, ts int64
	var cols [nval]sql.NullInt64
	dest := []any{&id, &ts}
	for i := range cols {
		dest = append(dest, &cols[i])
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			rows.Close()
			return err
		}
		var v vals
		for i, c := range cols {
			v.v[i], v.null[i] = c.Int64, !c.Valid
		}
		k := key{id, bucket(ts, tier.Step)}
		a := buckets[k]
		if a == nil {
			a = &acc{}
			buckets[k] = a
		}
		a.add(&v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	w, err := newBucketWriter(ctx, tx, tier.Name)
	if err != nil {
		return err
	}
	defer w.Close()
	for k, a := range buckets {
		if err := w.write(ctx, k.id, k.ts, a.bucketVals()); err != nil {
			return err
		}
	}
	return nil
}
