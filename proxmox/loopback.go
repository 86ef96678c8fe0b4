package proxmox

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// EnvLoopbackOnly names the environment variable that, set to "1", makes
// every connection this process makes to Proxmox loopback-only, as in
// Config.LoopbackOnly. The end-to-end tests set it for the app and the
// simulator they start.
const EnvLoopbackOnly = "CECYBER_LOOPBACK_ONLY"

// processLoopbackOnly is true in test binaries and when EnvLoopbackOnly is
// "1": the demo and the tests talk to a simulated cluster on this machine,
// and nothing they do may reach another host, even when the simulator (or
// a bug) names one.
var processLoopbackOnly = testing.Testing() || os.Getenv(EnvLoopbackOnly) == "1"

// NotLoopbackError is what a loopback-only client returns instead of
// dialing another host. Nothing was sent: the dial stopped before connect.
type NotLoopbackError struct {
	Addr string // the address refused, "ip:port"
}

func (e *NotLoopbackError) Error() string {
	return fmt.Sprintf("refused to connect to %s: this session only connects to this machine (the demo cluster and the tests stay on loopback)", e.Addr)
}

// refusedDialMessage is the log message of a refusal; the end-to-end
// harness fails any run whose app log holds it.
const refusedDialMessage = "refused non-loopback dial"

// allowedDialMessage is logged at debug level for every dial a
// loopback-only dialer lets through, so that a test can count them.
const allowedDialMessage = "loopback dial"

// newDialer returns the net.Dialer every Proxmox connection starts from.
// When loopbackOnly (or the process, see EnvLoopbackOnly) asks for it, the
// dialer refuses any address that is not loopback, after name resolution
// and before the connection is attempted, and logs the refusal to log
// (slog.Default() if nil).
func newDialer(timeout time.Duration, loopbackOnly bool, log *slog.Logger) *net.Dialer {
	d := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
	if !loopbackOnly && !processLoopbackOnly {
		return d
	}
	if log == nil {
		log = slog.Default()
	}
	d.Control = func(network, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err == nil && ap.Addr().Unmap().IsLoopback() {
			log.Debug(allowedDialMessage, "addr", address)
			return nil
		}
		log.Error(refusedDialMessage, "addr", address, "network", network)
		return &NotLoopbackError{Addr: address}
	}
	return d
}

// dialFunc makes a raw connection, as net.Dialer.DialContext does.
type dialFunc = func(ctx context.Context, network, addr string) (net.Conn, error)

// newDial returns how every raw connection to Proxmox is made: with
// newDialer's net.Dialer, or with hook (Config.DialContext) when set. A
// hook gets the address unresolved, so when loopback-only applies the
// address itself must be a loopback IP or "localhost" (RFC 6761 keeps the
// name for loopback); any other is refused and logged before the hook is
// called, as newDialer's would be before connecting.
func newDial(timeout time.Duration, loopbackOnly bool, log *slog.Logger, hook dialFunc) dialFunc {
	if hook == nil {
		return newDialer(timeout, loopbackOnly, log).DialContext
	}
	if !loopbackOnly && !processLoopbackOnly {
		return hook
	}
	if log == nil {
		log = slog.Default()
	}
	return func(ctx context.Context, network, address string) (net.Conn, error) {
		if !loopbackAddress(address) {
			log.Error(refusedDialMessage, "addr", address, "network", network)
			return nil, &NotLoopbackError{Addr: address}
		}
		log.Debug(allowedDialMessage, "addr", address)
		return hook(ctx, network, address)
	}
}

// loopbackAddress tells whether address ("host:port") names this machine
// without resolving anything: a loopback IP, or localhost.
func loopbackAddress(address string) bool {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}

// LoopbackOnlyProcess reports whether every Proxmox connection of this
// process is loopback-only (a test binary, or EnvLoopbackOnly=1).
func LoopbackOnlyProcess() bool { return processLoopbackOnly }
