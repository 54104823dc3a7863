package sfu

import (
	"sync/atomic"
	"time"

	"github.com/cohost-rtc/cohost/protocol"
	"github.com/pion/rtcp"
)

// Sender reports. Pion's report interceptor would take a lock and read the
// clock for every packet to every subscriber; a forwarder knows the same
// from the publisher's stream: the published track remembers the RTP
// timestamp and arrival time of its latest packet (once per packet), each
// down track counts what it sent (two atomic adds), and the subscriber's
// connection sends one report per track every srInterval.

// srInterval is how often a subscriber gets sender reports.
const srInterval = time.Second

// srClock is the latest packet of a published track: its RTP timestamp and
// the time it arrived, written by the read loop under a sequence lock.
type srClock struct {
	seq  atomic.Uint32 // odd while being written
	ts   atomic.Uint32
	wall atomic.Int64 // unix nanos
}

func (c *srClock) store(ts uint32, wall int64) {
	c.seq.Add(1)
	c.ts.Store(ts)
	c.wall.Store(wall)
	c.seq.Add(1)
}

// load returns the latest (timestamp, arrival); ok is false before the
// first packet.
func (c *srClock) load() (ts uint32, wall int64, ok bool) {
	for {
		s := c.seq.Load()
		if s&1 == 1 {
			continue
		}
		ts, wall = c.ts.Load(), c.wall.Load()
		if c.seq.Load() == s {
			return ts, wall, wall != 0
		}
	}
}

// ntpTime converts unix nanoseconds to a 64-bit NTP timestamp.
func ntpTime(unixNanos int64) uint64 {
	sec := uint64(unixNanos/int64(time.Second)) + 2208988800
	frac := uint64(unixNanos%int64(time.Second)) << 32 / uint64(time.Second)
	return sec<<32 | frac
}

// senderReport returns d's sender report at now, or nil when it has sent
// nothing yet.
func (d *DownTrack) senderReport(now time.Time) *rtcp.SenderReport {
	b := d.bound.Load()
	pkts := d.packets.Load()
	if b == nil || pkts == 0 {
		return nil
	}
	ts, wall, ok := d.source.clock.load()
	if !ok {
		return nil
	}
	rate := int64(90000)
	if d.MediaType == protocol.MediaAudio {
		rate = 48000
	}
	elapsed := now.UnixNano() - wall
	rtpNow := ts + uint32(d.offsets.Load()) + uint32(elapsed*rate/int64(time.Second))
	return &rtcp.SenderReport{SSRC: b.ssrc, NTPTime: ntpTime(now.UnixNano()), RTPTime: rtpNow,
		PacketCount: pkts, OctetCount: d.octets.Load()}
}
