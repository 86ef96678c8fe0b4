//go:build unix

package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/gorilla/websocket"
)

// opTimeout bounds every single operation of the benchmark, so that a
// broken path fails the run instead of hanging it.
const opTimeout = 60 * time.Second

// wsReader turns binary WebSocket messages into a byte stream. It reads
// straight into the caller's buffer: gorilla's small bufio.Reader is
// bypassed for reads larger than itself, so there is no per-message copy
// and no allocation beyond gorilla's tiny per-message reader.
type wsReader struct {
	c *websocket.Conn
	r io.Reader
}

func (s *wsReader) Read(p []byte) (int, error) {
	for {
		if s.r == nil {
			typ, r, err := s.c.NextReader()
			if err != nil {
				return 0, err
			}
			if typ != websocket.BinaryMessage {
				return 0, errors.New("text message")
			}
			s.r = r
		}
		n, err := s.r.Read(p)
		if err == io.EOF {
			s.r = nil
			if n == 0 {
				continue
			}
			err = nil
		}
		return n, err
	}
}

// client plays noVNC with an efficient reader: one reused 256 KiB buffer.
type client struct {
	c   *websocket.Conn
	rd  *wsReader
	buf []byte
}

func newClient(c *websocket.Conn) *client {
	return &client{c: c, rd: &wsReader{c: c}, buf: make([]byte, 256<<10)}
}

func (c *client) send(p []byte) error {
	_ = c.c.SetWriteDeadline(time.Now().Add(opTimeout))
	return c.c.WriteMessage(websocket.BinaryMessage, p)
}

// handshake is the client side of RFB 3.8 up to ServerInit: None through
// a proxy, VNC Authentication when talking to the upstream directly.
func (c *client) handshake(vncAuth bool) error {
	_ = c.c.SetReadDeadline(time.Now().Add(opTimeout))
	var v [12]byte
	if _, err := io.ReadFull(c.rd, v[:]); err != nil {
		return fmt.Errorf("version: %w", err)
	}
	if err := c.send([]byte("RFB 003.008\n")); err != nil {
		return err
	}
	var types [2]byte
	if _, err := io.ReadFull(c.rd, types[:]); err != nil {
		return err
	}
	want := byte(1)
	if vncAuth {
		want = 2
	}
	if types != [2]byte{1, want} {
		return fmt.Errorf("security types %v", types)
	}
	if err := c.send([]byte{want}); err != nil {
		return err
	}
	if vncAuth {
		var challenge [16]byte
		if _, err := io.ReadFull(c.rd, challenge[:]); err != nil {
			return err
		}
		if err := c.send(vncAuthResponse(challenge, benchPassword)); err != nil {
			return err
		}
	}
	var result [4]byte
	if _, err := io.ReadFull(c.rd, result[:]); err != nil {
		return err
	}
	if result != [4]byte{} {
		return fmt.Errorf("SecurityResult %x", result)
	}
	if err := c.send([]byte{1}); err != nil { // ClientInit
		return err
	}
	si := make([]byte, len(serverInit()))
	if _, err := io.ReadFull(c.rd, si); err != nil {
		return fmt.Errorf("ServerInit: %w", err)
	}
	if binary.BigEndian.Uint16(si) != 1024 {
		return fmt.Errorf("ServerInit %x", si)
	}
	return nil
}

// pump asks for n bytes of framebuffer data and reads them, returning the
// time from request to last byte.
func (c *client) pump(n int) (time.Duration, error) {
	_ = c.c.SetReadDeadline(time.Now().Add(opTimeout))
	start := time.Now()
	if err := c.send(command(opPump, uint32(n))); err != nil {
		return 0, err
	}
	for got := 0; got < n; {
		m, err := c.rd.Read(c.buf[:min(len(c.buf), n-got)])
		got += m
		if err != nil {
			return 0, fmt.Errorf("after %d of %d bytes: %w", got, n, err)
		}
	}
	return time.Since(start), nil
}

// rtt sends one 8-byte KeyEvent and waits for its echo.
func (c *client) rtt(key uint32) (time.Duration, error) {
	msg := command(opKeyEvent, key)
	start := time.Now()
	if err := c.send(msg); err != nil {
		return 0, err
	}
	if _, err := io.ReadFull(c.rd, c.buf[:8]); err != nil {
		return 0, err
	}
	d := time.Since(start)
	if string(c.buf[:8]) != string(msg) {
		return 0, fmt.Errorf("echo %x; want %x", c.buf[:8], msg)
	}
	return d, nil
}

// burstClose asks the upstream for n bytes followed by an abrupt close,
// and counts what arrives before the connection ends.
// It starts reading after delay, as a busy noVNC would, so that the close
// arrives while the data is still on its way.
func (c *client) burstClose(n int, delay time.Duration) (int, error) {
	_ = c.c.SetReadDeadline(time.Now().Add(opTimeout))
	if err := c.send(command(opBurstClose, uint32(n))); err != nil {
		return 0, err
	}
	time.Sleep(delay) // the benchmark's model of a busy noVNC, not a wait for anything
	got := 0
	for {
		m, err := c.rd.Read(c.buf)
		got += m
		if err != nil {
			var ne interface{ Timeout() bool }
			if errors.As(err, &ne) && ne.Timeout() {
				return got, fmt.Errorf("no close after %d bytes: %w", got, err)
			}
			return got, nil
		}
	}
}

func (c *client) close() {
	_ = c.c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	_ = c.c.Close()
}

// dialer is the client's WebSocket dialer. Small gorilla buffers are the
// fast choice: reads larger than the buffer bypass it.
func dialer(pool *x509.CertPool) *websocket.Dialer {
	d := &websocket.Dialer{
		Subprotocols:     []string{"binary"},
		HandshakeTimeout: 10 * time.Second,
		ReadBufferSize:   4 << 10,
		WriteBufferSize:  4 << 10,
	}
	if pool != nil {
		td := &tls.Dialer{Config: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
		d.NetDialTLSContext = td.DialContext
	}
	return d
}

func dial(d *websocket.Dialer, url string, header http.Header, vncAuth bool) (*client, error) {
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	conn, resp, err := d.DialContext(ctx, url, header)
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	if err != nil {
		return nil, err
	}
	c := newClient(conn)
	if err := c.handshake(vncAuth); err != nil {
		conn.Close()
		return nil, fmt.Errorf("handshake: %w", err)
	}
	return c, nil
}
