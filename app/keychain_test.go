package app

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"cecyber/app/secrets"
	"cecyber/app/store"
)

// TestKeychainUnavailable starts the app, in a child process, where no
// Secret Service can be reached: the saved cluster must be listed with an
// error that says how to fix it, and nothing may fall back to a file.
func TestKeychainUnavailable(t *testing.T) {
	if path := os.Getenv("CECYBER_TEST_CHILD_DB"); path != "" {
		keychainUnavailableChild(path)
		return
	}
	if runtime.GOOS != "linux" {
		t.Skipf("an unreachable Secret Service (D-Bus) is Linux's failure; %s's keychain is always there", runtime.GOOS)
	}
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "cecyber.db")
	db, err := store.Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	err = db.CreateCluster(context.Background(), &store.Cluster{
		ID: "c-saved", Name: "Saved", TokenID: "root@pam!cecyber",
		Endpoints: []store.Endpoint{{URL: "https://127.0.0.1:1", Fingerprint: strings.Repeat("AB:", 31) + "AB"}},
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestKeychainUnavailable$")
	cmd.Env = append(os.Environ(),
		"CECYBER_TEST_CHILD_DB="+dbPath,
		"DBUS_SESSION_BUS_ADDRESS=unix:path="+filepath.Join(dir, "no-bus"),
		"HOME="+dir, "XDG_DATA_HOME="+dir, "XDG_RUNTIME_DIR="+dir,
	)
	cmd.Env = append(cmd.Env, "DISPLAY=")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	var st ClusterState
	var line string
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(l, "{") {
			line = l
		}
	}
	if err := json.Unmarshal([]byte(line), &st); err != nil {
		t.Fatalf("child printed %q: %v", out, err)
	}
	if st.Status != "error" || st.Error == nil || st.Error.Code != "keychain" || st.Error.Params["reason"] != "unavailable" {
		t.Fatalf("saved cluster without a keychain: %+v; want a keychain/unavailable error", st)
	}
	if !strings.Contains(st.Error.Message, "Secret Service") {
		t.Errorf("message %q does not say how to fix it", st.Error.Message)
	}
	files, _ := os.ReadDir(dir)
	for _, f := range files {
		if !strings.HasPrefix(f.Name(), "cecyber.db") && f.Name() != "no-bus" {
			t.Errorf("the app left %s behind: no plaintext fallback may exist", f.Name())
		}
	}
}

func keychainUnavailableChild(dbPath string) {
	db, err := store.Open(dbPath)
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	a := New(Options{Store: db, Keychain: secrets.Keychain{Service: "cecyber-test"}, PollInterval: time.Hour})
	rec := newRecorder()
	a.startup(context.Background(), rec)
	// One poll, waited for: the saved cluster tries its keychain entry.
	inv, _ := a.Refresh()
	if len(inv.Clusters) == 1 && inv.Clusters[0].Status != "connecting" {
		b, _ := json.Marshal(inv.Clusters[0])
		fmt.Printf("\n%s\n", b)
		a.shutdown()
		os.Exit(0)
	}
	fmt.Println("still connecting after a poll")
	os.Exit(1)
}
