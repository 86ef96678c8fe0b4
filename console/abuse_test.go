package console

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// attackEnv, when set to "ADDR COUNT", makes this test binary the local
// attacker of TestProxyUnderConnectionFlood instead of running tests.
const attackEnv = "CECYBER_CONSOLE_ATTACK"

func TestMain(m *testing.M) {
	if v := os.Getenv(attackEnv); v != "" {
		attack(v)
		return
	}
	os.Exit(m.Run())
}

// attack opens COUNT connections to ADDR and holds them open: a third
// send nothing, a third send half a request header, a third send a
// refused request and keep the connection. It prints "held N" once every
// connection was opened and waits until stdin closes.
func attack(spec string) {
	addr, n, _ := strings.Cut(spec, " ")
	count, _ := strconv.Atoi(n)
	var conns []net.Conn
	failed := 0
	for i := range count {
		c, err := net.DialTimeout("tcp", addr, 10*time.Second)
		if err != nil {
			failed++
			continue
		}
		switch i % 3 {
		case 1:
			fmt.Fprintf(c, "GET /console/aaaa HTTP/1.1\r\nHost: %s\r\n", addr)
		case 2:
			fmt.Fprintf(c, "GET /console/aaaa HTTP/1.1\r\nHost: %s\r\nConnection: keep-alive\r\n\r\n", addr)
		}
		conns = append(conns, c)
	}
	fmt.Printf("held %d failed %d\n", len(conns), failed)
	io.Copy(io.Discard, os.Stdin)
	for _, c := range conns {
		c.Close()
	}
}

func heapInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// TestProxyUnderConnectionFlood: another process on the machine opens
// 5,000 connections to the console proxy and holds them (idle, half a
// header, refused and kept alive). The proxy keeps at most MaxUnclaimed of
// them, its memory and file descriptors stay bounded, its log stays
// short, and a real console still opens through it while the attacker
// holds on.
func TestProxyUnderConnectionFlood(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("counts file descriptors in /proc")
	}
	const flood = 5000
	u := startUpstream(t, vncServer{})
	logs := &lineCounter{}
	p, err := New(Options{AllowedOrigins: []string{testOrigin}, Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	heap0, fd0, g0 := heapInUse(), openFDs(t), runtime.NumGoroutine()

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), attackEnv+"="+p.Addr()+" "+strconv.Itoa(flood))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin.Close(); cmd.Wait() })
	start := time.Now()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("attacker: %v", err)
	}
	var held, failed int
	fmt.Sscanf(line, "held %d failed %d", &held, &failed)
	t.Logf("attacker holds %d connections (%d failed) after %v", held, failed, time.Since(start).Round(time.Millisecond))
	if held < flood*9/10 {
		t.Fatalf("attacker holds only %d of %d connections", held, flood)
	}

	// While it holds them, a console opens as usual.
	ends := newEnds()
	localURL, err := p.Register(u.session(ends.onEnd))
	if err != nil {
		t.Fatal(err)
	}
	c := connectClient(t, localURL, "", 0)
	c.echo(t, []byte("still works"))

	heap1, fd1, g1 := heapInUse(), openFDs(t), runtime.NumGoroutine()
	t.Logf("holding %d attacker connections: heap %.1f → %.1f MB, open files %d → %d, goroutines %d → %d, unclaimed %d, log lines %d",
		held, float64(heap0)/(1<<20), float64(heap1)/(1<<20), fd0, fd1, g0, g1, p.unclaimed.count(), logs.lines())
	if n := p.unclaimed.count(); n > DefaultMaxUnclaimed {
		t.Errorf("%d unclaimed connections open; want at most %d", n, DefaultMaxUnclaimed)
	}
	// The console's two connections, the cap, and some slack.
	if fd1 > fd0+DefaultMaxUnclaimed+16 {
		t.Errorf("open files %d → %d while %d connections are held; want at most %d more", fd0, fd1, held, DefaultMaxUnclaimed+16)
	}
	if heap1 > heap0+16<<20 {
		t.Errorf("heap %.1f → %.1f MB while %d connections are held; want less than 16 MB more", float64(heap0)/(1<<20), float64(heap1)/(1<<20), held)
	}
	if n := logs.lines(); n > 20 {
		t.Errorf("%d log lines for %d refused connections; want a few, with counts", n, held)
	}
}

// lineCounter counts log lines.
type lineCounter struct {
	mu sync.Mutex
	n  int
}

func (l *lineCounter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.n += strings.Count(string(p), "\n")
	return len(p), nil
}

func (l *lineCounter) lines() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.n
}

// TestProxyUnclaimedLifetime: a connection that claims no session is
// closed at the end of its lifetime, whether it sends nothing or a header
// that never ends; a refused one is closed right after its 403.
func TestProxyUnclaimedLifetime(t *testing.T) {
	p, _ := newTestProxy(t, Options{UnclaimedLifetime: 300 * time.Millisecond})
	for _, send := range []string{"", "GET /console/x HTTP/1.1\r\nHost: " + p.Addr() + "\r\n"} {
		c, err := net.Dial("tcp", p.Addr())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		io.WriteString(c, send)
		// The guard deadline is far beyond the lifetime: reaching it
		// would mean the proxy never closed the connection.
		c.SetReadDeadline(time.Now().Add(20 * time.Second))
		_, err = io.ReadAll(c)
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Errorf("sent %q: connection still open after 20 s; want it closed after its 300 ms lifetime", send)
		}
	}

	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "GET /console/unknown HTTP/1.1\r\nHost: %s\r\nConnection: keep-alive\r\n\r\n", p.Addr())
	c.SetReadDeadline(time.Now().Add(20 * time.Second))
	resp, err := io.ReadAll(c)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatal("a refused keep-alive connection stayed open")
	}
	if !strings.HasPrefix(string(resp), "HTTP/1.1 403") || !strings.Contains(string(resp), "Connection: close") {
		t.Errorf("answer %q; want 403 with Connection: close", resp)
	}
}

// TestProxyRefusalLogRateLimited: a flood of refusals of one reason makes
// one line per interval, which counts them; Close logs what is left.
func TestProxyRefusalLogRateLimited(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	p, logs := newTestProxy(t, Options{Now: clock, RefusalLogEvery: 10 * time.Second})
	refuse := func(n int) {
		for range n {
			c, err := net.Dial("tcp", p.Addr())
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(c, "GET /nowhere HTTP/1.1\r\nHost: %s\r\n\r\n", p.Addr())
			io.ReadAll(c)
			c.Close()
		}
	}
	count := func() int { return strings.Count(logs.String(), "console: refused connection") }
	refuse(50)
	if n := count(); n != 1 {
		t.Errorf("%d lines for 50 refusals in one interval; want 1", n)
	}
	mu.Lock()
	now = now.Add(10 * time.Second)
	mu.Unlock()
	refuse(1)
	if n := count(); n != 2 || !strings.Contains(logs.String(), "refused_since_last_line=50") {
		t.Errorf("after the interval: %d lines; want 2, the second counting 50 refusals:\n%s", n, logs.String())
	}
	refuse(7)
	p.Close()
	if !strings.Contains(logs.String(), `msg="console: refused connections not logged one by one" why="unknown path" count=7`) {
		t.Errorf("Close did not log the 7 refusals left:\n%s", logs.String())
	}
}
