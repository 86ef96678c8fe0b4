package pvesim

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
)

// Network faults: a node that hangs, and answers that are cut short. They
// sit beside SetFault (an HTTP error, a real answer) and SetDropConnections
// (no answer at all) because a client must treat them differently: a hang
// is a timeout, a cut-short answer is neither a valid answer nor a refusal.

// CutMode says how an answer is cut short (SetCutShort).
type CutMode int

const (
	// CutNone answers normally.
	CutNone CutMode = iota
	// CutEmpty answers 200 OK with a complete but empty body
	// (Content-Length: 0), as a proxy in front of a dying pveproxy can.
	CutEmpty
	// CutHalf sends the status line, the headers with the full body's
	// Content-Length and the first half of the body, then closes the
	// connection: the node went away in the middle of its answer.
	CutHalf
)

// netFaults is the state of the faults above; Sim holds one.
type netFaults struct {
	mu   sync.Mutex
	hung map[string]chan struct{} // node → closed when it answers again
	cuts []cutRule
}

type cutRule struct {
	node, pattern string
	mode          CutMode
}

// SetNodeHanging makes node hang, or recover: while it hangs, its listener
// accepts TCP connections but never answers their TLS handshake, and
// requests already received on open connections get no answer, as when
// the host is frozen or overloaded. Recovering closes the connections it
// held without a handshake and lets the waiting requests go on.
func (s *Sim) SetNodeHanging(node string, hanging bool) {
	f := &s.netFaults
	f.mu.Lock()
	defer f.mu.Unlock()
	ch, ok := f.hung[node]
	switch {
	case hanging && !ok:
		if f.hung == nil {
			f.hung = map[string]chan struct{}{}
		}
		f.hung[node] = make(chan struct{})
	case !hanging && ok:
		close(ch)
		delete(f.hung, node)
	}
}

// hangOf returns a channel closed when node stops hanging, or nil if it
// does not hang.
func (s *Sim) hangOf(node string) <-chan struct{} {
	f := &s.netFaults
	f.mu.Lock()
	defer f.mu.Unlock()
	if ch, ok := f.hung[node]; ok {
		return ch
	}
	return nil
}

// SetCutShort makes node ("" for every node) cut short its answers to
// requests whose path matches pathPattern (see SetFault) in the way mode
// says; CutNone removes the rule.
func (s *Sim) SetCutShort(node, pathPattern string, mode CutMode) {
	f := &s.netFaults
	f.mu.Lock()
	defer f.mu.Unlock()
	kept := f.cuts[:0]
	for _, c := range f.cuts {
		if c.node != node || c.pattern != pathPattern {
			kept = append(kept, c)
		}
	}
	f.cuts = kept
	if mode != CutNone {
		f.cuts = append(f.cuts, cutRule{node: node, pattern: pathPattern, mode: mode})
	}
}

func (s *Sim) cutFor(node, rel string) CutMode {
	f := &s.netFaults
	f.mu.Lock()
	defer f.mu.Unlock()
	mode := CutNone
	for _, c := range f.cuts {
		if (c.node == "" || c.node == node) && matchPattern(c.pattern, rel) {
			mode = c.mode
		}
	}
	return mode
}

// waitHang holds a request received by a hanging node until the node
// recovers or the client gives up; it reports whether to go on.
func (s *Sim) waitHang(r *http.Request, node string) bool {
	ch := s.hangOf(node)
	if ch == nil {
		return true
	}
	select {
	case <-ch:
		return true
	case <-r.Context().Done():
		panic(http.ErrAbortHandler) // no answer, not an empty one
	}
}

type cuttingKey struct{}

// serveCut answers r cut short if a SetCutShort rule applies to it, and
// reports whether it did.
func (s *Sim) serveCut(w http.ResponseWriter, r *http.Request) bool {
	if r.Context().Value(cuttingKey{}) != nil {
		return false
	}
	rel, ok := strings.CutPrefix(r.URL.Path, apiPrefix)
	if !ok {
		return false
	}
	node := localNode(r)
	if node == "" && len(s.nodes) > 0 {
		node = s.nodes[0].name
	}
	mode := s.cutFor(node, rel)
	if mode == CutNone {
		return false
	}
	rec := &recorder{header: http.Header{}, status: http.StatusOK}
	s.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), cuttingKey{}, true)))
	if rec.hijacked {
		return true
	}
	body := rec.body.Bytes()
	switch mode {
	case CutEmpty:
		for k, v := range rec.header {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(rec.status)
	case CutHalf:
		hj, ok := w.(http.Hijacker)
		if !ok {
			panic(http.ErrAbortHandler)
		}
		conn, bw, err := hj.Hijack()
		if err != nil {
			return true
		}
		defer conn.Close()
		fmt.Fprintf(bw, "HTTP/1.1 %d %s\r\n", rec.status, http.StatusText(rec.status))
		rec.header.Set("Content-Length", fmt.Sprint(len(body)))
		rec.header.Write(bw)
		bw.WriteString("\r\n")
		bw.Write(body[:len(body)/2])
		bw.Flush()
	}
	return true
}

// recorder keeps what a handler answers, for serveCut to cut it short.
type recorder struct {
	header   http.Header
	status   int
	body     bytes.Buffer
	wrote    bool
	hijacked bool
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
}

func (r *recorder) Write(p []byte) (int, error) {
	r.wrote = true
	return r.body.Write(p)
}

// hangListener is a node's listener while it may hang: a connection
// accepted while the node hangs is held, unanswered, until the node
// recovers or stops serving.
type hangListener struct {
	net.Listener
	hung func() <-chan struct{}
	done <-chan struct{} // closed when the listener's server has stopped
}

func (l *hangListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		ch := l.hung()
		if ch == nil {
			return c, nil
		}
		go func() {
			select {
			case <-ch:
			case <-l.done:
			}
			c.Close()
		}()
	}
}
