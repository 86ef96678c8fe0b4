package console

import (
	"container/list"
	"context"
	"log/slog"
	"net"
	"net/http"
	"sort"
	"sync"
	"time"
)

// Defaults for the limits on connections that have not claimed a session
// (Options.MaxUnclaimed, UnclaimedIdle, UnclaimedLifetime) and for the
// refusal log (Options.RefusalLogEvery).
const (
	// DefaultMaxUnclaimed is far more than noVNC ever opens at once (one
	// connection per console tab, claimed within milliseconds), and few
	// enough that holding them costs well under a megabyte and a few dozen
	// file descriptors.
	DefaultMaxUnclaimed      = 64
	DefaultUnclaimedIdle     = 5 * time.Second
	DefaultUnclaimedLifetime = 15 * time.Second
	DefaultRefusalLogEvery   = 10 * time.Second
)

// maxRefusalReasons bounds the refusal log's table of reasons; the reasons
// are a fixed set, so this only guards against a mistake.
const maxRefusalReasons = 64

type connKey struct{}

// unclaimed tracks the connections that have not claimed a session: all of
// them while they speak plain HTTP, until a session's upgrade hijacks one
// or it closes. It caps their number by closing the oldest when a new one
// comes (a page or a local process holding connections open cannot keep
// a real console out: noVNC's connection claims its session within
// milliseconds of connecting, long before it is the oldest), and closes
// each one that outlives its lifetime.
type unclaimed struct {
	max      int
	lifetime time.Duration
	refusals *refusalLog

	mu    sync.Mutex
	order *list.List                 // of *trackedConn, oldest first
	conns map[net.Conn]*list.Element // the same, by connection
}

type trackedConn struct {
	conn  net.Conn
	timer *time.Timer // closes conn at the end of its lifetime
}

func newUnclaimed(max int, lifetime time.Duration, refusals *refusalLog) *unclaimed {
	return &unclaimed{max: max, lifetime: lifetime, refusals: refusals, order: list.New(), conns: map[net.Conn]*list.Element{}}
}

// connState is the http.Server's ConnState hook.
func (u *unclaimed) connState(c net.Conn, st http.ConnState) {
	switch st {
	case http.StateNew:
		u.add(c)
	case http.StateHijacked, http.StateClosed:
		u.remove(c)
	}
}

func (u *unclaimed) add(c net.Conn) {
	tc := &trackedConn{conn: c}
	var evicted *trackedConn
	u.mu.Lock()
	u.conns[c] = u.order.PushBack(tc)
	if u.order.Len() > u.max {
		evicted = u.order.Remove(u.order.Front()).(*trackedConn)
		delete(u.conns, evicted.conn)
	}
	// Set under mu, so that remove (which may run as soon as the
	// connection is served) always finds the timer.
	tc.timer = time.AfterFunc(u.lifetime, func() { u.expire(c) })
	u.mu.Unlock()
	if evicted != nil {
		evicted.timer.Stop()
		evicted.conn.Close()
		u.refusals.refused("too many unclaimed connections", "remote", evicted.conn.RemoteAddr().String())
	}
}

func (u *unclaimed) remove(c net.Conn) {
	u.mu.Lock()
	e, ok := u.conns[c]
	if ok {
		delete(u.conns, c)
		u.order.Remove(e)
	}
	u.mu.Unlock()
	if ok {
		e.Value.(*trackedConn).timer.Stop()
	}
}

// expire closes a connection that has not claimed a session within its
// lifetime, whatever it is doing (sending a header a byte a minute, or
// nothing after a refusal).
func (u *unclaimed) expire(c net.Conn) {
	u.mu.Lock()
	e, ok := u.conns[c]
	if ok {
		delete(u.conns, c)
		u.order.Remove(e)
	}
	u.mu.Unlock()
	if ok {
		c.Close()
		u.refusals.refused("unclaimed connection outlived its lifetime", "remote", c.RemoteAddr().String())
	}
}

// count is how many unclaimed connections are open.
func (u *unclaimed) count() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.order.Len()
}

// claim stops tracking the connection r came on: its session has been
// claimed, and the session's own timeouts apply from now on.
func (u *unclaimed) claim(r *http.Request) {
	if c, ok := r.Context().Value(connKey{}).(net.Conn); ok {
		u.remove(c)
	}
}

// closeAll closes every unclaimed connection (Proxy.Close).
func (u *unclaimed) closeAll() {
	u.mu.Lock()
	var all []*trackedConn
	for e := u.order.Front(); e != nil; e = e.Next() {
		all = append(all, e.Value.(*trackedConn))
	}
	u.order.Init()
	clear(u.conns)
	u.mu.Unlock()
	for _, tc := range all {
		tc.timer.Stop()
		tc.conn.Close()
	}
}

// refusalLog logs refused connections without letting a flood of them fill
// the log: each reason gets at most one line per interval, and that line
// counts the refusals of that reason since the previous one.
type refusalLog struct {
	log   *slog.Logger
	now   func() time.Time
	every time.Duration

	mu      sync.Mutex
	reasons map[string]*refusalCount
}

type refusalCount struct {
	logged     time.Time // when the last line for this reason was written
	suppressed int       // refusals since then, not logged yet
}

func newRefusalLog(log *slog.Logger, now func() time.Time, every time.Duration) *refusalLog {
	return &refusalLog{log: log, now: now, every: every, reasons: map[string]*refusalCount{}}
}

// refused records one refusal; attrs describe it (never a token).
func (l *refusalLog) refused(why string, attrs ...any) {
	now := l.now()
	l.mu.Lock()
	rc := l.reasons[why]
	if rc == nil {
		if len(l.reasons) >= maxRefusalReasons {
			why = "other"
			rc = l.reasons[why]
		}
		if rc == nil {
			rc = &refusalCount{}
			l.reasons[why] = rc
		}
	}
	if !rc.logged.IsZero() && now.Sub(rc.logged) < l.every && now.Sub(rc.logged) >= 0 {
		rc.suppressed++
		l.mu.Unlock()
		return
	}
	before := rc.suppressed
	rc.logged, rc.suppressed = now, 0
	l.mu.Unlock()
	args := append([]any{"why", why}, attrs...)
	if before > 0 {
		args = append(args, "refused_since_last_line", before+1)
	}
	l.log.Warn("console: refused connection", args...)
}

// flush logs the refusals not logged yet, one line per reason (Close).
func (l *refusalLog) flush() {
	l.mu.Lock()
	type pending struct {
		why string
		n   int
	}
	var out []pending
	for why, rc := range l.reasons {
		if rc.suppressed > 0 {
			out = append(out, pending{why, rc.suppressed})
			rc.suppressed = 0
		}
	}
	l.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].why < out[j].why })
	for _, p := range out {
		l.log.Warn("console: refused connections not logged one by one", "why", p.why, "count", p.n)
	}
}

// connContext is the http.Server's ConnContext hook: it lets a request
// find its connection (unclaimed.claim).
func connContext(ctx context.Context, c net.Conn) context.Context {
	return context.WithValue(ctx, connKey{}, c)
}
