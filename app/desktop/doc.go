// Package desktop holds what the desktop around the window needs before
// Wails starts, per OS and per build: handing a second launch over to the
// running window, giving WebKitGTK a real locale, and what dev builds allow
// (their own single-instance lock, the dev server's origins). It knows
// nothing of Wails' API; main calls it.
package desktop
