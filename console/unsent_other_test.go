//go:build !linux

package console

// canCountUnsent: only Linux has TIOCOUTQ; elsewhere resetAfterFlush cannot
// know when the kernel has sent everything, and the test that needs it skips.
const canCountUnsent = false

func unsentBytes(fd uintptr) int { return -1 }
