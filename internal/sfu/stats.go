package sfu

import (
	"sync"
	"sync/atomic"
)

// Stats counts media forwarded by the server, for the metrics exporter.
//
// Packets and bytes in and out are counted per published track, by the
// track's read loop alone, in counters on their own cache line, and summed
// when read: the read loops of different tracks, on different cores, never
// write the same line. The rarer events below are shared atomics.
type Stats struct {
	NACKs, PLIs      atomic.Uint64
	Retransmits      atomic.Uint64
	KeyframeRequests atomic.Uint64
	// WriteErrors counts packets that failed to be written, the ones the
	// kernel refused included.
	WriteErrors atomic.Uint64
	// PublisherRTCPErrors counts RTCP packets (keyframe requests) that
	// failed to be written to a publisher's connection.
	PublisherRTCPErrors atomic.Uint64
	// EgressDropped counts packets dropped because their subscriber's send
	// queue (or its sender shard) was full.
	EgressDropped atomic.Uint64
	// CongestionPauses and CongestionResumes count subscribers' videos
	// paused because their REMB estimate fell below the video's bitrate,
	// and resumed (congestion.go).
	CongestionPauses, CongestionResumes atomic.Uint64
	// ReceiverReports counts subscribers' receiver report blocks by the
	// fraction of packets they report lost: 0, up to 1 %, 5 %, 20 %, more.
	ReceiverReports [len(lossBuckets) + 1]atomic.Uint64

	mu      sync.Mutex // guards live and retired
	live    map[*trackCounters]struct{}
	retired trafficTotals // of tracks that ended
}

// trafficTotals are packet and byte counts in and out.
type trafficTotals struct{ packetsIn, bytesIn, packetsOut, bytesOut uint64 }

// trackCounters are one published track's counters, written by its read
// loop only; the padding keeps two tracks' counters off one cache line.
type trackCounters struct {
	packetsIn, bytesIn, packetsOut, bytesOut atomic.Uint64
	_                                        [64 - 32]byte
}

func (c *trackCounters) load() trafficTotals {
	return trafficTotals{c.packetsIn.Load(), c.bytesIn.Load(), c.packetsOut.Load(), c.bytesOut.Load()}
}

// track returns new counters for a published track, summed into s until
// retire.
func (s *Stats) track() *trackCounters {
	c := &trackCounters{}
	s.mu.Lock()
	if s.live == nil {
		s.live = map[*trackCounters]struct{}{}
	}
	s.live[c] = struct{}{}
	s.mu.Unlock()
	return c
}

// retire folds an ended track's counters into the totals.
func (s *Stats) retire(c *trackCounters) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.live[c]; !ok {
		return
	}
	delete(s.live, c)
	t := c.load()
	s.retired.packetsIn += t.packetsIn
	s.retired.bytesIn += t.bytesIn
	s.retired.packetsOut += t.packetsOut
	s.retired.bytesOut += t.bytesOut
}

// traffic sums every track's counters.
func (s *Stats) traffic() trafficTotals {
	s.mu.Lock()
	defer s.mu.Unlock()
	sum := s.retired
	for c := range s.live {
		t := c.load()
		sum.packetsIn += t.packetsIn
		sum.bytesIn += t.bytesIn
		sum.packetsOut += t.packetsOut
		sum.bytesOut += t.bytesOut
	}
	return sum
}

// PacketsIn returns the RTP packets received from publishers.
func (s *Stats) PacketsIn() uint64 { return s.traffic().packetsIn }

// BytesIn returns the RTP bytes received from publishers.
func (s *Stats) BytesIn() uint64 { return s.traffic().bytesIn }

// PacketsOut returns the RTP packets forwarded to subscribers.
func (s *Stats) PacketsOut() uint64 { return s.traffic().packetsOut }

// BytesOut returns the RTP bytes forwarded to subscribers.
func (s *Stats) BytesOut() uint64 { return s.traffic().bytesOut }
