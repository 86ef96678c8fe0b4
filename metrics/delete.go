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
