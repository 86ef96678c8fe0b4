// Package store is Cecyber's local database: one SQLite file in the user's
// config directory holding the clusters the user added and, through later
// migrations, metric history and settings.
//
// Nothing secret is ever written here. A cluster's API token secret lives in
// the OS keychain (package secrets) under the cluster's ID; this database
// only knows the token ID, which Proxmox shows in its own UI.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
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
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	// Create the file ourselves so that it is private from the start: SQLite
	// would create it with 0644 minus umask, and creates -wal and -shm with
	// the main file's mode. An empty file is a valid, empty database.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	f.Close()
	if err := os.Chmod(path, 0o600); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}

	sdb, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	db := &DB{db: sdb, path: path, Now: time.Now}
	if err := db.init(context.Background()); err != nil {
		sdb.Close()
		if isCorrupt(err) {
			return nil, &CorruptError{Path: path, Err: err}
		}
		var ce *CorruptError
		if errors.As(err, &ce) {
			return nil, err
		}
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	return db, nil
}

// dsn builds a modernc.org/sqlite URI for path. The pragmas run on every new
// pooled connection. _txlock=immediate makes write transactions take the
// write lock at BEGIN, so a busy database makes them wait (busy_timeout)
// instead of failing when they try to upgrade a read lock; read-only
// transactions (sql.TxOptions{ReadOnly: true}) still begin deferred.
func dsn(path string) string {
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // Windows: file:/C:/Users/...
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(ON)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	u := url.URL{Scheme: "file", OmitHost: true, Path: p, RawQuery: q.Encode()}
	return u.String()
}

func (db *DB) init(ctx context.Context) error {
	if err := db.db.PingContext(ctx); err != nil {
		return err
	}
	if err := db.quickCheck(ctx); err != nil {
		return err
	}
	if err := db.migrate(ctx); err != nil {
		return err
	}
	return nil
}

// quickCheck runs PRAGMA quick_check, which is O(size of the file) but much
// cheaper than integrity_check (it does not verify index contents).
func (db *DB) quickCheck(ctx context.Context) error {
	rows, err := db.db.QueryContext(ctx, "PRAGMA quick_check(5)")
	if err != nil {
		return err
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return err
		}
		if s != "ok" {
			problems = append(problems, s)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(problems) > 0 {
		return &CorruptError{Path: db.path, Err: fmt.Errorf("quick_check: %s", strings.Join(problems, "; "))}
	}
	return nil
}

// migrate applies, in name order, every embedded migration not yet recorded
// in the migrations table, each in its own transaction.
func (db *DB) migrate(ctx context.Context) error {
	if _, err := db.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS migrations (
		name       TEXT PRIMARY KEY,
		applied_at INTEGER NOT NULL
	)`); err != nil {
		return fmt.Errorf("create migrations table: %w", err)
	}
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		if err := db.migrateFile(ctx, name); err != nil {
			return fmt.Errorf("migration %s: %w", name, err)
		}
	}
	return nil
}

func (db *DB) migrateFile(ctx context.Context, name string) error {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	// Checked inside the (immediate) transaction, so two processes opening
	// the same file at once cannot both apply a migration.
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM migrations WHERE name = ?`, name).Scan(&n); err != nil {
		return err
	}
	if n != 0 {
		return nil
	}
	buf, err := fs.ReadFile(migrationFS, name)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, string(buf)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO migrations (name, applied_at) VALUES (?, ?)`,
		name, db.Now().UnixMilli()); err != nil {
		return err
	}
	return tx.Commit()
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

// isCorrupt reports whether err is SQLite saying the file is not a database
// or is malformed.
func isCorrupt(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code() & 0xff { // primary result code; extended codes add high bits
	case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
		return true
	}
	return false
}

// Recover moves a damaged database at path, with its -wal and -shm files,
// aside to path.corrupt-YYYYMMDD-HHMMSS (and -wal/-shm next to it, so the
// copy stays readable by SQLite tools), and returns the new name of the main
// file. Nothing is deleted. The database must not be open. After Recover,
// Open creates a fresh database at path.
func Recover(path string) (movedTo string, err error) {
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("recover store: %w", err)
	}
	base := path + ".corrupt-" + time.Now().Format("20060102-150405")
	movedTo = base
	for i := 2; exists(movedTo) || exists(movedTo+"-wal") || exists(movedTo+"-shm"); i++ {
		movedTo = fmt.Sprintf("%s-%d", base, i)
	}
	// Companion files first: if moving the main file failed after them, the
	// next Open would see the main file without its WAL, which SQLite
	// handles; the reverse could pair a fresh database with an old WAL.
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Rename(path+suffix, movedTo+suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("recover store: %w", err)
		}
	}
	if err := os.Rename(path, movedTo); err != nil {
		return "", fmt.Errorf("recover store: %w", err)
	}
	return movedTo, nil
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}
