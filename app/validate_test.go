package app

import (
	"errors"
	"strings"
	"testing"
)

// TestCheckName: a cluster's name is what a person types: trimmed, not
// empty, at most 64 bytes, unique, and without NUL, control or
// text-direction characters (U+202E would make "evil\u202Egnp" read
// "evilpng").
func TestCheckName(t *testing.T) {
	free := func(string) bool { return false }
	if got, err := checkName("  Produção ", free); err != nil || got != "Produção" {
		t.Fatalf("checkName(Produção) = %q, %v", got, err)
	}
	for _, tc := range []struct{ in, reason string }{
		{"", "empty"},
		{"pve\x00", "badChars"},
		{"lab\u202Etset", "badChars"},
		{"two\nlines", "badChars"},
		{strings.Repeat("x", 65), "tooLong"},
	} {
		_, err := checkName(tc.in, free)
		var ie *invalidError
		if !errors.As(err, &ie) || ie.field != "name" || ie.reason != tc.reason {
			t.Errorf("checkName(%+q) = %v; want name %s", tc.in, err, tc.reason)
		}
	}
	if _, err := checkName("Lab", func(n string) bool { return n == "Lab" }); err == nil {
		t.Error("a taken name was accepted")
	}
}
