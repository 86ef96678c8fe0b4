package console

import (
	"bytes"
	"context"
	"crypto/des"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

const (
	testOrigin   = "wails://wails"
	testAuth     = "PVEAPIToken=root@pam!cecyber=0b0e6d5c-secret"
	testTicket   = "PVEVNC:6790A1B2::c2VjcmV0dGlja2V0"
	testPassword = "Zq8xW1pa"
	testName     = "pve1 VM 100"
)

// vncServer is the upstream's RFB side: a small RFB server with VNC
// Authentication that, after ServerInit, echoes every byte back.
type vncServer struct {
	Version  string // ProtocolVersion sent, "RFB 003.008\n" if empty
	Password string // testPassword if empty
	Types    []byte // security types offered (3.7+); {2} if nil
	Refuse   string // if set, refuse the connection with this reason
	Chunk    int    // bytes per WebSocket message sent; whole writes if 0
	AfterRFB func(io.ReadWriter) error
}

func (v vncServer) serve(rw io.ReadWriter) error {
	version := cmpOr(v.Version, "RFB 003.008\n")
	password := cmpOr(v.Password, testPassword)
	if _, err := io.WriteString(rw, version); err != nil {
		return err
	}
	var reply [12]byte
	if _, err := io.ReadFull(rw, reply[:]); err != nil {
		return err
	}
	ver := version
	if version > "RFB 003.008\n" {
		ver = "RFB 003.008\n"
	}
	if string(reply[:]) != ver {
		return fmt.Errorf("client answered version %q to %q", reply, version)
	}
	minor := ver[8:11]
	if minor == "003" {
		if v.Refuse != "" {
			return writeAll(rw, u32(0), lenString(v.Refuse))
		}
		if err := writeAll(rw, u32(2)); err != nil {
			return err
		}
	} else {
		if v.Refuse != "" {
			return writeAll(rw, []byte{0}, lenString(v.Refuse))
		}
		types := v.Types
		if types == nil {
			types = []byte{2}
		}
		if err := writeAll(rw, []byte{byte(len(types))}, types); err != nil {
			return err
		}
		var chosen [1]byte
		if _, err := io.ReadFull(rw, chosen[:]); err != nil {
			return err
		}
		if chosen[0] != 2 {
			return fmt.Errorf("client chose security type %d", chosen[0])
		}
	}
	var challenge, response [16]byte
	if _, err := rand.Read(challenge[:]); err != nil {
		return err
	}
	if err := writeAll(rw, challenge[:]); err != nil {
		return err
	}
	if _, err := io.ReadFull(rw, response[:]); err != nil {
		return err
	}
	if !bytes.Equal(response[:], referenceVNCAuth(challenge[:], password)) {
		switch minor {
		case "008":
			return writeAll(rw, u32(1), lenString("Authentication failed"))
		default:
			return writeAll(rw, u32(1))
		}
	}
	if err := writeAll(rw, u32(0)); err != nil {
		return err
	}
	var clientInit [1]byte
	if _, err := io.ReadFull(rw, clientInit[:]); err != nil {
		return err
	}
	// ServerInit: 64x48, 32 bpp true colour, and a name.
	pf := []byte{32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0}
	if err := writeAll(rw, u16(64), u16(48), pf, lenString(testName)); err != nil {
		return err
	}
	if v.AfterRFB != nil {
		return v.AfterRFB(rw)
	}
	_, err := io.Copy(rw, rw)
	return err
}

// referenceVNCAuth is VNC Authentication written out independently of
// vncAuthResponse: mirror each key byte bit by bit, then DES-ECB.
func referenceVNCAuth(challenge []byte, password string) []byte {
	key := make([]byte, 8)
	for i := 0; i < 8 && i < len(password); i++ {
		var m byte
		for bit := 0; bit < 8; bit++ {
			if password[i]&(1<<bit) != 0 {
				m |= 0x80 >> bit
			}
		}
		key[i] = m
	}
	c, err := des.NewCipher(key)
	if err != nil {
		panic(err)
	}
	out := make([]byte, len(challenge))
	for i := 0; i < len(challenge); i += 8 {
		c.Encrypt(out[i:i+8], challenge[i:i+8])
	}
	return out
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func u16(v uint16) []byte { return binary.BigEndian.AppendUint16(nil, v) }
func u32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }
func lenString(s string) []byte {
	return append(u32(uint32(len(s))), s...)
}

// writeAll writes the parts as one Write, as a server sends a message.
func writeAll(w io.Writer, parts ...[]byte) error {
	_, err := w.Write(bytes.Join(parts, nil))
	return err
}

// upstream is a fake pveproxy: real TLS on real TCP, gorilla on the server
// side, checking the token header and the ticket like vncwebsocket does.
// Every byte the proxy sends is also recorded below TLS's decryption, so
// tests can inspect the very frames the proxy wrote.
type upstream struct {
	URL  string
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)

	srv    *http.Server
	ln     net.Listener
	frames *frameTap
	done   chan error    // one result per served console
	pinged chan struct{} // a value for each ping from the proxy, dropped when full
	wg     sync.WaitGroup
}

func startUpstream(t testing.TB, v vncServer) *upstream {
	t.Helper()
	return startUpstreamFunc(t, v.Chunk, v.serve)
}

// startUpstreamFunc starts an upstream whose consoles run serve over the
// WebSocket's byte stream, sending chunk bytes per message (whole writes if
// 0).
func startUpstreamFunc(t testing.TB, chunk int, serve func(io.ReadWriter) error) *upstream {
	t.Helper()
	cert, pool := selfSignedCert(t)
	raw, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := &upstream{
		frames: &frameTap{},
		done:   make(chan error, 16),
		pinged: make(chan struct{}, 1),
	}
	u.ln = &tapListener{Listener: raw, tap: u.frames, config: &tls.Config{Certificates: []tls.Certificate{cert}}}
	up := websocket.Upgrader{Subprotocols: []string{"binary"}} // default CheckOrigin: no Origin or same host
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api2/json/nodes/pve1/qemu/100/vncwebsocket", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != testAuth {
			http.Error(w, "authentication failure", http.StatusUnauthorized)
			return
		}
		if r.URL.Query().Get("vncticket") != testTicket || r.URL.Query().Get("port") != "5900" {
			http.Error(w, "permission denied - invalid PVE ticket", http.StatusUnauthorized)
			return
		}
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			u.result(err)
			return
		}
		defer c.Close()
		c.SetPingHandler(func(data string) error {
			select {
			case u.pinged <- struct{}{}:
			default:
			}
			// As gorilla's default handler: answer, and let a failed
			// answer show up on the next read.
			_ = c.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
			return nil
		})
		s := &wsStream{conn: c, maxMessage: 1 << 30, now: time.Now}
		if chunk > 0 {
			s.maxMessage = chunk
		}
		err = serve(s)
		if err == nil || errors.Is(err, errUpstreamHangUp) {
			_ = c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
		}
		u.result(err)
	})
	u.srv = &http.Server{Handler: mux}
	u.wg.Add(1)
	go func() {
		defer u.wg.Done()
		_ = u.srv.Serve(u.ln)
	}()
	u.URL = "wss://" + raw.Addr().String() + "/api2/json/nodes/pve1/qemu/100/vncwebsocket?port=5900&vncticket=" + url.QueryEscape(testTicket)
	d := &tls.Dialer{Config: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
	u.Dial = d.DialContext
	t.Cleanup(u.Close)
	return u
}

// result records how a console ended, dropping results nobody collects
// (tests that open many consoles).
func (u *upstream) result(err error) {
	select {
	case u.done <- err:
	default:
	}
}

// errUpstreamHangUp ends a fake upstream's console with a close frame.
var errUpstreamHangUp = errors.New("upstream hangs up")

func (u *upstream) Close() {
	u.srv.Close()
	u.wg.Wait()
}

// session returns a Session for this upstream.
func (u *upstream) session(onEnd func(error)) Session {
	return Session{
		Upstream: u.URL,
		Header:   http.Header{"Authorization": {testAuth}},
		DialTLS:  u.Dial,
		Password: testPassword,
		OnEnd:    onEnd,
	}
}

func selfSignedCert(t testing.TB) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// tapListener terminates TLS itself so that it can record the decrypted
// bytes the client sends before gorilla parses them.
type tapListener struct {
	net.Listener
	tap    *frameTap
	config *tls.Config
}

func (l *tapListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &tapConn{Conn: tls.Server(c, l.config), tap: l.tap}, nil
}

type tapConn struct {
	net.Conn
	tap *frameTap
}

func (c *tapConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.tap.write(p[:n])
	return n, err
}

// frameTap accumulates what the proxy sent upstream, on every connection
// (tests use one at a time).
type frameTap struct {
	mu  sync.Mutex
	buf []byte
}

func (t *frameTap) write(p []byte) {
	t.mu.Lock()
	t.buf = append(t.buf, p...)
	t.mu.Unlock()
}

type frame struct {
	fin    bool
	opcode byte
	masked bool
	length int
}

// frames parses the recorded stream: the HTTP request, then RFC 6455 frames.
func (t *frameTap) frames() ([]frame, error) {
	t.mu.Lock()
	b := append([]byte(nil), t.buf...)
	t.mu.Unlock()
	i := bytes.Index(b, []byte("\r\n\r\n"))
	if i < 0 {
		return nil, errors.New("no HTTP request recorded")
	}
	b = b[i+4:]
	var fs []frame
	for len(b) > 0 {
		if len(b) < 2 {
			return fs, errors.New("truncated frame header")
		}
		f := frame{fin: b[0]&0x80 != 0, opcode: b[0] & 0x0f, masked: b[1]&0x80 != 0}
		n := int(b[1] & 0x7f)
		h := 2
		switch n {
		case 126:
			n = int(binary.BigEndian.Uint16(b[2:]))
			h = 4
		case 127:
			n = int(binary.BigEndian.Uint64(b[2:]))
			h = 10
		}
		if f.masked {
			h += 4
		}
		if len(b) < h+n {
			return fs, errors.New("truncated frame")
		}
		f.length = n
		fs = append(fs, f)
		b = b[h+n:]
	}
	return fs, nil
}

// newTestProxy starts a Proxy that logs to the test and allows testOrigin.
func newTestProxy(t testing.TB, opts Options) (*Proxy, *logBuffer) {
	t.Helper()
	logs := &logBuffer{t: t}
	if opts.AllowedOrigins == nil {
		opts.AllowedOrigins = []string{testOrigin}
	}
	opts.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	p, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p, logs
}

// logBuffer keeps log output for assertions and echoes it with t.Log.
type logBuffer struct {
	t  testing.TB
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.t.(*testing.B); !ok {
		l.t.Log(strings.TrimSuffix(string(p), "\n"))
	}
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// ends collects OnEnd calls.
type ends struct {
	ch chan error
}

func newEnds() *ends { return &ends{ch: make(chan error, 4)} }

func (e *ends) onEnd(reason error) { e.ch <- reason }

func (e *ends) wait(t testing.TB) error {
	t.Helper()
	select {
	case err := <-e.ch:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("OnEnd was not called")
		return nil
	}
}

// vncClient plays noVNC: it connects to the proxy's URL and speaks RFB as a
// client that expects security type None.
type vncClient struct {
	conn   *websocket.Conn
	stream *wsStream

	// From ServerInit.
	width, height int
	name          string
}

func dialClient(t testing.TB, localURL string, header http.Header) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	if header == nil {
		header = http.Header{"Origin": {testOrigin}}
	}
	d := websocket.Dialer{Subprotocols: []string{"binary"}, HandshakeTimeout: 5 * time.Second}
	return d.Dial(localURL, header)
}

// connectClient connects and completes the RFB handshake with version
// ("RFB 003.008\n" if empty), sending chunk bytes per message (all at once if
// 0), and checks that ServerInit is the vncServer's.
func connectClient(t testing.TB, localURL, version string, chunk int) *vncClient {
	t.Helper()
	c := connect(t, localURL, version, chunk)
	if c.width != 64 || c.height != 48 || c.name != testName {
		t.Fatalf("ServerInit %dx%d %q; want 64x48 %q", c.width, c.height, c.name, testName)
	}
	return c
}

// connect connects and completes the RFB handshake up to ServerInit.
func connect(t testing.TB, localURL, version string, chunk int) *vncClient {
	t.Helper()
	conn, resp, err := dialClient(t, localURL, nil)
	if err != nil {
		t.Fatalf("dial proxy: %v (response %v)", err, resp)
	}
	t.Cleanup(func() { conn.Close() })
	if got := conn.Subprotocol(); got != "binary" {
		t.Errorf("subprotocol = %q; want binary", got)
	}
	c := &vncClient{conn: conn, stream: &wsStream{conn: conn, maxMessage: 1 << 30, now: time.Now}}
	if chunk > 0 {
		c.stream.maxMessage = chunk
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if err := c.handshake(cmpOr(version, "RFB 003.008\n")); err != nil {
		t.Fatalf("client handshake: %v", err)
	}
	_ = conn.SetReadDeadline(time.Time{})
	return c
}

func (c *vncClient) handshake(version string) error {
	rw := c.stream
	var v [12]byte
	if _, err := io.ReadFull(rw, v[:]); err != nil {
		return err
	}
	if string(v[:]) != "RFB 003.008\n" {
		return fmt.Errorf("proxy sent version %q", v)
	}
	if err := writeAll(rw, []byte(version)); err != nil {
		return err
	}
	if version == "RFB 003.003\n" {
		t, err := readU32(rw)
		if err != nil {
			return err
		}
		if t != 1 {
			return fmt.Errorf("security type %d; want 1", t)
		}
	} else {
		n, err := readU8(rw)
		if err != nil {
			return err
		}
		types := make([]byte, n)
		if _, err := io.ReadFull(rw, types); err != nil {
			return err
		}
		if !bytes.Equal(types, []byte{1}) {
			return fmt.Errorf("security types %v; want [1]", types)
		}
		if err := writeAll(rw, []byte{1}); err != nil {
			return err
		}
		if version == "RFB 003.008\n" {
			res, err := readU32(rw)
			if err != nil {
				return err
			}
			if res != 0 {
				return fmt.Errorf("SecurityResult %d", res)
			}
		}
	}
	if err := writeAll(rw, []byte{1}); err != nil { // ClientInit, shared
		return err
	}
	var si [24]byte
	if _, err := io.ReadFull(rw, si[:]); err != nil {
		return fmt.Errorf("ServerInit: %w", err)
	}
	c.width, c.height = int(binary.BigEndian.Uint16(si[0:])), int(binary.BigEndian.Uint16(si[2:]))
	name := make([]byte, binary.BigEndian.Uint32(si[20:]))
	if _, err := io.ReadFull(rw, name); err != nil {
		return err
	}
	c.name = string(name)
	return nil
}

// echo sends data and expects it back.
func (c *vncClient) echo(t testing.TB, data []byte) {
	t.Helper()
	errc := make(chan error, 1)
	go func() {
		_, err := c.stream.Write(data)
		errc <- err
	}()
	got := make([]byte, len(data))
	_ = c.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.ReadFull(c.stream, got); err != nil {
		t.Fatalf("read echo: %v", err)
	}
	if err := <-errc; err != nil {
		t.Fatalf("write: %v", err)
	}
	if !bytes.Equal(got, data) {
		t.Fatalf("echo differs from what was sent (%d bytes)", len(data))
	}
}

// closeError waits for the proxy to close the client and returns the close
// frame it sent.
func (c *vncClient) closeError(t testing.TB) *websocket.CloseError {
	t.Helper()
	return readClose(t, c.conn)
}

func readClose(t testing.TB, conn *websocket.Conn) *websocket.CloseError {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		_, _, err := conn.ReadMessage()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if !errors.As(err, &ce) {
			t.Fatalf("read: %v; want a close frame", err)
		}
		return ce
	}
}

// waitPing waits for the proxy's next ping to reach the upstream.
func (u *upstream) waitPing(t testing.TB) {
	t.Helper()
	select {
	case <-u.pinged:
	case <-time.After(10 * time.Second):
		t.Fatal("the proxy sent no ping upstream")
	}
}

// eventually polls cond until it holds, failing after timeout. It is for
// what only the kernel knows (file descriptors, socket queues, goroutines
// parked on sockets): nothing tells us when those change. Its cost is one
// poll interval at most, and a slow machine only makes it wait longer.
func eventually(timeout time.Duration, cond func() bool) bool {
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for !cond() {
		select {
		case <-tick.C:
		case <-deadline.C:
			return cond()
		}
	}
	return true
}

// settleGoroutines waits for the goroutine count to come back to base:
// connection goroutines end once the kernel reports their sockets closed.
func settleGoroutines(t testing.TB, base int) {
	t.Helper()
	if !eventually(5*time.Second, func() bool { return runtime.NumGoroutine() <= base }) {
		buf := make([]byte, 1<<20)
		n := runtime.Stack(buf, true)
		t.Fatalf("%d goroutines, %d before:\n%s", runtime.NumGoroutine(), base, buf[:n])
	}
}
