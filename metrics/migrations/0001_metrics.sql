-- Metric history. Compact on purpose (see the package doc): integer target
-- IDs, unix-second timestamps, WITHOUT ROWID tables keyed (target, ts), and
-- values scaled to integers so SQLite stores most of them in 1–4 bytes:
--   cpu            fraction of maxcpu × 10000
--   mem*, maxmem   KiB
--   dr, dw, ni, no disk read/write and net in/out, bytes per second
-- NULL is a value that was not measured (a rate across a reset, memhost of a
-- container); a missing row is a gap.

CREATE TABLE targets (
	id      INTEGER PRIMARY KEY,
	cluster TEXT NOT NULL,
	target  TEXT NOT NULL, -- "node/pve1", "qemu/101", "lxc/105"
	UNIQUE (cluster, target)
);

-- Every poll, kept for the raw tier's retention.
CREATE TABLE raw (
	target  INTEGER NOT NULL REFERENCES targets (id) ON DELETE CASCADE,
	ts      INTEGER NOT NULL,
	cpu     INTEGER,
	mem     INTEGER,
	maxmem  INTEGER,
	memhost INTEGER,
	dr      INTEGER,
	dw      INTEGER,
	ni      INTEGER,
	no      INTEGER,
	PRIMARY KEY (target, ts)
) WITHOUT ROWID;

-- Rollup tiers share one layout: n samples folded into the bucket starting
-- at ts, the average and the maximum of each metric. src is 0 for our own
-- samples and 1 for rows backfilled from Proxmox's rrddata.
CREATE TABLE m1 (
	target INTEGER NOT NULL REFERENCES targets (id) ON DELETE CASCADE,
	ts INTEGER NOT NULL, n INTEGER NOT NULL, src INTEGER NOT NULL,
	cpu INTEGER, cpu_max INTEGER, mem INTEGER, mem_max INTEGER, maxmem INTEGER,
	memhost INTEGER, memhost_max INTEGER, dr INTEGER, dr_max INTEGER, dw INTEGER, dw_max INTEGER,
	ni INTEGER, ni_max INTEGER, no INTEGER, no_max INTEGER,
	PRIMARY KEY (target, ts)
) WITHOUT ROWID;

CREATE TABLE m15 (
	target INTEGER NOT NULL REFERENCES targets (id) ON DELETE CASCADE,
	ts INTEGER NOT NULL, n INTEGER NOT NULL, src INTEGER NOT NULL,
	cpu INTEGER, cpu_max INTEGER, mem INTEGER, mem_max INTEGER, maxmem INTEGER,
	memhost INTEGER, memhost_max INTEGER, dr INTEGER, dr_max INTEGER, dw INTEGER, dw_max INTEGER,
	ni INTEGER, ni_max INTEGER, no INTEGER, no_max INTEGER,
	PRIMARY KEY (target, ts)
) WITHOUT ROWID;

CREATE TABLE h1 (
	target INTEGER NOT NULL REFERENCES targets (id) ON DELETE CASCADE,
	ts INTEGER NOT NULL, n INTEGER NOT NULL, src INTEGER NOT NULL,
	cpu INTEGER, cpu_max INTEGER, mem INTEGER, mem_max INTEGER, maxmem INTEGER,
	memhost INTEGER, memhost_max INTEGER, dr INTEGER, dr_max INTEGER, dw INTEGER, dw_max INTEGER,
	ni INTEGER, ni_max INTEGER, no INTEGER, no_max INTEGER,
	PRIMARY KEY (target, ts)
) WITHOUT ROWID;

-- Last cumulative counters per target, so that rates survive a restart.
-- Written once a minute and on Close, not every poll.
CREATE TABLE counters (
	target INTEGER PRIMARY KEY REFERENCES targets (id) ON DELETE CASCADE,
	ts     INTEGER NOT NULL,
	uptime INTEGER NOT NULL,
	dr     INTEGER NOT NULL,
	dw     INTEGER NOT NULL,
	ni     INTEGER NOT NULL,
	no     INTEGER NOT NULL
) WITHOUT ROWID;

-- Per cluster and tier: every raw row with ts < folded is in that tier.
-- Raw rows at or after it are folded again after a crash.
CREATE TABLE watermarks (
	cluster TEXT NOT NULL,
	tier    TEXT NOT NULL,
	folded  INTEGER NOT NULL,
	PRIMARY KEY (cluster, tier)
) WITHOUT ROWID;
