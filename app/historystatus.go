package app

import (
	"errors"
	"path/filepath"
	"time"

	"cecyber/app/desktop"
	"cecyber/metrics"
)

// EventHistoryStatus is emitted with a HistoryStatus whenever the metric
// history stops or starts being saved, and while it is stopped, after
// every poll (the free space and the counts change).
const EventHistoryStatus = "historyStatus"

// historyState is whether each cluster's last poll could be stored.
type historyState struct {
	failing map[string]historyFailure // by cluster ID; empty while saving
	since   time.Time                 // when saving stopped
}

type historyFailure struct {
	full             bool
	unsaved, dropped int
}

// noteHistory records whether a poll's samples were stored and tells the
// window when that changes, or while history is not being saved.
func (a *App) noteHistory(cluster string, p metrics.Poll) {
	if a.opts.Metrics == nil || p.Err != nil {
		return
	}
	a.historyMu.Lock()
	was := len(a.history.failing) > 0
	if p.HistoryErr == nil && p.Unsaved == 0 {
		delete(a.history.failing, cluster)
	} else {
		if a.history.failing == nil {
			a.history.failing = map[string]historyFailure{}
		}
		if !was {
			a.history.since = a.opts.Now()
		}
		a.history.failing[cluster] = historyFailure{full: errors.Is(p.HistoryErr, metrics.ErrFull),
			unsaved: p.Unsaved, dropped: p.Dropped}
	}
	now := len(a.history.failing) > 0
	a.historyMu.Unlock()
	if was || now {
		a.emit.Emit(EventHistoryStatus, a.historyStatus())
	}
}

// forgetHistory drops a removed cluster from the history state.
func (a *App) forgetHistory(cluster string) {
	a.historyMu.Lock()
	_, was := a.history.failing[cluster]
	delete(a.history.failing, cluster)
	a.historyMu.Unlock()
	if was && a.emit != nil {
		a.emit.Emit(EventHistoryStatus, a.historyStatus())
	}
}

func (a *App) historyStatus() HistoryStatus {
	a.historyMu.Lock()
	st := HistoryStatus{Saving: len(a.history.failing) == 0, FreeBytes: -1}
	for _, f := range a.history.failing {
		if f.full {
			st.Reason = "full"
		} else if st.Reason == "" {
			st.Reason = "error"
		}
		st.Unsaved += f.unsaved
		st.Dropped += f.dropped
	}
	if !st.Saving {
		st.Since = a.history.since.UnixMilli()
	}
	a.historyMu.Unlock()
	if a.opts.Metrics != nil {
		st.Dir = filepath.Dir(a.opts.Metrics.Path())
		if free, err := desktop.FreeSpace(st.Dir); err == nil {
			st.FreeBytes = free
		}
	}
	return st
}

// HistoryStatus says whether the metric history is being saved, and if
// not, why, how much space is left and how many polls wait or were lost.
func (a *App) HistoryStatus() (HistoryStatus, error) {
	return a.historyStatus(), nil
}
