package metrics

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// pruneSome applies retention to the targets whose turn it is this poll
// (each target every pruneSpread polls), so the deletes stay small and even
// instead of one large batch. Ranges are deleted per target, along the
// (target, ts) key.
func (s *Store) pruneSome(ctx context.Context, tx *sql.Tx, cs *clusterState, batch []staged) error {
	now := s.Now().Unix()
	var stmts []*sql.Stmt
	for _, tier := range s.Tiers {
		st, err := tx.PrepareContext(ctx, fmt.Sprintf(`DELETE FROM %s WHERE target = ? AND ts < ?`, tier.Name))
		if err != nil {
			return err
		}
		defer st.Close()
		stmts = append(stmts, st)
	}
	for _, id := range cs.ids {
		if (id+cs.seq)%pruneSpread != 0 {
			continue
		}
		for i, tier := range s.Tiers {
			if _, err := stmts[i].ExecContext(ctx, id, now-int64(tier.Keep/time.Second)); err != nil {
				return fmt.Errorf("retention %s: %w", tier.Name, err)
			}
		}
	}
	return nil
}

// Prune applies every tier's retention to every target now, and then the
// size cap. Ingest does the same a few targets at a time; Prune is for
// settings changes and tests.
func (s *Store) Prune(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("prune: %w", err)
	}
	defer tx.Rollback()
	now := s.Now().Unix()
	for _, tier := range s.Tiers {
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`DELETE FROM %s WHERE target IN (SELECT id FROM targets) AND ts < ?`, tier.Name),
			now-int64(tier.Keep/time.Second)); err != nil {
			return fmt.Errorf("prune %s: %w", tier.Name, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("prune: %w", err)
	}
	if err := s.enforceCapLocked(ctx); err != nil {
		return fmt.Errorf("prune: %w", err)
	}
	return nil
}

// usedBytes is the size of the pages holding data (the file minus its
// free pages, which SQLite reuses before growing the file).
func (s *Store) usedBytes(ctx context.Context) (int64, error) {
	var pages, free, size int64
	if err := s.db.QueryRowContext(ctx, `SELECT * FROM pragma_page_count, pragma_freelist_count, pragma_page_size`).
		Scan(&pages, &free, &size); err != nil {
		return 0, err
	}
	return (pages - free) * size, nil
}

// enforceCapLocked drops the oldest rows of all tiers, a slice of the
// history at a time, until the data fits MaxBytes, then gives the freed
// pages back to the file system.
func (s *Store) enforceCapLocked(ctx context.Context) error {
	if s.MaxBytes <= 0 {
		return nil
	}
	used, err := s.usedBytes(ctx)
	if err != nil || used <= s.MaxBytes {
		return err
	}
	now := s.Now().Unix()
	for round := 0; round < 32 && used > s.MaxBytes; round++ {
		oldest := int64(-1)
		for _, tier := range s.Tiers {
			var m sql.NullInt64
			// One key seek per target instead of a scan of the table.
			q := fmt.Sprintf(`SELECT min(m) FROM (SELECT (SELECT min(ts) FROM %s WHERE target = t.id) AS m FROM targets t)`, tier.Name)
			if err := s.db.QueryRowContext(ctx, q).Scan(&m); err != nil {
				return err
			}
			if m.Valid && (oldest < 0 || m.Int64 < oldest) {
				oldest = m.Int64
			}
		}
		if oldest < 0 {
			break
		}
		cutoff := oldest + max((now-oldest)/16, 60)
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		for _, tier := range s.Tiers {
			if _, err := tx.ExecContext(ctx, fmt.Sprintf(`DELETE FROM %s WHERE target IN (SELECT id FROM targets) AND ts < ?`, tier.Name), cutoff); err != nil {
				tx.Rollback()
				return err
			}
		}
		if err := tx.Commit(); err != nil {
			return err
		}
		if used, err = s.usedBytes(ctx); err != nil {
			return err
		}
	}
	_, err = s.db.ExecContext(ctx, `PRAGMA incremental_vacuum`)
	return err
}
