package sfu

import (
	"encoding/binary"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// packetClass is what a datagram on the media port carries, told apart by
// its first byte as RFC 7983 does.
type packetClass uint8

const (
	classOther packetClass = iota // none of the below: dropped when owned
	classSTUN                     // first byte 0–3
	classDTLS                     // first byte 20–63
	classRTP                      // first byte 128–191: RTP or RTCP (SRTP/SRTCP)
)

// String names the class (in logs and tests).
func (c packetClass) String() string {
	switch c {
	case classSTUN:
		return "stun"
	case classDTLS:
		return "dtls"
	case classRTP:
		return "rtp"
	default:
		return "other"
	}
}

func classify(p []byte) packetClass {
	if len(p) == 0 {
		return classOther
	}
	switch b := p[0]; {
	case b <= 3:
		return classSTUN
	case b >= 20 && b <= 63:
		return classDTLS
	case b >= 128 && b <= 191:
		return classRTP
	}
	return classOther
}

// demuxPeer is a remote transport served by the shared reader rather than
// by Pion: it receives every packet from the addresses bound to it, and
// STUN binding requests naming its ICE username fragment.
type demuxPeer interface {
	// handlePacket runs on the reader's goroutine: it must not block and
	// must not keep p after it returns.
	handlePacket(c packetClass, p []byte, from netip.AddrPort)
}

// addrPortConn is a packet socket with allocation-free addressing, as the
// media socket (*net.UDPConn through udpAddrPortConn, or batchConn) is.
type addrPortConn interface {
	net.PacketConn
	ReadFromAddrPort(p []byte) (int, netip.AddrPort, error)
	WriteToAddrPort(p []byte, addr netip.AddrPort) (int, error)
}

// udpAddrPortConn gives *net.UDPConn the addrPortConn methods.
type udpAddrPortConn struct{ *net.UDPConn }

func (c udpAddrPortConn) ReadFromAddrPort(p []byte) (int, netip.AddrPort, error) {
	return c.ReadFromUDPAddrPort(p)
}

func (c udpAddrPortConn) WriteToAddrPort(p []byte, addr netip.AddrPort) (int, error) {
	return c.WriteToUDPAddrPort(p, addr)
}

// packetAddrPortConn adapts any other net.PacketConn (tests, wrappers).
type packetAddrPortConn struct{ net.PacketConn }

func (c packetAddrPortConn) ReadFromAddrPort(p []byte) (int, netip.AddrPort, error) {
	for {
		n, addr, err := c.ReadFrom(p)
		if err != nil {
			return n, netip.AddrPort{}, err
		}
		if ua, ok := addr.(*net.UDPAddr); ok {
			return n, ua.AddrPort(), nil
		}
		// Not a UDP address: nothing on this port can answer it.
	}
}

func (c packetAddrPortConn) WriteToAddrPort(p []byte, addr netip.AddrPort) (int, error) {
	return c.WriteTo(p, net.UDPAddrFromAddrPort(addr))
}

func asAddrPortConn(c net.PacketConn) addrPortConn {
	switch c := c.(type) {
	case *net.UDPConn:
		return udpAddrPortConn{c}
	case addrPortConn:
		return c
	default:
		return packetAddrPortConn{c}
	}
}

// DemuxStats counts what the shared reader of the media port dropped
// instead of passing on.
type DemuxStats struct {
	// Malformed: packets from a served peer's address that were neither
	// STUN, DTLS nor SRTP/SRTCP.
	Malformed atomic.Uint64
	// BadSTUN: STUN messages for a served peer that were not valid
	// binding requests for it (wrong credentials, integrity, format).
	BadSTUN atomic.Uint64
	// DTLSQueueFull: DTLS records dropped because a handshake's queue was
	// full (a peer flooding its own handshake).
	DTLSQueueFull atomic.Uint64
	// HandshakeTimeouts and HandshakeFailures: DTLS handshakes that did
	// not finish in time, or failed (wrong certificate, bad records).
	HandshakeTimeouts, HandshakeFailures atomic.Uint64
	// LateDTLS: DTLS records from a peer whose DTLS state was dropped.
	LateDTLS atomic.Uint64
	// Unkeyed: SRTP/SRTCP from a peer before its handshake gave keys.
	Unkeyed atomic.Uint64
	// BadSRTP: SRTP/SRTCP packets that failed to authenticate or decrypt
	// (malformed, forged or replayed).
	BadSRTP atomic.Uint64
	// FilteredCandidates: client candidates (or check sources) the server
	// sent no check to because of the candidate policy.
	FilteredCandidates atomic.Uint64
	// UnknownAddress: packets other than STUN from an address no
	// connection on the port uses.
	UnknownAddress atomic.Uint64
	// UnknownUfrag: STUN from an unknown address that is not a binding
	// request naming a username fragment of a connection on the port.
	UnknownUfrag atomic.Uint64
	// Throttled: packets dropped unread because their remote had more
	// than sourceBadBudget packets refused within sourceWindow.
	Throttled atomic.Uint64
	// TCPQueueFull: packets not sent to a fan-out client on ICE-TCP
	// because tcpSendQueue were already queued for its connection.
	TCPQueueFull atomic.Uint64
}

// refused sums the counters of packets a served peer refused on the
// reading goroutine, to tell which remote a refusal came from.
func (s *DemuxStats) refused() uint64 {
	return s.Malformed.Load() + s.BadSTUN.Load() + s.DTLSQueueFull.Load() + s.LateDTLS.Load() +
		s.Unkeyed.Load() + s.BadSRTP.Load()
}

// demux is the shared reader of the media port. It owns the socket: every
// datagram is read here once, and those from peers served by the fan-out
// transport (bound remote addresses, or STUN binding requests for their
// username fragments) go to that peer on the spot, without a copy or a
// goroutine switch. Everything else (publishers' connections, and
// subscribers' while they use Pion) is returned to Pion's ICE UDP mux,
// which reads through this type as its net.PacketConn, so one port serves
// both. Packets that belong to neither (an address no connection uses, a
// check naming no username fragment on the port) are dropped and counted,
// and a remote whose packets keep being refused is throttled (sourceguard.go).
// The reading goroutine is thus the mux's own; writes go straight to
// the socket (or its batched sender).
type demux struct {
	conn  addrPortConn
	stats DemuxStats
	guard sourceGuard // the reading goroutine's only
	// scratch lends the links on this port their packet buffers.
	scratch scratchPool
	// serveMu makes the fan-out peers' packets, read here or from their
	// ICE-TCP connections (litetcp.go), handled one at a time, as if all
	// came from the one reading goroutine.
	serveMu sync.Mutex

	mu       sync.RWMutex
	byAddr   map[netip.AddrPort]demuxPeer
	byFrag   map[string]demuxPeer
	pion     map[string][]netip.AddrPort // Pion's ufrags, with the addresses learnt for each
	pionAddr map[netip.AddrPort]string
}

func newDemux(c net.PacketConn) *demux {
	return &demux{conn: asAddrPortConn(c), guard: newSourceGuard(), byAddr: map[netip.AddrPort]demuxPeer{},
		byFrag: map[string]demuxPeer{}, pion: map[string][]netip.AddrPort{}, pionAddr: map[netip.AddrPort]string{}}
}

// bindAddr routes every later packet from addr to p.
func (d *demux) bindAddr(addr netip.AddrPort, p demuxPeer) {
	d.mu.Lock()
	d.byAddr[canonical(addr)] = p
	d.mu.Unlock()
}

// unbindAddr stops routing addr to p (if it still is p's).
func (d *demux) unbindAddr(addr netip.AddrPort, p demuxPeer) {
	addr = canonical(addr)
	d.mu.Lock()
	if d.byAddr[addr] == p {
		delete(d.byAddr, addr)
	}
	d.mu.Unlock()
}

// addUfrag routes STUN binding requests whose USERNAME starts with
// "ufrag:" to p, from any address.
func (d *demux) addUfrag(ufrag string, p demuxPeer) {
	d.mu.Lock()
	d.byFrag[ufrag] = p
	d.mu.Unlock()
}

// removeUfrag stops routing ufrag to p (if it still is p's).
func (d *demux) removeUfrag(ufrag string, p demuxPeer) {
	d.mu.Lock()
	if d.byFrag[ufrag] == p {
		delete(d.byFrag, ufrag)
	}
	d.mu.Unlock()
}

// route finds who a packet belongs to: a served peer, Pion (pion true),
// or nobody (both zero).
func (d *demux) route(c packetClass, p []byte, from netip.AddrPort) (peer demuxPeer, pion bool) {
	d.mu.RLock()
	if peer := d.byAddr[from]; peer != nil {
		d.mu.RUnlock()
		return peer, false
	}
	if _, ok := d.pionAddr[from]; ok {
		d.mu.RUnlock()
		return nil, true
	}
	if c != classSTUN {
		d.mu.RUnlock()
		return nil, false
	}
	frag, ok := stunUfrag(p)
	if !ok {
		d.mu.RUnlock()
		return nil, false
	}
	peer = d.byFrag[string(frag)]
	d.mu.RUnlock()
	if peer != nil {
		return peer, false
	}
	return nil, d.learnPionAddr(frag, from)
}

// ReadFromAddrPort returns the next packet that belongs to Pion, serving
// the fan-out transport's packets on the way and dropping the others.
func (d *demux) ReadFromAddrPort(b []byte) (int, netip.AddrPort, error) {
	for {
		n, from, err := d.conn.ReadFromAddrPort(b)
		if err != nil {
			return n, from, err
		}
		from = canonical(from)
		if d.guard.throttled(from) {
			d.stats.Throttled.Add(1)
			continue
		}
		pion, refused := d.serve(b[:n], from)
		if pion {
			return n, from, nil
		}
		if refused {
			d.guard.charge(from)
		}
	}
}

// serve hands p, from from, to its fan-out peer, or tells it is Pion's
// (pion, and nothing done). Packets of neither are dropped and counted.
// refused reports that p's peer refused it, or that it is not a packet.
func (d *demux) serve(p []byte, from netip.AddrPort) (pion, refused bool) {
	c := classify(p)
	peer, pion := d.route(c, p, from)
	switch {
	case pion:
		return true, false
	case peer == nil && c == classSTUN:
		d.stats.UnknownUfrag.Add(1)
		return false, false
	case peer == nil:
		d.stats.UnknownAddress.Add(1)
		return false, false
	case c == classOther:
		d.stats.Malformed.Add(1)
		return false, true
	}
	d.serveMu.Lock()
	defer d.serveMu.Unlock()
	before := d.stats.refused()
	peer.handlePacket(c, p, from)
	return false, d.stats.refused() != before
}

// ReadFrom is ReadFromAddrPort for callers that want a net.Addr.
func (d *demux) ReadFrom(b []byte) (int, net.Addr, error) {
	n, from, err := d.ReadFromAddrPort(b)
	if err != nil {
		return n, nil, err
	}
	return n, net.UDPAddrFromAddrPort(from), nil
}

// WriteToAddrPort sends on the socket. A connectivity check from a Pion
// agent makes its destination Pion's.
func (d *demux) WriteToAddrPort(b []byte, addr netip.AddrPort) (int, error) {
	d.notePionWrite(b, addr)
	return d.conn.WriteToAddrPort(b, addr)
}

// WriteTo sends on the socket, as WriteToAddrPort does.
func (d *demux) WriteTo(b []byte, addr net.Addr) (int, error) {
	if ua, ok := addr.(*net.UDPAddr); ok {
		d.notePionWrite(b, ua.AddrPort())
	}
	return d.conn.WriteTo(b, addr)
}

// Close closes the socket.
func (d *demux) Close() error { return d.conn.Close() }

// LocalAddr is the media port's address.
func (d *demux) LocalAddr() net.Addr { return d.conn.LocalAddr() }

// SetDeadline sets the socket's deadlines.
func (d *demux) SetDeadline(t time.Time) error { return d.conn.SetDeadline(t) }

// SetReadDeadline sets the socket's read deadline.
func (d *demux) SetReadDeadline(t time.Time) error { return d.conn.SetReadDeadline(t) }

// SetWriteDeadline sets the socket's write deadline.
func (d *demux) SetWriteDeadline(t time.Time) error { return d.conn.SetWriteDeadline(t) }

// canonical unmaps IPv4-mapped IPv6 addresses so that one remote has one
// key whatever the socket's family.
func canonical(a netip.AddrPort) netip.AddrPort {
	if a.Addr().Is4In6() {
		return netip.AddrPortFrom(a.Addr().Unmap(), a.Port())
	}
	return a
}

const (
	stunHeaderSize   = 20
	stunMagicCookie  = 0x2112A442
	stunBindingReq   = 0x0001
	stunAttrUsername = 0x0006
)

// stunUfrag returns the local part (before ':') of a STUN binding
// request's USERNAME, without allocating. ok is false for anything that is
// not a well-formed binding request with a USERNAME.
func stunUfrag(p []byte) (frag []byte, ok bool) {
	user, ok := stunUsername(p)
	if !ok {
		return nil, false
	}
	for i, c := range user {
		if c == ':' {
			return user[:i], true
		}
	}
	return nil, false
}

// stunUsername returns a STUN binding request's USERNAME, without
// allocating. ok is false for anything that is not a well-formed binding
// request with a USERNAME.
func stunUsername(p []byte) (user []byte, ok bool) {
	if len(p) < stunHeaderSize || binary.BigEndian.Uint16(p[0:2]) != stunBindingReq ||
		binary.BigEndian.Uint32(p[4:8]) != stunMagicCookie {
		return nil, false
	}
	body := int(binary.BigEndian.Uint16(p[2:4]))
	if body%4 != 0 || stunHeaderSize+body != len(p) {
		return nil, false
	}
	attrs := p[stunHeaderSize:]
	for len(attrs) >= 4 {
		typ := binary.BigEndian.Uint16(attrs[0:2])
		l := int(binary.BigEndian.Uint16(attrs[2:4]))
		if 4+l > len(attrs) {
			return nil, false
		}
		if typ == stunAttrUsername {
			return attrs[4 : 4+l], true
		}
		attrs = attrs[min(len(attrs), 4+(l+3)&^3):]
	}
	return nil, false
}
