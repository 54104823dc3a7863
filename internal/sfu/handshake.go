package sfu

import (
	"errors"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/transport/v4/deadline"
)

// errHandshakeConnClosed: the handshake's packet conn was closed.
var errHandshakeConnClosed = errors.New("sfu: handshake connection closed")

// handshakeConn is the net.PacketConn a DTLS handshake with one remote runs
// on: the shared reader queues the remote's DTLS records into it, and
// writes go to the media socket. It lives only while the handshake (and
// its short linger) does; once muted, writes are discarded, so closing the
// DTLS state afterwards sends no alert that would end the peer's session.
type handshakeConn struct {
	sock   addrPortConn
	remote func() netip.AddrPort // the peer's current address

	in     chan []byte
	closed chan struct{}
	once   sync.Once
	muted  atomic.Bool
	dl     *deadline.Deadline
	drops  *atomic.Uint64 // records dropped because the queue was full
}

func newHandshakeConn(sock addrPortConn, remote func() netip.AddrPort, drops *atomic.Uint64) *handshakeConn {
	return &handshakeConn{sock: sock, remote: remote, in: make(chan []byte, 32), closed: make(chan struct{}),
		dl: deadline.New(), drops: drops}
}

// push queues a copy of a DTLS record; it never blocks.
func (c *handshakeConn) push(p []byte) {
	select {
	case <-c.closed:
		return
	default:
	}
	select {
	case c.in <- append([]byte(nil), p...):
	default:
		c.drops.Add(1)
	}
}

func (c *handshakeConn) ReadFrom(b []byte) (int, net.Addr, error) {
	select {
	case p := <-c.in:
		return copy(b, p), net.UDPAddrFromAddrPort(c.remote()), nil
	case <-c.closed:
		return 0, nil, errHandshakeConnClosed
	case <-c.dl.Done():
		return 0, nil, errDeadline{}
	}
}

func (c *handshakeConn) WriteTo(b []byte, _ net.Addr) (int, error) {
	select {
	case <-c.closed:
		return 0, errHandshakeConnClosed
	default:
	}
	if c.muted.Load() {
		return len(b), nil
	}
	return c.sock.WriteToAddrPort(b, c.remote())
}

func (c *handshakeConn) Close() error {
	c.once.Do(func() { close(c.closed) })
	return nil
}

func (c *handshakeConn) LocalAddr() net.Addr { return c.sock.LocalAddr() }

func (c *handshakeConn) SetDeadline(t time.Time) error { return c.SetReadDeadline(t) }

func (c *handshakeConn) SetReadDeadline(t time.Time) error {
	c.dl.Set(t)
	return nil
}

func (c *handshakeConn) SetWriteDeadline(time.Time) error { return nil }

// errDeadline is a net.Error timeout, what a PacketConn returns when its
// read deadline passes.
type errDeadline struct{}

func (errDeadline) Error() string   { return "sfu: handshake read deadline exceeded" }
func (errDeadline) Timeout() bool   { return true }
func (errDeadline) Temporary() bool { return true }
