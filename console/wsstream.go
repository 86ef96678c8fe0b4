package console

import (
	"errors"
	"fmt"
	"io"
	"net"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// MaxUpstreamMessage is the largest WebSocket message the proxy sends to
// Proxmox: pveproxy drops messages over 128 KiB.
const MaxUpstreamMessage = 128 << 10

// maxFrameHeader is the largest WebSocket frame header (RFC 6455 5.2): a
// write buffer this much larger than a message holds it in one frame.
const maxFrameHeader = 2 + 8 + 4

// wsStream turns a WebSocket carrying binary messages into a byte stream,
// the way RFB sees its transport. Read returns bytes regardless of how
// the peer cut them into messages; Write sends one binary message per call,
// or several of at most maxMessage bytes, each written with WriteMessage so
// that gorilla never fragments it (its write buffer holds a whole message).
//
// One goroutine may Read and one may Write at a time, as with gorilla.
type wsStream struct {
	conn       *websocket.Conn
	maxMessage int

	// readTimeout, when non-zero, is how long a Read may wait for the next
	// message; every message (and every pong) pushes the deadline forward.
	readTimeout time.Duration
	// writeTimeout bounds each message written.
	writeTimeout time.Duration
	// activity, when non-nil, is stamped with the time of each data
	// message, for the idle timeout.
	activity *atomic.Int64
	now      func() time.Time

	r io.Reader // the message being read; nil between messages
	// deadlineSet is when Read last moved the read deadline.
	deadlineSet time.Time
}

var errTextMessage = errors.New("unexpected text message on a binary console")

func (s *wsStream) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for {
		if s.r == nil {
			typ, r, err := s.conn.NextReader()
			if err != nil {
				return 0, err
			}
			if typ != websocket.BinaryMessage {
				return 0, errTextMessage
			}
			s.r = r
			s.touch()
			if s.readTimeout > 0 {
				// Moving the deadline costs a timer update in the
				// runtime: do it once per eighth of the timeout rather
				// than once per message.
				if now := time.Now(); now.Sub(s.deadlineSet) > s.readTimeout/8 {
					_ = s.conn.SetReadDeadline(now.Add(s.readTimeout))
					s.deadlineSet = now
				}
			}
		}
		n, err := s.r.Read(p)
		if err == io.EOF {
			s.r = nil
			if n == 0 {
				continue // an empty message, or the end of one
			}
			err = nil
		}
		return n, err
	}
}

func (s *wsStream) Write(p []byte) (int, error) {
	written := 0
	for len(p) > 0 {
		chunk := min(len(p), s.maxMessage)
		if s.writeTimeout > 0 {
			_ = s.conn.SetWriteDeadline(time.Now().Add(s.writeTimeout))
		}
		if err := s.conn.WriteMessage(websocket.BinaryMessage, p[:chunk]); err != nil {
			return written, err
		}
		s.touch()
		written += chunk
		p = p[chunk:]
	}
	return written, nil
}

func (s *wsStream) touch() {
	if s.activity != nil {
		s.activity.Store(s.now().UnixNano())
	}
}

// keepReading makes pongs extend the read deadline like data does.
func (s *wsStream) keepReading(timeout time.Duration) {
	s.readTimeout = timeout
	_ = s.conn.SetReadDeadline(time.Now().Add(timeout))
	s.conn.SetPongHandler(func(string) error {
		return s.conn.SetReadDeadline(time.Now().Add(timeout))
	})
}

// isClosed reports whether err means the peer closed or dropped the
// connection, as opposed to a protocol error or a timeout.
func isClosed(err error) bool {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		return true
	}
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed)
}

// closeText describes a close frame for a log line or an error.
func closeText(err error) string {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		if ce.Text != "" {
			return fmt.Sprintf("close %d: %s", ce.Code, ce.Text)
		}
		return fmt.Sprintf("close %d", ce.Code)
	}
	return err.Error()
}

// readChunk reads like Read but goes on until p is full or the current
// message ends, so a relay forwards whole messages where it can.
func (s *wsStream) readChunk(p []byte) (int, error) {
	n, err := s.Read(p)
	for err == nil && n < len(p) && s.r != nil {
		var m int
		m, err = s.r.Read(p[n:])
		n += m
		if err == io.EOF {
			s.r = nil
			err = nil
		}
	}
	return n, err
}
