package metrics

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrInvalid is wrapped by errors of History and Sparklines that come from
// the query itself (an unknown metric, an empty range), not the database.
var ErrInvalid = errors.New("invalid history query")

// MaxPoints is the most points History and Sparklines return, whatever is
// asked: a chart on the widest screen (7680 pixels across) draws no more,
// and a larger answer only costs time and memory.
const MaxPoints = 8000

// Series is a history in uPlot's columnar shape: Times are the starts of
// equal buckets of Step seconds; every column has one value per time, nil
// where there is no data (a gap). Columns hold "<metric>" (the average
// over the bucket) and "<metric>_max" (the largest value seen in it).
type Series struct {
	Times   []int64               `json:"times"` // unix seconds
	Columns map[string][]*float64 `json:"columns"`
	Step    int64                 `json:"step"` // seconds
	Tier    string                `json:"tier"` // the tier the data came from
}

// MaxTargets is the most targets one Sparklines call reads: more rows
// than any table shows at once.
const MaxTargets = 2000

// Times outside [minQueryTime, now+maxQueryAhead] hold no history: a
// range reaching beyond them is cut to them, which also keeps every
// computation on the range far from int64's limits.
const (
	minQueryTime  = 0 // 1970: nothing older is ever stored
	maxQueryAhead = 24 * time.Hour
)

// bounds clamps a query's range to the time history can hold and its
// point count to [1, MaxPoints]. ok is false when nothing of the range is
// left (it lies wholly in the future or before 1970, or is empty).
func (s *Store) bounds(from, to time.Time, points int) (f, t int64, n int, ok bool) {
	if !to.After(from) || points <= 0 {
		return 0, 0, 0, false
	}
	f, t = from.Unix(), to.Unix()
	f = max(f, minQueryTime)
	t = min(t, s.Now().Add(maxQueryAhead).Unix())
	if t <= f {
		return 0, 0, 0, false
	}
	return f, t, min(points, MaxPoints), true
}

// pickTier chooses the tier for a range [from, to) drawn with at most
// points values: among the tiers whose retention reaches back to from, the
// coarsest whose step still fits a point (fewest rows read, no detail lost
// at that width); if none is that fine, the finest that covers the range.
// It returns the tier's index and the output step in seconds.
//
// from, to and points must have gone through bounds: the arithmetic below
// relies on a range of at most a few centuries and at most MaxPoints.
func (s *Store) pickTier(from, to int64, points int) (int, int64) {
	now := s.Now().Unix()
	want := (to - from + int64(points) - 1) / int64(points)
	s.limits.RLock()
	defer s.limits.RUnlock()
	pick := -1
	for i, t := range s.Tiers {
		if now-int64(t.Keep/time.Second) > from {
			continue // already pruned at from
		}
		if pick < 0 || int64(t.Step/time.Second) <= want {
			pick = i
		}
	}
	if pick < 0 {
		pick = len(s.Tiers) - 1
	}
	ts := int64(s.Tiers[pick].Step / time.Second)
	step := max(ts, (want+ts-1)/ts*ts)
	// Aligning from down to a bucket can add one point: widen the step by
	// whole tier steps until the grid fits (once or twice at most).
	for (to-bucket(from, time.Duration(step)*time.Second)+step-1)/step > int64(points) {
		step += ts
	}
	return pick, step
}

// grid returns the bucket starts covering [from, to).
func grid(from, to, step int64) []int64 {
	start := bucket(from, time.Duration(step)*time.Second)
	var out []int64
	for t := start; t < to; t += step {
		out = append(out, t)
	}
	return out
}

// fold accumulates rows into output buckets: the average weighted by
// sample counts, and the maximum.
type fold struct {
	sum  []float64
	w    []float64
	max  []float64
	seen []bool
}

func newFold(n int) *fold {
	return &fold{sum: make([]float64, n), w: make([]float64, n), max: make([]float64, n), seen: make([]bool, n)}
}

// add folds a row's average and max of one value (decoded; nil where
// null), weighted by its sample count n, into output bucket i.
func (f *fold) add(i int, avg, mx *float64, n int64) {
	if avg != nil {
		f.sum[i] += *avg * float64(n)
		f.w[i] += float64(n)
	}
	if mx == nil {
		mx = avg
	}
	if mx != nil && (!f.seen[i] || *mx > f.max[i]) {
		f.max[i] = *mx
		f.seen[i] = true
	}
}

// dec decodes a stored code of value vi (index in metricOrder); nil when null.
func dec(vi int, c sql.NullInt64) *float64 {
	if !c.Valid {
		return nil
	}
	v := decodeVal(vi, c.Int64)
	return &v
}

func (f *fold) columns(scale float64) (avg, mx []*float64) {
	avg = make([]*float64, len(f.sum))
	mx = make([]*float64, len(f.sum))
	for i := range f.sum {
		if f.w[i] > 0 {
			v := f.sum[i] / f.w[i] * scale
			avg[i] = &v
		}
		if f.seen[i] {
			v := f.max[i] * scale
			mx[i] = &v
		}
	}
	return avg, mx
}

func checkMetrics(names []string) ([]string, error) {
	if len(names) == 0 {
		return Metrics, nil
	}
	for _, m := range names {
		if _, ok := columns[strings.TrimSuffix(m, "_max")]; !ok {
			return nil, fmt.Errorf("%w: unknown metric %q (want one of %s)", ErrInvalid, m, strings.Join(Metrics, ", "))
		}
	}
	out := make([]string, 0, len(names))
	seen := map[string]bool{}
	for _, m := range names {
		m = strings.TrimSuffix(m, "_max")
		if !seen[m] {
			seen[m] = true
			out = append(out, m)
		}
	}
	return out, nil
}

// selectCols is the SQL select list for metrics in a tier: avg and max
// column of each (raw has no max columns; maxmem has none anywhere).
func selectCols(tier string, ms []string) string {
	var b strings.Builder
	for _, m := range ms {
		c := columns[m]
		mx := "NULL"
		if tier != "raw" && c.hasMax {
			mx = c.name + "_max"
		}
		fmt.Fprintf(&b, ", %s, %s", c.name, mx)
	}
	return b.String()
}

// History returns metrics (nil: all) of one target over [from, to) with at
// most maxPoints times, from the tier that fits (see pickTier). Buckets of
// the output hold the average and the max of the rows in them, so a spike
// of a single sample stays visible in "<metric>_max" however far the
// range is zoomed out. Buckets without data are nil.
func (s *Store) History(ctx context.Context, clusterID, targetID string, metrics []string, from, to time.Time, maxPoints int) (Series, error) {
	ms, err := checkMetrics(metrics)
	if err != nil {
		return Series{}, fmt.Errorf("history: %w", err)
	}
	f, t, maxPoints, ok := s.bounds(from, to, maxPoints)
	if !ok {
		return Series{}, fmt.Errorf("history: %w: empty range or no points", ErrInvalid)
	}
	ti, step := s.pickTier(f, t, maxPoints)
	tier := s.Tiers[ti]
	times := grid(f, t, step)
	start := times[0]
	folds := make([]*fold, len(ms))
	for i := range folds {
		folds[i] = newFold(len(times))
	}

	var id int64
	// fillTier >= 0 is a coarser tier whose rows fill [from, fillUntil),
	// where tier has no data yet.
	fillTier, fillUntil := -1, int64(0)
	err = s.db.QueryRowContext(ctx, `SELECT id FROM targets WHERE cluster = ? AND target = ?`, clusterID, targetID).Scan(&id)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		// never seen: all gaps
	case err != nil:
		return Series{}, fmt.Errorf("history: %w", err)
	default:
		// A finer tier may cover the range by retention but not by data
		// (a target first seen lately, backfilled into the rollups only).
		// When it has data in the range, it keeps its step and the nearest
		// coarser tier that reaches further back fills the time before its
		// first row (so the last hour is live from the first poll on); when
		// it has none, step up to that tier. The nearest need not be the
		// next one: PVE 8's 30-minute rows fill m15 and h1 but not m5.
		for ti+1 < len(s.Tiers) {
			o, err := s.oldest(ctx, s.Tiers[ti].Name, id)
			if err != nil {
				return Series{}, fmt.Errorf("history: %w", err)
			}
			if o >= 0 && o <= f+step {
				break
			}
			next := -1
			for j := ti + 1; j < len(s.Tiers) && next < 0; j++ {
				o2, err := s.oldest(ctx, s.Tiers[j].Name, id)
				if err != nil {
					return Series{}, fmt.Errorf("history: %w", err)
				}
				if o2 >= 0 && (o < 0 || o2 < o) {
					next = j
				}
			}
			if next < 0 {
				break
			}
			if o >= 0 && o < t {
				fillTier, fillUntil = next, o
				break
			}
			ti = next
			tier = s.Tiers[ti]
			tstep := int64(tier.Step / time.Second)
			step = (max(step, tstep) + tstep - 1) / tstep * tstep
			times = grid(f, t, step)
			start = times[0]
			for i := range folds {
				folds[i] = newFold(len(times))
			}
		}
		nsel := "1"
		if tier.Name != "raw" {
			nsel = "n"
		}
		q := fmt.Sprintf(`SELECT ts, %s%s FROM %s WHERE target = ? AND ts >= ? AND ts < ? ORDER BY ts`, nsel, selectCols(tier.Name, ms), tier.Name)
		rows, err := s.db.QueryContext(ctx, q, id, start, t)
		if err != nil {
			return Series{}, fmt.Errorf("history: %w", err)
		}
		idx := make([]int, len(ms))
		for i, m := range ms {
			idx[i] = metricIndex(m)
		}
		dest := make([]any, 2+2*len(ms))
		var ts, n int64
		vals := make([]sql.NullInt64, 2*len(ms))
		dest[0], dest[1] = &ts, &n
		for i := range vals {
			dest[2+i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(dest...); err != nil {
				rows.Close()
				return Series{}, fmt.Errorf("history: %w", err)
			}
			b := int((ts - start) / step)
			for i, vi := range idx {
				folds[i].add(b, dec(vi, vals[2*i]), dec(vi, vals[2*i+1]), n)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return Series{}, fmt.Errorf("history: %w", err)
		}
		if fillTier >= 0 {
			if err := s.fillFrom(ctx, s.Tiers[fillTier], id, ms, idx, folds, start, step, fillUntil); err != nil {
				return Series{}, fmt.Errorf("history: %w", err)
			}
		}
		if ti > 0 {
			if a, open := s.openBucket(clusterID, ti-1, id); a != nil && open >= start && open < t {
				b := int((open - start) / step)
				for i, m := range ms {
					avg, mx := a.nulls(metricIndex(m))
					folds[i].add(b, avg, mx, a.n)
				}
			}
		}
	}

	out := Series{Times: times, Columns: make(map[string][]*float64, 2*len(ms)), Step: step, Tier: tier.Name}
	for i, m := range ms {
		out.Columns[m], out.Columns[m+"_max"] = folds[i].columns(columns[m].scale)
	}
	return out, nil
}

// fillFrom folds the rows of a coarser tier over [start, until) into
// the finer output buckets of step seconds: each row counts in every
// bucket its own step covers before until, as its average and max (a
// stair of the coarse tier where the fine one has no data yet).
func (s *Store) fillFrom(ctx context.Context, tier Tier, id int64, ms []string, idx []int, folds []*fold, start, step, until int64) error {
	cs := int64(tier.Step / time.Second)
	q := fmt.Sprintf(`SELECT ts, n%s FROM %s WHERE target = ? AND ts > ? AND ts < ? ORDER BY ts`, selectCols(tier.Name, ms), tier.Name)
	rows, err := s.db.QueryContext(ctx, q, id, start-cs, until)
	if err != nil {
		return err
	}
	defer rows.Close()
	dest := make([]any, 2+2*len(ms))
	var ts, n int64
	vals := make([]sql.NullInt64, 2*len(ms))
	dest[0], dest[1] = &ts, &n
	for i := range vals {
		dest[2+i] = &vals[i]
	}
	nb := int64(len(folds[0].sum))
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		// Each bucket gets the row's share of samples, so a bucket that
		// also holds fine rows is not swamped by the coarse one.
		w := max(1, n*min(step, cs)/cs)
		for bt := max(start, bucket(ts, time.Duration(step)*time.Second)); bt < min(ts+cs, until); bt += step {
			b := (bt - start) / step
			if b < 0 || b >= nb {
				continue
			}
			for i, vi := range idx {
				folds[i].add(int(b), dec(vi, vals[2*i]), dec(vi, vals[2*i+1]), w)
			}
		}
	}
	return rows.Err()
}

// oldest is the first timestamp of a target in a tier, -1 if none.
func (s *Store) oldest(ctx context.Context, table string, id int64) (int64, error) {
	var m sql.NullInt64
	if err := s.db.QueryRowContext(ctx, fmt.Sprintf(`SELECT min(ts) FROM %s WHERE target = ?`, table), id).Scan(&m); err != nil {
		return 0, err
	}
	if !m.Valid {
		return -1, nil
	}
	return m.Int64, nil
}

func metricIndex(m string) int {
	for i, n := range metricOrder {
		if n == m {
			return i
		}
	}
	return -1
}

// openBucket returns a copy of a target's open (not yet written) bucket in
// rollup tier ri, and the bucket's start.
func (s *Store) openBucket(clusterID string, ri int, id int64) (*acc, int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.clusters[clusterID]
	if cs == nil || ri >= len(cs.rollups) {
		return nil, 0
	}
	a := cs.rollups[ri].accs[id]
	if a == nil {
		return nil, 0
	}
	c := *a
	return &c, cs.rollups[ri].open
}

// nulls returns the open bucket's average and max of value i, decoded;
// nil when it has none.
func (a *acc) nulls(i int) (avg, mx *float64) {
	if i < 0 || a.cnt[i] == 0 {
		return nil, nil
	}
	av := a.sum[i] / float64(a.cnt[i])
	m := decodeVal(i, a.max[i])
	return &av, &m
}

// Sparklines returns one metric's average over [from, to) in at most
// points buckets for many targets of a cluster, read in one query. Every
// target asked for has an entry in values, nil where there is no data.
func (s *Store) Sparklines(ctx context.Context, clusterID string, targetIDs []string, metric string, from, to time.Time, points int) (times []int64, values map[string][]*float64, err error) {
	c, ok := columns[metric]
	if !ok {
		return nil, nil, fmt.Errorf("sparklines: %w: unknown metric %q", ErrInvalid, metric)
	}
	if len(targetIDs) > MaxTargets {
		return nil, nil, fmt.Errorf("sparklines: %w: %d targets, at most %d", ErrInvalid, len(targetIDs), MaxTargets)
	}
	f, t, points, ok := s.bounds(from, to, points)
	if !ok {
		return nil, nil, fmt.Errorf("sparklines: %w: empty range or no points", ErrInvalid)
	}
	ti, step := s.pickTier(f, t, points)
	tier := s.Tiers[ti]
	times = grid(f, t, step)
	start := times[0]
	nsel := "1"
	if tier.Name != "raw" {
		nsel = "r.n"
	}
	folds := make(map[string]*fold, len(targetIDs))
	args := make([]any, 0, len(targetIDs)+3)
	args = append(args, clusterID)
	for _, id := range targetIDs {
		if folds[id] == nil {
			folds[id] = newFold(len(times))
			args = append(args, id)
		}
	}
	args = append(args, start, t)
	q := fmt.Sprintf(`SELECT t.target, t.id, r.ts, %s, r.%s FROM targets t JOIN %s r ON r.target = t.id
		WHERE t.cluster = ? AND t.target IN (%s) AND r.ts >= ? AND r.ts < ?`,
		nsel, c.name, tier.Name, strings.TrimSuffix(strings.Repeat("?,", len(args)-3), ","))
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, nil, fmt.Errorf("sparklines: %w", err)
	}
	ids := map[string]int64{}
	mi := metricIndex(metric)
	var name string
	var id, ts, n int64
	var v sql.NullInt64
	for rows.Next() {
		if err := rows.Scan(&name, &id, &ts, &n, &v); err != nil {
			rows.Close()
			return nil, nil, fmt.Errorf("sparklines: %w", err)
		}
		ids[name] = id
		folds[name].add(int((ts-start)/step), dec(mi, v), nil, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("sparklines: %w", err)
	}
	if ti > 0 {
		s.mu.Lock()
		if cs := s.clusters[clusterID]; cs != nil {
			rs := &cs.rollups[ti-1]
			if rs.open >= start && rs.open < t {
				for tname, f := range folds {
					id, ok := cs.ids[tname]
					if !ok {
						continue
					}
					if a := rs.accs[id]; a != nil {
						avg, _ := a.nulls(mi)
						f.add(int((rs.open-start)/step), avg, nil, a.n)
					}
				}
			}
		}
		s.mu.Unlock()
	}
	values = make(map[string][]*float64, len(folds))
	for name, f := range folds {
		values[name], _ = f.columns(c.scale)
	}
	return times, values, nil
}
