package metrics

import (
	"context"
	"fmt"
)

// DeleteCluster drops every sample, rollup and counter of a cluster, for
// when the user removes it without keeping its history.
func (s *Store) DeleteCluster(ctx context.Context, clusterID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("delete history: %w", err)
	}
	defer tx.Rollback()
	// The tiers and counters go with their targets (ON DELETE CASCADE).
	if _, err := tx.ExecContext(ctx, `DELETE FROM targets WHERE cluster = ?`, clusterID); err != nil {
		return fmt.Errorf("delete history: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM watermarks WHERE cluster = ?`, clusterID); err != nil {
		return fmt.Errorf("delete history: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("delete history: %w", err)
	}
	delete(s.clusters, clusterID)
	return nil
}

// Targets lists the targets ("node/pve1", "qemu/101", …) that have history
// under a cluster ID, in order: what is left of a removed cluster whose
// history was kept.
func (s *Store) Targets(ctx context.Context, clusterID string) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT target FROM targets WHERE cluster = ? ORDER BY target`, clusterID)
	if err != nil {
		return nil, fmt.Errorf("list targets: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, fmt.Errorf("list targets: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list targets: %w", err)
	}
	return out, nil
}
