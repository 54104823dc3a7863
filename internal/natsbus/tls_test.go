package natsbus

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
)

// testPKI writes a CA and a certificate it signed for 127.0.0.1 (server
// and client use) to dir, and returns the file names.
func testPKI(t *testing.T, dir string) (caFile, certFile, keyFile string) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "cohost test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}}
	caCert, _ := x509.ParseCertificate(caDER)
	leafDER, err := x509.CreateCertificate(rand.Reader, leaf, caCert, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, typ string, der []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	return write("ca.pem", "CERTIFICATE", caDER), write("cert.pem", "CERTIFICATE", leafDER), write("key.pem", "EC PRIVATE KEY", keyDER)
}

// With a certificate, the embedded servers speak TLS on their routes
// (verified with the CA) and to clients: a client trusting the CA connects
// over TLS; one that does not (a plain-text client is upgraded) fails.
func TestTLSRoutesAndClients(t *testing.T) {
	ctx := testCtx(t)
	ca, cert, key := testPKI(t, t.TempDir())
	tlsCfg := TLS{Cert: cert, Key: key, CA: ca}
	const secret = "tls-cluster-secret-0123456789"
	routes := freeAddrs(t, 2)
	buses := make([]*Bus, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range buses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			listen := ""
			if i == 0 {
				listen = "127.0.0.1:0"
			}
			buses[i], errs[i] = Open(ctx, Config{Replicas: 2, Server: ServerConfig{
				Name: fmt.Sprint("t", i), StoreDir: t.TempDir(), Listen: listen, Credentials: Credentials{Token: secret}, TLS: tlsCfg,
				Cluster: Cluster{Listen: routes[i], Peers: routes, Secret: secret},
			}})
		}()
	}
	wg.Wait()
	for i, b := range buses {
		if errs[i] != nil {
			t.Fatalf("node %d: %v", i, errs[i])
		}
		defer b.Close()
	}
	if buses[0].Routes() == 0 || buses[1].Routes() == 0 {
		t.Fatalf("routes: %d, %d", buses[0].Routes(), buses[1].Routes())
	}
	c, err := Open(ctx, Config{URL: buses[0].ClientURL(), Credentials: Credentials{Token: secret}, TLS: TLS{CA: ca}})
	if err != nil {
		t.Fatalf("TLS client: %v", err)
	}
	if !c.Conn.TLSRequired() {
		t.Error("the client connection is not TLS")
	}
	c.Close()
	nc, err := nats.Connect(buses[0].ClientURL(), nats.Token(secret), nats.MaxReconnects(0), nats.Timeout(5*time.Second))
	if err == nil {
		nc.Close()
		t.Fatal("a client without the CA connected")
	}
	t.Logf("client without the CA: %v", err)
}
