//go:build !linux

package desktop

import "os"

// SkipGLProbes is only needed for GTK and WebKitGTK on Linux.
func SkipGLProbes() {}

// childEnv is the environment for programs Cecyber starts: this process's.
func childEnv() []string { return os.Environ() }
