package turnsrv

import (
	"errors"
	"net"
	"testing"
	"time"

	"github.com/pion/turn/v5"
)

// TestRelayOverIPv6: on ::1, an allocation over UDP and one over TCP get
// relays on ::1 that reach the node's media address and no other.
func TestRelayOverIPv6(t *testing.T) {
	media, err := net.ListenPacket("udp6", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	}
	defer media.Close()
	tt := startTURNOn(t, "::1", []net.IP{net.IPv6loopback}, net.IPv6loopback)
	tt.setLive("s", true)
	cred := tt.secret.Issue("s", time.Now().Add(time.Hour))
	for name, c := range map[string]*turn.Client{
		"udp": tt.client(t, cred.Username, cred.Password),
		"tcp": tt.tcpClient(t, cred.Username, cred.Password),
	} {
		t.Run(name, func(t *testing.T) {
			relay, err := c.Allocate()
			if err != nil {
				t.Fatalf("Allocate over %s on ::1: %v", name, err)
			}
			defer relay.Close()
			if ip := relay.LocalAddr().(*net.UDPAddr).IP; !ip.Equal(net.IPv6loopback) {
				t.Fatalf("relayed address %v, want ::1", relay.LocalAddr())
			}
			stranger := &net.UDPAddr{IP: net.ParseIP("fd00::99"), Port: 9}
			if _, err := relay.WriteTo([]byte("to a stranger"), stranger); err == nil {
				t.Fatalf("a relay to %v was permitted; only the node's media address is", stranger)
			}
			if _, err := relay.WriteTo([]byte("media over "+name), media.LocalAddr()); err != nil {
				t.Fatalf("relay to the media address: %v", err)
			}
			buf := make([]byte, 64)
			_ = media.SetReadDeadline(time.Now().Add(20 * time.Second))
			n, from, err := media.ReadFrom(buf)
			if err != nil || string(buf[:n]) != "media over "+name {
				t.Fatalf("media got %q from %v, err %v", buf[:n], from, err)
			}
			if !from.(*net.UDPAddr).IP.Equal(net.IPv6loopback) || from.(*net.UDPAddr).Port != relay.LocalAddr().(*net.UDPAddr).Port {
				t.Fatalf("media got the packet from %v, want the relay %v", from, relay.LocalAddr())
			}
		})
	}
}

// TestAllocationOfAFamilyWithoutRelay: a server relaying from IPv4 only
// refuses an allocation asked over IPv6, and New refuses two relay IPs of
// one family.
func TestAllocationOfAFamilyWithoutRelay(t *testing.T) {
	if c, err := net.ListenPacket("udp6", "[::1]:0"); err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	} else {
		_ = c.Close()
	}
	tt := startTURNOn(t, "::1", []net.IP{net.IPv4(127, 0, 0, 1)}, net.IPv4(127, 0, 0, 1))
	tt.setLive("s", true)
	cred := tt.secret.Issue("s", time.Now().Add(time.Hour))
	if r, err := tt.client(t, cred.Username, cred.Password).Allocate(); err == nil {
		_ = r.Close()
		t.Fatal("an IPv6 allocation was granted by a server with an IPv4 relay IP only")
	}
	sec, _ := NewSecret("0123456789abcdef-secret")
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	_, err = New(Config{Secret: sec, PacketConn: pc, RelayIPs: []net.IP{net.IPv6loopback, net.ParseIP("fd00::2")}})
	if !errors.Is(err, ErrRelayIPFamilyTwice) {
		t.Fatalf("New with two IPv6 relay IPs: %v, want ErrRelayIPFamilyTwice", err)
	}
}
