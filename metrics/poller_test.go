package metrics_test

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"cecyber/metrics"
	"cecyber/proxmox"
)

// pollLog records when OnPoll was told, in the bubble's time.
type pollLog struct {
	mu    sync.Mutex
	start time.Time
	at    []time.Duration
}

func (l *pollLog) add(p metrics.Poll) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.at = append(l.at, p.At.Sub(l.start))
}

func (l *pollLog) get() []time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]time.Duration(nil), l.at...)
}

var errDown = errors.New("cluster down")

// downPoller polls a cluster that cannot be reached (no network in the
// bubble): every poll fails at once, which is all the schedule needs.
func downPoller(ctx context.Context, iv *atomic.Int64, log *pollLog) *metrics.Poller {
	return metrics.StartPoller(ctx, metrics.PollerConfig{
		Cluster:  "c1",
		Client:   func() (*proxmox.Client, error) { return nil, errDown },
		Interval: func() time.Duration { return time.Duration(iv.Load()) },
		OnPoll:   log.add,
		Log:      slog.New(slog.DiscardHandler),
	})
}

// TestPollerSchedule: polls come every interval, failing or not (no
// backoff: a cluster that answers again shows within one poll), and Stop
// returns only when the goroutine has exited.
func TestPollerSchedule(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var iv atomic.Int64
		iv.Store(int64(10 * time.Second))
		log := &pollLog{start: time.Now()}
		p := downPoller(t.Context(), &iv, log)

		time.Sleep(3 * time.Minute) // the bubble's fake clock: no real waiting
		synctest.Wait()
		// Every 10 s for 3 minutes, although every poll fails: with the
		// old backoff (doubling up to a minute) the cluster coming back
		// at 2m50s would have shown only at 3m20s.
		var want []time.Duration
		for at := 10 * time.Second; at <= 3*time.Minute; at += 10 * time.Second {
			want = append(want, at)
		}
		if got := log.get(); !equalDurations(got, want) {
			t.Errorf("polls at %v; want %v", got, want)
		}

		p.Stop()
		select {
		case <-p.Done():
		default:
			t.Fatal("Stop returned before the goroutine exited")
		}
		n := len(log.get())
		time.Sleep(time.Hour)
		synctest.Wait()
		if len(log.get()) != n {
			t.Error("a poll was told after Stop")
		}
		if err := p.Poll(context.Background()); !errors.Is(err, metrics.ErrStopped) {
			t.Errorf("Poll after Stop = %v; want ErrStopped", err)
		}
	})
}

// TestPollerWake: a poller waiting an hour polls at once when the interval
// shrinks and it is woken, without waiting out the hour.
func TestPollerWake(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var iv atomic.Int64
		iv.Store(int64(time.Hour))
		log := &pollLog{start: time.Now()}
		p := downPoller(t.Context(), &iv, log)
		defer p.Stop()

		time.Sleep(time.Minute)
		synctest.Wait()
		if got := log.get(); len(got) != 0 {
			t.Fatalf("polls at %v; want none within the hour", got)
		}
		iv.Store(int64(20 * time.Second))
		p.Wake()
		synctest.Wait()
		if got := log.get(); !equalDurations(got, []time.Duration{time.Minute}) {
			t.Errorf("polls at %v; want one at once (1m0s)", got)
		}
	})
}

// TestPollerPollShares: Poll runs a poll now and returns once OnPoll was
// told; callers that ask together share one poll.
func TestPollerPollShares(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var iv atomic.Int64
		iv.Store(int64(time.Hour))
		log := &pollLog{start: time.Now()}
		p := downPoller(t.Context(), &iv, log)
		defer p.Stop()

		if err := p.Poll(context.Background()); err != nil {
			t.Fatal(err)
		}
		if n := len(log.get()); n != 1 {
			t.Fatalf("%d polls told when Poll returned; want 1", n)
		}
		var wg sync.WaitGroup
		for range 5 {
			wg.Go(func() { p.Poll(context.Background()) })
		}
		wg.Wait()
		if n := len(log.get()); n < 2 || n > 6 {
			t.Errorf("%d polls in all; want the five asks served", n)
		}
	})
}

func equalDurations(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
