package pvesim

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"cecyber/proxmox/pvesim/rfb"
)

// vncAnswer is vncproxy's data.
type vncAnswer struct {
	Port     string `json:"port"`
	Ticket   string `json:"ticket"`
	Password string `json:"password"`
	User     string `json:"user"`
	UPID     string `json:"upid"`
	Cert     string `json:"cert"`
}

// knownSchemaGaps adjusts responses where real servers knowingly differ
// from the schema, so the rest of the response is still checked: vncproxy
// declares port an integer and pveproxy sends a string.
func knownSchemaGaps(t *testing.T, path string, data []byte) []byte {
	t.Helper()
	if strings.Contains(path, "/lxc") && (strings.HasSuffix(path, "/status/current") || strings.HasSuffix(path, "/lxc")) {
		return lxcPressureNumbers(t, data)
	}
	if !strings.HasSuffix(path, "/vncproxy") {
		return data
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	p, ok := m["port"].(string)
	if !ok {
		t.Fatalf("vncproxy port is %T; pveproxy sends a string", m["port"])
	}
	n, err := strconv.Atoi(p)
	if err != nil {
		t.Fatalf("vncproxy port %q: %v", p, err)
	}
	m["port"] = n
	return mustJSON(t, m)
}

// lxcPressureNumbers: pve-container's vmstatus (PVE/LXC.pm) passes the
// pressure averages on as the strings it read from the cgroup, where
// qemu-server multiplies them by 1; the schema says number.
func lxcPressureNumbers(t *testing.T, data []byte) []byte {
	t.Helper()
	fix := func(m map[string]any) {
		for k, v := range m {
			if !strings.HasPrefix(k, "pressure") {
				continue
			}
			s, ok := v.(string)
			if !ok {
				t.Fatalf("%s is %T; pve-container sends a string", k, v)
			}
			f, err := strconv.ParseFloat(s, 64)
			if err != nil {
				t.Fatalf("%s %q: %v", k, s, err)
			}
			m[k] = f
		}
	}
	var list []map[string]any
	if json.Unmarshal(data, &list) == nil {
		for _, m := range list {
			fix(m)
		}
		return mustJSON(t, list)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	fix(m)
	return mustJSON(t, m)
}

// vncWebsocketParams asks for a console on g, for the schema test's plain
// GET of vncwebsocket.
func vncWebsocketParams(t *testing.T, srv *Server, tok Token, kind string, g Guest) url.Values {
	t.Helper()
	a := vncProxy(t, srv, tok, kind, g.Node, g.VMID, url.Values{"websocket": {"1"}})
	return url.Values{"port": {a.Port}, "vncticket": {a.Ticket}}
}

func vncProxy(t testing.TB, srv *Server, tok Token, kind, node string, vmid int, params url.Values) vncAnswer {
	t.Helper()
	r := request(t, srv, tok, "POST", fmt.Sprintf("/nodes/%s/%s/%d/vncproxy", node, kind, vmid), params)
	if r.status != http.StatusOK {
		t.Fatalf("vncproxy: %d %s", r.status, r.reason)
	}
	var a vncAnswer
	if err := json.Unmarshal(r.data, &a); err != nil {
		t.Fatalf("vncproxy: %s: %v", r.data, err)
	}
	return a
}

func pickGuest(t testing.TB, srv *Server, kind, status string) Guest {
	t.Helper()
	for _, g := range srv.Guests() {
		if g.Type == kind && g.Status == status && !g.Template && g.Lock == "" && g.HAState == "" {
			return g
		}
	}
	t.Fatalf("no plain %s %s guest", status, kind)
	return Guest{}
}

// dialConsole opens vncwebsocket like the console proxy does: gorilla,
// the token header, TLS trusting the simulator's certificates. A write
// buffer above 128 KiB keeps gorilla from fragmenting messages unless a
// test wants it to.
func dialConsole(t testing.TB, srv *Server, tok Token, kind string, g Guest, a vncAnswer, writeBuf int) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	if writeBuf == 0 {
		writeBuf = 256 << 10
	}
	d := websocket.Dialer{
		TLSClientConfig:  &tls.Config{RootCAs: srv.CertPool(), MinVersion: tls.VersionTLS12},
		Subprotocols:     []string{"binary"},
		HandshakeTimeout: 5 * time.Second,
		WriteBufferSize:  writeBuf,
	}
	u := strings.Replace(srv.URL, "https://", "wss://", 1) + apiPrefix +
		fmt.Sprintf("/nodes/%s/%s/%d/vncwebsocket?port=%s&vncticket=%s", g.Node, kind, g.VMID, a.Port, url.QueryEscape(a.Ticket))
	h := http.Header{"Authorization": {"PVEAPIToken=" + tok.ID + "=" + tok.Secret}}
	c, res, err := d.Dial(u, h)
	if c != nil {
		t.Cleanup(func() { c.Close() })
	}
	return c, res, err
}

// wsStream reads and writes an RFB byte stream over WebSocket messages.
type wsStream struct {
	c   *websocket.Conn
	buf []byte
}

func (s *wsStream) Read(p []byte) (int, error) {
	for len(s.buf) == 0 {
		typ, b, err := s.c.ReadMessage()
		if err != nil {
			return 0, err
		}
		if typ != websocket.BinaryMessage {
			return 0, fmt.Errorf("message type %d; want binary", typ)
		}
		s.buf = b
	}
	n := copy(p, s.buf)
	s.buf = s.buf[n:]
	return n, nil
}

func (s *wsStream) Write(p []byte) (int, error) {
	return len(p), s.c.WriteMessage(websocket.BinaryMessage, p)
}

// rfbLogin does the RFB 3.8 handshake with VNC Authentication and returns
// the security result, the failure reason, and the ServerInit's size and
// name on success.
func rfbLogin(t testing.TB, s io.ReadWriter, password string) (result uint32, reason string, w, h int, name string) {
	t.Helper()
	read := func(n int) []byte {
		t.Helper()
		b := make([]byte, n)
		if _, err := io.ReadFull(s, b); err != nil {
			t.Fatalf("rfb: read %d: %v", n, err)
		}
		return b
	}
	if v := string(read(12)); v != "RFB 003.008\n" {
		t.Fatalf("rfb version %q", v)
	}
	s.Write([]byte("RFB 003.008\n"))
	if types := read(int(read(1)[0])); !bytes.Equal(types, []byte{2}) {
		t.Fatalf("security types %v; want [2] (VNC Authentication)", types)
	}
	s.Write([]byte{2})
	var ch [16]byte
	copy(ch[:], read(16))
	resp := rfb.EncryptChallenge(password, ch)
	s.Write(resp[:])
	result = binary.BigEndian.Uint32(read(4))
	if result != 0 {
		return result, string(read(int(binary.BigEndian.Uint32(read(4))))), 0, 0, ""
	}
	s.Write([]byte{1})
	init := read(24)
	w, h = int(binary.BigEndian.Uint16(init[0:])), int(binary.BigEndian.Uint16(init[2:]))
	name = string(read(int(binary.BigEndian.Uint32(init[20:]))))
	return 0, "", w, h, name
}

func vncTaskStatus(t testing.TB, srv *Server, tok Token, node, upid string) (status, exit string) {
	t.Helper()
	var st struct {
		Status     string `json:"status"`
		ExitStatus string `json:"exitstatus"`
		Type       string `json:"type"`
	}
	get(t, srv, tok, "/nodes/"+node+"/tasks/"+url.PathEscape(upid)+"/status", nil, &st)
	if st.Type != "vncproxy" {
		t.Errorf("task type %q; want vncproxy", st.Type)
	}
	return st.Status, st.ExitStatus
}

// waitTask waits for a vncproxy task to stop, which its worker does once
// it sees its sockets close, and returns its exit status.
func waitTask(t testing.TB, srv *Server, tok Token, node, upid string) string {
	t.Helper()
	var st, exit string
	if !eventually(5*time.Second, func() bool {
		st, exit = vncTaskStatus(t, srv, tok, node, upid)
		return st == "stopped"
	}) {
		t.Fatalf("task %s still %s", upid, st)
	}
	return exit
}

// expectClosed reads until the server closes the connection.
func expectClosed(t testing.TB, c *websocket.Conn) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		_, _, err := c.ReadMessage()
		if err == nil {
			continue
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatal("the server kept the connection open")
		}
		return
	}
}

func TestConsoleOverWebSocket(t *testing.T) {
	t.Parallel()
	srv := NewTestServer(t, Config{})
	admin := srv.AdminToken()
	g := pickGuest(t, srv, "qemu", "running")
	a := vncProxy(t, srv, admin, "qemu", g.Node, g.VMID, url.Values{"websocket": {"1"}})

	if p, err := strconv.Atoi(a.Port); err != nil || p < 5900 || p > 5999 {
		t.Errorf("port %q; want a string 5900–5999", a.Port)
	}
	if len(a.Password) != 8 || strings.Trim(a.Password, vncPasswordChars) != "" {
		t.Errorf("password %q; want 8 characters '!'..'`'", a.Password)
	}
	if !strings.HasPrefix(a.Ticket, a.Password+":PVEVNC:") {
		t.Errorf("ticket %q; want the password, then PVEVNC:", a.Ticket)
	}
	if a.User != AdminTokenID {
		t.Errorf("user %q; want %q", a.User, AdminTokenID)
	}
	if a.Cert != string(srv.ClusterCA()) {
		t.Errorf("cert is not the cluster CA (pve-root-ca.pem)")
	}
	if u, err := parseUPID(a.UPID); err != nil || u.Type != "vncproxy" || u.ID != strconv.Itoa(g.VMID) || u.User != AdminTokenID {
		t.Errorf("upid %q (%v)", a.UPID, err)
	}
	if st, _ := vncTaskStatus(t, srv, admin, g.Node, a.UPID); st != "running" {
		t.Errorf("task %s before connecting; want running", st)
	}

	c, res, err := dialConsole(t, srv, admin, "qemu", g, a, 0)
	if err != nil {
		t.Fatalf("dial: %v (%v)", err, res)
	}
	if c.Subprotocol() != "binary" {
		t.Errorf("subprotocol %q; want binary", c.Subprotocol())
	}
	s := &wsStream{c: c}
	result, reason, w, h, name := rfbLogin(t, s, a.Password)
	if result != 0 {
		t.Fatalf("VNC auth failed: %q", reason)
	}
	if w != vncScreenWidth || h != vncScreenHeight || name != "QEMU ("+g.Name+")" {
		t.Errorf("ServerInit %dx%d %q", w, h, name)
	}
	// A full update in Raw: header, one rectangle, w×h×4 bytes.
	s.Write([]byte{3, 0, 0, 0, 0, 0, byte(w >> 8), byte(w), byte(h >> 8), byte(h)})
	hdr := make([]byte, 4+12)
	if _, err := io.ReadFull(s, hdr); err != nil {
		t.Fatal(err)
	}
	if hdr[0] != 0 || binary.BigEndian.Uint16(hdr[2:]) != 1 || binary.BigEndian.Uint32(hdr[12:]) != 0 {
		t.Fatalf("update header % x", hdr)
	}
	if _, err := io.ReadFull(s, make([]byte, w*h*4)); err != nil {
		t.Fatalf("framebuffer: %v", err)
	}
	// Text frames are forwarded too, as by pveproxy: a key press.
	key := []byte{4, 1, 0, 0, 0, 0, 0, 'x'}
	if err := c.WriteMessage(websocket.TextMessage, key); err != nil {
		t.Fatal(err)
	}
	srv.mu.Lock()
	screen := srv.vnc.screens[g.VMID].screen
	srv.mu.Unlock()

	if st, _ := vncTaskStatus(t, srv, admin, g.Node, a.UPID); st != "running" {
		t.Errorf("task %s while connected; want running", st)
	}
	c.Close()
	if exit := waitTask(t, srv, admin, g.Node, a.UPID); exit != "OK" {
		t.Errorf("task exit %q after the client left; want OK", exit)
	}

	// The screen outlives the connection.
	a2 := vncProxy(t, srv, admin, "qemu", g.Node, g.VMID, url.Values{"websocket": {"1"}})
	if a2.Port != a.Port {
		t.Errorf("second port %s; want %s again (the first worker ended)", a2.Port, a.Port)
	}
	c2, _, err := dialConsole(t, srv, admin, "qemu", g, a2, 0)
	if err != nil {
		t.Fatal(err)
	}
	if result, reason, _, _, _ := rfbLogin(t, &wsStream{c: c2}, a2.Password); result != 0 {
		t.Fatalf("reconnect: %q", reason)
	}
	srv.mu.Lock()
	same := srv.vnc.screens[g.VMID].screen == screen
	srv.mu.Unlock()
	if !same {
		t.Error("the guest got a new screen on reconnect")
	}
}

func TestConsoleLegacyTicketAsPassword(t *testing.T) {
	t.Parallel()
	srv := NewTestServer(t, Config{LegacyVNC: true})
	admin := srv.AdminToken()
	g := pickGuest(t, srv, "qemu", "running")

	a := vncProxy(t, srv, admin, "qemu", g.Node, g.VMID, url.Values{"websocket": {"1"}})
	if a.Password != "" || !strings.HasPrefix(a.Ticket, "PVEVNC:") {
		t.Fatalf("legacy answer password %q ticket %.20q; want no password, a bare ticket", a.Password, a.Ticket)
	}
	c, _, err := dialConsole(t, srv, admin, "qemu", g, a, 0)
	if err != nil {
		t.Fatal(err)
	}
	if result, reason, _, _, _ := rfbLogin(t, &wsStream{c: c}, a.Ticket); result != 0 {
		t.Fatalf("ticket as password: %q", reason)
	}

	a = vncProxy(t, srv, admin, "qemu", g.Node, g.VMID, url.Values{"websocket": {"1"}, "generate-password": {"1"}})
	if len(a.Password) != 8 || strings.HasPrefix(a.Ticket, a.Password) {
		t.Fatalf("legacy generate-password: password %q ticket %.20q", a.Password, a.Ticket)
	}
	c, _, err = dialConsole(t, srv, admin, "qemu", g, a, 0)
	if err != nil {
		t.Fatal(err)
	}
	if result, reason, _, _, _ := rfbLogin(t, &wsStream{c: c}, a.Password); result != 0 {
		t.Fatalf("generated password: %q", reason)
	}
}

func TestConsoleLXC(t *testing.T) {
	t.Parallel()
	srv := NewTestServer(t, Config{})
	admin := srv.AdminToken()
	g := pickGuest(t, srv, "lxc", "running")
	if a := vncProxy(t, srv, admin, "lxc", g.Node, g.VMID, nil); a.Password != "" {
		t.Errorf("lxc without websocket answered password %q; pve-container does not", a.Password)
	}
	a := vncProxy(t, srv, admin, "lxc", g.Node, g.VMID, url.Values{"websocket": {"1"}, "width": {"800"}, "height": {"600"}})
	c, _, err := dialConsole(t, srv, admin, "lxc", g, a, 0)
	if err != nil {
		t.Fatal(err)
	}
	if result, reason, _, _, name := rfbLogin(t, &wsStream{c: c}, a.Password); result != 0 || name != g.Name {
		t.Fatalf("lxc console: result %d %q, name %q", result, reason, name)
	}
}

func TestConsoleRefusals(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	srv := NewTestServer(t, Config{Now: clk.Now})
	admin := srv.AdminToken()
	other := Token{ID: "root@pam!other", Secret: newUUID(), ACL: []ACL{{Path: "/", Privs: AllPrivileges}}}
	srv.AddToken(other)
	g := pickGuest(t, srv, "qemu", "running")
	wsPath := fmt.Sprintf("/nodes/%s/qemu/%d/vncwebsocket", g.Node, g.VMID)
	const invalid = "permission denied - invalid PVEVNC ticket"

	t.Run("ErrOtherToken", func(t *testing.T) {
		a := vncProxy(t, srv, admin, "qemu", g.Node, g.VMID, url.Values{"websocket": {"1"}})
		r := request(t, srv, other, "GET", wsPath, url.Values{"port": {a.Port}, "vncticket": {a.Ticket}})
		if r.status != http.StatusUnauthorized || r.reason != invalid {
			t.Errorf("%d %q; want 401 %q", r.status, r.reason, invalid)
		}
		if _, res, err := dialConsole(t, srv, other, "qemu", g, a, 0); err == nil || res == nil || res.StatusCode != 401 {
			t.Errorf("upgrade with another token: %v %v; want 401", err, res)
		}
	})
	t.Run("ErrOtherPort", func(t *testing.T) {
		a := vncProxy(t, srv, admin, "qemu", g.Node, g.VMID, url.Values{"websocket": {"1"}})
		p, _ := strconv.Atoi(a.Port)
		r := request(t, srv, admin, "GET", wsPath, url.Values{"port": {strconv.Itoa(p + 1)}, "vncticket": {a.Ticket}})
		if r.status != http.StatusUnauthorized || r.reason != invalid {
			t.Errorf("%d %q; want 401 %q", r.status, r.reason, invalid)
		}
	})
	t.Run("OKTicketWithoutPasswordPrefix", func(t *testing.T) {
		a := vncProxy(t, srv, admin, "qemu", g.Node, g.VMID, url.Values{"websocket": {"1"}})
		r := request(t, srv, admin, "GET", wsPath, url.Values{"port": {a.Port}, "vncticket": {strings.TrimPrefix(a.Ticket, a.Password+":")}})
		if r.status != http.StatusOK || string(r.data) != `{"port":"`+a.Port+`"}` {
			t.Errorf("%d %s; want 200 {port}", r.status, r.data)
		}
	})
	t.Run("ErrReusedTicket", func(t *testing.T) {
		a := vncProxy(t, srv, admin, "qemu", g.Node, g.VMID, url.Values{"websocket": {"1"}})
		c, _, err := dialConsole(t, srv, admin, "qemu", g, a, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, _, err := dialConsole(t, srv, admin, "qemu", g, a, 0); err == nil {
			t.Error("second connection with the same ticket was accepted")
		}
	})
	t.Run("ErrExpiredTicket", func(t *testing.T) {
		a := vncProxy(t, srv, admin, "qemu", g.Node, g.VMID, url.Values{"websocket": {"1"}})
		clk.Advance(40 * time.Second)
		_, res, err := dialConsole(t, srv, admin, "qemu", g, a, 0)
		if err == nil || res == nil || res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("expired ticket: %v %v; want 401", err, res)
		}
		if exit := waitTask(t, srv, admin, g.Node, a.UPID); exit != "connection timed out" {
			t.Errorf("unused worker exit %q; want connection timed out", exit)
		}
	})
	t.Run("ErrNoConnectionWithin10s", func(t *testing.T) {
		a := vncProxy(t, srv, admin, "qemu", g.Node, g.VMID, url.Values{"websocket": {"1"}})
		clk.Advance(11 * time.Second)
		if _, _, err := dialConsole(t, srv, admin, "qemu", g, a, 0); err == nil {
			t.Error("connected after the worker gave up")
		}
	})
	t.Run("ErrPasswordExpired", func(t *testing.T) {
		a := vncProxy(t, srv, admin, "qemu", g.Node, g.VMID, url.Values{"websocket": {"1"}})
		c, _, err := dialConsole(t, srv, admin, "qemu", g, a, 0)
		if err != nil {
			t.Fatal(err)
		}
		clk.Advance(31 * time.Second)
		result, reason, _, _, _ := rfbLogin(t, &wsStream{c: c}, a.Password)
		if result != 1 || reason != "Authentication failed\x00" {
			t.Errorf("auth after 30 s: %d %q; want failure", result, reason)
		}
	})
	t.Run("ErrNoConsolePrivilege", func(t *testing.T) {
		auditor := mustToken(t, srv.Sim, AuditorTokenID)
		r := request(t, srv, auditor, "POST", fmt.Sprintf("/nodes/%s/qemu/%d/vncproxy", g.Node, g.VMID), url.Values{"websocket": {"1"}})
		want := fmt.Sprintf("Permission check failed (/vms/%d, VM.Console)", g.VMID)
		if r.status != http.StatusForbidden || r.reason != want {
			t.Errorf("%d %q; want 403 %q", r.status, r.reason, want)
		}
	})
}

// A stopped VM: like qemu-server, vncproxy answers (it does not check),
// the worker accepts the connection, `qm vncproxy` fails on the monitor
// and the socket closes before any RFB byte; the task says why.
func TestConsoleStoppedGuest(t *testing.T) {
	t.Parallel()
	srv := NewTestServer(t, Config{})
	admin := srv.AdminToken()
	for _, kind := range []string{"qemu", "lxc"} {
		g := pickGuest(t, srv, kind, "stopped")
		a := vncProxy(t, srv, admin, kind, g.Node, g.VMID, url.Values{"websocket": {"1"}})
		c, _, err := dialConsole(t, srv, admin, kind, g, a, 0)
		if err != nil {
			t.Fatal(err)
		}
		expectClosed(t, c)
		word := map[string]string{"qemu": "VM", "lxc": "CT"}[kind]
		if exit := waitTask(t, srv, admin, g.Node, a.UPID); exit != fmt.Sprintf("%s %d not running", word, g.VMID) {
			t.Errorf("%s task exit %q", kind, exit)
		}
	}
}

func TestConsoleClosesWhenGuestStops(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	srv := NewTestServer(t, Config{Now: clk.Now})
	admin := srv.AdminToken()
	g := pickGuest(t, srv, "qemu", "running")
	a := vncProxy(t, srv, admin, "qemu", g.Node, g.VMID, url.Values{"websocket": {"1"}})
	c, _, err := dialConsole(t, srv, admin, "qemu", g, a, 0)
	if err != nil {
		t.Fatal(err)
	}
	if result, _, _, _, _ := rfbLogin(t, &wsStream{c: c}, a.Password); result != 0 {
		t.Fatal("auth failed")
	}
	if r := request(t, srv, admin, "POST", fmt.Sprintf("/nodes/%s/qemu/%d/status/stop", g.Node, g.VMID), nil); r.status != 200 {
		t.Fatalf("stop: %d %s", r.status, r.reason)
	}
	clk.Advance(5 * time.Second)
	expectClosed(t, c)
	if exit := waitTask(t, srv, admin, g.Node, a.UPID); exit != "OK" {
		t.Errorf("task exit %q", exit)
	}
}

// pveproxy drops a client that sends a frame over 128 KiB or a
// fragmented message (gorilla fragments messages larger than its write
// buffer).
func TestConsoleClientFrameLimits(t *testing.T) {
	t.Parallel()
	srv := NewTestServer(t, Config{})
	admin := srv.AdminToken()
	g := pickGuest(t, srv, "qemu", "running")
	tests := []struct {
		name     string
		writeBuf int
		size     int
		closed   bool
	}{
		{"OK128KiB", 0, 128 << 10, false},
		{"ErrOver128KiB", 0, 128<<10 + 1, true},
		{"ErrFragmented", 4096, 10 << 10, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := vncProxy(t, srv, admin, "qemu", g.Node, g.VMID, url.Values{"websocket": {"1"}})
			c, _, err := dialConsole(t, srv, admin, "qemu", g, a, tt.writeBuf)
			if err != nil {
				t.Fatal(err)
			}
			s := &wsStream{c: c}
			if result, _, _, _, _ := rfbLogin(t, s, a.Password); result != 0 {
				t.Fatal("auth failed")
			}
			// A ClientCutText whose text fills the message.
			msg := make([]byte, tt.size)
			msg[0] = 6
			binary.BigEndian.PutUint32(msg[4:], uint32(tt.size-8))
			err = c.WriteMessage(websocket.BinaryMessage, msg)
			if tt.closed {
				if err == nil { // else the server reset the connection mid-write
					expectClosed(t, c)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			// Still alive: a full update request is answered.
			s.Write([]byte{3, 0, 0, 0, 0, 0, 0, 16, 0, 16})
			if _, err := io.ReadFull(s, make([]byte, 16+16*16*4)); err != nil {
				t.Fatalf("after a 128 KiB message: %v", err)
			}
		})
	}
}

func TestReadClientFrame(t *testing.T) {
	masked := func(first byte, payload []byte) []byte {
		b := []byte{first, 0x80 | byte(len(payload)), 1, 2, 3, 4}
		for i, c := range payload {
			b = append(b, c^[]byte{1, 2, 3, 4}[i%4])
		}
		return b
	}
	tests := []struct {
		name    string
		in      []byte
		wantErr string
	}{
		{"OK", masked(0x82, []byte("hello")), ""},
		{"ErrFragmented", masked(0x02, []byte("he")), "received fragmented websocket frame"},
		{"ErrRSV", masked(0xC2, []byte("x")), "received websocket frame with RSV flags"},
		{"ErrUnmasked", []byte{0x82, 1, 'x'}, "received unmasked websocket frame from client"},
		{"ErrTooLarge", []byte{0x82, 0xff, 0, 0, 0, 0, 0, 2, 0, 1}, "received too large websocket frame (len = 131073)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			op, p, err := readClientFrame(bufioReader(tt.in))
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Errorf("readClientFrame = %v; want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || op != 2 || string(p) != "hello" {
				t.Errorf("readClientFrame = %d %q %v", op, p, err)
			}
		})
	}
}

func bufioReader(b []byte) *bufio.Reader { return bufio.NewReader(bytes.NewReader(b)) }
