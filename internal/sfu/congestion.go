package sfu

import (
	"sync/atomic"
	"time"
)

// A subscriber on the fan-out transport reports what its connection can
// carry in REMB (goog-remb, offered on every video section). When that
// estimate stays below ccPauseBelow times the bitrate the publisher sends
// the video at for ccPauseAfter (one overuse makes a browser report 0.85
// times what it receives: that alone pauses nothing), the video to that
// subscriber pauses (its audio goes on, and no other
// subscriber is affected); it resumes at the next keyframe, asked for on
// resume, once the estimate is ccResumeMargin above the video's bitrate,
// or after ccRetry in any case, since a receiver that gets no video may
// not raise its estimate: if the estimate received after the resume is
// still too low, the video pauses again. Sequence numbers and timestamps
// stay continuous across a pause, as behind a relay's gate. TWCC is not
// acted on: the offers do not carry the transport-wide sequence number
// extension, so clients send no TWCC feedback.
const (
	ccRembFresh    = 3 * time.Second // an older estimate is not acted on
	ccPauseBelow   = 0.75
	ccPauseAfter   = time.Second
	ccRateWindow   = time.Second // the video's bitrate is measured over this
	ccResumeMargin = 1.25
	ccRetry        = 10 * time.Second
)

// congestion is a down track's pause for its subscriber's bandwidth. The
// atomics are read by the source's read loop; the rest belongs to the
// subscriber's transport and is used under its mutex.
type congestion struct {
	enabled atomic.Bool   // the down track decides per packet (set once bound on the fan-out transport)
	paused  atomic.Bool   // nothing is forwarded
	waitKey atomic.Bool   // after a resume: nothing until a keyframe starts
	epoch   atomic.Uint32 // bumped on resume

	estimate   float64 // the subscriber's last REMB, bits/s
	estimateAt time.Time
	rate       float64 // the video's bitrate, bits/s, over the last ccRateWindow
	lastBytes  uint64
	lastAt     time.Time
	lowSince   time.Time // the estimate has been too low since then
	pausedAt   time.Time
	resumedAt  time.Time
}

// setEstimate records a REMB estimate for the down track.
func (c *congestion) setEstimate(bps float64, now time.Time) {
	c.estimate, c.estimateAt = bps, now
}

// tick measures the source's bitrate and pauses or resumes the down
// track; it reports +1 when it paused it, -1 when it resumed it.
func (d *DownTrack) congestionTick(now time.Time) int {
	c := &d.cc
	bytes := d.source.counters.bytesIn.Load()
	switch el := now.Sub(c.lastAt); {
	case c.lastAt.IsZero():
		c.lastBytes, c.lastAt = bytes, now
	case el >= ccRateWindow:
		c.rate = float64(bytes-c.lastBytes) * 8 / el.Seconds()
		c.lastBytes, c.lastAt = bytes, now
	}
	fresh := !c.estimateAt.IsZero() && now.Sub(c.estimateAt) <= ccRembFresh
	if !c.paused.Load() {
		if !fresh || c.rate == 0 || !c.estimateAt.After(c.resumedAt) || c.estimate >= c.rate*ccPauseBelow {
			c.lowSince = time.Time{}
			return 0
		}
		if c.lowSince.IsZero() {
			c.lowSince = now
		}
		if now.Sub(c.lowSince) < ccPauseAfter {
			return 0
		}
		c.lowSince = time.Time{}
		c.paused.Store(true)
		c.pausedAt = now
		return 1
	}
	if !fresh || c.estimate >= c.rate*ccResumeMargin || now.Sub(c.pausedAt) >= ccRetry {
		c.resumedAt = now
		c.waitKey.Store(true)
		c.epoch.Add(1)
		c.paused.Store(false)
		d.source.RequestKeyframe()
		return -1
	}
	return 0
}

// CongestionPaused reports whether the down track is paused because its
// subscriber's estimate is below the video's bitrate.
func (d *DownTrack) CongestionPaused() bool { return d.cc.paused.Load() }
