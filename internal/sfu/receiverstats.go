package sfu

import (
	"sync/atomic"
	"time"

	"github.com/cohost-rtc/cohost/protocol"
	"github.com/pion/rtcp"
)

// ReceiverStats is what a subscriber last reported, in an RTCP receiver
// report, about one track it receives.
type ReceiverStats struct {
	// FractionLost is the share of packets lost since the previous
	// report, 0 to 1.
	FractionLost float64
	// TotalLost is the number of packets lost since the track started.
	TotalLost uint32
	// Jitter is the interarrival jitter.
	Jitter time.Duration
	// At is when the report arrived.
	At time.Time
}

// receiverReport is the last report block about a down track, written
// on the shared reader's goroutine, read by anyone.
type receiverReport struct {
	at       atomic.Int64  // unix nanoseconds; 0 before the first report
	lostInfo atomic.Uint64 // fraction lost (high 32 bits), total lost (low 32)
	jitter   atomic.Uint32 // in RTP timestamp units
}

// lossBuckets are the upper bounds of Stats.ReceiverReports' buckets, as
// fractions of packets lost.
var lossBuckets = [...]float64{0, 0.01, 0.05, 0.2}

// store records a report block.
func (r *receiverReport) store(b rtcp.ReceptionReport, now time.Time) {
	r.lostInfo.Store(uint64(b.FractionLost)<<32 | uint64(b.TotalLost))
	r.jitter.Store(b.Jitter)
	r.at.Store(now.UnixNano())
}

// ReceiverStats returns the subscriber's last receiver report about the
// track; ok is false before the first one.
func (d *DownTrack) ReceiverStats() (s ReceiverStats, ok bool) {
	at := d.rr.at.Load()
	if at == 0 {
		return ReceiverStats{}, false
	}
	info := d.rr.lostInfo.Load()
	s.FractionLost = float64(info>>32) / 256
	s.TotalLost = uint32(info)
	rate := uint64(48000)
	if d.MediaType != protocol.MediaAudio {
		rate = 90000
	}
	s.Jitter = time.Duration(uint64(d.rr.jitter.Load()) * uint64(time.Second) / rate)
	s.At = time.Unix(0, at)
	return s, true
}

// noteReport records a report block about d and counts it in its
// source's stats by the loss it reports.
func (d *DownTrack) noteReport(b rtcp.ReceptionReport, now time.Time) {
	d.rr.store(b, now)
	lost := float64(b.FractionLost) / 256
	i := 0
	for i < len(lossBuckets) && lost > lossBuckets[i] {
		i++
	}
	d.source.stats.ReceiverReports[i].Add(1)
}
