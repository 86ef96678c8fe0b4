// Package store is Cecyber's local database: one SQLite file in the user's
// config directory holding the clusters the user added and, through later
// migrations, metric history and settings.
//
// Nothing secret is ever written here. A cluster's API token secret lives in
// the OS keychain (package secrets) under the cluster's ID; this database
// only knows the token ID, which Proxmox shows in its own UI.
package store

import (
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"cecyber/metrics/sqlitefile"
)

// Errors returned by DB methods; test for them with errors.Is.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("already exists")
	ErrInvalid  = errors.New("invalid")
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// DB is an open Cecyber database. It is safe for concurrent use.
type DB struct {
	db   *sql.DB
	path string

	// Now returns the current time; tests replace it. It is read once per
	// transaction so every row a transaction writes carries the same time.
	Now func() time.Time
}

// DefaultPath returns where the database lives for this user:
// <os.UserConfigDir()>/Cecyber/cecyber.db.
func DefaultPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("locate config directory: %w", err)
	}
	return filepath.Join(dir, "Cecyber", "cecyber.db"), nil
}

// Open opens the database at path, creating its folder (0700) and file
// (0600) if needed, and applies any migrations not yet applied.
//
// If the file is not a SQLite database or fails SQLite's quick_check, Open
// returns a *CorruptError; Recover moves the damaged file aside so that the
// next Open starts a fresh database.
func Open(path string) (*DB, error) {
	db := &DB{path: path, Now: time.Now}
	sdb, err := sqlitefile.Open(path, migrationFS, func() time.Time { return db.Now() })
	if err != nil {
		var c *sqlitefile.Corrupt
		if errors.As(err, &c) {
			return nil, &CorruptError{Path: path, Err: c.Err}
		}
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	db.db = sdb
	return db, nil
}

// OpenRepairing is Open for the one process that owns the file, at
// start-up: a -wal file that belongs to another database is set aside
// instead of applied, and a damaged database is kept next to a fresh one
// into which every row that can still be read is salvaged. The report says
// what was repaired; its zero value, nothing.
func OpenRepairing(path string) (*DB, sqlitefile.Report, error) {
	db := &DB{path: path, Now: time.Now}
	sdb, rep, err := sqlitefile.OpenRepairing(path, migrationFS, func() time.Time { return db.Now() })
	if err != nil {
		return nil, rep, fmt.Errorf("open store %s: %w", path, err)
	}
	db.db = sdb
	return db, rep, nil
}

// Close closes the database. The last connection to close checkpoints the
// WAL into the main file.
func (db *DB) Close() error {
	return db.db.Close()
}

// Path returns the file the database was opened from.
func (db *DB) Path() string { return db.path }

// SQL returns the underlying handle for packages that keep their own tables
// in this file (their schema arrives as migrations here).
func (db *DB) SQL() *sql.DB { return db.db }

// CorruptError reports a database file that SQLite cannot use: not a
// database at all, or damaged pages.
type CorruptError struct {
	Path string
	Err  error
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("the Cecyber database %s is damaged (%v): "+
		"move it aside to start with a fresh one (the damaged file is kept next to it as %s.corrupt-<date>; "+
		"clusters will need to be added again, their secrets stay in the OS keychain), "+
		"or quit Cecyber and restore the file from a backup", e.Path, e.Err, filepath.Base(e.Path))
}

func (e *CorruptError) Unwrap() error { return e.Err }

// Recover moves a damaged database at path, with its -wal and -shm files,
// aside to path.corrupt-YYYYMMDD-HHMMSS (and -wal/-shm next to it, so the
// copy stays readable by SQLite tools), and returns the new name of the main
// file. Nothing is deleted. The database must not be open. After Recover,
// Open creates a fresh database at path.
func Recover(path string) (movedTo string, err error) {
	movedTo, err = sqlitefile.MoveAside(path)
	if err != nil {
		return "", fmt.Errorf("recover store: %w", err)
	}
	return movedTo, nil
}
