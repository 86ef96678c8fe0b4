package proxmox

import (
	"crypto/sha256"
	"net/url"
	"strings"
	"testing"
)

func TestParseEndpoint(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		tests := []struct{ in, want string }{
			{"pve", "https://pve:8006"},
			{"PVE.Example.com", "https://pve.example.com:8006"},
			{"pve.example.com:8007", "https://pve.example.com:8007"},
			{"https://pve.example.com:8006", "https://pve.example.com:8006"},
			{"HTTPS://pve.example.com:8006/#v1:0:18:4:::::::", "https://pve.example.com:8006"},
			{"https://127.0.0.10/api2/json?x=1", "https://127.0.0.10:8006"},
			{"127.0.0.10:443", "https://127.0.0.10:443"},
			{"[::1]:8006", "https://[::1]:8006"},
			{"[0:0:0:0:0:0:0:1]", "https://[::1]:8006"},
			{"::1", "https://[::1]:8006"},
			{"https://[::1]:9000/", "https://[::1]:9000"},
			{"  pve1  ", "https://pve1:8006"},
		}
		for _, tt := range tests {
			if got, err := ParseEndpoint(tt.in); err != nil || got != tt.want {
				t.Errorf("ParseEndpoint(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		}
	})
	t.Run("ErrHTTP", func(t *testing.T) {
		_, err := ParseEndpoint("http://pve:8006")
		if err == nil || !strings.Contains(err.Error(), "https") {
			t.Errorf("ParseEndpoint(http://…) = %v; want an error asking for https", err)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, in := range []string{"", "ftp://pve", "pve:0", "pve:65536", "pve:abc", "[::1", "[pve]:8006",
			"::1:8006x", "pve host", "https://", "pve..x", "-pve"} {
			if got, err := ParseEndpoint(in); err == nil {
				t.Errorf("ParseEndpoint(%q) = %q; want error", in, got)
			}
		}
	})
	t.Run("ErrUserInfoNotEchoed", func(t *testing.T) {
		_, err := ParseEndpoint("https://root:hunter2@pve:8006")
		if err == nil || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("ParseEndpoint with a password = %v; want an error without it", err)
		}
	})
}

func FuzzParseEndpoint(f *testing.F) {
	for _, s := range []string{"pve", "pve:8006", "https://pve:8006/x", "[::1]:8006", "::1", "http://x", "a@b", "127.1.2.3:5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseEndpoint(s)
		if err != nil {
			return
		}
		u, perr := url.Parse(got)
		if perr != nil || u.Scheme != "https" || u.Port() == "" || u.Path != "" || u.User != nil || u.RawQuery != "" {
			t.Fatalf("ParseEndpoint(%q) = %q, not a bare https://host:port", s, got)
		}
		// Canonical: parsing again changes nothing.
		if again, err := ParseEndpoint(got); err != nil || again != got {
			t.Fatalf("ParseEndpoint(%q) = %q, %v; want it unchanged", got, again, err)
		}
	})
}

func TestParseTokenID(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		user, realm, name, err := ParseTokenID(" root@pam!cecyber ")
		if err != nil || user != "root" || realm != "pam" || name != "cecyber" {
			t.Errorf("ParseTokenID = %q, %q, %q, %v; want root, pam, cecyber", user, realm, name, err)
		}
		if _, _, _, err := ParseTokenID("first.last@example.com@ldap-corp!monitor_1"); err == nil {
			t.Errorf("ParseTokenID with two @ = nil error; want the realm error")
		}
	})
	tests := []struct{ in, wantMsg string }{
		{"mytoken", `token ID "mytoken" lacks the user: write it as user@realm!mytoken`},
		{"root@pam", `lacks the token name`},
		{"root!mytoken", `lacks the realm: write it as root@pam!mytoken`},
		{"root@pam!", `lacks the token name`},
		{"", "empty"},
		{"root@pam!1abc", "token name"},
	}
	for _, tt := range tests {
		_, _, _, err := ParseTokenID(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.wantMsg) {
			t.Errorf("ParseTokenID(%q) = %v; want an error containing %q", tt.in, err, tt.wantMsg)
		}
	}
	t.Run("ErrSecretNotEchoed", func(t *testing.T) {
		for _, in := range []string{
			"root@pam!cecyber=5f2a9c1e-8b3d-4e6f-a1b2-c3d4e5f6a7b8",
			"PVEAPIToken=root@pam!cecyber=5f2a9c1e-8b3d-4e6f-a1b2-c3d4e5f6a7b8",
			"5f2a9c1e-8b3d-4e6f-a1b2-c3d4e5f6a7b8",
		} {
			_, _, _, err := ParseTokenID(in)
			if err == nil || strings.Contains(err.Error(), "5f2a9c1e") {
				t.Errorf("ParseTokenID(secret-bearing) = %v; want an error that does not repeat the secret", err)
			}
		}
	})
}

func TestFingerprint(t *testing.T) {
	der := []byte("certificate")
	sum := sha256.Sum256(der)
	want := formatHexPairs(sum[:])
	if got := FormatFingerprint(der); got != want || len(got) != 95 || strings.ToUpper(got) != got {
		t.Errorf("FormatFingerprint = %q; want %q", got, want)
	}
	plain := strings.ReplaceAll(want, ":", "")
	for _, in := range []string{want, strings.ToLower(want), plain, strings.ReplaceAll(want, ":", "-"),
		strings.ReplaceAll(want, ":", " "), "sha256 Fingerprint=" + want, " " + want + "\n"} {
		if got, err := NormalizeFingerprint(in); err != nil || got != want {
			t.Errorf("NormalizeFingerprint(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", plain[:62], plain + "00", "ZZ" + plain[2:], "SHA1:" + plain[:40]} {
		if got, err := NormalizeFingerprint(in); err == nil {
			t.Errorf("NormalizeFingerprint(%q) = %q; want error", in, got)
		}
	}
}
