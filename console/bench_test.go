package console

import (
	"context"
	"encoding/binary"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// Framebuffer traffic for the benchmarks: the client asks for n updates of
// updateSize bytes, which the upstream sends in upstreamChunk-byte messages,
// about what pveproxy makes of QEMU's output.
const (
	updateSize    = 1 << 20
	upstreamChunk = 64 << 10
)

// streamUpdates is the upstream side: after the handshake it reads a u32
// count and sends that many updates, until the client leaves.
func streamUpdates(rw io.ReadWriter) error {
	update := make([]byte, updateSize)
	for i := range update {
		update[i] = byte(i)
	}
	for {
		n, err := readU32(rw)
		if err != nil {
			return nil
		}
		for range n {
			if _, err := rw.Write(update); err != nil {
				return err
			}
		}
	}
}

// pull asks for n updates on rw and reads them.
func pull(b *testing.B, rw io.ReadWriter, n int) {
	if _, err := rw.Write(binary.BigEndian.AppendUint32(nil, uint32(n))); err != nil {
		b.Fatal(err)
	}
	if _, err := io.CopyN(io.Discard, rw, int64(n)*updateSize); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkProxyThroughput: upstream → proxy → client.
func BenchmarkProxyThroughput(b *testing.B) {
	u := startUpstream(b, vncServer{Chunk: upstreamChunk, AfterRFB: streamUpdates})
	p, _ := newTestProxy(b, Options{})
	localURL, err := p.Register(u.session(nil))
	if err != nil {
		b.Fatal(err)
	}
	c := connectClient(b, localURL, "", 0)
	pull(b, c.stream, 1) // warm up
	b.SetBytes(updateSize)
	b.ResetTimer()
	pull(b, c.stream, b.N)
}

// BenchmarkDirectThroughput: the same traffic with the client talking to
// the upstream itself (same TLS, same WebSocket library), for the ratio.
func BenchmarkDirectThroughput(b *testing.B) {
	u := startUpstream(b, vncServer{Chunk: upstreamChunk, AfterRFB: streamUpdates})
	d := websocket.Dialer{
		NetDialTLSContext: u.Dial,
		Subprotocols:      []string{"binary"},
		HandshakeTimeout:  handshakeTimeout,
		ReadBufferSize:    64 << 10,
		WriteBufferSize:   MaxUpstreamMessage + maxFrameHeader,
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, _, err := d.DialContext(ctx, u.URL, http.Header{"Authorization": {testAuth}})
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	s := &wsStream{conn: conn, maxMessage: MaxUpstreamMessage, now: time.Now}
	if _, err := authenticateUpstream(s, testPassword); err != nil {
		b.Fatal(err)
	}
	if _, err := s.Write([]byte{1}); err != nil {
		b.Fatal(err)
	}
	var serverInit [24 + len(testName)]byte
	if _, err := io.ReadFull(s, serverInit[:]); err != nil {
		b.Fatal(err)
	}
	pull(b, s, 1)
	b.SetBytes(updateSize)
	b.ResetTimer()
	pull(b, s, b.N)
}
