package server

import (
	"net"
	"testing"
)

// TestListenPairSharesOnePortNumber: UDP and TCP get the same number,
// a free one for port 0, many times over (each time a TCP port of that
// number is taken, another is tried).
func TestListenPairSharesOnePortNumber(t *testing.T) {
	for range 50 {
		udp, ln, err := listenPair("127.0.0.1", 0, true)
		if err != nil {
			t.Fatal(err)
		}
		u, p := udp.LocalAddr().(*net.UDPAddr).Port, ln.Addr().(*net.TCPAddr).Port
		_ = udp.Close()
		_ = ln.Close()
		if u != p {
			t.Fatalf("UDP port %d, TCP port %d", u, p)
		}
	}
}

// TestListenPairRefusesATakenConfiguredPort: a configured port whose TCP
// number is taken is an error, not another port.
func TestListenPairRefusesATakenConfiguredPort(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	port := taken.Addr().(*net.TCPAddr).Port
	udp, ln, err := listenPair("127.0.0.1", port, true)
	if err == nil {
		_ = udp.Close()
		_ = ln.Close()
		t.Fatalf("port %d taken by TCP, yet listenPair succeeded", port)
	}
}
