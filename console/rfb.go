package console

import (
	"crypto/des"
	"encoding/binary"
	"fmt"
	"io"
	"math/bits"
	"strings"
)

// RFB security types (RFC 6143 section 7.2).
const (
	secInvalid = 0
	secNone    = 1
	secVNCAuth = 2
)

// rfbVersion is an RFB protocol minor version of major version 3: 3, 7 or 8.
type rfbVersion int

func (v rfbVersion) String() string { return fmt.Sprintf("RFB 003.%03d\n", int(v)) }

// maxReasonLength bounds the failure reason strings a peer may send, so a
// broken server cannot make the proxy allocate without limit.
const maxReasonLength = 64 << 10

// readVersion reads a ProtocolVersion message and maps it to the version
// the proxy speaks, following RFC 6143 section 7.1.1: anything from 3.8 up
// is answered with 3.8, 3.7 with 3.7, and other 3.x with 3.3.
func readVersion(r io.Reader) (rfbVersion, error) {
	var msg [12]byte
	if _, err := io.ReadFull(r, msg[:]); err != nil {
		return 0, err
	}
	major, ok1 := parseDigits(msg[4:7])
	minor, ok2 := parseDigits(msg[8:11])
	if string(msg[:4]) != "RFB " || msg[7] != '.' || msg[11] != '\n' || !ok1 || !ok2 {
		return 0, fmt.Errorf("malformed ProtocolVersion %q", msg[:])
	}
	switch {
	case major < 3:
		return 0, fmt.Errorf("unsupported RFB version %d.%d", major, minor)
	case major > 3 || minor >= 8:
		return 8, nil
	case minor == 7:
		return 7, nil
	default:
		return 3, nil
	}
}

func readU8(r io.Reader) (byte, error) {
	var b [1]byte
	_, err := io.ReadFull(r, b[:])
	return b[0], err
}

func readU32(r io.Reader) (uint32, error) {
	var b [4]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return 0, err
	}
	return binary.BigEndian.Uint32(b[:]), nil
}

func writeU32(w io.Writer, v uint32) error {
	_, err := w.Write(binary.BigEndian.AppendUint32(nil, v))
	return err
}

// readReason reads the u32-length-prefixed string servers send with a
// failure.
func readReason(r io.Reader) (string, error) {
	n, err := readU32(r)
	if err != nil {
		return "", err
	}
	if n > maxReasonLength {
		return "", fmt.Errorf("failure reason of %d bytes", n)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", err
	}
	return string(b), nil
}

// authenticateUpstream performs the client side of the RFB handshake over rw
// up to and including SecurityResult, answering VNC Authentication with
// password. On success the next message from the server is ServerInit,
// which it sends once it has received ClientInit.
//
// A rejected password is an *AuthError; any other failure is wrapped as a
// *HandshakeError by the caller.
func authenticateUpstream(rw io.ReadWriter, password string) (rfbVersion, error) {
	ver, err := readVersion(rw)
	if err != nil {
		return 0, err
	}
	if _, err := io.WriteString(rw, ver.String()); err != nil {
		return 0, err
	}

	var secType byte
	if ver == 3 {
		t, err := readU32(rw)
		if err != nil {
			return 0, err
		}
		if t == secInvalid {
			reason, err := readReason(rw)
			if err != nil {
				return 0, err
			}
			return 0, fmt.Errorf("server refused the connection: %s", reason)
		}
		if t != secNone && t != secVNCAuth {
			return 0, fmt.Errorf("unsupported security type %d", t)
		}
		secType = byte(t)
	} else {
		n, err := readU8(rw)
		if err != nil {
			return 0, err
		}
		if n == 0 {
			reason, err := readReason(rw)
			if err != nil {
				return 0, err
			}
			return 0, fmt.Errorf("server refused the connection: %s", reason)
		}
		offered := make([]byte, n)
		if _, err := io.ReadFull(rw, offered); err != nil {
			return 0, err
		}
		for _, t := range offered {
			if t == secVNCAuth || (t == secNone && secType == 0) {
				secType = t
			}
		}
		if secType == 0 {
			return 0, fmt.Errorf("no supported security type among %v", offered)
		}
		if _, err := rw.Write([]byte{secType}); err != nil {
			return 0, err
		}
	}

	if secType == secNone {
		if ver == 8 {
			return ver, readSecurityResult(rw, ver)
		}
		return ver, nil
	}

	var challenge [16]byte
	if _, err := io.ReadFull(rw, challenge[:]); err != nil {
		return 0, err
	}
	if _, err := rw.Write(vncAuthResponse(challenge, password)); err != nil {
		return 0, err
	}
	return ver, readSecurityResult(rw, ver)
}

// readSecurityResult reads SecurityResult and turns a failure into an
// *AuthError. Only 3.8 servers explain a failure; 3.3 servers may just
// close the connection.
func readSecurityResult(r io.Reader, ver rfbVersion) error {
	result, err := readU32(r)
	if err != nil {
		if ver == 3 && isClosed(err) {
			return &AuthError{Reason: "the VNC server closed the connection"}
		}
		return err
	}
	if result == 0 {
		return nil
	}
	reason := "password rejected"
	if ver == 8 {
		s, err := readReason(r)
		if err != nil {
			return fmt.Errorf("reading the reason for SecurityResult %d: %w", result, err)
		}
		// QEMU sends its reason with the C string's NUL.
		if s = strings.TrimRight(s, "\x00"); s != "" {
			reason = s
		}
	} else if result == 2 {
		reason = "too many attempts"
	}
	return &AuthError{Reason: reason}
}

// vncAuthResponse encrypts the challenge with DES-ECB as VNC Authentication
// does: the key is the password's first 8 bytes, zero-padded, with the bits
// of each byte reversed (a quirk of the original VNC's DES code that every
// server kept).
func vncAuthResponse(challenge [16]byte, password string) []byte {
	var key [8]byte
	copy(key[:], password)
	for i, b := range key {
		key[i] = bits.Reverse8(b)
	}
	block, err := des.NewCipher(key[:])
	if err != nil {
		panic(err) // only on a key that is not 8 bytes long
	}
	out := make([]byte, 16)
	block.Encrypt(out[:8], challenge[:8])
	block.Encrypt(out[8:], challenge[8:])
	return out
}

// serveClientHandshake performs the server side of the RFB handshake with
// noVNC over rw, offering only security type None, up to the point where
// the client sends ClientInit.
func serveClientHandshake(rw io.ReadWriter) error {
	if _, err := io.WriteString(rw, rfbVersion(8).String()); err != nil {
		return err
	}
	ver, err := readVersion(rw)
	if err != nil {
		return err
	}
	if ver == 3 {
		// RFB 3.3: the server decides, and None has no SecurityResult.
		return writeU32(rw, secNone)
	}
	if _, err := rw.Write([]byte{1, secNone}); err != nil {
		return err
	}
	chosen, err := readU8(rw)
	if err != nil {
		return err
	}
	if chosen != secNone {
		if ver == 8 {
			reason := "only security type None is offered"
			msg := binary.BigEndian.AppendUint32(nil, 1)
			msg = binary.BigEndian.AppendUint32(msg, uint32(len(reason)))
			_, _ = rw.Write(append(msg, reason...))
		}
		return fmt.Errorf("client chose security type %d, only None (1) was offered", chosen)
	}
	if ver == 8 {
		return writeU32(rw, 0) // SecurityResult OK
	}
	return nil // 3.7: None goes straight to initialisation
}

func parseDigits(b []byte) (int, bool) {
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}
