package desktop

import (
	"os"
	"slices"
	"testing"
)

func TestSkipGLProbes(t *testing.T) {
	t.Setenv("GDK_GL", "")
	os.Unsetenv("GDK_GL") // unset, not empty: t.Setenv restores it afterwards
	t.Setenv("WEBKIT_WEB_RENDER_DEVICE_FILE", "")
	os.Unsetenv("WEBKIT_WEB_RENDER_DEVICE_FILE")
	t.Setenv("WEBKIT_DISABLE_DMABUF_RENDERER", "0") // the user's choice
	t.Setenv("CECYBER_UNRELATED", "kept")
	t.Cleanup(func() { glMu.Lock(); glSet = nil; glMu.Unlock() })

	SkipGLProbes()
	for name, want := range map[string]string{
		"GDK_GL":                         "disable",
		"WEBKIT_WEB_RENDER_DEVICE_FILE":  "/dev/null",
		"WEBKIT_DISABLE_DMABUF_RENDERER": "0",
	} {
		if got := os.Getenv(name); got != want {
			t.Errorf("after SkipGLProbes, %s=%q; want %q", name, got, want)
		}
	}

	env := childEnv()
	for _, kv := range []string{"GDK_GL=disable", "WEBKIT_WEB_RENDER_DEVICE_FILE=/dev/null"} {
		if slices.Contains(env, kv) {
			t.Errorf("a child would inherit %s, which only Cecyber's own window wants", kv)
		}
	}
	for _, kv := range []string{"WEBKIT_DISABLE_DMABUF_RENDERER=0", "CECYBER_UNRELATED=kept"} {
		if !slices.Contains(env, kv) {
			t.Errorf("a child would lose %s", kv)
		}
	}
}
