package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"cecyber/metrics/alerts"
)

// Setting reads the JSON value of a setting into v. It reports false, and
// leaves v alone, when the setting was never saved.
func (db *DB) Setting(ctx context.Context, key string, v any) (bool, error) {
	var raw string
	err := db.db.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read setting %s: %w", key, err)
	}
	if err := json.Unmarshal([]byte(raw), v); err != nil {
		return false, fmt.Errorf("read setting %s: %w", key, err)
	}
	return true, nil
}

// SetSetting saves v, as JSON, under key.
func (db *DB) SetSetting(ctx context.Context, key string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("save setting %s: %w", key, err)
	}
	if _, err := db.db.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, string(raw)); err != nil {
		return fmt.Errorf("save setting %s: %w", key, err)
	}
	return nil
}

// AlertRules returns the saved rules in order, and false when none were
// ever saved (a new installation, which starts with the defaults). A saved
// list is never empty: the built-in rules cannot be deleted.
func (db *DB) AlertRules(ctx context.Context) ([]alerts.Rule, bool, error) {
	rows, err := db.db.QueryContext(ctx, `
		SELECT id, name, builtin, metric, scope, cluster_id, node, guest, tag,
		       trigger_at, clear_at, for_ms, enabled, notify
		FROM alert_rules ORDER BY position`)
	if err != nil {
		return nil, false, fmt.Errorf("read alert rules: %w", err)
	}
	defer rows.Close()
	var out []alerts.Rule
	for rows.Next() {
		var r alerts.Rule
		var forMS int64
		if err := rows.Scan(&r.ID, &r.Name, &r.Builtin, &r.Metric, &r.Scope, &r.Cluster, &r.Node, &r.Guest, &r.Tag,
			&r.Trigger, &r.Clear, &forMS, &r.Enabled, &r.Notify); err != nil {
			return nil, false, fmt.Errorf("read alert rules: %w", err)
		}
		r.For = time.Duration(forMS) * time.Millisecond
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("read alert rules: %w", err)
	}
	return out, len(out) > 0, nil
}

// SetAlertRules replaces every rule, in order.
func (db *DB) SetAlertRules(ctx context.Context, rules []alerts.Rule) error {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("save alert rules: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM alert_rules`); err != nil {
		return fmt.Errorf("save alert rules: %w", err)
	}
	for i, r := range rules {
		if _, err := tx.ExecContext(ctx, `INSERT INTO alert_rules
			(id, position, name, builtin, metric, scope, cluster_id, node, guest, tag, trigger_at, clear_at, for_ms, enabled, notify)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.ID, i, r.Name, r.Builtin, r.Metric, r.Scope, r.Cluster, r.Node, r.Guest, r.Tag,
			r.Trigger, r.Clear, r.For.Milliseconds(), r.Enabled, r.Notify); err != nil {
			return fmt.Errorf("save alert rules: %w", err)
		}
	}
	return tx.Commit()
}

// SaveAlerts writes alerts (new or changed) in one transaction, and drops
// resolved alerts beyond the newest keepResolved.
func (db *DB) SaveAlerts(ctx context.Context, as []alerts.Alert, keepResolved int) error {
	if len(as) == 0 {
		return nil
	}
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("save alerts: %w", err)
	}
	defer tx.Rollback()
	for _, a := range as {
		if _, err := tx.ExecContext(ctx, `INSERT INTO alerts
			(id, rule_id, metric, cluster_id, target, target_name, node, state, value, trigger_at,
			 pending_at, firing_at, resolved_at, acked_at, snoozed_until)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET target_name = excluded.target_name, node = excluded.node,
				state = excluded.state, value = excluded.value, firing_at = excluded.firing_at,
				resolved_at = excluded.resolved_at, acked_at = excluded.acked_at,
				snoozed_until = excluded.snoozed_until`,
			a.ID, a.RuleID, a.Metric, a.Cluster, a.Target, a.TargetName, a.Node, string(a.State), a.Value, a.Trigger,
			ms(a.PendingAt), ms(a.FiringAt), ms(a.ResolvedAt), ms(a.AckedAt), ms(a.SnoozedUntil)); err != nil {
			return fmt.Errorf("save alerts: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM alerts WHERE state = 'resolved' AND id NOT IN
		(SELECT id FROM alerts WHERE state = 'resolved' ORDER BY resolved_at DESC LIMIT ?)`, keepResolved); err != nil {
		return fmt.Errorf("save alerts: %w", err)
	}
	return tx.Commit()
}

// OpenAlerts returns the alerts that were firing when the app stopped.
func (db *DB) OpenAlerts(ctx context.Context) ([]alerts.Alert, error) {
	return db.queryAlerts(ctx, `WHERE state <> 'resolved' ORDER BY pending_at`)
}

// ResolvedAlerts returns the newest resolved alerts, newest first.
func (db *DB) ResolvedAlerts(ctx context.Context, limit int) ([]alerts.Alert, error) {
	return db.queryAlerts(ctx, `WHERE state = 'resolved' ORDER BY resolved_at DESC LIMIT ?`, limit)
}

// DeleteClusterAlerts forgets the alerts of a removed cluster.
func (db *DB) DeleteClusterAlerts(ctx context.Context, clusterID string) error {
	if _, err := db.db.ExecContext(ctx, `DELETE FROM alerts WHERE cluster_id = ?`, clusterID); err != nil {
		return fmt.Errorf("delete alerts: %w", err)
	}
	return nil
}

func (db *DB) queryAlerts(ctx context.Context, where string, args ...any) ([]alerts.Alert, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT id, rule_id, metric, cluster_id, target, target_name, node, state,
		value, trigger_at, pending_at, firing_at, resolved_at, acked_at, snoozed_until FROM alerts `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("read alerts: %w", err)
	}
	defer rows.Close()
	out := []alerts.Alert{}
	for rows.Next() {
		var a alerts.Alert
		var state string
		var pending, firing, resolved, acked, snoozed int64
		if err := rows.Scan(&a.ID, &a.RuleID, &a.Metric, &a.Cluster, &a.Target, &a.TargetName, &a.Node, &state,
			&a.Value, &a.Trigger, &pending, &firing, &resolved, &acked, &snoozed); err != nil {
			return nil, fmt.Errorf("read alerts: %w", err)
		}
		a.State = alerts.State(state)
		a.PendingAt, a.FiringAt, a.ResolvedAt = fromMS(pending), fromMS(firing), fromMS(resolved)
		a.AckedAt, a.SnoozedUntil = fromMS(acked), fromMS(snoozed)
		out = append(out, a)
	}
	return out, rows.Err()
}

func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}
