package console

import (
	"bytes"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// rawTCP digs the TCP connection out from under a fake upstream's console,
// to drop it the way pveproxy does: no close frame, no TLS close_notify.
func rawTCP(rw io.ReadWriter) *net.TCPConn {
	return rw.(*wsStream).conn.NetConn().(*tapConn).Conn.(*tls.Conn).NetConn().(*net.TCPConn)
}

// shutDown ends an upstream console with a FIN right after the data, tells
// hungUp, then keeps reading until the proxy leaves: closing with unread
// input would make the kernel reset the connection and drop what is still
// in flight, which no proxy could deliver.
func shutDown(rw io.ReadWriter, hungUp func()) error {
	tcp := rawTCP(rw)
	_ = tcp.CloseWrite()
	hungUp()
	_, _ = io.Copy(io.Discard, tcp)
	return errors.New("dropped the connection")
}

// resetAfterFlush ends an upstream console with a FIN right after the data
// and, once the kernel has sent all of it, closes the socket for good, so
// that whatever the proxy writes next is answered with a reset and the
// proxy's writes to Proxmox fail while data is still on its way to noVNC.
func resetAfterFlush(rw io.ReadWriter, hungUp func()) error {
	tcp := rawTCP(rw)
	_ = tcp.CloseWrite()
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		_, _ = io.Copy(io.Discard, tcp)
	}()
	raw, err := tcp.SyscallConn()
	if err != nil {
		return err
	}
	// Only the kernel knows when its send queue is empty (all data and the
	// FIN acknowledged), and it tells no one: poll it.
	sent := eventually(10*time.Second, func() bool {
		unsent := -1
		_ = raw.Control(func(fd uintptr) { unsent = unsentBytes(fd) })
		return unsent == 0
	})
	tcp.Close()
	hungUp()
	<-drained
	if !sent {
		return errors.New("the kernel did not send the burst in 10 s")
	}
	return errors.New("reset the connection")
}

// readUntilClose counts the bytes the client gets before its connection
// ends, and returns the close frame if there was one. afterRead, if not
// nil, runs after every read.
func readUntilClose(t testing.TB, c *vncClient, afterRead func()) (int, *websocket.CloseError) {
	t.Helper()
	_ = c.conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	buf := make([]byte, 256<<10)
	got := 0
	for {
		n, err := c.stream.Read(buf)
		got += n
		if afterRead != nil {
			afterRead()
		}
		if err != nil {
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				return got, ce
			}
			t.Fatalf("after %d bytes: %v; want a close frame", got, err)
		}
	}
}

// TestProxyUpstreamCloseLosesNothing: Proxmox sends a burst and shuts the
// connection down; every byte reaches noVNC before its close frame, also
// when noVNC only starts reading after Proxmox has hung up, and while noVNC
// types (writes to the dead upstream fail first).
func TestProxyUpstreamCloseLosesNothing(t *testing.T) {
	for _, tt := range []struct {
		name string
		// burst is what Proxmox sends. A late reader waits for the hang-up
		// before it reads, so its burst must fit in the sockets' buffers
		// (about 9 MiB on loopback here; 1 MiB leaves room for smaller
		// kernels' defaults).
		burst  int
		late   bool // noVNC reads only once Proxmox has hung up
		typing bool // noVNC sends a key after every read
		end    func(io.ReadWriter, func()) error
	}{
		{"Reading", 8<<20 + 12345, false, false, shutDown},
		{"LateReader", 1<<20 + 12345, true, false, shutDown},
		{"Typing", 1<<20 + 12345, true, true, shutDown},
		// noVNC's keystrokes hit the closed socket and make the proxy's
		// writes upstream fail before it has delivered everything.
		{"TypingIntoReset", 1<<20 + 12345, true, true, resetAfterFlush},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name == "TypingIntoReset" && !canCountUnsent {
				t.Skip("resetAfterFlush needs the socket's unsent byte count (TIOCOUTQ), which only Linux gives")
			}
			hungUp := make(chan struct{})
			u := startUpstream(t, vncServer{Chunk: upstreamChunk, AfterRFB: func(rw io.ReadWriter) error {
				if _, err := rw.Write(bytes.Repeat([]byte{0x5a}, tt.burst)); err != nil {
					return err
				}
				return tt.end(rw, func() { close(hungUp) })
			}})
			p, _ := newTestProxy(t, Options{})
			ends := newEnds()
			localURL, _ := p.Register(u.session(ends.onEnd))
			c := connectClient(t, localURL, "", 0)
			if tt.late {
				select {
				case <-hungUp:
				case <-time.After(10 * time.Second):
					t.Fatalf("Proxmox could not send %d bytes to a client that does not read yet: do the socket buffers hold less?", tt.burst)
				}
			}
			var afterRead func()
			if tt.typing {
				key := []byte{4, 1, 0, 0, 0, 0, 0, 0x61}
				typing := true
				afterRead = func() {
					if typing {
						_, err := c.stream.Write(key)
						typing = err == nil
					}
				}
			}
			got, ce := readUntilClose(t, c, afterRead)
			if got != tt.burst {
				t.Errorf("client got %d bytes before the close; want %d (%d lost)", got, tt.burst, tt.burst-got)
			}
			if ce.Code != websocket.CloseNormalClosure {
				t.Errorf("close %d %q; want 1000", ce.Code, ce.Text)
			}
			if err := ends.wait(t); !errors.Is(err, ErrUpstreamClosed) {
				t.Errorf("OnEnd(%v); want ErrUpstreamClosed", err)
			}
		})
	}
}

// openFDs counts this process's file descriptors.
func openFDs(t testing.TB) int {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("cannot count file descriptors: %v", err)
	}
	return len(fds)
}

// TestProxyOpenCloseCycles: 1,000 sessions opened and ended every which
// way leave no goroutine and no file descriptor behind.
func TestProxyOpenCloseCycles(t *testing.T) {
	if runtime.GOOS != "linux" {
		// Under Wine /proc/self/fd exists but counts Wine's own descriptors.
		t.Skip("counts file descriptors in /proc/self/fd, which only Linux has")
	}
	if _, err := os.Stat("/proc/self/fd"); err != nil {
		t.Skip("no /proc/self/fd")
	}
	cycles := 1000
	if testing.Short() {
		cycles = 100
	}
	u := startUpstream(t, vncServer{})
	p, err := New(Options{AllowedOrigins: []string{testOrigin}})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	cycle := func(i int) error {
		ended := make(chan error, 1)
		localURL, err := p.Register(u.session(func(err error) { ended <- err }))
		if err != nil {
			return err
		}
		conn, _, err := dialClient(t, localURL, nil)
		if err != nil {
			return err
		}
		c := &vncClient{conn: conn, stream: &wsStream{conn: conn, maxMessage: 1 << 30, now: time.Now}}
		_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		if err := c.handshake("RFB 003.008\n"); err != nil {
			conn.Close()
			return err
		}
		switch i % 3 {
		case 0: // noVNC closes properly
			_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
			_, _, _ = conn.ReadMessage()
		case 1: // noVNC's tab goes away
		case 2: // the app ends the console
			p.End(localURL)
			_, _, _ = conn.ReadMessage()
		}
		conn.Close()
		select {
		case <-ended:
			return nil
		case <-time.After(10 * time.Second):
			return errors.New("OnEnd was not called")
		}
	}
	// Warm up so that pools and lazily started goroutines are counted in
	// the baseline, once the warm-up's own connection goroutines, which
	// end when their sockets report closed, have gone.
	before := runtime.NumGoroutine()
	for i := range 3 {
		if err := cycle(i); err != nil {
			t.Fatal(err)
		}
	}
	eventually(2*time.Second, func() bool { return runtime.NumGoroutine() <= before })
	baseGoroutines, baseFDs := runtime.NumGoroutine(), openFDs(t)

	const workers = 8
	var next atomic.Int64
	errc := make(chan error, workers)
	for range workers {
		go func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= cycles {
					errc <- nil
					return
				}
				if err := cycle(i); err != nil {
					errc <- err
					return
				}
			}
		}()
	}
	for range workers {
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	}
	settleGoroutines(t, baseGoroutines)
	const slack = 4
	eventually(5*time.Second, func() bool { return openFDs(t) <= baseFDs+slack })
	if n := openFDs(t); n > baseFDs+slack {
		t.Errorf("%d file descriptors open after %d cycles, %d before", n, cycles, baseFDs)
	}
}

// streamForever is an upstream that, once asked with any byte, sends
// 1 MiB updates in 64 KiB messages until the connection fails.
func streamForever(rw io.ReadWriter) error {
	var req [1]byte
	if _, err := io.ReadFull(rw, req[:]); err != nil {
		return err
	}
	update := bytes.Repeat([]byte{0xc3}, updateSize)
	for {
		if _, err := rw.Write(update); err != nil {
			return err
		}
	}
}

// TestProxyClientGoneMidFrame: noVNC's connection drops while Proxmox is
// in the middle of a big update.
func TestProxyClientGoneMidFrame(t *testing.T) {
	base := runtime.NumGoroutine()
	u := startUpstream(t, vncServer{Chunk: upstreamChunk, AfterRFB: streamForever})
	p, err := New(Options{AllowedOrigins: []string{testOrigin}})
	if err != nil {
		t.Fatal(err)
	}
	ends := newEnds()
	localURL, _ := p.Register(u.session(ends.onEnd))
	c := connectClient(t, localURL, "", 0)
	if _, err := c.stream.Write([]byte{1}); err != nil {
		t.Fatal(err)
	}
	if _, err := io.CopyN(io.Discard, c.stream, 3<<20+1000); err != nil { // mid-message
		t.Fatal(err)
	}
	c.conn.NetConn().Close()
	if err := ends.wait(t); !errors.Is(err, ErrClientClosed) {
		t.Errorf("OnEnd(%v); want ErrClientClosed", err)
	}
	p.Close()
	u.Close()
	settleGoroutines(t, base)
}

// TestProxyUpstreamGoneMidFrame: Proxmox's connection drops in the middle
// of a WebSocket frame.
func TestProxyUpstreamGoneMidFrame(t *testing.T) {
	base := runtime.NumGoroutine()
	const sent = 10_000
	u := startUpstream(t, vncServer{AfterRFB: func(rw io.ReadWriter) error {
		// A binary frame announcing 60 kB, of which only 10 kB come.
		hdr := binary.BigEndian.AppendUint16([]byte{0x82, 126}, 60_000)
		tls := rw.(*wsStream).conn.NetConn()
		if _, err := tls.Write(append(hdr, make([]byte, sent)...)); err != nil {
			return err
		}
		return shutDown(rw, func() {})
	}})
	p, err := New(Options{AllowedOrigins: []string{testOrigin}})
	if err != nil {
		t.Fatal(err)
	}
	ends := newEnds()
	localURL, _ := p.Register(u.session(ends.onEnd))
	c := connectClient(t, localURL, "", 0)
	got, ce := readUntilClose(t, c, nil)
	if got != sent {
		t.Errorf("client got %d bytes of the broken frame; want the %d that came", got, sent)
	}
	// gorilla reports a connection cut short, mid-frame or not, as 1006:
	// the proxy tells noVNC that Proxmox closed the console.
	if ce.Code != websocket.CloseNormalClosure && ce.Code != CloseUpstreamError {
		t.Errorf("close %d %q; want 1000 or %d", ce.Code, ce.Text, CloseUpstreamError)
	}
	if err := ends.wait(t); !errors.Is(err, ErrUpstreamClosed) {
		t.Errorf("OnEnd(%v); want ErrUpstreamClosed", err)
	}
	c.conn.Close()
	p.Close()
	u.Close()
	settleGoroutines(t, base)
}

// countingWriter counts what an upstream console sends, and tells progress
// (without blocking) after each write.
type countingWriter struct {
	io.ReadWriter
	sent     *atomic.Int64
	progress chan<- struct{}
}

func (w countingWriter) Write(p []byte) (int, error) {
	n, err := w.ReadWriter.Write(p)
	w.sent.Add(int64(n))
	select {
	case w.progress <- struct{}{}:
	default:
	}
	return n, err
}

// TestProxySlowClientBoundedMemory: Proxmox sends as fast as it can, noVNC
// stays behind; the proxy reads from Proxmox only as fast as it writes to
// noVNC, so its heap does not grow with the backlog.
func TestProxySlowClientBoundedMemory(t *testing.T) {
	total := 192 << 20
	if testing.Short() {
		total = 32 << 20
	}
	var sent atomic.Int64
	progress := make(chan struct{}, 1)
	u := startUpstream(t, vncServer{Chunk: upstreamChunk, AfterRFB: func(rw io.ReadWriter) error {
		return streamForever(countingWriter{rw, &sent, progress})
	}})
	p, _ := newTestProxy(t, Options{})
	localURL, _ := p.Register(u.session(nil))
	c := connectClient(t, localURL, "", 0)

	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	var peak atomic.Uint64
	done := make(chan struct{})
	var sampler sync.WaitGroup
	sampler.Add(1)
	go func() {
		defer sampler.Done()
		var ms runtime.MemStats
		for {
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
		}
	}()

	if _, err := c.stream.Write([]byte{1}); err != nil {
		t.Fatal(err)
	}
	_ = c.conn.SetReadDeadline(time.Now().Add(60 * time.Second))
	// noVNC reads only while it is at least lag behind Proxmox, so that
	// there is always a backlog for the proxy to hold or not to hold. The
	// sockets' buffers (about 9 MiB on loopback here) must take it.
	const lag = 2 << 20
	buf := make([]byte, 256<<10)
	for got := 0; got < total; {
		for sent.Load()-int64(got) < lag {
			select {
			case <-progress:
			case <-time.After(10 * time.Second):
				t.Fatalf("Proxmox stopped sending %d bytes ahead of the client; want %d", sent.Load()-int64(got), lag)
			}
		}
		n, err := io.ReadFull(c.stream, buf)
		got += n
		if err != nil {
			t.Fatalf("after %d bytes: %v", got, err)
		}
	}
	close(done)
	sampler.Wait()
	const bound = 32 << 20
	if grew := int64(peak.Load()) - int64(base); grew > bound {
		t.Errorf("heap in use grew by %d MiB while %d MiB flowed to a slow client; want under %d MiB",
			grew>>20, total>>20, bound>>20)
	} else {
		t.Logf("heap in use grew by at most %.1f MiB while %d MiB flowed", float64(grew)/(1<<20), total>>20)
	}
}
