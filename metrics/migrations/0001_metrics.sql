-- Metric history. Compact on purpose (see the package doc): integer target
-- IDs, unix-second timestamps, WITHOUT ROWID tables keyed (target, ts), and
-- values scaled to integers so SQLite stores most of them in 1–2 bytes:
--   cpu            fraction of maxcpu × 10000
--   mem*, maxmem   MiB
--   dr, dw, ni, no disk read/write and net in/out, bytes per second, as
--                  sig3 codes: the value itself below 1,000, else three
--                  significant digits m×10^e coded 1000 + (e-1)×900 + m-100
--                  (see sig3 in sample.go); codes order as the values do
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
-- at ts, the average of each metric and its maximum. Every stored column
-- costs a header byte per row, so two facts share one: ns is n for our own
-- samples and -n for rows backfilled from Proxmox's rrddata (src = 1).
-- A maximum is stored as its (non-negative) difference <metric>_d to the
-- average code, 0 to 2 bytes where the value would take 2 to 3; n, src and
-- <metric>_max are virtual columns, read like stored ones.
CREATE TABLE m5 (
	target INTEGER NOT NULL REFERENCES targets (id) ON DELETE CASCADE,
	ts INTEGER NOT NULL, ns INTEGER NOT NULL,
	cpu INTEGER, cpu_d INTEGER, mem INTEGER, mem_d INTEGER, maxmem INTEGER,
	memhost INTEGER, memhost_d INTEGER, dr INTEGER, dr_d INTEGER, dw INTEGER, dw_d INTEGER,
	ni INTEGER, ni_d INTEGER, no INTEGER, no_d INTEGER,
	n INTEGER AS (abs(ns)), src INTEGER AS (ns < 0),
	cpu_max INTEGER AS (cpu + cpu_d), mem_max INTEGER AS (mem + mem_d),
	memhost_max INTEGER AS (memhost + memhost_d), dr_max INTEGER AS (dr + dr_d),
	dw_max INTEGER AS (dw + dw_d), ni_max INTEGER AS (ni + ni_d), no_max INTEGER AS (no + no_d),
	PRIMARY KEY (target, ts)
) WITHOUT ROWID;

CREATE TABLE m15 (
	target INTEGER NOT NULL REFERENCES targets (id) ON DELETE CASCADE,
	ts INTEGER NOT NULL, ns INTEGER NOT NULL,
	cpu INTEGER, cpu_d INTEGER, mem INTEGER, mem_d INTEGER, maxmem INTEGER,
	memhost INTEGER, memhost_d INTEGER, dr INTEGER, dr_d INTEGER, dw INTEGER, dw_d INTEGER,
	ni INTEGER, ni_d INTEGER, no INTEGER, no_d INTEGER,
	n INTEGER AS (abs(ns)), src INTEGER AS (ns < 0),
	cpu_max INTEGER AS (cpu + cpu_d), mem_max INTEGER AS (mem + mem_d),
	memhost_max INTEGER AS (memhost + memhost_d), dr_max INTEGER AS (dr + dr_d),
	dw_max INTEGER AS (dw + dw_d), ni_max INTEGER AS (ni + ni_d), no_max INTEGER AS (no + no_d),
	PRIMARY KEY (target, ts)
) WITHOUT ROWID;

CREATE TABLE h1 (
	target INTEGER NOT NULL REFERENCES targets (id) ON DELETE CASCADE,
	ts INTEGER NOT NULL, ns INTEGER NOT NULL,
	cpu INTEGER, cpu_d INTEGER, mem INTEGER, mem_d INTEGER, maxmem INTEGER,
	memhost INTEGER, memhost_d INTEGER, dr INTEGER, dr_d INTEGER, dw INTEGER, dw_d INTEGER,
	ni INTEGER, ni_d INTEGER, no INTEGER, no_d INTEGER,
	n INTEGER AS (abs(ns)), src INTEGER AS (ns < 0),
	cpu_max INTEGER AS (cpu + cpu_d), mem_max INTEGER AS (mem + mem_d),
	memhost_max INTEGER AS (memhost + memhost_d), dr_max INTEGER AS (dr + dr_d),
	dw_max INTEGER AS (dw + dw_d), ni_max INTEGER AS (ni + ni_d), no_max INTEGER AS (no + no_d),
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
