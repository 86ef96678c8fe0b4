package desktop

import "github.com/gen2brain/beeep"

// Notifier sends notifications through the OS: D-Bus notifications on
// Linux (notify-send as a fallback), the notification center on macOS,
// toasts on Windows.
type Notifier struct {
	Icon []byte // PNG shown beside the text
}

// beeep names the sending app in a package variable: set once, before any
// poller can notify, rather than on every (possibly concurrent) call.
func init() { beeep.AppName = "Cecyber" }

// Notify shows one notification.
func (n Notifier) Notify(title, body string) error {
	var icon any = ""
	if len(n.Icon) > 0 {
		icon = n.Icon
	}
	return beeep.Notify(title, body, icon)
}
