package app

import (
	"regexp"
	"strings"

	"cecyber/metrics/alerts"
	"cecyber/proxmox"
)

// invalid is a wizard field error: the window shows it next to the field,
// translated by reason, with params for the message.
type invalidError struct {
	field, reason, message string
	params                 map[string]string
}

func (e *invalidError) Error() string { return e.message }

func invalid(field, reason, message string, params ...string) error {
	p := map[string]string{"field": field, "reason": reason}
	for i := 0; i+1 < len(params); i += 2 {
		p[params[i]] = params[i+1]
	}
	return &invalidError{field: field, reason: reason, message: message, params: p}
}

// checkAddress normalizes what the user typed into https://host:port.
func checkAddress(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", invalid("address", "empty", "Enter the address of a Proxmox node, e.g. pve.example.com or https://192.0.2.10:8006.")
	}
	if strings.HasPrefix(strings.ToLower(s), "http://") {
		return "", invalid("address", "http", "Proxmox VE serves its API only over HTTPS on port 8006, and the token must never travel unencrypted: use https://.")
	}
	ep, err := proxmox.ParseEndpoint(s)
	if err != nil {
		reason := "badHost"
		if strings.Contains(err.Error(), "port") && !strings.Contains(err.Error(), "IPv6") {
			reason = "badPort"
		}
		return "", invalid("address", reason, err.Error())
	}
	return ep, nil
}

// checkTokenID explains the common mistakes, above all pasting only the
// token's name where Proxmox wants user@realm!name.
func checkTokenID(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", invalid("tokenId", "empty", "Enter the API token ID, written user@realm!tokenname, e.g. root@pam!cecyber.")
	}
	if strings.ContainsAny(s, "= \t") {
		return "", invalid("tokenId", "badChars", "Paste only the token ID (user@realm!tokenname) here; the secret goes in its own field.")
	}
	userRealm, name, hasBang := strings.Cut(s, "!")
	switch {
	case !hasBang && !strings.Contains(s, "@"):
		return "", invalid("tokenId", "noUser", "This looks like the token's name only: write it as user@realm!"+s+".", "name", s)
	case !hasBang:
		return "", invalid("tokenId", "noTokenName", "The token name is missing: write it as "+s+"!tokenname.", "user", s)
	case userRealm == "":
		return "", invalid("tokenId", "noUser", "The user is missing: write it as user@realm!"+name+".", "name", name)
	case !strings.Contains(userRealm, "@"):
		return "", invalid("tokenId", "noRealm", "The realm is missing: write it as "+userRealm+"@pam!"+name+" (or @pve, or your realm).", "user", userRealm, "name", name)
	case name == "":
		return "", invalid("tokenId", "noTokenName", "The token name after \"!\" is missing.", "user", userRealm)
	}
	if _, _, _, err := proxmox.ParseTokenID(s); err != nil {
		return "", invalid("tokenId", "badChars", err.Error())
	}
	return s, nil
}

// Proxmox generates every token secret as a UUID.
var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func checkSecret(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", invalid("secret", "empty", "Enter the token's secret (Proxmox shows it once, when the token is created).")
	}
	if !uuidRE.MatchString(s) {
		return "", invalid("secret", "format", "A Proxmox token secret looks like xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx; check that the whole secret was pasted.")
	}
	return s, nil
}

func checkName(s string, taken func(string) bool) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", invalid("name", "empty", "Give the cluster a name, e.g. Production.")
	}
	if len(s) > 64 {
		return "", invalid("name", "tooLong", "Keep the name under 64 characters.")
	}
	if !alerts.PlainText(s) {
		return "", invalid("name", "badChars", "Use letters, digits, spaces and punctuation: no control or text-direction characters.")
	}
	if taken(s) {
		return "", invalid("name", "duplicate", "A cluster named "+s+" exists already: choose another name.", "name", s)
	}
	return s, nil
}
