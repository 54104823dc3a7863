package sfu

import (
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/cohost-rtc/cohost/protocol"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// binding is what a peer connection negotiated for a down track.
type binding struct {
	writer webrtc.TrackLocalWriter
	ssrc   uint32
	pt     uint8
}

// DownTrack is one subscriber's copy of a published track: a
// webrtc.TrackLocal that rewrites SSRC and payload type and writes to the
// subscriber's peer connection. Only the published track's read loop calls
// writeRTP, so the reused header needs no lock.
type DownTrack struct {
	UID       protocol.UID // the publisher
	MediaType protocol.MediaType
	Codec     protocol.Codec

	source *PublishedTrack
	bound  atomic.Pointer[binding]
	hdr    rtp.Header // owned by the source's read loop

	rtxMu  sync.Mutex // guards the retransmission buffers
	rtxHdr rtp.Header
	rtxBuf [maxPacket]byte

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
	d.bound.Store(&binding{writer: ctx.WriteStream(), ssrc: uint32(ctx.SSRC()), pt: uint8(p.PayloadType)})
	d.source.RequestKeyframe()
	return p, nil
}

// Unbind implements webrtc.TrackLocal.
func (d *DownTrack) Unbind(webrtc.TrackLocalContext) error {
	d.bound.Store(nil)
	return nil
}

// writeRTP forwards one packet; it reports whether it was written. Only the
// source's read loop calls it.
func (d *DownTrack) writeRTP(src *rtp.Header, payload []byte) bool {
	return d.write(&d.hdr, src, payload)
}

// write rewrites src into h for this subscriber and sends it.
func (d *DownTrack) write(h, src *rtp.Header, payload []byte) bool {
	b := d.bound.Load()
	if b == nil {
		return false
	}
	h.Version = 2
	h.Padding = src.Padding
	h.Marker = src.Marker
	h.PayloadType = b.pt
	h.SequenceNumber = src.SequenceNumber
	h.Timestamp = src.Timestamp
	h.SSRC = b.ssrc
	h.CSRC = h.CSRC[:0]
	h.Extension = false
	h.Extensions = h.Extensions[:0]
	if _, err := b.writer.WriteRTP(h, payload); err != nil {
		d.source.stats.WriteErrors.Add(1)
		return false
	}
	return true
}

// readRTCP handles the subscriber's feedback: keyframe requests go to the
// publisher (rate-limited there); NACKs are answered
// from the published track's shared packet cache.
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
			}
		}
	}
}

// retransmit resends the packets a subscriber reported lost, from the
// source's cache.
func (d *DownTrack) retransmit(nacks []rtcp.NackPair) {
	cache := d.source.cache
	if cache == nil {
		return
	}
	d.rtxMu.Lock()
	defer d.rtxMu.Unlock()
	var src rtp.Header
	for _, pair := range nacks {
		pair.Range(func(seq uint16) bool {
			n := cache.get(seq, d.rtxBuf[:])
			if n == 0 {
				return true
			}
			off, err := src.Unmarshal(d.rtxBuf[:n])
			if err != nil {
				return true
			}
			if d.write(&d.rtxHdr, &src, d.rtxBuf[off:n]) {
				d.source.stats.Retransmits.Add(1)
			}
			return true
		})
	}
}
