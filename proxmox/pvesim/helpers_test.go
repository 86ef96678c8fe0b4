package pvesim

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"cecyber/proxmox/upid"
)

// parseUPID is the parser the simulator itself uses.
var parseUPID = upid.Parse

// eventually polls cond until it holds or timeout passes, and reports
// whether it held. It is for what happens behind real sockets and
// processes, which nothing announces; fake time (Config.Now) cannot move
// it.
func eventually(timeout time.Duration, cond func() bool) bool {
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for !cond() {
		select {
		case <-tick.C:
		case <-deadline.C:
			return cond()
		}
	}
	return true
}

// fakeClock is a manually advanced clock for Config.Now.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// response is one answered request.
type response struct {
	status  int
	reason  string // the reason phrase, i.e. Proxmox's message
	body    []byte
	data    json.RawMessage
	message string
	errors  map[string]string
}

// request performs an API request over HTTPS with the given token (an empty
// ID sends no Authorization header). params go into the query for GET and
// into a form body otherwise.
func request(t testing.TB, srv *Server, tok Token, method, path string, params url.Values) response {
	t.Helper()
	u := srv.URL + apiPrefix + path
	var body io.Reader
	if method == http.MethodGet && len(params) > 0 {
		u += "?" + params.Encode()
	} else if len(params) > 0 {
		body = strings.NewReader(params.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if tok.ID != "" {
		req.Header.Set("Authorization", "PVEAPIToken="+tok.ID+"="+tok.Secret)
	}
	return doRequest(t, srv, req)
}

func doRequest(t testing.TB, srv *Server, req *http.Request) response {
	t.Helper()
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", req.Method, req.URL.Path, err)
	}
	r := response{status: res.StatusCode, reason: strings.TrimPrefix(res.Status, res.Status[:4]), body: b}
	var env struct {
		Data    json.RawMessage   `json:"data"`
		Message string            `json:"message"`
		Errors  map[string]string `json:"errors"`
	}
	if err := json.Unmarshal(b, &env); err != nil {
		t.Fatalf("%s %s: body %q is not JSON: %v", req.Method, req.URL.Path, b, err)
	}
	r.data, r.message, r.errors = env.Data, env.Message, env.Errors
	return r
}

// get is request for a successful GET; it decodes data into v.
func get(t testing.TB, srv *Server, tok Token, path string, params url.Values, v any) {
	t.Helper()
	r := request(t, srv, tok, http.MethodGet, path, params)
	if r.status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, r.status, r.reason)
	}
	if err := json.Unmarshal(r.data, v); err != nil {
		t.Fatalf("GET %s: decode %s: %v", path, r.data, err)
	}
}

func mustToken(t testing.TB, s *Sim, id string) Token {
	t.Helper()
	tok, ok := s.Token(id)
	if !ok {
		t.Fatalf("no token %s", id)
	}
	return tok
}
