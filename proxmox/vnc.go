package proxmox

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
)

// VNCTicket is vncproxy's answer: what it takes to open a guest's console
// through vncwebsocket, once. A QEMU console's worker accepts that one
// connection within 10 seconds of vncproxy (the ticket itself verifies for
// 40), so a ticket is used at once or not at all.
type VNCTicket struct {
	Port   int    `json:"port"` // real servers send it as a string
	Ticket string `json:"ticket"`
	// Password is the VNC password (qemu-server 9.1.7 and 8.4.7,
	// pve-container 6.1.3 and 5.3.4, and later); "" on older servers
	// (Proxmox VE 8.4 as released), where the ticket itself is the
	// password.
	Password string `json:"password"`
	Cert     string `json:"cert"`
	User     string `json:"user"`
	UPID     string `json:"upid"`
	// Endpoint is the node URL that answered: vncwebsocket must go to the
	// same host, because the ticket and the VNC listener live there.
	Endpoint string `json:"-"`
}

func (t *VNCTicket) UnmarshalJSON(b []byte) error { return looseUnmarshal(b, t) }

// VNCPassword is the password the VNC server expects.
func (t VNCTicket) VNCPassword() string {
	if t.Password != "" {
		return t.Password
	}
	return t.Ticket
}

// VNCProxy asks for a console ticket for a guest (POST …/vncproxy with
// websocket=1). It is never cached: a ticket is good for one connection.
func (c *Client) VNCProxy(ctx context.Context, ref GuestRef) (VNCTicket, error) {
	p, err := guestPath(ref)
	if err != nil {
		return VNCTicket{}, err
	}
	var t VNCTicket
	// The endpoint is the one that answered this request, taken inside it:
	// another request may fail over between this answer and any later look
	// at the client's active endpoint, and vncwebsocket must go where the
	// ticket and the VNC listener are.
	var answered *endpoint
	op := "POST " + p + "/vncproxy"
	err = c.do(ctx, op, false, func(ctx context.Context, ep *endpoint) error {
		if err := ep.once.Post(ctx, p+"/vncproxy", map[string]any{"websocket": 1}, &t); err != nil {
			return err
		}
		answered = ep
		return nil
	})
	if err != nil {
		return VNCTicket{}, err
	}
	if t.Ticket == "" || t.Port <= 0 {
		return VNCTicket{}, &Error{Kind: KindProtocol, Op: op, Host: answered.host,
			Err: fmt.Errorf("vncproxy answered without a ticket or port")}
	}
	t.Endpoint = answered.url
	return t, nil
}

// VNCWebSocketURL is the wss:// URL of a ticket's vncwebsocket, on the node
// that issued it.
func (c *Client) VNCWebSocketURL(ref GuestRef, t VNCTicket) (string, error) {
	p, err := guestPath(ref)
	if err != nil {
		return "", err
	}
	u, err := url.Parse(t.Endpoint)
	if err != nil || u.Host == "" {
		return "", invalidArg(fmt.Errorf("ticket has no endpoint"))
	}
	q := url.Values{"port": {strconv.Itoa(t.Port)}, "vncticket": {t.Ticket}}
	return "wss://" + u.Host + "/api2/json" + p + "/vncwebsocket?" + q.Encode(), nil
}
