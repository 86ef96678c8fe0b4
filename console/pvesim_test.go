package console

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"cecyber/proxmox"
	"cecyber/proxmox/pvesim"
)

// TestProxyPVESim opens a console the way the app does: vncproxy with
// websocket=1 over real HTTPS, then Register with the node's pinned dialer,
// and a noVNC-like client that receives the guest's framebuffer: on
// Proxmox VE 9.1 with the password vncproxy answers, before qemu-server
// 9.1.7 and on PVE 8.4 (no password without generate-password) with the
// ticket as the password.
func TestProxyPVESim(t *testing.T) {
	for _, tt := range []struct {
		name string
		cfg  pvesim.Config
	}{
		{"Password", pvesim.Config{}},
		{"LegacyTicketAsPassword", pvesim.Config{LegacyVNC: true}},
		{"PVE84", pvesim.Config{Version: pvesim.Version84}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := pvesim.NewTestServer(t, tt.cfg)
			tok, ok := srv.Token(pvesim.AdminTokenID)
			if !ok {
				t.Fatal("no admin token")
			}
			auth := "PVEAPIToken=" + tok.ID + "=" + tok.Secret
			var guest *pvesim.Guest
			for _, g := range srv.Guests() {
				if g.Type == "qemu" && g.Status == "running" && !g.Template {
					guest = &g
					break
				}
			}
			if guest == nil {
				t.Fatal("no running VM in the simulator")
			}
			path := "/nodes/" + guest.Node + "/qemu/" + strconv.Itoa(guest.VMID)

			req, _ := http.NewRequest("POST", srv.APIURL()+path+"/vncproxy", strings.NewReader("websocket=1"))
			req.Header.Set("Authorization", auth)
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("vncproxy: %s", resp.Status)
			}
			var body struct {
				Data struct {
					Port     string `json:"port"`
					Ticket   string `json:"ticket"`
					Password string `json:"password"`
				} `json:"data"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatal(err)
			}
			password := body.Data.Password
			if (password == "") != tt.cfg.LegacyVNC && tt.cfg.Version != pvesim.Version84 {
				t.Errorf("vncproxy password %q", password)
			}
			if password == "" {
				password = body.Data.Ticket
			}

			dialer, err := proxmox.NewPinnedDialer(srv.Fingerprint)
			if err != nil {
				t.Fatal(err)
			}
			p, _ := newTestProxy(t, Options{})
			ends := newEnds()
			localURL, err := p.Register(Session{
				Upstream: "wss://" + strings.TrimPrefix(srv.URL, "https://") + "/api2/json" + path +
					"/vncwebsocket?port=" + body.Data.Port + "&vncticket=" + url.QueryEscape(body.Data.Ticket),
				Header:   http.Header{"Authorization": {auth}},
				DialTLS:  dialer.DialTLSContext,
				Password: password,
				OnEnd:    ends.onEnd,
			})
			if err != nil {
				t.Fatal(err)
			}
			c := connect(t, localURL, "", 0)
			if c.width <= 0 || c.height <= 0 {
				t.Fatalf("ServerInit %dx%d", c.width, c.height)
			}
			lit := 0
			for _, px := range c.readFramebuffer(t) {
				if px != 0 {
					lit++
				}
			}
			if lit == 0 {
				t.Error("the framebuffer is blank")
			}
			c.conn.Close()
			ends.wait(t)
		})
	}
}
