package console

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/gorilla/websocket"
)

type sessionState int

const (
	statePending sessionState = iota // registered, waiting for noVNC
	stateClaimed                     // noVNC connected: serve owns the session
	stateDone                        // ended; finish has been or is being called
)

// session is one registered console. Until noVNC claims it, the Proxy owns
// it (and ends it on expiry, End or Close); from then on serve does.
type session struct {
	p       *Proxy
	s       Session
	host    string // upstream host:port, the only part of the URL ever logged
	token   string
	tag     string // tokenTag(token), for logs
	expires time.Time
	expiry  *time.Timer
	state   sessionState // guarded by p.mu

	// ctx is cancelled when the session stops; it bounds the upstream dial
	// and the supervisor loop.
	ctx    context.Context
	cancel context.CancelFunc

	closers sync.WaitGroup // close frames in flight, see stopWith

	mu       sync.Mutex
	end      *ending         // why the session stopped; nil while it runs
	client   *websocket.Conn // nil until upgraded
	upstream *websocket.Conn // nil until dialled
}

// ending is why a session stopped, and what each side is told.
type ending struct {
	err          error
	clientCode   int
	clientText   string
	upstreamCode int
	upstreamText string
	// flushClient: the session must not end before copyToClient has
	// forwarded what Proxmox sent (see awaitFlush).
	flushClient bool
}

// serve runs a claimed session to its end: upgrade noVNC's request, dial
// Proxmox, do both RFB handshakes, then splice until either side leaves.
func (ss *session) serve(w http.ResponseWriter, r *http.Request) {
	p := ss.p
	defer ss.cleanup()

	client, err := p.upgrader.Upgrade(w, r, nil)
	if err != nil {
		ss.stop(fmt.Errorf("console: upgrade: %w", err))
		return
	}
	if !ss.attach(client, true) {
		return
	}

	upS, fail := ss.connectUpstream()
	if fail != nil && ss.s.Renew != nil && ss.ctx.Err() == nil {
		p.log.Info("console: Proxmox gave up on the ticket; asking for a fresh one", "session", ss.tag, "upstream", ss.host, "err", fail.err)
		if ss.renew() {
			upS, fail = ss.connectUpstream()
		}
	}
	if fail != nil {
		ss.stopWith(*fail)
		return
	}

	cliS := ss.stream(client, copyBufferSize)
	_ = client.SetReadDeadline(time.Now().Add(handshakeTimeout))
	if err := serveClientHandshake(cliS); err != nil {
		ss.stop(&HandshakeError{Side: "client", Err: err})
		return
	}
	// ClientInit is the first byte of the splice: Proxmox answers it with
	// ServerInit, which goes to noVNC like everything after it.
	var clientInit [1]byte
	if _, err := cliS.Read(clientInit[:]); err != nil {
		ss.stop(&HandshakeError{Side: "client", Err: err})
		return
	}
	if _, err := upS.Write(clientInit[:]); err != nil {
		ss.stopWith(upstreamGone(err))
		return
	}

	var activity atomic.Int64
	activity.Store(p.opts.Now().UnixNano())
	readTimeout := 2*p.opts.PingInterval + 5*time.Second
	for _, s := range []*wsStream{upS, cliS} {
		s.activity = &activity
		s.keepReading(readTimeout)
	}
	errc := make(chan ending, 2)
	sc := splice{client: cliS, upstream: upS}
	go sc.copyToUpstream(errc)
	go sc.copyToClient(errc)
	ss.supervise(errc, &activity)
}

// connectUpstream dials Proxmox's vncwebsocket and answers its VNC
// authentication. Proxmox goes first: its ticket is the one that runs out,
// and noVNC should hear "no authentication needed" only once the proxy is
// in. On failure the connection is closed and the ending says why.
func (ss *session) connectUpstream() (*wsStream, *ending) {
	ss.mu.Lock()
	s := ss.s
	ss.mu.Unlock()
	d := websocket.Dialer{
		// Proxy is nil: never route a console through an environment proxy.
		NetDialTLSContext: s.DialTLS,
		Subprotocols:      []string{"binary"},
		HandshakeTimeout:  handshakeTimeout,
		// Reads larger than the buffer go straight from TLS into the
		// relay's buffer; a large bufio.Reader would copy every message
		// once more.
		ReadBufferSize: clientBufferSize,
		// A buffer holding a whole MaxUpstreamMessage keeps gorilla from
		// fragmenting it: pveproxy drops fragmented frames.
		WriteBufferSize: MaxUpstreamMessage + maxFrameHeader,
	}
	up, resp, err := d.DialContext(ss.ctx, s.Upstream, s.Header)
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	if err != nil {
		e := ss.dialFailed(hostOf(s.Upstream), err, resp)
		return nil, &e
	}
	upS := ss.stream(up, MaxUpstreamMessage)
	_ = up.SetReadDeadline(time.Now().Add(handshakeTimeout))
	if _, err := authenticateUpstream(upS, s.Password); err != nil {
		up.Close()
		var ae *AuthError
		if errors.As(err, &ae) {
			e := ss.endingFor(ae)
			return nil, &e
		}
		e := ss.endingFor(&HandshakeError{Side: "upstream", Err: err})
		return nil, &e
	}
	if !ss.attach(up, false) {
		e := ending{err: ErrEnded}
		if end := ss.ending(); end != nil {
			e = *end
		}
		return nil, &e
	}
	return upS, nil
}

// renew asks Session.Renew for a fresh ticket (see there) and reports
// whether it got one.
func (ss *session) renew() bool {
	ctx, cancel := context.WithTimeout(ss.ctx, handshakeTimeout)
	defer cancel()
	fresh, err := ss.s.Renew(ctx)
	if err != nil {
		ss.p.log.Warn("console: no fresh ticket", "session", ss.tag, "err", err)
		return false
	}
	u, err := url.Parse(fresh.Upstream)
	if err != nil || u.Scheme != "wss" || u.Host == "" || fresh.DialTLS == nil || fresh.Password == "" {
		ss.p.log.Warn("console: the fresh ticket is unusable", "session", ss.tag)
		return false
	}
	ss.mu.Lock()
	ss.s.Upstream, ss.s.Header, ss.s.DialTLS, ss.s.Password = fresh.Upstream, fresh.Header.Clone(), fresh.DialTLS, fresh.Password
	ss.mu.Unlock()
	return true
}

// ending returns why the session stopped, or nil while it runs.
func (ss *session) ending() *ending {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return ss.end
}

// supervise pings both sides, watches for idleness, and waits for the
// copiers, which it stops when the session is stopped from elsewhere.
func (ss *session) supervise(errc <-chan ending, activity *atomic.Int64) {
	opts := ss.p.opts
	ping := time.NewTicker(opts.PingInterval)
	defer ping.Stop()
	idle := time.NewTimer(opts.IdleTimeout)
	defer idle.Stop()
	for {
		select {
		case e := <-errc:
			pending := 1
			if e.flushClient {
				if last, ok := ss.awaitFlush(errc); ok {
					e, pending = last, 0
				}
			}
			ss.stopWith(e)
			ss.drain(errc, pending)
			return
		case <-ss.ctx.Done():
			ss.drain(errc, 2)
			return
		case <-ping.C:
			ss.mu.Lock()
			client, up := ss.client, ss.upstream
			ss.mu.Unlock()
			deadline := time.Now().Add(writeTimeout)
			_ = client.WriteControl(websocket.PingMessage, nil, deadline)
			_ = up.WriteControl(websocket.PingMessage, nil, deadline)
		case <-idle.C:
			elapsed := opts.Now().Sub(time.Unix(0, activity.Load()))
			if elapsed >= opts.IdleTimeout {
				ss.stop(ErrIdle)
				continue // ctx is done now
			}
			idle.Reset(opts.IdleTimeout - elapsed)
		}
	}
}

// awaitFlush waits for copyToClient after writing to Proxmox failed.
// Proxmox may have sent more before it went away (pveproxy just shuts the
// connection down): copyToClient delivers all of it to noVNC and then finds
// the end itself, and only then may noVNC get its close frame. It gives up
// after flushTimeout, or when the session is stopped from elsewhere.
func (ss *session) awaitFlush(errc <-chan ending) (ending, bool) {
	t := time.NewTimer(flushTimeout)
	defer t.Stop()
	select {
	case e := <-errc:
		return e, true
	case <-t.C:
		return ending{}, false
	case <-ss.ctx.Done():
		return ending{}, false
	}
}

// drain waits for n copiers to return. The close frames sent by stopWith
// come with deadlines, so they return within closeGrace; if a peer still
// holds one up, the connections are dropped.
func (ss *session) drain(errc <-chan ending, n int) {
	t := time.NewTimer(2 * closeGrace)
	defer t.Stop()
	for n > 0 {
		select {
		case <-errc:
			n--
		case <-t.C:
			ss.closeConns()
		}
	}
}

// splice copies the two byte streams after the handshake, like
// httputil.ReverseProxy's switchProtocolCopier: one named goroutine per
// direction, each reporting on a buffered channel.
type splice struct {
	client, upstream *wsStream
}

func (c splice) copyToUpstream(errc chan<- ending) {
	errc <- relay(c.upstream, c.client, clientGone, func(err error) ending {
		e := upstreamGone(err)
		e.flushClient = true
		return e
	})
}

func (c splice) copyToClient(errc chan<- ending) {
	errc <- relay(c.client, c.upstream, upstreamGone, clientGone)
}

// relay copies src to dst until either fails. Each chunk is at most one of
// src's messages, so message boundaries survive where sizes allow.
func relay(dst, src *wsStream, srcGone, dstGone func(error) ending) ending {
	buf := make([]byte, copyBufferSize)
	for {
		n, err := src.readChunk(buf)
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return dstGone(werr)
			}
		}
		if err != nil {
			return srcGone(err)
		}
	}
}

func (ss *session) stream(c *websocket.Conn, maxMessage int) *wsStream {
	return &wsStream{conn: c, maxMessage: maxMessage, writeTimeout: writeTimeout, now: ss.p.opts.Now}
}

// attach records a connection; if the session has already stopped it gets
// its close frame at once and attach reports false.
func (ss *session) attach(c *websocket.Conn, isClient bool) bool {
	ss.mu.Lock()
	if isClient {
		ss.client = c
	} else {
		ss.upstream = c
	}
	end := ss.end
	ss.mu.Unlock()
	if end == nil {
		return true
	}
	if isClient {
		sendClose(c, end.clientCode, end.clientText)
	} else {
		sendClose(c, end.upstreamCode, end.upstreamText)
	}
	return false
}

// stop stops the session for reason; see stopWith.
func (ss *session) stop(reason error) { ss.stopWith(ss.endingFor(reason)) }

// stopWith stops the session: the first reason wins. Each side gets a close
// frame and a deadline, so that whatever is reading or writing it returns
// within closeGrace. The frames are sent from their own goroutine: a write
// stuck on a peer that does not read would otherwise hold up End and Close.
func (ss *session) stopWith(e ending) {
	ss.mu.Lock()
	if ss.end != nil {
		ss.mu.Unlock()
		return
	}
	ss.end = &e
	client, up := ss.client, ss.upstream
	ss.closers.Add(1)
	ss.mu.Unlock()
	ss.cancel()
	go func() {
		defer ss.closers.Done()
		sendClose(client, e.clientCode, e.clientText)
		sendClose(up, e.upstreamCode, e.upstreamText)
	}()
}

func (ss *session) closeConns() {
	ss.mu.Lock()
	client, up := ss.client, ss.upstream
	ss.mu.Unlock()
	if client != nil {
		client.Close()
	}
	if up != nil {
		up.Close()
	}
}

// cleanup ends a claimed session once serve is done with it.
func (ss *session) cleanup() {
	ss.closers.Wait()
	ss.lingerClient()
	ss.closeConns()
	ss.mu.Lock()
	end := ss.end
	ss.mu.Unlock()
	reason := ErrUpstreamClosed
	if end != nil {
		reason = end.err
	}
	p := ss.p
	p.mu.Lock()
	ss.state = stateDone
	delete(p.sessions, ss.token)
	p.mu.Unlock()
	p.finish(ss, reason)
}

// lingerClient reads and discards what noVNC still sends until it answers
// the close frame, or until the read deadline sendClose set (closeGrace).
// Closing a socket with unread input makes the kernel reset the connection
// and throw away what noVNC has not read yet: the end of the last update,
// the close frame. The client's reader has always stopped by now: either
// it failed (and this returns at once) or copyToUpstream gave up on a
// failed Proxmox.
func (ss *session) lingerClient() {
	ss.mu.Lock()
	client, end := ss.client, ss.end
	ss.mu.Unlock()
	if client == nil || end == nil {
		return
	}
	for {
		if _, _, err := client.NextReader(); err != nil {
			return
		}
	}
}

func sendClose(c *websocket.Conn, code int, text string) {
	if c == nil {
		return
	}
	deadline := time.Now().Add(closeGrace)
	_ = c.NetConn().SetWriteDeadline(deadline)
	_ = c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, truncateReason(text)), deadline)
	_ = c.NetConn().SetReadDeadline(deadline)
}

// truncateReason fits text into a close frame (125 bytes less the code),
// on a UTF-8 boundary.
func truncateReason(text string) string {
	const max = 123
	if len(text) <= max {
		return text
	}
	text = text[:max]
	for len(text) > 0 && !utf8.ValidString(text) {
		text = text[:len(text)-1]
	}
	return text
}

func (ss *session) endingFor(err error) ending {
	e := ending{err: err, clientCode: websocket.CloseNormalClosure, upstreamCode: websocket.CloseNormalClosure}
	var ae *AuthError
	var he *HandshakeError
	switch {
	case errors.As(err, &ae):
		e.clientCode, e.clientText = CloseAuthFailed, ae.Error()
		e.upstreamText = "authentication failed"
	case errors.As(err, &he) && he.Side == "client":
		e.clientCode, e.clientText = websocket.CloseProtocolError, "RFB handshake failed: "+he.Err.Error()
		e.upstreamText = "client failed the handshake"
	case errors.As(err, &he):
		e.clientCode, e.clientText = CloseUpstreamError, "RFB handshake with Proxmox failed: "+he.Err.Error()
		e.upstreamCode = websocket.CloseProtocolError
	case errors.Is(err, ErrIdle):
		e.clientCode, e.clientText = CloseIdle, fmt.Sprintf("console idle for %v", ss.p.opts.IdleTimeout)
		e.upstreamText = "idle"
	case errors.Is(err, ErrProxyClosed):
		e.clientCode, e.clientText = websocket.CloseGoingAway, "console proxy closing"
		e.upstreamCode = websocket.CloseGoingAway
	case errors.Is(err, ErrEnded):
		e.clientText = "console ended"
	default:
		e.clientCode, e.clientText = CloseUpstreamError, err.Error()
	}
	return e
}

func clientGone(err error) ending {
	return ending{
		err:          fmt.Errorf("%w: %s", ErrClientClosed, closeText(err)),
		clientCode:   websocket.CloseNormalClosure,
		upstreamCode: websocket.CloseNormalClosure,
		upstreamText: "client disconnected",
	}
}

func upstreamGone(err error) ending {
	e := ending{
		err:          fmt.Errorf("%w: %s", ErrUpstreamClosed, closeText(err)),
		clientCode:   CloseUpstreamError,
		clientText:   "connection to Proxmox lost: " + closeText(err),
		upstreamCode: websocket.CloseNormalClosure,
	}
	// pveproxy never sends a close frame: when the guest's VNC server goes
	// away (the guest stopped) it just shuts the connection down, which
	// gorilla reports as 1006. That is the normal end of a console.
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		switch ce.Code {
		case websocket.CloseNormalClosure, websocket.CloseGoingAway, websocket.CloseAbnormalClosure:
			e.clientCode, e.clientText = websocket.CloseNormalClosure, "Proxmox closed the console"
		}
	}
	return e
}

// hostOf is the host:port of an upstream URL, the only part ever logged.
func hostOf(upstream string) string {
	u, err := url.Parse(upstream)
	if err != nil {
		return ""
	}
	return u.Host
}

func (ss *session) dialFailed(host string, err error, resp *http.Response) ending {
	if resp != nil {
		// Proxmox explains a refusal in the status line ("401 permission
		// denied - invalid PVE ticket").
		err = fmt.Errorf("%w (HTTP %s)", err, resp.Status)
	}
	return ending{
		err:        fmt.Errorf("console: connect to %s: %w", host, err),
		clientCode: CloseDialFailed,
		clientText: "cannot connect to the Proxmox console: " + err.Error(),
	}
}
