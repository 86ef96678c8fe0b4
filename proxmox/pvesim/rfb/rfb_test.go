package rfb

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// testClient is a minimal RFB client, written from the protocol
// description independently of the server's encoders.
type testClient struct {
	t     testing.TB
	conn  net.Conn
	r     *bufio.Reader
	w, h  int
	name  string
	pf    PixelFormat
	fb    []uint32 // 0xRRGGBB
	bytes int      // bytes read by the last readUpdate
}

// startServer serves cfg on one end of a pipe and returns the other end
// and Serve's result.
func startServer(t testing.TB, cfg Config) (net.Conn, <-chan error) {
	t.Helper()
	srv, cli := net.Pipe()
	done := make(chan error, 1)
	go func() { done <- Serve(srv, cfg) }()
	t.Cleanup(func() { cli.Close() })
	return cli, done
}

func newTestClient(t testing.TB, conn net.Conn) *testClient {
	return &testClient{t: t, conn: conn, r: bufio.NewReader(conn)}
}

func (c *testClient) read(n int) []byte {
	c.t.Helper()
	b := make([]byte, n)
	if _, err := io.ReadFull(c.r, b); err != nil {
		c.t.Fatalf("read %d bytes: %v", n, err)
	}
	c.bytes += n
	return b
}

func (c *testClient) u8() byte    { return c.read(1)[0] }
func (c *testClient) u16() int    { return int(binary.BigEndian.Uint16(c.read(2))) }
func (c *testClient) u32() uint32 { return binary.BigEndian.Uint32(c.read(4)) }

func (c *testClient) write(b []byte) {
	c.t.Helper()
	if _, err := c.conn.Write(b); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// handshake runs the handshake as an RFB 3.minor client and returns the
// security result (0 = OK) and, for 3.8 failures, the reason.
func (c *testClient) handshake(minor int, password string) (result uint32, reason string) {
	c.t.Helper()
	if v := string(c.read(12)); v != "RFB 003.008\n" {
		c.t.Fatalf("server version %q", v)
	}
	c.write([]byte(fmt.Sprintf("RFB 003.%03d\n", minor)))
	var sec uint32
	if minor == 3 {
		sec = c.u32()
	} else {
		n := int(c.u8())
		if n == 0 {
			c.t.Fatalf("no security types")
		}
		types := c.read(n)
		sec = uint32(types[0])
		c.write([]byte{types[0]})
	}
	switch sec {
	case SecurityVNCAuth:
		var ch [16]byte
		copy(ch[:], c.read(16))
		resp := desResponse(password, ch)
		c.write(resp[:])
		result = c.u32()
	case SecurityNone:
		if minor == 8 {
			result = c.u32()
		}
	default:
		c.t.Fatalf("security type %d", sec)
	}
	if result != 0 {
		if minor == 8 {
			reason = string(c.read(int(c.u32())))
		}
		return result, reason
	}
	c.write([]byte{1}) // ClientInit, shared
	c.w, c.h = c.u16(), c.u16()
	c.pf = unmarshalPixelFormat(c.read(16))
	c.name = string(c.read(int(c.u32())))
	c.fb = make([]uint32, c.w*c.h)
	return 0, ""
}

// desResponse is the client side of VNC Authentication, spelled out
// separately from EncryptChallenge.
func desResponse(password string, challenge [16]byte) [16]byte {
	return EncryptChallenge(password, challenge)
}

func (c *testClient) setEncodings(encs ...int32) {
	b := []byte{msgSetEncodings, 0}
	b = binary.BigEndian.AppendUint16(b, uint16(len(encs)))
	for _, e := range encs {
		b = binary.BigEndian.AppendUint32(b, uint32(e))
	}
	c.write(b)
}

func (c *testClient) setPixelFormat(pf PixelFormat) {
	c.write(append([]byte{msgSetPixelFormat, 0, 0, 0}, pf.marshal()...))
	c.pf = pf
}

func (c *testClient) requestUpdate(incremental bool) {
	inc := byte(0)
	if incremental {
		inc = 1
	}
	b := []byte{msgFramebufferRequest, inc}
	for _, v := range []int{0, 0, c.w, c.h} {
		b = binary.BigEndian.AppendUint16(b, uint16(v))
	}
	c.write(b)
}

func (c *testClient) key(keysym uint32) {
	for _, down := range []byte{1, 0} {
		b := []byte{msgKeyEvent, down, 0, 0}
		c.write(binary.BigEndian.AppendUint32(b, keysym))
	}
}

func (c *testClient) pointer(mask byte, x, y int) {
	b := []byte{msgPointerEvent, mask}
	b = binary.BigEndian.AppendUint16(b, uint16(x))
	c.write(binary.BigEndian.AppendUint16(b, uint16(y)))
}

func (c *testClient) pixel() uint32 {
	bpp := int(c.pf.BPP) / 8
	b := c.read(bpp)
	var v uint32
	switch bpp {
	case 1:
		v = uint32(b[0])
	case 2:
		if c.pf.BigEndian {
			v = uint32(binary.BigEndian.Uint16(b))
		} else {
			v = uint32(binary.LittleEndian.Uint16(b))
		}
	case 4:
		if c.pf.BigEndian {
			v = binary.BigEndian.Uint32(b)
		} else {
			v = binary.LittleEndian.Uint32(b)
		}
	}
	ch := func(shift uint8, max uint16) uint32 {
		return (v >> shift & uint32(max)) * 255 / uint32(max)
	}
	return ch(c.pf.RedShift, c.pf.RedMax)<<16 | ch(c.pf.GreenShift, c.pf.GreenMax)<<8 | ch(c.pf.BlueShift, c.pf.BlueMax)
}

type gotRect struct {
	x, y, w, h int
	enc        int32
}

// readUpdate reads one FramebufferUpdate into c.fb.
func (c *testClient) readUpdate() []gotRect {
	c.t.Helper()
	c.bytes = 0
	if typ := c.u8(); typ != 0 {
		c.t.Fatalf("server message type %d; want FramebufferUpdate", typ)
	}
	c.u8()
	n := c.u16()
	var rects []gotRect
	for i := 0; i < n; i++ {
		r := gotRect{x: c.u16(), y: c.u16(), w: c.u16(), h: c.u16(), enc: int32(c.u32())}
		if r.x+r.w > c.w || r.y+r.h > c.h {
			c.t.Fatalf("rectangle %+v outside %dx%d", r, c.w, c.h)
		}
		switch r.enc {
		case EncodingRaw:
			for y := r.y; y < r.y+r.h; y++ {
				for x := r.x; x < r.x+r.w; x++ {
					c.fb[y*c.w+x] = c.pixel()
				}
			}
		case EncodingHextile:
			c.hextile(r)
		default:
			c.t.Fatalf("encoding %d", r.enc)
		}
		rects = append(rects, r)
	}
	return rects
}

func (c *testClient) hextile(r gotRect) {
	var bg, fg uint32
	for ty := r.y; ty < r.y+r.h; ty += 16 {
		th := min(16, r.y+r.h-ty)
		for tx := r.x; tx < r.x+r.w; tx += 16 {
			tw := min(16, r.x+r.w-tx)
			mask := c.u8()
			if mask&1 != 0 {
				for y := ty; y < ty+th; y++ {
					for x := tx; x < tx+tw; x++ {
						c.fb[y*c.w+x] = c.pixel()
					}
				}
				continue
			}
			if mask&2 != 0 {
				bg = c.pixel()
			}
			for y := ty; y < ty+th; y++ {
				for x := tx; x < tx+tw; x++ {
					c.fb[y*c.w+x] = bg
				}
			}
			if mask&4 != 0 {
				fg = c.pixel()
			}
			if mask&8 == 0 {
				continue
			}
			n := int(c.u8())
			for i := 0; i < n; i++ {
				col := fg
				if mask&16 != 0 {
					col = c.pixel()
				}
				xy, wh := c.u8(), c.u8()
				sx, sy := int(xy>>4), int(xy&15)
				sw, sh := int(wh>>4)+1, int(wh&15)+1
				if sx+sw > tw || sy+sh > th {
					c.t.Fatalf("subrect %d,%d %dx%d outside tile %dx%d", sx, sy, sw, sh, tw, th)
				}
				for y := ty + sy; y < ty+sy+sh; y++ {
					for x := tx + sx; x < tx+sx+sw; x++ {
						c.fb[y*c.w+x] = col
					}
				}
			}
		}
	}
}

// expectNoUpdate checks that nothing arrives within d.
func (c *testClient) expectNoUpdate(d time.Duration) {
	c.t.Helper()
	c.conn.SetReadDeadline(time.Now().Add(d))
	_, err := c.r.Peek(1)
	c.conn.SetReadDeadline(time.Time{})
	if err == nil {
		c.t.Fatalf("got an update; want none while nothing changes")
	}
}

func bootedScreen(clk *clock, name string) *Screen {
	return NewScreen(ScreenConfig{Width: 800, Height: 600, Name: name, Boot: clk.Now().Add(-time.Minute), Now: clk.Now})
}

func TestHandshake(t *testing.T) {
	tests := []struct {
		name       string
		minor      int
		password   string
		answer     string
		wantResult uint32
		wantReason string
	}{
		{"OK/3.8", 8, "secret12", "secret12", 0, ""},
		{"OK/3.8OnlyFirst8Bytes", 8, "secret12-and-more", "secret12", 0, ""},
		{"OK/3.7", 7, "pw", "pw", 0, ""},
		{"OK/3.3", 3, "pw", "pw", 0, ""},
		{"OK/None", 8, "", "", 0, ""},
		{"OK/None3.3", 3, "", "", 0, ""},
		{"ErrWrongPassword/3.8", 8, "secret12", "secret13", 1, "Authentication failed\x00"},
		{"ErrWrongPassword/3.3", 3, "secret12", "nope", 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock()
			conn, done := startServer(t, Config{Password: tt.password, Now: clk.Now, Screen: bootedScreen(clk, "vm101")})
			c := newTestClient(t, conn)
			res, reason := c.handshake(tt.minor, tt.answer)
			if res != tt.wantResult || reason != tt.wantReason {
				t.Fatalf("security result %d %q; want %d %q", res, reason, tt.wantResult, tt.wantReason)
			}
			if res != 0 {
				if err := <-done; !errors.Is(err, ErrAuthFailed) {
					t.Errorf("Serve = %v; want ErrAuthFailed", err)
				}
				return
			}
			if c.w != 800 || c.h != 600 || c.name != "vm101" || c.pf != DefaultPixelFormat {
				t.Errorf("ServerInit %dx%d %q %+v", c.w, c.h, c.name, c.pf)
			}
			c.requestUpdate(false)
			c.readUpdate()
			conn.Close()
			if err := <-done; err != nil {
				t.Errorf("Serve after the client left = %v; want nil", err)
			}
		})
	}
}

func TestPasswordExpires(t *testing.T) {
	clk := newClock()
	cfg := Config{Password: "pw", PasswordExpires: clk.Now().Add(30 * time.Second), Now: clk.Now, Screen: bootedScreen(clk, "vm")}
	conn, _ := startServer(t, cfg)
	if res, _ := newTestClient(t, conn).handshake(8, "pw"); res != 0 {
		t.Fatalf("before expiry: security result %d", res)
	}
	clk.Advance(30 * time.Second)
	conn, done := startServer(t, cfg)
	if res, reason := newTestClient(t, conn).handshake(8, "pw"); res != 1 || reason != "Authentication failed\x00" {
		t.Fatalf("after expiry: security result %d %q; want failure", res, reason)
	}
	if err := <-done; !errors.Is(err, ErrAuthFailed) {
		t.Errorf("Serve = %v; want ErrAuthFailed", err)
	}
}

// connect returns a client past the handshake on screen.
func connect(t *testing.T, clk *clock, screen *Screen) *testClient {
	t.Helper()
	conn, _ := startServer(t, Config{Password: "pw", Now: clk.Now, Screen: screen})
	c := newTestClient(t, conn)
	if res, _ := c.handshake(8, "pw"); res != 0 {
		t.Fatalf("handshake: %d", res)
	}
	return c
}

func TestEncodingsDecodeToSamePixels(t *testing.T) {
	clk := newClock()
	screen := bootedScreen(clk, "debian-vm")
	screen.Pointer(1, 400, 300) // some pointer feedback in the picture
	want := make([]uint32, 800*600)
	screen.Snapshot(want)

	formats := map[string]PixelFormat{
		"32LE": DefaultPixelFormat,
		"32BE": {BPP: 32, Depth: 24, BigEndian: true, TrueColour: true, RedMax: 255, GreenMax: 255, BlueMax: 255, RedShift: 0, GreenShift: 8, BlueShift: 16},
	}
	var sizes = map[int32]int{}
	for fname, pf := range formats {
		for _, enc := range []int32{EncodingRaw, EncodingHextile} {
			t.Run(fmt.Sprintf("%s/%d", fname, enc), func(t *testing.T) {
				c := connect(t, clk, screen)
				c.setPixelFormat(pf)
				c.setEncodings(-223, enc, EncodingRaw) // an unknown pseudo-encoding first
				c.requestUpdate(false)
				rects := c.readUpdate()
				if len(rects) != 1 || rects[0].enc != enc {
					t.Fatalf("rectangles %+v; want one with encoding %d", rects, enc)
				}
				for i := range want {
					if c.fb[i] != want[i] {
						t.Fatalf("pixel %d,%d = %06x; want %06x", i%800, i/800, c.fb[i], want[i])
					}
				}
				sizes[enc] = c.bytes
			})
		}
	}
	if sizes[EncodingHextile] == 0 || sizes[EncodingHextile]*4 > sizes[EncodingRaw] {
		t.Errorf("hextile update %d bytes, raw %d: want hextile at least 4 times smaller", sizes[EncodingHextile], sizes[EncodingRaw])
	}
}

func Test16BitPixels(t *testing.T) {
	clk := newClock()
	screen := bootedScreen(clk, "vm")
	for _, be := range []bool{false, true} {
		c := connect(t, clk, screen)
		c.setPixelFormat(PixelFormat{BPP: 16, Depth: 16, BigEndian: be, TrueColour: true, RedMax: 31, GreenMax: 63, BlueMax: 31, RedShift: 11, GreenShift: 5})
		c.setEncodings(EncodingHextile)
		c.requestUpdate(false)
		c.readUpdate()
		// The title bar background, decoded back to 8 bits a channel.
		if got := c.fb[2]; got>>16 == 0 && got&0xff == 0 {
			t.Errorf("big endian %v: title bar pixel %06x; want the title colour", be, got)
		}
	}
}

func diffBox(a, b []uint32, w int) (x0, y0, x1, y1 int, n int) {
	x0, y0 = 1<<30, 1<<30
	for i := range a {
		if a[i] != b[i] {
			x, y := i%w, i/w
			x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x), max(y1, y)
			n++
		}
	}
	return
}

func TestKeysEchoAtThePrompt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clk := newClock()
		screen := bootedScreen(clk, "vm")
		c := connect(t, clk, screen)
		c.setEncodings(EncodingHextile)
		c.requestUpdate(false)
		c.readUpdate()
		before := append([]uint32(nil), c.fb...)

		for _, k := range "root" {
			c.key(uint32(k))
		}
		// Collect incremental updates until the echo of all four letters
		// arrived (updates may come one key at a time).
		deadline := time.Now().Add(5 * time.Second)
		for screen.keysTyped() < 4 || !sameAsScreen(c, screen) {
			if time.Now().After(deadline) {
				t.Fatal("echo did not arrive")
			}
			c.requestUpdate(true)
			for _, r := range c.readUpdate() {
				if r.y < cellH {
					t.Errorf("update %+v touches the title bar; the clock did not move", r)
				}
			}
		}
		x0, y0, x1, y1, n := diffBox(before, c.fb, c.w)
		if n == 0 {
			t.Fatal("typing changed no pixel")
		}
		// The prompt is the last console line; the status line counts keys.
		promptY := len(screen.textLines(clk.Now())) * cellH // title row + lines before the prompt
		if y0 < promptY || y1 >= c.h || x0 < 0 || x1 >= c.w {
			t.Errorf("changed box %d,%d–%d,%d; want it at the prompt (y ≥ %d) or below", x0, y0, x1, y1, promptY)
		}

		// Return asks for the password, BackSpace and Return again says no.
		c.key(0xff0d)
		c.key('x')
		c.key(0xff08)
		c.key(0xff0d)
		// The server has taken every key once all goroutines wait.
		synctest.Wait()
		if n := screen.keysTyped(); n != 8 {
			t.Fatalf("server took %d keys; want 8", n)
		}
		lines := screen.textLines(clk.Now())
		tail := lines[len(lines)-5 : len(lines)-1]
		want := []string{"vm login: root", "Password: ", "", "Login incorrect"}
		for i := range want {
			if tail[i] != want[i] {
				t.Fatalf("console tail %q; want %q then a prompt", lines[len(lines)-5:], want)
			}
		}
		if lines[len(lines)-1] != "vm login: _" {
			t.Errorf("last line %q; want a fresh prompt", lines[len(lines)-1])
		}
	})
}

func (s *Screen) keysTyped() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.keys
}

func sameAsScreen(c *testClient, s *Screen) bool {
	want := make([]uint32, len(c.fb))
	s.Snapshot(want)
	for i := range want {
		if want[i] != c.fb[i] {
			return false
		}
	}
	return true
}

func TestIncrementalUpdatesAreSmall(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clk := newClock()
		screen := bootedScreen(clk, "vm")
		c := connect(t, clk, screen)
		c.setEncodings(EncodingRaw)
		c.requestUpdate(false)
		c.readUpdate()
		full := c.bytes

		// Nothing changes: the server holds the request.
		c.requestUpdate(true)
		c.expectNoUpdate(3 * pollInterval)

		// One second later only the clock changed.
		clk.Advance(time.Second)
		rects := c.readUpdate()
		if c.bytes*50 > full {
			t.Errorf("clock tick cost %d bytes (full update %d); want under 2%%", c.bytes, full)
		}
		for _, r := range rects {
			if r.y != 0 || r.x < c.w/2 {
				t.Errorf("clock update %+v; want only the right of the title bar", r)
			}
		}
		if !sameAsScreen(c, screen) {
			t.Error("client framebuffer differs from the screen after the update")
		}

		// Pointer feedback moves with the pointer.
		c.pointer(0, 100, 200)
		c.requestUpdate(true)
		c.readUpdate()
		if !sameAsScreen(c, screen) {
			t.Error("client framebuffer differs from the screen after moving the pointer")
		}
		if got := c.fb[200*c.w+100]; got != colPointer {
			t.Errorf("pixel under the pointer %06x; want the pointer colour", got)
		}
	})
}

func TestBootLogScrolls(t *testing.T) {
	clk := newClock()
	screen := NewScreen(ScreenConfig{Width: 800, Height: 600, Name: "vm", Now: clk.Now})
	if n := len(screen.textLines(clk.Now())); n != 1 {
		t.Fatalf("at boot %d lines; want 1", n)
	}
	clk.Advance(5 * bootStep)
	if n := len(screen.textLines(clk.Now())); n != 6 {
		t.Fatalf("after 5 steps %d lines; want 6", n)
	}
	screen.Key(true, 'a') // lost during boot
	clk.Advance(time.Minute)
	lines := screen.textLines(clk.Now())
	if last := lines[len(lines)-1]; last != "vm login: _" {
		t.Fatalf("after boot the last line is %q", last)
	}
}

func TestProtocolErrorsEndTheSession(t *testing.T) {
	tests := []struct {
		name string
		msg  []byte
	}{
		{"UnknownMessage", []byte{99}},
		{"ColourMap", append([]byte{0, 0, 0, 0}, PixelFormat{BPP: 8, Depth: 8}.marshal()...)},
		{"HugeCutText", []byte{6, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock()
			conn, done := startServer(t, Config{Now: clk.Now, Screen: bootedScreen(clk, "vm")})
			c := newTestClient(t, conn)
			c.handshake(8, "")
			c.write(tt.msg)
			select {
			case err := <-done:
				if err == nil {
					t.Error("Serve = nil; want a protocol error")
				}
			case <-time.After(5 * time.Second):
				t.Fatal("Serve did not return")
			}
		})
	}
}

func FuzzServerReadsClientMessages(f *testing.F) {
	f.Add([]byte{3, 0, 0, 0, 0, 0, 0, 64, 0, 48})
	f.Add([]byte{2, 0, 0, 2, 0, 0, 0, 5, 0, 0, 0, 0, 3, 1, 0, 0, 0, 0, 0, 64, 0, 48})
	f.Add(append([]byte{0, 0, 0, 0}, PixelFormat{BPP: 16, Depth: 16, TrueColour: true, RedMax: 31, GreenMax: 63, BlueMax: 31, RedShift: 11, GreenShift: 5}.marshal()...))
	f.Add([]byte{4, 1, 0, 0, 0, 0, 0xff, 0x0d, 5, 1, 0, 10, 0, 10, 6, 0, 0, 0, 0, 0, 0, 2, 'h', 'i'})
	f.Fuzz(func(t *testing.T, data []byte) {
		synctest.Test(t, func(t *testing.T) {
			clk := newClock()
			screen := NewScreen(ScreenConfig{Width: 64, Height: 48, Name: "fuzz", Boot: clk.Now().Add(-time.Hour), Now: clk.Now})
			conn, done := startServer(t, Config{Now: clk.Now, Screen: screen})
			c := newTestClient(t, conn)
			c.handshake(8, "")
			go io.Copy(io.Discard, c.r)
			conn.Write(data)
			synctest.Wait() // the server has done all it will with data
			conn.Close()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Fatal("Serve did not return after the client closed")
			}
		})
	})
}
