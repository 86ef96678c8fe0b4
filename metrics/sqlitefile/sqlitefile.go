// Package sqlitefile opens SQLite files the way Cecyber keeps them: private
// from the start, in WAL mode, checked, and migrated from embedded SQL. Both
// the settings database (app/store) and the metric history (metrics) use it;
// each keeps its own schema and its own words for a damaged file.
package sqlitefile

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/binary"
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

// Corrupt reports a file SQLite cannot use: not a database at all, or
// damaged pages. Err is what SQLite said.
type Corrupt struct{ Err error }

func (e *Corrupt) Error() string { return e.Err.Error() }
func (e *Corrupt) Unwrap() error { return e.Err }

// Open opens the database at path, creating its folder (0700) and file
// (0600) if needed, runs PRAGMA quick_check, and applies in name order every
// migrations/*.sql of migrations not yet applied, each in its own
// transaction, recording it with now(). pragmas run on every pooled
// connection before the standard ones (e.g. "auto_vacuum(INCREMENTAL)",
// which must precede the first table of a new file).
//
// A damaged file gives a *Corrupt error; MoveAside then sets it aside.
func Open(path string, migrations fs.FS, now func() time.Time, pragmas ...string) (*sql.DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	// Create the file ourselves so that it is private from the start: SQLite
	// would create it with 0644 minus umask, and creates -wal and -shm with
	// the main file's mode. An empty file is a valid, empty database.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	f.Close()
	if err := os.Chmod(path, 0o600); err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", dsn(path, pragmas))
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	err = db.PingContext(ctx)
	if err == nil {
		err = quickCheck(ctx, db)
	}
	if err == nil {
		err = migrate(ctx, db, migrations, now)
	}
	if err == nil {
		err = stampIdentity(ctx, db)
	}
	if err != nil {
		db.Close()
		if IsCorrupt(err) && !errors.As(err, new(*Corrupt)) {
			err = &Corrupt{Err: err}
		}
		return nil, err
	}
	return db, nil
}

// dsn builds a modernc.org/sqlite URI for path. _txlock=immediate makes
// write transactions take the write lock at BEGIN, so a busy database makes
// them wait (busy_timeout) instead of failing when they try to upgrade a
// read lock; read-only transactions (sql.TxOptions{ReadOnly: true}) still
// begin deferred.
func dsn(path string, pragmas []string) string {
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // Windows: file:/C:/Users/...
	}
	q := url.Values{}
	for _, pr := range pragmas {
		q.Add("_pragma", pr)
	}
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(ON)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	u := url.URL{Scheme: "file", OmitHost: true, Path: p, RawQuery: q.Encode()}
	return u.String()
}

// quickCheck runs PRAGMA quick_check, which is O(size of the file) but much
// cheaper than integrity_check (it does not verify index contents).
func quickCheck(ctx context.Context, db *sql.DB) error {
	rows, err := db.QueryContext(ctx, "PRAGMA quick_check(5)")
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
		return &Corrupt{Err: fmt.Errorf("quick_check: %s", strings.Join(problems, "; "))}
	}
	return nil
}

func migrate(ctx context.Context, db *sql.DB, migrations fs.FS, now func() time.Time) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS migrations (
		name       TEXT PRIMARY KEY,
		applied_at INTEGER NOT NULL
	)`); err != nil {
		return fmt.Errorf("create migrations table: %w", err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		if err := migrateFile(ctx, db, migrations, name, now); err != nil {
			return fmt.Errorf("migration %s: %w", name, err)
		}
	}
	return nil
}

func migrateFile(ctx context.Context, db *sql.DB, migrations fs.FS, name string, now func() time.Time) error {
	tx, err := db.BeginTx(ctx, nil)
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
	buf, err := fs.ReadFile(migrations, name)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, string(buf)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO migrations (name, applied_at) VALUES (?, ?)`,
		name, now().UnixMilli()); err != nil {
		return err
	}
	return tx.Commit()
}

// stampIdentity gives the file an identity of its own in the header's
// application_id, once: a -wal file's copy of page 1 then tells which
// database it was written for (see checkWAL).
func stampIdentity(ctx context.Context, db *sql.DB) error {
	var id int32
	if err := db.QueryRowContext(ctx, "PRAGMA application_id").Scan(&id); err != nil {
		return err
	}
	if id != 0 {
		return nil
	}
	var b [4]byte
	rand.Read(b[:])
	id = int32(binary.BigEndian.Uint32(b[:]) | 1)
	_, err := db.ExecContext(ctx, fmt.Sprintf("PRAGMA application_id = %d", id))
	return err
}

// IsCorrupt reports whether err is SQLite saying the file is not a
// database or is malformed.
func IsCorrupt(err error) bool {
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

// IsFull reports whether err is SQLite saying the disk (or its page
// limit) is full.
func IsFull(err error) bool { return primaryCode(err) == sqlite3.SQLITE_FULL }

// IsReadOnly reports whether err is SQLite saying it may not write the
// file.
func IsReadOnly(err error) bool { return primaryCode(err) == sqlite3.SQLITE_READONLY }

func primaryCode(err error) int {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return -1
	}
	return se.Code() & 0xff
}

// MoveAside moves a damaged database at path, with its -wal and -shm files,
// to path.corrupt-YYYYMMDD-HHMMSS (and -wal/-shm next to it, so the copy
// stays readable by SQLite tools), and returns the new name of the main
// file. Nothing is deleted. The database must not be open.
func MoveAside(path string) (movedTo string, err error) {
	if _, err := os.Stat(path); err != nil {
		return "", err
	}
	movedTo = uniqueName(path+".corrupt-"+stamp(), "-wal", "-shm")
	// Companion files first: if moving the main file failed after them, the
	// next Open would see the main file without its WAL, which SQLite
	// handles; the reverse could pair a fresh database with an old WAL.
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Rename(path+suffix, movedTo+suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
	}
	if err := os.Rename(path, movedTo); err != nil {
		return "", err
	}
	return movedTo, nil
}

// stamp is the time part of the names files are moved aside to.
func stamp() string { return time.Now().Format("20060102-150405") }

// uniqueName returns base, or base-2, base-3…: the first that names no
// file, with none of the given suffixes either.
func uniqueName(base string, suffixes ...string) string {
	name := base
	for i := 2; ; i++ {
		taken := exists(name)
		for _, s := range suffixes {
			taken = taken || exists(name+s)
		}
		if !taken {
			return name
		}
		name = fmt.Sprintf("%s-%d", base, i)
	}
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}
