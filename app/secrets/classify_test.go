package secrets

import (
	"errors"
	"fmt"
	"net"
	"os/exec"
	"strings"
	"testing"

	"github.com/godbus/dbus/v5"
	"github.com/zalando/go-keyring"
)

// The real backends are exercised in secrets_test.go; this table covers
// the error shapes of backends that cannot run here (macOS, Windows) and
// D-Bus errors that are hard to provoke.
func TestReason(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want Reason
	}{
		{keyring.ErrNotFound, ReasonNotFound},
		{fmt.Errorf("wrapped: %w", keyring.ErrNotFound), ReasonNotFound},
		{keyring.ErrUnsupportedPlatform, ReasonUnavailable},
		{dbus.Error{Name: "org.freedesktop.DBus.Error.ServiceUnknown",
			Body: []any{"The name org.freedesktop.secrets was not provided by any .service files"}}, ReasonUnavailable},
		{&dbus.Error{Name: "org.freedesktop.DBus.Error.NameHasNoOwner"}, ReasonUnavailable},
		{dbus.Error{Name: "org.freedesktop.Secret.Error.IsLocked"}, ReasonLocked},
		{dbus.Error{Name: "org.freedesktop.DBus.Error.AccessDenied"}, ReasonDenied},
		{dbus.Error{Name: "org.freedesktop.DBus.Error.NoReply"}, ReasonOther},
		{&exec.Error{Name: "dbus-launch", Err: exec.ErrNotFound}, ReasonUnavailable},
		{&net.OpError{Op: "dial", Net: "unix", Err: errors.New("connect: no such file or directory")}, ReasonUnavailable},
		{errors.New("dbus: couldn't determine address of session bus"), ReasonUnavailable},
		{errors.New("failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'"), ReasonLocked},
		{errors.New("security: SecKeychainItemCopyContent: User interaction is not allowed."), ReasonLocked},
		{errors.New("exit status 128: User canceled the operation."), ReasonDenied},
		{errors.New("Access is denied."), ReasonDenied},
		{errors.New("something else"), ReasonOther},
	} {
		if got := reason(tt.err); got != tt.want {
			t.Errorf("reason(%v) = %v; want %v", tt.err, got, tt.want)
		}
	}
}

func TestScrub(t *testing.T) {
	const secret = "s3cr3t-value"
	err := scrub(fmt.Errorf("backend said: bad value %q: %w", secret, keyring.ErrSetDataTooBig), secret)
	if strings.Contains(err.Error(), secret) || !strings.Contains(err.Error(), "[secret]") {
		t.Errorf("scrub() = %q; want the secret masked", err)
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		if strings.Contains(e.Error(), secret) {
			t.Errorf("an unwrapped error still holds the secret: %q", e)
		}
	}
	plain := errors.New("no secret here")
	if got := scrub(plain, secret); got != plain {
		t.Errorf("scrub() replaced an error without the secret")
	}
	e := &Error{Reason: ReasonOther, Op: "store", ClusterID: "c-1", Err: err}
	if strings.Contains(e.Error(), secret) || !strings.Contains(e.Error(), "c-1") {
		t.Errorf("Error() = %q", e)
	}
}
