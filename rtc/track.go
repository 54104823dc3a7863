package rtc

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"

	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"
	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media"

	"github.com/cohost-rtc/cohost/protocol"
)

// rtpMTU is the largest RTP packet WriteSample produces (Pion's default).
const rtpMTU = 1200

// streamID is the media stream id of every local track, so that a
// receiver can synchronise a user's audio and video.
const streamID = "cohost"

// LocalTrack is a source of encoded media to publish: Opus audio, or VP8,
// H264 or VP9 video. Feed it whole encoded frames with WriteSample (the SDK
// packetizes them) or ready RTP packets with WriteRTP (the SDK rewrites SSRC
// and payload type only). Writes before the track is published, or while
// its media type is muted, are dropped without error.
//
// A track is published by at most one engine at a time and may be
// published again after Unpublish or after the session ends. Writes should
// come from one goroutine, or packets may be reordered.
type LocalTrack struct {
	codec     protocol.Codec
	kind      protocol.MediaType
	clockRate uint32
	track     *webrtc.TrackLocalStaticRTP

	muted      atomic.Bool
	owner      atomic.Pointer[Engine]
	onKeyFrame atomic.Pointer[func()]

	mu         sync.Mutex // guards packetizer
	packetizer rtp.Packetizer
}

// NewLocalTrack creates a track for codec (protocol.CodecOpus, CodecVP8,
// CodecH264 or CodecVP9).
func NewLocalTrack(codec protocol.Codec) (*LocalTrack, error) {
	p, err := codecParameters(codec)
	if err != nil {
		return nil, fmt.Errorf("rtc: NewLocalTrack: %w", err)
	}
	var payloader rtp.Payloader
	switch codec {
	case protocol.CodecOpus:
		payloader = &codecs.OpusPayloader{}
	case protocol.CodecVP8:
		payloader = &codecs.VP8Payloader{EnablePictureID: true}
	case protocol.CodecH264:
		payloader = &codecs.H264Payloader{}
	case protocol.CodecVP9:
		payloader = &codecs.VP9Payloader{}
	}
	kind := codec.Kind()
	track, err := webrtc.NewTrackLocalStaticRTP(p.RTPCodecCapability, string(kind), streamID)
	if err != nil {
		return nil, fmt.Errorf("rtc: NewLocalTrack: %w", err)
	}
	return &LocalTrack{
		codec:     codec,
		kind:      kind,
		clockRate: p.ClockRate,
		track:     track,
		// Payload type and SSRC are rewritten per peer connection by
		// Pion; these are placeholders.
		packetizer: rtp.NewPacketizer(rtpMTU, uint8(p.PayloadType), rand.Uint32(), payloader,
			rtp.NewRandomSequencer(), p.ClockRate),
	}, nil
}

// Codec returns the track's codec.
func (t *LocalTrack) Codec() protocol.Codec { return t.codec }

// MediaType returns audio or video.
func (t *LocalTrack) MediaType() protocol.MediaType { return t.kind }

// WriteSample packetizes one encoded frame and sends it. Duration sets the
// RTP timestamp step; PrevDroppedPackets skips timestamps for frames the
// caller dropped. While muted, the frame is dropped but time advances.
func (t *LocalTrack) WriteSample(s media.Sample) error {
	samples := uint32(s.Duration.Seconds() * float64(t.clockRate))
	t.mu.Lock()
	if s.PrevDroppedPackets > 0 {
		t.packetizer.SkipSamples(samples * uint32(s.PrevDroppedPackets))
	}
	if t.muted.Load() || t.owner.Load() == nil {
		t.packetizer.SkipSamples(samples)
		t.mu.Unlock()
		return nil
	}
	packets := t.packetizer.Packetize(s.Data, samples)
	t.mu.Unlock()
	var errs []error
	for _, p := range packets {
		if err := t.track.WriteRTP(p); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// WriteRTP sends one RTP packet. Sequence numbers and timestamps are the
// caller's; SSRC and payload type are set by the SDK.
func (t *LocalTrack) WriteRTP(p *rtp.Packet) error {
	if t.muted.Load() || t.owner.Load() == nil {
		return nil
	}
	return t.track.WriteRTP(p)
}

// OnKeyFrameRequest sets f to be called (on an SDK goroutine; it must not
// block) when a receiver asks for a key frame (PLI or FIR). A video encoder
// should then produce one.
func (t *LocalTrack) OnKeyFrameRequest(f func()) {
	if f == nil {
		t.onKeyFrame.Store(nil)
		return
	}
	t.onKeyFrame.Store(&f)
}

func (t *LocalTrack) keyFrameRequested() {
	if f := t.onKeyFrame.Load(); f != nil {
		(*f)()
	}
}

// claim marks the track as published by e.
func (t *LocalTrack) claim(e *Engine) bool {
	return t.owner.CompareAndSwap(nil, e) || t.owner.Load() == e
}

// release marks the track as no longer published by e.
func (t *LocalTrack) release(e *Engine) {
	t.owner.CompareAndSwap(e, nil)
}
