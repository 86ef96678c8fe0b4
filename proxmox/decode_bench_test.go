package proxmox

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"cecyber/proxmox/pvesim"
)

func benchSim(b *testing.B) (*pvesim.Server, *Client) {
	b.Helper()
	s := pvesim.NewTestServer(b, pvesim.Config{Guests: 10000})
	tok := s.AdminToken()
	c, err := NewClient(Config{Endpoint: s.URL, TokenID: tok.ID, Secret: tok.Secret, Fingerprint: s.Fingerprint, Timeout: 30 * time.Second})
	if err != nil {
		b.Fatalf("NewClient: %v", err)
	}
	return s, c
}

// BenchmarkResources10k is one GET /cluster/resources of a 10,000-guest
// cluster through the client, the server's work included.
func BenchmarkResources10k(b *testing.B) {
	_, c := benchSim(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		res, err := c.Resources(ctx, "")
		if err != nil || len(res) < 10000 {
			b.Fatalf("Resources = %d, %v", len(res), err)
		}
	}
}

// BenchmarkDecodeResources10k is the client's decoding of that response
// alone, done as go-proxmox does it: the envelope into raw members, then
// data into []Resource.
func BenchmarkDecodeResources10k(b *testing.B) {
	s, _ := benchSim(b)
	tok := s.AdminToken()
	hc := s.Client() // trusts only the simulator's own certificates
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/api2/json/cluster/resources", nil)
	req.Header.Set("Authorization", "PVEAPIToken="+tok.ID+"="+tok.Secret)
	resp, err := hc.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		b.Fatalf("GET = %d, %v", resp.StatusCode, err)
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var env map[string]json.RawMessage
		if err := json.Unmarshal(body, &env); err != nil {
			b.Fatal(err)
		}
		var out []Resource
		var v any = &out
		if err := json.Unmarshal(env["data"], &v); err != nil || len(out) < 10000 {
			b.Fatalf("decode = %d, %v", len(out), err)
		}
	}
}
