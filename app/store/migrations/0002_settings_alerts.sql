-- Settings, alert rules and the alerts they raised. Times are Unix
-- milliseconds (UTC); 0 means "not yet".

-- One row per setting; value is JSON.
CREATE TABLE settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);

-- Rules in the order the user sees them. builtin names a shipped default
-- ('cpu', 'mem', 'node-offline', 'unexpected-stop'), which can be changed and
-- disabled but not deleted.
CREATE TABLE alert_rules (
	id          TEXT PRIMARY KEY,
	position    INTEGER NOT NULL,
	name        TEXT NOT NULL DEFAULT '',
	builtin     TEXT NOT NULL DEFAULT '',
	metric      TEXT NOT NULL,
	scope       TEXT NOT NULL,
	cluster_id  TEXT NOT NULL DEFAULT '',
	node        TEXT NOT NULL DEFAULT '',
	guest       TEXT NOT NULL DEFAULT '',
	tag         TEXT NOT NULL DEFAULT '',
	trigger_at  REAL NOT NULL DEFAULT 0,
	clear_at    REAL NOT NULL DEFAULT 0,
	for_ms      INTEGER NOT NULL DEFAULT 0,
	enabled     INTEGER NOT NULL DEFAULT 1,
	notify      INTEGER NOT NULL DEFAULT 1
);

-- Alerts that fired: open ones (state 'firing') and their history
-- ('resolved'). Pending alerts live in memory only. The rule's and the
-- target's names are copied so history stays readable after either is gone.
CREATE TABLE alerts (
	id            TEXT PRIMARY KEY,
	rule_id       TEXT NOT NULL,
	metric        TEXT NOT NULL,
	cluster_id    TEXT NOT NULL,
	target        TEXT NOT NULL,
	target_name   TEXT NOT NULL DEFAULT '',
	node          TEXT NOT NULL DEFAULT '',
	state         TEXT NOT NULL,
	value         REAL NOT NULL DEFAULT 0,
	trigger_at    REAL NOT NULL DEFAULT 0,
	pending_at    INTEGER NOT NULL,
	firing_at     INTEGER NOT NULL DEFAULT 0,
	resolved_at   INTEGER NOT NULL DEFAULT 0,
	acked_at      INTEGER NOT NULL DEFAULT 0,
	snoozed_until INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX alerts_open ON alerts (state) WHERE state <> 'resolved';
CREATE INDEX alerts_resolved ON alerts (resolved_at) WHERE state = 'resolved';
