package logs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"sync"
)

// File is a log file rotated by size: when a write would take it past
// maxBytes, cecyber.log becomes cecyber.log.1, .1 becomes .2 and so on, and
// the oldest beyond keep is deleted. It is safe for concurrent use.
//
// Two processes writing the same file (two Cecyber windows on different
// config folders) each rotate by their own count; records stay whole because
// every write appends, but the split between files may be uneven.
type File struct {
	path     string
	maxBytes int64
	keep     int

	mu   sync.Mutex
	f    *os.File // nil once closed
	size int64    // bytes in f as far as this process knows
}

// Open opens or creates the log file at path (0600) in a private folder
// (0700), appending to what is there. maxBytes and keep default to
// DefaultMaxBytes and DefaultKeep when not positive.
func Open(path string, maxBytes int64, keep int) (*File, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	if keep <= 0 {
		keep = DefaultKeep
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create log folder: %w", err)
	}
	// MkdirAll leaves an existing folder as it was; logs say which clusters
	// and guests the user has, so nobody else should list or read them.
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, fmt.Errorf("make log folder private: %w", err)
	}
	l := &File{path: path, maxBytes: maxBytes, keep: keep}
	if err := l.openLocked(); err != nil {
		return nil, err
	}
	return l, nil
}

// Path returns the current log file's path.
func (l *File) Path() string { return l.path }

func (l *File) openLocked() error {
	f, err := os.OpenFile(l.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("open log file: %w", err)
	}
	// The mode above only applies to a new file; tighten an old one too.
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fmt.Errorf("make log file private: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("open log file: %w", err)
	}
	l.f, l.size = f, st.Size()
	return nil
}

// Write appends p, rotating first if p would take the file past its limit.
// A record is never split between two files.
func (l *File) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return 0, fs.ErrClosed
	}
	if l.size > 0 && l.size+int64(len(p)) > l.maxBytes {
		if err := l.rotateLocked(); err != nil {
			if l.f == nil {
				return 0, err
			}
			// Rotation failed (on Windows another process may hold the
			// file): keep appending, and try again only after another
			// maxBytes rather than on every write.
			l.size = 0
		}
	}
	n, err := l.f.Write(p)
	l.size += int64(n)
	return n, err
}

// rotateLocked shifts every file up by one, drops the oldest and starts an
// empty current file.
func (l *File) rotateLocked() error {
	if err := l.f.Close(); err != nil {
		l.f = nil
		return fmt.Errorf("rotate log file: %w", err)
	}
	l.f = nil
	var shiftErr error
	if l.keep == 1 {
		shiftErr = os.Remove(l.path)
	} else {
		if err := os.Remove(l.backup(l.keep - 1)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			shiftErr = err
		}
		for i := l.keep - 2; i >= 1 && shiftErr == nil; i-- {
			if err := os.Rename(l.backup(i), l.backup(i+1)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				shiftErr = err
			}
		}
		if shiftErr == nil {
			shiftErr = os.Rename(l.path, l.backup(1))
		}
	}
	if err := l.openLocked(); err != nil {
		return errors.Join(shiftErr, err)
	}
	if shiftErr != nil {
		return fmt.Errorf("rotate log file: %w", shiftErr)
	}
	return nil
}

// backup returns the path of the i-th older file.
func (l *File) backup(i int) string { return l.path + "." + strconv.Itoa(i) }

// Close closes the file; later writes fail with fs.ErrClosed.
func (l *File) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}
