package proxmox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Proxmox's JSON is loosely typed: Perl scalars are serialised as numbers or
// strings depending on how they were last used ("port":"5900"), booleans come
// as 0/1, "1" or true, lists as "a;b" strings, and fields are left out when
// they do not apply (a stopped guest has no uptime). The pve* types below
// accept all of these, and looseUnmarshal applies them to our plain structs
// by field kind so the exported types keep ordinary Go field types.

var jsonNull = []byte("null")

// pveInt accepts 5, 5.0, "5", "" and null.
type pveInt int64

func (v *pveInt) UnmarshalJSON(b []byte) error {
	s, err := scalarText(b)
	if err != nil || s == "" {
		*v = 0
		return err
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		*v = pveInt(i)
		return nil
	}
	f, err := strconv.ParseFloat(s, 64)
	// An int64 holds [-2^63, 2^63). float64(math.MaxInt64) is 2^63 itself,
	// so comparing with it would let 2^63 through, to wrap to -2^63.
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f >= 1<<63 || f < -(1<<63) {
		return fmt.Errorf("not an integer: %s", b)
	}
	*v = pveInt(math.Round(f))
	return nil
}

// pveFloat accepts 0.5, "0.5", "" and null.
type pveFloat float64

func (v *pveFloat) UnmarshalJSON(b []byte) error {
	s, err := scalarText(b)
	if err != nil || s == "" {
		*v = 0
		return err
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return fmt.Errorf("not a number: %s", b)
	}
	*v = pveFloat(f)
	return nil
}

// pveBool accepts true/false, 0/1, "0"/"1", "yes"/"no", "on"/"off" and null.
type pveBool bool

func (v *pveBool) UnmarshalJSON(b []byte) error {
	s, err := scalarText(b)
	if err != nil {
		return err
	}
	switch strings.ToLower(s) {
	case "", "0", "false", "no", "off":
		*v = false
	case "1", "true", "yes", "on":
		*v = true
	default:
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			*v = f != 0
			return nil
		}
		return fmt.Errorf("not a boolean: %s", b)
	}
	return nil
}

// pveString accepts strings and also numbers and booleans, kept as written.
type pveString string

func (v *pveString) UnmarshalJSON(b []byte) error {
	s, err := scalarText(b)
	*v = pveString(s)
	return err
}

// pveList accepts a JSON array of scalars or one string separated by ";",
// "," or white space, as PVE writes tags.
type pveList []string

func (v *pveList) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		var items []pveString
		if err := json.Unmarshal(b, &items); err != nil {
			return err
		}
		out := make([]string, 0, len(items))
		for _, it := range items {
			if s := strings.TrimSpace(string(it)); s != "" {
				out = append(out, s)
			}
		}
		*v = out
		return nil
	}
	s, err := scalarText(b)
	if err != nil {
		return err
	}
	*v = splitList(s)
	return nil
}

func splitList(s string) []string {
	f := strings.FieldsFunc(s, func(r rune) bool {
		return r == ';' || r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r'
	})
	if len(f) == 0 {
		return nil
	}
	return f
}

// scalarText returns the text of a JSON string, number or boolean; "" for
// null.
func scalarText(b []byte) (string, error) {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || bytes.Equal(b, jsonNull):
		return "", nil
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return "", err
		}
		return strings.TrimSpace(s), nil
	case bytes.Equal(b, []byte("true")):
		return "1", nil
	case bytes.Equal(b, []byte("false")):
		return "0", nil
	case b[0] == '{' || b[0] == '[':
		return "", fmt.Errorf("want a scalar, got %.40s", b)
	default:
		if !json.Valid(b) {
			return "", fmt.Errorf("invalid JSON value %.40s", b)
		}
		return string(b), nil
	}
}

var (
	timeType        = reflect.TypeFor[time.Time]()
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
)

// looseUnmarshal decodes the JSON object data into the struct dst points
// to, matching fields by their json tag and decoding each with the pve*
// type for its kind: strings, booleans, integers, floats, *float64 (null
// stays nil, a gap), []string, []float64, time.Time (Unix seconds), nested
// structs. Other field types are decoded by encoding/json. Missing and null
// members leave fields at their zero value.
func looseUnmarshal(data []byte, dst any) error {
	if bytes.Equal(bytes.TrimSpace(data), jsonNull) {
		return nil
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(data, &members); err != nil {
		return err
	}
	rv := reflect.ValueOf(dst).Elem()
	rt := rv.Type()
	for i := 0; i < rt.NumField(); i++ {
		sf := rt.Field(i)
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if !sf.IsExported() || name == "-" || name == "" {
			continue
		}
		raw, ok := members[name]
		if !ok || bytes.Equal(bytes.TrimSpace(raw), jsonNull) {
			continue
		}
		if err := setLoose(rv.Field(i), raw); err != nil {
			return fmt.Errorf("field %q: %w", name, err)
		}
	}
	return nil
}

func setLoose(f reflect.Value, raw json.RawMessage) error {
	if f.Type() == timeType {
		var v pveInt
		if err := json.Unmarshal(raw, &v); err != nil {
			return err
		}
		if v != 0 {
			f.Set(reflect.ValueOf(time.Unix(int64(v), 0).UTC()))
		}
		return nil
	}
	if f.Addr().Type().Implements(unmarshalerType) {
		return json.Unmarshal(raw, f.Addr().Interface())
	}
	switch f.Kind() {
	case reflect.String:
		var v pveString
		err := json.Unmarshal(raw, &v)
		f.SetString(string(v))
		return err
	case reflect.Bool:
		var v pveBool
		err := json.Unmarshal(raw, &v)
		f.SetBool(bool(v))
		return err
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		var v pveInt
		if err := json.Unmarshal(raw, &v); err != nil {
			return err
		}
		if f.OverflowInt(int64(v)) {
			return fmt.Errorf("%d overflows %s", v, f.Type())
		}
		f.SetInt(int64(v))
		return nil
	case reflect.Float32, reflect.Float64:
		var v pveFloat
		err := json.Unmarshal(raw, &v)
		f.SetFloat(float64(v))
		return err
	case reflect.Pointer:
		if f.Type().Elem().Kind() == reflect.Float64 {
			var v pveFloat
			if err := json.Unmarshal(raw, &v); err != nil {
				return err
			}
			p := reflect.New(f.Type().Elem())
			p.Elem().SetFloat(float64(v))
			f.Set(p)
			return nil
		}
	case reflect.Slice:
		switch f.Type().Elem().Kind() {
		case reflect.String:
			var v pveList
			err := json.Unmarshal(raw, &v)
			f.Set(reflect.ValueOf([]string(v)).Convert(f.Type()))
			return err
		case reflect.Float64:
			var v []pveFloat
			if err := json.Unmarshal(raw, &v); err != nil {
				return err
			}
			out := reflect.MakeSlice(f.Type(), len(v), len(v))
			for i, x := range v {
				out.Index(i).SetFloat(float64(x))
			}
			f.Set(out)
			return nil
		}
	case reflect.Struct:
		return looseUnmarshal(raw, f.Addr().Interface())
	}
	return json.Unmarshal(raw, f.Addr().Interface())
}

// The hand-written path below decodes a Resource without reflection or
// intermediate maps: /cluster/resources of a large cluster has one object
// per guest, and going through looseUnmarshal cost several encoding/json
// passes and a dozen allocations per member. It gives up (ok false) on
// anything it does not handle exactly as looseUnmarshal would (escaped
// strings, nested values, non-integer integers, malformed input), and the
// caller then falls back to looseUnmarshal, which also produces the errors.

// Resource fields in struct order, as indexes into rawMembers.
const (
	rID = iota
	rType
	rNode
	rName
	rStatus
	rVMID
	rPool
	rStorage
	rTemplate
	rTags
	rLock
	rHAState
	rLevel
	rCPU
	rMaxCPU
	rMem
	rMaxMem
	rMemHost
	rDisk
	rMaxDisk
	rNetIn
	rNetOut
	rDiskRead
	rDiskWrite
	rUptime
	rPluginType
	rContent
	rShared
	rCount
)

func resourceField(key []byte) int {
	switch string(key) {
	case "id":
		return rID
	case "type":
		return rType
	case "node":
		return rNode
	case "name":
		return rName
	case "status":
		return rStatus
	case "vmid":
		return rVMID
	case "pool":
		return rPool
	case "storage":
		return rStorage
	case "template":
		return rTemplate
	case "tags":
		return rTags
	case "lock":
		return rLock
	case "hastate":
		return rHAState
	case "level":
		return rLevel
	case "cpu":
		return rCPU
	case "maxcpu":
		return rMaxCPU
	case "mem":
		return rMem
	case "maxmem":
		return rMaxMem
	case "memhost":
		return rMemHost
	case "disk":
		return rDisk
	case "maxdisk":
		return rMaxDisk
	case "netin":
		return rNetIn
	case "netout":
		return rNetOut
	case "diskread":
		return rDiskRead
	case "diskwrite":
		return rDiskWrite
	case "uptime":
		return rUptime
	case "plugintype":
		return rPluginType
	case "content":
		return rContent
	case "shared":
		return rShared
	}
	return -1
}

// decodeResourceFast decodes the JSON object b into r as looseUnmarshal
// would, or reports ok false without touching r.
func decodeResourceFast(b []byte, r *Resource) (ok bool) {
	var raw [rCount][]byte // last member of each name wins, as in a map
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return false
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		i++
	} else {
		for {
			if i >= len(b) || b[i] != '"' {
				return false
			}
			end, plain := scanString(b, i)
			if end < 0 || !plain {
				return false
			}
			key := b[i+1 : end-1]
			i = skipSpace(b, end)
			if i >= len(b) || b[i] != ':' {
				return false
			}
			i = skipSpace(b, i+1)
			vend := scanScalar(b, i)
			if vend < 0 {
				return false
			}
			if f := resourceField(key); f >= 0 {
				raw[f] = b[i:vend]
			}
			i = skipSpace(b, vend)
			if i >= len(b) {
				return false
			}
			if b[i] == '}' {
				i++
				break
			}
			if b[i] != ',' {
				return false
			}
			i = skipSpace(b, i+1)
		}
	}
	if skipSpace(b, i) != len(b) {
		return false
	}

	// Texts of every present, non-null member, as scalarText gives them.
	var text [rCount][]byte
	for f, v := range raw {
		if v == nil || string(v) == "null" {
			raw[f] = nil
			continue
		}
		switch v[0] {
		case '"':
			text[f] = bytes.TrimSpace(v[1 : len(v)-1])
		case 't':
			text[f] = one
		case 'f':
			text[f] = zero
		default:
			text[f] = v
		}
	}

	t := *r
	// All strings of one resource share one allocation, but for the
	// common constant values.
	var buf [256]byte
	all := buf[:0]
	strs := [...]int{rID, rType, rNode, rName, rStatus, rPool, rStorage, rTags, rLock, rHAState, rLevel, rPluginType, rContent}
	for _, f := range strs {
		if raw[f] != nil && (f == rTags || internString(text[f]) == "") {
			all = append(all, text[f]...)
		}
	}
	joined := string(all)
	off := 0
	for _, f := range strs {
		if raw[f] == nil {
			continue
		}
		s := internString(text[f])
		if f == rTags || s == "" {
			s = joined[off : off+len(text[f])]
			off += len(text[f])
		}
		switch f {
		case rID:
			t.ID = s
		case rType:
			t.Type = s
		case rNode:
			t.Node = s
		case rName:
			t.Name = s
		case rStatus:
			t.Status = s
		case rPool:
			t.Pool = s
		case rStorage:
			t.Storage = s
		case rTags:
			t.Tags = splitList(s)
		case rLock:
			t.Lock = s
		case rHAState:
			t.HAState = s
		case rLevel:
			t.Level = s
		case rPluginType:
			t.PluginType = s
		case rContent:
			t.Content = s
		}
	}
	if raw[rVMID] != nil {
		v, ok := fastInt(text[rVMID])
		if !ok || int64(int(v)) != v {
			return false
		}
		t.VMID = int(v)
	}
	for f, p := range [...]*int64{rMem: &t.Mem, rMaxMem: &t.MaxMem, rMemHost: &t.MemHost, rDisk: &t.Disk, rMaxDisk: &t.MaxDisk,
		rNetIn: &t.NetIn, rNetOut: &t.NetOut, rDiskRead: &t.DiskRead, rDiskWrite: &t.DiskWrite, rUptime: &t.Uptime} {
		if p == nil || raw[f] == nil {
			continue
		}
		v, ok := fastInt(text[f])
		if !ok {
			return false
		}
		*p = v
	}
	for f, p := range [...]*float64{rCPU: &t.CPU, rMaxCPU: &t.MaxCPU} {
		if p == nil || raw[f] == nil {
			continue
		}
		v, ok := fastFloat(text[f])
		if !ok {
			return false
		}
		*p = v
	}
	for f, p := range [...]*bool{rTemplate: &t.Template, rShared: &t.Shared} {
		if p == nil || raw[f] == nil {
			continue
		}
		v, ok := fastBool(text[f])
		if !ok {
			return false
		}
		*p = v
	}
	*r = t
	return true
}

var (
	one  = []byte("1")
	zero = []byte("0")
)

// internString returns a constant for the values many resources share, ""
// for others.
func internString(b []byte) string {
	switch string(b) {
	case "qemu":
		return "qemu"
	case "lxc":
		return "lxc"
	case "node":
		return "node"
	case "storage":
		return "storage"
	case "pool":
		return "pool"
	case "sdn":
		return "sdn"
	case "running":
		return "running"
	case "stopped":
		return "stopped"
	case "paused":
		return "paused"
	case "online":
		return "online"
	case "offline":
		return "offline"
	case "unknown":
		return "unknown"
	case "available":
		return "available"
	case "ok":
		return "ok"
	case "started":
		return "started"
	case "ignored":
		return "ignored"
	}
	return ""
}

// fastInt is pveInt for the plain integers the fast path takes.
func fastInt(b []byte) (int64, bool) {
	if len(b) == 0 {
		return 0, true
	}
	i, err := strconv.ParseInt(string(b), 10, 64)
	return i, err == nil
}

// fastFloat is pveFloat.
func fastFloat(b []byte) (float64, bool) {
	if len(b) == 0 {
		return 0, true
	}
	f, err := strconv.ParseFloat(string(b), 64)
	return f, err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
}

// fastBool is pveBool for the usual spellings.
func fastBool(b []byte) (bool, bool) {
	switch string(b) {
	case "", "0", "false", "no", "off":
		return false, true
	case "1", "true", "yes", "on":
		return true, true
	}
	return false, false
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// scanString returns the offset just past the JSON string starting at
// b[i] (a quote), -1 if it is malformed, and whether it is plain: no
// escapes and valid UTF-8, so its bytes are its value.
func scanString(b []byte, i int) (end int, plain bool) {
	plain = true
	high := false
	for j := i + 1; j < len(b); j++ {
		c := b[j]
		switch {
		case c == '"':
			if high && !utf8.Valid(b[i+1:j]) {
				plain = false
			}
			return j + 1, plain
		case c == '\\':
			return -1, false // not taken by the fast path
		case c < 0x20:
			return -1, false
		case c >= 0x80:
			high = true
		}
	}
	return -1, false
}

// scanScalar returns the offset just past the plain string, number, true,
// false or null at b[i], or -1 for anything else.
func scanScalar(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch c := b[i]; {
	case c == '"':
		end, plain := scanString(b, i)
		if !plain {
			return -1
		}
		return end
	case c == 't':
		return literal(b, i, "true")
	case c == 'f':
		return literal(b, i, "false")
	case c == 'n':
		return literal(b, i, "null")
	case c == '-' || c >= '0' && c <= '9':
		return scanNumber(b, i)
	}
	return -1
}

func literal(b []byte, i int, lit string) int {
	if len(b)-i >= len(lit) && string(b[i:i+len(lit)]) == lit {
		return i + len(lit)
	}
	return -1
}

// scanNumber follows JSON's number grammar.
func scanNumber(b []byte, i int) int {
	if b[i] == '-' {
		i++
	}
	digits := func() bool {
		s := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		return i > s
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case !digits():
		return -1
	}
	if i < len(b) && b[i] == '.' {
		i++
		if !digits() {
			return -1
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if !digits() {
			return -1
		}
	}
	return i
}
