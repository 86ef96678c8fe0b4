package app

import (
	"context"
	"sync"

	"cecyber/proxmox"
	"cecyber/proxmox/tasks"
)

// newTracker follows the tasks started here: when one ends, its cluster is
// polled before the window hears of it, so the guest's new state is there.
func (a *App) newTracker(ctx context.Context) *tasks.Tracker {
	return tasks.NewTracker(ctx, tasks.Options{
		Now:            a.opts.Now,
		RequestTimeout: actionTimeout,
		Settle: func(ctx context.Context, t tasks.Task) {
			if c, err := a.findCluster(t.Cluster); err == nil {
				c.poller.Poll(ctx)
			}
		},
		Changed: func(t tasks.Task) { a.emit.Emit(EventTask, taskDTO(t)) },
	})
}

// taskDTO is a task as the window sees it.
func taskDTO(t tasks.Task) Task {
	out := Task{
		UPID: string(t.UPID), Cluster: t.Cluster, Node: t.Node, GuestID: t.GuestID, VMID: t.VMID,
		GuestName: t.GuestName, Action: t.Action, Status: t.Status, ExitStatus: t.ExitStatus,
		StartedAt: t.StartedAt.UnixMilli(),
	}
	if !t.EndedAt.IsZero() {
		out.EndedAt = t.EndedAt.UnixMilli()
	}
	if t.Err != nil {
		info := errorInfo(t.Err)
		out.Error = &info
	}
	return out
}

func taskDTOs(ts []tasks.Task) []Task {
	out := make([]Task, len(ts))
	for i, t := range ts {
		out[i] = taskDTO(t)
	}
	return out
}

// actions are the power actions, each with the guest types that have it.
var actions = map[string][]string{
	"start":    {"qemu", "lxc"},
	"stop":     {"qemu", "lxc"},
	"shutdown": {"qemu", "lxc"},
	"reboot":   {"qemu", "lxc"},
	"reset":    {"qemu"},
	"suspend":  {"qemu", "lxc"},
	"resume":   {"qemu", "lxc"},
}

// GuestAction starts a power action and follows its task to the end: the
// window gets a "task" event at every change, and the inventory is polled
// again as soon as the task ends. An action Proxmox refuses is an error
// here and a failed task in the list (with Proxmox's message).
func (a *App) GuestAction(clusterID, guestID, action string, opts ActionOptions) (Task, error) {
	t, err := a.guestAction(clusterID, guestID, action, opts)
	if err != nil {
		return Task{}, err
	}
	return t, nil
}

// guestAction is GuestAction; when Proxmox refused the action it returns
// the failed task it recorded along with the error.
func (a *App) guestAction(clusterID, guestID, action string, opts ActionOptions) (Task, error) {
	if a.ctx == nil {
		return Task{}, errNotStarted
	}
	if err := firstErr(checkID("cluster", clusterID), checkID("guest", guestID), checkID("action", action), checkActionOptions(opts)); err != nil {
		return Task{}, err
	}
	c, err := a.findCluster(clusterID)
	if err != nil {
		return Task{}, err
	}
	g, ok := c.findGuest(guestID)
	if !ok {
		return Task{}, errUnknownGuest
	}
	types, ok := actions[action]
	if !ok {
		return Task{}, invalid("action", "unknown", "Unknown action.")
	}
	if !contains(types, g.Type) {
		return Task{}, invalid("action", "type", "Containers have no "+action+" action.")
	}
	client, err := c.getClient()
	if err != nil {
		return Task{}, err
	}
	upid, g, err := a.startAction(c, client, g, action, opts)
	if err != nil {
		if a.tasks == nil {
			return Task{}, err
		}
		refused := a.tasks.Refused(tasks.Task{
			Cluster: clusterID, Node: g.Node, GuestID: g.ID, VMID: g.VMID, GuestName: g.Name, Action: action,
		}, err)
		return taskDTO(refused), err
	}
	t, err := a.tasks.Follow(client, tasks.Task{
		UPID:      upid,
		Cluster:   clusterID,
		Node:      g.Node,
		GuestID:   g.ID,
		VMID:      g.VMID,
		GuestName: g.Name,
		Action:    action,
	})
	if err != nil {
		return Task{}, errNotStarted // shutting down
	}
	return taskDTO(t), nil
}

var errUnknownGuest = invalid("guest", "unknown", "That guest is not in the inventory any more; refresh and try again.")

// startAction POSTs the action. A guest that moved to another node since
// the last poll is found again by its VMID and the action retried there
// once; a guest that is gone is reported as such.
func (a *App) startAction(c *cluster, client *proxmox.Client, g Guest, action string, opts ActionOptions) (proxmox.UPID, Guest, error) {
	ctx, cancel := context.WithTimeout(a.ctx, actionTimeout)
	defer cancel()
	switch action {
	case "stop", "shutdown":
		a.expectStop(c.id, g.ID) // no "unexpected stop" alert for this one
	}
	for attempt := 0; ; attempt++ {
		ref := proxmox.GuestRef{Node: g.Node, Type: proxmox.GuestType(g.Type), VMID: g.VMID}
		upid, err := client.GuestActionWith(ctx, ref, proxmox.Action(action), actionParams(action, opts))
		if err == nil || attempt > 0 || !proxmox.IsKind(err, proxmox.KindNotFound) {
			return upid, g, err
		}
		c.poller.Poll(ctx)
		moved, ok := c.findVMID(g.VMID)
		if !ok {
			return "", g, &guestGoneError{name: g.Name, vmid: g.VMID}
		}
		if moved.Node == g.Node {
			return "", g, err
		}
		a.log.Info("guest moved; retrying there", "vmid", g.VMID, "from", g.Node, "to", moved.Node)
		g = moved
	}
}

func actionParams(action string, opts ActionOptions) map[string]string {
	switch {
	case action == "shutdown" && opts.Timeout > 0:
		return map[string]string{"timeout": itoa(opts.Timeout)}
	case action == "stop" && opts.OverruleShutdown:
		return map[string]string{"overrule-shutdown": "1"}
	}
	return nil
}

// bulkParallel is how many actions of a bulk request are sent at once:
// enough to be quick, few enough not to flood pveproxy's workers.
const bulkParallel = 8

// BulkAction starts one action on many guests; each gets its own Task, with
// Error set when it could not be started.
func (a *App) BulkAction(targets []GuestTarget, action string, opts ActionOptions) ([]Task, error) {
	// A malformed request is refused whole: only a well-formed one is
	// answered guest by guest.
	if len(targets) > maxBulkTargets {
		return nil, invalid("targets", "tooMany", "At most "+itoa(maxBulkTargets)+" guests at once.", "max", itoa(maxBulkTargets))
	}
	for _, tg := range targets {
		if err := firstErr(checkID("cluster", tg.Cluster), checkID("guest", tg.GuestID)); err != nil {
			return nil, err
		}
	}
	if err := firstErr(checkID("action", action), checkActionOptions(opts)); err != nil {
		return nil, err
	}
	if _, ok := actions[action]; !ok {
		return nil, invalid("action", "unknown", "Unknown action.")
	}
	out := make([]Task, len(targets))
	var wg sync.WaitGroup
	slots := make(chan struct{}, bulkParallel)
	for i, tg := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			slots <- struct{}{}
			defer func() { <-slots }()
			t, err := a.guestAction(tg.Cluster, tg.GuestID, action, opts)
			if err != nil && t.StartedAt == 0 {
				info := errorInfo(err)
				t = Task{Cluster: tg.Cluster, GuestID: tg.GuestID, Action: action, Status: "error", Error: &info}
				if c, cerr := a.findCluster(tg.Cluster); cerr == nil {
					if g, ok := c.findGuest(tg.GuestID); ok {
						t.VMID, t.GuestName, t.Node = g.VMID, g.Name, g.Node
					}
				}
			}
			out[i] = t
		}()
	}
	wg.Wait()
	return out, nil
}

// Tasks returns the tasks started here, newest first.
func (a *App) Tasks() ([]Task, error) {
	if a.tasks == nil {
		return []Task{}, nil
	}
	return taskDTOs(a.tasks.List(nil)), nil
}

// TaskLog returns a task's log from Proxmox.
func (a *App) TaskLog(clusterID, node, upid string) ([]TaskLogLine, error) {
	if err := firstErr(checkID("cluster", clusterID), checkID("node", node), checkID("upid", upid)); err != nil {
		return nil, err
	}
	c, err := a.findCluster(clusterID)
	if err != nil {
		return nil, err
	}
	client, err := c.getClient()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(a.ctx, actionTimeout)
	defer cancel()
	lines, err := client.TaskLog(ctx, node, proxmox.UPID(upid))
	if err != nil {
		return nil, err
	}
	out := make([]TaskLogLine, len(lines))
	for i, l := range lines {
		out[i] = TaskLogLine{N: l.N, Text: l.T}
	}
	return out, nil
}

// GuestDetails returns a guest's latest state, its configuration as Proxmox
// sends it, and the tasks started on it here.
func (a *App) GuestDetails(clusterID, guestID string) (GuestDetails, error) {
	if err := firstErr(checkID("cluster", clusterID), checkID("guest", guestID)); err != nil {
		return GuestDetails{}, err
	}
	c, err := a.findCluster(clusterID)
	if err != nil {
		return GuestDetails{}, err
	}
	g, ok := c.findGuest(guestID)
	if !ok {
		return GuestDetails{}, errUnknownGuest
	}
	client, err := c.getClient()
	if err != nil {
		return GuestDetails{}, err
	}
	ctx, cancel := context.WithTimeout(a.ctx, actionTimeout)
	defer cancel()
	cfg, err := client.GuestConfig(ctx, proxmox.GuestRef{Node: g.Node, Type: proxmox.GuestType(g.Type), VMID: g.VMID})
	if err != nil {
		return GuestDetails{}, err
	}
	return GuestDetails{
		Guest:  g,
		Config: cfg,
		Tasks: taskDTOs(a.tasks.List(func(t tasks.Task) bool {
			return t.Cluster == clusterID && t.GuestID == guestID
		})),
	}, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
