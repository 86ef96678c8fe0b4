package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// KeptHistory is a cluster the user removed while keeping its metric
// history: what it takes to recognise the cluster when it is added again.
type KeptHistory struct {
	ID          string   // the removed cluster's ID, under which its history stays
	Name        string   // the user's name for it then
	ClusterName string   // Proxmox's cluster name; empty for a single node
	Nodes       []string // node names, as last known
	RemovedAt   time.Time
}

// DeleteClusterKeepingHistory removes a cluster as DeleteCluster does and,
// in the same transaction, records it as a KeptHistory with these node
// names, so that adding it again can take its history back.
func (db *DB) DeleteClusterKeepingHistory(ctx context.Context, id string, nodes []string) error {
	if nodes == nil {
		nodes = []string{}
	}
	js, err := json.Marshal(nodes)
	if err != nil {
		return fmt.Errorf("delete cluster: %w", err)
	}
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("delete cluster: %w", err)
	}
	defer tx.Rollback()
	var name, clusterName string
	err = tx.QueryRowContext(ctx, `SELECT name, cluster_name FROM clusters WHERE id = ?`, id).Scan(&name, &clusterName)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("delete cluster: cluster %q: %w", id, ErrNotFound)
	} else if err != nil {
		return fmt.Errorf("delete cluster: %w", err)
	}
	_, err = tx.ExecContext(ctx, `
		INSERT OR REPLACE INTO kept_history (id, name, cluster_name, nodes, removed_at)
		VALUES (?, ?, ?, ?, ?)`, id, name, clusterName, string(js), db.Now().UTC().UnixMilli())
	if err != nil {
		return fmt.Errorf("delete cluster: keep history: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM clusters WHERE id = ?`, id); err != nil {
		return fmt.Errorf("delete cluster: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("delete cluster: %w", err)
	}
	return nil
}

// KeptHistories lists the removed clusters whose history was kept, most
// recently removed first.
func (db *DB) KeptHistories(ctx context.Context) ([]KeptHistory, error) {
	rows, err := db.db.QueryContext(ctx, `
		SELECT id, name, cluster_name, nodes, removed_at FROM kept_history ORDER BY removed_at DESC, id`)
	if err != nil {
		return nil, fmt.Errorf("list kept histories: %w", err)
	}
	defer rows.Close()
	var out []KeptHistory
	for rows.Next() {
		var k KeptHistory
		var nodes string
		var removed int64
		if err := rows.Scan(&k.ID, &k.Name, &k.ClusterName, &nodes, &removed); err != nil {
			return nil, fmt.Errorf("list kept histories: %w", err)
		}
		if err := json.Unmarshal([]byte(nodes), &k.Nodes); err != nil {
			return nil, fmt.Errorf("list kept histories: nodes of %q: %w", k.ID, err)
		}
		k.RemovedAt = time.UnixMilli(removed).UTC()
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list kept histories: %w", err)
	}
	return out, nil
}

// ForgetKeptHistory drops the record of a kept history (not the history
// itself, which lives in the metrics database).
func (db *DB) ForgetKeptHistory(ctx context.Context, id string) error {
	if _, err := db.db.ExecContext(ctx, `DELETE FROM kept_history WHERE id = ?`, id); err != nil {
		return fmt.Errorf("forget kept history: %w", err)
	}
	return nil
}
