// Package memnet is a network in memory: listeners by address and
// connections between them that never touch a socket. It exists for tests
// inside a testing/synctest bubble, where a goroutine waiting on a real
// socket is never "durably blocked", so synctest.Wait would not return and
// the bubble's clock would not advance. Here every wait is on a channel
// made in the bubble (or on a bubble timer, for deadlines), which is.
//
// Serve a simulator over TLS on a Listener (ServeTLS), and give
// Network.DialContext to proxmox.Config's DialContext: the client still
// checks the address and pins the certificate; only the bytes travel in
// memory.
//
// Writes never block: each direction of a connection is an unbounded
// buffer. That keeps a writer from waiting on a reader (as net.Pipe's
// writers do, under a mutex, which is not durably blocking).
package memnet

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// Network holds listeners by address. The zero value is an empty network;
// a Network is safe for concurrent use.
type Network struct {
	mu        sync.Mutex
	listeners map[string]*Listener
	nextPort  int // for Listen on port 0
	clients   int // numbers the dialling ends' addresses
}

// Listen listens on addr ("127.0.0.1:8006"). Port 0 picks a port not in
// use on the network. It fails if another listener has the address.
func (n *Network) Listen(addr string) (*Listener, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("memnet: listen %q: %w", addr, err)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.listeners == nil {
		n.listeners = map[string]*Listener{}
	}
	if port == "0" {
		if n.nextPort == 0 {
			n.nextPort = 20000
		}
		for {
			n.nextPort++
			addr = net.JoinHostPort(host, strconv.Itoa(n.nextPort))
			if n.listeners[addr] == nil {
				break
			}
		}
	}
	if n.listeners[addr] != nil {
		return nil, &net.OpError{Op: "listen", Net: "memnet", Addr: Addr(addr), Err: syscall.EADDRINUSE}
	}
	l := &Listener{net: n, addr: Addr(addr), conns: make(chan net.Conn), done: make(chan struct{})}
	n.listeners[addr] = l
	return l, nil
}

// DialContext connects to the listener at addr, waiting until it accepts
// or ctx ends. With no listener there, it fails at once with a refused
// connection, as TCP does. network is not looked at.
func (n *Network) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	n.mu.Lock()
	l := n.listeners[addr]
	n.clients++
	local := Addr("memnet-client:" + strconv.Itoa(n.clients))
	n.mu.Unlock()
	refused := &net.OpError{Op: "dial", Net: network, Addr: Addr(addr), Err: syscall.ECONNREFUSED}
	if l == nil {
		return nil, refused
	}
	client, server := Pipe(local, l.addr)
	select {
	case l.conns <- server:
		return client, nil
	case <-l.done:
		return nil, refused
	case <-ctx.Done():
		return nil, &net.OpError{Op: "dial", Net: network, Addr: Addr(addr), Err: ctx.Err()}
	}
}

// Listener is a net.Listener on a Network.
type Listener struct {
	net   *Network
	addr  Addr
	conns chan net.Conn // unbuffered: a dial waits for Accept
	once  sync.Once
	done  chan struct{} // closed by Close
}

// Accept waits for a dial and returns the listening end of its connection.
func (l *Listener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, &net.OpError{Op: "accept", Net: "memnet", Addr: l.addr, Err: net.ErrClosed}
	}
}

// Close stops accepting and frees the address; connections already made
// go on.
func (l *Listener) Close() error {
	l.once.Do(func() {
		close(l.done)
		l.net.mu.Lock()
		if l.net.listeners[string(l.addr)] == l {
			delete(l.net.listeners, string(l.addr))
		}
		l.net.mu.Unlock()
	})
	return nil
}

// Addr returns the address listened on.
func (l *Listener) Addr() net.Addr { return l.addr }

// ServeTLS serves h over TLS (cfg) on ln with an http.Server that logs
// nothing, on a goroutine of the caller's bubble. The returned stop closes
// the server and returns once Serve has.
func ServeTLS(ln net.Listener, cfg *tls.Config, h http.Handler) (stop func()) {
	srv := &http.Server{ErrorLog: log.New(io.Discard, "", 0), Handler: h}
	served := make(chan struct{})
	go func() {
		defer close(served)
		srv.Serve(tls.NewListener(ln, cfg))
	}()
	return func() {
		srv.Close()
		<-served
	}
}

// Addr is an address on a Network, "host:port".
type Addr string

// Network returns "memnet".
func (Addr) Network() string { return "memnet" }

func (a Addr) String() string { return string(a) }

// Pipe returns the two ends of a connection between the addresses a and b:
// what is written to one is read from the other, in order. Unlike
// net.Pipe, a write never waits for the reader.
func Pipe(a, b net.Addr) (net.Conn, net.Conn) {
	ab, ba := newBuffer(), newBuffer()
	closeA, closeB := make(chan struct{}), make(chan struct{})
	ca := &conn{local: a, remote: b, in: ba, out: ab, closed: closeA,
		readDeadline: newDeadline(), writeDeadline: newDeadline()}
	cb := &conn{local: b, remote: a, in: ab, out: ba, closed: closeB,
		readDeadline: newDeadline(), writeDeadline: newDeadline()}
	return ca, cb
}

// buffer is one direction of a connection.
type buffer struct {
	mu     sync.Mutex // held only to copy, never while waiting
	data   []byte
	eof    bool          // the writing end closed
	ready  chan struct{} // has a value when data or eof may have changed
	closed chan struct{} // closed with eof, for readers that wait
	once   sync.Once
}

func newBuffer() *buffer {
	return &buffer{ready: make(chan struct{}, 1), closed: make(chan struct{})}
}

func (b *buffer) signal() {
	select {
	case b.ready <- struct{}{}:
	default:
	}
}

// closeWrite marks the end of what the writer sends.
func (b *buffer) closeWrite() {
	b.once.Do(func() {
		b.mu.Lock()
		b.eof = true
		b.mu.Unlock()
		close(b.closed)
		b.signal()
	})
}

type conn struct {
	local, remote net.Addr
	in, out       *buffer // read from in, write to out

	closeOnce sync.Once
	closed    chan struct{} // closed by Close

	readDeadline, writeDeadline *deadline
}

func (c *conn) isClosed() bool {
	select {
	case <-c.closed:
		return true
	default:
		return false
	}
}

func (c *conn) Read(p []byte) (int, error) {
	for {
		if c.isClosed() {
			return 0, c.opError("read", net.ErrClosed)
		}
		if c.readDeadline.expired() {
			return 0, c.opError("read", os.ErrDeadlineExceeded)
		}
		c.in.mu.Lock()
		if len(c.in.data) > 0 {
			n := copy(p, c.in.data)
			c.in.data = c.in.data[n:]
			more := len(c.in.data) > 0
			c.in.mu.Unlock()
			if more {
				c.in.signal() // for another reader
			}
			return n, nil
		}
		eof := c.in.eof
		c.in.mu.Unlock()
		if eof {
			return 0, io.EOF
		}
		if len(p) == 0 {
			return 0, nil
		}
		select {
		case <-c.in.ready:
		case <-c.in.closed:
		case <-c.closed:
		case <-c.readDeadline.wait():
		}
	}
}

func (c *conn) Write(p []byte) (int, error) {
	if c.isClosed() {
		return 0, c.opError("write", net.ErrClosed)
	}
	if c.writeDeadline.expired() {
		return 0, c.opError("write", os.ErrDeadlineExceeded)
	}
	c.out.mu.Lock()
	if c.out.eof {
		c.out.mu.Unlock()
		return 0, c.opError("write", syscall.EPIPE)
	}
	c.out.data = append(c.out.data, p...)
	c.out.mu.Unlock()
	c.out.signal()
	return len(p), nil
}

// Close ends both directions: the other end reads what was written, then
// EOF, and its writes fail.
func (c *conn) Close() error {
	c.closeOnce.Do(func() {
		close(c.closed)
		c.out.closeWrite()
		// Nothing more is read: the other end's writes fail, as on a
		// socket closed with unread data.
		c.in.closeWrite()
		c.readDeadline.stop()
		c.writeDeadline.stop()
	})
	return nil
}

func (c *conn) opError(op string, err error) error {
	if errors.Is(err, io.EOF) {
		return err
	}
	return &net.OpError{Op: op, Net: "memnet", Source: c.local, Addr: c.remote, Err: err}
}

func (c *conn) LocalAddr() net.Addr  { return c.local }
func (c *conn) RemoteAddr() net.Addr { return c.remote }

func (c *conn) SetDeadline(t time.Time) error {
	c.readDeadline.set(t)
	c.writeDeadline.set(t)
	return nil
}

func (c *conn) SetReadDeadline(t time.Time) error  { c.readDeadline.set(t); return nil }
func (c *conn) SetWriteDeadline(t time.Time) error { c.writeDeadline.set(t); return nil }

// deadline is a settable deadline whose expiry closes a channel, made on a
// timer of the time package (the bubble's, in a synctest bubble).
type deadline struct {
	mu     sync.Mutex
	timer  *time.Timer
	cancel chan struct{} // closed once the deadline has passed
}

func newDeadline() *deadline { return &deadline{cancel: make(chan struct{})} }

// set moves the deadline; the zero time means none.
func (d *deadline) set(t time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.timer != nil && !d.timer.Stop() {
		<-d.cancel // the timer fired, or is firing: wait for it to close
	}
	d.timer = nil
	select {
	case <-d.cancel:
		d.cancel = make(chan struct{}) // passed before: start again
	default:
	}
	if t.IsZero() {
		return
	}
	if wait := time.Until(t); wait > 0 {
		cancel := d.cancel
		d.timer = time.AfterFunc(wait, func() { close(cancel) })
		return
	}
	close(d.cancel)
}

// stop stops the timer for good (the connection is closed): nothing
// waits on the deadline any more.
func (d *deadline) stop() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.timer != nil && !d.timer.Stop() {
		<-d.cancel
	}
	d.timer = nil
}

func (d *deadline) wait() <-chan struct{} {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.cancel
}

func (d *deadline) expired() bool {
	select {
	case <-d.wait():
		return true
	default:
		return false
	}
}
