package secrets_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"cecyber/app/secrets"

	"github.com/zalando/go-keyring"
)

// These tests talk to a real Secret Service. Run them with
//
//	app/secrets/testdata/with-keyring.sh go test ./app/secrets/
//
// Without a D-Bus session they fail, unless CECYBER_NO_KEYCHAIN_TESTS=1
// says to skip them.

const skipVar = "CECYBER_NO_KEYCHAIN_TESTS"

// canary is the pretend token secret the tests store; no error message may
// ever contain it.
const canary = "c4nary-5ecret-0f-a-pve-t0ken"

func randomID(t *testing.T) string {
	t.Helper()
	var b [6]byte
	rand.Read(b[:])
	return "c-" + hex.EncodeToString(b[:])
}

// testKeychain returns a Keychain on a service of its own, so the tests
// never touch Cecyber's real items even if run in a desktop session.
func testKeychain(t *testing.T) secrets.Keychain {
	return secrets.Keychain{Service: "cecyber-test-" + randomID(t)}
}

// requireSecretService fails the test when there is no D-Bus session to
// find a Secret Service on, unless the skip variable is set.
func requireSecretService(t *testing.T) {
	t.Helper()
	// Windows (Credential Manager) and macOS (Keychain) always have theirs.
	if runtime.GOOS != "linux" || os.Getenv("DBUS_SESSION_BUS_ADDRESS") != "" {
		return
	}
	if os.Getenv(skipVar) == "1" {
		t.Skipf("%s=1: not testing against a real Secret Service", skipVar)
	}
	t.Fatalf("DBUS_SESSION_BUS_ADDRESS is not set, so there is no Secret Service to test against: "+
		"run the tests inside one with app/secrets/testdata/with-keyring.sh go test ./app/secrets/ "+
		"(needs apt-get install -y --no-install-recommends dbus gnome-keyring), or set %s=1 to skip them", skipVar)
}

// skipUnlessSecretService skips the tests of a missing or locked Secret
// Service where the keychain is not one: D-Bus and gnome-keyring are Linux's.
func skipUnlessSecretService(t *testing.T) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skipf("the Secret Service (D-Bus, gnome-keyring) is Linux's keychain; %s has its own, always there", runtime.GOOS)
	}
}

// requireTools fails the test when the D-Bus and gnome-keyring programs the
// subprocess tests start are missing, unless the skip variable is set.
func requireTools(t *testing.T, names ...string) {
	t.Helper()
	for _, name := range names {
		if _, err := exec.LookPath(name); err != nil {
			if os.Getenv(skipVar) == "1" {
				t.Skipf("%s=1 and %s is not installed", skipVar, name)
			}
			t.Fatalf("%s is not installed (apt-get install -y --no-install-recommends dbus gnome-keyring), "+
				"or set %s=1 to skip the keychain tests", name, skipVar)
		}
	}
}

func TestKeychain(t *testing.T) {
	requireSecretService(t)
	k := testKeychain(t)
	id := randomID(t)
	t.Cleanup(func() { k.Delete(id) })

	t.Run("OK", func(t *testing.T) {
		if err := k.Set(id, canary); err != nil {
			t.Fatalf("Set: %v", err)
		}
		got, err := k.Get(id)
		if err != nil || got != canary {
			t.Fatalf("Get() = %q, %v; want the secret", got, err)
		}
		// The item is where the key scheme says: service, "cluster:"+ID.
		if got, err := keyring.Get(k.Service, "cluster:"+id); err != nil || got != canary {
			t.Errorf("keyring.Get(service, cluster:ID) = %q, %v; want the secret", got, err)
		}
	})

	t.Run("Overwrite", func(t *testing.T) {
		for _, s := range []string{"first", "second ünïcødé 🔑 " + strings.Repeat("x", 500)} {
			if err := k.Set(id, s); err != nil {
				t.Fatalf("Set: %v", err)
			}
			if got, err := k.Get(id); err != nil || got != s {
				t.Errorf("Get() after Set(%.10q) = %.10q, %v", s, got, err)
			}
		}
	})

	t.Run("Isolation", func(t *testing.T) {
		other := randomID(t)
		t.Cleanup(func() { k.Delete(other) })
		k.Set(id, "one")
		if err := k.Set(other, "two"); err != nil {
			t.Fatal(err)
		}
		if got, _ := k.Get(id); got != "one" {
			t.Errorf("Get(id) = %q after setting another cluster; want one", got)
		}
		k2 := testKeychain(t) // another service, same cluster ID
		if _, err := k2.Get(id); secrets.ReasonOf(err) != secrets.ReasonNotFound {
			t.Errorf("other service Get(id) error = %v; want not found", err)
		}
	})

	t.Run("Delete", func(t *testing.T) {
		if err := k.Set(id, canary); err != nil {
			t.Fatal(err)
		}
		if err := k.Delete(id); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		if err := k.Delete(id); err != nil {
			t.Errorf("Delete of a missing secret = %v; want nil", err)
		}
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := k.Get(randomID(t))
		var e *secrets.Error
		if !errors.As(err, &e) || e.Reason != secrets.ReasonNotFound {
			t.Fatalf("Get(missing) error = %v; want *Error with ReasonNotFound", err)
		}
		if !errors.Is(err, keyring.ErrNotFound) {
			t.Errorf("errors.Is(%v, keyring.ErrNotFound) = false", err)
		}
		if !strings.Contains(err.Error(), "enter the token secret again") {
			t.Errorf("message %q does not say what to do", err)
		}
	})

	t.Run("Concurrent", func(t *testing.T) {
		// Wails calls bound methods from many goroutines at once.
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				cid := fmt.Sprintf("%s-%d", id, i)
				defer k.Delete(cid)
				want := fmt.Sprintf("secret-%d", i)
				if err := k.Set(cid, want); err != nil {
					t.Error(err)
					return
				}
				if got, err := k.Get(cid); err != nil || got != want {
					t.Errorf("Get(%s) = %q, %v; want %q", cid, got, err, want)
				}
			})
		}
		wg.Wait()
	})

	t.Run("DefaultService", func(t *testing.T) {
		var k secrets.Keychain
		id := "test-" + randomID(t)
		t.Cleanup(func() { k.Delete(id) })
		if err := k.Set(id, canary); err != nil {
			t.Fatal(err)
		}
		if got, err := keyring.Get("cecyber", "cluster:"+id); err != nil || got != canary {
			t.Errorf("keyring.Get(cecyber, cluster:ID) = %q, %v; want the secret", got, err)
		}
	})
}

func TestEmptyClusterID(t *testing.T) {
	var k secrets.Keychain
	if err := k.Set("", canary); err == nil || strings.Contains(err.Error(), canary) {
		t.Errorf("Set(\"\") = %v; want an error without the secret", err)
	}
	if _, err := k.Get(""); err == nil {
		t.Error("Get(\"\") succeeded")
	}
	if err := k.Delete(""); err == nil {
		t.Error("Delete(\"\") succeeded")
	}
}

// result is what the helper process reports for one call.
type result struct {
	Op      string
	Reason  string
	Message string
	Secret  string
}

// TestHelperProcess is not a test: the tests below run the test binary
// again, in a different environment (no bus, a bus without a Secret
// Service, a locked keyring), to call the keychain there. It does nothing
// unless CECYBER_SECRETS_HELPER is set.
func TestHelperProcess(t *testing.T) {
	mode := os.Getenv("CECYBER_SECRETS_HELPER")
	if mode == "" {
		return
	}
	k := secrets.Keychain{Service: os.Getenv("CECYBER_SECRETS_SERVICE")}
	id := os.Getenv("CECYBER_SECRETS_ID")
	out := json.NewEncoder(os.Stdout)
	report := func(op, secret string, err error) {
		r := result{Op: op, Reason: "ok", Secret: secret}
		if err != nil {
			r.Reason, r.Message = secrets.ReasonOf(err).String(), err.Error()
		}
		out.Encode(r)
	}
	switch mode {
	case "set":
		report("set", "", k.Set(id, canary))
	case "all":
		report("set", "", k.Set(id, canary))
		s, err := k.Get(id)
		report("get", s, err)
		report("delete", "", k.Delete(id))
	default:
		t.Fatalf("unknown helper mode %q", mode)
	}
	os.Exit(0)
}

// runHelper runs the helper process in mode with the given environment
// (nothing inherited but PATH, unless env sets it) wrapped in argv (for
// example dbus-run-session …), and returns what it reported.
func runHelper(t *testing.T, mode string, env []string, wrap ...string) []result {
	t.Helper()
	home := t.TempDir()
	args := append(wrap, os.Args[0], "-test.run=^TestHelperProcess$")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	// No DISPLAY: an unlock prompt must fail at once, not wait for a click.
	cmd.Env = append([]string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"XDG_CONFIG_HOME=" + filepath.Join(home, "config"),
		"XDG_CACHE_HOME=" + filepath.Join(home, "cache"),
		"CECYBER_SECRETS_HELPER=" + mode,
		"CECYBER_SECRETS_SERVICE=cecyber-test",
		"CECYBER_SECRETS_ID=c-helper",
	}, env...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	// Whatever a child leaves running, Wait returns soon after the helper.
	cmd.WaitDelay = 5 * time.Second
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("%v: %v\nstdout:\n%s\nstderr:\n%s", args, err, stdout, stderr.String())
	}
	var rs []result
	sc := bufio.NewScanner(strings.NewReader(string(stdout)))
	for sc.Scan() {
		var r result
		if json.Unmarshal(sc.Bytes(), &r) == nil && r.Op != "" {
			rs = append(rs, r)
		}
	}
	if len(rs) == 0 {
		t.Fatalf("helper reported nothing\nstdout:\n%s\nstderr:\n%s", stdout, stderr.String())
	}
	return rs
}

// checkAll asserts that every call the helper made failed for reason and
// said so in a message containing advice and never the secret.
func checkAll(t *testing.T, rs []result, reason secrets.Reason, advice ...string) {
	t.Helper()
	for _, r := range rs {
		if r.Reason != reason.String() {
			t.Errorf("%s: reason %q (%s); want %q", r.Op, r.Reason, r.Message, reason)
		}
		for _, a := range advice {
			if !strings.Contains(r.Message, a) {
				t.Errorf("%s: message %q does not contain %q", r.Op, r.Message, a)
			}
		}
		if strings.Contains(r.Message, canary) || r.Secret != "" {
			t.Errorf("%s: the secret leaked: %+v", r.Op, r)
		}
	}
	if len(rs) > 0 {
		t.Logf("%s: %s", rs[0].Op, rs[0].Message)
	}
}

const unavailableAdvice = "no Secret Service is running: install and start GNOME Keyring (gnome-keyring) or KeePassXC"

func TestUnavailable(t *testing.T) {
	skipUnlessSecretService(t)
	t.Run("BusAddressPointsNowhere", func(t *testing.T) {
		dir := t.TempDir()
		rs := runHelper(t, "all", []string{
			"DBUS_SESSION_BUS_ADDRESS=unix:path=" + filepath.Join(dir, "nonexistent"),
			"XDG_RUNTIME_DIR=" + dir,
			"XDG_DATA_HOME=" + filepath.Join(dir, "data"),
		})
		checkAll(t, rs, secrets.ReasonUnavailable, unavailableAdvice, "never stores secrets in plain files")
	})

	t.Run("NoSessionBus", func(t *testing.T) {
		// godbus looks for /run/user/UID/bus when the variable is unset.
		if u, err := user.Current(); err == nil {
			if _, err := os.Stat("/run/user/" + u.Uid + "/bus"); err == nil {
				t.Skipf("/run/user/%s/bus exists: a session bus is always found here", u.Uid)
			}
		}
		dir := t.TempDir()
		rs := runHelper(t, "all", []string{
			"PATH=" + dir, // no dbus-launch to autolaunch a bus with
			"XDG_RUNTIME_DIR=" + dir,
			"XDG_DATA_HOME=" + filepath.Join(dir, "data"),
		})
		checkAll(t, rs, secrets.ReasonUnavailable, unavailableAdvice, "DBUS_SESSION_BUS_ADDRESS is not set")
	})

	t.Run("NoSecretServiceOnBus", func(t *testing.T) {
		// A real session bus on which nothing provides org.freedesktop.secrets.
		requireTools(t, "dbus-run-session")
		conf, err := filepath.Abs("testdata/no-secret-service.conf")
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		rs := runHelper(t, "all", []string{
			"XDG_RUNTIME_DIR=" + dir,
			"XDG_DATA_HOME=" + filepath.Join(dir, "data"),
		}, "dbus-run-session", "--config-file="+conf, "--")
		checkAll(t, rs, secrets.ReasonUnavailable, unavailableAdvice)
		for _, r := range rs {
			if !strings.Contains(r.Message, "org.freedesktop.secrets") {
				t.Errorf("%s: message %q does not keep D-Bus's own words", r.Op, r.Message)
			}
		}
	})
}

// TestLocked makes a login keyring with a password in one session, then in
// a second session starts gnome-keyring without unlocking it: the unlock
// prompt cannot be shown (no display), as when the user dismisses it.
func TestLocked(t *testing.T) {
	skipUnlessSecretService(t)
	requireTools(t, "dbus-run-session", "gnome-keyring-daemon")
	dir := t.TempDir()
	env := []string{
		"XDG_RUNTIME_DIR=" + dir,
		"XDG_DATA_HOME=" + filepath.Join(dir, "data"),
	}
	// The daemon may outlive its session: it must not hold the helper's
	// output pipes, or Wait would wait for it.
	unlocked := `echo pass | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1 && exec "$@"`
	locked := `gnome-keyring-daemon --start --components=secrets >/dev/null 2>&1 && exec "$@"`

	rs := runHelper(t, "set", env, "dbus-run-session", "--", "sh", "-c", unlocked, "sh")
	if rs[0].Reason != "ok" {
		t.Fatalf("storing in an unlocked keyring: %+v", rs[0])
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "keyrings", "login.keyring")); err != nil {
		t.Fatalf("no login keyring was written: %v", err)
	}

	rs = runHelper(t, "all", env, "dbus-run-session", "--", "sh", "-c", locked, "sh")
	checkAll(t, rs, secrets.ReasonLocked, "the keyring is locked", "unlock it")
}
