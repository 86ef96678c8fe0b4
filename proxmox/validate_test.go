package proxmox

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseUPID(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		tests := []struct {
			in   string
			want UPIDInfo
		}{
			{"UPID:pve1:000A1B2C:0123ABCD:65F0A1B2:qmstart:100:root@pam:",
				UPIDInfo{Node: "pve1", PID: 0xA1B2C, PStart: 0x123ABCD, StartTime: time.Unix(0x65F0A1B2, 0).UTC(), Type: "qmstart", ID: "100", User: "root@pam"}},
			// pstart may have 9 digits; the ID may be empty; tokens act as users.
			{"UPID:node-2:00000001:1ABCDEF01:00000002:vzdump::root@pam!cecyber:",
				UPIDInfo{Node: "node-2", PID: 1, PStart: 0x1ABCDEF01, StartTime: time.Unix(2, 0).UTC(), Type: "vzdump", User: "root@pam!cecyber"}},
		}
		for _, tt := range tests {
			got, err := ParseUPID(tt.in)
			if err != nil {
				t.Errorf("ParseUPID(%q) = %v", tt.in, err)
				continue
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseUPID(%q) (-want +got):\n%s", tt.in, diff)
			}
			if s := got.String(); !strings.EqualFold(s, tt.in) {
				t.Errorf("ParseUPID(%q).String() = %q", tt.in, s)
			}
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, in := range []string{
			"",
			"UPID:pve1:000A1B2C:0123ABCD:65F0A1B2:qmstart:100:root@pam",   // no trailing colon
			"upid:pve1:000A1B2C:0123ABCD:65F0A1B2:qmstart:100:root@pam:",  // case
			"UPID:pve1:A1B2C:0123ABCD:65F0A1B2:qmstart:100:root@pam:",     // short pid
			"UPID:pve1:000A1B2C:0123ABCD:65F0A1B2:qmstart:100:",           // missing user
			"UPID:pve_1:000A1B2C:0123ABCD:65F0A1B2:qmstart:100:root@pam:", // bad node
			"UPID:../x:000A1B2C:0123ABCD:65F0A1B2:qmstart:100:root@pam:",
			"UPID:pve1:000A1B2C:0123ABCD:65F0A1B2:qm start:100:root@pam:",
			"UPID:pve1:000A1B2C:0123ABCD:65F0A1B2::100:root@pam:",
			"UPID:pve1:0000000G:0123ABCD:65F0A1B2:qmstart:100:root@pam:",
			"UPID:pve1:000A1B2C:0123ABCD:65F0A1B2:qmstart:100:root@pam:extra:",
		} {
			if got, err := ParseUPID(in); err == nil {
				t.Errorf("ParseUPID(%q) = %+v; want error", in, got)
			}
		}
	})
}

func FuzzParseUPID(f *testing.F) {
	for _, s := range []string{
		"UPID:pve1:000A1B2C:0123ABCD:65F0A1B2:qmstart:100:root@pam:",
		"UPID:node1:00000002:00000002:00000002:test:completed:root@pam:",
		"UPID:n:00000001:1ABCDEF01:00000002:vzdump::root@pam!t:",
		"UPID:pve1:::::::",
		"UPID:",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		info, err := ParseUPID(s)
		if err != nil {
			return
		}
		// What parses must re-encode to an equivalent UPID, and must be
		// safe to put in a path.
		again, err := ParseUPID(info.String())
		if err != nil {
			t.Fatalf("ParseUPID(%q) ok, but its String %q does not parse: %v", s, info.String(), err)
		}
		if diff := cmp.Diff(info, again); diff != "" {
			t.Fatalf("round trip of %q (-first +second):\n%s", s, diff)
		}
		if strings.ContainsAny(info.Node, "/?#% ") {
			t.Fatalf("ParseUPID(%q) accepted node %q", s, info.Node)
		}
	})
}

func TestValidNodeName(t *testing.T) {
	for _, s := range []string{"pve", "pve1", "PVE-node-01", "a", strings.Repeat("a", 63)} {
		if err := ValidNodeName(s); err != nil {
			t.Errorf("ValidNodeName(%q) = %v; want nil", s, err)
		}
	}
	for _, s := range []string{"", "-pve", "pve-", "pve.example.com", "pve_1", "../etc", "pve 1", "pvé", strings.Repeat("a", 64)} {
		if err := ValidNodeName(s); err == nil {
			t.Errorf("ValidNodeName(%q) = nil; want error", s)
		}
	}
}

func FuzzValidNodeName(f *testing.F) {
	for _, s := range []string{"pve1", "node-2", "-x", "a/b", "ä", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if ValidNodeName(s) != nil {
			return
		}
		if len(s) == 0 || len(s) > 63 || strings.ContainsAny(s, "/.?#%:@ \x00") || s[0] == '-' || s[len(s)-1] == '-' {
			t.Fatalf("ValidNodeName(%q) = nil; want error", s)
		}
	})
}

func TestValidVMID(t *testing.T) {
	for _, id := range []int{100, 101, 999999999} {
		if err := ValidVMID(id); err != nil {
			t.Errorf("ValidVMID(%d) = %v; want nil", id, err)
		}
	}
	for _, id := range []int{-1, 0, 99, 1000000000} {
		if err := ValidVMID(id); err == nil {
			t.Errorf("ValidVMID(%d) = nil; want error", id)
		}
	}
}
