package upid

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		tests := []struct {
			in   string
			want Info
		}{
			{"UPID:pve1:000A1B2C:0123ABCD:65F0A1B2:qmstart:100:root@pam:",
				Info{Node: "pve1", PID: 0xA1B2C, PStart: 0x123ABCD, StartTime: time.Unix(0x65F0A1B2, 0).UTC(), Type: "qmstart", ID: "100", User: "root@pam"}},
			// pstart may have 9 digits; the ID may be empty; tokens act as users.
			{"UPID:node-2:00000001:1ABCDEF01:00000002:vzdump::root@pam!cecyber:",
				Info{Node: "node-2", PID: 1, PStart: 0x1ABCDEF01, StartTime: time.Unix(2, 0).UTC(), Type: "vzdump", User: "root@pam!cecyber"}},
			// From pve-common's test/upid_test.pl.
			{"UPID:example-node:0000C346:165A0CE4:68D7279C:aptupdate::root@pam:",
				Info{Node: "example-node", PID: 49990, PStart: 375000292, StartTime: time.Unix(1758930844, 0).UTC(), Type: "aptupdate", User: "root@pam"}},
			// Lower-case hex, as some tools write it.
			{"UPID:pve1:0001a2b3:04c5d6e7:65a1b2c3:qmstart:101:root@pam!cecyber:",
				Info{Node: "pve1", PID: 0x1A2B3, PStart: 0x4C5D6E7, StartTime: time.Unix(0x65A1B2C3, 0).UTC(), Type: "qmstart", ID: "101", User: "root@pam!cecyber"}},
		}
		for _, tt := range tests {
			got, err := Parse(tt.in)
			if err != nil {
				t.Errorf("Parse(%q) = %v", tt.in, err)
				continue
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Parse(%q) (-want +got):\n%s", tt.in, diff)
			}
			if s := got.String(); !strings.EqualFold(s, tt.in) {
				t.Errorf("Parse(%q).String() = %q", tt.in, s)
			}
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, in := range []string{
			"",
			"UPID:",
			"UPID:pve1:000A1B2C:0123ABCD:65F0A1B2:qmstart:100:root@pam",   // no trailing colon
			"upid:pve1:000A1B2C:0123ABCD:65F0A1B2:qmstart:100:root@pam:",  // case
			"UPID:pve1:A1B2C:0123ABCD:65F0A1B2:qmstart:100:root@pam:",     // short pid
			"UPID:pve1:1:2:3:qmstart:101:root@pam:",                       // short everything
			"UPID:pve1:000A1B2C:0123ABCD:65F0A1B2:qmstart:100:",           // missing user
			"UPID:pve_1:000A1B2C:0123ABCD:65F0A1B2:qmstart:100:root@pam:", // bad node
			"UPID:-pve:000A1B2C:0123ABCD:65F0A1B2:qmstart:100:root@pam:",
			"UPID:../x:000A1B2C:0123ABCD:65F0A1B2:qmstart:100:root@pam:",
			"UPID:pve1:000A1B2C:0123ABCD:65F0A1B2:qm start:100:root@pam:",
			"UPID:pve1:000A1B2C:0123ABCD:65F0A1B2::100:root@pam:",
			"UPID:pve1:0000000G:0123ABCD:65F0A1B2:qmstart:100:root@pam:",
			"UPID:pve1:000A1B2C:0123ABCD0A:65F0A1B2:qmstart:100:root@pam:", // 10-digit pstart
			"UPID:pve1:000A1B2C:0123ABCD:65F0A1B2:qmstart:100:root@pam:extra:",
			"UPID:pve1:000A1B2C:0123ABCD:65F0A1B2:qmstart:a/b:root@pam:",     // PVE 9 refuses '/'
			"UPID:pve1:000A1B2C:0123ABCD:65F0A1B2:qmstart:100:root@pam:\n",   // Perl's $ would take it
			"UPID:pve1:000A1B2C:0123ABCD:65F0A1B2:qmstart:1\x0100:root@pam:", // control character
			"UPID:pve1:000A1B2C:0123ABCD:65F0A1B2:qmstart:1\u00a000:root@pam:",
			"UPID:pve1:000A1B2C:0123ABCD:65F0A1B2:qmstart:\xff:root@pam:",
		} {
			if got, err := Parse(in); err == nil {
				t.Errorf("Parse(%q) = %+v; want error", in, got)
			}
		}
	})
}

// perlUPID is PVE::UPID::decode's pattern (pve-common src/PVE/UPID.pm)
// with Perl's meaning spelled out: \s also matches \v, and $ also matches
// before a final newline.
var perlUPID = regexp.MustCompile(`^UPID:([a-zA-Z0-9]([a-zA-Z0-9\-]*[a-zA-Z0-9])?):([0-9A-Fa-f]{8}):([0-9A-Fa-f]{8,9}):([0-9A-Fa-f]{8}):([^:/\t\n\v\f\r ]+):([^:/\t\n\v\f\r ]*):([^:/\t\n\v\f\r ]+):\n?$`)

// FuzzParse checks Parse against Proxmox's own grammar: it accepts exactly
// what that pattern accepts, less the documented stricter cases, gives the
// same fields, and what it accepts re-encodes to an equivalent UPID.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"UPID:pve1:000A1B2C:0123ABCD:65F0A1B2:qmstart:100:root@pam:",
		"UPID:node1:00000002:00000002:00000002:test:completed:root@pam:",
		"UPID:n:00000001:1ABCDEF01:00000002:vzdump::root@pam!t:",
		"UPID:cinode:0000D001:0000D001:0000D001:imgdel:cidata:root@pam:",
		"UPID:example-node:0000C346:165A0CE4:68D7279C:aptupdate::root@pam:",
		"UPID:pve-2:00001234:000056789:5A3B7C8D:vncproxy::root@pam:",
		"UPID:pve1:000A1B2C:0123ABCD:65F0A1B2:qmstart:100:root@pam:\n",
		"UPID:pve1:000A1B2C:0123ABCD:65F0A1B2:qmstart:1\u00a00:root@pam:",
		"UPID:pve1:::::::",
		"UPID:",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		info, err := Parse(s)
		m := perlUPID.FindStringSubmatch(s)
		if err != nil {
			if m != nil && !stricterThanPerl(s, m) {
				t.Fatalf("Parse(%q) = %v; Proxmox accepts it", s, err)
			}
			return
		}
		if m == nil {
			t.Fatalf("Parse(%q) = %+v; Proxmox refuses it", s, info)
		}
		hex := func(s string) int64 {
			v, err := strconv.ParseInt(s, 16, 64)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		want := Info{Node: m[1], PID: hex(m[3]), PStart: hex(m[4]), StartTime: time.Unix(hex(m[5]), 0).UTC(), Type: m[6], ID: m[7], User: m[8]}
		if diff := cmp.Diff(want, info); diff != "" {
			t.Fatalf("Parse(%q) (-Proxmox +Parse):\n%s", s, diff)
		}
		again, err := Parse(info.String())
		if err != nil {
			t.Fatalf("Parse(%q) ok, but its String %q does not parse: %v", s, info.String(), err)
		}
		if diff := cmp.Diff(info, again); diff != "" {
			t.Fatalf("round trip of %q (-first +second):\n%s", s, diff)
		}
	})
}

// stricterThanPerl reports whether s, which Proxmox's pattern matches with
// submatches m, falls under one of Parse's documented refusals.
func stricterThanPerl(s string, m []string) bool {
	if !utf8.ValidString(s) || strings.HasSuffix(s, "\n") {
		return true
	}
	for _, v := range m[6:9] {
		if strings.IndexFunc(v, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
			return true
		}
	}
	return false
}
