package realnet_test

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media"
	"go.uber.org/goleak"

	"github.com/cohost-rtc/cohost/internal/config"
	"github.com/cohost-rtc/cohost/internal/servertest"
	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/rtc"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// waitTimeout bounds every wait of these tests.
const waitTimeout = 20 * time.Second

// The helper test run inside the namespace reads its orders from these.
const (
	envViewer  = "COHOST_REALNET_VIEWER"
	envURL     = "COHOST_REALNET_URL"
	envApp     = "COHOST_REALNET_APP"
	envChannel = "COHOST_REALNET_CHANNEL"
	envProxy   = "COHOST_REALNET_PROXY"
	envICETCP  = "COHOST_REALNET_ICETCP"
)

// payload is what the host sends and the viewer waits for.
const payload = "cohost media through a blocked network"

// TestUDPBlockedViewerGetsMediaThroughTURN: a viewer whose UDP to the
// server is dropped joins without asking for anything and still receives
// the host's audio: ICE falls back to the TURN relay over TCP. The link is
// limited to 2 Mbit/s (tbf).
func TestUDPBlockedViewerGetsMediaThroughTURN(t *testing.T) {
	ns := newNetns(t)
	ns.blockUDP(t)
	ns.limitRate(t, "2mbit")
	srv := startServer(t, ns, nil)
	runViewer(t, ns, srv, rtc.NoneProxy, nil)
}

// TestUDPBlockedViewerWithTCPProxy: the same viewer forcing the TCP proxy
// (Agora's TCP_PROXY, the Web SDK's startProxyServer(5)) gets the media
// through TURN over TLS on the server's HTTPS port.
func TestUDPBlockedViewerWithTCPProxy(t *testing.T) {
	ns := newNetns(t)
	ns.blockUDP(t)
	certFile, keyFile := selfSigned(t, ns.hostIP)
	srv := startServer(t, ns, func(c *config.Config) { c.TLSCert, c.TLSKey = certFile, keyFile })
	if !strings.HasPrefix(srv.URL, "https://") {
		t.Fatalf("server URL %s is not HTTPS", srv.URL)
	}
	// The viewer trusts the test certificate as a system root: Pion checks
	// the TURN server's certificate against them.
	runViewer(t, ns, srv, rtc.TCPProxy, []string{"SSL_CERT_FILE=" + certFile})
}

// TestUDPBlockedViewerUsesICETCP: with mediaTCP on and no TURN, a viewer
// whose UDP to the server is dropped receives the host's audio on the
// fan-out transport over ICE-TCP, on the media port's number: the only way
// left.
func TestUDPBlockedViewerUsesICETCP(t *testing.T) {
	ns := newNetns(t)
	ns.blockUDP(t)
	srv := startServer(t, ns, func(c *config.Config) {
		c.MediaTCP = true
		c.TURN.Mode = config.TURNOff
		// Without TURN, the host beside the server publishes from its
		// private address.
		c.ICE.AllowPrivateCandidates = config.PrivateCandidatesAllow
	})
	runHelper(t, ns, "^TestNamespaceViewer$", []string{envViewer + "=1", envURL + "=" + srv.URL, envApp + "=" + srv.TestAppID,
		envChannel + "=realnet", envProxy + "=0", envICETCP + "=1"}, func() error {
		if n := srv.TURNAllocations(); n != 0 {
			return fmt.Errorf("%d TURN allocations with TURN off", n)
		}
		return nil
	})
}

// startServer runs a server on the host's side of ns's link, with the
// embedded TURN server, and a host there publishing audio until the test
// ends.
func startServer(t *testing.T, ns *netns, mutate func(*config.Config)) *servertest.Server {
	t.Helper()
	srv := servertest.Start(t, func(c *config.Config) {
		c.Listen = net.JoinHostPort(ns.hostIP, "0")
		c.AllowTestingMode = true
		// As on a public address: no ICE check to private candidates
		// but the node's own (its TURN relays).
		c.ICE.AllowPrivateCandidates = config.PrivateCandidatesDeny
		c.TURN.Mode = config.TURNEmbedded
		c.TURN.Port = 0
		if mutate != nil {
			mutate(c)
		}
	})
	se := &webrtc.SettingEngine{}
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetIncludeLoopbackCandidate(true)
	hostIP := net.ParseIP(ns.hostIP)
	se.SetIPFilter(func(ip net.IP) bool { return ip.Equal(hostIP) })
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	t.Cleanup(client.CloseIdleConnections)
	host, err := rtc.NewEngine(rtc.EngineConfig{ServerURL: srv.URL, AppID: srv.TestAppID, SettingEngine: se,
		ClientRole: protocol.RoleBroadcaster, HTTPClient: client})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*waitTimeout)
	stopped := make(chan struct{})
	t.Cleanup(func() {
		cancel()
		<-stopped
		if err := host.Close(); err != nil {
			t.Errorf("host Close: %v", err)
		}
	})
	if _, err := host.JoinChannel(ctx, "", "realnet", 1); err != nil {
		close(stopped)
		t.Fatalf("host join: %v", err)
	}
	audio, err := rtc.NewLocalTrack(protocol.CodecOpus)
	if err != nil {
		close(stopped)
		t.Fatal(err)
	}
	if err := host.Publish(ctx, audio); err != nil {
		close(stopped)
		t.Fatalf("host publish: %v", err)
	}
	go func() {
		defer close(stopped)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				_ = audio.WriteSample(media.Sample{Data: []byte(payload), Duration: 20 * time.Millisecond})
			}
		}
	}()
	return srv
}

// runViewer runs TestNamespaceViewer inside ns and waits until it has
// received the host's audio while the server holds a TURN allocation.
func runViewer(t *testing.T, ns *netns, srv *servertest.Server, proxy rtc.CloudProxyType, env []string) {
	t.Helper()
	runHelper(t, ns, "^TestNamespaceViewer$", append([]string{envViewer + "=1", envURL + "=" + srv.URL, envApp + "=" + srv.TestAppID,
		envChannel + "=realnet", envProxy + "=" + strconv.Itoa(int(proxy))}, env...), relayed(srv))
}

// relayed checks that srv holds a TURN allocation: the media went through
// the relay.
func relayed(srv *servertest.Server) func() error {
	return func() error {
		if n := srv.TURNAllocations(); n < 1 {
			return fmt.Errorf("media arrived with %d TURN allocations: it did not go through the relay", n)
		}
		return nil
	}
}

// runHelper runs the test binary's helper test matching pattern inside ns
// with env added, waits until it prints VIEWER-RECEIVED, runs check, and
// lets it end.
func runHelper(t *testing.T, ns *netns, pattern string, env []string, check func() error) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*waitTimeout)
	defer cancel()
	cmd := ns.command(ctx, exe, "-test.run="+pattern, "-test.v")
	cmd.Env = append(os.Environ(), env...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	received := make(chan struct{})
	var mu sync.Mutex
	var out strings.Builder
	output := func() string { mu.Lock(); defer mu.Unlock(); return out.String() }
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			mu.Lock()
			out.WriteString(sc.Text() + "\n")
			mu.Unlock()
			if strings.HasPrefix(sc.Text(), "VIEWER-RECEIVED") {
				close(received)
			}
		}
	}()
	select {
	case <-received:
	case <-ctx.Done():
		_ = stdin.Close()
		_ = cmd.Wait()
		t.Fatalf("the viewer in the namespace got no media within %s\nstdout:\n%s\nstderr:\n%s", 3*waitTimeout, output(), stderr.String())
	}
	if err := check(); err != nil {
		t.Error(err)
	}
	_ = stdin.Close() // the viewer leaves
	if err := cmd.Wait(); err != nil {
		t.Fatalf("viewer: %v\nstdout:\n%s\nstderr:\n%s", err, output(), stderr.String())
	}
	t.Logf("viewer: %s", strings.TrimSpace(output()))
}

// waitStdin blocks until the test that started this helper closes its
// standard input, after it has looked at the server.
func waitStdin() { _, _ = io.Copy(io.Discard, os.Stdin) }

// TestNamespaceViewer is the viewer runViewer starts inside the
// namespace; run directly it skips.
func TestNamespaceViewer(t *testing.T) {
	if os.Getenv(envViewer) == "" {
		t.Skip("the viewer half of the namespace tests, started by them inside the namespace")
	}
	proxy, _ := strconv.Atoi(os.Getenv(envProxy))
	se := &webrtc.SettingEngine{}
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	if os.Getenv(envICETCP) != "" {
		// Pion gathers UDP only unless told.
		se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4, webrtc.NetworkTypeTCP4})
	}
	h := &viewerHandler{published: make(chan struct{}, 1)}
	e, err := rtc.NewEngine(rtc.EngineConfig{ServerURL: os.Getenv(envURL), AppID: os.Getenv(envApp), SettingEngine: se,
		Handler: h, CloudProxy: rtc.CloudProxyType(proxy)})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*waitTimeout)
	defer cancel()
	if _, err := e.JoinChannel(ctx, "", os.Getenv(envChannel), 2); err != nil {
		t.Fatalf("join: %v", err)
	}
	select {
	case <-h.published:
	case <-ctx.Done():
		t.Fatal("the host's audio was not announced")
	}
	track, err := e.Subscribe(ctx, 1, protocol.MediaAudio)
	if err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	got := make(chan error, 1)
	go func() {
		for {
			pkt, err := track.ReadRTP()
			if err != nil {
				got <- err
				return
			}
			if string(pkt.Payload) == payload {
				got <- nil
				return
			}
		}
	}()
	select {
	case err := <-got:
		if err != nil {
			t.Fatalf("read: %v", err)
		}
	case <-ctx.Done():
		t.Fatal("no media")
	}
	fmt.Println("VIEWER-RECEIVED")
	waitStdin()
	if err := e.LeaveChannel(context.Background()); err != nil {
		t.Errorf("leave: %v", err)
	}
}

type viewerHandler struct {
	rtc.BaseEventHandler
	published chan struct{}
}

func (h *viewerHandler) OnUserPublished(uid protocol.UID, mt protocol.MediaType) {
	if uid == 1 && mt == protocol.MediaAudio {
		select {
		case h.published <- struct{}{}:
		default:
		}
	}
}

// selfSigned writes a certificate for ip and its key, returning the files.
func selfSigned(t *testing.T, ip string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "cohost realnet"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP(ip)}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

// TestUDPBlockedPublisherUsesICETCP: with mediaTCP on and no TURN, a host
// in the namespace whose UDP to the server is dropped publishes over
// ICE-TCP on the media port's number, and a viewer outside receives it.
func TestUDPBlockedPublisherUsesICETCP(t *testing.T) {
	ns := newNetns(t)
	ns.blockUDP(t)
	srv := servertest.Start(t, func(c *config.Config) {
		c.Listen = net.JoinHostPort(ns.hostIP, "0")
		c.AllowTestingMode = true
		c.MediaTCP = true
		c.TURN.Mode = config.TURNOff
	})
	se := &webrtc.SettingEngine{}
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	hostIP := net.ParseIP(ns.hostIP)
	se.SetIPFilter(func(ip net.IP) bool { return ip.Equal(hostIP) })
	h := &viewerHandler{published: make(chan struct{}, 1)}
	viewer, err := rtc.NewEngine(rtc.EngineConfig{ServerURL: srv.URL, AppID: srv.TestAppID, SettingEngine: se, Handler: h})
	if err != nil {
		t.Fatal(err)
	}
	defer viewer.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*waitTimeout)
	defer cancel()
	if _, err := viewer.JoinChannel(ctx, "", "realnet", 2); err != nil {
		t.Fatalf("viewer join: %v", err)
	}
	received := make(chan struct{})
	go func() {
		select {
		case <-h.published:
		case <-ctx.Done():
			return
		}
		track, err := viewer.Subscribe(ctx, 1, protocol.MediaAudio)
		if err != nil {
			t.Errorf("subscribe: %v", err)
			return
		}
		for {
			pkt, err := track.ReadRTP()
			if err != nil {
				return
			}
			if string(pkt.Payload) == payload {
				close(received)
				return
			}
		}
	}()
	runHelper(t, ns, "^TestNamespacePublisher$", []string{envPublisher + "=1", envURL + "=" + srv.URL, envApp + "=" + srv.TestAppID,
		envChannel + "=realnet"}, func() error {
		select {
		case <-received:
			return nil
		case <-time.After(2 * waitTimeout):
			return fmt.Errorf("the viewer got none of the namespace host's audio within %s", 2*waitTimeout)
		}
	})
}

const envPublisher = "COHOST_REALNET_PUBLISHER"

// TestNamespacePublisher is the host TestUDPBlockedPublisherUsesICETCP
// runs inside the namespace; run directly it skips.
func TestNamespacePublisher(t *testing.T) {
	if os.Getenv(envPublisher) == "" {
		t.Skip("the publisher half of the ICE-TCP test, started by it inside the namespace")
	}
	se := &webrtc.SettingEngine{}
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4, webrtc.NetworkTypeTCP4})
	e, err := rtc.NewEngine(rtc.EngineConfig{ServerURL: os.Getenv(envURL), AppID: os.Getenv(envApp), SettingEngine: se,
		ClientRole: protocol.RoleBroadcaster})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*waitTimeout)
	defer cancel()
	if _, err := e.JoinChannel(ctx, "", os.Getenv(envChannel), 1); err != nil {
		t.Fatalf("join: %v", err)
	}
	audio, err := rtc.NewLocalTrack(protocol.CodecOpus)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Publish(ctx, audio); err != nil {
		t.Fatalf("publish over ICE-TCP: %v", err)
	}
	fmt.Println("VIEWER-RECEIVED publishing") // runHelper's check waits for the media
	done := make(chan struct{})
	go func() { waitStdin(); close(done) }()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-done:
			return
		case <-tick.C:
			_ = audio.WriteSample(media.Sample{Data: []byte(payload), Duration: 20 * time.Millisecond})
		}
	}
}
