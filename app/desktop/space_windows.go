package desktop

import "golang.org/x/sys/windows"

// FreeSpace returns the bytes the user may still write on the volume that
// holds dir (their quota, if one applies).
func FreeSpace(dir string) (int64, error) {
	p, err := windows.UTF16PtrFromString(dir)
	if err != nil {
		return 0, err
	}
	var avail, total, free uint64
	if err := windows.GetDiskFreeSpaceEx(p, &avail, &total, &free); err != nil {
		return 0, err
	}
	return int64(avail), nil
}
