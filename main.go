// Command cecyber is a desktop client for Proxmox VE. main only wires: it
// reads the flags, opens the stores, chooses real or demo clusters (the
// demo is the Proxmox VE simulator, started here and nowhere else in the
// product), builds the app and hands it to Wails.
package main

import (
	"embed"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"

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

//go:embed build/appicon.png
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
	showVersion := fl.Bool("version", false, "print the version and exit")
	fl.Usage = func() {
		fmt.Fprintf(stderr, "Usage: cecyber [-demo] [-version]\n\nCecyber is a desktop client for Proxmox VE.\n\n")
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
	build := app.BuildInfo{Commit: commit, BuildDate: buildDate}
	// Before anything touches GTK: --version works without a display.
	if *showVersion {
		fmt.Fprintln(stdout, app.VersionLine(version, build))
		return 0
	}

	// Another window on the same files shows itself instead; this one
	// stops before it opens them.
	instance, err := instanceID()
	if err != nil {
		fmt.Fprintf(stderr, "cecyber: %v\n", err)
		return 1
	}
	if desktop.HandOver(instance) {
		fmt.Fprintln(stderr, "cecyber: already running; its window was brought forward")
		return 0
	}

	desktop.AvoidCLocale()
	log, closeLog, logDir := openLog(stderr)
	defer closeLog.Close()
	// Whatever logs without a logger of its own (proxmox.Probe's refusal
	// of a non-loopback dial) goes to the same place.
	slog.SetDefault(log)
	log.Info("starting", "version", version, "commit", build.Commit, "demo", *demo)
	db, notices, err := openStore(log)
	if err != nil {
		fmt.Fprintf(stderr, "cecyber: %v\n", err)
		return 1
	}
	defer db.Close()
	history, historyNotices, err := openMetrics(db.Path(), log)
	if err != nil {
		fmt.Fprintf(stderr, "cecyber: %v\n", err)
		return 1
	}
	defer history.Close()
	notices = append(notices, historyNotices...)
	configDir := filepath.Dir(db.Path())
	build.LogDir, build.ConfigDir = logDir, configDir
	a := app.New(app.Options{
		Version:   version,
		Demo:      *demo,
		StartDemo: startDemo,
		Logger:    log,
		Store:     db,
		Keychain:  secrets.Keychain{Service: "cecyber"},
		Notices:   notices,
		Metrics:   history,
		// The webview's own origin: wails://wails on Linux and macOS,
		// http://wails.localhost on Windows.
		ConsoleOrigins: append([]string{"wails://wails", "http://wails.localhost"}, desktop.DevOrigins()...),
		Build:          build,
		Notifier:       desktop.Notifier{Icon: icon},
	})

	dist, err := fs.Sub(assets, "frontend/dist")
	if err != nil {
		fmt.Fprintf(stderr, "cecyber: %v\n", err)
		return 1
	}
	shell := app.Shell{
		Assets:     dist,
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

// instanceID is the single-instance lock of the config folder the database
// lives in (see app.InstanceID).
func instanceID() (string, error) {
	path, err := store.DefaultPath()
	if err != nil {
		return "", err
	}
	return app.InstanceID(filepath.Dir(path), desktop.DevBuild), nil
}

// startDemo starts the built-in demo cluster: the Proxmox VE simulator on
// loopback, reached like a real cluster, over HTTPS with an API token,
// pinned to its certificate. The window can open it in any mode; -demo
// opens it at start.
func startDemo() (app.DemoCluster, error) {
	srv, err := pvesim.Start(pvesim.Config{}, "127.0.0.1:0")
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

// openLog returns the app's logger: stderr and a rotated file in the OS log
// folder. Without a usable folder it logs to stderr alone and says so; a
// log file is never worth refusing to start.
func openLog(stderr io.Writer) (*slog.Logger, io.Closer, string) {
	dir, err := logs.Dir()
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
func openStore(log *slog.Logger) (*store.DB, []app.ErrorInfo, error) {
	path, err := store.DefaultPath()
	if err != nil {
		return nil, nil, err
	}
	db, rep, err := store.OpenRepairing(path)
	return db, app.RepairNotices("database", rep, log), err
}

// openMetrics opens the metric history next to the database, repaired the
// same way.
func openMetrics(dbPath string, log *slog.Logger) (*metrics.Store, []app.ErrorInfo, error) {
	s, rep, err := metrics.OpenRepairing(filepath.Join(filepath.Dir(dbPath), "metrics.db"))
	return s, app.RepairNotices("history", rep, log), err
}
