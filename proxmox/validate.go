package proxmox

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// MinVMID and MaxVMID bound the IDs Proxmox accepts for guests (pve-vmid).
const (
	MinVMID = 100
	MaxVMID = 999999999
)

// ValidNodeName reports whether s is a node name Proxmox would accept (its
// pve-node format: one hostname label). Names reach URL paths, so anything
// else is refused before a request is built.
func ValidNodeName(s string) error {
	if s == "" {
		return errors.New("node name is empty")
	}
	if len(s) > 63 {
		return fmt.Errorf("node name %.20q… is longer than 63 characters", s)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '-' && i > 0 && i < len(s)-1:
		default:
			return fmt.Errorf("node name %q is not a valid hostname label (letters, digits and inner hyphens only)", s)
		}
	}
	return nil
}

// ValidVMID reports whether id is in the range Proxmox allows for guests.
func ValidVMID(id int) error {
	if id < MinVMID || id > MaxVMID {
		return fmt.Errorf("VMID %d is out of range (%d to %d)", id, MinVMID, MaxVMID)
	}
	return nil
}

// UPID identifies a Proxmox task, e.g.
// "UPID:pve1:000A1B2C:0123ABCD:65F0A1B2:qmstart:100:root@pam:".
// It is kept as Proxmox sent it; ParseUPID checks and splits it.
type UPID string

// UPIDInfo is a UPID taken apart.
type UPIDInfo struct {
	Node      string
	PID       int64
	PStart    int64 // process start time in clock ticks since boot
	StartTime time.Time
	Type      string // e.g. "qmstart", "vzdump"
	ID        string // e.g. the VMID; may be empty
	User      string // e.g. "root@pam" or "root@pam!token"
}

// String encodes info the way Proxmox does (upid_encode in PVE::Tools).
func (info UPIDInfo) String() string {
	return fmt.Sprintf("UPID:%s:%08X:%08X:%08X:%s:%s:%s:",
		info.Node, info.PID, info.PStart, info.StartTime.Unix(), info.Type, info.ID, info.User)
}

// ParseUPID splits a UPID, as strictly as Proxmox's own upid_decode:
// UPID:node:pid(8 hex):pstart(8-9 hex):starttime(8 hex):type:id:user:
// Fields must be free of colons, white space and control characters, since a
// UPID is put into URL paths.
func ParseUPID(s string) (UPIDInfo, error) {
	bad := func(why string) (UPIDInfo, error) {
		return UPIDInfo{}, fmt.Errorf("invalid UPID %q: %s", s, why)
	}
	if !utf8.ValidString(s) {
		return UPIDInfo{}, errors.New("invalid UPID: not valid UTF-8")
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
	if err := ValidNodeName(f[0]); err != nil {
		return bad(err.Error())
	}
	pid, err := parseHexField(f[1], 8, 8)
	if err != nil {
		return bad("pid: " + err.Error())
	}
	pstart, err := parseHexField(f[2], 8, 9)
	if err != nil {
		return bad("pstart: " + err.Error())
	}
	start, err := parseHexField(f[3], 8, 8)
	if err != nil {
		return bad("starttime: " + err.Error())
	}
	for i, name := range []string{"type", "id", "user"} {
		v := f[4+i]
		if v == "" && name != "id" {
			return bad(name + " is empty")
		}
		if strings.IndexFunc(v, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
			return bad(name + " contains white space or control characters")
		}
	}
	return UPIDInfo{
		Node:      f[0],
		PID:       pid,
		PStart:    pstart,
		StartTime: time.Unix(start, 0).UTC(),
		Type:      f[4],
		ID:        f[5],
		User:      f[6],
	}, nil
}

func parseHexField(s string, minLen, maxLen int) (int64, error) {
	if len(s) < minLen || len(s) > maxLen {
		return 0, fmt.Errorf("%q is not %d to %d hex digits", s, minLen, maxLen)
	}
	for i := 0; i < len(s); i++ {
		if !isHex(s[i]) {
			return 0, fmt.Errorf("%q is not hexadecimal", s)
		}
	}
	return strconv.ParseInt(s, 16, 64)
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// Info parses u; see ParseUPID.
func (u UPID) Info() (UPIDInfo, error) { return ParseUPID(string(u)) }
