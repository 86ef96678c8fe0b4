package app

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// The layout of ARCHITECTURE.md as a test, in the manner of tailscale's
// tstest/deptest: for each product package, the imports it must never
// have, directly or through anything it imports. A failure names the
// chain of imports that breaks the rule.

// depRule forbids the packages matching from to depend on the packages
// matching deny. Patterns are import paths; "x/..." matches x and
// everything below it.
type depRule struct {
	why  string
	from []string
	deny []string
	// except are packages matching from that the rule leaves alone.
	except []string
}

// tools are the module's commands that are not Cecyber: benchmarks and
// generators. Like tests, they may use the simulator.
var tools = []string{
	"cecyber/console/internal/...",
	"cecyber/metrics/internal/...",
	"cecyber/proxmox/internal/...",
	"cecyber/proxmox/pvesim/...",
}

var depRules = []depRule{
	{
		why:  "nothing below app knows about the window",
		from: []string{"cecyber/proxmox/...", "cecyber/console/...", "cecyber/metrics/..."},
		deny: []string{"cecyber/app/...", "github.com/wailsapp/..."},
	},
	{
		why:    "only app (and main, which runs it) talks to Wails",
		from:   []string{"cecyber/..."},
		deny:   []string{"github.com/wailsapp/..."},
		except: []string{"cecyber", "cecyber/app"},
	},
	{
		why:    "the simulator is for tests and demo mode: only main starts it",
		from:   []string{"cecyber/..."},
		deny:   []string{"cecyber/proxmox/pvesim/..."},
		except: append([]string{"cecyber"}, tools...),
	},
	{
		why:  "console and metrics know nothing of each other",
		from: []string{"cecyber/console/..."},
		deny: []string{"cecyber/metrics/..."},
	},
	{
		why:  "console and metrics know nothing of each other",
		from: []string{"cecyber/metrics/..."},
		deny: []string{"cecyber/console/..."},
	},
	{
		why:    "proxmox is the bottom layer: it imports no other part",
		from:   []string{"cecyber/proxmox/..."},
		deny:   []string{"cecyber/app/...", "cecyber/console/...", "cecyber/metrics/..."},
		except: tools,
	},
}

// TestLayout checks depRules on every OS Cecyber ships for: build tags
// pick different files (handover_linux.go) and so different imports.
func TestLayout(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list over the module")
	}
	if _, err := exec.LookPath("go"); err != nil && runtime.GOOS == "windows" {
		t.Skip("needs the go command, which Windows test binaries run under Wine (make test-windows) do not have; CI's Windows job runs it")
	}
	for _, goos := range []string{"linux", "windows", "darwin"} {
		for _, tags := range []string{"", "dev"} {
			t.Run(goos+"/"+tags, func(t *testing.T) {
				graph := listDeps(t, goos, tags)
				for _, v := range checkDeps(graph, depRules) {
					t.Error(v)
				}
			})
		}
	}
}

// TestCheckDeps: the checker finds an indirect forbidden import and names
// the whole chain, and leaves allowed ones alone.
func TestCheckDeps(t *testing.T) {
	graph := map[string][]string{
		"cecyber":                {"cecyber/app", "cecyber/proxmox/pvesim"},
		"cecyber/app":            {"cecyber/metrics", "github.com/wailsapp/wails/v2/pkg/runtime"},
		"cecyber/metrics":        {"cecyber/metrics/alerts", "cecyber/proxmox"},
		"cecyber/metrics/alerts": {"cecyber/console"},
		"cecyber/console":        {"net/http"},
		"cecyber/proxmox":        {"net/http"},
		"cecyber/proxmox/pvesim": {"cecyber/proxmox"},
	}
	got := checkDeps(graph, depRules)
	want := []string{
		"cecyber/metrics imports cecyber/console (cecyber/metrics → cecyber/metrics/alerts → cecyber/console): console and metrics know nothing of each other",
		"cecyber/metrics/alerts imports cecyber/console (cecyber/metrics/alerts → cecyber/console): console and metrics know nothing of each other",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("checkDeps() =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// listDeps returns the import graph of every package of the module and
// everything they import, as built for goos with tags.
func listDeps(t *testing.T, goos, tags string) map[string][]string {
	t.Helper()
	args := []string{"list", "-deps", "-json=ImportPath,Imports,Standard"}
	if tags != "" {
		args = append(args, "-tags", tags)
	}
	cmd := exec.Command("go", append(args, "cecyber/...")...)
	cmd.Env = append(os.Environ(), "GOOS="+goos, "CGO_ENABLED=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	graph := map[string][]string{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p struct {
			ImportPath string
			Imports    []string
			Standard   bool
		}
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("decode go list: %v", err)
		}
		if !p.Standard {
			graph[p.ImportPath] = p.Imports
		}
	}
	if len(graph["cecyber/app"]) == 0 {
		t.Fatalf("go list listed no imports for cecyber/app: %d packages", len(graph))
	}
	return graph
}

// checkDeps returns one line per package that breaks a rule, with the
// shortest chain of imports that does.
func checkDeps(graph map[string][]string, rules []depRule) []string {
	var out []string
	pkgs := make([]string, 0, len(graph))
	for p := range graph {
		pkgs = append(pkgs, p)
	}
	slices.Sort(pkgs)
	for _, r := range rules {
		for _, p := range pkgs {
			if !matchAny(p, r.from) || matchAny(p, r.except) {
				continue
			}
			if chain := findPath(graph, p, r.deny); chain != nil {
				out = append(out, p+" imports "+chain[len(chain)-1]+" ("+strings.Join(chain, " → ")+"): "+r.why)
			}
		}
	}
	return out
}

// findPath is a breadth-first search from p to the first package matching
// deny; it returns the chain of imports, or nil.
func findPath(graph map[string][]string, p string, deny []string) []string {
	prev := map[string]string{p: ""}
	queue := []string{p}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, imp := range graph[cur] {
			if _, seen := prev[imp]; seen {
				continue
			}
			prev[imp] = cur
			if matchAny(imp, deny) {
				chain := []string{imp}
				for at := cur; at != ""; at = prev[at] {
					chain = append([]string{at}, chain...)
				}
				return chain
			}
			queue = append(queue, imp)
		}
	}
	return nil
}

func matchAny(pkg string, patterns []string) bool {
	for _, pat := range patterns {
		if base, ok := strings.CutSuffix(pat, "/..."); ok {
			if pkg == base || strings.HasPrefix(pkg, base+"/") {
				return true
			}
		} else if pkg == pat {
			return true
		}
	}
	return false
}
