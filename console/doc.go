// Package console is the loopback WebSocket proxy between noVNC in the window
// and Proxmox's vncwebsocket.
//
// The app asks Proxmox for a console (vncproxy with websocket=1), then
// registers the result here as a [Session]: the upstream vncwebsocket URL, the
// API token header, the pinned TLS dialer of the node that answered, and the
// VNC password. [Proxy.Register] returns a ws://127.0.0.1:PORT/console/TOKEN
// URL that noVNC opens. The token is single-use, unguessable and short-lived,
// and the proxy only accepts upgrades whose Origin is the app's own.
//
// No credential reaches JavaScript: the proxy dials Proxmox, performs the RFB
// handshake and VNC Authentication itself, offers noVNC security type None,
// and from ClientInit on splices the two byte streams together.
//
// pveproxy drops fragmented frames and messages over 128 KiB, so everything
// written upstream is sent as unfragmented binary messages of at most
// [MaxUpstreamMessage] bytes.
package console
