// Package metrics is Cecyber's live view and metric history: the Poller
// that reads each cluster, a SQLite store of CPU, memory, disk and network
// samples per node and guest, the tiers that keep it small, the backfill
// from Proxmox's rrddata, the queries the charts draw from, and (in
// metrics/alerts) the alert rules.
//
// # Polling
//
// A Poller owns one goroutine per cluster. Every poll of that cluster,
// scheduled or asked for, runs there: it reads /cluster/resources through
// proxmox, ingests it (computing the I/O rates, once), evaluates the alert
// rules, and hands the result to its OnPoll. Stop cancels and waits for
// the goroutine, so once it returns nothing more is written for the
// cluster: removing a cluster stops its poller before deleting its rows.
//
// # Tiers
//
// Every poll is kept for a day in the raw tier; rollup tiers keep the
// average and the maximum of each metric per bucket: five minutes for a
// week, fifteen minutes for 90 days, one hour for two years (DefaultTiers).
// Five minutes, not one: a week drawn at 1,000 points is a 10-minute step
// anyway, and the last day has every poll.
// Rollups are incremental: each poll updates an open bucket per target and
// tier in memory; a bucket is written once, when a poll arrives in a later
// bucket (or on Close). A row stores how many samples it holds, so a late
// sample, a clock that jumps back or a crash recovery merges into an
// existing row instead of replacing it. After a crash (kill -9) the open
// buckets are rebuilt from the raw rows not yet folded (the watermarks
// table says which), so at most the poll in flight is lost.
//
// # Rates
//
// /cluster/resources reports disk and network I/O as cumulative byte
// counters since the guest started. Ingest turns them into bytes per second
// with Rates: a counter or uptime that drops is a reset and gives no rate
// for that sample, and so does a gap longer than MaxRateGap. A failed poll
// is simply not ingested: gaps stay gaps, never interpolated.
//
// # Storage
//
// Values are scaled integers that SQLite stores in 0–2 bytes: cpu ×10000,
// memory in MiB, rates in B/s as sig3 codes (three significant digits,
// exact below 1,000 B/s). Rollup rows store a maximum as its difference to
// the average code (0 bytes for a flat metric) and pack src into the sign
// of n; <metric>_max, n and src are virtual columns. Targets are integer
// IDs and tables are WITHOUT ROWID keyed (target, ts): about 37 bytes a
// raw row and 50 a rollup row; metricsbench measures about 1.3 MB per
// guest-year at the default tiers. Retention is per tier, and MaxBytes
// caps the whole file by dropping the oldest rows first.
package metrics
