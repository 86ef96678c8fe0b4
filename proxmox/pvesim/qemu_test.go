//go:build linux

package pvesim

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The tests in this file run the real QEMU (package qemu-system-x86).
// Without it they fail, unless CECYBER_NO_QEMU_TESTS=1 says to skip them.

func requireQEMU(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath(qemuBinary); err != nil {
		if os.Getenv("CECYBER_NO_QEMU_TESTS") == "1" {
			t.Skipf("SKIPPED: real-QEMU console test (CECYBER_NO_QEMU_TESTS=1): %v", err)
		}
		t.Fatalf("%v: the real-QEMU console tests need qemu-system-x86 (apt-get install -y --no-install-recommends qemu-system-x86); set CECYBER_NO_QEMU_TESTS=1 to skip them", err)
	}
}

// newQEMUServer starts a simulator whose qemu consoles are real QEMUs,
// with a fake clock (QEMU itself runs on real time).
func newQEMUServer(t *testing.T, cfg Config) (*Server, *fakeClock) {
	t.Helper()
	requireQEMU(t)
	clk := newFakeClock()
	cfg.Now = clk.Now
	cfg.QEMUConsoles = true
	srv := NewTestServer(t, cfg)
	srv.qemu.mu.Lock()
	srv.qemu.logf = t.Logf
	srv.qemu.mu.Unlock()
	return srv, clk
}

// qemuPID is the PID of the guest's QEMU, or 0.
func qemuPID(s *Sim, vmid int) int {
	s.qemu.mu.Lock()
	defer s.qemu.mu.Unlock()
	if p := s.qemu.procs[vmid]; p != nil {
		return p.pid()
	}
	return 0
}

func processGone(pid int) bool {
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}

// waitExited waits until the simulator has reaped p's QEMU.
func waitExited(t *testing.T, p *qemuProc) {
	t.Helper()
	select {
	case <-p.exited:
	case <-time.After(5 * time.Second):
		t.Fatalf("QEMU (PID %d) still runs", p.pid())
	}
	if !processGone(p.pid()) {
		t.Fatalf("QEMU (PID %d) was reaped but still exists", p.pid())
	}
}

// openQEMUConsole asks vncproxy for a console of g and connects to it.
func openQEMUConsole(t *testing.T, srv *Server, g Guest, params url.Values) (vncAnswer, *wsStream) {
	t.Helper()
	admin := srv.AdminToken()
	if params == nil {
		params = url.Values{"websocket": {"1"}}
	}
	a := vncProxy(t, srv, admin, "qemu", g.Node, g.VMID, params)
	c, res, err := dialConsole(t, srv, admin, "qemu", g, a, 0)
	if err != nil {
		t.Fatalf("dial: %v (%v)", err, res)
	}
	// Each (sub)test ends its session, so none lingers into the next.
	t.Cleanup(func() { c.Close() })
	return a, &wsStream{c: c}
}

// frame is the client's copy of the framebuffer, 32-bit pixels.
type frame struct {
	w, h int
	pix  []uint32
}

// distinct counts distinct pixel values, up to max.
func (f *frame) distinct(max int) int {
	seen := make(map[uint32]bool)
	for _, p := range f.pix {
		seen[p] = true
		if len(seen) >= max {
			break
		}
	}
	return len(seen)
}

// bannerDrawn reports whether the top text line (16 pixel rows) holds
// something other than the background (the bottom-right pixel): the
// firmware's banner ("SeaBIOS (version …)"). QEMU's own placeholder
// before the guest sets a video mode, "Guest has not initialized the
// display (yet).", is centred, so it does not count.
func (f *frame) bannerDrawn() bool {
	if f.w == 0 || f.h < 16 {
		return false
	}
	bg := f.pix[len(f.pix)-1]
	for _, p := range f.pix[:16*f.w] {
		if p != bg {
			return true
		}
	}
	return false
}

// rfbSetup sets 32-bit true colour and the Raw and DesktopSize
// encodings, so that a mode change of the firmware reaches us as a new
// size rather than as rectangles outside the old one.
func rfbSetup(t *testing.T, s io.Writer) {
	t.Helper()
	pf := []byte{0, 0, 0, 0, 32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0}
	s.Write(pf)
	enc := []byte{2, 0, 0, 2}
	enc = binary.BigEndian.AppendUint32(enc, 0) // Raw
	desktopSize := int32(-223)
	enc = binary.BigEndian.AppendUint32(enc, uint32(desktopSize)) // DesktopSize
	s.Write(enc)
}

// readUpdate reads server messages until a FramebufferUpdate, which it
// applies to f. It counts the bytes of pixel data it read.
func readUpdate(s io.Reader, f *frame) (rawBytes int, err error) {
	read := func(n int) ([]byte, error) {
		b := make([]byte, n)
		_, err := io.ReadFull(s, b)
		return b, err
	}
	for {
		typ, err := read(1)
		if err != nil {
			return 0, err
		}
		switch typ[0] {
		case 0: // FramebufferUpdate
		case 2: // Bell
			continue
		case 3: // ServerCutText
			h, err := read(7)
			if err != nil {
				return 0, err
			}
			if _, err := read(int(binary.BigEndian.Uint32(h[3:]))); err != nil {
				return 0, err
			}
			continue
		default:
			return 0, fmt.Errorf("unexpected server message %d", typ[0])
		}
		h, err := read(3)
		if err != nil {
			return 0, err
		}
		for range int(binary.BigEndian.Uint16(h[1:])) {
			r, err := read(12)
			if err != nil {
				return 0, err
			}
			x, y := int(binary.BigEndian.Uint16(r[0:])), int(binary.BigEndian.Uint16(r[2:]))
			w, hh := int(binary.BigEndian.Uint16(r[4:])), int(binary.BigEndian.Uint16(r[6:]))
			switch enc := int32(binary.BigEndian.Uint32(r[8:])); enc {
			case 0:
				px, err := read(w * hh * 4)
				if err != nil {
					return 0, err
				}
				rawBytes += len(px)
				if x+w > f.w || y+hh > f.h {
					return 0, fmt.Errorf("rectangle %dx%d+%d+%d outside the %dx%d framebuffer", w, hh, x, y, f.w, f.h)
				}
				for j := range hh {
					for i := range w {
						f.pix[(y+j)*f.w+x+i] = binary.LittleEndian.Uint32(px[(j*w+i)*4:])
					}
				}
			case -223:
				f.w, f.h, f.pix = w, hh, make([]uint32, w*hh)
			default:
				return 0, fmt.Errorf("unexpected encoding %d", enc)
			}
		}
		return rawBytes, nil
	}
}

// requestFull asks for a non-incremental update of the whole screen.
func requestFull(s io.Writer, f *frame) {
	s.Write([]byte{3, 0, 0, 0, 0, 0, byte(f.w >> 8), byte(f.w), byte(f.h >> 8), byte(f.h)})
}

// requestIncremental asks for what changes on the whole screen from now on.
func requestIncremental(s io.Writer, f *frame) {
	s.Write([]byte{3, 1, 0, 0, 0, 0, byte(f.w >> 8), byte(f.w), byte(f.h >> 8), byte(f.h)})
}

func TestQEMUConsole(t *testing.T) {
	t.Parallel()
	srv, _ := newQEMUServer(t, Config{})
	g := pickGuest(t, srv, "qemu", "running")

	begin := time.Now()
	a, s := openQEMUConsole(t, srv, g, nil)
	result, reason, w, h, name := rfbLogin(t, s, a.Password)
	if result != 0 {
		t.Fatalf("VNC auth with the issued password failed: %q", reason)
	}
	t.Logf("QEMU started and authenticated in %v; ServerInit %dx%d %q", time.Since(begin).Round(time.Millisecond), w, h, name)
	if name != "QEMU ("+g.Name+")" {
		t.Errorf("desktop name %q; want %q", name, "QEMU ("+g.Name+")")
	}
	pid := qemuPID(srv.Sim, g.VMID)
	if pid == 0 {
		t.Fatal("no QEMU process for the guest")
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil || !strings.Contains(string(cmdline), "-vnc\x00unix:") {
		t.Fatalf("PID %d is not the guest's QEMU: %q %v", pid, cmdline, err)
	}

	// One full update in Raw, then incremental ones, which QEMU answers
	// only when the screen changed, until the firmware has drawn its
	// banner: the first frames are blank or QEMU's placeholder.
	rfbSetup(t, s)
	f := &frame{w: w, h: h, pix: make([]uint32, w*h)}
	deadline := time.Now().Add(15 * time.Second)
	s.c.SetReadDeadline(deadline)
	requestFull(s, f)
	raw := 0
	for {
		n, err := readUpdate(s, f)
		if err != nil {
			t.Fatalf("no firmware banner on the screen after 15 s (%dx%d, %d colours): %v", f.w, f.h, f.distinct(16), err)
		}
		raw += n
		if f.bannerDrawn() {
			t.Logf("firmware screen %dx%d (%d colours) %v after the console opened (%d bytes of Raw)",
				f.w, f.h, f.distinct(16), time.Since(begin).Round(time.Millisecond), raw)
			break
		}
		requestIncremental(s, f)
	}
	s.c.Close()

	t.Run("ErrWrongPassword", func(t *testing.T) {
		a, s := openQEMUConsole(t, srv, g, nil)
		wrong := "x" + a.Password[1:]
		if wrong == a.Password {
			wrong = "y" + a.Password[1:]
		}
		result, reason, _, _, _ := rfbLogin(t, s, wrong)
		if result != 1 || strings.TrimRight(reason, "\x00") != "Authentication failed" {
			t.Errorf("wrong password: result %d %q; want 1 \"Authentication failed\"", result, reason)
		}
	})
	t.Run("ErrPasswordExpired", func(t *testing.T) {
		srv.qemu.mu.Lock()
		srv.qemu.expire = "now" // instead of qm vncproxy's +30
		srv.qemu.mu.Unlock()
		defer func() {
			srv.qemu.mu.Lock()
			srv.qemu.expire = ""
			srv.qemu.mu.Unlock()
		}()
		a, s := openQEMUConsole(t, srv, g, nil)
		result, reason, _, _, _ := rfbLogin(t, s, a.Password)
		if result != 1 || strings.TrimRight(reason, "\x00") != "Authentication failed" {
			t.Errorf("expired password: result %d %q; want 1 \"Authentication failed\"", result, reason)
		}
	})
	t.Run("OKSameQEMUAgain", func(t *testing.T) {
		a, s := openQEMUConsole(t, srv, g, nil)
		if result, reason, _, _, _ := rfbLogin(t, s, a.Password); result != 0 {
			t.Fatalf("reconnect: %q", reason)
		}
		if p := qemuPID(srv.Sim, g.VMID); p != pid {
			t.Errorf("reconnect runs QEMU PID %d; want the same %d", p, pid)
		}
	})
}

// LegacyVNC: QEMU's password is the ticket's first 8 characters.
func TestQEMUConsoleLegacyTicket(t *testing.T) {
	t.Parallel()
	srv, _ := newQEMUServer(t, Config{LegacyVNC: true})
	g := pickGuest(t, srv, "qemu", "running")
	a, s := openQEMUConsole(t, srv, g, nil)
	if a.Password != "" {
		t.Fatalf("legacy vncproxy answered a password %q", a.Password)
	}
	if result, reason, _, _, name := rfbLogin(t, s, a.Ticket); result != 0 || name != "QEMU ("+g.Name+")" {
		t.Fatalf("ticket as password: result %d %q, name %q", result, reason, name)
	}
}

func TestQEMUConsoleStopsWithGuest(t *testing.T) {
	t.Parallel()
	srv, clk := newQEMUServer(t, Config{})
	admin := srv.AdminToken()
	g := pickGuest(t, srv, "qemu", "running")
	a, s := openQEMUConsole(t, srv, g, nil)
	if result, reason, _, _, _ := rfbLogin(t, s, a.Password); result != 0 {
		t.Fatalf("auth: %q", reason)
	}
	pid := qemuPID(srv.Sim, g.VMID)
	if pid == 0 {
		t.Fatal("no QEMU process")
	}
	srv.qemu.mu.Lock()
	proc := srv.qemu.procs[g.VMID]
	srv.qemu.mu.Unlock()

	if r := request(t, srv, admin, "POST", fmt.Sprintf("/nodes/%s/qemu/%d/status/stop", g.Node, g.VMID), nil); r.status != 200 {
		t.Fatalf("stop: %d %s", r.status, r.reason)
	}
	clk.Advance(5 * time.Second)
	stopped := time.Now()
	expectClosed(t, s.c)
	waitExited(t, proc)
	t.Logf("QEMU gone %v after the guest stopped", time.Since(stopped).Round(time.Millisecond))
	// The watcher removes the sockets and forgets QEMU right after it is
	// reaped, and tells nobody: poll for it.
	forgotten := func() bool {
		_, err := os.Stat(proc.vnc)
		return errors.Is(err, os.ErrNotExist) && qemuPID(srv.Sim, g.VMID) == 0
	}
	if !eventually(2*time.Second, forgotten) {
		_, err := os.Stat(proc.vnc)
		t.Errorf("after QEMU exited: VNC socket %v, the simulator lists PID %d", err, qemuPID(srv.Sim, g.VMID))
	}

	// Started again, the guest gets a new QEMU.
	if r := request(t, srv, admin, "POST", fmt.Sprintf("/nodes/%s/qemu/%d/status/start", g.Node, g.VMID), nil); r.status != 200 {
		t.Fatalf("start: %d %s", r.status, r.reason)
	}
	clk.Advance(30 * time.Second)
	a, s = openQEMUConsole(t, srv, g, nil)
	if result, reason, _, _, _ := rfbLogin(t, s, a.Password); result != 0 {
		t.Fatalf("auth after restart: %q", reason)
	}
	if p := qemuPID(srv.Sim, g.VMID); p == 0 || p == pid {
		t.Errorf("QEMU PID %d after restart; want a new process", p)
	}
}

func TestQEMUConsoleServerClose(t *testing.T) {
	t.Parallel()
	requireQEMU(t)
	srv, err := Start(Config{QEMUConsoles: true}, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv.qemu.logf = t.Logf
	closed := false
	defer func() {
		if !closed {
			srv.Close()
		}
	}()
	g := pickGuest(t, srv, "qemu", "running")
	a, s := openQEMUConsole(t, srv, g, nil)
	if result, reason, _, _, _ := rfbLogin(t, s, a.Password); result != 0 {
		t.Fatalf("auth: %q", reason)
	}
	pid := qemuPID(srv.Sim, g.VMID)
	srv.qemu.mu.Lock()
	dir := srv.qemu.dir
	srv.qemu.mu.Unlock()
	if pid == 0 || dir == "" {
		t.Fatalf("no QEMU (PID %d, dir %q)", pid, dir)
	}
	if err := srv.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	closed = true
	if !processGone(pid) {
		t.Errorf("QEMU PID %d outlived Server.Close", pid)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket directory %s left behind: %v", dir, err)
	}
}

// Without the binary the option falls back to the built-in server, and
// says why. This one runs without QEMU.
func TestQEMUConsoleFallback(t *testing.T) {
	t.Parallel()
	srv := NewTestServer(t, Config{QEMUConsoles: true})
	var mu sync.Mutex
	var logged []string
	srv.qemu.mu.Lock()
	srv.qemu.binary = "qemu-system-pvesim-missing"
	srv.qemu.logf = func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		logged = append(logged, fmt.Sprintf(format, args...))
	}
	srv.qemu.mu.Unlock()
	g := pickGuest(t, srv, "qemu", "running")
	for range 2 {
		a, s := openQEMUConsole(t, srv, g, nil)
		result, reason, w, h, name := rfbLogin(t, s, a.Password)
		if result != 0 || w != vncScreenWidth || h != vncScreenHeight || name != "QEMU ("+g.Name+")" {
			t.Fatalf("fallback console: result %d %q, %dx%d %q", result, reason, w, h, name)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(logged) != 1 || !strings.Contains(logged[0], "qemu-system-pvesim-missing") || !strings.Contains(logged[0], "built-in RFB server") {
		t.Errorf("logged %q; want one line naming the binary and the fallback", logged)
	}
	if p := qemuPID(srv.Sim, g.VMID); p != 0 {
		t.Errorf("a QEMU runs (PID %d)", p)
	}
}

// QEMUGuests limits the option to some guests.
func TestQEMUConsoleOnlyListedGuests(t *testing.T) {
	t.Parallel()
	srv := New(Config{QEMUConsoles: true, QEMUGuests: []int{100000}})
	g := pickGuestSim(t, srv)
	if srv.useQEMUConsole("qemu", g) {
		t.Errorf("guest %d not in QEMUGuests uses QEMU", g)
	}
	if srv.useQEMUConsole("lxc", 100000) {
		t.Error("an lxc console uses QEMU")
	}
}

func pickGuestSim(t *testing.T, s *Sim) int {
	t.Helper()
	for _, g := range s.Guests() {
		if g.Type == "qemu" {
			return g.VMID
		}
	}
	t.Fatal("no qemu guest")
	return 0
}
