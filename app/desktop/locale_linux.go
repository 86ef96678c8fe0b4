package desktop

import (
	"os"
	"strings"
)

// AvoidCLocale gives the webview a real language when the session has none
// (LANG=C.UTF-8 or POSIX, common on servers and in containers): WebKitGTK
// then reports navigator.languages = ["C"], and the window stayed blank.
// Cecyber picks its own language from the OS locale or the user's choice,
// so English here changes nothing else the user sees.
func AvoidCLocale() {
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := os.Getenv(k)
		if v == "" {
			continue
		}
		if v != "C" && v != "POSIX" && !strings.HasPrefix(v, "C.") {
			return // a real locale decides
		}
		break
	}
	os.Setenv("LC_ALL", "en_US.UTF-8")
}
