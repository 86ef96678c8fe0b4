package console

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

func TestProxyVersions(t *testing.T) {
	for _, up := range []string{"RFB 003.003\n", "RFB 003.007\n", "RFB 003.008\n", "RFB 003.889\n"} {
		for _, cl := range []string{"RFB 003.003\n", "RFB 003.007\n", "RFB 003.008\n"} {
			name := "upstream" + strings.TrimSpace(up[4:]) + "/client" + strings.TrimSpace(cl[4:])
			t.Run(name, func(t *testing.T) {
				u := startUpstream(t, vncServer{Version: up})
				p, logs := newTestProxy(t, Options{})
				ends := newEnds()
				localURL, err := p.Register(u.session(ends.onEnd))
				if err != nil {
					t.Fatal(err)
				}
				c := connectClient(t, localURL, cl, 0)
				c.echo(t, []byte("SetEncodings and a FramebufferUpdateRequest, say"))
				c.echo(t, bytes.Repeat([]byte{0xAB}, 70_000))

				c.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
				if err := ends.wait(t); !errors.Is(err, ErrClientClosed) {
					t.Errorf("OnEnd(%v); want ErrClientClosed", err)
				}
				token := localURL[strings.LastIndex(localURL, "/")+1:]
				for _, secret := range []string{token, testPassword, testTicket, "0b0e6d5c-secret"} {
					if strings.Contains(logs.String(), secret) {
						t.Errorf("logs contain a secret %q", secret)
					}
				}
			})
		}
	}
}

func TestProxySecurityTypes(t *testing.T) {
	// QEMU with VeNCrypt offers several types; the proxy picks VNC auth.
	u := startUpstream(t, vncServer{Types: []byte{19, 2, 18}})
	p, _ := newTestProxy(t, Options{})
	localURL, err := p.Register(u.session(nil))
	if err != nil {
		t.Fatal(err)
	}
	c := connectClient(t, localURL, "", 0)
	c.echo(t, []byte("hello"))
}

func TestProxyOneBytePerMessage(t *testing.T) {
	// Like noVNC's fake websocket: every byte its own message, both ways.
	for _, up := range []string{"RFB 003.003\n", "RFB 003.008\n"} {
		t.Run(strings.TrimSpace(up[4:]), func(t *testing.T) {
			u := startUpstream(t, vncServer{Version: up, Chunk: 1})
			p, _ := newTestProxy(t, Options{})
			localURL, err := p.Register(u.session(nil))
			if err != nil {
				t.Fatal(err)
			}
			c := connectClient(t, localURL, "", 1)
			c.echo(t, []byte("one byte at a time"))
		})
	}
}

func TestProxyAuthFailed(t *testing.T) {
	for _, tt := range []struct {
		version, reason string
	}{
		{"RFB 003.008\n", "Authentication failed"},
		{"RFB 003.007\n", "password rejected"},
		{"RFB 003.003\n", "password rejected"},
	} {
		t.Run(strings.TrimSpace(tt.version[4:]), func(t *testing.T) {
			u := startUpstream(t, vncServer{Version: tt.version, Password: "expired!"})
			p, _ := newTestProxy(t, Options{})
			ends := newEnds()
			localURL, err := p.Register(u.session(ends.onEnd))
			if err != nil {
				t.Fatal(err)
			}
			conn, _, err := dialClient(t, localURL, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			ce := readClose(t, conn)
			want := "VNC authentication failed: " + tt.reason
			if ce.Code != CloseAuthFailed || ce.Text != want {
				t.Errorf("close %d %q; want %d %q", ce.Code, ce.Text, CloseAuthFailed, want)
			}
			var ae *AuthError
			if err := ends.wait(t); !errors.As(err, &ae) || ae.Reason != tt.reason {
				t.Errorf("OnEnd(%v); want *AuthError{%q}", err, tt.reason)
			}
		})
	}
}

func TestProxyUpstreamRefuses(t *testing.T) {
	u := startUpstream(t, vncServer{Refuse: "Too many security failures"})
	p, _ := newTestProxy(t, Options{})
	ends := newEnds()
	localURL, _ := p.Register(u.session(ends.onEnd))
	conn, _, err := dialClient(t, localURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ce := readClose(t, conn)
	if ce.Code != CloseUpstreamError || !strings.Contains(ce.Text, "Too many security failures") {
		t.Errorf("close %d %q; want %d with the server's reason", ce.Code, ce.Text, CloseUpstreamError)
	}
	var he *HandshakeError
	if err := ends.wait(t); !errors.As(err, &he) || he.Side != "upstream" {
		t.Errorf("OnEnd(%v); want *HandshakeError from upstream", err)
	}
}

func TestProxyDialFailed(t *testing.T) {
	u := startUpstream(t, vncServer{})
	p, _ := newTestProxy(t, Options{})
	ends := newEnds()
	s := u.session(ends.onEnd)
	s.Header = http.Header{"Authorization": {"PVEAPIToken=root@pam!cecyber=wrong"}}
	localURL, _ := p.Register(s)
	conn, _, err := dialClient(t, localURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ce := readClose(t, conn)
	if ce.Code != CloseDialFailed || !strings.Contains(ce.Text, "401") {
		t.Errorf("close %d %q; want %d mentioning 401", ce.Code, ce.Text, CloseDialFailed)
	}
	if err := ends.wait(t); err == nil || !strings.Contains(err.Error(), "401") || strings.Contains(err.Error(), "wrong") {
		t.Errorf("OnEnd(%v); want the 401, without the header", err)
	}
}

func TestProxyRefusesRequests(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	u := startUpstream(t, vncServer{})
	p, logs := newTestProxy(t, Options{Now: clock, TokenTTL: time.Hour})

	if host, _, _ := net.SplitHostPort(p.Addr()); host != "127.0.0.1" {
		t.Errorf("Addr() = %q; want 127.0.0.1", p.Addr())
	}

	register := func() string {
		t.Helper()
		localURL, err := p.Register(u.session(nil))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(localURL, "ws://"+p.Addr()+"/console/") {
			t.Fatalf("Register() = %q", localURL)
		}
		return localURL
	}
	expect403 := func(t *testing.T, localURL string, header http.Header) {
		t.Helper()
		conn, resp, err := dialClient(t, localURL, header)
		if err == nil {
			conn.Close()
			t.Fatal("connection accepted")
		}
		if resp == nil || resp.StatusCode != http.StatusForbidden {
			t.Fatalf("dial: %v, %v; want 403", err, resp)
		}
	}

	// wantLogged checks that a refusal was logged with its reason.
	wantLogged := func(t *testing.T, why string) {
		t.Helper()
		if want := "msg=\"console: refused connection\" why=\"" + why + "\""; !strings.Contains(logs.String(), want) {
			t.Errorf("no refusal logged with %s", want)
		}
	}

	t.Run("WrongOrigin", func(t *testing.T) {
		expect403(t, register(), http.Header{"Origin": {"http://evil.example"}})
		wantLogged(t, "origin not allowed")
	})
	t.Run("MissingOrigin", func(t *testing.T) {
		expect403(t, register(), http.Header{})
	})
	t.Run("OriginPrefix", func(t *testing.T) {
		expect403(t, register(), http.Header{"Origin": {testOrigin + ".evil.example"}})
	})
	t.Run("UnknownToken", func(t *testing.T) {
		expect403(t, "ws://"+p.Addr()+"/console/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", nil)
		wantLogged(t, "unknown or ended session")
	})
	t.Run("RandomPath", func(t *testing.T) {
		expect403(t, "ws://"+p.Addr()+"/", nil)
		expect403(t, "ws://"+p.Addr()+"/api2/json", nil)
	})
	t.Run("WrongHost", func(t *testing.T) {
		localURL := register()
		_, port, _ := net.SplitHostPort(p.Addr())
		expect403(t, strings.Replace(localURL, "127.0.0.1:"+port, "localhost:"+port, 1), nil)
	})
	t.Run("Reused", func(t *testing.T) {
		localURL := register()
		c := connectClient(t, localURL, "", 0)
		expect403(t, localURL, nil) // while in use
		wantLogged(t, "session token already used")
		c.conn.Close()
		expect403(t, localURL, nil) // and after
	})
	t.Run("Expired", func(t *testing.T) {
		localURL := register()
		mu.Lock()
		now = now.Add(time.Hour)
		mu.Unlock()
		expect403(t, localURL, nil)
		wantLogged(t, "session token expired")
	})
	t.Run("PlainGET", func(t *testing.T) {
		localURL := register()
		req, _ := http.NewRequest("GET", "http"+strings.TrimPrefix(localURL, "ws"), nil)
		req.Header.Set("Origin", testOrigin)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("status %d; want 403", resp.StatusCode)
		}
		connectClient(t, localURL, "", 0) // the token survived
	})
	if !strings.Contains(logs.String(), "refused connection") {
		t.Error("no refusal was logged")
	}
}

func TestProxyEmptyAllowedOrigins(t *testing.T) {
	u := startUpstream(t, vncServer{})
	p, _ := newTestProxy(t, Options{AllowedOrigins: []string{}})
	localURL, _ := p.Register(u.session(nil))
	if conn, resp, err := dialClient(t, localURL, nil); err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		if conn != nil {
			conn.Close()
		}
		t.Fatalf("dial: %v, %v; want 403", err, resp)
	}
}

func TestProxyTokenExpiresUnused(t *testing.T) {
	u := startUpstream(t, vncServer{})
	p, _ := newTestProxy(t, Options{TokenTTL: 50 * time.Millisecond})
	ends := newEnds()
	localURL, _ := p.Register(u.session(ends.onEnd))
	if err := ends.wait(t); !errors.Is(err, ErrTokenExpired) {
		t.Errorf("OnEnd(%v); want ErrTokenExpired", err)
	}
	if conn, resp, err := dialClient(t, localURL, nil); err == nil || resp.StatusCode != http.StatusForbidden {
		if conn != nil {
			conn.Close()
		}
		t.Errorf("dial after expiry: %v; want 403", err)
	}
}

func TestProxyRegisterValidates(t *testing.T) {
	u := startUpstream(t, vncServer{})
	p, _ := newTestProxy(t, Options{})
	for name, mod := range map[string]func(*Session){
		"NoDialTLS":    func(s *Session) { s.DialTLS = nil },
		"NoPassword":   func(s *Session) { s.Password = "" },
		"PlainWS":      func(s *Session) { s.Upstream = strings.Replace(s.Upstream, "wss:", "ws:", 1) },
		"MalformedURL": func(s *Session) { s.Upstream = "wss://[::1" + testTicket },
	} {
		t.Run(name, func(t *testing.T) {
			s := u.session(nil)
			mod(&s)
			if _, err := p.Register(s); err == nil {
				t.Fatal("Register succeeded")
			} else if strings.Contains(err.Error(), testTicket) {
				t.Errorf("error %q leaks the ticket", err)
			}
		})
	}
}

func TestProxyLargeWriteIsChunked(t *testing.T) {
	u := startUpstream(t, vncServer{})
	p, _ := newTestProxy(t, Options{})
	localURL, _ := p.Register(u.session(nil))
	c := connectClient(t, localURL, "", 0)
	u.frames.mu.Lock()
	u.frames.buf = nil // forget the handshake... except that the HTTP request is needed
	u.frames.mu.Unlock()
	u.frames.write([]byte("\r\n\r\n"))

	data := make([]byte, 300<<10)
	for i := range data {
		data[i] = byte(i * 7)
	}
	c.echo(t, data) // one 300 KiB message from the client

	frames, err := u.frames.frames()
	if err != nil {
		t.Fatal(err)
	}
	var sizes []int
	total := 0
	for _, f := range frames {
		if !f.fin || f.opcode == 0 {
			t.Errorf("fragmented frame upstream: %+v", f)
		}
		if !f.masked {
			t.Errorf("unmasked frame upstream: %+v", f)
		}
		if f.opcode != websocket.BinaryMessage {
			continue
		}
		if f.length > MaxUpstreamMessage {
			t.Errorf("message of %d bytes upstream; max %d", f.length, MaxUpstreamMessage)
		}
		sizes = append(sizes, f.length)
		total += f.length
	}
	if len(sizes) < 3 || total != len(data) {
		t.Errorf("upstream got messages %v (%d bytes); want ≥3 totalling %d", sizes, total, len(data))
	}
}

func TestProxyUpstreamCloses(t *testing.T) {
	for name, hangUp := range map[string]error{
		"CloseFrame": errUpstreamHangUp,
		// pveproxy just shuts the connection down when the VNC server
		// goes away, without a close frame.
		"Shutdown": errors.New("drop the connection"),
	} {
		t.Run(name, func(t *testing.T) {
			base := runtime.NumGoroutine()
			hangingUp := make(chan struct{})
			u := startUpstream(t, vncServer{AfterRFB: func(rw io.ReadWriter) error {
				<-hangingUp
				return hangUp
			}})
			p, err := New(Options{AllowedOrigins: []string{testOrigin}})
			if err != nil {
				t.Fatal(err)
			}
			ends := newEnds()
			localURL, _ := p.Register(u.session(ends.onEnd))
			c := connectClient(t, localURL, "", 0)
			close(hangingUp)
			ce := c.closeError(t)
			if ce.Code != websocket.CloseNormalClosure || ce.Text != "Proxmox closed the console" {
				t.Errorf("close %d %q; want 1000 \"Proxmox closed the console\"", ce.Code, ce.Text)
			}
			if err := ends.wait(t); !errors.Is(err, ErrUpstreamClosed) {
				t.Errorf("OnEnd(%v); want ErrUpstreamClosed", err)
			}
			c.conn.Close()
			p.Close()
			u.Close()
			settleGoroutines(t, base)
		})
	}
}

func TestProxyIdle(t *testing.T) {
	u := startUpstream(t, vncServer{})
	p, _ := newTestProxy(t, Options{IdleTimeout: 300 * time.Millisecond, PingInterval: 50 * time.Millisecond})
	ends := newEnds()
	localURL, _ := p.Register(u.session(ends.onEnd))
	c := connectClient(t, localURL, "", 0)
	var pings sync.WaitGroup
	pings.Add(1)
	var once sync.Once
	c.conn.SetPingHandler(func(string) error { once.Do(pings.Done); return nil })
	start := time.Now()
	ce := c.closeError(t)
	if ce.Code != CloseIdle {
		t.Errorf("close %d %q; want %d", ce.Code, ce.Text, CloseIdle)
	}
	if d := time.Since(start); d < 250*time.Millisecond {
		t.Errorf("closed after %v; idle timeout is 300ms", d)
	}
	if err := ends.wait(t); !errors.Is(err, ErrIdle) {
		t.Errorf("OnEnd(%v); want ErrIdle", err)
	}
	pings.Wait() // the proxy pinged while idle; pings are not traffic
}

func TestProxyTrafficKeepsAlive(t *testing.T) {
	u := startUpstream(t, vncServer{})
	p, _ := newTestProxy(t, Options{IdleTimeout: 300 * time.Millisecond, PingInterval: 50 * time.Millisecond})
	localURL, _ := p.Register(u.session(nil))
	c := connectClient(t, localURL, "", 0)
	// Typing paced by the proxy's own pings: 20 ping intervals are a
	// second, more than three idle timeouts.
	for range 20 {
		c.echo(t, []byte("x"))
		u.waitPing(t)
	}
	c.echo(t, []byte("still there"))
}

func TestProxyEnd(t *testing.T) {
	u := startUpstream(t, vncServer{})
	p, _ := newTestProxy(t, Options{})

	t.Run("Connected", func(t *testing.T) {
		ends := newEnds()
		localURL, _ := p.Register(u.session(ends.onEnd))
		c := connectClient(t, localURL, "", 0)
		if !p.End(localURL) {
			t.Fatal("End found no session")
		}
		if ce := c.closeError(t); ce.Code != websocket.CloseNormalClosure {
			t.Errorf("close %d %q; want 1000", ce.Code, ce.Text)
		}
		if err := ends.wait(t); !errors.Is(err, ErrEnded) {
			t.Errorf("OnEnd(%v); want ErrEnded", err)
		}
	})
	t.Run("Unclaimed", func(t *testing.T) {
		ends := newEnds()
		localURL, _ := p.Register(u.session(ends.onEnd))
		if !p.End(localURL) {
			t.Fatal("End found no session")
		}
		if err := ends.wait(t); !errors.Is(err, ErrEnded) {
			t.Errorf("OnEnd(%v); want ErrEnded", err)
		}
		if p.End(localURL) {
			t.Error("End found the session twice")
		}
	})
}

func TestProxyClose(t *testing.T) {
	base := runtime.NumGoroutine()
	u := startUpstream(t, vncServer{})
	p, err := New(Options{AllowedOrigins: []string{testOrigin}})
	if err != nil {
		t.Fatal(err)
	}
	active, pending := newEnds(), newEnds()
	localURL, _ := p.Register(u.session(active.onEnd))
	p.Register(u.session(pending.onEnd))
	c := connectClient(t, localURL, "", 0)
	c.echo(t, []byte("hi"))

	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	// Close has waited: OnEnd has run for both.
	for _, e := range []*ends{active, pending} {
		select {
		case err := <-e.ch:
			if !errors.Is(err, ErrProxyClosed) {
				t.Errorf("OnEnd(%v); want ErrProxyClosed", err)
			}
		default:
			t.Error("Close returned before OnEnd")
		}
	}
	if ce := c.closeError(t); ce.Code != websocket.CloseGoingAway {
		t.Errorf("close %d %q; want 1001", ce.Code, ce.Text)
	}
	if _, err := p.Register(u.session(nil)); !errors.Is(err, ErrProxyClosed) {
		t.Errorf("Register after Close: %v; want ErrProxyClosed", err)
	}
	if _, err := net.Dial("tcp", p.Addr()); err == nil {
		t.Error("still listening after Close")
	}
	c.conn.Close()
	u.Close()
	settleGoroutines(t, base)
}
