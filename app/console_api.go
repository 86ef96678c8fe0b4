package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"

	"cecyber/console"
	"cecyber/proxmox"
)

// EventConsoleEnded is emitted with a ConsoleEnded when a console session ends.
const EventConsoleEnded = "console-ended"

// OpenConsole asks Proxmox for a fresh console ticket for a guest and
// returns the local URL its noVNC connects to. The proxy dials the node that
// issued the ticket, pinned, and answers the VNC authentication itself, so no
// credential reaches the window.
func (a *App) OpenConsole(clusterID, guestID string) (Console, error) {
	if err := firstErr(checkID("cluster", clusterID), checkID("guest", guestID)); err != nil {
		return Console{}, err
	}
	if a.console == nil {
		return Console{}, errNotStarted
	}
	c, err := a.findCluster(clusterID)
	if err != nil {
		return Console{}, err
	}
	g, ok := c.findGuest(guestID)
	if !ok {
		return Console{}, errUnknownGuest
	}
	ref := proxmox.GuestRef{Node: g.Node, Type: proxmox.GuestType(g.Type), VMID: g.VMID}
	ctx, cancel := context.WithTimeout(a.ctx, actionTimeout)
	defer cancel()
	s, err := consoleTicket(ctx, c, ref)
	if err != nil {
		return Console{}, err
	}
	id := newConsoleID()
	// A tab opened more than 10 s after vncproxy finds the worker gone:
	// the proxy then asks for a fresh ticket once.
	s.Renew = func(ctx context.Context) (console.Session, error) { return consoleTicket(ctx, c, ref) }
	s.OnEnd = func(reason error) { a.consoleEnded(id, reason) }
	local, err := a.console.Register(s)
	if err != nil {
		return Console{}, err
	}
	a.consolesMu.Lock()
	a.consoles[id] = local
	a.consolesMu.Unlock()
	a.log.Info("console opened", "cluster", clusterID, "guest", guestID, "node", g.Node)
	return Console{
		ID: id, URL: local, Cluster: clusterID, GuestID: g.ID, GuestName: g.Name,
		Node: g.Node, VMID: g.VMID, Type: g.Type,
	}, nil
}

// consoleTicket asks Proxmox for a console ticket (vncproxy) and describes
// the upstream the proxy dials for it: the node that issued the ticket,
// pinned.
func consoleTicket(ctx context.Context, c *cluster, ref proxmox.GuestRef) (console.Session, error) {
	client, err := c.getClient()
	if err != nil {
		return console.Session{}, err
	}
	ticket, err := client.VNCProxy(ctx, ref)
	if err != nil {
		return console.Session{}, err
	}
	upstream, err := client.VNCWebSocketURL(ref, ticket)
	if err != nil {
		return console.Session{}, err
	}
	dialer := client.DialerFor(ticket.Endpoint)
	if dialer == nil {
		return console.Session{}, errors.New("no pinned connection to the node that issued the console ticket")
	}
	return console.Session{
		Upstream: upstream,
		Header:   client.AuthHeader(),
		DialTLS:  dialer.DialTLSContext,
		Password: ticket.VNCPassword(),
	}, nil
}

// CloseConsole ends a console session; ending one that already ended is fine.
func (a *App) CloseConsole(id string) error {
	if err := checkID("id", id); err != nil {
		return err
	}
	a.consolesMu.Lock()
	local, ok := a.consoles[id]
	a.consolesMu.Unlock()
	if ok && a.console != nil {
		a.console.End(local)
	}
	return nil
}

// consoleEnded tells the window why a session ended, unless the window
// itself ended it.
func (a *App) consoleEnded(id string, reason error) {
	a.consolesMu.Lock()
	delete(a.consoles, id)
	a.consolesMu.Unlock()
	ev := ConsoleEnded{ID: id, Error: consoleReason(reason)}
	a.log.Info("console ended", "id", id, "reason", reason)
	if a.emit != nil {
		a.emit.Emit(EventConsoleEnded, ev)
	}
}

// consoleReason maps why the proxy ended a session to what the window does
// next: "auth" reconnects with a fresh ticket at once, the others back off.
func consoleReason(reason error) *ErrorInfo {
	var auth *console.AuthError
	switch {
	case reason == nil, errors.Is(reason, console.ErrEnded), errors.Is(reason, console.ErrClientClosed),
		errors.Is(reason, console.ErrProxyClosed):
		return nil
	case errors.As(reason, &auth):
		return &ErrorInfo{Code: "auth", Message: reason.Error(), Detail: auth.Reason}
	case errors.Is(reason, console.ErrUpstreamClosed):
		return &ErrorInfo{Code: "closed", Message: "Proxmox closed the console."}
	case errors.Is(reason, console.ErrIdle):
		return &ErrorInfo{Code: "idle", Message: "The console was idle for too long."}
	case errors.Is(reason, console.ErrTokenExpired):
		return &ErrorInfo{Code: "expired", Message: "The console was not opened in time."}
	}
	info := errorInfo(reason)
	if info.Code == "internal" {
		// Go's words (a dial error) stay in the log: consoleEnded logged them.
		info = ErrorInfo{Code: "closed", Message: "The console connection failed."}
	}
	return &info
}

func newConsoleID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return "con-" + hex.EncodeToString(b)
}
