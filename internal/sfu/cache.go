package sfu

import "sync"

// cacheSize is the number of packets a video track keeps for NACK
// retransmission: about 2.5 s at 1.5 Mbps.
const cacheSize = 512

type cacheSlot struct {
	seq   uint16
	n     int
	valid bool
	buf   [maxPacket]byte
}

// packetCache keeps the latest packets of one published track, shared by
// all its subscribers (sequence numbers are forwarded unchanged, so a
// subscriber's NACK names the publisher's sequence number). The read loop
// writes, RTCP goroutines read; mu guards the slots.
type packetCache struct {
	mu    sync.Mutex
	slots []cacheSlot
}

func newPacketCache() *packetCache { return &packetCache{slots: make([]cacheSlot, cacheSize)} }

// put stores a raw RTP packet under its sequence number.
func (c *packetCache) put(seq uint16, pkt []byte) {
	c.mu.Lock()
	s := &c.slots[int(seq)%cacheSize]
	s.seq, s.valid = seq, true
	s.n = copy(s.buf[:], pkt)
	c.mu.Unlock()
}

// get copies the packet with sequence number seq into dst and returns its
// length, or 0 when it is no longer cached.
func (c *packetCache) get(seq uint16, dst []byte) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := &c.slots[int(seq)%cacheSize]
	if !s.valid || s.seq != seq {
		return 0
	}
	return copy(dst, s.buf[:s.n])
}
