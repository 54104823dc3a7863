package sfu

import (
	"errors"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cohost-rtc/cohost/protocol"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// maxPacket is the largest RTP packet read from a publisher.
const maxPacket = 1500

// PublishedTrack is one track a user publishes: it reads the publisher's RTP
// in one goroutine and forwards every packet to its down tracks.
//
// The subscriber list is an immutable slice swapped atomically, so the read
// loop takes no lock per packet; mu serialises the writers of that list.
type PublishedTrack struct {
	UID       protocol.UID
	MediaType protocol.MediaType
	Codec     protocol.Codec

	stats            *Stats
	counters         *trackCounters // in stats, written by the read loop
	keyframeInterval time.Duration
	logger           *slog.Logger

	mu    sync.Mutex // guards writes of downs and rtcp
	downs atomic.Pointer[[]*DownTrack]
	rtcp  func([]rtcp.Packet) error // writes RTCP to the publisher
	// mediaSSRC is the SSRC the publisher (or the node the track is
	// received from) knows the track by, for keyframe requests; 0 until
	// the track has a source.
	mediaSSRC atomic.Uint32

	cache *packetCache // video only; nil for audio

	// captureExt is the publisher's id of abs-capture-time (0: not
	// negotiated); set before the read loop starts.
	captureExt uint8

	clock srClock // latest packet, for sender reports

	// fanout (nil: none) shares large fan-outs with worker goroutines;
	// jobs and fanoutWG are the read loop's, reused for every packet.
	fanout   *fanoutPool
	jobs     []fanoutJob
	fanoutWG sync.WaitGroup

	lastKeyframeReq atomic.Int64 // unix nanos
	closed          atomic.Bool
	done            chan struct{} // closed when the read loop ends, or by Close if none started
	started         atomic.Bool
}

// NewPublishedTrack creates a track with no media yet; Attach gives it one.
func NewPublishedTrack(uid protocol.UID, mt protocol.MediaType, codec protocol.Codec, stats *Stats, keyframeInterval time.Duration, logger *slog.Logger) *PublishedTrack {
	t := &PublishedTrack{UID: uid, MediaType: mt, Codec: codec, stats: stats, counters: stats.track(), keyframeInterval: keyframeInterval, logger: logger, done: make(chan struct{})}
	if mt == protocol.MediaVideo {
		t.cache = newPacketCache()
	}
	empty := []*DownTrack{}
	t.downs.Store(&empty)
	return t
}

// attach starts forwarding from remote; writeRTCP reaches the publisher.
// captureExt is the id of abs-capture-time on the publisher's connection;
// pool (may be nil) shares large fan-outs.
func (t *PublishedTrack) attach(remote *webrtc.TrackRemote, writeRTCP func([]rtcp.Packet) error, captureExt uint8, pool *fanoutPool) {
	if !t.started.CompareAndSwap(false, true) {
		return
	}
	t.captureExt = captureExt
	t.useFanout(pool)
	t.mu.Lock()
	t.rtcp = writeRTCP
	t.mu.Unlock()
	t.mediaSSRC.Store(uint32(remote.SSRC()))
	go t.readLoop(remote)
	if len(*t.downs.Load()) > 0 {
		t.RequestKeyframe()
	}
}

func (t *PublishedTrack) readLoop(remote *webrtc.TrackRemote) {
	defer close(t.done)
	defer t.stats.retire(t.counters)
	buf := make([]byte, maxPacket)
	var hdr rtp.Header
	for {
		n, _, err := remote.Read(buf)
		if err != nil {
			if !errors.Is(err, io.EOF) && !t.closed.Load() {
				t.logger.Debug("published track read ended", "uid", t.UID, "media", t.MediaType, "err", err)
			}
			return
		}
		if t.closed.Load() {
			continue
		}
		t.forward(&hdr, buf[:n])
	}
}

// forward sends one RTP packet to every down track. It allocates nothing.
func (t *PublishedTrack) forward(hdr *rtp.Header, pkt []byte) {
	off, err := hdr.Unmarshal(pkt)
	if err != nil {
		return
	}
	t.counters.packetsIn.Add(1)
	t.counters.bytesIn.Add(uint64(len(pkt)))
	now := time.Now().UnixNano() // once per packet, for every subscriber
	t.clock.store(hdr.Timestamp, now)
	payload := pkt[off:]
	if t.cache != nil {
		t.cache.put(hdr.SequenceNumber, pkt)
	}
	ext := t.captureTime(hdr)
	downs := *t.downs.Load()
	var sent uint64
	if t.fanout != nil && len(downs) >= fanoutMin {
		sent = t.fanout.split(t.jobs, &t.fanoutWG, downs, hdr, payload, ext, now)
	} else {
		for _, d := range downs {
			if d.writeRTP(hdr, payload, ext, now) {
				sent++
			}
		}
	}
	if sent > 0 {
		t.counters.packetsOut.Add(sent)
		t.counters.bytesOut.Add(sent * uint64(len(pkt)))
	}
}

// useFanout makes the read loop share large fan-outs with pool's workers
// (nil: none). Called before the read loop starts.
func (t *PublishedTrack) useFanout(pool *fanoutPool) {
	t.fanout = pool
	if pool != nil {
		t.jobs = make([]fanoutJob, pool.workers+1)
	}
}

// captureTime returns the abs-capture-time timestamp of a parsed packet,
// nil when absent.
func (t *PublishedTrack) captureTime(hdr *rtp.Header) []byte {
	if t.captureExt == 0 || !hdr.Extension {
		return nil
	}
	ext := hdr.GetExtension(t.captureExt)
	if len(ext) < absCaptureTimeLen {
		return nil
	}
	return ext[:absCaptureTimeLen]
}

// AddDownTrack starts forwarding to d.
func (t *PublishedTrack) AddDownTrack(d *DownTrack) {
	t.mu.Lock()
	defer t.mu.Unlock()
	old := *t.downs.Load()
	next := make([]*DownTrack, 0, len(old)+1)
	next = append(next, old...)
	next = append(next, d)
	t.downs.Store(&next)
}

// RemoveDownTrack stops forwarding to d.
func (t *PublishedTrack) RemoveDownTrack(d *DownTrack) {
	t.mu.Lock()
	defer t.mu.Unlock()
	old := *t.downs.Load()
	next := make([]*DownTrack, 0, len(old))
	for _, x := range old {
		if x != d {
			next = append(next, x)
		}
	}
	t.downs.Store(&next)
}

// DownTracks returns the current subscribers' tracks.
func (t *PublishedTrack) DownTracks() []*DownTrack { return *t.downs.Load() }

// RequestKeyframe asks the publisher for a keyframe (PLI), at most once per
// keyframe interval. Audio tracks ignore it.
func (t *PublishedTrack) RequestKeyframe() {
	if t.MediaType != protocol.MediaVideo {
		return
	}
	t.stats.KeyframeRequests.Add(1)
	ssrc := t.mediaSSRC.Load()
	if ssrc == 0 {
		return
	}
	now := time.Now().UnixNano()
	last := t.lastKeyframeReq.Load()
	if now-last < int64(t.keyframeInterval) || !t.lastKeyframeReq.CompareAndSwap(last, now) {
		return
	}
	t.mu.Lock()
	w := t.rtcp
	t.mu.Unlock()
	if w == nil {
		return
	}
	t.stats.PLIs.Add(1)
	if err := w([]rtcp.Packet{&rtcp.PictureLossIndication{MediaSSRC: ssrc}}); err != nil {
		t.stats.PublisherRTCPErrors.Add(1)
		t.logger.Debug("keyframe request not sent", "uid", t.UID, "ssrc", ssrc, "err", err)
	}
}

// Close stops forwarding. The read loop ends when the publisher's receiver
// stops (unpublish or peer connection closed); a track that never started
// one does not start it any more.
func (t *PublishedTrack) Close() {
	t.closed.Store(true)
	if t.started.CompareAndSwap(false, true) {
		t.stats.retire(t.counters)
		close(t.done)
	}
}

// Closed reports whether Close was called.
func (t *PublishedTrack) Closed() bool { return t.closed.Load() }
