package proxmox

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
)

// DefaultPort is where pveproxy listens.
const DefaultPort = 8006

// ParseEndpoint turns what a user types into the canonical
// "https://host:port" form: it accepts "host", "host:8006",
// "https://host:8006/some/path", "[fd00::1]:8006" and a bare "fd00::1",
// defaults the port to 8006, lower-cases the host and drops any path, query
// or fragment (people paste the web UI's address, "…:8006/#v1:0:18"). It
// refuses plain http, because pveproxy only speaks HTTPS and the token must
// never travel in clear text.
func ParseEndpoint(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errors.New("address is empty: enter the Proxmox host, e.g. pve.example.com or https://192.0.2.10:8006")
	}
	rest := s
	if i := strings.Index(rest, "://"); i >= 0 {
		scheme := strings.ToLower(rest[:i])
		switch scheme {
		case "https":
		case "http":
			return "", errors.New("address uses http://: Proxmox VE serves its API only over https (port 8006), and the API token must not be sent unencrypted; use https://")
		default:
			return "", fmt.Errorf("address scheme %q is not supported: use https://host:8006", scheme)
		}
		rest = rest[i+len("://"):]
	}
	// Cut path, query and fragment; what is left is the authority.
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	if strings.Contains(rest, "@") {
		// Never echo this part: it may hold a password.
		return "", errors.New("address contains user information (\"user@\" before the host): remove it; the API token is entered separately")
	}
	host, port, err := splitHostPort(rest)
	if err != nil {
		return "", fmt.Errorf("address %q: %w", s, err)
	}
	return "https://" + net.JoinHostPort(host, strconv.Itoa(port)), nil
}

var hostLabel = regexp.MustCompile(`^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?$`)

func splitHostPort(a string) (host string, port int, err error) {
	if a == "" {
		return "", 0, errors.New("no host")
	}
	// A bare IPv6 literal has colons but no brackets.
	if ip, perr := netip.ParseAddr(a); perr == nil && ip.Zone() == "" {
		return ip.String(), DefaultPort, nil
	}
	host, portStr := a, ""
	switch {
	case strings.HasPrefix(a, "["):
		end := strings.Index(a, "]")
		if end < 0 {
			return "", 0, errors.New(`missing "]" after the IPv6 address`)
		}
		host = a[1:end]
		switch after := a[end+1:]; {
		case after == "":
		case strings.HasPrefix(after, ":"):
			portStr = after[1:]
		default:
			return "", 0, fmt.Errorf("unexpected %q after the IPv6 address", after)
		}
		ip, perr := netip.ParseAddr(host)
		if perr != nil || !ip.Is6() || ip.Zone() != "" {
			return "", 0, fmt.Errorf("%q is not an IPv6 address", host)
		}
		host = ip.String()
	case strings.Count(a, ":") == 1:
		i := strings.LastIndex(a, ":")
		host, portStr = a[:i], a[i+1:]
		fallthrough
	default:
		if ip, perr := netip.ParseAddr(host); perr == nil {
			if ip.Is6() {
				return "", 0, errors.New("write an IPv6 address with a port in brackets, e.g. [fd00::1]:8006")
			}
			host = ip.String()
			break
		}
		host = strings.TrimSuffix(strings.ToLower(host), ".")
		if host == "" || len(host) > 253 {
			return "", 0, errors.New("no valid host name")
		}
		for _, l := range strings.Split(host, ".") {
			if len(l) > 63 || !hostLabel.MatchString(l) {
				return "", 0, fmt.Errorf("%q is not a valid host name", host)
			}
		}
	}
	port = DefaultPort
	if portStr != "" {
		p, perr := strconv.Atoi(portStr)
		if perr != nil || p < 1 || p > 65535 || portStr[0] == '+' {
			return "", 0, fmt.Errorf("port %q is not a number from 1 to 65535", portStr)
		}
		port = p
	}
	return host, port, nil
}

// Token IDs are user@realm!tokenname (PVE::AccessControl): user is
// anything but white space, ':' and '/', realm and token name start with a
// letter.
var (
	tokenUserRE = regexp.MustCompile(`^[^\s:/@!=]{1,64}$`)
	tokenNameRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9._-]+$`)
	uuidRE      = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
)

// ParseTokenID splits an API token ID "user@realm!tokenname". Its errors say
// how to fix the common mistakes (pasting only the token name, forgetting the
// realm) and never repeat input that looks like a secret.
func ParseTokenID(s string) (user, realm, name string, err error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return "", "", "", errors.New("token ID is empty: write it as user@realm!tokenname, e.g. root@pam!cecyber")
	case strings.ContainsAny(s, "= \t\r\n"):
		return "", "", "", errors.New("token ID contains \"=\" or spaces: paste only the ID (user@realm!tokenname); the secret goes in its own field")
	case uuidRE.MatchString(s):
		return "", "", "", errors.New("token ID looks like a token secret: paste the ID (user@realm!tokenname) here and the secret in its own field")
	}
	userPart, name, hasBang := strings.Cut(s, "!")
	if !hasBang {
		if strings.Contains(s, "@") {
			return "", "", "", fmt.Errorf("token ID %q lacks the token name: write it as %s!tokenname", s, s)
		}
		return "", "", "", fmt.Errorf("token ID %q lacks the user: write it as user@realm!%s", s, s)
	}
	user, realm, hasAt := strings.Cut(userPart, "@")
	switch {
	case userPart == "":
		return "", "", "", fmt.Errorf("token ID %q lacks the user: write it as user@realm%s", s, s)
	case !hasAt:
		return "", "", "", fmt.Errorf("token ID %q lacks the realm: write it as %s@pam!%s (or @pve, or your realm)", s, userPart, name)
	case !tokenUserRE.MatchString(user):
		return "", "", "", fmt.Errorf("token ID %q: user %q is not valid", s, user)
	case !tokenNameRE.MatchString(realm):
		return "", "", "", fmt.Errorf("token ID %q: realm %q is not valid (e.g. pam or pve)", s, realm)
	case name == "":
		return "", "", "", fmt.Errorf("token ID %q lacks the token name after \"!\"", s)
	case !tokenNameRE.MatchString(name):
		return "", "", "", fmt.Errorf("token ID %q: token name %q is not valid (a letter, then letters, digits, '.', '-' or '_')", s, name)
	}
	return user, realm, name, nil
}

// FormatFingerprint returns the SHA-256 fingerprint of a DER certificate the
// way Proxmox shows it: upper-case hex pairs joined by colons.
func FormatFingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	return formatHexPairs(sum[:])
}

func formatHexPairs(b []byte) string {
	h := strings.ToUpper(hex.EncodeToString(b))
	var sb strings.Builder
	for i := 0; i < len(h); i += 2 {
		if i > 0 {
			sb.WriteByte(':')
		}
		sb.WriteString(h[i : i+2])
	}
	return sb.String()
}

// NormalizeFingerprint accepts a SHA-256 fingerprint in any case with any of
// the usual separators (":", "-", " ", none), and also openssl's
// "sha256 Fingerprint=AB:CD:…" output, and returns the canonical "AB:CD:…".
func NormalizeFingerprint(s string) (string, error) {
	t := strings.TrimSpace(s)
	if i := strings.LastIndex(t, "="); i >= 0 {
		t = t[i+1:]
	}
	var digits []byte
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case isHex(c):
			digits = append(digits, c)
		case c == ':' || c == '-' || c == ' ' || c == '\t':
		default:
			return "", fmt.Errorf("fingerprint contains %q: use hex digits, e.g. AB:CD:…", c)
		}
	}
	if len(digits) != sha256.Size*2 {
		return "", fmt.Errorf("fingerprint has %d hex digits; a SHA-256 fingerprint has %d", len(digits), sha256.Size*2)
	}
	b, err := hex.DecodeString(string(digits))
	if err != nil {
		return "", fmt.Errorf("fingerprint: %w", err)
	}
	return formatHexPairs(b), nil
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}
