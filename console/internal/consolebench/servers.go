//go:build unix

package main

import (
	"bytes"
	"crypto/des"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/big"
	"math/bits"
	"net"
	"net/http"
	"time"

	"github.com/gorilla/websocket"
)

// The data source is the same program for every path: after the RFB
// handshake it reads 8-byte commands and answers them.
const (
	opKeyEvent   = 4    // RFB KeyEvent: echoed back as one 8-byte message
	opPump       = 0xF0 // send arg bytes of framebuffer data
	opBurstClose = 0xF1 // send arg bytes, then drop the connection
)

// chunkSize is what pveproxy makes of QEMU's output: a 1 MiB framebuffer
// update arrives as 64 KiB WebSocket messages (or 64 KiB socket writes on
// the raw TCP target websockify talks to).
const (
	chunkSize  = 64 << 10
	updateSize = 1 << 20
)

const (
	benchPassword = "Zq8xW1pa"
	serverName    = "consolebench"
)

// update is a 1 MiB framebuffer update every server sends, chunk by chunk.
var update = func() []byte {
	b := make([]byte, updateSize)
	for i := range b {
		b[i] = byte(i*7 + i>>8)
	}
	return b
}()

// command is one 8-byte client message: op, three bytes of padding, u32 arg.
func command(op byte, arg uint32) []byte {
	return binary.BigEndian.AppendUint32([]byte{op, 1, 0, 0}, arg)
}

// sink is where a server writes: one call per message (WebSocket) or per
// socket write (raw TCP).
type sink interface {
	send(p []byte) error
	// drop ends the stream abruptly: a TCP FIN right after the data, with
	// no WebSocket close frame and no TLS close_notify, as pveproxy does
	// when the VNC server goes away.
	drop()
}

// serveCommands answers commands read from r until r fails.
func serveCommands(r io.Reader, s sink) error {
	var cmd [8]byte
	for {
		if _, err := io.ReadFull(r, cmd[:]); err != nil {
			return err
		}
		arg := int(binary.BigEndian.Uint32(cmd[4:]))
		switch cmd[0] {
		case opKeyEvent:
			if err := s.send(cmd[:]); err != nil {
				return err
			}
		case opPump, opBurstClose:
			for sent := 0; sent < arg; {
				off := sent % updateSize
				n := min(chunkSize, arg-sent, updateSize-off)
				if err := s.send(update[off : off+n]); err != nil {
					return err
				}
				sent += n
			}
			if cmd[0] == opBurstClose {
				s.drop()
				// Keep reading until the peer leaves: closing with
				// unread input would make the kernel reset the
				// connection and discard what is still in flight.
				_, _ = io.Copy(io.Discard, r)
				return nil
			}
		default:
			return fmt.Errorf("unknown command %d", cmd[0])
		}
	}
}

// serverHandshake is the RFB 3.8 server side up to ServerInit, offering
// VNC Authentication (what QEMU behind vncwebsocket does) or None.
func serverHandshake(r io.Reader, s sink, vncAuth bool) error {
	if err := s.send([]byte("RFB 003.008\n")); err != nil {
		return err
	}
	var v [12]byte
	if _, err := io.ReadFull(r, v[:]); err != nil {
		return err
	}
	if string(v[:]) != "RFB 003.008\n" {
		return fmt.Errorf("client version %q", v)
	}
	secType := byte(1)
	if vncAuth {
		secType = 2
	}
	if err := s.send([]byte{1, secType}); err != nil {
		return err
	}
	var chosen [1]byte
	if _, err := io.ReadFull(r, chosen[:]); err != nil {
		return err
	}
	if chosen[0] != secType {
		return fmt.Errorf("client chose security type %d", chosen[0])
	}
	if vncAuth {
		var challenge, response [16]byte
		_, _ = rand.Read(challenge[:])
		if err := s.send(challenge[:]); err != nil {
			return err
		}
		if _, err := io.ReadFull(r, response[:]); err != nil {
			return err
		}
		if !bytes.Equal(response[:], vncAuthResponse(challenge, benchPassword)) {
			_ = s.send(append(binary.BigEndian.AppendUint32(nil, 1), lenString("Authentication failed")...))
			return errors.New("wrong password")
		}
	}
	if err := s.send(binary.BigEndian.AppendUint32(nil, 0)); err != nil { // SecurityResult OK
		return err
	}
	var clientInit [1]byte
	if _, err := io.ReadFull(r, clientInit[:]); err != nil {
		return err
	}
	return s.send(serverInit())
}

// serverInit: 1024x768, 32 bpp true colour, and a name.
func serverInit() []byte {
	b := binary.BigEndian.AppendUint16(nil, 1024)
	b = binary.BigEndian.AppendUint16(b, 768)
	b = append(b, 32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0)
	return append(b, lenString(serverName)...)
}

func lenString(s string) []byte {
	return append(binary.BigEndian.AppendUint32(nil, uint32(len(s))), s...)
}

func vncAuthResponse(challenge [16]byte, password string) []byte {
	var key [8]byte
	copy(key[:], password)
	for i, b := range key {
		key[i] = bits.Reverse8(b)
	}
	block, err := des.NewCipher(key[:])
	if err != nil {
		panic(err)
	}
	out := make([]byte, 16)
	block.Encrypt(out[:8], challenge[:8])
	block.Encrypt(out[8:], challenge[8:])
	return out
}

// wsUpstream is the fake vncwebsocket: TLS like pveproxy, gorilla on the
// server side, VNC Authentication, then the command server.
type wsUpstream struct {
	url string
	srv *http.Server
}

type wsSink struct{ c *websocket.Conn }

func (s wsSink) send(p []byte) error { return s.c.WriteMessage(websocket.BinaryMessage, p) }
func (s wsSink) drop()               { _ = s.c.NetConn().(*tls.Conn).NetConn().(*net.TCPConn).CloseWrite() }

func startWSUpstream(cert tls.Certificate) (*wsUpstream, error) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	u := &wsUpstream{}
	up := websocket.Upgrader{
		ReadBufferSize:  4 << 10,
		WriteBufferSize: 4 << 10, // WriteMessage sends the rest of a message with writev, unfragmented
		Subprotocols:    []string{"binary"},
	}
	u.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		rd := &wsReader{c: c}
		s := wsSink{c}
		if serverHandshake(rd, s, true) != nil {
			return
		}
		_ = serveCommands(rd, s)
	})}
	go func() { _ = u.srv.Serve(tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}})) }()
	u.url = "wss://" + ln.Addr().String() + "/api2/json/nodes/bench/qemu/100/vncwebsocket?port=5900&vncticket=PVEVNC:bench"
	return u, nil
}

func (u *wsUpstream) close() { _ = u.srv.Close() }

// rawTarget is what websockify talks to: the same command server on a raw
// TCP socket (optionally TLS, for --ssl-target), RFB security type None.
type rawTarget struct {
	addr string
	ln   net.Listener
}

type rawSink struct {
	c   net.Conn
	tcp net.Conn
}

func (s rawSink) send(p []byte) error { _, err := s.c.Write(p); return err }
func (s rawSink) drop()               { _ = s.tcp.(*net.TCPConn).CloseWrite() }

func startRawTarget(cert *tls.Certificate) (*rawTarget, error) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	t := &rawTarget{addr: ln.Addr().String(), ln: ln}
	go func() {
		for {
			tcp, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer tcp.Close()
				var c net.Conn = tcp
				if cert != nil {
					c = tls.Server(tcp, &tls.Config{Certificates: []tls.Certificate{*cert}})
				}
				s := rawSink{c: c, tcp: tcp}
				if serverHandshake(c, s, false) != nil {
					return
				}
				_ = serveCommands(c, s)
			}()
		}
	}()
	return t, nil
}

func (t *rawTarget) close() { _ = t.ln.Close() }

func selfSignedCert() (tls.Certificate, *x509.CertPool, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool, nil
}
