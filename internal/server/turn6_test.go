package server_test

import (
	"crypto/tls"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pion/turn/v5"

	"github.com/cohost-rtc/cohost/internal/config"
	"github.com/cohost-rtc/cohost/internal/servertest"
	"github.com/cohost-rtc/cohost/internal/turnsrv"
	"github.com/cohost-rtc/cohost/protocol"
)

// needIPv6 skips when ::1 cannot be bound.
func needIPv6(t *testing.T) {
	t.Helper()
	c, err := net.ListenPacket("udp6", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	}
	_ = c.Close()
}

// relayFrom opens a TURN allocation at server with ice's credential, over
// UDP from local, or over TCP when tcp is set; the allocation is closed
// when the test ends.
func relayFrom(t *testing.T, local, server string, tcp bool, ice protocol.ICEServer) net.PacketConn {
	t.Helper()
	var conn net.PacketConn
	if tcp {
		tc, err := net.Dial("tcp", server)
		if err != nil {
			t.Fatal(err)
		}
		conn = turn.NewSTUNConn(tc)
	} else {
		pc, err := net.ListenPacket("udp", local)
		if err != nil {
			t.Fatal(err)
		}
		conn = pc
	}
	c, err := turn.NewClient(&turn.ClientConfig{TURNServerAddr: server, STUNServerAddr: server,
		Username: ice.Username, Password: ice.Credential, Realm: turnsrv.Realm, Conn: conn, RTO: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(); _ = conn.Close() })
	if err := c.Listen(); err != nil {
		t.Fatal(err)
	}
	relay, err := c.Allocate()
	if err != nil {
		t.Fatalf("Allocate at %s from %s (tcp %v): %v", server, local, tcp, err)
	}
	t.Cleanup(func() { _ = relay.Close() })
	return relay
}

// relaysTo checks that a datagram sent through relay arrives at dst, read
// on sock, from the relay's address.
func relaysTo(t *testing.T, relay net.PacketConn, dst net.Addr, sock net.PacketConn) {
	t.Helper()
	msg := "through " + relay.LocalAddr().String()
	if _, err := relay.WriteTo([]byte(msg), dst); err != nil {
		t.Fatalf("relay %v to %v: %v", relay.LocalAddr(), dst, err)
	}
	buf := make([]byte, 128)
	_ = sock.SetReadDeadline(time.Now().Add(20 * time.Second))
	for {
		n, from, err := sock.ReadFrom(buf)
		if err != nil {
			t.Fatalf("%v received nothing relayed by %v: %v", dst, relay.LocalAddr(), err)
		}
		if string(buf[:n]) == msg {
			if got, want := from.(*net.UDPAddr).Port, relay.LocalAddr().(*net.UDPAddr).Port; got != want {
				t.Fatalf("relayed datagram from %v, want the relay %v", from, relay.LocalAddr())
			}
			return
		}
	}
}

// TestTURNOverIPv6: a server listening on [::1] hands out TURN URLs naming
// [::1]; allocations over UDP and TCP get relays on ::1 whose datagrams
// reach the node's media address over IPv6, and nothing else.
func TestTURNOverIPv6(t *testing.T) {
	needIPv6(t)
	srv := servertest.Start(t, withEmbeddedTURN, func(c *config.Config) { c.Listen = "[::1]:0" })
	if a := srv.TURNAddr().(*net.UDPAddr); !a.IP.Equal(net.IPv6loopback) {
		t.Fatalf("TURN on %v, want ::1", a)
	}
	c := dialRaw(t, srv.WSURL())
	resp := c.join(liveJoin(srv.TestAppID, 4, protocol.RoleAudience, ""))
	port := strconv.Itoa(srv.TURNAddr().(*net.UDPAddr).Port)
	want := []string{"turn:[::1]:" + port + "?transport=udp", "turn:[::1]:" + port + "?transport=tcp"}
	if len(resp.ICEServers) != 1 || strings.Join(resp.ICEServers[0].URLs, " ") != strings.Join(want, " ") {
		t.Fatalf("iceServers %+v, want the URLs %v", resp.ICEServers, want)
	}
	ice := resp.ICEServers[0]
	// The media port's socket, for the test to read what the relays send
	// it, is a second socket on its address (a relay may only send there).
	media := srv.MediaAddr().(*net.UDPAddr)
	if !media.IP.Equal(net.IPv6loopback) {
		t.Fatalf("media port on %v, want ::1", media)
	}
	sock, err := net.ListenPacket("udp6", "[::1]:0")
	if err != nil {
		t.Fatal(err)
	}
	defer sock.Close()
	for _, tcp := range []bool{false, true} {
		relay := relayFrom(t, "[::1]:0", net.JoinHostPort("::1", port), tcp, ice)
		if ip := relay.LocalAddr().(*net.UDPAddr).IP; !ip.Equal(net.IPv6loopback) {
			t.Fatalf("relayed address %v, want ::1", relay.LocalAddr())
		}
		// ::1 is the node's own media address, whatever the port.
		relaysTo(t, relay, sock.LocalAddr(), sock)
		stranger := &net.UDPAddr{IP: net.ParseIP("fd00::99"), Port: 9}
		if _, err := relay.WriteTo([]byte("x"), stranger); err == nil {
			t.Fatalf("a relay to %v was permitted; only the node's media addresses are", stranger)
		}
	}
}

// TestTURNDualStack: a server listening on every address relays an
// allocation made over IPv4 from an IPv4 address and one made over IPv6
// from an IPv6 address, each to the node's media addresses of its family.
func TestTURNDualStack(t *testing.T) {
	needIPv6(t)
	srv := servertest.Start(t, withEmbeddedTURN, func(c *config.Config) {
		c.Listen, c.AllowTestingMode = "[::]:0", true
	})
	c := dialRaw(t, srv.WSURL())
	resp := c.join(liveJoin(srv.TestAppID, 5, protocol.RoleAudience, ""))
	if len(resp.ICEServers) != 1 {
		t.Fatalf("iceServers %+v, want one TURN server", resp.ICEServers)
	}
	port := strconv.Itoa(srv.TURNAddr().(*net.UDPAddr).Port)
	for _, fam := range []struct{ local, server, network string }{
		{"127.0.0.1:0", net.JoinHostPort("127.0.0.1", port), "udp4"},
		{"[::1]:0", net.JoinHostPort("::1", port), "udp6"},
	} {
		relay := relayFrom(t, fam.local, fam.server, false, resp.ICEServers[0])
		rip := relay.LocalAddr().(*net.UDPAddr).IP
		if (rip.To4() != nil) != (fam.network == "udp4") {
			t.Fatalf("allocation over %s relayed from %v, want an address of its family", fam.server, rip)
		}
		// The relay's own address is one of the node's.
		sock, err := net.ListenPacket(fam.network, net.JoinHostPort(rip.String(), "0"))
		if err != nil {
			t.Fatal(err)
		}
		relaysTo(t, relay, sock.LocalAddr(), sock)
		_ = sock.Close()
	}
}

// TestTURNOverTLSOnIPv6: on [::1] with TLS, the join response's TURN over
// TLS URL names [::1] and the HTTPS port, and an allocation made over TLS
// there is relayed from ::1 to the node's media address.
func TestTURNOverTLSOnIPv6(t *testing.T) {
	needIPv6(t)
	cert, key := selfSigned(t, t.TempDir())
	srv := servertest.Start(t, withEmbeddedTURN, func(c *config.Config) {
		c.Listen, c.TLSCert, c.TLSKey = "[::1]:0", cert, key
	})
	hp := srv.HTTPAddr().String()
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	t.Cleanup(client.CloseIdleConnections)
	rc := dialRawWith(t, "wss://"+hp+protocol.SignalPath, client)
	join := rc.join(liveJoin(srv.TestAppID, 6, protocol.RoleAudience, ""))
	var turnsURL string
	for _, u := range join.ICEServers[0].URLs {
		if strings.HasPrefix(u, "turns:") {
			turnsURL = u
		}
	}
	if want := "turns:[::1]:" + strconv.Itoa(srv.HTTPAddr().(*net.TCPAddr).Port) + "?transport=tcp"; turnsURL != want {
		t.Fatalf("TURN over TLS URL %q, want %q", turnsURL, want)
	}
	conn, err := tls.Dial("tcp", hp, &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	tc, err := turn.NewClient(&turn.ClientConfig{TURNServerAddr: hp, STUNServerAddr: hp,
		Username: join.ICEServers[0].Username, Password: join.ICEServers[0].Credential, Realm: turnsrv.Realm,
		Conn: turn.NewSTUNConn(conn), RTO: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tc.Close(); _ = conn.Close() })
	if err := tc.Listen(); err != nil {
		t.Fatal(err)
	}
	relay, err := tc.Allocate()
	if err != nil {
		t.Fatalf("allocation over TLS on [::1]: %v", err)
	}
	defer relay.Close()
	if ip := relay.LocalAddr().(*net.UDPAddr).IP; !ip.Equal(net.IPv6loopback) {
		t.Fatalf("relayed address %v, want ::1", relay.LocalAddr())
	}
	sock, err := net.ListenPacket("udp6", "[::1]:0")
	if err != nil {
		t.Fatal(err)
	}
	defer sock.Close()
	relaysTo(t, relay, sock.LocalAddr(), sock)
}
