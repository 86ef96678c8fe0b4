package app

import (
	"math"
	"regexp"
	"strings"
	"time"

	"cecyber/metrics"
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
	if checkText("address", s, maxTextLen) != nil {
		return "", invalid("address", "badHost", "This is not a host name or an IP address.")
	}
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
	if checkText("tokenId", s, maxTextLen) != nil {
		return "", invalid("tokenId", "badChars", "The token ID has characters Proxmox does not allow.")
	}
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
	if len(s) > maxTextLen {
		return "", invalid("secret", "format", "A Proxmox token secret looks like xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx; check that the whole secret was pasted.")
	}
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

// Limits on what bound methods accept. Every bound method checks its
// arguments with these before it does anything: the window is trusted
// code, but a bug there (or a page that reached the bindings) must get an
// "invalid" answer it can translate, never a panic, an "Internal error",
// an unbounded query or a value echoed back megabytes long.
const (
	// maxIDLen bounds identifiers: cluster, guest, alert, rule and
	// console IDs, node names, UPIDs, actions, metrics, endpoint URLs.
	maxIDLen = 256
	// maxTextLen bounds the free text fields of the wizard (address,
	// token ID, secret, fingerprint).
	maxTextLen = 1024
	// maxFileNameLen bounds a screenshot's file name.
	maxFileNameLen = 255
	// maxMetricNames bounds the metrics of one History call.
	maxMetricNames = 32
	// maxBulkTargets bounds the guests of one BulkAction.
	maxBulkTargets = 2000
	// maxShutdownTimeout bounds ActionOptions.Timeout, in seconds.
	maxShutdownTimeout = 24 * 3600
	// maxRangeAhead is how far past now a history range may end.
	maxRangeAhead = 366 * 24 * time.Hour
)

// firstErr returns the first non-nil error.
func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// checkID refuses an identifier that is longer than maxIDLen or holds
// anything but printable ASCII (no spaces, control
// characters, text-direction marks or other Unicode). An empty one is
// left to the method, which knows whether it means "none". The value is
// never echoed.
func checkID(field, s string) error {
	if len(s) > maxIDLen {
		return invalid(field, "tooLong", "The "+field+" is longer than "+itoa(maxIDLen)+" characters.", "max", itoa(maxIDLen))
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return invalid(field, "badChars", "The "+field+" holds characters an identifier never has.")
		}
	}
	return nil
}

// checkIDs checks a list of identifiers and its length.
func checkIDs(field string, ids []string, max int) error {
	if len(ids) > max {
		return invalid(field, "tooMany", "At most "+itoa(max)+" at once.", "max", itoa(max))
	}
	for _, id := range ids {
		if err := checkID(field, id); err != nil {
			return err
		}
	}
	return nil
}

// checkText refuses text longer than max bytes or holding control or
// text-direction characters. The value is never echoed.
func checkText(field, s string, max int) error {
	if len(s) > max {
		return invalid(field, "tooLong", "The "+field+" is longer than "+itoa(max)+" characters.", "max", itoa(max))
	}
	if !alerts.PlainText(s) {
		return invalid(field, "badChars", "The "+field+" holds control or text-direction characters.")
	}
	return nil
}

// checkInt refuses a number outside [lo, hi].
func checkInt(field string, v, lo, hi int) error {
	if v < lo || v > hi {
		return invalid(field, "outOfRange", "Choose a value between "+itoa(lo)+" and "+itoa(hi)+".",
			"min", itoa(lo), "max", itoa(hi))
	}
	return nil
}

// checkFinite refuses NaN and the infinities (which JSON cannot even
// carry back to the window).
func checkFinite(field string, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return invalid(field, "outOfRange", "Enter a number.")
	}
	return nil
}

// checkRange refuses a history range that is empty, starts before 1970
// or ends more than a year from now, and a point count a chart cannot
// show (more than metrics.MaxPoints).
func checkRange(from, to int64, points int, now time.Time) error {
	if from < 0 || to <= from || to > now.Add(maxRangeAhead).Unix() {
		return invalid("range", "badRange", "The time range is empty or outside the time history can cover.")
	}
	return checkInt("points", points, 1, metrics.MaxPoints)
}

// checkFingerprint normalizes a fingerprint the user confirmed.
func checkFingerprint(s string) (string, error) {
	if err := checkText("fingerprint", s, maxTextLen); err != nil {
		return "", err
	}
	fp, err := proxmox.NormalizeFingerprint(s)
	if err != nil {
		return "", invalid("fingerprint", "format", err.Error())
	}
	return fp, nil
}

// checkActionOptions refuses a shutdown timeout that is negative or over a
// day.
func checkActionOptions(o ActionOptions) error {
	return checkInt("timeout", o.Timeout, 0, maxShutdownTimeout)
}
