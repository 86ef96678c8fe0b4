package proxmox

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// rawStatus answers with a hand-written status line, because pveproxy puts
// its message in the reason phrase, which net/http servers cannot set.
func rawStatus(code int, reason, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			panic(err)
		}
		defer conn.Close()
		fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\nContent-Type: application/json;charset=UTF-8\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
			code, reason, len(body), body)
		buf.Flush()
	}
}

func TestErrorKinds(t *testing.T) {
	tests := []struct {
		name    string
		handler http.Handler
		want    errorView
		wantMsg string // a fragment of Error()
	}{
		{"ErrUnauthorized", rawStatus(401, "authentication failure", `{"data":null}`),
			errorView{Kind: KindUnauthorized, Op: "GET /version", Status: 401, Message: "authentication failure"},
			"check the token ID and secret"},
		{"ErrForbidden", rawStatus(403, "Permission check failed (/vms/100, VM.PowerMgmt)", `{"data":null}`),
			errorView{Kind: KindForbidden, Op: "GET /version", Status: 403, Message: "Permission check failed (/vms/100, VM.PowerMgmt)"},
			"Permission check failed (/vms/100, VM.PowerMgmt)"},
		{"ErrNotFound", rawStatus(404, "Not Found", `{"data":null}`),
			errorView{Kind: KindNotFound, Op: "GET /version", Status: 404},
			"(404)"},
		{"ErrInvalid", rawStatus(400, "Parameter verification failed.", `{"errors":{"vmid":"VM 200 already exists"},"data":null}`),
			errorView{Kind: KindInvalid, Op: "GET /version", Status: 400, Message: "Parameter verification failed.", Errors: map[string]string{"vmid": "VM 200 already exists"}},
			"vmid: VM 200 already exists"},
		{"ErrServerBodyMessage", rawStatus(500, "Internal Server Error", `{"data":null,"message":"got timeout\n"}`),
			errorView{Kind: KindServer, Op: "GET /version", Status: 500, Message: "got timeout"},
			"got timeout"},
		{"ErrNotFoundAs500", rawStatus(500, "Configuration file 'nodes/pve1/qemu-server/999.conf' does not exist", `{"data":null}`),
			errorView{Kind: KindNotFound, Op: "GET /version", Status: 500, Message: "Configuration file 'nodes/pve1/qemu-server/999.conf' does not exist"},
			"does not exist"},
		{"ErrNodeOffline", rawStatus(595, "No route to host", `{"data":null}`),
			errorView{Kind: KindServer, Op: "GET /version", Status: 595, Message: "No route to host"},
			"offline"},
		{"ErrNotImplemented", rawStatus(501, "Method 'GET /version' not implemented", `{"data":null}`),
			errorView{Kind: KindNotImplemented, Op: "GET /version", Status: 501, Message: "Method 'GET /version' not implemented"},
			"upgrade Proxmox VE"},
		{"ErrProtocol", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "<html>hello</html>") }),
			errorView{Kind: KindProtocol, Op: "GET /version"},
			"is this the address of a Proxmox VE node"},
		{"ErrEchoedSecret", rawStatus(401, "invalid token "+testSecret, `{"data":null,"message":"bad `+testSecret+`"}`),
			errorView{Kind: KindUnauthorized, Op: "GET /version", Status: 401, Message: "bad [redacted]"},
			"[redacted]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, fp := newTLSServer(t, tt.handler)
			_, err := mustClient(t, srv.URL, fp).Version(context.Background())
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("Version() error = %v; want *Error", err)
			}
			got := errorView{pe.Kind, pe.Op, pe.Status, pe.Message, pe.Errors}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Version() error (-want +got):\n%s", diff)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.wantMsg) {
				t.Errorf("Error() = %q; want it to contain %q", msg, tt.wantMsg)
			}
			if strings.Contains(msg, testSecret) || strings.Contains(msg, "PVEAPIToken") {
				t.Errorf("Error() = %q leaks the credential", msg)
			}
		})
	}
}

func TestErrorKindsNetwork(t *testing.T) {
	t.Run("ErrUnreachable", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		_, err = mustClient(t, "https://"+addr, strings.Repeat("AB", 32)).Version(context.Background())
		if !IsKind(err, KindUnreachable) {
			t.Errorf("Version() on a closed port = %v; want KindUnreachable", err)
		}
	})
	t.Run("ErrTimeout", func(t *testing.T) {
		release := make(chan struct{})
		srv, fp := newTLSServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}))
		defer close(release)
		c, err := NewClient(Config{Endpoint: srv.URL, TokenID: "root@pam!tok", Secret: testSecret, Fingerprint: fp, Timeout: 100 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Version(context.Background())
		if !IsKind(err, KindTimeout) {
			t.Errorf("Version() on a silent server = %v; want KindTimeout", err)
		}
	})
	t.Run("ErrNotTLS", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		go func() {
			for {
				conn, err := ln.Accept()
				if err != nil {
					return
				}
				bufio.NewReader(conn).ReadByte()
				fmt.Fprint(conn, "HTTP/1.1 400 Bad Request\r\n\r\n")
				conn.Close()
			}
		}()
		_, err = Probe(context.Background(), ln.Addr().String())
		if !IsKind(err, KindProtocol) {
			t.Errorf("Probe() of a plain-HTTP server = %v; want KindProtocol", err)
		}
	})
	t.Run("ErrCanceled", func(t *testing.T) {
		srv, fp := newTLSServer(t, http.NotFoundHandler())
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := mustClient(t, srv.URL, fp).Version(ctx)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Version(canceled ctx) = %v; want context.Canceled", err)
		}
	})
}

func TestRequestsRefusedBeforeSending(t *testing.T) {
	srv, fp := newTLSServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request reached the server: %s %s", r.Method, r.URL.Path)
	}))
	c := mustClient(t, srv.URL, fp)
	ctx := context.Background()
	checks := map[string]error{}
	_, checks["reset of a container"] = c.GuestAction(ctx, GuestRef{Node: "pve1", Type: LXC, VMID: 100}, Reset)
	_, checks["unknown action"] = c.GuestAction(ctx, GuestRef{Node: "pve1", Type: QEMU, VMID: 100}, Action("destroy"))
	_, checks["bad node"] = c.NodeStatus(ctx, "../access")
	_, checks["bad VMID"] = c.GuestStatus(ctx, GuestRef{Node: "pve1", Type: QEMU, VMID: 5})
	_, checks["bad type"] = c.GuestConfig(ctx, GuestRef{Node: "pve1", Type: "openvz", VMID: 100})
	_, checks["bad UPID"] = c.TaskStatus(ctx, "pve1", "UPID:pve1:../../x")
	_, checks["UPID of another node"] = c.TaskLog(ctx, "pve2", "UPID:pve1:000A1B2C:0123ABCD:65F0A1B2:qmstart:100:root@pam:")
	_, checks["bad timeframe"] = c.NodeRRDData(ctx, "pve1", "decade", "")
	_, checks["bad resource type"] = c.Resources(ctx, "qemu")
	for what, err := range checks {
		if !IsKind(err, KindInvalid) {
			t.Errorf("%s: error = %v; want KindInvalid", what, err)
		}
	}
}

func TestNewClient(t *testing.T) {
	fp := strings.Repeat("ab", 32)
	t.Run("OK", func(t *testing.T) {
		c, err := NewClient(Config{Endpoint: "pve.example.com", TokenID: "root@pam!tok", Secret: testSecret, Fingerprint: fp})
		if err != nil {
			t.Fatal(err)
		}
		if c.Endpoint() != "https://pve.example.com:8006" || c.Fingerprint() != formatHexPairs(mustHex(t, fp)) {
			t.Errorf("Endpoint, Fingerprint = %q, %q", c.Endpoint(), c.Fingerprint())
		}
	})
	for name, cfg := range map[string]Config{
		"ErrEndpoint":    {Endpoint: "http://pve", TokenID: "root@pam!tok", Secret: testSecret, Fingerprint: fp},
		"ErrTokenID":     {Endpoint: "pve", TokenID: "x", Secret: testSecret, Fingerprint: fp},
		"ErrNoSecret":    {Endpoint: "pve", TokenID: "root@pam!tok", Fingerprint: fp},
		"ErrFingerprint": {Endpoint: "pve", TokenID: "root@pam!tok", Secret: testSecret, Fingerprint: "AB:CD"},
		"ErrNoPin":       {Endpoint: "pve", TokenID: "root@pam!tok", Secret: testSecret},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := NewClient(cfg); !IsKind(err, KindInvalid) {
				t.Errorf("NewClient(%v) = %v; want KindInvalid", cfg, err)
			}
		})
	}
}

func TestSecretNeverPrinted(t *testing.T) {
	cfg := Config{Endpoint: "pve", TokenID: "root@pam!tok", Secret: testSecret, Fingerprint: strings.Repeat("AB", 32)}
	c, err := NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		for _, v := range []any{cfg, &cfg, c} {
			if s := fmt.Sprintf(format, v); strings.Contains(s, testSecret) {
				t.Errorf("Sprintf(%q, %T) = %q contains the secret", format, v, s)
			}
		}
	}
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b := make([]byte, len(s)/2)
	if _, err := fmt.Sscanf(s, "%x", &b); err != nil {
		t.Fatal(err)
	}
	return b
}
