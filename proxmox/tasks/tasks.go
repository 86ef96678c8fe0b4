// Package tasks follows the Proxmox tasks Cecyber starts (a guest's start,
// shutdown, …) from their UPID to their exit status, and keeps the list of
// them. A Tracker owns the goroutine that follows each task: Close stops
// them all and waits, and a Tracker that is closing starts none.
package tasks

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"cecyber/proxmox"
)

// Task is one task Cecyber started.
type Task struct {
	UPID      proxmox.UPID
	Cluster   string
	Node      string
	GuestID   string // "qemu/101"
	VMID      int
	GuestName string
	Action    string // start, stop, shutdown, reboot, reset, suspend, resume

	// Status is "running" until the task stops, then "ok", "warnings" or
	// "error"; ExitStatus is Proxmox's text ("OK", "WARNINGS: 2", the error).
	Status     string
	ExitStatus string
	StartedAt  time.Time
	EndedAt    time.Time // zero while running
	// Err is why following the task failed (its status could not be read).
	Err error
}

// StatusReader reads a task's status: a *proxmox.Client.
type StatusReader interface {
	TaskStatus(ctx context.Context, node string, upid proxmox.UPID) (proxmox.TaskStatus, error)
}

// Options configure a Tracker. Every field may be zero.
type Options struct {
	// Settle is called on the follower's goroutine when a task has
	// stopped, before the list and Changed hear of it: the app polls the
	// cluster there, so the guest's new state is known by then. Nil waits
	// for nothing.
	Settle func(ctx context.Context, t Task)
	// Changed is told every task that was added or ended. Nil tells no one.
	Changed func(t Task)
	// Now is the clock; time.Now if nil.
	Now func() time.Time
	// Max is how many tasks the list keeps, newest first; 200 if zero.
	Max int
	// RequestTimeout bounds each status read; 30 s if zero.
	RequestTimeout time.Duration
}

// Tracker follows tasks and keeps the list of them. It is safe for
// concurrent use.
type Tracker struct {
	opts   Options
	ctx    context.Context
	cancel context.CancelFunc

	mu     sync.Mutex
	closed bool
	wg     sync.WaitGroup // the followers; Add only under mu, while !closed
	list   []Task         // newest first
}

// ErrClosed is returned by Follow once the tracker is closing.
var ErrClosed = errors.New("tasks: the tracker is closed")

// NewTracker returns a tracker whose followers run until ctx ends or Close.
func NewTracker(ctx context.Context, opts Options) *Tracker {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Max <= 0 {
		opts.Max = 200
	}
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = 30 * time.Second
	}
	t := &Tracker{opts: opts}
	t.ctx, t.cancel = context.WithCancel(ctx)
	return t
}

// Close stops following every task and waits for the followers to exit.
func (tr *Tracker) Close() {
	tr.mu.Lock()
	tr.closed = true
	tr.mu.Unlock()
	tr.cancel()
	tr.wg.Wait()
}

// Follow adds a running task to the list, tells Changed, and follows it on
// a goroutine of its own until it stops.
func (tr *Tracker) Follow(client StatusReader, t Task) (Task, error) {
	t.Status = "running"
	if t.StartedAt.IsZero() {
		t.StartedAt = tr.opts.Now()
	}
	tr.mu.Lock()
	if tr.closed {
		tr.mu.Unlock()
		return Task{}, ErrClosed
	}
	tr.putLocked(t)
	tr.wg.Add(1)
	tr.mu.Unlock()
	tr.changed(t)
	go func() {
		defer tr.wg.Done()
		tr.follow(client, t)
	}()
	return t, nil
}

// Refused adds an action Proxmox refused before any task ran (a 403, a
// 500): it has no UPID, starts and ends now, and fails with err, whose text
// is Proxmox's verdict. Changed hears of it like of any task, so the list
// holds every action Cecyber sent.
func (tr *Tracker) Refused(t Task, err error) Task {
	now := tr.opts.Now()
	t.UPID = ""
	t.Status = "error"
	t.ExitStatus = err.Error()
	t.Err = err
	t.StartedAt, t.EndedAt = now, now
	tr.mu.Lock()
	if tr.closed {
		tr.mu.Unlock()
		return t
	}
	tr.putLocked(t)
	tr.mu.Unlock()
	tr.changed(t)
	return t
}

// List returns the tasks, newest first; keep (nil: all) filters them.
func (tr *Tracker) List(keep func(Task) bool) []Task {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	out := []Task{}
	for _, t := range tr.list {
		if keep == nil || keep(t) {
			out = append(out, t)
		}
	}
	return out
}

// putLocked adds t or replaces the task with the same UPID (a refused
// action has none and is always added).
func (tr *Tracker) putLocked(t Task) {
	for i := range tr.list {
		if t.UPID != "" && tr.list[i].UPID == t.UPID {
			tr.list[i] = t
			return
		}
	}
	tr.list = append([]Task{t}, tr.list...)
	if len(tr.list) > tr.opts.Max {
		tr.list = tr.list[:tr.opts.Max]
	}
}

func (tr *Tracker) changed(t Task) {
	if tr.opts.Changed != nil {
		tr.opts.Changed(t)
	}
}

// follow reads the task's status, more slowly as it runs longer, until it
// stops; a node that is briefly unreachable (rebooting) is retried.
func (tr *Tracker) follow(client StatusReader, t Task) {
	delay := 300 * time.Millisecond
	failures := 0
	for {
		timer := time.NewTimer(delay)
		select {
		case <-tr.ctx.Done():
			timer.Stop()
			return
		case <-timer.C:
		}
		delay = min(delay*2, 2*time.Second)
		ctx, cancel := context.WithTimeout(tr.ctx, tr.opts.RequestTimeout)
		st, err := client.TaskStatus(ctx, t.Node, t.UPID)
		cancel()
		if tr.ctx.Err() != nil {
			return
		}
		if err != nil {
			failures++
			if failures < 30 && !proxmox.IsKind(err, proxmox.KindInvalid) {
				continue
			}
			t.Status, t.ExitStatus, t.Err = "error", "", err
		} else if st.Running {
			continue
		} else {
			t.ExitStatus = st.ExitStatus
			t.Status = Outcome(st.ExitStatus)
		}
		if tr.opts.Settle != nil {
			tr.opts.Settle(tr.ctx, t)
		}
		t.EndedAt = tr.opts.Now()
		tr.mu.Lock()
		tr.putLocked(t)
		tr.mu.Unlock()
		tr.changed(t)
		return
	}
}

// Outcome reads Proxmox's exit status: "OK", "WARNINGS: n", or an error.
func Outcome(exit string) string {
	switch {
	case exit == "OK":
		return "ok"
	case strings.HasPrefix(exit, "WARNINGS"):
		return "warnings"
	}
	return "error"
}
