package sfu

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cohost-rtc/cohost/protocol"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// binding is what a peer connection negotiated for a down track.
type binding struct {
	writer     webrtc.TrackLocalWriter
	ssrc       uint32
	pt         uint8
	captureExt uint8 // id of abs-capture-time, 0 if not negotiated
}

// DownTrack is one subscriber's copy of a published track: a
// webrtc.TrackLocal that rewrites SSRC and payload type and writes to the
// subscriber's peer connection. Only the published track's read loop, or a
// fan-out worker it waits for, calls writeRTP, one packet at a time, so the
// reused header needs no lock.
type DownTrack struct {
	UID       protocol.UID // the publisher, or the uid a relay shows it as
	MediaType protocol.MediaType
	Codec     protocol.Codec

	source *PublishedTrack
	bound  atomic.Pointer[binding]
	hdr    rtp.Header // owned by the source's read loop

	// Relayed copies pass a gate and rewrite sequence numbers and
	// timestamps to stay continuous across pauses. offsets packs the
	// sequence offset (high 32 bits) and the timestamp offset (low 32
	// bits); the read loop writes it, the retransmission path reads it.
	// spans records which offsets were in force for which sequence numbers
	// sent, so a NACK is answered with the packet that was sent under the
	// number it names.
	gate      *Gate
	cc        congestion     // pauses for the subscriber's bandwidth (congestion.go)
	rr        receiverReport // the subscriber's last report (receiverstats.go)
	clockRate uint32
	offsets   atomic.Uint64
	spans     offsetSpans
	epoch     uint32 // owned by the read loop, like the fields below
	sent      bool
	lastSeq   uint16
	lastTS    uint32
	lastWall  int64

	// Sent packets and payload bytes, for sender reports.
	packets, octets atomic.Uint32

	rtxMu  sync.Mutex // guards the retransmission buffers
	rtxHdr rtp.Header
	rtxBuf *[maxPacket]byte // made on the first NACK: most subscribers never send one

	mu          sync.Mutex
	sender      *webrtc.RTPSender
	transceiver *webrtc.RTPTransceiver
	rtcpDone    chan struct{}
}

// NewDownTrack creates a subscriber copy of src. It forwards nothing until
// bound by a peer connection.
func NewDownTrack(src *PublishedTrack) *DownTrack {
	return &DownTrack{UID: src.UID, MediaType: src.MediaType, Codec: src.Codec, source: src}
}

// NewRelayedDownTrack creates a subscriber copy of src that appears as uid
// and forwards only while gate is open.
func NewRelayedDownTrack(src *PublishedTrack, uid protocol.UID, gate *Gate) *DownTrack {
	d := NewDownTrack(src)
	d.UID, d.gate = uid, gate
	d.clockRate = 90000
	if src.MediaType == protocol.MediaAudio {
		d.clockRate = 48000
	}
	d.epoch = gate.epoch.Load()
	return d
}

// Source returns the published track d copies.
func (d *DownTrack) Source() *PublishedTrack { return d.source }

// ID implements webrtc.TrackLocal.
func (d *DownTrack) ID() string { return fmt.Sprintf("%d-%s", d.UID, d.MediaType) }

// RID implements webrtc.TrackLocal.
func (d *DownTrack) RID() string { return "" }

// StreamID implements webrtc.TrackLocal: one stream per remote user.
func (d *DownTrack) StreamID() string { return d.UID.String() }

// Kind implements webrtc.TrackLocal.
func (d *DownTrack) Kind() webrtc.RTPCodecType {
	if d.MediaType == protocol.MediaAudio {
		return webrtc.RTPCodecTypeAudio
	}
	return webrtc.RTPCodecTypeVideo
}

// Bind implements webrtc.TrackLocal.
func (d *DownTrack) Bind(ctx webrtc.TrackLocalContext) (webrtc.RTPCodecParameters, error) {
	p, ok := matchCodec(d.Codec, ctx.CodecParameters())
	if !ok {
		return webrtc.RTPCodecParameters{}, fmt.Errorf("%w: %s", ErrCodecNotNegotiated, d.Codec)
	}
	d.bound.Store(&binding{writer: ctx.WriteStream(), ssrc: uint32(ctx.SSRC()), pt: uint8(p.PayloadType),
		captureExt: extensionID(ctx.HeaderExtensions(), AbsCaptureTimeURI)})
	d.source.RequestKeyframe()
	return p, nil
}

// Unbind implements webrtc.TrackLocal.
func (d *DownTrack) Unbind(webrtc.TrackLocalContext) error {
	d.bound.Store(nil)
	return nil
}

// writeRTP forwards one packet; it reports whether it was written. ext is
// the packet's abs-capture-time (nil if none). Only the source's read loop
// calls it.
func (d *DownTrack) writeRTP(src *rtp.Header, payload, ext []byte, now int64) bool {
	if (d.gate != nil || d.cc.enabled.Load()) && !d.passGate(src, payload, now) {
		return false
	}
	return d.write(&d.hdr, src, payload, ext, d.offsets.Load())
}

// passGate applies the relay gate and the congestion pause: nothing
// passes while either is paused, nothing after a congestion resume until
// a keyframe starts; the first packet after a resume gets offsets that
// continue the sequence numbers and timestamps from the last packet sent.
func (d *DownTrack) passGate(src *rtp.Header, payload []byte, now int64) bool {
	if (d.gate != nil && d.gate.paused.Load()) || d.cc.paused.Load() {
		return false
	}
	if d.cc.waitKey.Load() {
		if !isKeyframe(d.Codec, payload) {
			return false
		}
		d.cc.waitKey.Store(false)
	}
	if e := d.gateEpoch(); e != d.epoch {
		d.epoch = e
		if d.sent {
			gap := uint32(uint64(now-d.lastWall) * uint64(d.clockRate) / uint64(time.Second))
			seqOff := d.lastSeq + 1 - src.SequenceNumber
			tsOff := d.lastTS + max(gap, 1) - src.Timestamp
			off := uint64(seqOff)<<32 | uint64(tsOff)
			d.offsets.Store(off)
			d.spans.add(d.lastSeq+1, off)
		}
	}
	off := d.offsets.Load()
	if !d.sent {
		d.spans.add(src.SequenceNumber+uint16(off>>32), off)
	}
	d.sent = true
	d.lastSeq = src.SequenceNumber + uint16(off>>32)
	d.lastTS = src.Timestamp + uint32(off)
	d.lastWall = now
	return true
}

// gateEpoch counts the resumes of the relay gate and the congestion
// pause.
func (d *DownTrack) gateEpoch() uint32 {
	e := d.cc.epoch.Load()
	if d.gate != nil {
		e += d.gate.epoch.Load()
	}
	return e
}

// write rewrites src into h for this subscriber and sends it. Of the
// header extensions only abs-capture-time (ext) is kept, under the id the
// subscriber negotiated. off holds the sequence and timestamp offsets
// (see offsets).
func (d *DownTrack) write(h, src *rtp.Header, payload, ext []byte, off uint64) bool {
	b := d.bound.Load()
	if b == nil {
		return false
	}
	h.Version = 2
	h.Padding = src.Padding
	h.Marker = src.Marker
	h.PayloadType = b.pt
	h.SequenceNumber = src.SequenceNumber + uint16(off>>32)
	h.Timestamp = src.Timestamp + uint32(off)
	h.SSRC = b.ssrc
	h.CSRC = h.CSRC[:0]
	h.Extension = false
	h.Extensions = h.Extensions[:0]
	if ext != nil && b.captureExt != 0 {
		_ = h.SetExtension(b.captureExt, ext)
	}
	if _, err := b.writer.WriteRTP(h, payload); err != nil {
		d.source.stats.WriteErrors.Add(1)
		return false
	}
	d.packets.Add(1)
	d.octets.Add(uint32(len(payload)))
	return true
}

// readRTCP handles the subscriber's feedback: keyframe requests go to the
// publisher (rate-limited there); NACKs are answered
// from the published track's shared packet cache; receiver reports are
// kept (ReceiverStats).
func (d *DownTrack) readRTCP(sender *webrtc.RTPSender) {
	defer close(d.rtcpDone)
	for {
		pkts, _, err := sender.ReadRTCP()
		if err != nil {
			return
		}
		for _, p := range pkts {
			switch p := p.(type) {
			case *rtcp.PictureLossIndication, *rtcp.FullIntraRequest:
				d.source.RequestKeyframe()
			case *rtcp.TransportLayerNack:
				d.source.stats.NACKs.Add(1)
				d.retransmit(p.Nacks)
			case *rtcp.ReceiverReport:
				for _, b := range p.Reports {
					if bound := d.bound.Load(); bound != nil && b.SSRC == bound.ssrc {
						d.noteReport(b, time.Now())
					}
				}
			}
		}
	}
}

// retransmit resends the packets a subscriber reported lost, from the
// source's cache, each with the offsets it was first sent with.
func (d *DownTrack) retransmit(nacks []rtcp.NackPair) {
	cache := d.source.cache
	if cache == nil {
		return
	}
	d.rtxMu.Lock()
	defer d.rtxMu.Unlock()
	if d.rtxBuf == nil {
		d.rtxBuf = new([maxPacket]byte)
	}
	var src rtp.Header
	for _, pair := range nacks {
		pair.Range(func(seq uint16) bool {
			off := uint64(0)
			if d.gate != nil || d.cc.enabled.Load() {
				var ok bool
				if off, ok = d.spans.lookup(seq); !ok {
					return true // sent too many pauses ago: unknown
				}
			}
			n := cache.get(seq-uint16(off>>32), d.rtxBuf[:])
			if n == 0 {
				return true
			}
			hlen, err := src.Unmarshal(d.rtxBuf[:n])
			if err != nil {
				return true
			}
			if d.write(&d.rtxHdr, &src, d.rtxBuf[hlen:n], d.source.captureTime(&src), off) {
				d.source.stats.Retransmits.Add(1)
			}
			return true
		})
	}
}
