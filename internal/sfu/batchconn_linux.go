package sfu

import (
	"net"
	"net/netip"
)

// batchConn is the media socket with batched, sharded sends:
// WriteToAddrPort copies the packet into the send queue of the shard its
// destination hashes to and returns; each shard's sender goroutine empties
// its queue with sendmmsg, many packets per system call. A forwarded
// packet's copies for all subscribers, written back to back by the
// published track's read loop, thus leave in a few system calls instead of
// one each, and the kernel's share of the work runs on the other cores.
//
// A writer never waits: a destination that has destSlots packets queued,
// or a shard whose slots are all in use, loses the packet (counted for that
// destination and in Stats.EgressDropped), as a congested network would
// lose it. Packets to one destination keep their order (one shard per
// destination, one FIFO per destination). Reads go straight to the socket.
type batchConn struct {
	*net.UDPConn
	v6     bool
	shards []*sendShard
	stats  *Stats
}

const (
	shardSlots = 4096 // packets queued at most per shard
	destSlots  = 128  // packets queued at most per destination
	sendBatch  = 64   // packets per sendmmsg
	slotSize   = 1600 // largest packet queued; larger ones are sent directly
)

// newBatchConn wraps c with the given number of sender shards (at least
// one). stats (may be nil) counts refused and dropped packets.
func newBatchConn(c *net.UDPConn, stats *Stats, shards int) (*batchConn, error) {
	raw, err := c.SyscallConn()
	if err != nil {
		return nil, err
	}
	if stats == nil {
		stats = &Stats{}
	}
	la, _ := c.LocalAddr().(*net.UDPAddr)
	b := &batchConn{UDPConn: c, stats: stats}
	b.v6 = la != nil && la.IP.To4() == nil
	for range max(shards, 1) {
		b.shards = append(b.shards, newSendShard(raw, b.v6, stats))
	}
	return b, nil
}

// ReadFromAddrPort reads from the socket (ICE's allocation-free read).
func (b *batchConn) ReadFromAddrPort(p []byte) (int, netip.AddrPort, error) {
	return b.UDPConn.ReadFromUDPAddrPort(p)
}

// WriteToAddrPort queues p for addr; it never blocks.
func (b *batchConn) WriteToAddrPort(p []byte, addr netip.AddrPort) (int, error) {
	if len(p) > slotSize || (!b.v6 && !addr.Addr().Unmap().Is4()) {
		// Too large to queue, or an address the kernel will refuse
		// (IPv6 on an IPv4 socket): send directly, errors included.
		return b.UDPConn.WriteToUDPAddrPort(p, addr)
	}
	return b.shard(addr).enqueue(p, addr)
}

// reserveSlot reserves a slot of addr's shard (see slotConn).
func (b *batchConn) reserveSlot(addr netip.AddrPort) (queueSlot, bool, error) {
	if !b.v6 && !addr.Addr().Unmap().Is4() {
		return queueSlot{}, false, nil // WriteToAddrPort sends it directly
	}
	s := b.shard(addr)
	i, err := s.reserve(addr)
	if err != nil || i < 0 {
		return queueSlot{}, true, err
	}
	return queueSlot{buf: s.slotBuf(i), q: s, i: i}, true, nil
}

// WriteTo queues p like WriteToAddrPort.
func (b *batchConn) WriteTo(p []byte, addr net.Addr) (int, error) {
	ua, ok := addr.(*net.UDPAddr)
	if !ok {
		return b.UDPConn.WriteTo(p, addr)
	}
	return b.WriteToAddrPort(p, ua.AddrPort())
}

// shard returns the shard that sends to addr.
func (b *batchConn) shard(addr netip.AddrPort) *sendShard {
	if len(b.shards) == 1 {
		return b.shards[0]
	}
	a := addr.Addr().As16()
	h := uint32(2166136261) // FNV-1a over the address and port
	for _, c := range a[8:] {
		h = (h ^ uint32(c)) * 16777619
	}
	h = (h ^ uint32(addr.Port()&0xff)) * 16777619
	h = (h ^ uint32(addr.Port()>>8)) * 16777619
	return b.shards[h%uint32(len(b.shards))]
}

// dropped returns how many packets to addr were dropped because its queue
// was full, while the sender remembers addr (it forgets destinations idle
// for longer than two sweep intervals).
func (b *batchConn) dropped(addr netip.AddrPort) uint64 {
	return b.shard(addr).dropped(addr)
}

// setStall installs a hook that holds back every packet to the
// destinations it returns true for (tests: a viewer whose sends stall).
// Call it before the first write.
func (b *batchConn) setStall(f func(netip.AddrPort) bool) {
	for _, s := range b.shards {
		s.mu.Lock()
		s.stall = f
		s.mu.Unlock()
	}
}

// Close sends what is queued (held-back packets excepted), then closes the
// socket.
func (b *batchConn) Close() error {
	var closed bool
	for _, s := range b.shards {
		closed = s.close() || closed
	}
	if !closed {
		return net.ErrClosed
	}
	return b.UDPConn.Close()
}

// flush waits until every packet queued so far has been handed to the
// kernel (benchmarks and tests).
func (b *batchConn) flush() {
	for _, s := range b.shards {
		s.flush()
	}
}

var _ net.PacketConn = (*batchConn)(nil)
