// Package metrics is Cecyber's metric history: a SQLite store of CPU,
// memory, disk and network samples per node and guest, the tiers that keep
// it small, the backfill from Proxmox's rrddata and the queries the charts
// draw from.
//
// # Tiers
//
// Every poll is kept for a day in the raw tier; rollup tiers keep the
// average and the maximum of each metric per bucket: one minute for a
// week, fifteen minutes for 90 days, one hour for two years (DefaultTiers).
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
// Values are scaled integers (cpu ×10000, memory in KiB, rates in B/s),
// targets are integer IDs and tables are WITHOUT ROWID keyed (target, ts),
// about 44 bytes a raw row and 75 a rollup row; metricsbench measures
// 2.4 MB per guest-year at the default tiers (the 1.5 MB target is not met
// yet). Retention is per tier, and MaxBytes
// caps the whole file by dropping the oldest rows first.
package metrics
