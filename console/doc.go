// Package console is the loopback WebSocket proxy between noVNC in the window
// and Proxmox's vncwebsocket: it answers the VNC authentication itself so no
// credential reaches JavaScript. (Its implementation arrives with the console
// work; the package exists so the layout and import rules hold from the start.)
package console
