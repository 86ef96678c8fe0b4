package memnet_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"sync/atomic"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"cecyber/proxmox/pvesim"
	"cecyber/proxmox/pvesim/memnet"
)

func pipe() (net.Conn, net.Conn) {
	return memnet.Pipe(memnet.Addr("a:1"), memnet.Addr("b:2"))
}

// TestPipe: bytes arrive in order both ways; a write never waits for the
// reader; a close lets the other end read what was sent, then EOF, and
// makes its writes fail.
func TestPipe(t *testing.T) {
	a, b := pipe()
	for _, msg := range []string{"hello ", "over ", "memory"} {
		if n, err := a.Write([]byte(msg)); n != len(msg) || err != nil {
			t.Fatalf("Write(%q) = %d, %v", msg, n, err)
		}
	}
	if _, err := b.Write([]byte("back")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 5)
	if n, err := io.ReadFull(b, buf); n != 5 || string(buf) != "hello" || err != nil {
		t.Fatalf("ReadFull = %d %q %v; want hello", n, buf[:n], err)
	}
	a.Close()
	rest, err := io.ReadAll(b)
	if string(rest) != " over memory" || err != nil {
		t.Fatalf("ReadAll after the writer closed = %q, %v; want the rest, then EOF", rest, err)
	}
	if _, err := b.Write([]byte("x")); !errors.Is(err, syscall.EPIPE) {
		t.Errorf("Write to a closed peer = %v; want EPIPE", err)
	}
	if _, err := a.Read(buf); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Read on a closed conn = %v; want net.ErrClosed", err)
	}
	if _, err := a.Write(buf); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Write on a closed conn = %v; want net.ErrClosed", err)
	}
	if a.LocalAddr().String() != "a:1" || b.RemoteAddr().String() != "a:1" || a.RemoteAddr().Network() != "memnet" {
		t.Errorf("addresses %v → %v (%s)", a.LocalAddr(), a.RemoteAddr(), a.RemoteAddr().Network())
	}
}

// TestReadWaitsDurably: a reader waiting for data is durably blocked, so
// synctest.Wait returns while it waits, and a write wakes it.
func TestReadWaitsDurably(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, b := pipe()
		var got atomic.Value
		go func() {
			buf := make([]byte, 10)
			n, _ := b.Read(buf)
			got.Store(string(buf[:n]))
		}()
		synctest.Wait()
		if got.Load() != nil {
			t.Fatal("Read returned with nothing written")
		}
		a.Write([]byte("wake"))
		synctest.Wait()
		if got.Load() != "wake" {
			t.Fatalf("Read got %v; want wake", got.Load())
		}
		// Close wakes a reader of its own end too.
		done := make(chan error)
		go func() {
			_, err := a.Read(make([]byte, 1))
			done <- err
		}()
		synctest.Wait()
		a.Close()
		if err := <-done; !errors.Is(err, net.ErrClosed) {
			t.Errorf("Read interrupted by Close = %v; want net.ErrClosed", err)
		}
	})
}

// TestDeadlines run on the bubble's clock: a read waits exactly until its
// deadline, a deadline moved while it waits applies, a past one fails at
// once, and the zero time clears it.
func TestDeadlines(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, b := pipe()
		defer a.Close()
		defer b.Close()
		start := time.Now()
		b.SetReadDeadline(start.Add(time.Second))
		_, err := b.Read(make([]byte, 1))
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("Read past its deadline = %v; want os.ErrDeadlineExceeded", err)
		}
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			t.Errorf("the error %v is not a net.Error timeout", err)
		}
		if waited := time.Since(start); waited != time.Second {
			t.Errorf("Read gave up after %v; want 1s", waited)
		}

		// A deadline moved later while a read waits.
		b.SetReadDeadline(time.Now().Add(time.Second))
		start = time.Now()
		done := make(chan error)
		go func() {
			_, err := b.Read(make([]byte, 1))
			done <- err
		}()
		synctest.Wait()
		b.SetReadDeadline(start.Add(5 * time.Second))
		if err := <-done; !errors.Is(err, os.ErrDeadlineExceeded) || time.Since(start) != 5*time.Second {
			t.Errorf("Read with its deadline moved to 5s = %v after %v", err, time.Since(start))
		}

		// Past: at once; cleared: the data is read.
		a.SetWriteDeadline(time.Now().Add(-time.Second))
		if _, err := a.Write([]byte("x")); !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("Write past its deadline = %v", err)
		}
		a.SetDeadline(time.Time{})
		b.SetDeadline(time.Time{})
		a.Write([]byte("x"))
		if n, err := b.Read(make([]byte, 1)); n != 1 || err != nil {
			t.Errorf("Read with the deadline cleared = %d, %v", n, err)
		}
	})
}

// TestDialListen: a dial reaches the listener at its address and nothing
// else; without a listener it is refused, as TCP refuses it; a closed
// listener frees its address.
func TestDialListen(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var n memnet.Network
		ctx := t.Context()
		if _, err := n.DialContext(ctx, "tcp", "127.0.0.1:8006"); !errors.Is(err, syscall.ECONNREFUSED) {
			t.Fatalf("dial with no listener = %v; want ECONNREFUSED", err)
		}
		ln, err := n.Listen("127.0.0.1:8006")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := n.Listen("127.0.0.1:8006"); !errors.Is(err, syscall.EADDRINUSE) {
			t.Errorf("second Listen on the address = %v; want EADDRINUSE", err)
		}
		other, err := n.Listen("127.0.0.1:0")
		if err != nil || other.Addr().String() == "127.0.0.1:0" {
			t.Fatalf("Listen on port 0 = %v, %v; want a port picked", other.Addr(), err)
		}
		go func() {
			c, err := ln.Accept()
			if err == nil {
				c.Write([]byte("pveproxy"))
				c.Close()
			}
		}()
		c, err := n.DialContext(ctx, "tcp", "127.0.0.1:8006")
		if err != nil {
			t.Fatal(err)
		}
		if b, _ := io.ReadAll(c); string(b) != "pveproxy" {
			t.Errorf("read %q from the listener's end", b)
		}

		// A dial nobody accepts waits until its context ends.
		dctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		if _, err := n.DialContext(dctx, "tcp", other.Addr().String()); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("unaccepted dial = %v; want its context's error", err)
		}

		ln.Close()
		if _, err := ln.Accept(); !errors.Is(err, net.ErrClosed) {
			t.Errorf("Accept after Close = %v; want net.ErrClosed", err)
		}
		if _, err := n.DialContext(ctx, "tcp", "127.0.0.1:8006"); !errors.Is(err, syscall.ECONNREFUSED) {
			t.Errorf("dial after the listener closed = %v; want ECONNREFUSED", err)
		}
		if again, err := n.Listen("127.0.0.1:8006"); err != nil {
			t.Errorf("Listen on a freed address: %v", err)
		} else {
			again.Close()
		}
		other.Close()
	})
}

// TestHTTPSInBubble serves the simulator over TLS on a memnet listener in
// a bubble: a request held by its handler leaves every goroutine (server,
// client, both ends of the connection) durably blocked, so synctest.Wait
// sees it in flight, and once released it completes; closing both sides
// leaves no goroutine behind for the bubble to wait on.
func TestHTTPSInBubble(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sim := pvesim.New(pvesim.Config{Nodes: 1, Guests: 1})
		cfg, ok := sim.TLSConfig("pve1")
		if !ok {
			t.Fatal("no TLS config for pve1")
		}
		pemCert, _, _ := sim.NodeCertificate("pve1")
		roots := x509.NewCertPool()
		roots.AppendCertsFromPEM(pemCert)

		var n memnet.Network
		ln, err := n.Listen("127.0.0.1:8006")
		if err != nil {
			t.Fatal(err)
		}
		release := make(chan struct{})
		var held atomic.Int32
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			held.Add(1)
			<-release
			sim.ServeHTTP(w, r)
		})}
		served := make(chan error)
		go func() { served <- srv.Serve(tls.NewListener(ln, cfg)) }()

		tr := &http.Transport{DialContext: n.DialContext, TLSClientConfig: &tls.Config{RootCAs: roots, ServerName: "127.0.0.1"}}
		client := &http.Client{Transport: tr}
		status := make(chan int)
		go func() {
			resp, err := client.Get("https://127.0.0.1:8006/api2/json/version")
			if err != nil {
				t.Error(err)
				status <- 0
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			status <- resp.StatusCode
		}()
		synctest.Wait()
		if held.Load() != 1 {
			t.Fatalf("%d requests at the handler once all was blocked; want 1", held.Load())
		}
		close(release)
		if got := <-status; got != http.StatusUnauthorized {
			t.Errorf("GET /version without a token = %d; want 401", got)
		}
		tr.CloseIdleConnections()
		srv.Close()
		if err := <-served; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("Serve = %v", err)
		}
	})
}
