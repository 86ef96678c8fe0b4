-- Clusters removed with "keep history": their metric history stays under
-- id, and adding the same cluster again (the same Proxmox cluster name and
-- a node name in common, from /cluster/status) offers to take it back,
-- which gives the new cluster this id. nodes is a JSON array of node names.
-- Times are Unix milliseconds (UTC).

CREATE TABLE kept_history (
	id           TEXT PRIMARY KEY,
	name         TEXT NOT NULL,
	cluster_name TEXT NOT NULL DEFAULT '',
	nodes        TEXT NOT NULL DEFAULT '[]',
	removed_at   INTEGER NOT NULL
);
