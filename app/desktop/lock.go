package desktop

import "errors"

// ErrRunning is LockInstance's answer when another Cecyber holds the
// folder: it is running, or starting.
var ErrRunning = errors.New("another Cecyber is running on this config folder")
