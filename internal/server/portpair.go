package server

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"syscall"
)

// pairAttempts bounds how often listenPair picks a new free UDP port when
// the TCP port of the same number is taken.
const pairAttempts = 32

// listenPair binds a UDP socket at host:port and, when withTCP, a TCP
// listener on the same port number (ICE-TCP and TURN over TCP announce
// one number for both). With port 0 the UDP port is a free one, and a TCP
// port of that number already in use (by a listener or an outgoing
// connection's ephemeral port) makes it try another, so random test ports
// do not fail at random.
func listenPair(host string, port int, withTCP bool) (*net.UDPConn, net.Listener, error) {
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	ua, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		return nil, nil, fmt.Errorf("UDP port %s: %w", addr, err)
	}
	for attempt := 1; ; attempt++ {
		udp, err := net.ListenUDP("udp", ua)
		if err != nil {
			return nil, nil, fmt.Errorf("UDP port %s: %w", addr, err)
		}
		if !withTCP {
			return udp, nil, nil
		}
		tcpAddr := net.JoinHostPort(host, strconv.Itoa(udp.LocalAddr().(*net.UDPAddr).Port))
		ln, err := net.Listen("tcp", tcpAddr)
		if err == nil {
			return udp, ln, nil
		}
		_ = udp.Close()
		if port != 0 || !errors.Is(err, syscall.EADDRINUSE) || attempt >= pairAttempts {
			return nil, nil, fmt.Errorf("TCP port %s: %w", tcpAddr, err)
		}
	}
}
