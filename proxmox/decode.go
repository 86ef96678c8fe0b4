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
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f > math.MaxInt64 || f < math.MinInt64 {
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
