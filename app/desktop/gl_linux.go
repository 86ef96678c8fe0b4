package desktop

import (
	"os"
	"strings"
	"sync"
)

// glProbes are the environment variables that keep OpenGL out of the main
// process. The webview draws without the GPU (app.WailsOptions sets
// WebKitGTK's hardware acceleration policy to Never), yet by default GTK and
// WebKit's UI process still bring OpenGL up at start, only to look at it:
// GTK probes GLX when it opens the display, and WebKit initialises EGL to
// decide whether a DMA-BUF renderer could be used and which render node the
// web process should get. With Mesa each probe loads the whole driver and
// LLVM into the main process: about 25 MB at rest (tools/bench-memory.sh)
// that nothing uses. Every one of them is needed; with any left out, the
// driver still loads.
var glProbes = []struct{ name, value string }{
	// GTK 3: no GL context is ever made, so none is probed for.
	{"GDK_GL", "disable"},
	// WebKitGTK: the DMA-BUF renderer only serves accelerated compositing,
	// which the Never policy turns off.
	{"WEBKIT_DISABLE_DMABUF_RENDERER", "1"},
	// WebKitGTK: the web process is told its render node rather than the UI
	// process asking EGL for one. It gets none (a file that is no DRM
	// device), as it composites nothing on the GPU.
	{"WEBKIT_WEB_RENDER_DEVICE_FILE", "/dev/null"},
}

var (
	glMu  sync.Mutex
	glSet []string // the names SkipGLProbes set, for childEnv to take back
)

// SkipGLProbes sets glProbes in this process's environment, before GTK
// starts. A variable the user has set keeps the user's value.
func SkipGLProbes() {
	glMu.Lock()
	defer glMu.Unlock()
	for _, p := range glProbes {
		if _, ok := os.LookupEnv(p.name); ok {
			continue
		}
		os.Setenv(p.name, p.value)
		glSet = append(glSet, p.name)
	}
}

// childEnv is the environment for programs Cecyber starts (the file
// manager, a dialog): this process's, without what SkipGLProbes set, so
// that GTK and WebKit programs among them render as the user's others do.
func childEnv() []string {
	glMu.Lock()
	defer glMu.Unlock()
	env := os.Environ()
	if len(glSet) == 0 {
		return env
	}
	kept := env[:0:0]
outer:
	for _, kv := range env {
		for _, name := range glSet {
			if strings.HasPrefix(kv, name+"=") {
				continue outer
			}
		}
		kept = append(kept, kv)
	}
	return kept
}
