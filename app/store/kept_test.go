package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"cecyber/app/store"
)

// TestKeptHistory: removing a cluster while keeping its history leaves a
// record to recognise it by; creating a cluster under that ID takes the
// history back and drops the record.
func TestKeptHistory(t *testing.T) {
	ctx := context.Background()
	db := store.MustOpenDB(t)
	removed := time.Date(2025, 6, 7, 8, 9, 10, 0, time.UTC)
	db.Now = func() time.Time { return removed }
	c := mustCreate(t, db, "Lab")
	if err := db.SetClusterName(ctx, c.ID, "lab"); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteClusterKeepingHistory(ctx, c.ID, []string{"pve1", "pve2"}); err != nil {
		t.Fatalf("DeleteClusterKeepingHistory() = %v", err)
	}
	if _, err := db.Cluster(ctx, c.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Cluster() after removal = %v; want ErrNotFound", err)
	}
	kept, err := db.KeptHistories(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.KeptHistory{{ID: c.ID, Name: "Lab", ClusterName: "lab", Nodes: []string{"pve1", "pve2"}, RemovedAt: removed}}
	if diff := cmp.Diff(want, kept); diff != "" {
		t.Errorf("KeptHistories() mismatch (-want +got):\n%s", diff)
	}
	if err := db.DeleteClusterKeepingHistory(ctx, c.ID, nil); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteClusterKeepingHistory() of a removed cluster = %v; want ErrNotFound", err)
	}

	// The same name is free again, and the ID is taken back.
	again := store.Cluster{ID: c.ID, Name: "Lab", TokenID: "root@pam!cecyber", Endpoints: c.Endpoints}
	if err := db.CreateCluster(ctx, &again); err != nil {
		t.Fatalf("CreateCluster() under the kept ID = %v", err)
	}
	if kept, _ := db.KeptHistories(ctx); len(kept) != 0 {
		t.Errorf("KeptHistories() after the history was taken back = %+v; want none", kept)
	}

	other := mustCreate(t, db, "Other")
	if err := db.DeleteClusterKeepingHistory(ctx, other.ID, nil); err != nil {
		t.Fatal(err)
	}
	if err := db.ForgetKeptHistory(ctx, other.ID); err != nil {
		t.Fatal(err)
	}
	if kept, _ := db.KeptHistories(ctx); len(kept) != 0 {
		t.Errorf("KeptHistories() after ForgetKeptHistory = %+v; want none", kept)
	}
}
