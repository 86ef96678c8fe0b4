package pvesim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// apiSchema is the official Proxmox VE API schema of one release (pve-docs
// apidata.js as JSON; testdata holds 9.1's and 8.4's), indexed by path.
type apiSchema map[string]map[string]*apiMethod

type apiMethod struct {
	Permissions map[string]any `json:"permissions"`
	Parameters  struct {
		Properties map[string]map[string]any `json:"properties"`
	} `json:"parameters"`
	Returns map[string]any `json:"returns"`
}

var (
	schemaMu sync.Mutex
	schemas  = map[string]apiSchema{}
)

// loadSchema reads the schema of the release version (Version91,
// Version84) once.
func loadSchema(version string) (apiSchema, error) {
	schemaMu.Lock()
	defer schemaMu.Unlock()
	if s, ok := schemas[version]; ok {
		return s, nil
	}
	s, err := readSchema("testdata/pve-apischema-" + releaseOf(version) + ".json")
	if err == nil {
		schemas[version] = s
	}
	return s, err
}

func readSchema(file string) (apiSchema, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	type node struct {
		Path     string                `json:"path"`
		Info     map[string]*apiMethod `json:"info"`
		Children []node                `json:"children"`
	}
	var tree []node
	if err := json.Unmarshal(b, &tree); err != nil {
		return nil, err
	}
	idx := make(apiSchema)
	var walk func(n node)
	walk = func(n node) {
		idx[n.Path] = n.Info
		for _, c := range n.Children {
			walk(c)
		}
	}
	for _, n := range tree {
		walk(n)
	}
	return idx, nil
}

// mustSchema is Proxmox VE 9.1's schema; mustSchemaOf another release's.
func mustSchema(t *testing.T) apiSchema { t.Helper(); return mustSchemaOf(t, Version91) }

func mustSchemaOf(t *testing.T, version string) apiSchema {
	t.Helper()
	s, err := loadSchema(version)
	if err != nil {
		t.Fatalf("load schema: %v", err)
	}
	return s
}

var indexedName = regexp.MustCompile(`^(.*)\[n\]$`)

// toJSONSchema converts Proxmox's schema dialect to JSON Schema 2020-12:
// optional:1 is "not required", additionalProperties defaults to true,
// "net[n]" names become patternProperties, patterns are anchored like Perl's
// and dropped when Go cannot compile them. Booleans also accept 0/1, which is
// what the servers send (the schema says boolean for "template" and others).
func toJSONSchema(p map[string]any) map[string]any {
	out := make(map[string]any)
	switch p["type"] {
	case "boolean":
		out["anyOf"] = []any{map[string]any{"type": "boolean"}, map[string]any{"enum": []any{0, 1}}}
	case "integer", "number", "string", "null", "array", "object":
		out["type"] = p["type"]
	}
	if e, ok := p["enum"]; ok {
		out["enum"] = e
	}
	for _, k := range []string{"minimum", "maximum"} {
		if v, ok := p[k]; ok && (p["type"] == "integer" || p["type"] == "number") {
			out[k] = v
		}
	}
	if pat, ok := p["pattern"].(string); ok && p["type"] == "string" {
		anchored := "^(?:" + pat + ")$"
		if _, err := regexp.Compile(anchored); err == nil && !strings.Contains(pat, "(?^") {
			out["pattern"] = anchored
		}
	}
	if items, ok := p["items"].(map[string]any); ok {
		out["items"] = toJSONSchema(items)
	}
	if props, ok := p["properties"].(map[string]any); ok {
		ps := make(map[string]any)
		pps := make(map[string]any)
		var required []string
		for name, v := range props {
			sub, ok := v.(map[string]any)
			if !ok {
				continue
			}
			if m := indexedName.FindStringSubmatch(name); m != nil {
				pps["^"+regexp.QuoteMeta(m[1])+`\d+$`] = toJSONSchema(sub)
				continue
			}
			ps[name] = toJSONSchema(sub)
			if opt, _ := sub["optional"].(float64); opt != 1 {
				required = append(required, name)
			}
		}
		sort.Strings(required)
		out["properties"] = ps
		if len(pps) > 0 {
			out["patternProperties"] = pps
		}
		if len(required) > 0 {
			out["required"] = required
		}
	}
	if ap, ok := p["additionalProperties"].(float64); ok && ap == 0 {
		out["additionalProperties"] = false
	}
	return out
}

func compileReturns(t *testing.T, method, pattern string, returns map[string]any) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	loc := "mem://pve" + strings.ReplaceAll(pattern, "{", "_") + "/" + method
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(mustJSON(t, toJSONSchema(returns))))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AddResource(loc, doc); err != nil {
		t.Fatalf("%s %s: add schema: %v", method, pattern, err)
	}
	sch, err := c.Compile(loc)
	if err != nil {
		t.Fatalf("%s %s: compile schema: %v", method, pattern, err)
	}
	return sch
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestResponsesMatchSchema requests every implemented route over HTTPS and
// validates data against the route's "returns" schema, for each release
// against its own schema. It walks the release's route table, so a new
// route cannot be forgotten.
func TestResponsesMatchSchema(t *testing.T) {
	t.Parallel()
	for _, version := range Versions {
		t.Run(version, func(t *testing.T) {
			t.Parallel()
			testResponsesMatchSchema(t, version)
		})
	}
}

func testResponsesMatchSchema(t *testing.T, version string) {
	schema := mustSchemaOf(t, version)
	// The clock stands still: the actions below run one after the other
	// on the same guests, and each must find its guest in the state it
	// was picked for, however slowly the test runs (on the wall clock, a
	// stop could finish before the resume that follows it is checked).
	srv := NewTestServer(t, Config{Now: newFakeClock().Now, Version: version})
	admin := srv.AdminToken()

	// Guests to address, per kind and state, on online nodes.
	pick := func(kind string, ok func(Guest) bool) Guest {
		for _, g := range srv.Guests() {
			if g.Type == kind && ok(g) {
				return g
			}
		}
		t.Fatalf("no %s guest for the schema test", kind)
		return Guest{}
	}
	plain := func(status string) func(Guest) bool {
		return func(g Guest) bool {
			return g.Status == status && !g.Template && g.Lock == "" && g.HAState == ""
		}
	}
	guests := map[string][]Guest{
		"qemu": {pick("qemu", plain("running")), pick("qemu", plain("stopped")), pick("qemu", func(g Guest) bool { return g.Template }),
			pick("qemu", func(g Guest) bool { return g.Lock != "" }), pick("qemu", func(g Guest) bool { return g.HAState != "" })},
		"lxc": {pick("lxc", plain("running")), pick("lxc", plain("stopped"))},
	}
	// A task to look at, on the first qemu guest's node.
	first := guests["qemu"][0]
	r := request(t, srv, admin, "POST", fmt.Sprintf("/nodes/%s/qemu/%d/status/reset", first.Node, first.VMID), nil)
	var upid string
	json.Unmarshal(r.data, &upid)

	validate := func(t *testing.T, sch *jsonschema.Schema, method, path string, params url.Values) {
		r := request(t, srv, admin, method, path, params)
		if r.status != 200 {
			t.Fatalf("%d %s", r.status, r.reason)
		}
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(knownSchemaGaps(t, path, r.data)))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(inst); err != nil {
			t.Errorf("response does not match the schema: %v\ndata: %.2000s", err, r.data)
		}
	}

	for _, rt := range srv.routes {
		info := schema[rt.pattern][rt.method]
		if info == nil {
			t.Errorf("%s %s is not in the schema", rt.method, rt.pattern)
			continue
		}
		sch := compileReturns(t, rt.method, rt.pattern, info.Returns)
		kind := "qemu"
		if strings.Contains(rt.pattern, "/lxc") {
			kind = "lxc"
		}
		targets := []Guest{{Node: first.Node}}
		if strings.Contains(rt.pattern, "{vmid}") {
			targets = guests[kind]
		}
		if rt.method == "POST" {
			// One guest each, in a state the action accepts.
			if strings.HasSuffix(rt.pattern, "/start") || rt.pattern == "/nodes/{node}/lxc/{vmid}/status/resume" {
				targets = guests[kind][1:2]
			} else {
				targets = guests[kind][:1]
			}
		}
		variants := []url.Values{nil}
		for _, p := range rt.params {
			switch {
			case p.name == "timeframe":
				variants = []url.Values{{"timeframe": {"hour"}}, {"timeframe": {"day"}, "cf": {"MAX"}}}
			case p.name == "type" && rt.pattern == "/cluster/resources":
				variants = []url.Values{nil, {"type": {"vm"}}, {"type": {"node"}}, {"type": {"storage"}}, {"type": {"sdn"}}}
			case p.name == "websocket":
				variants = []url.Values{nil, {"websocket": {"1"}}}
			case p.name == "source":
				variants = []url.Values{nil, {"source": {"all"}}}
			}
		}
		for _, g := range targets {
			for _, params := range variants {
				path := rt.pattern
				path = strings.ReplaceAll(path, "{node}", g.Node)
				path = strings.ReplaceAll(path, "{vmid}", fmt.Sprint(g.VMID))
				path = strings.ReplaceAll(path, "{upid}", upid)
				name := rt.method + " " + path + "?" + params.Encode()
				t.Run(name, func(t *testing.T) {
					if strings.HasSuffix(rt.pattern, "/vncwebsocket") {
						params = vncWebsocketParams(t, srv, admin, kind, g)
					}
					if rt.pattern == "/nodes/{node}/termproxy" {
						// 8.4 refuses every token (TestNodeTermproxyPerRelease).
						if r := request(t, srv, admin, rt.method, path, params); r.status != 500 {
							t.Errorf("%d %s; want 500", r.status, r.reason)
						}
						return
					}
					validate(t, sch, rt.method, path, params)
				})
			}
		}
	}

	// Rows for an offline node and its guests have fewer fields.
	srv.SetNodeOnline("pve3", false)
	for _, path := range []string{"/cluster/resources", "/cluster/status", "/nodes"} {
		sch := compileReturns(t, "GET", path, schema[path]["GET"].Returns)
		t.Run("Offline GET "+path, func(t *testing.T) { validate(t, sch, "GET", path, nil) })
	}
}

// TestRoutesMatchSchema checks each release's route table's parameters
// and permissions against its schema, so validation errors and 403s match
// a real server.
func TestRoutesMatchSchema(t *testing.T) {
	t.Parallel()
	for _, version := range Versions {
		t.Run(version, func(t *testing.T) { testRoutesMatchSchema(t, version) })
	}
}

func testRoutesMatchSchema(t *testing.T, version string) {
	schema := mustSchemaOf(t, version)
	for _, rt := range New(Config{Version: version, Guests: -1}).routes {
		info := schema[rt.pattern][rt.method]
		if info == nil {
			t.Errorf("%s %s is not in the schema", rt.method, rt.pattern)
			continue
		}
		declared := make(map[string]param)
		for _, p := range rt.params {
			declared[p.name] = p
		}
		for name, sp := range info.Parameters.Properties {
			p, ok := declared[name]
			if !ok {
				t.Errorf("%s %s: schema parameter %q is not declared", rt.method, rt.pattern, name)
				continue
			}
			if typ, _ := sp["type"].(string); typ != p.typ {
				t.Errorf("%s %s: %s has type %s; schema says %s", rt.method, rt.pattern, name, p.typ, typ)
			}
			opt, _ := sp["optional"].(float64)
			if p.required != (opt != 1) {
				t.Errorf("%s %s: %s required = %v; schema optional = %v", rt.method, rt.pattern, name, p.required, opt)
			}
			var enum []string
			if e, ok := sp["enum"].([]any); ok {
				for _, v := range e {
					enum = append(enum, fmt.Sprint(v))
				}
			}
			if strings.Join(enum, ",") != strings.Join(p.enum, ",") {
				t.Errorf("%s %s: %s enum %v; schema %v", rt.method, rt.pattern, name, p.enum, enum)
			}
		}
		for name := range declared {
			if _, ok := info.Parameters.Properties[name]; !ok {
				t.Errorf("%s %s: parameter %q is not in the schema", rt.method, rt.pattern, name)
			}
		}
		var wantPerm string
		var wantPrivs []string
		if check, ok := info.Permissions["check"].([]any); ok && len(check) == 3 && check[0] == "perm" {
			wantPerm = check[1].(string)
			for _, p := range check[2].([]any) {
				wantPrivs = append(wantPrivs, p.(string))
			}
		}
		if rt.perm != wantPerm || strings.Join(rt.privs, ",") != strings.Join(wantPrivs, ",") {
			t.Errorf("%s %s: permission %s %v; schema %s %v", rt.method, rt.pattern, rt.perm, rt.privs, wantPerm, wantPrivs)
		}
	}
}

// TestSchemaConversion makes sure the converted schemas do reject bad
// data, so that TestResponsesMatchSchema passing means something.
func TestSchemaConversion(t *testing.T) {
	t.Parallel()
	schema := mustSchema(t)
	tests := []struct {
		path string
		data string
		ok   bool
	}{
		{"/nodes/{node}/tasks/{upid}/status", `{"status":"stopped","upid":"u","node":"n","pid":1,"pstart":1,"starttime":1,"type":"t","id":"","user":"u"}`, true},
		{"/nodes/{node}/tasks/{upid}/status", `{"status":"bogus","upid":"u","node":"n","pid":1,"pstart":1,"starttime":1,"type":"t","id":"","user":"u"}`, false},
		{"/nodes/{node}/tasks/{upid}/status", `{"status":"running","upid":"u","node":"n","pid":"1","pstart":1,"starttime":1,"type":"t","id":"","user":"u"}`, false},
		{"/nodes/{node}/tasks/{upid}/status", `{"status":"running"}`, false},
		{"/cluster/resources", `[{"id":"qemu/100","type":"qemu","template":1}]`, true},
		{"/cluster/resources", `[{"id":"qemu/100","type":"qemu","template":true}]`, true},
		{"/cluster/resources", `[{"id":"qemu/100","type":"qemu","template":"1"}]`, false},
		{"/cluster/resources", `[{"id":"qemu/100","type":"vm"}]`, false},
		{"/nodes/{node}/certificates/info", `[{"fingerprint":"AB:CD"}]`, false},
	}
	for _, tt := range tests {
		sch := compileReturns(t, "GET", tt.path, schema[tt.path]["GET"].Returns)
		inst, err := jsonschema.UnmarshalJSON(strings.NewReader(tt.data))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(inst); (err == nil) != tt.ok {
			t.Errorf("validate %s against %s: err = %v; want ok = %v", tt.data, tt.path, err, tt.ok)
		}
	}
}
