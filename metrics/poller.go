package metrics

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"strings"
	"sync"
	"time"

	"cecyber/metrics/alerts"
	"cecyber/proxmox"
)

// Poll is what one poll of one cluster produced, handed to
// PollerConfig.OnPoll.
type Poll struct {
	Cluster string
	At      time.Time

	// Err is why the poll failed; the fields below are then empty, and
	// the previous poll's data stays the latest.
	Err error
	// Failures counts the polls that failed in a row, this one included.
	Failures int

	// Resources is every row of /cluster/resources.
	Resources []proxmox.Resource
	// Rates are the I/O rates of every node and running guest that has
	// one this poll, by target ID ("qemu/101", "node/pve1"). Guests' come
	// from their counters (computed once, by the Store's Ingest); nodes'
	// from their rrddata. Without a Store there are only nodes'.
	Rates map[string]Rate
	// Version is Proxmox's version when it was read this poll ("" if not).
	Version string
	// Permissions are the token's when read this poll (nil if not).
	Permissions proxmox.Permissions
	// Client is the client the poll used, for its pins and set-aside
	// certificates; nil when none could be built.
	Client *proxmox.Client
	// Alerts are the transitions this poll caused.
	Alerts []alerts.Change

	// HistoryErr is why this poll's samples could not be stored (nil if
	// they were, or if there is no Store): with ErrFull the poll is kept
	// and stored again before the next one (see maxUnsaved).
	HistoryErr error
	// Unsaved is how many polls wait to be stored; Dropped how many were
	// given up since the poller started, the oldest first, to keep the
	// waiting ones bounded.
	Unsaved, Dropped int
}

// maxUnsaved bounds the polls a poller holds while the history cannot be
// written (a full disk): five minutes at the default interval, after which
// the oldest are dropped and counted.
const maxUnsaved = 30

// unsavedPoll is a poll that waits to be stored.
type unsavedPoll struct {
	at        time.Time
	res       []proxmox.Resource
	nodeRates map[string]Rate
}

// PollerConfig configures a Poller. Cluster, Client and Interval are
// required; every other field may be nil.
type PollerConfig struct {
	Cluster string

	// Client returns the cluster's client, building it if need be (a saved
	// cluster whose keychain was locked at start). An error is a failed
	// poll, and the next poll asks again.
	Client func() (*proxmox.Client, error)

	// Interval is the wait between polls now; it is read before every wait,
	// and Wake makes the poller read it again at once.
	Interval func() time.Duration
	// PollNow makes the first poll come at once rather than one interval
	// after the start.
	PollNow bool

	// Store receives every successful poll; nil keeps no history (and then
	// guests have no rates: they are computed as their samples are stored).
	Store *Store

	// Alerts is evaluated after every successful poll; nil evaluates none.
	Alerts *alerts.Engine
	// StoppedByUs tells the alert engine which stops this app asked for;
	// nil means none.
	StoppedByUs func(cluster, target string, at time.Time) bool

	// OnPoll is called on the poller's goroutine after every poll, before
	// Poll returns to whoever asked for it. Nil tells no one.
	OnPoll func(Poll)

	// Now is the clock polls are stamped with; time.Now if nil.
	Now func() time.Time
	// Log receives operational logs; slog.Default() if nil.
	Log *slog.Logger
}

// Poller polls one cluster on its own goroutine, which it owns: Start
// starts it, Stop ends it and returns only once it has exited. Every poll
// of the cluster, scheduled or asked for with Poll, runs on that goroutine,
// so two polls of one cluster never overlap and nothing the poller writes
// (history, alerts) happens after Stop returned.
type Poller struct {
	cfg    PollerConfig
	cancel context.CancelFunc
	done   chan struct{} // closed when the goroutine has exited
	asks   chan chan struct{}
	wake   chan struct{}

	// work counts the calls (Backfill) that write for the cluster outside
	// the goroutine; Stop waits for them too.
	workMu  sync.Mutex
	stopped bool
	work    sync.WaitGroup

	// The goroutine's own state: only run and what it calls touch it.
	failing int
	polls   int
	version string
	perms   bool // read at least once
	nodeNet map[string]nodeRate
	unsaved []unsavedPoll // oldest first, at most maxUnsaved
	dropped int
}

type nodeRate struct {
	rate Rate
	at   time.Time // the end of the rrddata minute it averages
}

// ErrStopped is returned by Poll and Backfill once the poller is stopping.
var ErrStopped = errors.New("metrics: the cluster's poller has stopped")

// StartPoller starts polling under ctx. The first scheduled poll comes
// one interval after the start (at once with PollNow); Poll asks for one
// now.
func StartPoller(ctx context.Context, cfg PollerConfig) *Poller {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	ctx, cancel := context.WithCancel(ctx)
	p := &Poller{
		cfg:    cfg,
		cancel: cancel,
		done:   make(chan struct{}),
		asks:   make(chan chan struct{}),
		wake:   make(chan struct{}, 1),
	}
	go p.run(ctx)
	return p
}

// Stop ends the poller and waits until its goroutine has exited and every
// Backfill in flight has returned. A poll in flight is cancelled, and
// OnPoll is not called for it. Stop may be called more than once.
func (p *Poller) Stop() {
	p.workMu.Lock()
	p.stopped = true
	p.workMu.Unlock()
	p.cancel()
	<-p.done
	p.work.Wait()
}

// Done is closed once the poller's goroutine has exited.
func (p *Poller) Done() <-chan struct{} { return p.done }

// Wake makes the poller read Interval again and measure its wait anew
// from the last poll: a shorter interval applies at once.
func (p *Poller) Wake() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// Poll asks for a poll now and waits until it ended and OnPoll was told.
// Callers that ask while a poll runs share the next one, so a burst of
// asks (the tasks of a bulk action ending together) costs two polls, not
// one each.
func (p *Poller) Poll(ctx context.Context) error {
	reply := make(chan struct{})
	select {
	case p.asks <- reply:
	case <-p.done:
		return ErrStopped
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-reply:
		return nil
	case <-p.done:
		return ErrStopped
	case <-ctx.Done():
		return ctx.Err()
	}
}

// run waits, polls, and again, until ctx ends. It is only a ticker: the
// work is pollOnce. A failing cluster is polled at the same interval as a
// healthy one, with no backoff: one request per interval (each endpoint
// left after the client's connect timeout) does not load a cluster, and
// the live view comes back within one poll of the cluster answering again,
// rather than after a backoff that had grown while it was down.
func (p *Poller) run(ctx context.Context) {
	defer close(p.done)
	last := time.Now()
	if p.cfg.PollNow {
		p.pollOnce(ctx, p.cfg.Now())
	}
	for {
		wait := p.cfg.Interval() - time.Since(last)
		timer := time.NewTimer(max(wait, 0))
		var replies []chan struct{}
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-p.wake:
			timer.Stop()
			continue
		case r := <-p.asks:
			timer.Stop()
			replies = append(replies, r)
		case <-timer.C:
		}
	drain:
		for {
			select {
			case r := <-p.asks:
				replies = append(replies, r)
			default:
				break drain
			}
		}
		last = time.Now()
		p.pollOnce(ctx, p.cfg.Now())
		for _, r := range replies {
			close(r)
		}
	}
}

const pollTimeout = 20 * time.Second

// permsEvery is how many polls pass between reads of the token's
// permissions: often enough that a new ACL shows within a minute or so.
const permsEvery = 6

// pollOnce reads the whole inventory in one /cluster/resources call,
// stores it, evaluates the alerts and tells OnPoll. A poll cut short by
// Stop tells no one.
func (p *Poller) pollOnce(ctx context.Context, now time.Time) {
	out := Poll{Cluster: p.cfg.Cluster, At: now}
	pctx, cancel := context.WithTimeout(ctx, pollTimeout)
	defer cancel()
	client, err := p.cfg.Client()
	if err == nil && client == nil {
		err = errors.New("metrics: no client")
	}
	out.Client = client
	if err == nil {
		err = p.fetch(pctx, client, now, &out)
	}
	if ctx.Err() != nil {
		return // stopping, not a failure of the cluster
	}
	if err != nil {
		p.failing++
		out.Err, out.Failures = err, p.failing
		p.cfg.Log.Warn("poll failed", "cluster", p.cfg.Cluster, "err", err, "failures", p.failing)
		p.tell(out)
		return
	}
	if ctx.Err() != nil {
		return // stopped while storing: no alerts, no OnPoll
	}
	p.failing = 0
	p.polls++
	if p.cfg.Alerts != nil {
		out.Alerts = p.cfg.Alerts.Evaluate(alerts.Snapshot{
			Cluster: p.cfg.Cluster, At: now, Targets: AlertTargets(out.Resources, out.Rates),
			StoppedByUs: p.stoppedByUs(now),
		})
	}
	p.tell(out)
}

func (p *Poller) tell(out Poll) {
	if p.cfg.OnPoll != nil {
		p.cfg.OnPoll(out)
	}
}

func (p *Poller) stoppedByUs(now time.Time) func(string) bool {
	if p.cfg.StoppedByUs == nil {
		return nil
	}
	return func(target string) bool { return p.cfg.StoppedByUs(p.cfg.Cluster, target, now) }
}

// fetch reads the resources (and now and then the version and the
// permissions and the nodes' network), and stores the poll.
func (p *Poller) fetch(ctx context.Context, client *proxmox.Client, now time.Time, out *Poll) error {
	res, err := client.Resources(ctx, "")
	if err != nil {
		return err
	}
	if p.version == "" {
		v, err := client.Version(ctx)
		if err != nil {
			return err
		}
		p.version, out.Version = v.Version, v.Version
	}
	if !p.perms || p.polls%permsEvery == 0 {
		// A token that may not read its own permissions still works; the
		// window then treats every action as allowed and Proxmox decides.
		if perms, err := client.Permissions(ctx); err == nil {
			p.perms, out.Permissions = true, perms
		} else {
			p.cfg.Log.Info("read permissions", "cluster", p.cfg.Cluster, "err", err)
		}
	}
	out.Resources = res
	nodeRates := p.nodeNetwork(ctx, client, res, now)
	out.Rates = nodeRates
	if ctx.Err() != nil {
		// Stopping (the app quits, the cluster is removed): the answer
		// came, but nothing may be written for the cluster any more.
		return ctx.Err()
	}
	if p.cfg.Store != nil {
		// One transaction per poll. A failure (a full disk) costs no live
		// data: polling and the live view go on, and the poll is stored
		// later if it can be.
		rates, err := p.store(ctx, now, res, maps.Clone(nodeRates))
		out.HistoryErr, out.Unsaved, out.Dropped = err, len(p.unsaved), p.dropped
		for id, rate := range rates {
			out.Rates[id] = rate
		}
	}
	return nil
}

// store writes the polls still waiting, oldest first, then this one, and
// returns this poll's rates. While the disk is full the polls wait in
// memory, at most maxUnsaved of them; any other failure loses that poll.
func (p *Poller) store(ctx context.Context, now time.Time, res []proxmox.Resource, nodeRates map[string]Rate) (map[string]Rate, error) {
	for len(p.unsaved) > 0 {
		u := p.unsaved[0]
		_, err := p.cfg.Store.IngestWith(ctx, p.cfg.Cluster, u.at, u.res, u.nodeRates)
		if errors.Is(err, ErrFull) {
			// Still full: this poll waits behind them, in order.
			p.keep(unsavedPoll{now, res, nodeRates})
			return p.cfg.Store.PeekRates(p.cfg.Cluster, now, res, nodeRates), err
		}
		if err != nil {
			p.dropped++
			p.cfg.Log.Warn("store a waiting poll; it is lost", "cluster", p.cfg.Cluster, "at", u.at, "err", err)
		}
		p.unsaved = p.unsaved[1:]
		if len(p.unsaved) == 0 {
			p.cfg.Log.Info("metric history is being saved again", "cluster", p.cfg.Cluster, "dropped", p.dropped)
		}
	}
	r, err := p.cfg.Store.IngestWith(ctx, p.cfg.Cluster, now, res, nodeRates)
	if errors.Is(err, ErrFull) {
		if len(p.unsaved) == 0 {
			p.cfg.Log.Warn("metric history not saved: no space left; polls wait in memory", "cluster", p.cfg.Cluster, "err", err)
		}
		p.keep(unsavedPoll{now, res, nodeRates})
	} else if err != nil {
		p.cfg.Log.Warn("store metric history", "cluster", p.cfg.Cluster, "err", err)
	}
	return r.Rates, err
}

// keep adds a poll to those waiting, dropping the oldest beyond maxUnsaved.
func (p *Poller) keep(u unsavedPoll) {
	if len(p.unsaved) == maxUnsaved {
		p.unsaved = append(p.unsaved[:0], p.unsaved[1:]...)
		p.dropped++
	}
	p.unsaved = append(p.unsaved, u)
}

// nodeNetEvery is how many polls pass between reads of the nodes' network
// rates: rrddata's finest step is a minute, so reading it every poll would
// only repeat the same average.
const nodeNetEvery = 6

// nodeRateMaxAge is how old a node's network rate may be before it is shown
// as unknown rather than as current.
const nodeRateMaxAge = 3 * time.Minute

// nodeNetwork returns each online node's network rate. Proxmox's
// /cluster/resources carries no network counters for nodes, so the rate is
// the newest complete minute of the node's own rrddata, read every
// nodeNetEvery polls, one request per node, all at once. A node whose read
// fails keeps its previous rate until it is too old.
func (p *Poller) nodeNetwork(ctx context.Context, client *proxmox.Client, res []proxmox.Resource, now time.Time) map[string]Rate {
	if p.nodeNet == nil || p.polls%nodeNetEvery == 0 {
		if p.nodeNet == nil {
			p.nodeNet = map[string]nodeRate{}
		}
		var mu sync.Mutex
		var wg sync.WaitGroup
		for _, r := range res {
			if r.Type != "node" || r.Status != "online" {
				continue
			}
			wg.Go(func() {
				points, err := client.NodeRRDData(ctx, r.Node, "hour", "AVERAGE")
				if err != nil {
					p.cfg.Log.Debug("read node network rate", "node", r.Node, "err", err)
					return
				}
				if nr, ok := lastNetwork(points); ok {
					mu.Lock()
					p.nodeNet[r.ID] = nr
					mu.Unlock()
				}
			})
		}
		wg.Wait()
	}
	out := make(map[string]Rate, len(p.nodeNet))
	for id, nr := range p.nodeNet {
		if now.Sub(nr.at) <= nodeRateMaxAge {
			out[id] = nr.rate
		}
	}
	return out
}

// lastNetwork is the newest rrddata point with both network values.
func lastNetwork(points []proxmox.RRDPoint) (nodeRate, bool) {
	for i := len(points) - 1; i >= 0; i-- {
		in, out := points[i].Values["netin"], points[i].Values["netout"]
		if in != nil && out != nil {
			return nodeRate{rate: Rate{NetIn: *in, NetOut: *out}, at: time.Unix(points[i].Time, 0)}, true
		}
	}
	return nodeRate{}, false
}

// Backfill fills a target's history from Proxmox's rrddata for each
// timeframe ("day", "month"), through the poller so that Stop waits for it
// and nothing is written for a cluster once it is stopped. guest is nil
// for a node ("node/NAME").
func (p *Poller) Backfill(ctx context.Context, targetID string, guest *proxmox.GuestRef, timeframes []string) error {
	p.workMu.Lock()
	if p.stopped {
		p.workMu.Unlock()
		return ErrStopped
	}
	p.work.Add(1)
	p.workMu.Unlock()
	defer p.work.Done()
	if p.cfg.Store == nil {
		return nil
	}
	client, err := p.cfg.Client()
	if err != nil {
		return err
	}
	for _, tf := range timeframes {
		var points []proxmox.RRDPoint
		if node, ok := strings.CutPrefix(targetID, "node/"); ok {
			points, err = client.NodeRRDData(ctx, node, tf, "AVERAGE")
		} else if guest != nil {
			points, err = client.RRDData(ctx, *guest, tf, "AVERAGE")
		} else {
			return errors.New("metrics: backfill of a guest without its place")
		}
		if err == nil {
			err = p.cfg.Store.Backfill(ctx, p.cfg.Cluster, targetID, points, tf)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// AlertTargets turns a poll into what the alert rules judge: every node,
// and every guest but templates, with its I/O rates when it has them.
func AlertTargets(res []proxmox.Resource, rates map[string]Rate) []alerts.Target {
	out := make([]alerts.Target, 0, len(res))
	for i := range res {
		r := &res[i]
		switch r.Type {
		case "node":
			t := alerts.Target{ID: "node/" + r.Node, Name: r.Node, Node: r.Node, IsNode: true,
				Status: orUnknown(r.Status), CPU: r.CPU * 100, Mem: percent(r.Mem, r.MaxMem)}
			if rate, ok := rates[r.ID]; ok {
				t.NetIn, t.NetOut, t.HasRates = rate.NetIn, rate.NetOut, true
			}
			out = append(out, t)
		case "qemu", "lxc":
			if r.Template {
				continue
			}
			t := alerts.Target{ID: r.ID, Name: r.Name, Node: r.Node, Tags: r.Tags, Status: orUnknown(r.Status),
				CPU: r.CPU * 100, Mem: percent(r.Mem, r.MaxMem)}
			if rate, ok := GuestRate(r, rates); ok {
				t.DiskRead, t.DiskWrite, t.NetIn, t.NetOut, t.HasRates = rate.DiskRead, rate.DiskWrite, rate.NetIn, rate.NetOut, true
			}
			out = append(out, t)
		}
	}
	return out
}

// GuestRate is a guest's rate this poll; a stopped guest has none.
func GuestRate(r *proxmox.Resource, rates map[string]Rate) (Rate, bool) {
	if r.Status == "stopped" {
		return Rate{}, false
	}
	rate, ok := rates[r.ID]
	return rate, ok
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

func percent(used, total int64) float64 {
	if total <= 0 {
		return -1
	}
	return float64(used) * 100 / float64(total)
}
