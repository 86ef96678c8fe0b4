// Package upid parses and formats Proxmox VE task IDs (UPIDs). It is a leaf
// so that both the client (proxmox) and the simulator (proxmox/pvesim),
// which must not import each other, use the one parser.
package upid

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Info is a UPID taken apart.
type Info struct {
	Node      string
	PID       int64
	PStart    int64 // process start time in clock ticks since boot
	StartTime time.Time
	Type      string // e.g. "qmstart", "vzdump"
	ID        string // e.g. the VMID; may be empty
	User      string // e.g. "root@pam" or "root@pam!token"
}

// String encodes info the way Proxmox does (PVE::UPID::encode): pid, pstart
// and starttime as at least 8 upper-case hex digits.
func (info Info) String() string {
	return fmt.Sprintf("UPID:%s:%08X:%08X:%08X:%s:%s:%s:",
		info.Node, info.PID, info.PStart, info.StartTime.Unix(), info.Type, info.ID, info.User)
}

// Parse splits a UPID with the grammar of PVE::UPID::decode (pve-common):
//
//	UPID:node:pid(8 hex):pstart(8-9 hex):starttime(8 hex):type:id:user:
//
// where node is a host name label (letters, digits, inner hyphens) and
// type, id and user contain no ':', '/' or white space; only id may be
// empty. It is stricter than Perl in three ways, all because a UPID goes
// into URL paths: it must be valid UTF-8, may contain no control
// characters or Unicode white space at all, and may not end in a newline
// (Perl's $ would allow one).
func Parse(s string) (Info, error) {
	bad := func(why string) (Info, error) {
		return Info{}, fmt.Errorf("invalid UPID %q: %s", s, why)
	}
	if !utf8.ValidString(s) {
		return Info{}, errors.New("invalid UPID: not valid UTF-8")
	}
	if !strings.HasPrefix(s, "UPID:") {
		return bad(`does not start with "UPID:"`)
	}
	if len(s) == len("UPID:") || !strings.HasSuffix(s, ":") {
		return bad(`does not end with ":"`)
	}
	f := strings.Split(s[len("UPID:"):len(s)-1], ":")
	if len(f) != 7 {
		return bad(fmt.Sprintf("has %d fields; want 7", len(f)))
	}
	if !validNode(f[0]) {
		return bad(fmt.Sprintf("node %q is not a host name label (letters, digits and inner hyphens)", f[0]))
	}
	pid, err := hexField(f[1], 8, 8)
	if err != nil {
		return bad("pid: " + err.Error())
	}
	pstart, err := hexField(f[2], 8, 9)
	if err != nil {
		return bad("pstart: " + err.Error())
	}
	start, err := hexField(f[3], 8, 8)
	if err != nil {
		return bad("starttime: " + err.Error())
	}
	for i, name := range []string{"type", "id", "user"} {
		v := f[4+i]
		if v == "" && name != "id" {
			return bad(name + " is empty")
		}
		if strings.IndexFunc(v, func(r rune) bool { return r == '/' || unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
			return bad(name + ` contains "/", white space or control characters`)
		}
	}
	return Info{
		Node:      f[0],
		PID:       pid,
		PStart:    pstart,
		StartTime: time.Unix(start, 0).UTC(),
		Type:      f[4],
		ID:        f[5],
		User:      f[6],
	}, nil
}

// validNode is PVE's [a-zA-Z0-9]([a-zA-Z0-9\-]*[a-zA-Z0-9])?.
func validNode(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '-' && i > 0 && i < len(s)-1:
		default:
			return false
		}
	}
	return true
}

func hexField(s string, minLen, maxLen int) (int64, error) {
	if len(s) < minLen || len(s) > maxLen {
		return 0, fmt.Errorf("%q is not %d to %d hex digits", s, minLen, maxLen)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return 0, fmt.Errorf("%q is not hexadecimal", s)
		}
	}
	return strconv.ParseInt(s, 16, 64) // at most 9 digits: no overflow
}
