package console

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"cecyber/proxmox/pvesim/rfb"
)

func TestReadVersion(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want rfbVersion
		ok   bool
	}{
		{"RFB 003.003\n", 3, true},
		{"RFB 003.005\n", 3, true},
		{"RFB 003.007\n", 7, true},
		{"RFB 003.008\n", 8, true},
		{"RFB 003.889\n", 8, true}, // Apple Remote Desktop
		{"RFB 004.001\n", 8, true},
		{"RFB 002.000\n", 0, false},
		{"RFB 003.008 ", 0, false},
		{"RFB 0x3.008\n", 0, false},
		{"HTTP/1.1 200", 0, false},
	} {
		got, err := readVersion(bytes.NewReader([]byte(tt.in)))
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("readVersion(%q) = %v, %v; want %v, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestVNCAuthResponse(t *testing.T) {
	challenge := [16]byte{0x5a, 0x01, 0xff, 0x80, 0x10, 0x20, 0x30, 0x40, 0xde, 0xad, 0xbe, 0xef, 0, 1, 2, 3}
	for _, password := range []string{"", "a", "Zq8xW1pa", "longer than eight", "PVEVNC:6790A1B2::sig"} {
		want := rfb.EncryptChallenge(password, challenge)
		if got := vncAuthResponse(challenge, password); !bytes.Equal(got, want[:]) {
			t.Errorf("vncAuthResponse(%q) = %x; want %x (pvesim/rfb)", password, got, want)
		}
	}
}

// rw is a scripted peer: reads come from in, writes go to out.
type rw struct {
	io.Reader
	out bytes.Buffer
}

func (s *rw) Write(p []byte) (int, error) { return s.out.Write(p) }

func TestAuthenticateUpstreamFailures(t *testing.T) {
	for name, tt := range map[string]struct {
		server   []byte
		wantAuth string // an *AuthError with this reason, or "" for another error
	}{
		"Refused38":  {cat("RFB 003.008\n", []byte{0}, lenString("go away")), ""},
		"Refused33":  {cat("RFB 003.003\n", u32(0), lenString("go away")), ""},
		"OnlyTLS":    {cat("RFB 003.008\n", []byte{1, 18}), ""},
		"Type33":     {cat("RFB 003.003\n", u32(16)), ""},
		"Closed33":   {cat("RFB 003.003\n", u32(2), make([]byte, 16)), "the VNC server closed the connection"},
		"Failed37":   {cat("RFB 003.007\n", []byte{1, 2}, make([]byte, 16), u32(1)), "password rejected"},
		"TooMany37":  {cat("RFB 003.007\n", []byte{1, 2}, make([]byte, 16), u32(2)), "too many attempts"},
		"Failed38":   {cat("RFB 003.008\n", []byte{1, 2}, make([]byte, 16), u32(1), lenString("Authentication failed\x00")), "Authentication failed"},
		"HugeReason": {cat("RFB 003.008\n", []byte{0}, u32(1<<30)), ""},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := authenticateUpstream(&rw{Reader: bytes.NewReader(tt.server)}, testPassword)
			var ae *AuthError
			switch {
			case err == nil:
				t.Fatal("authenticateUpstream succeeded")
			case tt.wantAuth == "" && errors.As(err, &ae):
				t.Errorf("got %v; want an error other than *AuthError", err)
			case tt.wantAuth != "" && (!errors.As(err, &ae) || ae.Reason != tt.wantAuth):
				t.Errorf("got %v; want *AuthError{%q}", err, tt.wantAuth)
			}
		})
	}
}

func TestAuthenticateUpstreamNone(t *testing.T) {
	// A server without a password: None, and 3.8 still sends SecurityResult.
	peer := &rw{Reader: bytes.NewReader(cat("RFB 003.008\n", []byte{1, 1}, u32(0)))}
	if _, err := authenticateUpstream(peer, testPassword); err != nil {
		t.Fatal(err)
	}
	if got, want := peer.out.String(), "RFB 003.008\n\x01"; got != want {
		t.Errorf("sent %q; want %q", got, want)
	}
}

func cat(s string, parts ...[]byte) []byte {
	return append([]byte(s), bytes.Join(parts, nil)...)
}

func FuzzAuthenticateUpstream(f *testing.F) {
	f.Add(cat("RFB 003.008\n", []byte{1, 2}, make([]byte, 16), u32(0)))
	f.Add(cat("RFB 003.003\n", u32(2), make([]byte, 16), u32(1)))
	f.Add(cat("RFB 003.008\n", []byte{0}, lenString("no")))
	f.Fuzz(func(t *testing.T, server []byte) {
		_, _ = authenticateUpstream(&rw{Reader: bytes.NewReader(server)}, testPassword)
	})
}

func FuzzServeClientHandshake(f *testing.F) {
	f.Add([]byte("RFB 003.008\n\x01"))
	f.Add([]byte("RFB 003.003\n"))
	f.Add([]byte("RFB 003.007\n\x02"))
	f.Fuzz(func(t *testing.T, client []byte) {
		_ = serveClientHandshake(&rw{Reader: bytes.NewReader(client)})
	})
}
