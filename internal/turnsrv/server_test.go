package turnsrv

import (
	"net"
	"sync"
	"testing"
	"time"

	"github.com/pion/turn/v5"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testTURN runs a TURN server on 127.0.0.1 (UDP and TCP) relaying only to
// peer, with the sessions in live; startTURNOn runs it elsewhere.
type testTURN struct {
	srv    *Server
	secret Secret
	udp    net.Addr
	tcp    net.Addr
	mu     sync.Mutex
	live   map[string]bool
}

func startTURN(t *testing.T, peer net.IP) *testTURN {
	t.Helper()
	return startTURNOn(t, "127.0.0.1", []net.IP{net.IPv4(127, 0, 0, 1)}, peer)
}

// startTURNOn runs the server on host's UDP and TCP, relaying from relays.
func startTURNOn(t *testing.T, host string, relays []net.IP, peer net.IP) *testTURN {
	t.Helper()
	sec, _ := NewSecret("0123456789abcdef-secret")
	pc, err := net.ListenPacket("udp", net.JoinHostPort(host, "0"))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		t.Fatal(err)
	}
	tt := &testTURN{secret: sec, udp: pc.LocalAddr(), tcp: ln.Addr(), live: map[string]bool{}}
	tt.srv, err = New(Config{Secret: sec, PacketConn: pc, Listeners: []net.Listener{ln}, RelayIPs: relays,
		PeerAllowed:              func(ip net.IP) bool { return ip.Equal(peer) },
		SessionLive:              func(s string) bool { tt.mu.Lock(); defer tt.mu.Unlock(); return tt.live[s] },
		MaxAllocationsPerSession: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tt.srv.Close() })
	return tt
}

func (tt *testTURN) setLive(s string, live bool) {
	tt.mu.Lock()
	defer tt.mu.Unlock()
	tt.live[s] = live
}

// client returns a TURN client over UDP with user and password.
func (tt *testTURN) client(t *testing.T, user, pass string) *turn.Client {
	t.Helper()
	local := "127.0.0.1:0"
	if tt.udp.(*net.UDPAddr).IP.To4() == nil {
		local = "[::1]:0"
	}
	conn, err := net.ListenPacket("udp", local)
	if err != nil {
		t.Fatal(err)
	}
	return tt.newClient(t, conn, tt.udp.String(), user, pass)
}

// tcpClient returns a TURN client over TCP with user and password.
func (tt *testTURN) tcpClient(t *testing.T, user, pass string) *turn.Client {
	t.Helper()
	tc, err := net.Dial("tcp", tt.tcp.String())
	if err != nil {
		t.Fatal(err)
	}
	return tt.newClient(t, turn.NewSTUNConn(tc), tt.tcp.String(), user, pass)
}

func (tt *testTURN) newClient(t *testing.T, conn net.PacketConn, server, user, pass string) *turn.Client {
	t.Helper()
	c, err := turn.NewClient(&turn.ClientConfig{TURNServerAddr: server, STUNServerAddr: server,
		Username: user, Password: pass, Realm: Realm, Conn: conn, RTO: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Listen(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(); _ = conn.Close() })
	return c
}

func TestAllocate(t *testing.T) {
	tt := startTURN(t, net.IPv4(127, 0, 0, 1))
	tt.setLive("live", true)
	now := time.Now()
	good := tt.secret.Issue("live", now.Add(time.Hour))
	other, _ := NewSecret("another-secret-of-16+")
	for _, tc := range []struct {
		name      string
		user, pwd string
		ok        bool
	}{
		{"a live session's credential", good.Username, good.Password, true},
		{"a wrong password", good.Username, "bm90IHRoZSBwYXNzd29yZA==", false},
		{"another secret's credential", good.Username, other.Issue("live", now.Add(time.Hour)).Password, false},
		{"an expired credential", tt.secret.Issue("live", now.Add(-time.Second)).Username, tt.secret.Issue("live", now.Add(-time.Second)).Password, false},
		{"an ended session's credential", tt.secret.Issue("gone", now.Add(time.Hour)).Username, tt.secret.Issue("gone", now.Add(time.Hour)).Password, false},
		{"a username not expiry:session", "alice", "x", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := tt.client(t, tc.user, tc.pwd)
			relay, err := c.Allocate()
			if tc.ok != (err == nil) {
				t.Fatalf("Allocate: err %v, want success %v", err, tc.ok)
			}
			if relay != nil {
				_ = relay.Close()
			}
		})
	}
}

// TestRelayOnlyToOwnAddresses: a relay sends to the node's media address,
// not to any other address a client names.
func TestRelayOnlyToOwnAddresses(t *testing.T) {
	media, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer media.Close()
	tt := startTURN(t, net.IPv4(127, 0, 0, 1))
	tt.setLive("s", true)
	cred := tt.secret.Issue("s", time.Now().Add(time.Hour))
	c := tt.client(t, cred.Username, cred.Password)
	relay, err := c.Allocate()
	if err != nil {
		t.Fatal(err)
	}
	defer relay.Close()
	if _, err := relay.WriteTo([]byte("to a stranger"), &net.UDPAddr{IP: net.IPv4(127, 0, 0, 2), Port: 9}); err == nil {
		t.Fatal("a relay to 127.0.0.2 was permitted; only the node's media address is")
	}
	if _, err := relay.WriteTo([]byte("media"), media.LocalAddr()); err != nil {
		t.Fatalf("relay to the media address: %v", err)
	}
	buf := make([]byte, 64)
	_ = media.SetReadDeadline(time.Now().Add(20 * time.Second))
	n, from, err := media.ReadFrom(buf)
	if err != nil || string(buf[:n]) != "media" {
		t.Fatalf("media got %q from %v, err %v", buf[:n], from, err)
	}
}

// TestSessionEndRefusesNewAllocations: once the session has ended its
// credential opens no new allocation, while the live one still relays.
func TestSessionEndRefusesNewAllocations(t *testing.T) {
	media, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer media.Close()
	tt := startTURN(t, net.IPv4(127, 0, 0, 1))
	tt.setLive("s", true)
	cred := tt.secret.Issue("s", time.Now().Add(time.Hour))
	relay, err := tt.client(t, cred.Username, cred.Password).Allocate()
	if err != nil {
		t.Fatal(err)
	}
	defer relay.Close()
	tt.setLive("s", false)
	if r, err := tt.client(t, cred.Username, cred.Password).Allocate(); err == nil {
		_ = r.Close()
		t.Fatal("an ended session's credential opened an allocation")
	}
	if _, err := relay.WriteTo([]byte("still"), media.LocalAddr()); err != nil {
		t.Fatalf("the live allocation stopped relaying: %v", err)
	}
}

// TestAllocationQuota: a session holds at most MaxAllocationsPerSession.
func TestAllocationQuota(t *testing.T) {
	tt := startTURN(t, net.IPv4(127, 0, 0, 1))
	tt.setLive("s", true)
	cred := tt.secret.Issue("s", time.Now().Add(time.Hour))
	for i := range 2 {
		r, err := tt.client(t, cred.Username, cred.Password).Allocate()
		if err != nil {
			t.Fatalf("allocation %d: %v", i+1, err)
		}
		defer r.Close()
	}
	if r, err := tt.client(t, cred.Username, cred.Password).Allocate(); err == nil {
		_ = r.Close()
		t.Fatal("a third allocation was granted; the quota is 2")
	}
}
