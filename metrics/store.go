package metrics

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"cecyber/metrics/sqlitefile"
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

	// catchUps counts the goroutines folding what a crash left unfolded
	// (catchup.go).
	catchUps sync.WaitGroup

	// mu serializes writers and guards the in-memory state below.
	mu       sync.Mutex
	clusters map[string]*clusterState
	pending  []*catchUpWork // folds a crash left, oldest first (catchup.go)
	closed   bool
}

// Open opens the metrics database at path, creating its folder (0700) and
// file (0600) if needed, and applies any migrations not yet applied.
//
// If the file is not a SQLite database or fails SQLite's quick_check, Open
// returns a *CorruptError; Recover moves the damaged file aside so that the
// next Open starts a fresh database.
func Open(path string) (*Store, error) {
	s := newStore(path)
	sdb, err := sqlitefile.Open(path, migrationFS, func() time.Time { return s.Now() }, storePragmas...)
	if err != nil {
		var c *sqlitefile.Corrupt
		if errors.As(err, &c) {
			return nil, &CorruptError{Path: path, Err: c.Err}
		}
		return nil, fmt.Errorf("open metrics %s: %w", path, err)
	}
	s.db = sdb
	return s, nil
}

// storePragmas run on every connection. auto_vacuum only takes effect on a
// new file (it must precede the first table): it lets Prune give freed
// pages back to the file system.
var storePragmas = []string{"auto_vacuum(INCREMENTAL)"}

// OpenRepairing is Open for the one process that owns the file, at
// start-up: a -wal file that belongs to another database is set aside
// instead of applied, and a damaged file is kept next to a fresh one into
// which every row that can still be read is salvaged. The report says what
// was repaired; its zero value, nothing.
func OpenRepairing(path string) (*Store, sqlitefile.Report, error) {
	s := newStore(path)
	sdb, rep, err := sqlitefile.OpenRepairing(path, migrationFS, func() time.Time { return s.Now() }, storePragmas...)
	if err != nil {
		return nil, rep, fmt.Errorf("open metrics %s: %w", path, err)
	}
	s.db = sdb
	return s, rep, nil
}

func newStore(path string) *Store {
	return &Store{
		path:       path,
		Now:        time.Now,
		Tiers:      DefaultTiers(),
		MaxBytes:   DefaultMaxBytes,
		MaxRateGap: 5 * time.Minute,
		clusters:   map[string]*clusterState{},
	}
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
	err := s.catchUpLocked(context.Background())
	if err == nil {
		err = s.flushAllLocked(context.Background())
	}
	if cerr := s.db.Close(); err == nil {
		err = cerr
	}
	return err
}

// SetLimits changes how long each tier is kept (finest first; a zero
// keeps the tier's current retention) and the size cap (0: none). Tighter
// limits apply at once, dropping what they no longer allow.
func (s *Store) SetLimits(ctx context.Context, keep []time.Duration, maxBytes int64) error {
	if len(keep) != len(s.Tiers) {
		return fmt.Errorf("set limits: want %d retentions, got %d", len(s.Tiers), len(keep))
	}
	s.mu.Lock()
	s.limits.Lock()
	// Only tighter limits drop anything at once; looser (or the same, as
	// at every start) leave Ingest's incremental pruning to do its work.
	tighter := maxBytes > 0 && (s.MaxBytes <= 0 || maxBytes < s.MaxBytes)
	for i, k := range keep {
		if k > 0 {
			tighter = tighter || k < s.Tiers[i].Keep
			s.Tiers[i].Keep = k
		}
	}
	s.MaxBytes = maxBytes
	s.limits.Unlock()
	s.mu.Unlock()
	if !tighter {
		return nil
	}
	return s.Prune(ctx)
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
	movedTo, err = sqlitefile.MoveAside(path)
	if err != nil {
		return "", fmt.Errorf("recover metrics: %w", err)
	}
	return movedTo, nil
}
