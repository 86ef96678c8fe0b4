package app

import (
	"os/exec"
	"strings"
	"testing"
)

// TestOnlyAppKnowsWails keeps the import rule of ARCHITECTURE.md: nothing
// below app imports Wails, so those packages stay plain, testable Go.
func TestOnlyAppKnowsWails(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "cecyber/proxmox/...", "cecyber/console/...", "cecyber/metrics/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.HasPrefix(pkg, "github.com/wailsapp/") {
			t.Errorf("a package below app depends on %s", pkg)
		}
	}
}
