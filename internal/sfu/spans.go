package sfu

import "sync"

// maxSpans is how many offset changes (relay resumes) a relayed down track
// remembers for retransmissions; a NACK for a packet sent before older
// ones is not answered.
const maxSpans = 16

// offsetSpans records, for a relayed down track, which sequence and
// timestamp offsets were in force for which outgoing sequence numbers.
// Each span starts at the first number sent with its offsets and ends where
// the next begins (outgoing numbers are continuous across a resume). The
// read loop adds a span at the first packet and at each resume; the RTCP
// goroutine looks numbers up. It allocates nothing.
type offsetSpans struct {
	mu    sync.Mutex
	first [maxSpans]uint16
	off   [maxSpans]uint64
	n     int // spans held, at most maxSpans
	next  int // where the next span goes
}

// add starts a span at outgoing sequence number first with offsets off.
func (s *offsetSpans) add(first uint16, off uint64) {
	s.mu.Lock()
	s.first[s.next], s.off[s.next] = first, off
	s.next = (s.next + 1) % maxSpans
	s.n = min(s.n+1, maxSpans)
	s.mu.Unlock()
}

// lookup returns the offsets seq was sent with, false when seq is older
// than the spans held (or none is).
func (s *offsetSpans) lookup(seq uint16) (uint64, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	// Newest first: the newest span runs up to half the sequence space
	// ahead, each older one up to the start of the span after it.
	limit := uint16(1 << 15)
	for i := range s.n {
		j := (s.next - 1 - i + maxSpans) % maxSpans
		if seq-s.first[j] < limit {
			return s.off[j], true
		}
		if i+1 < s.n {
			prev := (j - 1 + maxSpans) % maxSpans
			limit = s.first[j] - s.first[prev]
		}
	}
	return 0, false
}
