// Command cecyber is a desktop client for Proxmox VE. main only wires: it
// reads the flags, builds the app and hands it to Wails.
package main

import (
	"embed"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"

	"github.com/wailsapp/wails/v2"

	"cecyber/app"
)

//go:embed all:frontend/dist
var assets embed.FS

//go:embed build/appicon.png
var icon []byte

// version is stamped at build time: -ldflags "-X main.version=…".
var version = "dev"

func main() {
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
	if *showVersion {
		fmt.Fprintf(stdout, "cecyber %s\n", version)
		return 0
	}

	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	a := app.New(app.Options{Version: version, Demo: *demo, Logger: log})

	dist, err := fs.Sub(assets, "frontend/dist")
	if err != nil {
		fmt.Fprintf(stderr, "cecyber: %v\n", err)
		return 1
	}
	if err := wails.Run(app.WailsOptions(a, dist, icon)); err != nil {
		fmt.Fprintf(stderr, "cecyber: %v\n", err)
		return 1
	}
	return 0
}
