package console

import (
	"encoding/binary"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"cecyber/proxmox/pvesim/rfb"
)

// serveSimRFB bridges a console to the simulator's RFB server, an RFB
// implementation written independently of this package's.
func serveSimRFB(cfg rfb.Config) func(io.ReadWriter) error {
	return func(rw io.ReadWriter) error {
		ours, theirs := net.Pipe()
		defer ours.Close()
		errc := make(chan error, 1)
		go func() { errc <- rfb.Serve(theirs, cfg) }()
		go func() {
			_, _ = io.Copy(ours, rw)
			ours.Close()
		}()
		_, _ = io.Copy(rw, ours)
		return <-errc
	}
}

func TestProxySimRFB(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		u := startUpstreamFunc(t, 0, serveSimRFB(rfb.Config{Width: 320, Height: 200, Name: testName, Password: testPassword}))
		p, _ := newTestProxy(t, Options{})
		localURL, err := p.Register(u.session(nil))
		if err != nil {
			t.Fatal(err)
		}
		c := connect(t, localURL, "", 0)
		if c.width != 320 || c.height != 200 || c.name != testName {
			t.Fatalf("ServerInit %dx%d %q; want 320x200 %q", c.width, c.height, c.name, testName)
		}
		pixels := c.readFramebuffer(t)
		lit := 0
		for _, px := range pixels {
			if px != 0 {
				lit++
			}
		}
		if lit == 0 {
			t.Error("the framebuffer is blank")
		}
	})
	for name, cfg := range map[string]rfb.Config{
		"WrongPassword":   {Password: "other"},
		"ExpiredPassword": {Password: testPassword, PasswordExpires: time.Now().Add(-time.Second)},
	} {
		t.Run(name, func(t *testing.T) {
			u := startUpstreamFunc(t, 0, serveSimRFB(cfg))
			p, _ := newTestProxy(t, Options{})
			ends := newEnds()
			localURL, _ := p.Register(u.session(ends.onEnd))
			conn, _, err := dialClient(t, localURL, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			ce := readClose(t, conn)
			const want = "VNC authentication failed: Authentication failed"
			if ce.Code != CloseAuthFailed || ce.Text != want {
				t.Errorf("close %d %q; want %d %q", ce.Code, ce.Text, CloseAuthFailed, want)
			}
			var ae *AuthError
			if err := ends.wait(t); !errors.As(err, &ae) {
				t.Errorf("OnEnd(%v); want *AuthError", err)
			}
		})
	}
}

// readFramebuffer asks for the whole screen in Raw (the default encoding)
// and returns its pixels (32 bpp as announced in ServerInit).
func (c *vncClient) readFramebuffer(t testing.TB) []uint32 {
	t.Helper()
	req := []byte{3, 0}
	req = binary.BigEndian.AppendUint16(req, 0)
	req = binary.BigEndian.AppendUint16(req, 0)
	req = binary.BigEndian.AppendUint16(req, uint16(c.width))
	req = binary.BigEndian.AppendUint16(req, uint16(c.height))
	if _, err := c.stream.Write(req); err != nil {
		t.Fatal(err)
	}
	_ = c.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	pixels := make([]uint32, c.width*c.height)
	var hdr [4]byte
	if _, err := io.ReadFull(c.stream, hdr[:]); err != nil {
		t.Fatal(err)
	}
	if hdr[0] != 0 {
		t.Fatalf("server message type %d; want FramebufferUpdate", hdr[0])
	}
	for range binary.BigEndian.Uint16(hdr[2:]) {
		var r [12]byte
		if _, err := io.ReadFull(c.stream, r[:]); err != nil {
			t.Fatal(err)
		}
		x, y := int(binary.BigEndian.Uint16(r[0:])), int(binary.BigEndian.Uint16(r[2:]))
		w, h := int(binary.BigEndian.Uint16(r[4:])), int(binary.BigEndian.Uint16(r[6:]))
		if enc := int32(binary.BigEndian.Uint32(r[8:])); enc != 0 {
			t.Fatalf("rectangle encoding %d; want Raw", enc)
		}
		raw := make([]byte, w*h*4)
		if _, err := io.ReadFull(c.stream, raw); err != nil {
			t.Fatal(err)
		}
		for i := range w * h {
			pixels[(y+i/w)*c.width+x+i%w] = binary.LittleEndian.Uint32(raw[i*4:])
		}
	}
	return pixels
}
