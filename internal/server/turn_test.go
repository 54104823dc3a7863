package server_test

import (
	"crypto/tls"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pion/turn/v5"

	"github.com/cohost-rtc/cohost/internal/config"
	"github.com/cohost-rtc/cohost/internal/servertest"
	"github.com/cohost-rtc/cohost/internal/turnsrv"
	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/token"
)

func withEmbeddedTURN(c *config.Config) {
	c.TURN.Mode = config.TURNEmbedded
	c.TURN.Port = 0
}

// allocate opens a TURN allocation over UDP at server (host:port) with
// ice's credential, returning the error.
func allocate(t *testing.T, server string, ice protocol.ICEServer) error {
	t.Helper()
	conn, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	c, err := turn.NewClient(&turn.ClientConfig{TURNServerAddr: server, STUNServerAddr: server,
		Username: ice.Username, Password: ice.Credential, Realm: turnsrv.Realm, Conn: conn, RTO: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Listen(); err != nil {
		t.Fatal(err)
	}
	relay, err := c.Allocate()
	if err == nil {
		_ = relay.Close()
	}
	return err
}

// udpTURNAddr returns the host:port of the turn:…?transport=udp URL.
func udpTURNAddr(t *testing.T, ice []protocol.ICEServer) string {
	t.Helper()
	if len(ice) != 1 {
		t.Fatalf("iceServers %+v, want one TURN server", ice)
	}
	for _, u := range ice[0].URLs {
		if strings.HasPrefix(u, "turn:") && strings.HasSuffix(u, "?transport=udp") {
			return strings.TrimSuffix(strings.TrimPrefix(u, "turn:"), "?transport=udp")
		}
	}
	t.Fatalf("no UDP TURN URL in %v", ice[0].URLs)
	return ""
}

// TestJoinHandsOutTURNBoundToTheSession: the join response carries TURN
// servers whose credential opens allocations while the session lives, is
// reissued on renewToken and resume, and opens none after leave.
func TestJoinHandsOutTURNBoundToTheSession(t *testing.T) {
	srv := servertest.Start(t, withEmbeddedTURN)
	c := dialRaw(t, srv.WSURL())
	tok := srv.Token(t, "live", 7, token.RolePublisher, 600)
	resp := c.join(liveJoin(srv.AppID, 7, protocol.RoleBroadcaster, tok))
	addr := udpTURNAddr(t, resp.ICEServers)
	if want := srv.TURNAddr().String(); addr != want {
		t.Fatalf("TURN URL names %s, want the server's %s", addr, want)
	}
	ice := resp.ICEServers[0]
	exp, session, err := turnsrv.Parse(ice.Username)
	if err != nil || session != resp.SessionID {
		t.Fatalf("username %q: session %q err %v, want session %s", ice.Username, session, err, resp.SessionID)
	}
	if d := time.Until(exp); d > 600*time.Second || d < 590*time.Second {
		t.Fatalf("credential valid for %s, want the token's 600 s", d)
	}
	for _, u := range ice.URLs {
		if strings.HasPrefix(u, "turns:") {
			t.Fatalf("TURN over TLS %s offered by a server without TLS", u)
		}
	}
	if err := allocate(t, addr, ice); err != nil {
		t.Fatalf("allocation with the join's credential: %v", err)
	}
	bad := ice
	bad.Credential = "d3JvbmcgcGFzc3dvcmQ="
	if err := allocate(t, addr, bad); err == nil {
		t.Fatal("allocation with a wrong password succeeded")
	}

	renewed := decodeData[protocol.RenewTokenResponse](t, mustOK(t, c.request(protocol.TypeRenewToken,
		protocol.RenewTokenRequest{Token: srv.Token(t, "live", 7, token.RolePublisher, 1200)})))
	if len(renewed.ICEServers) != 1 {
		t.Fatalf("renew-token response %+v, want fresh TURN credentials", renewed)
	}
	if exp2, _, _ := turnsrv.Parse(renewed.ICEServers[0].Username); !exp2.After(exp.Add(500 * time.Second)) {
		t.Fatalf("renewed credential expires %s, want the new token's expiry (after %s)", exp2, exp)
	}
	if err := allocate(t, addr, renewed.ICEServers[0]); err != nil {
		t.Fatalf("allocation with the renewed credential: %v", err)
	}

	mustOK(t, c.request(protocol.TypeLeave, nil))
	for _, cred := range []protocol.ICEServer{ice, renewed.ICEServers[0]} {
		if err := allocate(t, addr, cred); err == nil {
			t.Fatal("allocation with a credential of a session that left succeeded")
		}
	}
}

// TestSameUIDKickRevokesTURN: a session replaced by a later join of the
// same uid gets no new allocation.
func TestSameUIDKickRevokesTURN(t *testing.T) {
	srv := servertest.Start(t, withEmbeddedTURN)
	first := dialRaw(t, srv.WSURL())
	resp := first.join(liveJoin(srv.TestAppID, 3, protocol.RoleAudience, ""))
	addr := udpTURNAddr(t, resp.ICEServers)
	second := dialRaw(t, srv.WSURL())
	second.join(liveJoin(srv.TestAppID, 3, protocol.RoleAudience, ""))
	first.nextEvent(protocol.EventDisconnect, 10*time.Second)
	if err := allocate(t, addr, resp.ICEServers[0]); err == nil {
		t.Fatal("the kicked session's credential opened an allocation")
	}
}

// TestNoTURNOnLoopbackByDefault: auto mode offers no TURN on loopback.
func TestNoTURNOnLoopbackByDefault(t *testing.T) {
	srv := servertest.Start(t)
	c := dialRaw(t, srv.WSURL())
	if resp := c.join(liveJoin(srv.TestAppID, 1, protocol.RoleAudience, "")); len(resp.ICEServers) != 0 || srv.TURNAddr() != nil {
		t.Fatalf("iceServers %+v on a loopback server in auto mode", resp.ICEServers)
	}
}

// TestTURNOverTLSSharesTheHTTPSPort: with TLS on, the HTTPS port serves
// HTTPS and WSS and, to connections starting with STUN after the
// handshake, TURN over TLS.
func TestTURNOverTLSSharesTheHTTPSPort(t *testing.T) {
	cert, key := selfSigned(t, t.TempDir())
	srv := servertest.Start(t, withEmbeddedTURN, func(c *config.Config) { c.TLSCert, c.TLSKey = cert, key })
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	t.Cleanup(client.CloseIdleConnections)
	resp, err := client.Get("https://" + srv.HTTPAddr().String() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.TLS == nil {
		t.Fatalf("healthz over TLS: %d", resp.StatusCode)
	}
	rc := dialRawWith(t, "wss://"+srv.HTTPAddr().String()+protocol.SignalPath, client)
	join := rc.join(liveJoin(srv.TestAppID, 9, protocol.RoleAudience, ""))
	var turnsURL string
	for _, u := range join.ICEServers[0].URLs {
		if strings.HasPrefix(u, "turns:") {
			turnsURL = u
		}
	}
	if want := "turns:" + srv.HTTPAddr().String() + "?transport=tcp"; turnsURL != want {
		t.Fatalf("TURN over TLS URL %q, want %q", turnsURL, want)
	}
	conn, err := tls.Dial("tcp", srv.HTTPAddr().String(), &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	tc, err := turn.NewClient(&turn.ClientConfig{TURNServerAddr: srv.HTTPAddr().String(), STUNServerAddr: srv.HTTPAddr().String(),
		Username: join.ICEServers[0].Username, Password: join.ICEServers[0].Credential, Realm: turnsrv.Realm,
		Conn: turn.NewSTUNConn(conn), RTO: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	if err := tc.Listen(); err != nil {
		t.Fatal(err)
	}
	relay, err := tc.Allocate()
	if err != nil {
		t.Fatalf("allocation over TLS on the HTTPS port: %v", err)
	}
	_ = relay.Close()
}
