-- Clusters the user added and the addresses Cecyber may reach them at.
-- No secret is stored here, ever: the token secret lives in the OS keychain
-- under the cluster's id. Times are Unix milliseconds (UTC).

CREATE TABLE clusters (
	id           TEXT PRIMARY KEY,
	name         TEXT NOT NULL UNIQUE COLLATE NOCASE,
	token_id     TEXT NOT NULL,
	cluster_name TEXT NOT NULL DEFAULT '',
	created_at   INTEGER NOT NULL,
	updated_at   INTEGER NOT NULL
);

-- Ordered failover list; position 0 is the address the user gave.
CREATE TABLE endpoints (
	cluster_id  TEXT NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
	url         TEXT NOT NULL,
	node        TEXT NOT NULL DEFAULT '',
	fingerprint TEXT NOT NULL,
	position    INTEGER NOT NULL,
	PRIMARY KEY (cluster_id, url)
);

CREATE UNIQUE INDEX endpoints_position ON endpoints (cluster_id, position);
