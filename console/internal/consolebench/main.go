//go:build unix

// The benchmark drives Unix processes (signals, getrusage) and Debian's peers:
// it is a tool for this Linux machine, not part of Cecyber on Windows.

// Command consolebench compares the console proxy side by side, in one run,
// with the client talking straight to the upstream and with Debian's
// websockify in the proxy's place, and prints name=value lines on stdout
// (progress goes to stderr).
//
// The paths, all on loopback, share one data source (the command server in
// servers.go) and one sink (client.go):
//
//	direct:     client ⇄ wss upstream (TLS + WebSocket, VNC Authentication)
//	proxy:      client ⇄ ws console.Proxy ⇄ wss upstream
//	websockify: client ⇄ ws websockify ⇄ TLS TCP target (--ssl-target)
//	websockify_plain: the same with a plain TCP target
//
// websockify is a WebSocket→TCP bridge: it cannot speak WebSocket upstream,
// so its target sends the same bytes as raw socket writes of the same size
// instead of WebSocket messages. The TLS target keeps the decryption work
// of the proxy's path; the plain one is websockify's best case.
//
// The upstream serves framebuffer data as 64 KiB messages cut from 1 MiB
// updates, as pveproxy forwards QEMU's output. Each path moves -mib MiB
// -runs times after a warm-up, the paths interleaved round by round (in a
// rotating order) to cancel drift; the medians are reported.
//
// Usage: go run ./console/internal/consolebench [-runs 5] [-mib 256]
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"syscall"
	"time"

	"cecyber/console"
)

const benchOrigin = "http://consolebench"

func main() {
	runs := flag.Int("runs", 5, "measured throughput runs per path")
	mib := flag.Int("mib", 256, "MiB moved per throughput run")
	rttSamples := flag.Int("rtt", 3000, "round trips measured per path")
	lossTrials := flag.Int("loss-trials", 5, "upstream-close trials per path")
	lossMiB := flag.Int("loss-mib", 16, "MiB sent by the upstream before it drops the connection")
	lossDelay := flag.Duration("loss-delay", 200*time.Millisecond, "how long the client waits before reading the burst")
	websockify := flag.String("websockify", "websockify", "websockify executable")
	limit := flag.Duration("limit", 10*time.Minute, "abort the run after this long")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	flag.Parse()

	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "consolebench:", err)
			os.Exit(1)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "consolebench:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}

	b := &bench{websockify: *websockify}
	watchdog := time.AfterFunc(*limit, func() {
		fmt.Fprintf(os.Stderr, "consolebench: still running after %v, giving up\n", *limit)
		b.stop()
		os.Exit(2)
	})
	err := b.run(*runs, *mib<<20, *rttSamples, *lossTrials, *lossMiB<<20, *lossDelay)
	watchdog.Stop()
	b.stop()
	if err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "consolebench:", err)
		os.Exit(1)
	}
}

type bench struct {
	websockify string
	procs      []*exec.Cmd
	cleanups   []func()
}

func (b *bench) stop() {
	for _, p := range b.procs {
		// websockify forks a child per connection: end its whole group,
		// which this program created.
		_ = syscall.Kill(-p.Process.Pid, syscall.SIGKILL)
		_ = p.Wait()
	}
	b.procs = nil
	for _, f := range slices.Backward(b.cleanups) {
		f()
	}
	b.cleanups = nil
}

func progress(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) }

func out(name string, value any) {
	switch v := value.(type) {
	case float64:
		fmt.Printf("%s=%s\n", name, strconv.FormatFloat(v, 'f', 2, 64))
	default:
		fmt.Printf("%s=%v\n", name, v)
	}
}

// path is one way from the client to the data source.
type path struct {
	name    string
	connect func() (*client, error)
	c       *client
}

func (b *bench) run(runs, bytesPerRun, rttSamples, lossTrials, lossBytes int, lossDelay time.Duration) error {
	cert, pool, err := selfSignedCert()
	if err != nil {
		return err
	}
	up, err := startWSUpstream(cert)
	if err != nil {
		return err
	}
	b.cleanups = append(b.cleanups, up.close)
	plainTarget, err := startRawTarget(nil)
	if err != nil {
		return err
	}
	b.cleanups = append(b.cleanups, plainTarget.close)
	tlsTarget, err := startRawTarget(&cert)
	if err != nil {
		return err
	}
	b.cleanups = append(b.cleanups, tlsTarget.close)

	wsfyTLS, err := b.startWebsockify(tlsTarget.addr, "--ssl-target")
	if err != nil {
		return err
	}
	wsfyPlain, err := b.startWebsockify(plainTarget.addr)
	if err != nil {
		return err
	}

	p, err := console.New(console.Options{AllowedOrigins: []string{benchOrigin}})
	if err != nil {
		return err
	}
	b.cleanups = append(b.cleanups, func() { p.Close() })
	upDialer := dialer(pool)
	localDialer := dialer(nil)
	session := console.Session{
		Upstream: up.url,
		Header:   http.Header{"Authorization": {"PVEAPIToken=bench@pve!bench=secret"}},
		DialTLS:  upDialer.NetDialTLSContext,
		Password: benchPassword,
	}
	viaProxy := func() (*client, error) {
		localURL, err := p.Register(session)
		if err != nil {
			return nil, err
		}
		return dial(localDialer, localURL, http.Header{"Origin": {benchOrigin}}, false)
	}
	viaWebsockify := func(addr string) func() (*client, error) {
		return func() (*client, error) { return dial(localDialer, "ws://"+addr+"/", nil, false) }
	}
	direct := &path{name: "direct", connect: func() (*client, error) { return dial(upDialer, up.url, nil, true) }}
	proxy := &path{name: "proxy", connect: viaProxy}
	websockify := &path{name: "websockify", connect: viaWebsockify(wsfyTLS)}
	websockifyPlain := &path{name: "websockify_plain", connect: viaWebsockify(wsfyPlain)}
	paths := []*path{direct, proxy, websockify, websockifyPlain}
	for _, pa := range paths {
		if pa.c, err = pa.connect(); err != nil {
			return fmt.Errorf("%s: connect: %w", pa.name, err)
		}
		defer pa.c.close()
	}

	// Throughput.
	for _, pa := range paths {
		if _, err := pa.c.pump(64 << 20); err != nil {
			return fmt.Errorf("%s: warm-up: %w", pa.name, err)
		}
	}
	mbps := map[string][]float64{}
	for r := range runs {
		for i := range paths {
			pa := paths[(r+i)%len(paths)]
			d, err := pa.c.pump(bytesPerRun)
			if err != nil {
				return fmt.Errorf("%s: run %d: %w", pa.name, r, err)
			}
			v := float64(bytesPerRun) / d.Seconds() / 1e6
			mbps[pa.name] = append(mbps[pa.name], v)
			progress("throughput run %d %-16s %7.1f MB/s", r+1, pa.name, v)
		}
	}

	// Round trips: KeyEvent out, 8 bytes back, in blocks that alternate
	// between the paths.
	rttPaths := []*path{direct, proxy, websockify}
	rtts := map[string][]time.Duration{}
	const block = 100
	for _, pa := range rttPaths {
		for range block { // warm-up
			if _, err := pa.c.rtt(0); err != nil {
				return fmt.Errorf("%s: rtt: %w", pa.name, err)
			}
		}
	}
	for i := 0; i < rttSamples; i += block {
		for _, pa := range rttPaths {
			_ = pa.c.c.SetReadDeadline(time.Now().Add(opTimeout))
			for k := range block {
				d, err := pa.c.rtt(uint32(i + k))
				if err != nil {
					return fmt.Errorf("%s: rtt: %w", pa.name, err)
				}
				rtts[pa.name] = append(rtts[pa.name], d)
			}
		}
	}
	progress("rtt: %d samples per path", len(rtts["proxy"]))

	// Bytes that make it to the client when the upstream sends a burst and
	// drops the connection without a close frame.
	lost := map[string]int{}
	for trial := range lossTrials {
		for _, pa := range []*path{proxy, websockifyPlain, direct} {
			c, err := pa.connect()
			if err != nil {
				return fmt.Errorf("%s: loss trial: %w", pa.name, err)
			}
			got, err := c.burstClose(lossBytes, lossDelay)
			c.c.Close()
			if err != nil {
				return fmt.Errorf("%s: loss trial: %w", pa.name, err)
			}
			lost[pa.name] += lossBytes - got
			progress("upstream close trial %d %-16s received %d of %d bytes", trial+1, pa.name, got, lossBytes)
		}
	}

	// Report.
	med := func(name string) float64 { return median(mbps[name]) }
	out("throughput_direct_mbps", med("direct"))
	out("throughput_proxy_mbps", med("proxy"))
	out("throughput_websockify_mbps", med("websockify"))
	out("throughput_websockify_plain_mbps", med("websockify_plain"))
	out("throughput_ratio_vs_direct", med("proxy")/med("direct"))
	out("throughput_ratio_vs_websockify", med("proxy")/med("websockify"))
	out("throughput_ratio_vs_websockify_plain", med("proxy")/med("websockify_plain"))
	for _, name := range []string{"direct", "proxy", "websockify"} {
		out("rtt_"+name+"_p50_us", us(percentile(rtts[name], 50)))
		out("rtt_"+name+"_p99_us", us(percentile(rtts[name], 99)))
	}
	out("rtt_p50_added_us", us(percentile(rtts["proxy"], 50)-percentile(rtts["direct"], 50)))
	out("rtt_p99_added_us", us(percentile(rtts["proxy"], 99)-percentile(rtts["direct"], 99)))
	out("bytes_lost_on_upstream_close", lost["proxy"])
	out("websockify_bytes_lost_on_upstream_close", lost["websockify_plain"])
	out("direct_bytes_lost_on_upstream_close", lost["direct"])
	out("upstream_close_trials", lossTrials)
	out("upstream_close_burst_bytes", lossBytes)
	out("throughput_runs", runs)
	out("throughput_bytes_per_run", bytesPerRun)
	out("throughput_message_bytes", chunkSize)
	out("rtt_samples", len(rtts["proxy"]))
	out("gomaxprocs", runtime.GOMAXPROCS(0))
	out("unit_mbps", "MB/s (1e6 bytes per second), median of runs")
	out("note", "websockify bridges WebSocket to raw TCP, so its target sends the same bytes as raw 64 KiB socket writes "+
		"(TLS with --ssl-target for throughput_websockify_mbps, plain TCP for _plain) instead of wss messages; "+
		"websockify runs as its own process, while the client, servers and proxy share this one")
	return nil
}

// startWebsockify runs websockify on a free loopback port in front of
// target and waits until it accepts connections.
func (b *bench) startWebsockify(target string, extra ...string) (string, error) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := ln.Addr().String()
	ln.Close()
	args := append([]string{"--heartbeat=0"}, extra...)
	args = append(args, addr, target)
	cmd := exec.Command(b.websockify, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Stdout, cmd.Stderr = nil, nil // its per-connection chatter
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("start websockify (apt-get install websockify): %w", err)
	}
	b.procs = append(b.procs, cmd)
	// Polls the websockify process until it listens: it says nothing
	// when it is ready.
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if c, err := net.Dial("tcp4", addr); err == nil {
			c.Close()
			return addr, nil
		}
	}
	return "", fmt.Errorf("websockify on %s did not start", addr)
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(v))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// percentile is the nearest-rank percentile.
func percentile(v []time.Duration, p int) time.Duration {
	if len(v) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(v))
	i := (len(s)*p+99)/100 - 1
	return s[max(i, 0)]
}

func us(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
