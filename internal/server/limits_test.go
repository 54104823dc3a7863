package server_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/cohost-rtc/cohost/internal/config"
	"github.com/cohost-rtc/cohost/internal/server"
	"github.com/cohost-rtc/cohost/internal/servertest"
	"github.com/cohost-rtc/cohost/protocol"
)

func TestLimitsAreEnforcedWithTypedErrors(t *testing.T) {
	srv := servertest.Start(t, func(c *config.Config) {
		c.Limits.MaxUsersPerChannel = 3
		c.Limits.MaxHostsPerChannel = 1
		c.Limits.MaxChannels = 2
		c.Limits.MaxRequestsPerSecond = 5
	})
	join := func(ch string, uid protocol.UID, role protocol.ClientRole) (*rawClient, protocol.Envelope) {
		c := dialRaw(t, srv.WSURL())
		return c, c.request(protocol.TypeJoin, protocol.JoinRequest{Version: protocol.Version, AppID: srv.TestAppID, Channel: protocol.ChannelName(ch), UID: uid, Role: role, Profile: protocol.ProfileLiveBroadcasting})
	}
	host, env := join("full", 1, protocol.RoleBroadcaster)
	mustOK(t, env)
	// Hosts per channel: a second host joins as audience, with the reason.
	second, env := join("full", 2, protocol.RoleBroadcaster)
	resp := decodeData[protocol.JoinResponse](t, mustOK(t, env))
	if resp.Role != protocol.RoleAudience || resp.RoleError == nil || protocol.ClientRoleChangeFailedReason(resp.RoleError.Reason) != protocol.RoleChangeFailedTooManyBroadcasters {
		t.Fatalf("second host: %+v (%+v)", resp, resp.RoleError)
	}
	e := wantError(t, second.request(protocol.TypeSetRole, protocol.SetRoleRequest{Role: protocol.RoleBroadcaster}), protocol.ErrSetClientRoleNotAuth)
	if protocol.ClientRoleChangeFailedReason(e.Reason) != protocol.RoleChangeFailedTooManyBroadcasters {
		t.Fatalf("reason %d", e.Reason)
	}
	// Users per channel.
	_, env = join("full", 3, protocol.RoleAudience)
	mustOK(t, env)
	_, env = join("full", 4, protocol.RoleAudience)
	wantError(t, env, protocol.ErrResourceLimited)
	// Channels per server.
	_, env = join("second", 1, protocol.RoleAudience)
	mustOK(t, env)
	_, env = join("third", 1, protocol.RoleAudience)
	wantError(t, env, protocol.ErrNoServerResources)
	// Request rate: a burst past 2×5 is refused, the connection stays usable.
	var refused int
	for range 30 {
		if r := host.request(protocol.TypePing, nil); r.Error != nil {
			if r.Error.Code != protocol.ErrTooOften {
				t.Fatalf("ping: %v", r.Error)
			}
			refused++
		}
	}
	if refused == 0 {
		t.Fatal("30 pings at once were all accepted with a limit of 5 per second")
	}
	time.Sleep(time.Second)
	mustOK(t, host.request(protocol.TypePing, nil))
}

func TestTestingModeOnlyOnLoopback(t *testing.T) {
	cfg := config.Default()
	cfg.Listen, cfg.MediaPort = "192.0.2.2:0", 0
	cfg.Apps = []config.App{{ID: servertest.TestAppID}}
	if _, err := server.New(cfg, nil); !errors.Is(err, server.ErrTestingModeNotAllowed) {
		t.Fatalf("testing-mode app on a public address: %v", err)
	}
}

// selfSigned writes a certificate and key for 127.0.0.1 into dir.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "cohost test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(key)
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	_ = os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	_ = os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	return certFile, keyFile
}

func TestHTTPSAndWSS(t *testing.T) {
	cert, key := selfSigned(t, t.TempDir())
	srv := servertest.Start(t, func(c *config.Config) { c.TLSCert, c.TLSKey = cert, key })
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	t.Cleanup(client.CloseIdleConnections)
	t.Cleanup(http.DefaultClient.CloseIdleConnections)
	base := "https://" + srv.HTTPAddr().String()
	resp, err := client.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.TLS == nil {
		t.Fatalf("healthz over TLS: %d", resp.StatusCode)
	}
	// Plain HTTP is not served on the TLS port.
	if r, err := http.Get("http://" + srv.HTTPAddr().String() + "/healthz"); err == nil {
		r.Body.Close()
		if r.StatusCode == 200 {
			t.Fatal("plain HTTP answered on the TLS port")
		}
	}
	ctx := ctxTimeout(t)
	ws, _, err := websocket.Dial(ctx, "wss://"+srv.HTTPAddr().String()+protocol.SignalPath, &websocket.DialOptions{HTTPClient: client})
	if err != nil {
		t.Fatalf("wss: %v", err)
	}
	_ = ws.Close(websocket.StatusNormalClosure, "")
}

func ctxTimeout(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}
