// Package pioncodec turns cohost's codec table (package protocol) into
// Pion's types, for the server's and the Go SDK's media engines alike.
package pioncodec

import (
	"fmt"

	"github.com/pion/webrtc/v4"

	"github.com/cohost-rtc/cohost/protocol"
)

// Parameters returns Pion's parameters for c; false when cohost does not
// forward c.
func Parameters(c protocol.Codec) (webrtc.RTPCodecParameters, bool) {
	p, ok := c.Params()
	if !ok {
		return webrtc.RTPCodecParameters{}, false
	}
	return convert(p), true
}

// Kind returns the RTP codec type of c.
func Kind(c protocol.Codec) webrtc.RTPCodecType {
	switch c.Kind() {
	case protocol.MediaAudio:
		return webrtc.RTPCodecTypeAudio
	case protocol.MediaVideo:
		return webrtc.RTPCodecTypeVideo
	}
	return webrtc.RTPCodecType(0)
}

// Register registers codecs in m (every forwarded codec when codecs is
// empty).
func Register(m *webrtc.MediaEngine, codecs ...protocol.Codec) error {
	if len(codecs) == 0 {
		for _, p := range protocol.Codecs() {
			codecs = append(codecs, p.Codec)
		}
	}
	for _, c := range codecs {
		p, ok := Parameters(c)
		if !ok {
			return fmt.Errorf("pioncodec: %q is not a forwarded codec", c)
		}
		if err := m.RegisterCodec(p, Kind(c)); err != nil {
			return fmt.Errorf("pioncodec: register %s: %w", c, err)
		}
	}
	return nil
}

func convert(p protocol.CodecParams) webrtc.RTPCodecParameters {
	fb := make([]webrtc.RTCPFeedback, len(p.Feedback))
	for i, f := range p.Feedback {
		fb[i] = webrtc.RTCPFeedback{Type: f.Type, Parameter: f.Parameter}
	}
	return webrtc.RTPCodecParameters{
		RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: p.MimeType, ClockRate: p.ClockRate, Channels: p.Channels,
			SDPFmtpLine: p.Fmtp, RTCPFeedback: fb},
		PayloadType: webrtc.PayloadType(p.PayloadType),
	}
}
