// Package secrets keeps each cluster's API token secret in the OS keychain:
// the Secret Service on Linux (GNOME Keyring, KeePassXC…), the Keychain on
// macOS, the Credential Manager on Windows, through zalando/go-keyring.
//
// There is deliberately no fallback: when no keychain is usable, every call
// fails with an *Error that tells the user what to install or unlock.
// Cecyber never writes a secret to a plain file. Errors never contain the
// secret.
package secrets

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strings"

	"github.com/godbus/dbus/v5"
	"github.com/zalando/go-keyring"
)

// DefaultService is the keychain service name Cecyber's items are stored
// under when Keychain.Service is empty.
const DefaultService = "cecyber"

// Keychain stores token secrets by cluster ID. The zero value uses
// DefaultService. It is safe for concurrent use.
type Keychain struct {
	// Service is the keychain service (Secret Service attribute "service",
	// macOS service, Windows target prefix); empty means DefaultService.
	// Tests use their own so they never touch the user's items.
	Service string
}

func (k Keychain) service() string {
	if k.Service == "" {
		return DefaultService
	}
	return k.Service
}

// key is the keychain account for a cluster.
func key(clusterID string) string { return "cluster:" + clusterID }

// Set stores secret as the token secret of the cluster, replacing any
// previous one.
func (k Keychain) Set(clusterID, secret string) error {
	if clusterID == "" {
		return &Error{Reason: ReasonOther, Op: "store", Err: errors.New("empty cluster ID")}
	}
	if err := keyring.Set(k.service(), key(clusterID), secret); err != nil {
		e := classify("store", clusterID, err)
		e.Err = scrub(err, secret)
		return e
	}
	return nil
}

// Get returns the token secret of the cluster. A cluster with no stored
// secret yields an *Error with ReasonNotFound (errors.Is(err,
// keyring.ErrNotFound) also holds).
func (k Keychain) Get(clusterID string) (string, error) {
	if clusterID == "" {
		return "", &Error{Reason: ReasonOther, Op: "read", Err: errors.New("empty cluster ID")}
	}
	s, err := keyring.Get(k.service(), key(clusterID))
	if err != nil {
		return "", classify("read", clusterID, err)
	}
	return s, nil
}

// Delete removes the token secret of the cluster. Deleting a secret that is
// not there is not an error.
func (k Keychain) Delete(clusterID string) error {
	if clusterID == "" {
		return &Error{Reason: ReasonOther, Op: "delete", Err: errors.New("empty cluster ID")}
	}
	err := keyring.Delete(k.service(), key(clusterID))
	if err == nil || errors.Is(err, keyring.ErrNotFound) {
		return nil
	}
	return classify("delete", clusterID, err)
}

// Reason says why the keychain could not be used.
type Reason int

const (
	ReasonOther       Reason = iota // anything else; the message carries the keychain's own words
	ReasonUnavailable               // no keychain to talk to (no Secret Service, no D-Bus session)
	ReasonLocked                    // the keychain is locked and was not unlocked (prompt dismissed or impossible)
	ReasonDenied                    // the keychain refused access to Cecyber
	ReasonNotFound                  // no secret stored for this cluster
)

func (r Reason) String() string {
	switch r {
	case ReasonUnavailable:
		return "unavailable"
	case ReasonLocked:
		return "locked"
	case ReasonDenied:
		return "denied"
	case ReasonNotFound:
		return "not found"
	}
	return "other"
}

// Error is every error this package returns. Its message says what the
// user can do about it.
type Error struct {
	Reason    Reason
	Op        string // "store", "read" or "delete"
	ClusterID string
	Err       error // from go-keyring / D-Bus; never contains the secret
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Advice())
	b.WriteString(" (")
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(" secret")
		if e.ClusterID != "" {
			fmt.Fprintf(&b, " of cluster %s", e.ClusterID)
		}
		b.WriteString(": ")
	}
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	} else {
		b.WriteString(e.Reason.String())
	}
	b.WriteString(")")
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// ReasonOf returns the Reason of an *Error in err's chain, or ReasonOther.
func ReasonOf(err error) Reason {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return ReasonOther
}

func unavailableAdvice() string {
	switch runtime.GOOS {
	case "darwin":
		return "the macOS Keychain cannot be reached: make sure you are logged in to a desktop session, then try again; " +
			"Cecyber never stores secrets in plain files"
	case "windows":
		return "the Windows Credential Manager cannot be reached: make sure you are logged in to a desktop session, then try again; " +
			"Cecyber never stores secrets in plain files"
	}
	s := "no Secret Service is running: install and start GNOME Keyring (gnome-keyring) or KeePassXC " +
		"with its Secret Service integration, then try again; Cecyber never stores secrets in plain files"
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		s += "; there is no D-Bus session either (DBUS_SESSION_BUS_ADDRESS is not set): start Cecyber from a desktop session"
	}
	return s
}

func lockedAdvice() string {
	switch runtime.GOOS {
	case "darwin":
		return "the keychain is locked: unlock the login keychain in Keychain Access, then try again"
	case "windows":
		return "the Credential Manager is locked: log in to Windows again, then try again"
	}
	return "the keyring is locked and could not be unlocked: unlock it when asked for its password " +
		"(or in Passwords and Keys / Seahorse, or in KeePassXC), then try again"
}

// classify wraps err in an *Error with the Reason it shows. go-keyring
// returns the errors of the platform's backend unchanged, so this looks at
// their types and, where the backend only gives text, at the text.
func classify(op, clusterID string, err error) *Error {
	return &Error{Reason: reason(err), Op: op, ClusterID: clusterID, Err: err}
}

func reason(err error) Reason {
	if errors.Is(err, keyring.ErrNotFound) {
		return ReasonNotFound
	}
	if errors.Is(err, keyring.ErrUnsupportedPlatform) {
		return ReasonUnavailable
	}

	// Linux: D-Bus and the Secret Service.
	var de dbus.Error
	var dep *dbus.Error
	if errors.As(err, &de) || errors.As(err, &dep) {
		if dep != nil {
			de = *dep
		}
		switch de.Name {
		case "org.freedesktop.DBus.Error.ServiceUnknown", // no .service file provides org.freedesktop.secrets
			"org.freedesktop.DBus.Error.NameHasNoOwner",
			"org.freedesktop.DBus.Error.NoServer",
			"org.freedesktop.DBus.Error.Disconnected",
			"org.freedesktop.DBus.Error.Spawn.ExecFailed",
			"org.freedesktop.DBus.Error.Spawn.ChildExited",
			"org.freedesktop.DBus.Error.Spawn.ServiceNotFound":
			return ReasonUnavailable
		case "org.freedesktop.Secret.Error.IsLocked":
			return ReasonLocked
		case "org.freedesktop.DBus.Error.AccessDenied":
			return ReasonDenied
		}
		return ReasonOther
	}
	var ee *exec.Error // no session bus address, and no dbus-launch to start one
	if errors.As(err, &ee) {
		return ReasonUnavailable
	}
	var ne *net.OpError // DBUS_SESSION_BUS_ADDRESS points at nothing
	if errors.As(err, &ne) {
		return ReasonUnavailable
	}

	msg := err.Error()
	switch {
	// godbus, when it finds no session bus address.
	case strings.Contains(msg, "couldn't determine address of session bus"),
		strings.Contains(msg, "dbus: authentication failed"):
		return ReasonUnavailable
	// go-keyring's secret_service.Unlock, when the unlock prompt was
	// dismissed or could not be shown (no display).
	case strings.Contains(msg, "failed to unlock correct collection"):
		return ReasonLocked
	// macOS security(1): the keychain is locked and no UI may ask.
	case strings.Contains(msg, "User interaction is not allowed"):
		return ReasonLocked
	// macOS: the user clicked Deny; Windows: ERROR_ACCESS_DENIED.
	case strings.Contains(msg, "User canceled"),
		strings.Contains(msg, "user canceled"),
		strings.Contains(msg, "Access is denied"):
		return ReasonDenied
	}
	return ReasonOther
}

// scrub keeps the secret out of an error, should a backend ever echo what
// it was given: such an error is replaced by its text with the secret
// masked, and is not kept (so nothing can unwrap it).
func scrub(err error, secret string) error {
	if secret == "" || !strings.Contains(err.Error(), secret) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), secret, "[secret]"))
}

// Advice says what the user can do about the error, without the
// keychain's own words (which Error adds, for the log).
func (e *Error) Advice() string {
	var advice string
	switch e.Reason {
	case ReasonUnavailable:
		advice = unavailableAdvice()
	case ReasonLocked:
		advice = lockedAdvice()
	case ReasonDenied:
		advice = "the keychain denied Cecyber access to its secret: allow access when the keychain asks " +
			"(or in the keychain's settings), then try again"
	case ReasonNotFound:
		advice = "no token secret is stored in the keychain for this cluster: enter the token secret again"
	default:
		advice = "the keychain reported an error"
	}
	return advice
}
