// Package app is the API the window calls: bound methods, the DTOs they return
// and the events they emit. It is the only package that knows about Wails, and
// only wails.go imports the Wails runtime; everything else here talks to the
// small Emitter interface so tests can watch what the window would see.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"cecyber/app/store"
	"cecyber/console"
	"cecyber/metrics"
	"cecyber/proxmox"
	"cecyber/proxmox/tasks"
)

// EventInventory is emitted with an Inventory after every poll.
const EventInventory = "inventory"

// Emitter sends an event to the window.
type Emitter interface {
	Emit(event string, data any)
}

// Options configure an App. The zero value works.
type Options struct {
	Version string // Cecyber's version; "dev" if empty
	Demo    bool   // open the built-in demo cluster at start

	// PollInterval fixes how often each cluster's /cluster/resources is
	// read (tests, benchmarks); zero follows the user's settings (10 s by
	// default, the rate at which Proxmox itself refreshes it, and slower
	// while the window is minimised).
	PollInterval time.Duration

	// StartDemo starts the simulated cluster behind OpenDemo (main wires
	// proxmox/pvesim here, so that no product package imports it); nil
	// means this build has no demo.
	StartDemo func() (DemoCluster, error)

	// Logger receives operational logs; slog.Default() if nil. Nothing
	// logged ever carries a token secret.
	Logger *slog.Logger

	// Now is the clock; time.Now if nil.
	Now func() time.Time

	// Getenv reads the environment (for the OS locale); os.Getenv if nil.
	Getenv func(string) string

	// Store keeps the clusters the user added (never their secrets); nil
	// means nothing is persisted, as in a demo-only session.
	Store *store.DB

	// Keychain keeps each cluster's token secret; required with Store.
	Keychain Keychain

	// Notices are shown to the user once the window is up.
	Notices []ErrorInfo

	// Failure, when set, is why Cecyber could not start: the window shows
	// it and nothing else (no store, no clusters, no demo).
	Failure *ErrorInfo

	// Metrics keeps the metric history; nil means none is kept (History
	// then reports it unavailable).
	Metrics *metrics.Store

	// ConsoleOrigins are the Origin header values the console proxy accepts:
	// the webview's own, and the dev server's in dev builds.
	ConsoleOrigins []string

	// Notifier shows OS notifications when alerts fire; nil shows none.
	Notifier Notifier

	Build BuildInfo // version details for About; see about.go
}

// DemoCluster is a running demo cluster: how to reach it, and how to stop it.
type DemoCluster struct {
	Config proxmox.Config // loopback endpoint, pinned, with the token
	Close  func() error   // stops the simulator; nil if nothing needs stopping
}

// Keychain is where token secrets live: the OS keychain in the app
// (secrets.Keychain), nothing else. There is no plaintext fallback.
type Keychain interface {
	Set(clusterID, secret string) error
	Get(clusterID string) (string, error)
	Delete(clusterID string) error
}

// App is bound to the window. Its exported methods are safe for concurrent
// use: Wails runs every call on its own goroutine.
type App struct {
	opts Options
	log  *slog.Logger

	// ctx lives from startup to shutdown; pollers and the publisher run under it.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	emit   Emitter
	kick   chan struct{} // asks the publisher to emit the inventory

	tasks   *tasks.Tracker // nil until startup
	console *console.Proxy // nil until startup

	// State by concern, each under its own lock; a function that expects
	// one held ends in Locked.

	clustersMu sync.Mutex
	clusters   []*cluster   // in the order they were added
	demo       *DemoCluster // running, once OpenDemo started it

	consolesMu sync.Mutex
	consoles   map[string]string // console ID → local URL

	backfillMu sync.Mutex
	backfilled map[string]bool // the targets whose rrddata was fetched this session

	// settingsMu is held across saving and applying, so that what is
	// stored and what runs are the same settings.
	settingsMu sync.Mutex
	settings   Settings
	hidden     bool // the window is minimised or hidden

	alerts alertState

	historyMu sync.Mutex
	history   historyState
}

// New returns an App that does nothing until startup.
func New(opts Options) *App {
	if opts.Version == "" {
		opts.Version = "dev"
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Getenv == nil {
		opts.Getenv = os.Getenv
	}
	a := &App{opts: opts, log: opts.Logger, kick: make(chan struct{}, 1),
		consoles: map[string]string{}, backfilled: map[string]bool{}}
	a.settings = a.loadSettings()
	return a
}

// startup starts the App's goroutines under ctx. Called once, by Wails'
// OnStartup or by a test.
func (a *App) startup(ctx context.Context, emit Emitter) {
	a.ctx, a.cancel = context.WithCancel(ctx)
	a.emit = emit
	a.tasks = a.newTracker(a.ctx)
	proxy, err := console.New(console.Options{AllowedOrigins: a.opts.ConsoleOrigins, Logger: a.log.With("part", "console")})
	if err != nil {
		a.log.Error("start console proxy; consoles will not open", "err", err)
	} else {
		a.console = proxy
	}
	a.applyHistoryLimits(a.currentSettings())
	a.startAlerts()
	a.wg.Add(1)
	go a.publishLoop()
	a.loadClusters()
	if a.opts.Demo {
		if _, err := a.OpenDemo(); err != nil {
			a.log.Error("open demo cluster", "err", err)
		}
	}
}

// shutdownWait bounds how long shutdown waits for the goroutines: a
// request stuck past its own timeout must not keep the app from quitting.
const shutdownWait = 10 * time.Second

// shutdown stops every poller, the publisher, the task followers and the
// demo cluster, and waits for all of them (at most shutdownWait).
func (a *App) shutdown() {
	if a.cancel == nil {
		return
	}
	a.cancel()
	if a.console != nil {
		a.console.Close()
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.tasks.Close()
		for _, c := range a.clusterList() {
			c.poller.Stop()
			c.closeClient()
		}
		a.wg.Wait()
	}()
	select {
	case <-done:
	case <-time.After(shutdownWait):
		a.log.Error("shutdown: goroutines still running; quitting anyway", "waited", shutdownWait)
	}
	a.clustersMu.Lock()
	defer a.clustersMu.Unlock()
	a.closeDemoLocked()
}

// closeDemoLocked stops the demo cluster, if one runs.
func (a *App) closeDemoLocked() {
	if a.demo != nil && a.demo.Close != nil {
		if err := a.demo.Close(); err != nil {
			a.log.Warn("stop demo cluster", "err", err)
		}
	}
	a.demo = nil
}

// Environment tells the window the OS locale, the version and the mode.
func (a *App) Environment() Environment {
	return Environment{
		Locale:  osLocale(a.opts.Getenv),
		Version: a.opts.Version,
		Demo:    a.opts.Demo,
		Notices: append([]ErrorInfo{}, a.opts.Notices...),
		Failure: a.opts.Failure,
	}
}

// Inventory returns the latest state of every cluster without waiting for
// the network.
func (a *App) Inventory() (Inventory, error) {
	return a.inventory(), nil
}

// Refresh polls every cluster now and returns the result.
func (a *App) Refresh() (Inventory, error) {
	if a.ctx == nil {
		return Inventory{}, errNotStarted
	}
	var wg sync.WaitGroup
	for _, c := range a.clusterList() {
		wg.Go(func() { c.poller.Poll(a.ctx) })
	}
	wg.Wait()
	a.publish()
	return a.inventory(), nil
}

// OpenDemo starts the built-in simulated cluster on a random loopback port
// and connects to it exactly as to a real one: over HTTPS, with an API token,
// pinned to the certificate's fingerprint. Calling it again returns the
// running demo.
func (a *App) OpenDemo() (ClusterState, error) {
	if a.ctx == nil {
		return ClusterState{}, errNotStarted
	}
	a.clustersMu.Lock()
	if a.demo != nil {
		for _, c := range a.clusters {
			if c.demo {
				a.clustersMu.Unlock()
				return c.snapshot().state, nil
			}
		}
	}
	if a.opts.StartDemo == nil {
		a.clustersMu.Unlock()
		return ClusterState{}, errNoDemo
	}
	demo, err := a.opts.StartDemo()
	if err != nil {
		a.clustersMu.Unlock()
		return ClusterState{}, err
	}
	a.demo = &demo
	a.clustersMu.Unlock()

	// Every simulated node listens on its own loopback address: the demo
	// finds and pins them the way a real cluster's nodes are found, and
	// its client never dials anything else.
	spec, err := a.discover(clusterInput{name: "Demo", endpoint: demo.Config.Endpoint, tokenID: demo.Config.TokenID,
		secret: demo.Config.Secret}, demo.Config.Fingerprint, true)
	if err != nil {
		return ClusterState{}, fmt.Errorf("connect to the demo cluster: %w", err)
	}
	spec.id, spec.demo = "demo", true
	c, err := a.addCluster(spec)
	if err != nil {
		return ClusterState{}, err
	}
	c.poller.Poll(a.ctx)
	return c.snapshot().state, nil
}

// context is the app's context for calls to the stores: the one startup
// got, cancelled at shutdown; a background one before startup.
func (a *App) context() context.Context {
	if a.ctx == nil {
		return context.Background()
	}
	return a.ctx
}

var (
	errNotStarted = errors.New("app: not started")
	errNoDemo     = errors.New("this build has no demo cluster")
)

// newClient builds a Proxmox client that logs to the app's log (a refused
// non-loopback dial, see proxmox.Config.LoopbackOnly).
func (a *App) newClient(cfg proxmox.Config) (*proxmox.Client, error) {
	cfg.Logger = a.log
	return proxmox.NewClient(cfg)
}

// addCluster connects to a cluster and starts its poller.
func (a *App) addCluster(spec clusterSpec) (*cluster, error) {
	client, err := a.newClient(spec.cfg)
	if err != nil {
		return nil, err
	}
	c := newCluster(spec, client, a.log)
	a.startPoller(c, false)
	return c, nil
}

// startPoller lists c and starts its poller, which polls at once if
// pollNow. The poller runs until the app stops or c is removed.
func (a *App) startPoller(c *cluster, pollNow bool) {
	a.clustersMu.Lock()
	defer a.clustersMu.Unlock()
	c.poller = metrics.StartPoller(a.ctx, metrics.PollerConfig{
		Cluster:     c.id,
		Client:      c.getClient,
		Interval:    a.pollInterval,
		PollNow:     pollNow,
		Store:       a.opts.Metrics,
		Alerts:      a.alerts.engine,
		StoppedByUs: a.stoppedByUs,
		OnPoll: func(p metrics.Poll) {
			c.apply(p)
			a.noteHistory(c.id, p)
			a.applyAlertChanges(p.Alerts)
			a.publish()
		},
		Now: a.opts.Now,
		Log: a.log,
	})
	a.clusters = append(a.clusters, c)
}

// findCluster returns the running cluster with that ID.
func (a *App) findCluster(id string) (*cluster, error) {
	a.clustersMu.Lock()
	defer a.clustersMu.Unlock()
	for _, c := range a.clusters {
		if c.id == id {
			return c, nil
		}
	}
	return nil, errUnknownCluster
}

var errUnknownCluster = errors.New("no such cluster: it may have been removed")

func (a *App) clusterList() []*cluster {
	a.clustersMu.Lock()
	defer a.clustersMu.Unlock()
	return append([]*cluster(nil), a.clusters...)
}

// inventory merges every cluster's latest snapshot.
func (a *App) inventory() Inventory {
	inv := Inventory{Clusters: []ClusterState{}, Nodes: []Node{}, Guests: []Guest{}}
	for _, c := range a.clusterList() {
		s := c.snapshot()
		inv.Clusters = append(inv.Clusters, s.state)
		inv.Nodes = append(inv.Nodes, s.nodes...)
		inv.Guests = append(inv.Guests, s.guests...)
		inv.UpdatedAt = max(inv.UpdatedAt, s.state.LastPollAt)
	}
	inv.Alerts = a.openAlerts()
	sort.SliceStable(inv.Guests, func(i, j int) bool {
		if inv.Guests[i].VMID != inv.Guests[j].VMID {
			return inv.Guests[i].VMID < inv.Guests[j].VMID
		}
		return inv.Guests[i].Cluster < inv.Guests[j].Cluster
	})
	return inv
}

// publish asks the publisher to emit the inventory soon. Bursts (several
// clusters finishing a poll together) collapse into one event.
func (a *App) publish() {
	select {
	case a.kick <- struct{}{}:
	default:
	}
}

// publishLoop emits at most one inventory event per publishGap.
func (a *App) publishLoop() {
	defer a.wg.Done()
	for {
		select {
		case <-a.ctx.Done():
			return
		case <-a.kick:
		}
		a.emit.Emit(EventInventory, a.inventory())
		select {
		case <-a.ctx.Done():
			return
		case <-time.After(publishGap):
		}
	}
}

const publishGap = 200 * time.Millisecond

// osLocale turns POSIX locale variables (pt_BR.UTF-8) into a BCP 47 tag
// (pt-BR). Windows and macOS webviews report the OS language through
// navigator.languages, which the window uses when this is empty.
func osLocale(getenv func(string) string) string {
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := getenv(k)
		if v == "" {
			continue
		}
		if v == "C" || v == "POSIX" || strings.HasPrefix(v, "C.") {
			return ""
		}
		v, _, _ = strings.Cut(v, ".")
		v, _, _ = strings.Cut(v, "@")
		return strings.ReplaceAll(v, "_", "-")
	}
	return ""
}
