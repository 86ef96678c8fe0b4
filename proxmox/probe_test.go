package proxmox

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// A trimmed copy of pveproxy's login page.
const indexPage = `<!DOCTYPE html>
<html><head><title>pve1 - Proxmox Virtual Environment</title>
<script type="text/javascript" src="/pve2/js/pvemanagerlib.js?ver=9.1.2"></script>
</head><body></body></html>`

func TestProbe(t *testing.T) {
	var mu sync.Mutex
	var requests, withAuth int
	cert := selfSignedCert(t, "pve1", true)
	srv, fp := newCertServer(t, cert, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		requests++
		if r.Header.Get("Authorization") != "" || r.Header.Get("Cookie") != "" {
			withAuth++
		}
		mu.Unlock()
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, indexPage)
	}))

	t.Run("OK", func(t *testing.T) {
		res, err := Probe(context.Background(), srv.URL)
		if err != nil {
			t.Fatalf("Probe(%s) = %v", srv.URL, err)
		}
		if res.Fingerprint != fp {
			t.Errorf("Fingerprint = %s; want %s", res.Fingerprint, fp)
		}
		if res.Version != "9.1.2" {
			t.Errorf("Version = %q; want 9.1.2", res.Version)
		}
		if !res.SelfSigned || !strings.Contains(res.Subject, "CN=pve1") || res.Endpoint != srv.URL {
			t.Errorf("Probe = %+v; want a self-signed pve1 certificate at %s", res, srv.URL)
		}
		if len(res.DNSNames) == 0 || res.NotAfter.IsZero() || res.Certificate == nil {
			t.Errorf("Probe = %+v; want names, dates and the certificate", res)
		}
		mu.Lock()
		defer mu.Unlock()
		if requests != 1 || withAuth != 0 {
			t.Errorf("server saw %d requests, %d with credentials; want 1 without", requests, withAuth)
		}
	})

	t.Run("OKWithoutVersion", func(t *testing.T) {
		srv, _ := newTLSServer(t, http.NotFoundHandler())
		res, err := Probe(context.Background(), srv.URL)
		if err != nil || res.Version != "" || res.Fingerprint == "" {
			t.Errorf("Probe = %+v, %v; want a fingerprint and no version", res, err)
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		if _, err := Probe(context.Background(), "http://pve"); !IsKind(err, KindInvalid) {
			t.Errorf("Probe(http://pve) = %v; want KindInvalid", err)
		}
	})
}
