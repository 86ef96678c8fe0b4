package app

import (
	"os/exec"
	"runtime"
	"strings"
	"testing"
)

// TestOnlyAppKnowsWails keeps the import rule of ARCHITECTURE.md: nothing
// below app imports Wails, so those packages stay plain, testable Go.
func TestOnlyAppKnowsWails(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil && runtime.GOOS == "windows" {
		t.Skip("needs the go command, which Windows test binaries run under Wine (make test-windows) do not have; CI's Windows job runs it")
	}
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
