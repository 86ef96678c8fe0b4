package console

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Defaults for the zero values of Options.
const (
	DefaultTokenTTL     = 30 * time.Second
	DefaultIdleTimeout  = 10 * time.Minute
	DefaultPingInterval = 20 * time.Second
)

const (
	// handshakeTimeout bounds the upstream WebSocket handshake and each
	// side's RFB handshake.
	handshakeTimeout = 10 * time.Second
	// writeTimeout bounds every message written to either side.
	writeTimeout = 30 * time.Second
	// flushTimeout bounds how long a session whose Proxmox side failed
	// a write waits for the data Proxmox sent before that to reach noVNC.
	flushTimeout = 5 * time.Second
	// closeGrace is how long a closing session waits for the peers to
	// answer its close frames before dropping the connections.
	closeGrace = time.Second
	// copyBufferSize is the largest chunk read from one side before it is
	// written to the other; it is also the largest message the proxy sends.
	copyBufferSize = MaxUpstreamMessage
	// clientBufferSize is the size of gorilla's read and write buffers
	// on noVNC's connection, and of the read buffer on Proxmox's.
	clientBufferSize = 4 << 10
	// tokenBytes of crypto/rand make a session token (256 bits).
	tokenBytes = 32
)

// Options configure a Proxy. The zero value of every field is usable.
type Options struct {
	// AllowedOrigins are the exact Origin header values accepted on the
	// inbound WebSocket, e.g. "wails://wails", "http://wails.localhost",
	// "http://wails.localhost:34115", or the dev server's origin in dev
	// builds. Empty allows no origin at all, so no connection.
	AllowedOrigins []string
	// Logger receives one line per registered, refused and ended session.
	// Tokens, passwords and headers are never logged. Nil discards.
	Logger *slog.Logger
	// Now tells the time for token expiry and idle accounting. Nil means
	// time.Now.
	Now func() time.Time
	// TokenTTL is how long a registered session waits for noVNC to connect.
	// Zero means DefaultTokenTTL.
	TokenTTL time.Duration
	// IdleTimeout ends a session after this long without data either way.
	// Zero means DefaultIdleTimeout.
	IdleTimeout time.Duration
	// PingInterval is how often both sides are pinged; a side that answers
	// nothing (neither data nor pong) for two intervals plus a few seconds
	// is considered gone. Zero means DefaultPingInterval.
	PingInterval time.Duration

	// MaxUnclaimed caps the connections open at once that have not
	// claimed a session (anything still speaking plain HTTP): past it, the
	// oldest is closed. Zero means DefaultMaxUnclaimed.
	MaxUnclaimed int
	// UnclaimedIdle closes a connection that sends no request for this
	// long between requests. Zero means DefaultUnclaimedIdle.
	UnclaimedIdle time.Duration
	// UnclaimedLifetime closes a connection that has not claimed a
	// session this long after it was accepted, whatever it is doing.
	// Zero means DefaultUnclaimedLifetime.
	UnclaimedLifetime time.Duration
	// RefusalLogEvery is the least time between two log lines about
	// refused connections of one reason; the refusals in between are
	// counted in the next line. Zero means DefaultRefusalLogEvery.
	RefusalLogEvery time.Duration
}

// Session is one console to proxy: what the app learnt from vncproxy.
type Session struct {
	// Upstream is the vncwebsocket URL on the node that answered vncproxy:
	// wss://host:8006/api2/json/nodes/{n}/{qemu|lxc}/{vmid}/vncwebsocket?port=…&vncticket=…
	// It holds a ticket and is never logged beyond its host.
	Upstream string
	// Header is sent with the upstream handshake, typically
	// Authorization: PVEAPIToken=…. Never logged. Nil sends none.
	Header http.Header
	// DialTLS makes the pinned TLS connection to the upstream host (see
	// proxmox.PinnedDialer.DialTLSContext). Required: the proxy never
	// verifies certificates any other way.
	DialTLS func(ctx context.Context, network, addr string) (net.Conn, error)
	// Password answers VNC Authentication: vncproxy's password if it sent
	// one, else the ticket. Only its first 8 bytes matter.
	Password string
	// Renew, if not nil, is asked once for a fresh ticket when Proxmox
	// gives up on the console before its handshake is done: a QEMU
	// console's worker accepts its one connection only within 10 s of
	// vncproxy, so a tab claimed later finds nothing there (and two
	// consoles of one VM opened together can make the first fail
	// authentication). Its Upstream, Header, DialTLS and Password replace
	// the session's; its OnEnd and Renew are ignored. noVNC, already
	// connected, only waits a little longer.
	Renew func(ctx context.Context) (Session, error)
	// OnEnd, if not nil, is called once when the session ends, with the
	// reason: *AuthError, ErrTokenExpired, ErrEnded, ErrProxyClosed,
	// ErrIdle, an error wrapping ErrClientClosed or ErrUpstreamClosed, a
	// *HandshakeError, or a dial error. It runs on the proxy's goroutines
	// and must not block for long.
	OnEnd func(reason error)
}

// Proxy is the loopback WebSocket proxy. It listens on 127.0.0.1 on a random
// port from New until Close. A Proxy is safe for concurrent use.
type Proxy struct {
	opts     Options
	log      *slog.Logger
	ln       net.Listener
	srv      *http.Server
	addr     string // "127.0.0.1:PORT"
	upgrader websocket.Upgrader

	unclaimed *unclaimed  // connections not yet claimed; capped
	refusals  *refusalLog // rate-limited refusal lines

	// wg counts the serving goroutine and every registered session until
	// its OnEnd has returned.
	wg sync.WaitGroup

	mu       sync.Mutex
	closed   bool
	sessions map[string]*session // by token, from Register until the end
}

// New starts a Proxy on 127.0.0.1:0.
func New(opts Options) (*Proxy, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.TokenTTL <= 0 {
		opts.TokenTTL = DefaultTokenTTL
	}
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = DefaultIdleTimeout
	}
	if opts.PingInterval <= 0 {
		opts.PingInterval = DefaultPingInterval
	}
	if opts.MaxUnclaimed <= 0 {
		opts.MaxUnclaimed = DefaultMaxUnclaimed
	}
	if opts.UnclaimedIdle <= 0 {
		opts.UnclaimedIdle = DefaultUnclaimedIdle
	}
	if opts.UnclaimedLifetime <= 0 {
		opts.UnclaimedLifetime = DefaultUnclaimedLifetime
	}
	if opts.RefusalLogEvery <= 0 {
		opts.RefusalLogEvery = DefaultRefusalLogEvery
	}
	opts.AllowedOrigins = append([]string(nil), opts.AllowedOrigins...)
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("console: listen: %w", err)
	}
	p := &Proxy{
		opts:     opts,
		log:      log,
		ln:       ln,
		addr:     ln.Addr().String(),
		sessions: make(map[string]*session),
	}
	p.refusals = newRefusalLog(log, opts.Now, opts.RefusalLogEvery)
	p.unclaimed = newUnclaimed(opts.MaxUnclaimed, opts.UnclaimedLifetime, p.refusals)
	p.upgrader = websocket.Upgrader{
		HandshakeTimeout: handshakeTimeout,
		// Small buffers are the fast ones here. Reads larger than the
		// read buffer bypass it. Messages to noVNC are written with
		// WriteMessage, which on the server side copies only what fits
		// the write buffer and hands the rest to writev in the same
		// frame: a large buffer would only add a copy of every message.
		ReadBufferSize:  clientBufferSize,
		WriteBufferSize: clientBufferSize,
		Subprotocols:    []string{"binary"},
		CheckOrigin:     p.originAllowed,
		Error: func(w http.ResponseWriter, r *http.Request, status int, reason error) {
			http.Error(w, http.StatusText(status), status)
		},
	}
	p.srv = &http.Server{
		Handler:           http.HandlerFunc(p.serveHTTP),
		ReadHeaderTimeout: handshakeTimeout,
		// Only connections still in HTTP are idle between requests: a
		// claimed session's is hijacked and has timeouts of its own.
		IdleTimeout:    opts.UnclaimedIdle,
		MaxHeaderBytes: 16 << 10,
		ConnState:      p.unclaimed.connState,
		ConnContext:    connContext,
		ErrorLog:       slog.NewLogLogger(log.Handler(), slog.LevelDebug),
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		if err := p.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			p.log.Error("console: serve", "err", err)
		}
	}()
	return p, nil
}

// Addr returns the address the proxy listens on, "127.0.0.1:PORT".
func (p *Proxy) Addr() string { return p.addr }

// Register adds a session and returns the URL noVNC should open:
// ws://127.0.0.1:PORT/console/TOKEN. The token works once, and only within
// Options.TokenTTL. Pass the URL to End to end the session early.
func (p *Proxy) Register(s Session) (localURL string, err error) {
	u, err := url.Parse(s.Upstream)
	if err != nil {
		return "", errors.New("console: malformed upstream URL") // the URL holds a ticket: keep it out of errors
	}
	if u.Scheme != "wss" || u.Host == "" {
		return "", fmt.Errorf("console: upstream must be a wss:// URL, not %q://", u.Scheme)
	}
	if s.DialTLS == nil {
		return "", errors.New("console: Session.DialTLS is required")
	}
	if s.Password == "" {
		return "", errors.New("console: Session.Password is required")
	}
	s.Header = s.Header.Clone()

	var b [tokenBytes]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("console: token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(b[:])
	ss := &session{
		p:       p,
		s:       s,
		host:    u.Host,
		token:   token,
		tag:     tokenTag(token),
		expires: p.opts.Now().Add(p.opts.TokenTTL),
	}
	ss.ctx, ss.cancel = context.WithCancel(context.Background())

	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		ss.cancel()
		return "", ErrProxyClosed
	}
	p.sessions[token] = ss
	p.wg.Add(1)
	ss.expiry = time.AfterFunc(p.opts.TokenTTL, func() { p.expire(ss) })
	p.mu.Unlock()

	p.log.Info("console: session registered", "session", ss.tag, "upstream", ss.host)
	return "ws://" + p.addr + "/console/" + token, nil
}

// End ends the session registered under localURL, whether noVNC has
// connected or not; its OnEnd gets ErrEnded. It reports whether the
// session was still there to end.
func (p *Proxy) End(localURL string) bool {
	token, ok := strings.CutPrefix(localURL, "ws://"+p.addr+"/console/")
	if !ok {
		return false
	}
	p.mu.Lock()
	ss := p.sessions[token]
	if ss == nil {
		p.mu.Unlock()
		return false
	}
	unclaimed := ss.state == statePending
	if unclaimed {
		ss.state = stateDone
		delete(p.sessions, token)
	}
	p.mu.Unlock()
	if unclaimed {
		ss.expiry.Stop()
		p.finish(ss, ErrEnded)
	} else {
		ss.stop(ErrEnded)
	}
	return true
}

// Close stops listening, ends every session (their OnEnd gets
// ErrProxyClosed) and waits until all of the proxy's goroutines are done.
func (p *Proxy) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	var unclaimed, active []*session
	for token, ss := range p.sessions {
		if ss.state == statePending {
			ss.state = stateDone
			delete(p.sessions, token)
			unclaimed = append(unclaimed, ss)
		} else {
			active = append(active, ss)
		}
	}
	p.mu.Unlock()

	// Hijacked connections are not the server's any more: closing it only
	// stops the listener and refuses what is still in HTTP.
	err := p.srv.Close()
	p.unclaimed.closeAll()
	p.refusals.flush()
	for _, ss := range unclaimed {
		ss.expiry.Stop()
		p.finish(ss, ErrProxyClosed)
	}
	for _, ss := range active {
		ss.stop(ErrProxyClosed)
	}
	p.wg.Wait()
	return err
}

// expire drops a session noVNC did not claim in time.
func (p *Proxy) expire(ss *session) {
	p.mu.Lock()
	if ss.state != statePending {
		p.mu.Unlock()
		return
	}
	ss.state = stateDone
	delete(p.sessions, ss.token)
	p.mu.Unlock()
	p.finish(ss, ErrTokenExpired)
}

// finish reports the end of a session: the last thing done for it.
func (p *Proxy) finish(ss *session, reason error) {
	defer p.wg.Done()
	ss.cancel()
	level := slog.LevelInfo
	var ae *AuthError
	if errors.As(reason, &ae) || !(errors.Is(reason, ErrClientClosed) || errors.Is(reason, ErrEnded) ||
		errors.Is(reason, ErrProxyClosed) || errors.Is(reason, ErrIdle) || errors.Is(reason, ErrTokenExpired)) {
		level = slog.LevelWarn
	}
	p.log.Log(context.Background(), level, "console: session ended", "session", ss.tag, "upstream", ss.host, "reason", reason)
	if ss.s.OnEnd != nil {
		ss.s.OnEnd(reason)
	}
}

// originAllowed is the Upgrader's CheckOrigin: exactly one Origin header,
// equal to one of Options.AllowedOrigins.
func (p *Proxy) originAllowed(r *http.Request) bool {
	origins := r.Header.Values("Origin")
	return len(origins) == 1 && slices.Contains(p.opts.AllowedOrigins, origins[0])
}

// serveHTTP accepts only a WebSocket upgrade of GET /console/TOKEN, from an
// allowed Origin, for a registered, unused, unexpired token, and refuses
// everything else with 403.
func (p *Proxy) serveHTTP(w http.ResponseWriter, r *http.Request) {
	deny := func(why string, attrs ...any) {
		p.refusals.refused(why, append([]any{"remote", r.RemoteAddr}, attrs...)...)
		// A refused client gets no second try on this connection: a
		// kept-alive connection after a 403 is only a held descriptor.
		w.Header().Set("Connection", "close")
		http.Error(w, http.StatusText(http.StatusForbidden), http.StatusForbidden)
	}
	token, ok := strings.CutPrefix(r.URL.Path, "/console/")
	if !ok || token == "" || strings.Contains(token, "/") {
		deny("unknown path", "path_hash", tokenTag(r.URL.Path))
		return
	}
	tag := tokenTag(token)
	switch {
	case r.Method != http.MethodGet:
		deny("method not allowed", "session", tag, "method", truncate(r.Method, 16))
		return
	case r.Host != p.addr:
		// A page reaching us through DNS rebinding names its own host.
		deny("unexpected Host", "session", tag, "host", r.Host)
		return
	case !p.originAllowed(r):
		deny("origin not allowed", "session", tag, "origin", r.Header.Values("Origin"))
		return
	case !websocket.IsWebSocketUpgrade(r):
		deny("not a WebSocket upgrade", "session", tag)
		return
	}

	p.mu.Lock()
	ss := p.sessions[token]
	var why string
	expired := false
	switch {
	case ss == nil:
		why = "unknown or ended session"
	case ss.state != statePending:
		why = "session token already used"
	case !p.opts.Now().Before(ss.expires):
		why = "session token expired"
		expired = true
		ss.state = stateDone
		delete(p.sessions, token)
	default:
		ss.state = stateClaimed
	}
	p.mu.Unlock()
	if why != "" {
		deny(why, "session", tag)
		if expired {
			ss.expiry.Stop()
			p.finish(ss, ErrTokenExpired)
		}
		return
	}
	ss.expiry.Stop()
	p.unclaimed.claim(r)
	p.log.Info("console: client connected", "session", tag, "remote", r.RemoteAddr)
	ss.serve(w, r)
}

// tokenTag is what logs say instead of a token: enough to correlate lines,
// useless to connect.
func tokenTag(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:4])
}

// truncate keeps at most n bytes of s for a log line.
func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
