package desktop

import "golang.org/x/sys/windows"

// CanOpenWindow is always true on Windows.
func CanOpenWindow() bool { return true }

// ShowError shows a native error dialog (MessageBox) and waits until it is
// closed, for when the app's own window cannot open (no WebView2).
func ShowError(title, text string) error {
	t, err := windows.UTF16PtrFromString(title)
	if err != nil {
		return err
	}
	m, err := windows.UTF16PtrFromString(text)
	if err != nil {
		return err
	}
	_, err = windows.MessageBox(0, m, t, windows.MB_OK|windows.MB_ICONERROR)
	return err
}
