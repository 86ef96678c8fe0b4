package proxmox

import (
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
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

// LoopbackOnlyProcess reports whether every Proxmox connection of this
// process is loopback-only (a test binary, or EnvLoopbackOnly=1).
func LoopbackOnlyProcess() bool { return processLoopbackOnly }
