package app

import (
	"encoding/binary"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"cecyber/proxmox"
	"cecyber/proxmox/pvesim"
)

// TestOpenConsole opens a VM's console the way the window does and speaks
// RFB through the local proxy like noVNC: security None (the proxy answered
// Proxmox's VNC authentication), then the guest's framebuffer.
func TestOpenConsole(t *testing.T) {
	for _, version := range pvesim.Versions {
		t.Run(version, func(t *testing.T) { testOpenConsole(t, version) })
	}
}

func testOpenConsole(t *testing.T, version string) {
	sim := pvesim.NewTestServer(t, pvesim.Config{Nodes: 3, Guests: 24, Version: version})
	a, rec := newTestApp(t, Options{ConsoleOrigins: []string{"wails://wails"}})
	tok := sim.AdminToken()
	connect(t, a, proxmox.Config{Endpoint: sim.URL, TokenID: tok.ID, Secret: tok.Secret, Fingerprint: sim.Fingerprint})

	con, err := a.OpenConsole("c1", "qemu/101")
	if err != nil {
		t.Fatalf("OpenConsole() = %v", err)
	}
	if !strings.HasPrefix(con.URL, "ws://127.0.0.1:") || con.GuestName != "web-01" {
		t.Fatalf("OpenConsole() = %+v; want a loopback URL for web-01", con)
	}
	if strings.Contains(con.URL, tok.Secret) || strings.Contains(con.URL, "PVEVNC") {
		t.Fatalf("console URL %q carries a credential", con.URL)
	}

	// Another origin is refused, and does not use up the session.
	if _, res, err := websocket.DefaultDialer.Dial(con.URL, http.Header{"Origin": {"https://evil.example"}}); err == nil || res == nil || res.StatusCode != http.StatusForbidden {
		t.Fatalf("dial from another origin: %v; want 403", err)
	}

	ws := dialConsole(t, con.URL)
	defer ws.Close()
	w, h, name := noVNCHandshake(t, ws)
	if w == 0 || h == 0 || !strings.Contains(name, "web-01") {
		t.Errorf("ServerInit %dx%d %q; want the guest's screen", w, h, name)
	}

	// Closing the console from the window ends the session without an error.
	if err := a.CloseConsole(con.ID); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(5 * time.Second)
	for {
		var ended *ConsoleEnded
		for _, ev := range rec.all() {
			if e, ok := ev.data.(ConsoleEnded); ok && e.ID == con.ID {
				ended = &e
			}
		}
		if ended != nil {
			if ended.Error != nil {
				t.Errorf("closing on purpose reported %+v", ended.Error)
			}
			break
		}
		select {
		case <-rec.got:
		case <-deadline:
			t.Fatal("no console-ended event")
		}
	}

	t.Run("Container", func(t *testing.T) {
		con, err := a.OpenConsole("c1", "lxc/105")
		if err != nil {
			t.Fatalf("OpenConsole(lxc/105) = %v", err)
		}
		ws := dialConsole(t, con.URL)
		defer ws.Close()
		if _, _, name := noVNCHandshake(t, ws); !strings.Contains(name, "proxy-01") {
			t.Errorf("container console desktop %q; want proxy-01's", name)
		}
	})

	t.Run("ErrForbidden", func(t *testing.T) {
		b, _ := newTestApp(t, Options{ConsoleOrigins: []string{"wails://wails"}})
		ro, _ := sim.Token(pvesim.AuditorTokenID)
		connect(t, b, proxmox.Config{Endpoint: sim.URL, TokenID: ro.ID, Secret: ro.Secret, Fingerprint: sim.Fingerprint})
		info := wantCode(t, "console with a read-only token", func() error { _, err := b.OpenConsole("c1", "qemu/101"); return err }(), "forbidden")
		if !strings.Contains(info.Detail, "VM.Console") {
			t.Errorf("detail %q; want Proxmox's message naming VM.Console", info.Detail)
		}
	})
}

// wsReader reads a byte stream across WebSocket messages, as RFB needs.
type wsReader struct {
	ws  *websocket.Conn
	buf []byte
}

func (r *wsReader) read(t *testing.T, n int) []byte {
	t.Helper()
	r.ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	for len(r.buf) < n {
		_, msg, err := r.ws.ReadMessage()
		if err != nil && err != io.EOF {
			t.Fatalf("read: %v (have %d of %d bytes)", err, len(r.buf), n)
		}
		r.buf = append(r.buf, msg...)
	}
	out := r.buf[:n]
	r.buf = r.buf[n:]
	return out
}

func dialConsole(t *testing.T, url string) *websocket.Conn {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial(url, http.Header{"Origin": {"wails://wails"}})
	if err != nil {
		t.Fatalf("dial console: %v", err)
	}
	return ws
}

// noVNCHandshake plays noVNC's side of RFB through the proxy: it must be
// offered security None only, since the proxy answered Proxmox's VNC
// authentication, and it returns the ServerInit's size and desktop name.
func noVNCHandshake(t *testing.T, ws *websocket.Conn) (w, h uint16, name string) {
	t.Helper()
	r := &wsReader{ws: ws}
	send := func(b []byte) {
		if err := ws.WriteMessage(websocket.BinaryMessage, b); err != nil {
			t.Fatal(err)
		}
	}
	version := r.read(t, 12)
	if string(version) != "RFB 003.008\n" {
		t.Fatalf("server version %q", version)
	}
	send(version)
	types := r.read(t, 2)
	if types[0] != 1 || types[1] != 1 {
		t.Fatalf("security types %v; want only None: no password may reach the window", types)
	}
	send([]byte{1})
	if res := binary.BigEndian.Uint32(r.read(t, 4)); res != 0 {
		t.Fatalf("security result %d", res)
	}
	send([]byte{1}) // ClientInit, shared
	init := r.read(t, 24)
	w, h = binary.BigEndian.Uint16(init[0:]), binary.BigEndian.Uint16(init[2:])
	name = string(r.read(t, int(binary.BigEndian.Uint32(init[20:]))))
	return w, h, name
}

// TestOpenConsoleRealQEMU opens a console whose far end is a real QEMU, set
// up the way Proxmox does it (-vnc unix:…,password=on, password set over
// QMP): the proxy must pass QEMU's VNC authentication.
func TestOpenConsoleRealQEMU(t *testing.T) {
	if _, err := exec.LookPath("qemu-system-x86_64"); err != nil {
		if os.Getenv("CECYBER_NO_QEMU_TESTS") == "1" {
			t.Skip("no qemu-system-x86_64; CECYBER_NO_QEMU_TESTS=1")
		}
		t.Fatal("qemu-system-x86_64 is missing: apt-get install -y --no-install-recommends qemu-system-x86 (make test does), or set CECYBER_NO_QEMU_TESTS=1 to skip")
	}
	sim := pvesim.NewTestServer(t, pvesim.Config{Nodes: 3, Guests: 24, QEMUConsoles: true, QEMUGuests: []int{101}})
	a, _ := newTestApp(t, Options{ConsoleOrigins: []string{"wails://wails"}})
	tok := sim.AdminToken()
	connect(t, a, proxmox.Config{Endpoint: sim.URL, TokenID: tok.ID, Secret: tok.Secret, Fingerprint: sim.Fingerprint})
	con, err := a.OpenConsole("c1", "qemu/101")
	if err != nil {
		t.Fatalf("OpenConsole() = %v", err)
	}
	ws := dialConsole(t, con.URL)
	defer ws.Close()
	w, h, name := noVNCHandshake(t, ws)
	if name != "QEMU (web-01)" || w == 0 || h == 0 {
		t.Errorf("ServerInit %dx%d %q; want QEMU's own screen for web-01", w, h, name)
	}
}
