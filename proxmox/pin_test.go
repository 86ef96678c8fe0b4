package proxmox

import (
	"context"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// newTLSServer starts an HTTPS server whose handshake-error log is muted
// (the learning handshake ends with a "bad certificate" alert by design).
func newTLSServer(t *testing.T, h http.Handler) (*httptest.Server, string) {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv, FormatFingerprint(srv.Certificate().Raw)
}

func TestPinnedDialer(t *testing.T) {
	srv, fp := newTLSServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello")
	}))
	addr := strings.TrimPrefix(srv.URL, "https://")

	t.Run("OK", func(t *testing.T) {
		d, err := NewPinnedDialer(strings.ToLower(strings.ReplaceAll(fp, ":", "")))
		if err != nil {
			t.Fatal(err)
		}
		client := &http.Client{Transport: &http.Transport{DialTLSContext: d.DialTLSContext}}
		// Several requests, in parallel, so both the learning path and the
		// cached path run.
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				res, err := client.Get(srv.URL)
				if err != nil {
					t.Errorf("Get = %v", err)
					return
				}
				defer res.Body.Close()
				b, _ := io.ReadAll(res.Body)
				if string(b) != "hello" {
					t.Errorf("body = %q; want hello", b)
				}
			})
		}
		wg.Wait()
	})

	t.Run("OKExpiredSelfSigned", func(t *testing.T) {
		srv, fp := newCertServer(t, selfSignedCert(t, "pve1", true), http.NotFoundHandler())
		d, err := NewPinnedDialer(fp)
		if err != nil {
			t.Fatal(err)
		}
		conn, err := d.DialTLSContext(context.Background(), "tcp", strings.TrimPrefix(srv.URL, "https://"))
		if err != nil {
			t.Fatalf("DialTLSContext to an expired self-signed pinned server = %v; want success", err)
		}
		conn.Close()
	})

	t.Run("ErrMismatch", func(t *testing.T) {
		wrong := strings.Repeat("AB:", 31) + "AB"
		d, err := NewPinnedDialer(wrong)
		if err != nil {
			t.Fatal(err)
		}
		_, err = d.DialTLSContext(context.Background(), "tcp", addr)
		var fe *FingerprintError
		if !errors.As(err, &fe) {
			t.Fatalf("DialTLSContext error = %v; want *FingerprintError", err)
		}
		if fe.Expected != wrong || fe.Actual != fp || fe.Host != addr {
			t.Errorf("FingerprintError = %+v; want Expected %s, Actual %s, Host %s", fe, wrong, fp, addr)
		}
		if msg := err.Error(); !strings.Contains(msg, wrong) || !strings.Contains(msg, fp) {
			t.Errorf("error %q does not name both fingerprints", msg)
		}
	})

	t.Run("ErrCertificateChanged", func(t *testing.T) {
		d, err := NewPinnedDialer(fp)
		if err != nil {
			t.Fatal(err)
		}
		conn, err := d.DialTLSContext(context.Background(), "tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conn.Close()
		// Another server, another certificate, same dialer (cached leaf).
		other, otherFP := newCertServer(t, selfSignedCert(t, "pve2", true), http.NotFoundHandler())
		_, err = d.DialTLSContext(context.Background(), "tcp", strings.TrimPrefix(other.URL, "https://"))
		var fe *FingerprintError
		if !errors.As(err, &fe) || fe.Actual != otherFP || fe.Expected != fp {
			t.Errorf("DialTLSContext(other) error = %v; want FingerprintError %s → %s", err, fp, otherFP)
		}
	})
}

func TestPinnedTLSConfig(t *testing.T) {
	srv, fp := newTLSServer(t, http.NotFoundHandler())
	if _, err := PinnedTLSConfig(strings.Repeat("00", 32), srv.Certificate()); err == nil {
		t.Errorf("PinnedTLSConfig(wrong fingerprint) = nil error; want a FingerprintError")
	}
	cfg, err := PinnedTLSConfig(fp, srv.Certificate())
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}}
	res, err := client.Get(srv.URL)
	if err != nil {
		t.Fatalf("Get over pinned config = %v", err)
	}
	res.Body.Close()
}
