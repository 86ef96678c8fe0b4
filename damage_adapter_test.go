package main

import (
	"log/slog"

	"cecyber/app"
	"cecyber/app/store"
	"cecyber/metrics"
)

// The start-up path TestDamagedFiles drives: what run calls to open the
// two databases in the config folder dir.
func openStoreAt(dir string, log *slog.Logger) (*store.DB, []app.ErrorInfo, error) {
	return openStore(dir, log)
}

func openMetricsAt(dir string, log *slog.Logger) (*metrics.Store, []app.ErrorInfo, error) {
	return openMetrics(dir, log)
}
