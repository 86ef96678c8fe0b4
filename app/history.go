package app

import (
	"context"
	"errors"
	"strings"
	"time"

	"cecyber/metrics"
	"cecyber/proxmox"
)

var errNoHistory = errors.New("metric history is not available in this session")

// History returns a target's metrics ("cpu", "mem", "netin"…) between from
// and to (unix seconds) in at most maxPoints points. targetID is "node/NAME"
// or a guest ID ("qemu/101"). The first time a target's history is asked
// for in a session, Proxmox's own rrddata fills the holes in the local
// history, so a chart is never empty and time the app was closed is covered.
func (a *App) History(clusterID, targetID string, metricNames []string, from, to int64, maxPoints int) (Series, error) {
	if err := firstErr(checkID("cluster", clusterID), checkID("target", targetID), checkIDs("metrics", metricNames, maxMetricNames),
		checkRange(from, to, maxPoints, a.opts.Now())); err != nil {
		return Series{}, err
	}
	if a.opts.Metrics == nil {
		return Series{}, errNoHistory
	}
	c, err := a.findCluster(clusterID)
	if err != nil {
		return Series{}, err
	}
	a.backfillOnce(c, targetID, time.Unix(from, 0))
	s, err := a.opts.Metrics.History(a.ctx, clusterID, targetID, metricNames, time.Unix(from, 0), time.Unix(to, 0), maxPoints)
	if err != nil {
		return Series{}, a.historyQueryErr(err)
	}
	return Series{Times: s.Times, Columns: s.Columns, Step: s.Step, Tier: s.Tier}, nil
}

// backfillOnce fetches a target's rrddata once per session: the day at one
// minute, and the month at 30 minutes when the range reaches further back.
// A failure is logged, not returned: the chart still shows local history.
func (a *App) backfillOnce(c *cluster, targetID string, from time.Time) {
	key := c.id + "\x00" + targetID
	a.backfillMu.Lock()
	done := a.backfilled[key]
	a.backfilled[key] = true
	a.backfillMu.Unlock()
	if done {
		return
	}
	timeframes := []string{"day"}
	if a.opts.Now().Sub(from) > 24*time.Hour {
		timeframes = append(timeframes, "month")
	}
	var guest *proxmox.GuestRef
	if !strings.HasPrefix(targetID, "node/") {
		g, found := c.findGuest(targetID)
		if !found {
			return
		}
		guest = &proxmox.GuestRef{Node: g.Node, Type: proxmox.GuestType(g.Type), VMID: g.VMID}
	}
	ctx, cancel := context.WithTimeout(a.ctx, actionTimeout)
	defer cancel()
	// Through the poller: removing the cluster waits for it, so no row
	// comes back after its history was deleted.
	if err := c.poller.Backfill(ctx, targetID, guest, timeframes); err != nil {
		a.log.Warn("backfill from rrddata", "target", targetID, "err", err)
		a.backfillMu.Lock()
		delete(a.backfilled, key) // try again next time
		a.backfillMu.Unlock()
	}
}

// Sparklines returns one metric (e.g. "cpu") of many targets of a cluster
// over the same range, in one query: the table's sparklines for every row on
// screen. Values are aligned with Times; null where there is no data.
func (a *App) Sparklines(clusterID string, targetIDs []string, metric string, from, to int64, points int) (Sparklines, error) {
	if err := firstErr(checkID("cluster", clusterID), checkIDs("targets", targetIDs, metrics.MaxTargets), checkID("metric", metric),
		checkRange(from, to, points, a.opts.Now())); err != nil {
		return Sparklines{}, err
	}
	if a.opts.Metrics == nil {
		return Sparklines{}, errNoHistory
	}
	if a.ctx == nil {
		return Sparklines{}, errNotStarted
	}
	times, values, err := a.opts.Metrics.Sparklines(a.ctx, clusterID, targetIDs, metric, time.Unix(from, 0), time.Unix(to, 0), points)
	if err != nil {
		return Sparklines{}, a.historyQueryErr(err)
	}
	return Sparklines{Times: times, Values: values}, nil
}

// historyQueryErr tells a query the history cannot answer (an unknown
// metric, an empty range) from a history that cannot be read.
func (a *App) historyQueryErr(err error) error {
	if errors.Is(err, metrics.ErrInvalid) {
		return invalid("metrics", "query", "The chart asked for history Cecyber does not keep.")
	}
	a.log.Error("read metric history", "err", err)
	return historyErr(err)
}
