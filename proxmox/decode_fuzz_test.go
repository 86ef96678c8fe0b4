package proxmox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzResourceDecode is a differential test of the hand-written
// /cluster/resources decoder (decodeResourceFast) against encoding/json on
// the same input, three ways:
//
//   - the reflective decoder built on encoding/json (looseUnmarshal): where
//     the fast path takes an input, both must give the same Resource, and
//     where it declines it must leave its target untouched;
//   - json.Unmarshal into a Resource, as the client decodes a response:
//     for valid JSON it must agree with looseUnmarshal, errors included,
//     starting from a non-zero value (absent members keep old values);
//   - encoding/json's own view of the object (a map of json.Number, string,
//     bool, nil, []any and map[string]any) read through the documented
//     tolerance rules: every field must be what that says, and an input
//     with a member of impossible shape must fail.
//
// Seeds: the fields of the schema's /cluster/resources item for each
// resource type, in PVE's native and stringly typed spellings; every
// resource of the recorded responses in testdata/golden; and the
// hand-picked resourceInputs.
func FuzzResourceDecode(f *testing.F) {
	for _, s := range resourceInputs {
		f.Add([]byte(s))
	}
	for _, b := range schemaResourceExamples(f) {
		f.Add(b)
	}
	for _, b := range goldenResources(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var fast Resource
		fastOK := decodeResourceFast(b, &fast)
		var loose Resource
		looseErr := looseUnmarshal(b, &loose)
		switch {
		case fastOK && looseErr != nil:
			t.Fatalf("fast path takes %q; looseUnmarshal: %v", b, looseErr)
		case fastOK && !json.Valid(b):
			t.Fatalf("fast path takes invalid JSON %q", b)
		case fastOK:
			if diff := cmp.Diff(loose, fast); diff != "" {
				t.Fatalf("%q (-looseUnmarshal +fast):\n%s", b, diff)
			}
		case !cmp.Equal(fast, Resource{}):
			t.Fatalf("fast path declines %q but wrote %+v", b, fast)
		}

		if !json.Valid(b) {
			return
		}
		old := Resource{ID: "old", VMID: 1, CPU: 0.5, Template: true, Tags: []string{"old"}}
		viaJSON, viaLoose := old, old
		jsonErr := json.Unmarshal(b, &viaJSON)
		looseErr = looseUnmarshal(b, &viaLoose)
		if (jsonErr == nil) != (looseErr == nil) {
			t.Fatalf("%q: json.Unmarshal: %v; looseUnmarshal: %v", b, jsonErr, looseErr)
		}
		if jsonErr == nil {
			if diff := cmp.Diff(viaLoose, viaJSON); diff != "" {
				t.Fatalf("%q (-looseUnmarshal +json.Unmarshal):\n%s", b, diff)
			}
		}

		want, wantErr := resourceFromJSON(b)
		var got Resource
		gotErr := json.Unmarshal(b, &got)
		if (gotErr == nil) != (wantErr == nil) {
			t.Fatalf("%q: json.Unmarshal into Resource: %v; encoding/json's view says %v", b, gotErr, wantErr)
		}
		if gotErr == nil {
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("%q (-encoding/json's view +Resource):\n%s", b, diff)
			}
		}
	})
}

// resourceFromJSON decodes a /cluster/resources member with encoding/json
// alone, into generic values, and applies the tolerance rules the pve*
// types document: members are matched by exact name, the last of a name
// wins, null is absent; strings are trimmed; numbers keep their text;
// true/false are 1/0; integers may be written as floats (rounded) or
// strings; booleans as 0/1, "yes"/"no", "on"/"off" or any number; lists as
// arrays of scalars or one string split at ";", "," and white space.
func resourceFromJSON(b []byte) (Resource, error) {
	var r Resource
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return r, err
	}
	if v == nil {
		return r, nil
	}
	members, ok := v.(map[string]any)
	if !ok {
		return r, fmt.Errorf("not an object: %T", v)
	}
	rv := reflect.ValueOf(&r).Elem()
	for i := 0; i < rv.NumField(); i++ {
		name, _, _ := strings.Cut(rv.Type().Field(i).Tag.Get("json"), ",")
		m, ok := members[name]
		if !ok || m == nil {
			continue
		}
		f := rv.Field(i)
		if f.Kind() == reflect.Slice { // Tags
			list, err := listFromJSON(m)
			if err != nil {
				return Resource{}, fmt.Errorf("%s: %w", name, err)
			}
			f.Set(reflect.ValueOf(list))
			continue
		}
		text, err := scalarFromJSON(m)
		if err != nil {
			return Resource{}, fmt.Errorf("%s: %w", name, err)
		}
		switch f.Kind() {
		case reflect.String:
			f.SetString(text)
		case reflect.Int, reflect.Int64:
			n, err := intFromText(text)
			if err != nil {
				return Resource{}, fmt.Errorf("%s: %w", name, err)
			}
			f.SetInt(n)
		case reflect.Float64:
			x, err := floatFromText(text)
			if err != nil {
				return Resource{}, fmt.Errorf("%s: %w", name, err)
			}
			f.SetFloat(x)
		case reflect.Bool:
			x, err := boolFromText(text)
			if err != nil {
				return Resource{}, fmt.Errorf("%s: %w", name, err)
			}
			f.SetBool(x)
		default:
			panic("Resource has a field of kind " + f.Kind().String())
		}
	}
	return r, nil
}

func scalarFromJSON(v any) (string, error) {
	switch v := v.(type) {
	case nil:
		return "", nil
	case string:
		return strings.TrimSpace(v), nil
	case json.Number:
		return string(v), nil
	case bool:
		if v {
			return "1", nil
		}
		return "0", nil
	}
	return "", fmt.Errorf("want a scalar, got %T", v)
}

func listFromJSON(v any) ([]string, error) {
	if items, ok := v.([]any); ok {
		out := []string{}
		for _, it := range items {
			s, err := scalarFromJSON(it)
			if err != nil {
				return nil, err
			}
			if s != "" {
				out = append(out, s)
			}
		}
		return out, nil
	}
	s, err := scalarFromJSON(v)
	if err != nil {
		return nil, err
	}
	list := strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(";, \t\n\r", r) })
	if len(list) == 0 {
		return nil, nil
	}
	return list, nil
}

func intFromText(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	x, err := strconv.ParseFloat(s, 64)
	// [-2^63, 2^63) is what an int64 holds.
	if err != nil || math.IsNaN(x) || x < -(1<<63) || x >= 1<<63 {
		return 0, fmt.Errorf("not an integer: %q", s)
	}
	return int64(math.Round(x)), nil
}

func floatFromText(s string) (float64, error) {
	if s == "" {
		return 0, nil
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, fmt.Errorf("not a number: %q", s)
	}
	return x, nil
}

func boolFromText(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "", "0", "false", "no", "off":
		return false, nil
	case "1", "true", "yes", "on":
		return true, nil
	}
	if x, err := strconv.ParseFloat(s, 64); err == nil {
		return x != 0, nil
	}
	return false, fmt.Errorf("not a boolean: %q", s)
}

// schemaResourceExamples builds /cluster/resources members from the
// official API schema (pvesim's copy): for each resource type, one object
// with every property the schema lists, valued by its type, enum, minimum
// and default, once as PVE natively encodes it and once with every value
// as a string (Perl scalars that were last used as strings).
func schemaResourceExamples(tb testing.TB) [][]byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("pvesim", "testdata", "pve-apischema-9.1.json"))
	if err != nil {
		tb.Fatal(err)
	}
	type prop struct {
		Type    string   `json:"type"`
		Enum    []string `json:"enum"`
		Minimum *float64 `json:"minimum"`
		Default any      `json:"default"`
	}
	var item struct {
		Properties map[string]prop `json:"properties"`
	}
	type node struct {
		Path string `json:"path"`
		Info map[string]struct {
			Returns struct {
				Items json.RawMessage `json:"items"`
			} `json:"returns"`
		} `json:"info"`
		Children []node `json:"children"`
	}
	var tree []node
	if err := json.Unmarshal(b, &tree); err != nil {
		tb.Fatal(err)
	}
	var find func([]node) bool
	find = func(ns []node) bool {
		for _, n := range ns {
			if n.Path == "/cluster/resources" {
				return json.Unmarshal(n.Info["GET"].Returns.Items, &item) == nil
			}
			if find(n.Children) {
				return true
			}
		}
		return false
	}
	if !find(tree) || len(item.Properties) == 0 {
		tb.Fatal("no /cluster/resources item schema in the API schema")
	}
	names := make([]string, 0, len(item.Properties))
	for name := range item.Properties {
		names = append(names, name)
	}
	sort.Strings(names)
	var out [][]byte
	for _, typ := range item.Properties["type"].Enum {
		native := map[string]any{}
		stringly := map[string]any{}
		for _, name := range names {
			p := item.Properties[name]
			var v any
			switch {
			case name == "type":
				v = typ
			case name == "id":
				v = typ + "/100"
			case len(p.Enum) > 0:
				v = p.Enum[0]
			case p.Default != nil:
				v = p.Default
			case p.Type == "integer" && p.Minimum != nil:
				v = int64(*p.Minimum) + 1
			case p.Type == "integer":
				v = 1
			case p.Type == "number":
				v = 0.25
			case p.Type == "boolean":
				v = 1 // PVE writes booleans as 0/1
			case name == "tags":
				v = "prod;web"
			default:
				v = "x-" + name
			}
			native[name] = v
			stringly[name] = fmt.Sprint(v)
		}
		for _, m := range []map[string]any{native, stringly} {
			b, err := json.Marshal(m)
			if err != nil {
				tb.Fatal(err)
			}
			out = append(out, b)
		}
	}
	return out
}

// goldenResources returns every member of the recorded /cluster/resources
// responses.
func goldenResources(tb testing.TB) [][]byte {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "golden", "*", "cluster_resources*.json"))
	if err != nil || len(files) == 0 {
		tb.Fatalf("no recorded /cluster/resources responses: %v", err)
	}
	var out [][]byte
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			tb.Fatal(err)
		}
		var env struct{ Data []json.RawMessage }
		if err := json.Unmarshal(b, &env); err != nil {
			tb.Fatalf("%s: %v", file, err)
		}
		for _, raw := range env.Data {
			out = append(out, raw)
		}
	}
	return out
}
