package metrics

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
	"sync"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Tier is one resolution of the history: buckets of Step kept for Keep.
// The raw tier's Step is nominal (the poll interval): it keeps every poll.
type Tier struct {
	Name string        // table name: "raw", "m5", "m15", "h1"
	Step time.Duration // bucket width
	Keep time.Duration // retention
}

// DefaultTiers are the tiers a new Store uses, finest first. The second
// tier has a 5-minute step: a chart of more than a day is drawn from it,
// and a week at 1,000 points is a 10-minute step anyway; 1-minute buckets
// for a week would cost five times the rows for detail no chart shows
// (the last day has the raw polls).
func DefaultTiers() []Tier {
	return []Tier{
		{Name: "raw", Step: 10 * time.Second, Keep: 24 * time.Hour},
		{Name: "m5", Step: 5 * time.Minute, Keep: 7 * 24 * time.Hour},
		{Name: "m15", Step: 15 * time.Minute, Keep: 90 * 24 * time.Hour},
		{Name: "h1", Step: time.Hour, Keep: 2 * 365 * 24 * time.Hour},
	}
}

// DefaultMaxBytes is the default cap on the database's size.
const DefaultMaxBytes = 2 << 30

// Store is an open metrics database. It is safe for concurrent use; Ingest
// and Backfill calls are serialized.
type Store struct {
	db   *sql.DB
	path string

	// Now returns the current time; tests replace it. Retention and
	// NeedsBackfill measure ages against it.
	Now func() time.Time

	// Tiers are the resolutions kept, finest first. Names and steps are
	// fixed by the schema; Keep may be changed before the first Ingest.
	Tiers []Tier

	// MaxBytes caps the database (pages in use); when it is exceeded the
	// oldest rows of every tier are dropped, a day at a time. 0 means no cap.
	MaxBytes int64

	// MaxRateGap is the longest interval over which Ingest computes a rate
	// from two counter readings; a longer one is a gap (no rate).
	MaxRateGap time.Duration

	// limits guards Tiers[i].Keep and MaxBytes against SetLimits for the
	// readers that do not hold mu (queries).
	limits sync.RWMutex

	// mu serializes writers and guards the in-memory state below.
	mu       sync.Mutex
	clusters map[string]*clusterState
	closed   bool
}

// Open opens the metrics database at path, creating its folder (0700) and
// file (0600) if needed, and applies any migrations not yet applied.
//
// If the file is not a SQLite database or fails SQLite's quick_check, Open
// returns a *CorruptError; Recover moves the damaged file aside so that the
// next Open starts a fresh database.
func Open(path string) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("open metrics: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open metrics: %w", err)
	}
	f.Close()

	sdb, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		return nil, fmt.Errorf("open metrics: %w", err)
	}
	s := &Store{
		db:         sdb,
		path:       path,
		Now:        time.Now,
		Tiers:      DefaultTiers(),
		MaxBytes:   DefaultMaxBytes,
		MaxRateGap: 5 * time.Minute,
		clusters:   map[string]*clusterState{},
	}
	if err := s.init(context.Background()); err != nil {
		sdb.Close()
		var ce *CorruptError
		if errors.As(err, &ce) {
			return nil, err
		}
		if isCorrupt(err) {
			return nil, &CorruptError{Path: path, Err: err}
		}
		return nil, fmt.Errorf("open metrics %s: %w", path, err)
	}
	return s, nil
}

// dsn builds a modernc.org/sqlite URI for path; the pragmas run on every
// pooled connection. auto_vacuum only takes effect on a new file (it must
// precede the first table): it lets Prune give freed pages back to the
// file system. _txlock=immediate makes writers wait for the lock at BEGIN.
func dsn(path string) string {
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // Windows: file:/C:/Users/...
	}
	q := url.Values{}
	q.Add("_pragma", "auto_vacuum(INCREMENTAL)")
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(ON)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	u := url.URL{Scheme: "file", OmitHost: true, Path: p, RawQuery: q.Encode()}
	return u.String()
}

func (s *Store) init(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return err
	}
	if err := s.quickCheck(ctx); err != nil {
		return err
	}
	return s.migrate(ctx)
}

func (s *Store) quickCheck(ctx context.Context) error {
	rows, err := s.db.QueryContext(ctx, "PRAGMA quick_check(5)")
	if err != nil {
		return err
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return err
		}
		if p != "ok" {
			problems = append(problems, p)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(problems) > 0 {
		return &CorruptError{Path: s.path, Err: fmt.Errorf("quick_check: %s", strings.Join(problems, "; "))}
	}
	return nil
}

// migrate applies, in name order, every embedded migration not yet recorded
// in the migrations table, each in its own transaction.
func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS migrations (
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
		if err := s.migrateFile(ctx, name); err != nil {
			return fmt.Errorf("migration %s: %w", name, err)
		}
	}
	return nil
}

func (s *Store) migrateFile(ctx context.Context, name string) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
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
		name, s.Now().UnixMilli()); err != nil {
		return err
	}
	return tx.Commit()
}

// Close writes the open rollup buckets and the last counters, then closes
// the database.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	err := s.flushAllLocked(context.Background())
	if cerr := s.db.Close(); err == nil {
		err = cerr
	}
	return err
}

// SetLimits changes how long each tier is kept (finest first; a zero
// keeps the tier's current retention) and the size cap (0: none), then
// applies them at once, dropping what they no longer allow.
func (s *Store) SetLimits(keep []time.Duration, maxBytes int64) error {
	if len(keep) != len(s.Tiers) {
		return fmt.Errorf("set limits: want %d retentions, got %d", len(s.Tiers), len(keep))
	}
	s.mu.Lock()
	s.limits.Lock()
	for i, k := range keep {
		if k > 0 {
			s.Tiers[i].Keep = k
		}
	}
	s.MaxBytes = maxBytes
	s.limits.Unlock()
	s.mu.Unlock()
	return s.Prune()
}

// Path returns the file the store was opened from.
func (s *Store) Path() string { return s.path }

// DB returns the underlying handle, for tests and tools (integrity checks,
// pragmas); write through Store's methods.
func (s *Store) DB() *sql.DB { return s.db }

// Size returns the bytes the database occupies on disk: the main file and
// its write-ahead log.
func (s *Store) Size() (int64, error) {
	var total int64
	for _, suffix := range []string{"", "-wal"} {
		fi, err := os.Stat(s.path + suffix)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && suffix != "" {
				continue
			}
			return 0, fmt.Errorf("metrics size: %w", err)
		}
		total += fi.Size()
	}
	return total, nil
}

// CorruptError reports a database file that SQLite cannot use: not a
// database at all, or damaged pages.
type CorruptError struct {
	Path string
	Err  error
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("the metric history %s is damaged (%v): move it aside to start a fresh history "+
		"(the damaged file is kept next to it as %s.corrupt-<date>)", e.Path, e.Err, filepath.Base(e.Path))
}

func (e *CorruptError) Unwrap() error { return e.Err }

func isCorrupt(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
		return true
	}
	return false
}

// isFull reports whether err is SQLite saying the disk (or max_page_count)
// is full.
func isFull(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	return se.Code()&0xff == sqlite3.SQLITE_FULL
}

// Recover moves a damaged database at path, with its -wal and -shm files,
// aside to path.corrupt-YYYYMMDD-HHMMSS and returns the new name of the main
// file. Nothing is deleted. The store must not be open.
func Recover(path string) (movedTo string, err error) {
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("recover metrics: %w", err)
	}
	base := path + ".corrupt-" + time.Now().Format("20060102-150405")
	movedTo = base
	for i := 2; exists(movedTo) || exists(movedTo+"-wal") || exists(movedTo+"-shm"); i++ {
		movedTo = fmt.Sprintf("%s-%d", base, i)
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Rename(path+suffix, movedTo+suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("recover metrics: %w", err)
		}
	}
	if err := os.Rename(path, movedTo); err != nil {
		return "", fmt.Errorf("recover metrics: %w", err)
	}
	return movedTo, nil
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}
