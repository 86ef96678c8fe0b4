// Command cecyber is a desktop client for Proxmox VE. main only wires: it
// reads the flags, opens the stores, chooses real or demo clusters (the
// demo is the Proxmox VE simulator, started here and nowhere else in the
// product), builds the app and hands it to Wails.
package main

import (
	"embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/wailsapp/wails/v2"

	"cecyber/app"
	"cecyber/app/desktop"
	"cecyber/app/logs"
	"cecyber/app/secrets"
	"cecyber/app/store"
	"cecyber/metrics"
	"cecyber/proxmox"
	"cecyber/proxmox/pvesim"
)

//go:embed all:frontend/dist
var assets embed.FS

// The window's and the notifications' icon: 256 px, not the 1024 px
// appicon.png, which GTK would keep decoded (4 MiB) for the life of the
// window where no taskbar or dock shows more than 256 px.
//
//go:embed build/linux/icons/256x256/cecyber.png
var icon []byte

// Stamped at build time: -ldflags "-X main.version=… -X main.commit=…
// -X main.buildDate=…". An unstamped commit is read from the Go build info.
var (
	version   = "dev"
	commit    = ""
	buildDate = "" // RFC 3339 UTC
)

func main() {
	// Nothing reads heap profiles in the app; sampling them keeps about
	// 1.4 MB of stack buckets resident for nothing.
	runtime.MemProfileRate = 0
	// The Go heap at rest is about 1.5 MB live; GOGC's default lets it
	// grow to the 4 MB minimum goal between collections. Half that keeps
	// a polling app's heap small at no measurable CPU cost (a collection
	// every few seconds of a tiny heap). GOGC in the environment wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(50)
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("cecyber", flag.ContinueOnError)
	fl.SetOutput(stderr)
	demo := fl.Bool("demo", false, "open the built-in demo cluster (a simulated Proxmox VE cluster on loopback)")
	demoPVE := fl.String("demo-pve", "9.1", "Proxmox VE `release` the demo cluster plays: 9.1 or 8.4")
	showVersion := fl.Bool("version", false, "print the version and exit")
	fl.Usage = func() {
		fmt.Fprintf(stderr, "Usage: cecyber [-demo] [-demo-pve 9.1|8.4] [-version]\n\nCecyber is a desktop client for Proxmox VE.\n\n")
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if fl.NArg() > 0 {
		fmt.Fprintf(stderr, "cecyber: unexpected argument %q\n", fl.Arg(0))
		fl.Usage()
		return 2
	}
	demoVersion, err := pvesim.ParseRelease(*demoPVE)
	if err != nil {
		fmt.Fprintf(stderr, "cecyber: -demo-pve: %v\n", err)
		return 2
	}
	build := app.BuildInfo{Commit: commit, BuildDate: buildDate}
	// Before anything touches GTK: --version works without a display.
	if *showVersion {
		fmt.Fprintln(stdout, app.VersionLine(version, build))
		return 0
	}

	// One Cecyber per config folder, decided before anything in it is
	// opened: another window on the same files shows itself instead.
	configDir, instance, idErr := instanceID()
	var release func()
	if idErr == nil {
		var handedOver bool
		release, handedOver, idErr = lockInstance(configDir, instance)
		if handedOver {
			fmt.Fprintln(stderr, "cecyber: already running; its window was brought forward")
			return 0
		}
	}

	desktop.AvoidCLocale()
	desktop.SkipGLProbes()
	log, closeLog, logDir := openLog(stderr)
	defer closeLog.Close()
	// Whatever logs without a logger of its own (proxmox.Probe's refusal
	// of a non-loopback dial) goes to the same place.
	slog.SetDefault(log)
	fail := func(err error) int { return failStart(err, configDir, logDir, instance, log, stderr) }
	if idErr != nil {
		return fail(idErr)
	}
	defer release()
	log.Info("starting", "version", version, "commit", build.Commit, "demo", *demo)
	db, notices, err := openStore(configDir, log)
	if err != nil {
		return fail(err)
	}
	defer db.Close()
	history, historyNotices, err := openMetrics(configDir, log)
	if err != nil {
		return fail(err)
	}
	defer history.Close()
	notices = append(notices, historyNotices...)
	build.LogDir, build.ConfigDir = logDir, configDir
	a := app.New(app.Options{
		Version:   version,
		Demo:      *demo,
		StartDemo: demoStarter(demoVersion),
		Logger:    log,
		Store:     db,
		Keychain:  secrets.Keychain{Service: desktop.KeychainService},
		Notices:   notices,
		Metrics:   history,
		// The webview's own origin: wails://wails on Linux and macOS,
		// http://wails.localhost on Windows.
		ConsoleOrigins: append([]string{"wails://wails", "http://wails.localhost"}, desktop.DevOrigins()...),
		Build:          build,
		Notifier:       desktop.Notifier{Icon: icon},
	})

	shell := app.Shell{
		Assets:     dist(),
		Icon:       icon,
		WindowFile: filepath.Join(configDir, desktop.WindowFile),
		InstanceID: instance,
	}
	if err := wails.Run(app.WailsOptions(a, shell)); err != nil {
		fmt.Fprintf(stderr, "cecyber: %v\n", err)
		return 1
	}
	return 0
}

// instanceID returns the config folder the databases live in and its
// single-instance lock ID (see app.InstanceID). A dev build has a folder of
// its own, and refuses one that is the installed app's under another name.
func instanceID() (configDir, id string, err error) {
	base, err := os.UserConfigDir()
	if err != nil {
		return "", "", fmt.Errorf("locate config directory: %w", err)
	}
	configDir = filepath.Join(base, desktop.ConfigFolder)
	if desktop.DevBuild {
		if err := refuseReleaseFolder(configDir, filepath.Join(base, "Cecyber")); err != nil {
			return "", "", err
		}
	}
	return configDir, app.InstanceID(configDir, desktop.DevBuild), nil
}

// refuseReleaseFolder stops a dev build whose folder is the installed
// app's (a symbolic link, a bind mount): it would poll, and could stop,
// the user's real clusters from a build whose dev server any local page
// can reach.
func refuseReleaseFolder(devDir, releaseDir string) error {
	dev, derr := os.Stat(devDir)
	rel, rerr := os.Stat(releaseDir)
	same := derr == nil && rerr == nil && os.SameFile(dev, rel)
	if !same && derr == nil && rerr == nil {
		// Where the file system gives no identity (Wine), the resolved
		// paths still tell.
		d, derr := filepath.EvalSymlinks(devDir)
		r, rerr := filepath.EvalSymlinks(releaseDir)
		same = derr == nil && rerr == nil && samePath(d, r)
	}
	if same {
		return fmt.Errorf("this development build's folder %s is the installed Cecyber's %s: "+
			"a development build never opens the real clusters; give it a folder of its own", devDir, releaseDir)
	}
	return nil
}

// samePath compares two cleaned paths as the system does: without case
// on Windows and macOS.
func samePath(a, b string) bool {
	a, b = filepath.Clean(a), filepath.Clean(b)
	if runtime.GOOS == "linux" {
		return a == b
	}
	return strings.EqualFold(a, b)
}

// handOverWait is how long a second launch waits for the Cecyber that
// holds the folder to show its window: both may have been started at the
// same moment, and the first registers with the desktop only as its
// window opens.
var handOverWait = 5 * time.Second

// lockInstance takes the config folder's single-instance lock before any
// database in it is opened. If another Cecyber holds it, it asks that one
// to show its window (Linux; Wails' own lock does it on Windows and macOS,
// see failStart) and reports whether it did.
func lockInstance(dir, instance string) (release func(), handedOver bool, err error) {
	deadline := time.Now().Add(handOverWait)
	for {
		release, err := desktop.LockInstance(dir)
		if !errors.Is(err, desktop.ErrRunning) {
			return release, false, err
		}
		if desktop.HandOver(instance) {
			return nil, true, nil
		}
		if runtime.GOOS != "linux" || time.Now().After(deadline) {
			return nil, false, err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// failStart tells the user why Cecyber could not start: in its window
// when one can open (showing only that), else in a native dialog, and
// always in the log and on stderr. It returns the exit status.
func failStart(err error, configDir, logDir, instance string, log *slog.Logger, stderr io.Writer) int {
	info := app.StartupFailure(err, configDir, logDir)
	fmt.Fprintf(stderr, "cecyber: %v\n", err)
	log.Error("start-up failed", "code", info.Code, "dir", configDir, "err", err)
	if desktop.CanOpenWindow() {
		a := app.New(app.Options{Version: version, Logger: log, Failure: &info,
			Build: app.BuildInfo{Commit: commit, BuildDate: buildDate, LogDir: logDir, ConfigDir: configDir}})
		// With the instance's lock ID, Wails brings forward a Cecyber that
		// holds the folder (Windows, macOS) and this one ends there.
		rerr := wails.Run(app.WailsOptions(a, app.Shell{Assets: dist(), Icon: icon, InstanceID: instance}))
		if rerr == nil {
			return 1
		}
		log.Error("the window could not open to show why Cecyber could not start", "err", rerr)
	}
	if derr := desktop.ShowError("Cecyber could not start", info.Message); derr != nil {
		log.Warn("no dialog could show why Cecyber could not start", "err", derr)
	}
	return 1
}

// dist is the built frontend.
func dist() fs.FS {
	d, err := fs.Sub(assets, "frontend/dist")
	if err != nil {
		panic(err) // a constant path into an embedded folder
	}
	return d
}

// demoStarter starts the built-in demo cluster: the Proxmox VE simulator
// playing version (pvesim.Version91 or Version84) on loopback, reached like
// a real cluster, over HTTPS with an API token, pinned to its certificate.
// The window can open it in any mode; -demo opens it at start.
func demoStarter(version string) func() (app.DemoCluster, error) {
	return func() (app.DemoCluster, error) {
		srv, err := pvesim.Start(pvesim.Config{Version: version}, "127.0.0.1:0")
		if err != nil {
			return app.DemoCluster{}, fmt.Errorf("start demo cluster: %w", err)
		}
		tok := srv.AdminToken()
		return app.DemoCluster{
			// app.OpenDemo makes the demo's client loopback-only.
			Config: proxmox.Config{Endpoint: srv.URL, TokenID: tok.ID, Secret: tok.Secret, Fingerprint: srv.Fingerprint},
			Close:  srv.Close,
		}, nil
	}
}

// openLog returns the app's logger: stderr and a rotated file in the OS log
// folder. Without a usable folder it logs to stderr alone and says so; a
// log file is never worth refusing to start.
func openLog(stderr io.Writer) (*slog.Logger, io.Closer, string) {
	dir, err := logs.Dir()
	if err == nil && desktop.DevBuild {
		dir = filepath.Join(dir, "dev") // the installed app's log stays its own
	}
	if err != nil {
		log, closer, _ := logs.Setup(logs.Options{Stderr: stderr})
		log.Warn("logging to stderr only", "err", err)
		return log, closer, ""
	}
	log, closer, err := logs.Setup(logs.Options{Dir: dir, Stderr: stderr})
	if err != nil {
		log.Warn("logging to stderr only", "err", err)
	}
	return log, closer, dir
}

// openStore opens the database in the OS config directory. A damaged one
// is kept aside, never deleted, and what can still be read is salvaged
// into a new one; a -wal file of another database is set aside. Either is
// a notice in the window.
func openStore(configDir string, log *slog.Logger) (*store.DB, []app.ErrorInfo, error) {
	db, rep, err := store.OpenRepairing(filepath.Join(configDir, "cecyber.db"))
	return db, app.RepairNotices("database", rep, log), err
}

// openMetrics opens the metric history next to the database, repaired the
// same way.
func openMetrics(configDir string, log *slog.Logger) (*metrics.Store, []app.ErrorInfo, error) {
	s, rep, err := metrics.OpenRepairing(filepath.Join(configDir, "metrics.db"))
	return s, app.RepairNotices("history", rep, log), err
}
