package console

import (
	"errors"
	"fmt"
)

// Why a session ended, as passed to Session.OnEnd. Errors not listed here
// wrap the underlying cause (for example a dial error, which may be a
// *proxmox.FingerprintError).
var (
	// ErrTokenExpired: noVNC never connected within Options.TokenTTL.
	ErrTokenExpired = errors.New("console: session token expired unused")
	// ErrEnded: the app ended the session with Proxy.End.
	ErrEnded = errors.New("console: session ended")
	// ErrProxyClosed: Proxy.Close ended every session.
	ErrProxyClosed = errors.New("console: proxy closed")
	// ErrIdle: no data flowed either way for Options.IdleTimeout.
	ErrIdle = errors.New("console: idle timeout")
	// ErrClientClosed: noVNC closed its WebSocket or the connection to it broke.
	ErrClientClosed = errors.New("console: client disconnected")
	// ErrUpstreamClosed: Proxmox closed the console or the connection to it
	// broke.
	ErrUpstreamClosed = errors.New("console: Proxmox closed the console")
)

// AuthError says that Proxmox's VNC server rejected the password, typically
// because the ticket or the password expired. The app should ask vncproxy for
// a fresh ticket and register a new session.
type AuthError struct {
	Reason string // the server's reason, or a description when it gave none
}

func (e *AuthError) Error() string {
	return "VNC authentication failed: " + e.Reason
}

// HandshakeError says that the RFB handshake with one side failed for a
// reason other than a rejected password: a protocol violation, an
// unsupported version or security type, a refusal by the server.
type HandshakeError struct {
	Side string // "upstream" or "client"
	Err  error
}

func (e *HandshakeError) Error() string {
	return fmt.Sprintf("console: RFB handshake with %s: %v", e.Side, e.Err)
}

func (e *HandshakeError) Unwrap() error { return e.Err }

// Close codes sent to noVNC in the WebSocket close frame, so the window can
// tell why its console went away. The reason text is meant for display.
const (
	CloseUpstreamError = 4000 // the Proxmox side failed or went away
	CloseAuthFailed    = 4001 // Proxmox rejected the VNC password: reconnect with a new ticket
	CloseDialFailed    = 4002 // the proxy could not reach Proxmox's vncwebsocket
	CloseIdle          = 4003 // no traffic for Options.IdleTimeout
)
