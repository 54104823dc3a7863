package server_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/dns/dnsmessage"

	"github.com/cohost-rtc/cohost/internal/config"
	"github.com/cohost-rtc/cohost/internal/servertest"
)

// pebbleModule is the ACME test server the ACME tests build from the Go
// module proxy.
const pebbleModule = "github.com/letsencrypt/pebble/v2/cmd/pebble@v2.10.3"

// acmeDomain is the name the tests obtain a certificate for; the tests'
// DNS server resolves every name to 127.0.0.1.
const acmeDomain = "live.cohost.test"

// TestACMEObtainsCertificate runs a real ACME CA (pebble) on 127.0.0.1 that
// validates the challenges against the server through a DNS server of the
// test: the server obtains a certificate on the first handshake, by
// TLS-ALPN-01 on its HTTPS port or, when that port cannot be reached, by
// HTTP-01 on acme.httpListen, and serves it to browsers trusting the CA. A
// restart serves the cached certificate without asking the CA again.
func TestACMEObtainsCertificate(t *testing.T) {
	dir := t.TempDir()
	ca := &pebbleCA{bin: buildPebble(t), dns: startDNS(t), dirPort: closedPort(t), mgmtPort: closedPort(t)}
	ca.cert, ca.key = pebbleServerCert(t, dir)

	t.Run("tls-alpn-01", func(t *testing.T) {
		cache := t.TempDir()
		srv := servertest.Start(t, func(c *config.Config) { ca.configure(c, cache) })
		stop := ca.run(t, portOf(t, srv.HTTPAddr()), closedPort(t))
		roots := ca.roots(t)
		first := getHealthz(t, srv.HTTPAddr().String(), roots)

		// A restart with the same cache serves the same certificate, the CA
		// being gone.
		stop()
		if err := srv.Close(); err != nil {
			t.Fatal(err)
		}
		again := servertest.Start(t, func(c *config.Config) { ca.configure(c, cache) })
		if second := getHealthz(t, again.HTTPAddr().String(), roots); !second.Equal(first) {
			t.Errorf("after a restart the certificate changed: serial %v, then %v", first.SerialNumber, second.SerialNumber)
		}
	})

	t.Run("http-01", func(t *testing.T) {
		cache := t.TempDir()
		srv := servertest.Start(t, func(c *config.Config) {
			ca.configure(c, cache)
			c.ACME.HTTPListen = "127.0.0.1:0"
		})
		httpAddr := srv.ACMEHTTPAddr()
		if httpAddr == nil {
			t.Fatal("no HTTP-01 listener")
		}
		// TLS-ALPN-01 cannot reach the server, so HTTP-01 must do.
		ca.run(t, closedPort(t), portOf(t, httpAddr))
		getHealthz(t, srv.HTTPAddr().String(), ca.roots(t))

		// Other plain HTTP requests are sent to HTTPS.
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		req, _ := http.NewRequest(http.MethodGet, "http://"+httpAddr.String()+"/demo", nil)
		req.Host = acmeDomain
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		client.CloseIdleConnections()
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || loc != "https://"+acmeDomain+"/demo" {
			t.Errorf("plain HTTP: %d Location %q, want a redirect to https://%s/demo", resp.StatusCode, loc, acmeDomain)
		}
	})
}

// pebbleCA is a pebble ACME server: its binary, the DNS server it resolves
// names with, its HTTPS certificate and its ports.
type pebbleCA struct {
	bin, dns          string
	cert, key         string
	dirPort, mgmtPort int
}

func (ca *pebbleCA) dirURL() string { return fmt.Sprintf("https://127.0.0.1:%d/dir", ca.dirPort) }

// configure makes c obtain its certificate from ca, caching it in cache.
func (ca *pebbleCA) configure(c *config.Config, cache string) {
	c.ACME.Domains = acmeDomain
	c.ACME.CacheDir = cache
	c.ACME.CAFile = ca.cert
	c.ACME.DirectoryURL = ca.dirURL()
}

// getHealthz fetches /healthz from addr over HTTPS for acmeDomain, trusting
// only roots, and returns the certificate the server presented.
func getHealthz(t *testing.T, addr string, roots *x509.CertPool) *x509.Certificate {
	t.Helper()
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, ServerName: acmeDomain}}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 60 * time.Second}
	resp, err := client.Get("https://" + addr + "/healthz")
	if err != nil {
		t.Fatalf("healthz over a certificate from the ACME CA: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || string(body) != "ok\n" {
		t.Fatalf("healthz: %d %q", resp.StatusCode, body)
	}
	leaf := resp.TLS.PeerCertificates[0]
	if !slices.Contains(leaf.DNSNames, acmeDomain) {
		t.Fatalf("certificate for %v, want %s", leaf.DNSNames, acmeDomain)
	}
	return leaf
}

// buildPebble installs pebble from the module proxy into a temporary
// directory and returns the binary's path.
func buildPebble(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	bin := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, goBin, "install", pebbleModule)
	cmd.Dir = bin // outside the module: the version is pebble's own
	cmd.Env = append(os.Environ(), "GOBIN="+bin, "GOFLAGS=", "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go install %s: %v\n%s", pebbleModule, err, out)
	}
	return filepath.Join(bin, "pebble")
}

// pebbleServerCert writes a self-signed certificate for 127.0.0.1, pebble's
// HTTPS certificate and the root the server trusts for the directory.
func pebbleServerCert(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "pebble test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"localhost"},
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true, IsCA: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "pebble-cert.pem"), filepath.Join(dir, "pebble-key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

// run starts pebble validating TLS-ALPN-01 on tlsPort and HTTP-01 on
// httpPort of whatever its DNS server resolves names to, and waits until its
// directory answers. It returns a function stopping it (also called when
// the test ends).
func (ca *pebbleCA) run(t *testing.T, tlsPort, httpPort int) (stop func()) {
	t.Helper()
	dir := t.TempDir()
	cfg := map[string]any{"pebble": map[string]any{
		"listenAddress":                  fmt.Sprintf("127.0.0.1:%d", ca.dirPort),
		"managementListenAddress":        fmt.Sprintf("127.0.0.1:%d", ca.mgmtPort),
		"certificate":                    ca.cert,
		"privateKey":                     ca.key,
		"httpPort":                       httpPort,
		"tlsPort":                        tlsPort,
		"ocspResponderURL":               "",
		"externalAccountBindingRequired": false,
		"retryAfter":                     map[string]int{"authz": 1, "order": 1},
		"keyAlgorithm":                   "ecdsa",
		"profiles": map[string]any{"default": map[string]any{
			"description": "test", "validityPeriod": 7776000}},
	}}
	data, _ := json.Marshal(cfg)
	cfgFile := filepath.Join(dir, "pebble-config.json")
	if err := os.WriteFile(cfgFile, data, 0o600); err != nil {
		t.Fatal(err)
	}
	out := &syncBuffer{}
	cmd := exec.Command(ca.bin, "-config", cfgFile, "-dnsserver", ca.dns)
	// No random sleeps before validating, and no nonce refused on purpose:
	// both only slow the test. Validation itself is real.
	cmd.Env = append(os.Environ(), "PEBBLE_VA_NOSLEEP=1", "PEBBLE_WFE_NONCEREJECT=0")
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(waited) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			_ = cmd.Process.Kill()
			<-waited
		})
	}
	t.Cleanup(func() {
		stop()
		if t.Failed() {
			t.Logf("pebble output:\n%s", out.String())
		}
	})
	dirURL := ca.dirURL()
	client := httpsClient(t, ca.cert)
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := client.Get(dirURL)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("pebble not ready after 20 s: %v\n%s", err, out.String())
		}
		select {
		case <-waited:
			t.Fatalf("pebble exited:\n%s", out.String())
		case <-time.After(100 * time.Millisecond):
		}
	}
	return stop
}

// roots returns a pool holding the root the running pebble issues under.
func (ca *pebbleCA) roots(t *testing.T) *x509.CertPool {
	t.Helper()
	resp, err := httpsClient(t, ca.cert).Get(fmt.Sprintf("https://127.0.0.1:%d/roots/0", ca.mgmtPort))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	roots := x509.NewCertPool()
	if resp.StatusCode != http.StatusOK || !roots.AppendCertsFromPEM(data) {
		t.Fatalf("pebble root: %d %q", resp.StatusCode, data)
	}
	return roots
}

func httpsClient(t *testing.T, certFile string) *http.Client {
	t.Helper()
	data, err := os.ReadFile(certFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(data)
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

// startDNS serves DNS over TCP (what pebble asks with -dnsserver) on
// 127.0.0.1: every A question is answered 127.0.0.1, other types have no
// answer.
func startDNS(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	conns := map[net.Conn]struct{}{}
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		for c := range conns {
			_ = c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns[c] = struct{}{}
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				serveDNS(c)
			}()
		}
	}()
	return ln.Addr().String()
}

func serveDNS(c net.Conn) {
	for {
		_ = c.SetDeadline(time.Now().Add(20 * time.Second))
		var n [2]byte
		if _, err := io.ReadFull(c, n[:]); err != nil {
			return
		}
		q := make([]byte, binary.BigEndian.Uint16(n[:]))
		if _, err := io.ReadFull(c, q); err != nil {
			return
		}
		var p dnsmessage.Parser
		h, err := p.Start(q)
		if err != nil {
			return
		}
		question, err := p.Question()
		if err != nil {
			return
		}
		b := dnsmessage.NewBuilder(make([]byte, 2, 512), dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true, RecursionDesired: h.RecursionDesired})
		_ = b.StartQuestions()
		_ = b.Question(question)
		_ = b.StartAnswers()
		if question.Type == dnsmessage.TypeA {
			_ = b.AResource(dnsmessage.ResourceHeader{Name: question.Name, Class: dnsmessage.ClassINET, TTL: 60},
				dnsmessage.AResource{A: [4]byte{127, 0, 0, 1}})
		}
		msg, err := b.Finish()
		if err != nil {
			return
		}
		binary.BigEndian.PutUint16(msg, uint16(len(msg)-2))
		if _, err := c.Write(msg); err != nil {
			return
		}
	}
}

// closedPort returns a port of 127.0.0.1 nothing listens on.
func closedPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	return p
}

func portOf(t *testing.T, a net.Addr) int {
	t.Helper()
	return a.(*net.TCPAddr).Port
}

// syncBuffer collects a process's stdout and stderr.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}
