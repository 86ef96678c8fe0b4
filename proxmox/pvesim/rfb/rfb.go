// Package rfb is a small RFB (VNC) server for the simulated Proxmox VE
// consoles: RFB 3.8 (3.3 and 3.7 clients too), VNC Authentication or
// None, Raw and Hextile encodings, and a live guest screen (Screen) that
// reacts to keys and the pointer.
//
// It answers like QEMU's VNC server where a client can tell: version
// 3.8, only security type 2 when a password is set, an auth failure
// reason "Authentication failed" sent with its terminating NUL (QEMU
// writes sizeof the C string), and a password that expires.
package rfb

import (
	"bufio"
	"crypto/des"
	"crypto/rand"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"sync"
	"time"
)

// Security types.
const (
	SecurityNone    = 1
	SecurityVNCAuth = 2
)

// ErrAuthFailed is returned by Serve when the client's VNC
// authentication fails or the password has expired.
var ErrAuthFailed = errors.New("rfb: authentication failed")

// authFailedReason is QEMU's reason text, NUL included.
const authFailedReason = "Authentication failed\x00"

// maxCutText bounds ClientCutText; a longer one ends the connection.
const maxCutText = 1 << 20

// pollInterval is how often a pending incremental update request is
// checked for changes that come from time passing (the clock).
const pollInterval = 200 * time.Millisecond

// Config configures one connection.
type Config struct {
	// Width and Height size a new Screen (default 800×600); ignored
	// with Screen.
	Width, Height int
	// Name is the desktop name in ServerInit; "" uses the screen's name.
	Name string
	// Password enables VNC Authentication (only its first 8 bytes
	// count). "" offers security type None instead.
	Password string
	// PasswordExpires, when not zero, makes authentication fail from
	// that instant on (by Now), like QEMU's expire_password.
	PasswordExpires time.Time
	// Now is the clock for password expiry and a new Screen; nil is
	// time.Now.
	Now func() time.Time
	// Log receives one line per notable event; nil discards them.
	Log func(string)
	// Screen is the display to serve; nil makes a new one from Width,
	// Height, Name and Now. Several connections may share one.
	Screen *Screen
	// VeNCrypt offers only security type VeNCrypt (19), as QEMU with TLS
	// credentials and vncterm do for a console opened without
	// websocket=1. The server goes no further: a client choosing it is
	// refused, since the simulator has no TLS credentials to offer.
	VeNCrypt bool
}

// SecurityVeNCrypt is RFB's VeNCrypt security type (TLS, then a subtype).
const SecurityVeNCrypt = 19

// Serve speaks RFB on conn until the client disconnects or breaks the
// protocol, and closes conn. A client that goes away returns nil;
// a failed authentication returns ErrAuthFailed.
func Serve(conn net.Conn, cfg Config) error {
	defer conn.Close()
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = func(string) {}
	}
	if cfg.Screen == nil {
		cfg.Screen = NewScreen(ScreenConfig{Width: cfg.Width, Height: cfg.Height, Name: cfg.Name, Now: cfg.Now})
	}
	if cfg.Name == "" {
		cfg.Name = cfg.Screen.Name()
	}
	s := &session{
		conn:   conn,
		r:      bufio.NewReader(conn),
		cfg:    cfg,
		screen: cfg.Screen,
		pf:     DefaultPixelFormat,
		enc:    EncodingRaw,
		wake:   make(chan struct{}, 1),
	}
	s.w, s.h = s.screen.Size()
	if err := s.handshake(); err != nil {
		if isClosed(err) {
			return nil
		}
		return err
	}
	s.cur = make([]uint32, s.w*s.h)
	s.shadow = make([]uint32, s.w*s.h)
	err := s.run()
	if isClosed(err) {
		return nil
	}
	return err
}

func isClosed(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrClosedPipe) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, io.ErrUnexpectedEOF)
}

type session struct {
	conn   net.Conn
	r      *bufio.Reader
	cfg    Config
	screen *Screen
	w, h   int
	minor  int // 3, 7 or 8

	// cur is the frame being sent; shadow is what the client has.
	cur, shadow []uint32
	buf         []byte

	wake chan struct{}

	// mu guards what the reader hands to the writer.
	mu      sync.Mutex
	pf      PixelFormat
	enc     int32
	pending bool
	full    bool // a non-incremental request is pending
	area    rect
	gen     int
}

func (s *session) logf(format string, args ...any) { s.cfg.Log(fmt.Sprintf(format, args...)) }

func (s *session) handshake() error {
	if _, err := io.WriteString(s.conn, "RFB 003.008\n"); err != nil {
		return err
	}
	var v [12]byte
	if _, err := io.ReadFull(s.r, v[:]); err != nil {
		return err
	}
	var major, minor int
	if n, err := fmt.Sscanf(string(v[:]), "RFB %03d.%03d\n", &major, &minor); n != 2 || err != nil || major != 3 || minor < 3 {
		return fmt.Errorf("rfb: unsupported client version %q", v[:])
	}
	switch {
	case minor >= 8:
		s.minor = 8
	case minor == 7:
		s.minor = 7
	default: // 3.4–3.6 are to be treated as 3.3
		s.minor = 3
	}
	s.logf("client speaks RFB 3.%d", s.minor)

	secType := byte(SecurityVNCAuth)
	if s.cfg.Password == "" {
		secType = SecurityNone
	}
	if s.cfg.VeNCrypt {
		secType = SecurityVeNCrypt
	}
	if s.minor == 3 {
		if err := binary.Write(s.conn, binary.BigEndian, uint32(secType)); err != nil {
			return err
		}
	} else {
		if _, err := s.conn.Write([]byte{1, secType}); err != nil {
			return err
		}
		chosen, err := s.r.ReadByte()
		if err != nil {
			return err
		}
		if chosen != secType {
			s.securityResult(false, "Unsupported security type\x00")
			return fmt.Errorf("rfb: client chose security type %d", chosen)
		}
	}
	if secType == SecurityVeNCrypt {
		s.securityResult(false, "VeNCrypt is not simulated\x00")
		return errors.New("rfb: a VeNCrypt client; the simulator serves no TLS")
	}
	if secType == SecurityVNCAuth {
		if err := s.vncAuth(); err != nil {
			return err
		}
	} else if s.minor == 8 {
		if err := s.securityResult(true, ""); err != nil {
			return err
		}
	}
	// ClientInit: the shared flag; every connection shares the screen.
	if _, err := s.r.ReadByte(); err != nil {
		return err
	}
	init := make([]byte, 0, 24+len(s.cfg.Name))
	init = binary.BigEndian.AppendUint16(init, uint16(s.w))
	init = binary.BigEndian.AppendUint16(init, uint16(s.h))
	init = append(init, DefaultPixelFormat.marshal()...)
	init = binary.BigEndian.AppendUint32(init, uint32(len(s.cfg.Name)))
	init = append(init, s.cfg.Name...)
	_, err := s.conn.Write(init)
	return err
}

func (s *session) vncAuth() error {
	var challenge [16]byte
	if _, err := rand.Read(challenge[:]); err != nil {
		return err
	}
	if _, err := s.conn.Write(challenge[:]); err != nil {
		return err
	}
	var resp [16]byte
	if _, err := io.ReadFull(s.r, resp[:]); err != nil {
		return err
	}
	want := EncryptChallenge(s.cfg.Password, challenge)
	expired := !s.cfg.PasswordExpires.IsZero() && !s.cfg.Now().Before(s.cfg.PasswordExpires)
	if expired || subtle.ConstantTimeCompare(want[:], resp[:]) != 1 {
		if expired {
			s.logf("VNC authentication failed: password expired")
		} else {
			s.logf("VNC authentication failed: wrong password")
		}
		s.securityResult(false, authFailedReason)
		return ErrAuthFailed
	}
	return s.securityResult(true, "")
}

// securityResult sends SecurityResult; RFB 3.8 adds a reason to a
// failure.
func (s *session) securityResult(ok bool, reason string) error {
	b := []byte{0, 0, 0, 0}
	if !ok {
		b[3] = 1
		if s.minor >= 8 {
			b = binary.BigEndian.AppendUint32(b, uint32(len(reason)))
			b = append(b, reason...)
		}
	}
	_, err := s.conn.Write(b)
	return err
}

// EncryptChallenge answers a VNC Authentication challenge: DES with the
// password's first 8 bytes (zero padded) as key, each key byte's bits
// reversed, over both 8-byte halves.
func EncryptChallenge(password string, challenge [16]byte) [16]byte {
	var key [8]byte
	copy(key[:], password)
	for i, b := range key {
		var r byte
		for bit := 0; bit < 8; bit++ {
			if b&(1<<bit) != 0 {
				r |= 0x80 >> bit
			}
		}
		key[i] = r
	}
	c, err := des.NewCipher(key[:])
	if err != nil {
		panic(err) // a DES key of 8 bytes never fails
	}
	var out [16]byte
	c.Encrypt(out[:8], challenge[:8])
	c.Encrypt(out[8:], challenge[8:])
	return out
}

// run reads client messages on its own goroutine and sends updates on
// this one.
func (s *session) run() error {
	readErr := make(chan error, 1)
	go func() { readErr <- s.readLoop() }()
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		changed := s.screen.Changed()
		select {
		case err := <-readErr:
			return err
		case <-s.wake:
		case <-changed:
		case <-tick.C:
		}
		if err := s.flush(); err != nil {
			s.conn.Close()
			<-readErr
			return err
		}
	}
}

func (s *session) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Client message types.
const (
	msgSetPixelFormat     = 0
	msgSetEncodings       = 2
	msgFramebufferRequest = 3
	msgKeyEvent           = 4
	msgPointerEvent       = 5
	msgClientCutText      = 6
)

func (s *session) readLoop() error {
	var b [20]byte
	for {
		t, err := s.r.ReadByte()
		if err != nil {
			return err
		}
		switch t {
		case msgSetPixelFormat:
			if _, err := io.ReadFull(s.r, b[:19]); err != nil {
				return err
			}
			pf := unmarshalPixelFormat(b[3:19])
			if err := pf.validate(); err != nil {
				return err
			}
			s.mu.Lock()
			s.pf = pf
			s.mu.Unlock()
		case msgSetEncodings:
			if _, err := io.ReadFull(s.r, b[:3]); err != nil {
				return err
			}
			n := int(binary.BigEndian.Uint16(b[1:3]))
			enc := EncodingRaw
			found := false
			for i := 0; i < n; i++ {
				if _, err := io.ReadFull(s.r, b[:4]); err != nil {
					return err
				}
				e := int32(binary.BigEndian.Uint32(b[:4]))
				if !found && (e == EncodingRaw || e == EncodingHextile) {
					enc, found = e, true
				}
			}
			s.mu.Lock()
			s.enc = enc
			s.mu.Unlock()
		case msgFramebufferRequest:
			if _, err := io.ReadFull(s.r, b[:9]); err != nil {
				return err
			}
			r := rect{
				x: int(binary.BigEndian.Uint16(b[1:])), y: int(binary.BigEndian.Uint16(b[3:])),
				w: int(binary.BigEndian.Uint16(b[5:])), h: int(binary.BigEndian.Uint16(b[7:])),
			}
			s.request(r, b[0] != 0)
		case msgKeyEvent:
			if _, err := io.ReadFull(s.r, b[:7]); err != nil {
				return err
			}
			s.screen.Key(b[0] != 0, binary.BigEndian.Uint32(b[3:7]))
		case msgPointerEvent:
			if _, err := io.ReadFull(s.r, b[:5]); err != nil {
				return err
			}
			s.screen.Pointer(b[0], int(binary.BigEndian.Uint16(b[1:])), int(binary.BigEndian.Uint16(b[3:])))
		case msgClientCutText:
			if _, err := io.ReadFull(s.r, b[:7]); err != nil {
				return err
			}
			n := binary.BigEndian.Uint32(b[3:7])
			if n > maxCutText {
				return fmt.Errorf("rfb: client cut text of %d bytes", n)
			}
			if _, err := io.CopyN(io.Discard, s.r, int64(n)); err != nil {
				return err
			}
			s.logf("client cut text, %d bytes", n)
		default:
			return fmt.Errorf("rfb: unknown client message type %d", t)
		}
	}
}

// request records an update request, clipped to the screen, merged with
// one still pending.
func (s *session) request(r rect, incremental bool) {
	x0, y0 := min(r.x, s.w), min(r.y, s.h)
	x1, y1 := min(r.x+r.w, s.w), min(r.y+r.h, s.h)
	r = rect{x0, y0, x1 - x0, y1 - y0}
	s.mu.Lock()
	if s.pending {
		a := s.area
		ax1, ay1 := max(a.x+a.w, x1), max(a.y+a.h, y1)
		ax0, ay0 := min(a.x, x0), min(a.y, y0)
		r = rect{ax0, ay0, ax1 - ax0, ay1 - ay0}
	}
	s.area = r
	s.full = s.full || !incremental
	s.pending = true
	s.gen++
	s.mu.Unlock()
	s.signal()
}

// flush answers the pending request if there is something to send: the
// whole area for a full request, the changed tiles for an incremental one.
func (s *session) flush() error {
	s.mu.Lock()
	pending, full, area, gen, pf, enc := s.pending, s.full, s.area, s.gen, s.pf, s.enc
	s.mu.Unlock()
	if !pending {
		return nil
	}
	s.screen.Snapshot(s.cur)
	var rects []rect
	if full {
		rects = []rect{area}
	} else {
		rects = s.dirty(area)
		if len(rects) == 0 {
			return nil // keep the request until something changes
		}
	}
	s.mu.Lock()
	if s.gen == gen {
		s.pending, s.full = false, false
	}
	s.mu.Unlock()

	buf := s.buf[:0]
	buf = append(buf, 0, 0)
	buf = binary.BigEndian.AppendUint16(buf, uint16(len(rects)))
	for _, r := range rects {
		buf = binary.BigEndian.AppendUint16(buf, uint16(r.x))
		buf = binary.BigEndian.AppendUint16(buf, uint16(r.y))
		buf = binary.BigEndian.AppendUint16(buf, uint16(r.w))
		buf = binary.BigEndian.AppendUint16(buf, uint16(r.h))
		buf = binary.BigEndian.AppendUint32(buf, uint32(enc))
		if enc == EncodingHextile {
			buf = appendHextile(buf, pf, s.cur, s.w, r)
		} else {
			buf = appendRaw(buf, pf, s.cur, s.w, r)
		}
		for y := r.y; y < r.y+r.h; y++ {
			copy(s.shadow[y*s.w+r.x:y*s.w+r.x+r.w], s.cur[y*s.w+r.x:])
		}
	}
	s.buf = buf
	_, err := s.conn.Write(buf)
	return err
}

// dirty returns the 16×16 tiles of area that differ from what the client
// has, joined into runs along each tile row.
func (s *session) dirty(area rect) []rect {
	var out []rect
	for ty := area.y; ty < area.y+area.h; ty += 16 {
		th := min(16, area.y+area.h-ty)
		runStart := -1
		for tx := area.x; ; tx += 16 {
			changed := false
			if tx < area.x+area.w {
				tw := min(16, area.x+area.w-tx)
				for y := ty; y < ty+th && !changed; y++ {
					row := y*s.w + tx
					changed = !slices.Equal(s.cur[row:row+tw], s.shadow[row:row+tw])
				}
			}
			if changed && runStart < 0 {
				runStart = tx
			}
			if !changed && runStart >= 0 {
				end := min(tx, area.x+area.w)
				out = append(out, rect{runStart, ty, end - runStart, th})
				runStart = -1
			}
			if tx >= area.x+area.w {
				break
			}
		}
	}
	return out
}
