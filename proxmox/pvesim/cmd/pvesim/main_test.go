package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

func fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}

// fetchPinned fetches url trusting only the certificate with fingerprint
// fp. It reads the certificate from a first handshake that fails
// verification (tls.CertificateVerificationError carries it), checks the
// pin, and then trusts that certificate alone as the root.
func fetchPinned(t *testing.T, url, fp, auth string) (*http.Response, []byte) {
	t.Helper()
	host := strings.TrimPrefix(url, "https://")
	host = host[:strings.IndexByte(host, '/')]
	_, err := tls.Dial("tcp", host, &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: x509.NewCertPool()})
	var verr *tls.CertificateVerificationError
	if !errors.As(err, &verr) || len(verr.UnverifiedCertificates) == 0 {
		t.Fatalf("probe handshake: %v; want a verification error carrying the certificate", err)
	}
	leaf := verr.UnverifiedCertificates[0]
	if got := fingerprint(leaf.Raw); got != fp {
		t.Fatalf("server fingerprint %s; want the printed %s", got, fp)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", auth)
	res, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, b
}

// TestRun serves each release -pve names and checks what it says it plays.
func TestRun(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ pve, version string }{{"", "9.1.2"}, {"8.4", "8.4.1"}} {
		t.Run("pve="+tt.pve, func(t *testing.T) {
			t.Parallel()
			args := []string{"-listen", "127.0.0.1:0", "-nodes", "2", "-guests", "5", "-seed", "3"}
			if tt.pve != "" {
				args = append(args, "-pve", tt.pve)
			}
			testRun(t, args, tt.version)
		})
	}
}

func testRun(t *testing.T, args []string, version string) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	var stderr bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, args, pw, &stderr)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("read banner: %v (stderr %s)", err, stderr.String())
	}
	var b banner
	dec := json.NewDecoder(strings.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		t.Fatalf("banner %q: %v", line, err)
	}
	if !strings.HasPrefix(b.URL, "https://127.0.0.1:") || b.TokenID != "root@pam!cecyber" || len(b.Secret) != 36 || len(b.Fingerprint) != 95 ||
		b.Version != version {
		t.Errorf("banner = %+v", b)
	}
	// Every node is reachable where the banner says, pinned to its own
	// certificate, and only on loopback.
	if len(b.Nodes) != 2 || b.Nodes[0].URL != b.URL || b.Nodes[0].Fingerprint != b.Fingerprint {
		t.Fatalf("banner nodes = %+v; want 2, the first at the banner's URL", b.Nodes)
	}
	for _, n := range b.Nodes {
		u, err := url.Parse(n.URL)
		if ip := net.ParseIP(u.Hostname()); err != nil || ip == nil || !ip.IsLoopback() {
			t.Errorf("node %s is at %q; want a loopback address", n.Name, n.URL)
		}
		res, body := fetchPinned(t, n.URL+"/api2/json/version", n.Fingerprint, "PVEAPIToken="+b.TokenID+"="+b.Secret)
		var v struct {
			Data struct{ Version string } `json:"data"`
		}
		if err := json.Unmarshal(body, &v); err != nil || res.StatusCode != 200 || v.Data.Version != version {
			t.Errorf("GET /version on %s: %s %s; want version %s", n.Name, res.Status, body, version)
		}
	}
	res, body := fetchPinned(t, b.URL+"/api2/json/cluster/resources?type=vm", b.Fingerprint, "PVEAPIToken="+b.TokenID+"="+b.Secret)
	var env struct {
		Data []map[string]any `json:"data"`
	}
	if err := json.Unmarshal(body, &env); err != nil || res.StatusCode != 200 || len(env.Data) != 5 {
		t.Errorf("GET /cluster/resources = %s %s (%v); want 5 guests", res.Status, body, err)
	}
	go io.Copy(io.Discard, pr) // nothing more is expected on stdout
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("run exited %d; want 0", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after cancel")
	}
}

func TestRunUsage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
	}{
		{"UnknownFlag", []string{"-bogus"}},
		{"Positional", []string{"extra"}},
		{"NoNodes", []string{"-nodes", "0"}},
		{"NegativeGuests", []string{"-guests", "-1"}},
		{"BadNumber", []string{"-nodes", "three"}},
		{"Remote", []string{"-listen", "0.0.0.0:8006"}},
		{"BadAddress", []string{"-listen", "nonsense"}},
		{"BadRelease", []string{"-pve", "7.4"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tt.args, &stdout, &stderr)
			if code != 2 || stdout.Len() != 0 || !strings.Contains(stderr.String(), "usage: pvesim") {
				t.Errorf("run(%q) = %d, stdout %q, stderr %q; want 2, nothing, usage", tt.args, code, stdout.String(), stderr.String())
			}
		})
	}
}

// TestBinarySignal builds the command and checks that SIGTERM ends it with
// status 0 after exactly one line on stdout.
func TestBinarySignal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	if runtime.GOOS == "windows" {
		t.Skip("sends the binary SIGTERM, which Windows cannot deliver (os.Process.Signal there only kills)")
	}
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "pvesim")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "-listen", "127.0.0.1:0", "-guests", "3")
	stdout, _ := cmd.StdoutPipe()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	r := bufio.NewReader(stdout)
	line, err := r.ReadString('\n')
	if err != nil || !json.Valid([]byte(line)) {
		t.Fatalf("first line %q: %v (stderr %s)", line, err, stderr.String())
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(r)
	if err := cmd.Wait(); err != nil {
		t.Errorf("exit after SIGTERM: %v (stderr %s)", err, stderr.String())
	}
	if len(rest) != 0 {
		t.Errorf("more stdout after the banner: %q", rest)
	}
}

// TestControl drives the cluster through -control commands on stdin and
// sees the effect over the API.
func TestControl(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	go func() {
		runWith(ctx, []string{"-listen", "127.0.0.1:0", "-nodes", "2", "-guests", "5", "-seed", "1", "-control"}, inR, outW, io.Discard)
		outW.Close()
	}()
	out := bufio.NewReader(outR)
	line, err := out.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	var b banner
	if err := json.Unmarshal([]byte(line), &b); err != nil {
		t.Fatal(err)
	}
	say := func(cmd string) string {
		t.Helper()
		fmt.Fprintln(inW, cmd)
		reply, err := out.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(reply)
	}
	cpuOf := func(vmid int) float64 {
		_, body := fetchPinned(t, b.URL+"/api2/json/cluster/resources?type=vm", b.Fingerprint, "PVEAPIToken="+b.TokenID+"="+b.Secret)
		var env struct {
			Data []struct {
				VMID int     `json:"vmid"`
				CPU  float64 `json:"cpu"`
			} `json:"data"`
		}
		json.Unmarshal(body, &env)
		for _, g := range env.Data {
			if g.VMID == vmid {
				return g.CPU
			}
		}
		t.Fatalf("no guest %d", vmid)
		return 0
	}
	if r := say("cpu 101 0.97"); r != "ok" {
		t.Fatalf("cpu command: %s", r)
	}
	if got := cpuOf(101); got != 0.97 {
		t.Errorf("cpu of 101 = %v; want 0.97", got)
	}
	if r := say("cpu 101 -"); r != "ok" || cpuOf(101) == 0.97 {
		t.Errorf("undo: %s, cpu %v", r, cpuOf(101))
	}
	if r := say("node pve2 offline"); r != "ok" {
		t.Errorf("node command: %s", r)
	}
	if r := say("cert pve1"); r != "ok" {
		t.Errorf("cert command: %s", r)
	}
	_, err = tls.Dial("tcp", strings.TrimPrefix(b.URL, "https://"), &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: x509.NewCertPool()})
	var verr *tls.CertificateVerificationError
	if !errors.As(err, &verr) || len(verr.UnverifiedCertificates) == 0 {
		t.Fatalf("handshake after cert pve1: %v; want a verification error carrying the certificate", err)
	}
	if got := fingerprint(verr.UnverifiedCertificates[0].Raw); got == b.Fingerprint {
		t.Errorf("after cert pve1: pve1 still presents %s; want a new certificate", got)
	}
	if r := say("cert pve9"); !strings.HasPrefix(r, "error: ") {
		t.Errorf("cert of an unknown node answered %q", r)
	}
	if r := say("reboot everything"); !strings.HasPrefix(r, "error: unknown command") {
		t.Errorf("unknown command answered %q", r)
	}
	inW.Close()
}
