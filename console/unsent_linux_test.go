package console

import (
	"syscall"
	"unsafe"
)

// canCountUnsent: Linux says how many bytes a socket has not sent yet
// (TIOCOUTQ), which resetAfterFlush waits on.
const canCountUnsent = true

// unsentBytes is the number of bytes still in the socket's send queue, or
// -1 when the kernel does not say.
func unsentBytes(fd uintptr) int {
	var n int32
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCOUTQ, uintptr(unsafe.Pointer(&n))); errno != 0 {
		return -1
	}
	return int(n)
}
