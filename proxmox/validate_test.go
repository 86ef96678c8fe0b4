package proxmox

import (
	"strings"
	"testing"
)

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
