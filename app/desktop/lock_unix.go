//go:build !windows

package desktop

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// LockInstance takes the single-instance lock of the config folder dir
// (creating it, 0700, if need be), before anything opens the databases in
// it, and holds it until release is called or the process ends, however it
// ends. Another process holding it gives ErrRunning.
//
// On Linux and macOS the lock is flock(2) on the folder itself: it needs no
// file of its own, so a read-only folder still gets to the error that
// matters (the database's), and the kernel drops it with the process.
func LockInstance(dir string) (release func(), err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, ErrRunning
		}
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	return func() { f.Close() }, nil
}
