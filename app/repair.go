package app

import (
	"log/slog"

	"cecyber/metrics/sqlitefile"
)

// RepairNotices turns what opening a database had to repair into the
// notices the window shows at start (Options.Notices), and logs it. file is
// "database" (cecyber.db) or "history" (metrics.db).
//
// Codes: "walRefused" (Params file, movedTo, reason: a -wal file of another
// database was set aside, not applied); "salvaged" (Params file, movedTo,
// saved and lost: the damaged file was kept as movedTo and what could be
// read copied into a new one; saved is "table=rows,…", lost is
// "table=rows/pages,…" for the tables that lost something); "salvageNone"
// (Params file, movedTo: not even the list of tables could be read).
// SQLite's own words go to the log only.
func RepairNotices(file string, rep sqlitefile.Report, log *slog.Logger) []ErrorInfo {
	var out []ErrorInfo
	if rep.WALRefused != "" {
		log.Warn("a write-ahead log that belongs to another database was set aside, not applied",
			"file", rep.Path, "reason", rep.WALRefused, "moved_to", rep.WALMovedTo)
		out = append(out, ErrorInfo{Code: "walRefused",
			Message: "A write-ahead log file did not belong to this database; it was set aside, not applied.",
			Params:  map[string]string{"file": file, "movedTo": rep.WALMovedTo, "reason": rep.WALRefused}})
	}
	if rep.Damage == nil {
		return out
	}
	if rep.SchemaLost {
		log.Error("damaged database: nothing could be salvaged; a new one was started",
			"file", rep.Path, "moved_to", rep.MovedTo, "err", rep.Damage)
		return append(out, ErrorInfo{Code: "salvageNone",
			Message: "The file was damaged beyond salvage; it was kept aside and a new one started.",
			Params:  map[string]string{"file": file, "movedTo": rep.MovedTo}})
	}
	saved, lost := rep.Summary()
	log.Warn("damaged database: what could be read was salvaged into a new one",
		"file", rep.Path, "moved_to", rep.MovedTo, "saved", saved, "lost_rows_pages", lost, "err", rep.Damage)
	return append(out, ErrorInfo{Code: "salvaged",
		Message: "The file was damaged; what could be read was saved into a new one.",
		Params:  map[string]string{"file": file, "movedTo": rep.MovedTo, "saved": saved, "lost": lost}})
}
