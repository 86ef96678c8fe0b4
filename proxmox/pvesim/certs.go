package pvesim

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"strings"
	"sync"
	"time"
)

// A cluster's certificates, as pve-cluster sets them up
// (PVE::Cluster::Setup): one RSA cluster CA, /etc/pve/pve-root-ca.pem,
// signs every node's RSA pve-ssl.pem, which pveproxy serves unless the
// node has a custom certificate, pveproxy-ssl.pem (`pvenode cert set`,
// ACME; here RotateCertificate or Config.CustomCertificates).
// certificates/info lists them in that order (PVE/API2/Certificates.pm).

// rsaKeyBits is pve-cluster's key size for the CA and node certificates.
const rsaKeyBits = 2048

// rsaKeys keeps the RSA keys made so far, by index: making a 2048-bit key
// costs tens of milliseconds, and every simulator of a test binary would
// pay it for its CA and each node. Certificates stay unique per simulator
// (fresh serials, subjects and validity); only keys repeat.
var rsaKeys struct {
	mu   sync.Mutex
	keys []*rsa.PrivateKey
}

func rsaKey(i int) (*rsa.PrivateKey, error) {
	rsaKeys.mu.Lock()
	defer rsaKeys.mu.Unlock()
	for len(rsaKeys.keys) <= i {
		k, err := rsa.GenerateKey(rand.Reader, rsaKeyBits)
		if err != nil {
			return nil, err
		}
		rsaKeys.keys = append(rsaKeys.keys, k)
	}
	return rsaKeys.keys[i], nil
}

// newClusterCA makes pve-root-ca.pem.
func newClusterCA(clusterID string) (*nodeCert, error) {
	key, err := rsaKey(0)
	if err != nil {
		return nil, err
	}
	wall := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: randomSerial(),
		Subject: pkix.Name{
			CommonName:         "Proxmox Virtual Environment",
			OrganizationalUnit: []string{clusterID},
			Organization:       []string{"PVE Cluster Manager CA"},
		},
		NotBefore:             wall.Add(-48 * time.Hour).Truncate(time.Second),
		NotAfter:              wall.Add(10 * 365 * 24 * time.Hour).Truncate(time.Second),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	return issue(tmpl, tmpl, &key.PublicKey, key, key,
		"/CN=Proxmox Virtual Environment/OU="+clusterID+"/O=PVE Cluster Manager CA", "")
}

// newPVESSL makes node name's pve-ssl.pem, signed by ca, for its IPs.
func newPVESSL(ca *nodeCert, keyIndex int, name string, ips []net.IP) (*nodeCert, error) {
	key, err := rsaKey(keyIndex)
	if err != nil {
		return nil, err
	}
	wall := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: randomSerial(),
		Subject: pkix.Name{
			CommonName:         name + ".localdomain",
			OrganizationalUnit: []string{"PVE Cluster Node"},
			Organization:       []string{"Proxmox Virtual Environment"},
		},
		NotBefore:             wall.Add(-24 * time.Hour).Truncate(time.Second),
		NotAfter:              wall.Add(2 * 365 * 24 * time.Hour).Truncate(time.Second),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment | x509.KeyUsageDataEncipherment,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		DNSNames:              []string{"localhost", name, name + ".localdomain"},
		IPAddresses:           ips,
	}
	caKey := ca.tls.PrivateKey
	return issue(tmpl, ca.leaf, &key.PublicKey, key, caKey,
		"/OU=PVE Cluster Node/O=Proxmox Virtual Environment/CN="+name+".localdomain", ca.subject)
}

func randomSerial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		panic(fmt.Sprintf("pvesim: serial: %v", err))
	}
	return n
}

// issue signs tmpl with parent's key and wraps the result. issuer "" means
// self-signed.
func issue(tmpl, parent *x509.Certificate, pub any, key, parentKey any, subject, issuer string) (*nodeCert, error) {
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, parentKey)
	if err != nil {
		return nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	if issuer == "" {
		issuer = subject
	}
	return &nodeCert{
		tls:         tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf},
		leaf:        leaf,
		pem:         pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		fingerprint: Fingerprint(der),
		subject:     subject,
		issuer:      issuer,
	}, nil
}

// certInfo is one entry of certificates/info, as pve-common's
// PVE::Certificate::get_certificate_info describes a certificate: SANs
// bare (no "DNS:" prefix), IPv6 as eight groups of four hex digits.
func certInfo(filename string, ct *nodeCert) map[string]any {
	san := make([]string, 0, len(ct.leaf.DNSNames)+len(ct.leaf.IPAddresses))
	san = append(san, ct.leaf.DNSNames...)
	for _, ip := range ct.leaf.IPAddresses {
		if v4 := ip.To4(); v4 != nil {
			san = append(san, v4.String())
			continue
		}
		var groups []string
		for i := 0; i < 16; i += 2 {
			groups = append(groups, fmt.Sprintf("%02x%02x", ip[i], ip[i+1]))
		}
		san = append(san, strings.Join(groups, ":"))
	}
	keyType, bits := "id-ecPublicKey", 256
	if k, ok := ct.leaf.PublicKey.(*rsa.PublicKey); ok {
		keyType, bits = "rsaEncryption", k.N.BitLen()
	}
	return map[string]any{
		"filename":        filename,
		"fingerprint":     ct.fingerprint,
		"subject":         ct.subject,
		"issuer":          ct.issuer,
		"notbefore":       ct.leaf.NotBefore.Unix(),
		"notafter":        ct.leaf.NotAfter.Unix(),
		"pem":             string(ct.pem),
		"san":             san,
		"public-key-type": keyType,
		"public-key-bits": bits,
	}
}

// getCertificates is certificates/info: the cluster CA, the node's
// pve-ssl.pem, and its pveproxy-ssl.pem when it has a custom one.
func (s *Sim) getCertificates(c *call) (any, error) {
	out := []map[string]any{certInfo("pve-root-ca.pem", s.ca), certInfo("pve-ssl.pem", c.node.pveSSL)}
	if c.node.custom != nil {
		out = append(out, certInfo("pveproxy-ssl.pem", c.node.custom))
	}
	return out, nil
}
