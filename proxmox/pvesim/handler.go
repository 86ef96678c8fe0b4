package pvesim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"cecyber/proxmox/upid"
)

const apiPrefix = "/api2/json"

// apiError is an error answered the way pveproxy does: the HTTP status, the
// message as the reason phrase, and {"data":null,"message":…} as the body.
type apiError struct {
	status int
	msg    string
	errors map[string]string // parameter errors (status 400)
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s", e.status, e.msg) }

func errorf(status int, format string, args ...any) *apiError {
	return &apiError{status: status, msg: fmt.Sprintf(format, args...)}
}

func paramError(errs map[string]string) *apiError {
	return &apiError{status: http.StatusBadRequest, msg: "Parameter verification failed.", errors: errs}
}

func permError(path string, privs ...string) *apiError {
	return errorf(http.StatusForbidden, "Permission check failed (%s, %s)", path, strings.Join(privs, "|"))
}

// call is one authenticated, routed and validated request.
type call struct {
	now    time.Time
	tok    Token
	user   string // token id, as it appears in UPIDs
	route  *route
	vars   map[string]string
	params map[string]string
	node   *node  // the {node} path variable, when the route has one
	local  string // the node that received the request; "" for the first
	vmid   int    // the {vmid} path variable, when the route has one
}

func (c *call) has(name string) bool { _, ok := c.params[name]; return ok }

func (c *call) intParam(name string, def int) int {
	if v, ok := c.params[name]; ok {
		n, _ := strconv.Atoi(v)
		return n
	}
	return def
}

func (c *call) boolParam(name string) bool {
	return parseBool(c.params[name]) == 1
}

// ServeHTTP answers /api2/json/… like pveproxy, and its login page at /.
func (s *Sim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/" && r.Method == http.MethodGet {
		s.serveIndex(w, localNode(r))
		return
	}
	rel, ok := strings.CutPrefix(r.URL.Path, apiPrefix)
	if !ok || (rel != "" && rel[0] != '/') {
		writeError(w, r, errorf(http.StatusNotImplemented, "no such uri"))
		return
	}
	if rel == "" {
		rel = "/"
	}

	if s.serveCut(w, r) {
		return
	}
	local := localNode(r)
	latency, dropped, flt, hook := s.hooks(r.Method, rel, local)
	if latency > 0 {
		t := time.NewTimer(latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			// No answer at all, as from a node that went away: returning
			// would make net/http send an empty 200 in its place.
			panic(http.ErrAbortHandler)
		}
	}
	if hangNode := local; hangNode != "" || len(s.nodes) > 0 {
		if hangNode == "" {
			hangNode = s.nodes[0].name
		}
		if !s.waitHang(r, hangNode) {
			return
		}
	}
	if dropped {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler) // closes the connection without a response
	}
	if hook != nil {
		node := local
		if node == "" {
			node = s.nodes[0].name
		}
		hook(r.Method, rel, node)
	}

	tok, err := s.authenticate(r)
	if err != nil {
		s.hookMu.Lock()
		d := s.authDelay
		s.hookMu.Unlock()
		if d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
			}
		}
		writeError(w, r, err)
		return
	}
	if flt != nil {
		writeError(w, r, errorf(flt.status, "%s", flt.message))
		return
	}

	rt, vars := matchRoute(s.routes, r.Method, rel)
	if rt == nil {
		writeError(w, r, errorf(http.StatusNotImplemented, "Method '%s %s' not implemented", r.Method, rel))
		return
	}
	params, err := readParams(r)
	if err != nil {
		writeError(w, r, err)
		return
	}
	for k, v := range vars {
		params[k] = v
	}
	if verr := rt.validate(params); verr != nil {
		writeError(w, r, verr)
		return
	}

	c := &call{tok: tok, user: tok.ID, route: rt, vars: vars, params: params, local: local}
	data, derr := s.dispatch(c)
	if derr != nil {
		writeError(w, r, derr)
		return
	}
	if u, ok := data.(upgrader); ok {
		u.serveUpgrade(w, r)
		return
	}
	writeData(w, data)
}

func (s *Sim) dispatch(c *call) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c.now = s.now()
	s.advanceLocked(c.now)
	if name, ok := c.vars["node"]; ok && !c.route.noProxy {
		n := s.nodeByName[name]
		if n == nil {
			return nil, errorf(http.StatusInternalServerError,
				"hostname lookup '%s' failed - failed to get address info for: %s: Name or service not known", name, name)
		}
		// pveproxy forwards /nodes/{n}/… to node n; when n is down the
		// proxy's connection fails and the client sees AnyEvent::HTTP's
		// pseudo status 595.
		if !n.online {
			return nil, errorf(595, "No route to host")
		}
		c.node = n
	}
	if v, ok := c.vars["vmid"]; ok {
		c.vmid, _ = strconv.Atoi(v)
	}
	if c.route.perm != "" {
		p := expandPerm(c.route.perm, c.vars)
		if !s.hasPrivsLocked(c.tok, p, c.route.privs...) {
			return nil, permError(p, c.route.privs...)
		}
	}
	return c.route.handler(s, c)
}

func expandPerm(tmpl string, vars map[string]string) string {
	for k, v := range vars {
		tmpl = strings.ReplaceAll(tmpl, "{"+k+"}", v)
	}
	return tmpl
}

// hooks reads the fault hooks that apply to one request.
func (s *Sim) hooks(method, rel, local string) (latency time.Duration, drop bool, f *fault, hook func(method, path, node string)) {
	s.hookMu.Lock()
	defer s.hookMu.Unlock()
	for _, p := range s.drops {
		if matchPattern(p, rel) {
			drop = true
		}
	}
	for i := range s.faults {
		ft := s.faults[i]
		if (ft.method == "" || strings.EqualFold(ft.method, method)) && matchPattern(ft.pattern, rel) {
			f = &ft
		}
	}
	if local == "" && len(s.nodes) > 0 {
		local = s.nodes[0].name // nodes never change after New
	}
	return s.latency + s.nodeLatency[local], drop, f, s.onRequest
}

// matchPattern matches rel segment by segment: "{x}" matches any segment,
// anything else goes through path.Match.
func matchPattern(pattern, rel string) bool {
	ps := strings.Split(strings.Trim(pattern, "/"), "/")
	rs := strings.Split(strings.Trim(rel, "/"), "/")
	if len(ps) != len(rs) {
		return false
	}
	for i, p := range ps {
		if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}") {
			continue
		}
		if ok, err := path.Match(p, rs[i]); err != nil || !ok {
			return false
		}
	}
	return true
}

// authenticate checks the PVEAPIToken header like PVE::HTTPServer: a
// request without credentials gets "No ticket"; every token failure
// (unknown user or token, wrong secret) gets "Authentication failed!" so
// that callers cannot probe which part was wrong.
func (s *Sim) authenticate(r *http.Request) (Token, *apiError) {
	value, ok := apiTokenValue(r.Header.Values("Authorization"))
	if !ok {
		return Token{}, errorf(http.StatusUnauthorized, "No ticket")
	}
	failed := errorf(http.StatusUnauthorized, authFailMessage)
	tokenid, secret, ok := strings.Cut(value, "=")
	if !ok || secret == "" {
		return Token{}, failed
	}
	s.mu.Lock()
	t, found := s.tokens[tokenid]
	s.mu.Unlock()
	if !found || !constantTimeEqual(t.Secret, secret) {
		return Token{}, failed
	}
	return t, nil
}

// apiTokenValue extracts USER@REALM!TOKENID=SECRET from an Authorization
// header, accepting "PVEAPIToken=" and "PVEAPIToken " like
// PVE::APIServer::Formatter::extract_auth_value.
func apiTokenValue(headers []string) (string, bool) {
	for _, h := range headers {
		i := strings.Index(h, "PVEAPIToken")
		if i < 0 || (i > 0 && h[i-1] != ' ' && h[i-1] != '\t') {
			continue
		}
		rest := h[i+len("PVEAPIToken"):]
		if rest == "" || (rest[0] != '=' && rest[0] != ' ') {
			continue
		}
		rest = rest[1:]
		if j := strings.IndexByte(rest, ';'); j >= 0 {
			rest = rest[:j]
		}
		if v, err := url.PathUnescape(rest); err == nil {
			rest = v
		}
		return strings.TrimSpace(rest), rest != ""
	}
	return "", false
}

func constantTimeEqual(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	var d byte
	for i := 0; i < len(a); i++ {
		d |= a[i] ^ b[i]
	}
	return d == 0
}

// readParams merges query and body parameters like pveproxy: the body may
// be form-encoded or JSON.
func readParams(r *http.Request) (map[string]string, *apiError) {
	params := make(map[string]string)
	for k, v := range r.URL.Query() {
		if len(v) > 0 {
			params[k] = joinRepeated(v)
		}
	}
	if r.Body == nil {
		return params, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return nil, errorf(http.StatusBadRequest, "unable to read request body: %v", err)
	}
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return params, nil
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/json" {
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			return nil, errorf(http.StatusBadRequest, "unable to parse JSON body: %v", err)
		}
		for k, v := range m {
			switch v := v.(type) {
			case string:
				params[k] = v
			case bool:
				params[k] = map[bool]string{true: "1", false: "0"}[v]
			case float64:
				params[k] = strconv.FormatFloat(v, 'f', -1, 64)
			case nil:
			default:
				b, _ := json.Marshal(v)
				params[k] = string(b)
			}
		}
		return params, nil
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, errorf(http.StatusBadRequest, "unable to parse body: %v", err)
	}
	for k, v := range form {
		if len(v) > 0 {
			params[k] = joinRepeated(v)
		}
	}
	return params, nil
}

// arraySep joins the values of a repeated key. pve-http-server's
// decode_urlencoded (PVE/APIServer/AnyEvent.pm) turns "vms=1&vms=2" into
// an array, "like CGI.pm", which represents one as \0-separated values;
// a parameter the schema does not declare an array then fails its type
// check.
const arraySep = "\x00"

func joinRepeated(v []string) string { return strings.Join(v, arraySep) }

// withTotal is a handler's answer that carries a result attribute "total"
// next to "data", as PVE::RPCEnvironment's set_result_attrib('total', …)
// puts it in the envelope (task lists and logs).
type withTotal struct {
	data  any
	total int
}

func writeData(w http.ResponseWriter, data any) {
	env := map[string]any{"data": data}
	if wt, ok := data.(withTotal); ok {
		env = map[string]any{"data": wt.data, "total": wt.total}
	}
	body, err := json.Marshal(env)
	if err != nil {
		writeError(w, nil, errorf(http.StatusInternalServerError, "pvesim: encode response: %v", err))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json;charset=UTF-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("Cache-Control", "max-age=0")
	h.Set("Pragma", "no-cache")
	h.Set("Server", "pve-api-daemon/3.0")
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

// writeError answers like pveproxy: the message becomes the reason phrase
// (clients such as go-proxmox surface only the status line), and the body
// carries it again with a trailing newline. net/http cannot send a custom
// reason phrase, so the response is written on the hijacked connection,
// which is then closed.
func writeError(w http.ResponseWriter, r *http.Request, err error) {
	e, ok := err.(*apiError)
	if !ok {
		e = errorf(http.StatusInternalServerError, "%v", err)
	}
	msg := strings.TrimRight(e.msg, "\n")
	var body []byte
	if e.status == http.StatusUnauthorized {
		body = []byte(`{"data":null}`)
	} else {
		obj := map[string]any{"data": nil, "message": msg + "\n"}
		if e.errors != nil {
			obj["errors"] = e.errors
		}
		body, _ = json.Marshal(obj)
	}
	reason := strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' {
			return ' '
		}
		return r
	}, msg)

	if hj, ok := w.(http.Hijacker); ok && r != nil && r.ProtoMajor == 1 {
		// Drain what is left of the body so the client is not reset
		// while it still writes.
		if r.Body != nil {
			io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
		}
		conn, bw, err := hj.Hijack()
		if err == nil {
			defer conn.Close()
			fmt.Fprintf(bw, "HTTP/1.1 %03d %s\r\n", e.status, reason)
			fmt.Fprintf(bw, "Cache-Control: max-age=0\r\nConnection: close\r\nDate: %s\r\nPragma: no-cache\r\nServer: pve-api-daemon/3.0\r\n",
				time.Now().UTC().Format(http.TimeFormat))
			fmt.Fprintf(bw, "Content-Type: application/json;charset=UTF-8\r\nContent-Length: %d\r\n\r\n", len(body))
			if r.Method != http.MethodHead {
				bw.Write(body)
			}
			bw.Flush()
			return
		}
	}
	h := w.Header()
	h.Set("Content-Type", "application/json;charset=UTF-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(e.status)
	w.Write(body)
}

// param describes one API parameter as the schema does.
type param struct {
	name     string
	typ      string // "string", "integer", "boolean"
	enum     []string
	min, max *int
	format   string // "pve-node", "pve-vmid", "pve-upid"
	required bool
}

func ptr(i int) *int { return &i }

var nodeNameRE = regexp.MustCompile(`^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9\-]*[a-zA-Z0-9])\.)*(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9\-]*[A-Za-z0-9])$`)

func parseBool(v string) int {
	switch strings.ToLower(v) {
	case "1", "on", "yes", "true":
		return 1
	case "0", "off", "no", "false":
		return 0
	}
	return -1
}

// validate checks params against the route's schema with
// PVE::JSONSchema's messages.
func (rt *route) validate(params map[string]string) *apiError {
	errs := make(map[string]string)
	known := make(map[string]bool, len(rt.params))
	for _, p := range rt.params {
		known[p.name] = true
		v, ok := params[p.name]
		if !ok {
			if p.required {
				errs[p.name] = "property is missing and it is not optional"
			}
			continue
		}
		if strings.Contains(v, arraySep) && p.typ != "array" {
			// PVE::JSONSchema::check_type on an ARRAY reference.
			errs[p.name] = fmt.Sprintf("type check ('%s') failed - got ARRAY", p.typ)
			continue
		}
		if msg := p.check(v); msg != "" {
			errs[p.name] = msg
		}
	}
	for k := range params {
		if !known[k] {
			errs[k] = "property is not defined in schema and the schema does not allow additional properties"
		}
	}
	if len(errs) > 0 {
		return paramError(errs)
	}
	return nil
}

func (p param) check(v string) string {
	switch p.typ {
	case "integer":
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Sprintf("type check ('integer') failed - got '%s'", v)
		}
		if p.min != nil && n < *p.min {
			return fmt.Sprintf("value must have a minimum value of %d", *p.min)
		}
		if p.max != nil && n > *p.max {
			return fmt.Sprintf("value must have a maximum value of %d", *p.max)
		}
	case "boolean":
		if parseBool(v) < 0 {
			return fmt.Sprintf("type check ('boolean') failed - got '%s'", v)
		}
	}
	if len(p.enum) > 0 {
		found := false
		for _, e := range p.enum {
			if e == v {
				found = true
			}
		}
		if !found {
			return fmt.Sprintf("value '%s' does not have a value in the enumeration '%s'", v, strings.Join(p.enum, ", "))
		}
	}
	switch p.format {
	case "pve-node":
		if !nodeNameRE.MatchString(v) {
			return "invalid format - value does not look like a valid node name"
		}
	case "pve-upid":
		if _, err := upid.Parse(v); err != nil {
			return "unable to parse worker upid '" + v + "'"
		}
	}
	return ""
}

// route is one implemented API method. pattern is the schema's path, which
// lets the schema test look every route up.
type route struct {
	method  string
	pattern string
	params  []param
	perm    string // ACL path template checked before the handler; "" = any user
	privs   []string
	handler func(*Sim, *call) (any, error)
	segs    []string
	// noProxy is a method without proxyto whose handler does not look
	// at its node: the node that received the request answers it, also
	// for a path naming a node that is down or unknown (c.node is nil).
	noProxy bool
}

// Routes lists the implemented methods of Proxmox VE 9.1 as
// "METHOD /path/{var}", sorted.
func Routes() []string {
	out := make([]string, len(routes))
	for i, r := range routes {
		out[i] = r.method + " " + r.pattern
	}
	sort.Strings(out)
	return out
}

func matchRoute(routes []*route, method, rel string) (*route, map[string]string) {
	segs := strings.Split(strings.Trim(rel, "/"), "/")
	for _, rt := range routes {
		if rt.method != method || len(rt.segs) != len(segs) {
			continue
		}
		var vars map[string]string
		ok := true
		for i, p := range rt.segs {
			if strings.HasPrefix(p, "{") {
				if segs[i] == "" {
					ok = false
					break
				}
				if vars == nil {
					vars = make(map[string]string)
				}
				vars[p[1:len(p)-1]] = segs[i]
			} else if p != segs[i] {
				ok = false
				break
			}
		}
		if ok {
			return rt, vars
		}
	}
	return nil, nil
}

// serveIndex answers / like pveproxy does without a ticket: the web UI's
// shell page, which names the pve-manager version in its script URLs. It
// needs no authentication, which is what lets a client show the version
// before the user trusts the certificate and sends a token.
func (s *Sim) serveIndex(w http.ResponseWriter, local string) {
	if local == "" {
		local = s.Nodes()[0]
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, `<!DOCTYPE html>
<html>
  <head>
    <meta charset="utf-8">
    <title>%[1]s - Proxmox Virtual Environment</title>
    <link rel="stylesheet" type="text/css" href="/pve2/ext6/theme-crisp/resources/theme-crisp-all.css?ver=7.0.0" />
    <script type="text/javascript" src="/pve2/js/pvemanagerlib.js?ver=%[2]s"></script>
  </head>
  <body></body>
</html>
`, html.EscapeString(local), html.EscapeString(s.version))
}
