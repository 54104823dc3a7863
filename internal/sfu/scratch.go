package sfu

import "sync"

// linkScratch is the room a Link needs to encrypt or decrypt one packet:
// the plain packet and its SRTP form. Links borrow one per packet from
// their media port's scratchPool instead of each keeping its own, so that
// an audience member costs no packet buffer while nothing is in flight.
type linkScratch struct {
	plain [receiveMTU]byte
	enc   [receiveMTU + srtpOverhead]byte
}

// scratchPool lends linkScratch buffers; in steady state get and put
// allocate nothing.
type scratchPool struct{ p sync.Pool }

func (s *scratchPool) get() *linkScratch {
	if b, ok := s.p.Get().(*linkScratch); ok {
		return b
	}
	return new(linkScratch)
}

func (s *scratchPool) put(b *linkScratch) { s.p.Put(b) }
