// Command pvesim serves a simulated Proxmox VE cluster over HTTPS.
//
// It plays Proxmox VE 9.1, or 8.4 with -pve 8.4. Once it listens it prints
// exactly one JSON line on stdout with the URL, a token (the admin one
// unless -token names another), the certificate fingerprint to pin and
// the pve-manager version, then serves until SIGINT or SIGTERM:
//
//	{"url":"https://127.0.0.1:8006","tokenid":"root@pam!cecyber","secret":"…","fingerprint":"AB:CD:…","version":"9.1.2",…}
//
// With -control it also reads commands from stdin, one per line, and
// answers each with "ok" or "error: …" on stdout; tests use them to drive
// the cluster:
//
//	cpu VMID LOAD     fix a guest's CPU load (0.97 is 97%); LOAD "-" undoes it
//	qmp VMID STATUS   make a running VM report a QMP status (io-error,
//	                  guest-panicked, …); STATUS "-" undoes it
//	node NAME online  bring a node back (or: offline, to take it away)
//	cert NAME         give a node a new certificate, as a renewal or a
//	                  reinstall would
//
// It listens on loopback only, one address per node (127.0.0.1, 127.0.0.2,
// … where the system has them, else a port per node): the simulator prints
// its admin secret, and everything that follows its node addresses must
// stay on this machine.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"cecyber/proxmox/pvesim"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(runWith(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

type banner struct {
	URL         string       `json:"url"`
	TokenID     string       `json:"tokenid"`
	Secret      string       `json:"secret"`
	Fingerprint string       `json:"fingerprint"`
	Version     string       `json:"version"` // pve-manager's, as /version says
	Nodes       []nodeBanner `json:"nodes"`
}

// nodeBanner is where one node listens.
type nodeBanner struct {
	Name        string `json:"name"`
	URL         string `json:"url"`
	Fingerprint string `json:"fingerprint"`
}

// run is main without the process: it serves until ctx ends and returns
// the exit code (0 after a signal, 1 on a runtime error, 2 on bad usage).
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runWith(ctx, args, nil, stdout, stderr)
}

// runWith is run reading -control commands from stdin.
func runWith(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("pvesim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:8006", "loopback `address` of the first node (host:port; port 0 picks one); the others follow it")
	nodes := fs.Int("nodes", 3, "number of cluster `nodes`")
	guests := fs.Int("guests", 24, "number of `guests` (VMs and containers)")
	seed := fs.Int64("seed", 1, "`seed` of the simulated cluster and its metrics")
	cluster := fs.String("cluster", "demo", "cluster `name`")
	release := fs.String("pve", "9.1", "Proxmox VE `release` to play: 9.1 or 8.4")
	control := fs.Bool("control", false, "read commands from stdin (see the package documentation)")
	tokenID := fs.String("token", pvesim.AdminTokenID, "`ID` of the built-in token to print: "+
		pvesim.AdminTokenID+" (all privileges), "+pvesim.AuditorTokenID+" (read only), "+
		pvesim.LimitedTokenID+" (VM 101 only) or "+pvesim.NoACLTokenID+" (no permissions)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: pvesim [flags]\n\nServes a simulated Proxmox VE 9.1 (or 8.4) cluster over HTTPS.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	usage := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "pvesim: "+format+"\n", a...)
		fs.Usage()
		return 2
	}
	if fs.NArg() > 0 {
		return usage("unexpected argument %q", fs.Arg(0))
	}
	if *nodes < 1 {
		return usage("-nodes must be at least 1")
	}
	if *guests < 0 {
		return usage("-guests must not be negative")
	}
	host, _, err := net.SplitHostPort(*listen)
	if err != nil {
		return usage("bad -listen address: %v", err)
	}
	if !isLoopback(host) {
		return usage("refusing to listen on non-loopback address %q: the simulator serves this machine only", host)
	}

	version, err := pvesim.ParseRelease(*release)
	if err != nil {
		return usage("bad -pve: %v", err)
	}

	cfg := pvesim.Config{Nodes: *nodes, Guests: *guests, Seed: *seed, ClusterName: *cluster, Version: version}
	if *guests == 0 {
		// Config treats 0 as "default"; an explicitly empty cluster is
		// asked for with a negative count.
		cfg.Guests = -1
	}
	srv, err := pvesim.Start(cfg, *listen)
	if err != nil {
		fmt.Fprintf(stderr, "pvesim: %v\n", err)
		return 1
	}
	defer srv.Close()

	tok, ok := srv.Token(*tokenID)
	if !ok {
		srv.Close()
		return usage("unknown -token %q", *tokenID)
	}
	b := banner{URL: srv.URL, TokenID: tok.ID, Secret: tok.Secret, Fingerprint: srv.Fingerprint, Version: version}
	for _, n := range srv.Nodes() {
		b.Nodes = append(b.Nodes, nodeBanner{Name: n, URL: srv.NodeURL(n), Fingerprint: srv.NodeFingerprint(n)})
	}
	line, err := json.Marshal(b)
	if err != nil {
		fmt.Fprintf(stderr, "pvesim: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "%s\n", line)
	fmt.Fprintf(stderr, "pvesim: serving Proxmox VE %s, %d nodes and %d guests on %s\n", version, *nodes, *guests, srv.URL)
	for _, n := range b.Nodes {
		fmt.Fprintf(stderr, "pvesim: node %s on %s\n", n.Name, n.URL)
	}
	if *control && stdin != nil {
		go serveControl(srv, stdin, stdout)
	}

	<-ctx.Done()
	fmt.Fprintf(stderr, "pvesim: shutting down\n")
	return 0
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// serveControl runs -control commands until stdin ends.
func serveControl(srv *pvesim.Server, stdin io.Reader, stdout io.Writer) {
	sc := bufio.NewScanner(stdin)
	for sc.Scan() {
		if err := command(srv, strings.Fields(sc.Text())); err != nil {
			fmt.Fprintf(stdout, "error: %v\n", err)
		} else {
			fmt.Fprintln(stdout, "ok")
		}
	}
}

func command(srv *pvesim.Server, f []string) error {
	switch {
	case len(f) == 3 && f[0] == "cpu":
		vmid, err := strconv.Atoi(f[1])
		if err != nil {
			return fmt.Errorf("bad VMID %q", f[1])
		}
		load := -1.0
		if f[2] != "-" {
			if load, err = strconv.ParseFloat(f[2], 64); err != nil || load < 0 {
				return fmt.Errorf("bad load %q: want a fraction such as 0.97, or -", f[2])
			}
		}
		srv.SetGuestCPU(vmid, load)
		return nil
	case len(f) == 3 && f[0] == "qmp":
		vmid, err := strconv.Atoi(f[1])
		if err != nil {
			return fmt.Errorf("bad VMID %q", f[1])
		}
		status := f[2]
		if status == "-" {
			status = ""
		}
		if !srv.SetGuestQMPStatus(vmid, status) {
			return fmt.Errorf("VM %d is not a running VM, or %q is not one of %s or -", vmid, f[2], strings.Join(pvesim.QMPStatuses, ", "))
		}
		return nil
	case len(f) == 3 && f[0] == "node" && (f[2] == "online" || f[2] == "offline"):
		srv.SetNodeOnline(f[1], f[2] == "online")
		return nil
	case len(f) == 2 && f[0] == "cert":
		if srv.RotateCertificate(f[1]) == "" {
			return fmt.Errorf("no node %q", f[1])
		}
		return nil
	}
	return fmt.Errorf("unknown command %q: want \"cpu VMID LOAD\", \"qmp VMID STATUS\", \"node NAME online|offline\" or \"cert NAME\"", strings.Join(f, " "))
}
