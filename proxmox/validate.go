package proxmox

import (
	"errors"
	"fmt"

	"cecyber/proxmox/upid"
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
type UPIDInfo = upid.Info

// ParseUPID splits a UPID as strictly as Proxmox's own decoder; see
// upid.Parse, the one parser the client and the simulator share.
func ParseUPID(s string) (UPIDInfo, error) { return upid.Parse(s) }

// Info parses u; see ParseUPID.
func (u UPID) Info() (UPIDInfo, error) { return ParseUPID(string(u)) }
