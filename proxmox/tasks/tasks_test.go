package tasks_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"cecyber/proxmox"
	"cecyber/proxmox/pvesim"
	"cecyber/proxmox/tasks"
)

// TestFollow: a task is listed as running at once, followed to its exit
// status on the simulator, settled before it is told ended, and a closed
// tracker follows nothing more.
func TestFollow(t *testing.T) {
	sim := pvesim.NewTestServer(t, pvesim.Config{Nodes: 1, Guests: 8, Seed: 1})
	tok := sim.AdminToken()
	client, err := proxmox.NewClient(proxmox.Config{Endpoint: sim.URL, TokenID: tok.ID, Secret: tok.Secret, Fingerprint: sim.Fingerprint})
	if err != nil {
		t.Fatal(err)
	}
	res, err := client.Resources(context.Background(), "vm")
	if err != nil {
		t.Fatal(err)
	}
	var ref proxmox.GuestRef
	for _, r := range res {
		if r.Type == "qemu" && r.Status == "stopped" && !r.Template {
			ref = proxmox.GuestRef{Node: r.Node, Type: "qemu", VMID: r.VMID}
			break
		}
	}
	if ref.VMID == 0 {
		t.Fatal("the simulator has no stopped VM")
	}
	upid, err := client.GuestAction(context.Background(), ref, "start")
	if err != nil {
		t.Fatal(err)
	}

	changes := make(chan tasks.Task, 4)
	settled := make(chan tasks.Task, 1)
	tr := tasks.NewTracker(context.Background(), tasks.Options{
		Settle:  func(_ context.Context, t tasks.Task) { settled <- t },
		Changed: func(t tasks.Task) { changes <- t },
	})
	got, err := tr.Follow(client, tasks.Task{UPID: upid, Cluster: "c1", Node: ref.Node, VMID: ref.VMID, Action: "start"})
	if err != nil || got.Status != "running" {
		t.Fatalf("Follow() = %+v, %v; want a running task", got, err)
	}
	if first := <-changes; first.Status != "running" {
		t.Errorf("first change %q; want running", first.Status)
	}
	var end tasks.Task
	select {
	case end = <-changes:
	case <-time.After(30 * time.Second):
		t.Fatal("the task never ended")
	}
	if end.Status != "ok" || end.ExitStatus != "OK" || end.EndedAt.IsZero() {
		t.Errorf("ended task %+v; want ok, OK, an end time", end)
	}
	select {
	case s := <-settled:
		if s.Status != "ok" {
			t.Errorf("settled with status %q", s.Status)
		}
	default:
		t.Error("the task ended without being settled first")
	}
	if l := tr.List(nil); len(l) != 1 || l[0].Status != "ok" {
		t.Errorf("List() = %+v; want the one ended task", l)
	}

	tr.Close()
	if _, err := tr.Follow(client, tasks.Task{UPID: upid, Node: "pve1"}); !errors.Is(err, tasks.ErrClosed) {
		t.Errorf("Follow after Close = %v; want ErrClosed", err)
	}
}

func TestOutcome(t *testing.T) {
	for exit, want := range map[string]string{"OK": "ok", "WARNINGS: 2": "warnings", "command failed": "error", "": "error"} {
		if got := tasks.Outcome(exit); got != want {
			t.Errorf("Outcome(%q) = %q; want %q", exit, got, want)
		}
	}
}
