// Command mockextract copies the real Proxmox VE responses recorded in
// go-proxmox's test mocks (tests/mocks/pve8x and pve9x: gock chains such as
// gock.New(uri).Get("^/version$").Reply(200).JSON(`{…}`)) into
// proxmox/testdata/golden, one JSON file per response plus an index.json
// that says which request each answers. Tests read only the copies; run
// this again to refresh them:
//
//	go run ./proxmox/internal/mockextract
//
// It finds the module with `go list -m`, so it copies exactly the version
// go.mod requires.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

const module = "github.com/luthermonson/go-proxmox"

// wanted are the endpoints package proxmox decodes.
var wanted = []*regexp.Regexp{
	regexp.MustCompile(`^/version$`),
	regexp.MustCompile(`^/cluster/status$`),
	regexp.MustCompile(`^/cluster/resources$`),
	regexp.MustCompile(`^/nodes$`),
	regexp.MustCompile(`^/nodes/[^/]+/status$`),
	regexp.MustCompile(`^/nodes/[^/]+/(qemu|lxc)$`),
	regexp.MustCompile(`^/nodes/[^/]+/(qemu|lxc)/\d+/status/current$`),
	regexp.MustCompile(`^/nodes/[^/]+/(qemu|lxc)/\d+/config$`),
	regexp.MustCompile(`^/nodes/[^/]+/(qemu|lxc)/\d+/rrddata$`),
	regexp.MustCompile(`^/nodes/[^/]+/rrddata$`),
	regexp.MustCompile(`^/nodes/[^/]+/tasks$`),
	regexp.MustCompile(`^/nodes/[^/]+/tasks/[^/]+/(status|log)$`),
	regexp.MustCompile(`^/access/permissions$`),
	regexp.MustCompile(`^/nodes/[^/]+/certificates/info$`),
}

// Entry describes one recorded response.
type Entry struct {
	File   string            `json:"file"`
	Method string            `json:"method"`
	Path   string            `json:"path"`
	Params map[string]string `json:"params,omitempty"`
	Status int               `json:"status"`
	Source string            `json:"source"` // file:line in go-proxmox
}

func main() {
	out := flag.String("out", "proxmox/testdata/golden", "output directory")
	flag.Parse()
	dir, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", module).Output()
	if err != nil {
		log.Fatalf("go list -m %s: %v", module, err)
	}
	version, err := exec.Command("go", "list", "-m", "-f", "{{.Version}}", module).Output()
	if err != nil {
		log.Fatalf("go list -m %s: %v", module, err)
	}
	modDir := strings.TrimSpace(string(dir))
	for _, set := range []string{"pve8x", "pve9x"} {
		n, err := extract(filepath.Join(modDir, "tests", "mocks", set), filepath.Join(*out, set), set)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s: %d responses\n", set, n)
	}
	notice := fmt.Sprintf(`The JSON files under pve8x/ and pve9x/ (not the .golden files) are Proxmox VE
API responses copied from the test mocks of %s %s
(tests/mocks/pve8x and tests/mocks/pve9x), which is licensed under the
Apache License, Version 2.0: https://www.apache.org/licenses/LICENSE-2.0
Copyright the go-proxmox authors. Each index.json names the source file and
line of every response. They were copied, unmodified apart from indentation,
by proxmox/internal/mockextract.
`, module, strings.TrimSpace(string(version)))
	if err := os.WriteFile(filepath.Join(*out, "NOTICE"), []byte(notice), 0o644); err != nil {
		log.Fatal(err)
	}
}

func extract(srcDir, outDir, set string) (int, error) {
	fset := token.NewFileSet()
	files, err := filepath.Glob(filepath.Join(srcDir, "*.go"))
	if err != nil {
		return 0, err
	}
	sort.Strings(files)
	var entries []Entry
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return 0, err
	}
	used := map[string]bool{}
	for _, file := range files {
		f, err := parser.ParseFile(fset, file, nil, 0)
		if err != nil {
			return 0, err
		}
		consts := stringVars(f)
		var ferr error
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || ferr != nil {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "JSON" || len(call.Args) != 1 {
				return true
			}
			e, ok := chain(sel.X)
			if !ok || e.Method != "GET" {
				return true
			}
			if !isWanted(e.Path) {
				return true
			}
			body, ok := stringValue(call.Args[0], consts)
			if !ok {
				ferr = fmt.Errorf("%s: JSON argument is not a string literal", fset.Position(call.Pos()))
				return false
			}
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, []byte(strings.TrimSpace(body)), "", "  "); err != nil {
				ferr = fmt.Errorf("%s: %v", fset.Position(call.Pos()), err)
				return false
			}
			pretty.WriteByte('\n')
			name := fileName(e)
			for i := 2; used[name]; i++ {
				name = fmt.Sprintf("%s_%d", fileName(e), i)
			}
			used[name] = true
			e.File = name + ".json"
			pos := fset.Position(call.Pos())
			e.Source = fmt.Sprintf("tests/mocks/%s/%s:%d", set, filepath.Base(pos.Filename), pos.Line)
			if err := os.WriteFile(filepath.Join(outDir, e.File), pretty.Bytes(), 0o644); err != nil {
				ferr = err
				return false
			}
			entries = append(entries, e)
			return true
		})
		if ferr != nil {
			return 0, ferr
		}
	}
	idx, err := json.MarshalIndent(entries, "", "  ")
	if err != nil {
		return 0, err
	}
	return len(entries), os.WriteFile(filepath.Join(outDir, "index.json"), append(idx, '\n'), 0o644)
}

func isWanted(path string) bool {
	for _, re := range wanted {
		if re.MatchString(path) {
			return true
		}
	}
	return false
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._@=-]+`)

// fileName derives a portable file name: path segments joined by "_",
// parameters appended, the status if it is not 200.
func fileName(e Entry) string {
	name := strings.ReplaceAll(strings.Trim(e.Path, "/"), "/", "_")
	keys := make([]string, 0, len(e.Params))
	for k := range e.Params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		name += "__" + k + "=" + e.Params[k]
	}
	if e.Status != 200 {
		name += "__status" + strconv.Itoa(e.Status)
	}
	return unsafeChars.ReplaceAllString(name, "-")
}

// chain walks x, the receiver of .JSON(…), back to gock.New and collects
// the method, path, parameters and status of the mock.
func chain(x ast.Expr) (Entry, bool) {
	e := Entry{Status: 200}
	for {
		call, ok := x.(*ast.CallExpr)
		if !ok {
			return e, e.Method != ""
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok {
			return e, false
		}
		switch sel.Sel.Name {
		case "Get", "Post", "Put", "Delete":
			if len(call.Args) == 1 {
				if s, ok := stringValue(call.Args[0], nil); ok {
					e.Method = strings.ToUpper(sel.Sel.Name)
					e.Path = strings.TrimSuffix(strings.TrimPrefix(s, "^"), "$")
				}
			}
		case "Reply":
			if lit, ok := call.Args[0].(*ast.BasicLit); ok && lit.Kind == token.INT {
				e.Status, _ = strconv.Atoi(lit.Value)
			}
		case "MatchParam":
			k, ok1 := stringValue(call.Args[0], nil)
			v, ok2 := stringValue(call.Args[1], nil)
			if ok1 && ok2 {
				e.setParam(k, v)
			}
		case "MatchParams":
			if cl, ok := call.Args[0].(*ast.CompositeLit); ok {
				for _, el := range cl.Elts {
					kv := el.(*ast.KeyValueExpr)
					k, ok1 := stringValue(kv.Key, nil)
					v, ok2 := stringValue(kv.Value, nil)
					if ok1 && ok2 {
						e.setParam(k, v)
					}
				}
			}
		case "New":
			return e, e.Method != ""
		}
		x = sel.X
	}
}

func (e *Entry) setParam(k, v string) {
	if e.Params == nil {
		e.Params = map[string]string{}
	}
	e.Params[k] = v
}

// stringVars finds `name := "literal"` and `name := \x60literal\x60` in f, for
// mocks that share one body between several chains.
func stringVars(f *ast.File) map[string]string {
	vars := map[string]string{}
	ast.Inspect(f, func(n ast.Node) bool {
		as, ok := n.(*ast.AssignStmt)
		if !ok || len(as.Lhs) != len(as.Rhs) {
			return true
		}
		for i, l := range as.Lhs {
			id, ok := l.(*ast.Ident)
			if !ok {
				continue
			}
			if s, ok := stringValue(as.Rhs[i], nil); ok {
				vars[id.Name] = s
			}
		}
		return true
	})
	return vars
}

func stringValue(x ast.Expr, vars map[string]string) (string, bool) {
	switch v := x.(type) {
	case *ast.BasicLit:
		if v.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(v.Value)
		return s, err == nil
	case *ast.Ident:
		s, ok := vars[v.Name]
		return s, ok
	case *ast.BinaryExpr:
		if v.Op != token.ADD {
			return "", false
		}
		a, ok1 := stringValue(v.X, vars)
		b, ok2 := stringValue(v.Y, vars)
		return a + b, ok1 && ok2
	}
	return "", false
}
