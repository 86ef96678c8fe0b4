// Package desktop is the OS around the window, per OS and per build:
// the window's remembered size and place (window.json), handing a second
// launch over to the running window, giving WebKitGTK a
// real locale, OS notifications, opening a folder in the file manager, and
// what dev builds allow (their own single-instance lock, the dev server's
// origins). It knows nothing of Wails.
package desktop
