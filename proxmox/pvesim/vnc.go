package pvesim

import (
	"bufio"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"cecyber/proxmox/pvesim/rfb"
)

// Consoles, as qemu-server 9.1.7+ and pve-container serve them behind
// pveproxy:
//
//   - POST …/vncproxy forks a "vncproxy" worker that listens on a port
//     5900–5999 of the node it ran on for 10 s ("connection timed out"
//     otherwise), and answers {user, ticket, port, upid, cert, password?}.
//     The ticket is "PVEVNC:{hex time}::{signature}" bound to user,
//     /vms/{vmid} and port; since 9.1.7 a random 8-character password
//     (characters '!'..'`') is generated and prefixed to the ticket
//     ("{password}:PVEVNC:…") so that old clients using the ticket's
//     first 8 characters as VNC password keep working.
//   - GET …/vncwebsocket?port=&vncticket= runs the API method first
//     (token auth, VM.Console, ticket age -20 < age < 40 s, user, path
//     and port), so a bad ticket is an ordinary 401 "permission denied -
//     invalid PVEVNC ticket". Only then does pveproxy switch protocols
//     and connect to localhost:port, which the worker accepts once.
//   - The worker runs `qm vncproxy`, which sets the VNC password and
//     expires it 30 s later (QEMU's expire_password +30), then relays
//     to QEMU's VNC server until either side closes.
//   - pveproxy drops the client on a fragmented frame, a frame with RSV
//     bits, an unmasked frame, an unknown opcode or a frame over
//     128 KiB; text and binary frames are both forwarded.

const (
	vncFirstPort      = 5900
	vncLastPort       = 5999
	vncConnectTimeout = 10 * time.Second // the worker's accept alarm
	// lxcConnectTimeout: vncterm, an LXC console's worker, waits at
	// least 20 s for its first client (pve-container's vncproxy).
	lxcConnectTimeout = 20 * time.Second
	// vncterm's default terminal size, unless vncproxy gets width and
	// height.
	lxcScreenWidth, lxcScreenHeight = 744, 400
	vncPasswordTTL                  = 30 * time.Second // qm vncproxy: expire_password +30
	vncTicketMaxAge                 = 40               // seconds, verify_rsa_ticket's max_age
	vncTicketMinAge                 = -20
	wsMaxPayload                    = 128 << 10 // pveproxy's $max_payload_size
	vncScreenWidth                  = 800
	vncScreenHeight                 = 600
)

// vncState is the console side of the simulator, guarded by Sim.mu.
type vncState struct {
	tickets map[string]*vncTicket // by ticket, without a password prefix
	screens map[int]*guestScreen  // by vmid
}

// guestScreen is a guest's display; it lasts as long as the guest runs,
// so reconnecting shows the same screen.
type guestScreen struct {
	started time.Time
	screen  *rfb.Screen
}

// vncTicket is one vncproxy answer and its worker.
type vncTicket struct {
	ticket   string // as answered
	password string // what the VNC server accepts
	user     string
	vmid     int
	kind     string
	node     string
	local    string // the listener that answered; the worker listens there
	port     int
	issued   time.Time
	task     *task
	used     bool // the worker accepted a connection (QEMU's worker takes one only)
	// websocket is whether vncproxy was asked for websocket=1: without
	// it QEMU (9.1.7 and later) and vncterm speak VeNCrypt (TLS).
	websocket bool
	// lxcScreen is the vncterm's terminal, shared by its clients.
	lxcScreen *rfb.Screen
	// booted is when the guest last started, as the session began: a
	// reboot replaces the QEMU process, and the console with it.
	booted time.Time
}

// addVNCRoutes adds vncproxy and vncwebsocket for qemu and lxc to the
// route table.
func addVNCRoutes(add func(method, pattern, perm string, privs []string, h func(*Sim, *call) (any, error), params ...param)) {
	console := []string{"VM.Console"}
	websocket := param{name: "websocket", typ: "boolean"}
	add("POST", "/nodes/{node}/qemu/{vmid}/vncproxy", "/vms/{vmid}", console, vncProxyHandler("qemu"),
		param{name: "generate-password", typ: "boolean"}, websocket)
	add("POST", "/nodes/{node}/lxc/{vmid}/vncproxy", "/vms/{vmid}", console, vncProxyHandler("lxc"),
		param{name: "height", typ: "integer", min: ptr(16), max: ptr(2160)}, websocket,
		param{name: "width", typ: "integer", min: ptr(16), max: ptr(4096)})
	for _, kind := range []string{"qemu", "lxc"} {
		add("GET", "/nodes/{node}/"+kind+"/{vmid}/vncwebsocket", "/vms/{vmid}", console, vncWebsocketHandler(kind),
			param{name: "port", typ: "integer", min: ptr(vncFirstPort), max: ptr(vncLastPort), required: true},
			param{name: "vncticket", typ: "string", required: true})
	}
}

// randomString returns n characters drawn uniformly from alphabet
// (whose length must divide 256).
func randomString(n int, alphabet string) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("pvesim: crypto/rand: %v", err))
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// vncPasswordChars is PVE::Ticket::generate_vnc_password's range, '!'
// through '`': 64 characters, 6 bits each.
var vncPasswordChars = func() string {
	var b strings.Builder
	for c := byte('!'); c <= '`'; c++ {
		b.WriteByte(c)
	}
	return b.String()
}()

func vncProxyHandler(kind string) func(*Sim, *call) (any, error) {
	return func(s *Sim, c *call) (any, error) {
		g, err := s.guestOn(c, kind)
		if err != nil {
			return nil, err
		}
		port, ok := s.freeVNCPortLocked(g.node.name)
		if !ok {
			return nil, errorf(http.StatusInternalServerError, "unable to find free port (%d-%d)", vncFirstPort, vncLastPort)
		}
		// An RSA-2048 signature in base64 is 344 characters; the
		// simulator's is random, which is as unguessable.
		sig := make([]byte, 256)
		if _, err := rand.Read(sig); err != nil {
			return nil, err
		}
		core := fmt.Sprintf("PVEVNC:%08X::%s", c.now.Unix(), base64.StdEncoding.EncodeToString(sig))
		tk := &vncTicket{ticket: core, user: c.user, vmid: g.vmid, kind: kind, node: g.node.name,
			local: c.local, port: port, issued: c.now, websocket: c.boolParam("websocket")}
		accept := vncConnectTimeout
		if kind == "lxc" {
			// vncterm: several clients on one terminal, sized by
			// width and height (744×400 by default).
			accept = lxcConnectTimeout
			tk.lxcScreen = rfb.NewScreen(rfb.ScreenConfig{Width: c.intParam("width", lxcScreenWidth),
				Height: c.intParam("height", lxcScreenHeight), Name: g.name, Boot: g.startedAt, Now: s.now})
		}

		// Which answer carries a password, and what the VNC server
		// then accepts (see the package comment).
		var answerPassword bool
		switch {
		case s.cfg.LegacyVNC:
			answerPassword = kind == "qemu" && c.boolParam("generate-password")
		case kind == "qemu":
			answerPassword = true // no serial display in the simulator
		default:
			answerPassword = c.boolParam("websocket")
		}
		if answerPassword {
			tk.password = randomString(8, vncPasswordChars)
			if !s.cfg.LegacyVNC {
				tk.ticket = tk.password + ":" + core
			}
		} else {
			tk.password = tk.ticket // QEMU compares its first 8 bytes
		}

		n := g.node
		pid := n.nextPID
		n.nextPID += 3 + int(mix(uint64(pid), uint64(s.cfg.Seed))%97)
		u := n.taskID(c.now, pid, "vncproxy", strconv.Itoa(g.vmid), c.user)
		// The worker is not serialised with the guest's other tasks
		// (no guest lock), hence no guest on the task.
		t := &task{u: u, upid: u.String(), node: n, action: "vncproxy", params: c.params,
			begun: true, begin: c.now, end: c.now.Add(accept), exit: "connection timed out"}
		s.tasks = append(s.tasks, t)
		s.active = append(s.active, t)
		s.taskByUPID[t.upid] = t
		tk.task = t

		if s.vnc.tickets == nil {
			s.vnc.tickets = make(map[string]*vncTicket)
		}
		s.pruneVNCTicketsLocked(c.now)
		s.vnc.tickets[core] = tk

		res := map[string]any{
			"user":   c.user,
			"ticket": tk.ticket,
			// The schema says integer; pveproxy sends the port as a
			// string (Perl stringified it building the ticket).
			"port": strconv.Itoa(port),
			"upid": t.upid,
			"cert": string(s.ca.pem), // the cluster CA, not the node's certificate
		}
		if answerPassword {
			res["password"] = tk.password
		}
		return res, nil
	}
}

// freeVNCPortLocked is PVE::Tools::next_vnc_port: the lowest port no
// running vncproxy worker of the node listens on or serves.
func (s *Sim) freeVNCPortLocked(node string) (int, bool) {
	busy := make(map[int]bool)
	for _, tk := range s.vnc.tickets {
		if tk.node == node && !tk.task.done {
			busy[tk.port] = true
		}
	}
	for p := vncFirstPort; p <= vncLastPort; p++ {
		if !busy[p] {
			return p, true
		}
	}
	return 0, false
}

// pruneVNCTicketsLocked forgets tickets that can no longer verify and
// whose worker has ended.
func (s *Sim) pruneVNCTicketsLocked(now time.Time) {
	for k, tk := range s.vnc.tickets {
		if tk.task.done && now.Unix()-tk.issued.Unix() >= vncTicketMaxAge {
			delete(s.vnc.tickets, k)
		}
	}
}

var passwordPrefixRE = regexp.MustCompile(`^.{8}:(PVEVNC:.*)$`)

// verifyVNCTicketLocked is PVE::AccessControl::verify_vnc_ticket: the
// password prefix is ignored, and the ticket must be signed for this
// user, /vms/{vmid} and port and be between -20 and 40 seconds old.
func (s *Sim) verifyVNCTicketLocked(ticket, user string, vmid, port int, now time.Time) *vncTicket {
	if m := passwordPrefixRE.FindStringSubmatch(ticket); m != nil {
		ticket = m[1]
	}
	tk := s.vnc.tickets[ticket]
	// Before qemu-server 9.1.7 a ticket names only the user and the
	// path (/vms/{vmid}); from 9.1.7 on it is also bound to the port.
	if tk == nil || tk.user != user || tk.vmid != vmid || (tk.port != port && !s.cfg.LegacyVNC) {
		return nil
	}
	age := now.Unix() - tk.issued.Unix()
	if age <= vncTicketMinAge || age >= vncTicketMaxAge {
		return nil
	}
	return tk
}

func vncWebsocketHandler(kind string) func(*Sim, *call) (any, error) {
	return func(s *Sim, c *call) (any, error) {
		ticket := c.params["vncticket"]
		if len(ticket) > 512 {
			return nil, paramError(map[string]string{"vncticket": "value may only be 512 characters long"})
		}
		port := c.intParam("port", 0)
		tk := s.verifyVNCTicketLocked(ticket, c.user, c.vmid, port, c.now)
		if tk == nil {
			return nil, errorf(http.StatusUnauthorized, "permission denied - invalid PVEVNC ticket")
		}
		if _, err := s.guestOn(c, kind); err != nil {
			return nil, err
		}
		return &vncUpgrade{s: s, tk: tk, local: c.local, port: port}, nil
	}
}

// upgrader is data a handler answers when the response is not JSON;
// ServeHTTP hands it the connection, without Sim.mu held.
type upgrader interface {
	serveUpgrade(w http.ResponseWriter, r *http.Request)
}

// vncUpgrade is a verified vncwebsocket call: without an Upgrade header
// it answers {port} like the API method; with one, pveproxy's
// websocket_proxy takes over.
type vncUpgrade struct {
	s     *Sim
	tk    *vncTicket
	local string
	port  int // the port asked for; only the ticket's worker listens there
}

func (u *vncUpgrade) serveUpgrade(w http.ResponseWriter, r *http.Request) {
	upgrade := r.Header.Get("Upgrade")
	if upgrade == "" {
		writeData(w, map[string]any{"port": strconv.Itoa(u.tk.port)})
		return
	}
	if !strings.EqualFold(upgrade, "websocket") {
		writeError(w, r, errorf(http.StatusInternalServerError, "unable to upgrade to protocol '%s'", strings.ToLower(upgrade)))
		return
	}
	if v := r.Header.Get("Sec-WebSocket-Version"); v != "13" {
		writeError(w, r, errorf(http.StatusInternalServerError, "unsupported websocket-version '%s'", v))
		return
	}
	key := r.Header.Get("Sec-WebSocket-Key")
	if key == "" {
		writeError(w, r, errorf(http.StatusInternalServerError, "missing websocket-key"))
		return
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		writeError(w, r, errorf(http.StatusInternalServerError, "pvesim: connection cannot be taken over"))
		return
	}
	conn, brw, err := hj.Hijack()
	if err != nil {
		return
	}
	defer conn.Close()

	s, tk := u.s, u.tk
	s.mu.Lock()
	now := s.now()
	s.advanceLocked(now)
	g := s.guestByID[tk.vmid]
	// pveproxy connects to localhost:port on the node that received
	// the request; only the worker's one accept answers there.
	if (tk.used && tk.kind == "qemu") || tk.task.done || u.local != tk.local || u.port != tk.port || g == nil {
		s.mu.Unlock()
		return // nothing listens: the connection closes unanswered
	}
	tk.used = true
	t := tk.task
	t.end, t.exit = now.Add(100*365*24*time.Hour), ""
	running := g.running
	screen := tk.lxcScreen
	if screen == nil {
		screen = s.guestScreenLocked(g, now)
	}
	vencrypt := !tk.websocket && (tk.kind == "lxc" || !s.cfg.LegacyVNC)
	name := g.name
	if g.kind == "qemu" {
		name = "QEMU (" + g.name + ")"
	}
	guestName, boot := g.name, g.startedAt
	tk.booted = boot
	s.mu.Unlock()

	sum := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	fmt.Fprintf(brw, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\nSec-WebSocket-Accept: %s\r\n",
		base64.StdEncoding.EncodeToString(sum[:]))
	// pveproxy echoes the requested subprotocol header as it came.
	if p := r.Header.Get("Sec-WebSocket-Protocol"); p != "" {
		fmt.Fprintf(brw, "Sec-WebSocket-Protocol: %s\r\n", p)
	}
	brw.WriteString("\r\n")
	if err := brw.Flush(); err != nil {
		s.endVNCTask(t, "")
		return
	}
	if !running {
		// qm vncproxy fails on the monitor; the worker closes the
		// socket right after accepting it.
		s.endVNCTask(t, fmt.Sprintf("%s %d not running", map[string]string{"qemu": "VM", "lxc": "CT"}[tk.kind], tk.vmid))
		return
	}

	// The VNC server: the guest's real QEMU (Config.QEMUConsoles, see
	// qemu.go), or the built-in RFB server on the other end of a pipe.
	var vncSide, rfbSide net.Conn
	if s.useQEMUConsole(tk.kind, tk.vmid) {
		c, err := s.dialQEMUConsole(tk.vmid, guestName, boot, tk.password)
		if err != nil {
			s.endVNCTask(t, err.Error())
			return
		}
		vncSide = c
	} else {
		vncSide, rfbSide = net.Pipe()
	}
	b := &wsBridge{conn: conn, in: brw.Reader, vnc: vncSide, done: make(chan struct{})}
	var wg sync.WaitGroup
	if rfbSide != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rfb.Serve(rfbSide, rfb.Config{Name: name, Password: tk.password, PasswordExpires: now.Add(vncPasswordTTL),
				Now: s.now, Screen: screen, VeNCrypt: vencrypt})
			// The VNC server hung up (after refusing a password, say):
			// vncToClient still relays what it read before the end,
			// then finds the end and stops the bridge, as pveproxy
			// does when its local connection closes.
			rfbSide.Close()
		}()
	}
	wg.Add(3)
	go func() { defer wg.Done(); b.stopAfter(b.clientToVNC()) }()
	go func() { defer wg.Done(); b.stopAfter(b.vncToClient()) }()
	go func() { defer wg.Done(); b.stopAfter(s.watchGuest(tk, b.done)) }()
	<-b.done
	conn.Close()
	vncSide.Close()
	if rfbSide != nil {
		rfbSide.Close()
	}
	wg.Wait()
	s.endVNCTask(t, "")
}

// guestScreenLocked returns the guest's screen, new after each boot.
func (s *Sim) guestScreenLocked(g *guest, now time.Time) *rfb.Screen {
	if s.vnc.screens == nil {
		s.vnc.screens = make(map[int]*guestScreen)
	}
	gs := s.vnc.screens[g.vmid]
	if gs == nil || !gs.started.Equal(g.startedAt) {
		boot := g.startedAt
		if boot.IsZero() {
			boot = now
		}
		gs = &guestScreen{started: g.startedAt, screen: rfb.NewScreen(rfb.ScreenConfig{
			Width: vncScreenWidth, Height: vncScreenHeight, Name: g.name, Boot: boot, Now: s.now})}
		s.vnc.screens[g.vmid] = gs
	}
	return gs.screen
}

// endVNCTask ends a worker now, with exit "" for OK.
func (s *Sim) endVNCTask(t *task, exit string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if t.done {
		return
	}
	t.end, t.exit = now, exit
	s.advanceLocked(now)
}

// vncWatchInterval is how often an open console checks that its guest
// still runs.
const vncWatchInterval = 100 * time.Millisecond

// watchGuest returns when the guest stops, reboots, goes away or its node
// goes offline (QEMU exits and the relay with it), or when done closes.
func (s *Sim) watchGuest(tk *vncTicket, done <-chan struct{}) error {
	tick := time.NewTicker(vncWatchInterval)
	defer tick.Stop()
	for {
		select {
		case <-done:
			return nil
		case <-tick.C:
		}
		if !s.guestConsoleAlive(tk) {
			return errors.New("guest stopped")
		}
	}
}

func (s *Sim) guestConsoleAlive(tk *vncTicket) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advanceLocked(s.now())
	g := s.guestByID[tk.vmid]
	return g != nil && g.running && g.node.name == tk.node && g.node.online && g.startedAt.Equal(tk.booted)
}

// wsBridge relays between a client's WebSocket and the VNC server the
// way pveproxy's websocket_proxy does.
type wsBridge struct {
	conn net.Conn
	in   *bufio.Reader
	vnc  net.Conn

	writeMu sync.Mutex

	once sync.Once
	done chan struct{}
}

func (b *wsBridge) stop() { b.once.Do(func() { close(b.done) }) }

func (b *wsBridge) stopAfter(error) { b.stop() }

// clientToVNC forwards client frames' payloads and enforces pveproxy's
// rules; any violation ends the connection.
func (b *wsBridge) clientToVNC() error {
	for {
		op, payload, err := readClientFrame(b.in)
		if err != nil {
			return err
		}
		switch op {
		case 1, 2:
			if _, err := b.vnc.Write(payload); err != nil {
				return err
			}
		case 8:
			return io.EOF
		case 9:
			if err := b.writeFrame(0x8A, payload); err != nil {
				return err
			}
		case 10:
		default:
			return fmt.Errorf("received unhandled websocket opcode %d", op)
		}
	}
}

// vncToClient sends what the VNC server writes as binary frames of at
// most 128 KiB.
func (b *wsBridge) vncToClient() error {
	buf := make([]byte, wsMaxPayload)
	for {
		n, err := b.vnc.Read(buf)
		if n > 0 {
			if werr := b.writeFrame(0x82, buf[:n]); werr != nil {
				return werr
			}
		}
		if err != nil {
			return err
		}
	}
}

func (b *wsBridge) writeFrame(first byte, payload []byte) error {
	h := []byte{first}
	switch n := len(payload); {
	case n <= 125:
		h = append(h, byte(n))
	case n <= 0xffff:
		h = binary.BigEndian.AppendUint16(append(h, 126), uint16(n))
	default:
		h = binary.BigEndian.AppendUint64(append(h, 127), uint64(n))
	}
	b.writeMu.Lock()
	defer b.writeMu.Unlock()
	if _, err := b.conn.Write(append(h, payload...)); err != nil {
		return err
	}
	return nil
}

// readClientFrame reads one frame with pveproxy's checks, in its order.
func readClientFrame(r *bufio.Reader) (opcode byte, payload []byte, err error) {
	var h [2]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return 0, nil, err
	}
	if h[0]&0x80 == 0 {
		return 0, nil, errors.New("received fragmented websocket frame")
	}
	if h[0]&0x70 != 0 {
		return 0, nil, errors.New("received websocket frame with RSV flags")
	}
	if h[1]&0x80 == 0 {
		return 0, nil, errors.New("received unmasked websocket frame from client")
	}
	n := uint64(h[1] & 0x7f)
	switch n {
	case 126:
		var l [2]byte
		if _, err := io.ReadFull(r, l[:]); err != nil {
			return 0, nil, err
		}
		n = uint64(binary.BigEndian.Uint16(l[:]))
	case 127:
		var l [8]byte
		if _, err := io.ReadFull(r, l[:]); err != nil {
			return 0, nil, err
		}
		n = binary.BigEndian.Uint64(l[:])
	}
	if n > wsMaxPayload {
		return 0, nil, fmt.Errorf("received too large websocket frame (len = %d)", n)
	}
	var mask [4]byte
	if _, err := io.ReadFull(r, mask[:]); err != nil {
		return 0, nil, err
	}
	payload = make([]byte, n)
	if _, err := io.ReadFull(r, payload); err != nil {
		return 0, nil, err
	}
	for i := range payload {
		payload[i] ^= mask[i%4]
	}
	return h[0] & 0x0f, payload, nil
}
