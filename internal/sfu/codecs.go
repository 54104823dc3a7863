package sfu

import (
	"strings"

	"github.com/cohost-rtc/cohost/internal/pioncodec"
	"github.com/cohost-rtc/cohost/protocol"
	"github.com/pion/webrtc/v4"
)

// RegisterCodecs registers every forwarded codec in m, with the parameters
// of protocol's codec table, which the SDK registers too, so that both ends
// offer the same payload types.
func RegisterCodecs(m *webrtc.MediaEngine) error { return pioncodec.Register(m) }

// CodecParameters returns the parameters cohost registers for c.
func CodecParameters(c protocol.Codec) (webrtc.RTPCodecParameters, bool) {
	return pioncodec.Parameters(c)
}

// CodecFromMime maps a MIME type ("video/VP8") to a codec, "" when unknown.
func CodecFromMime(mime string) protocol.Codec {
	for _, p := range protocol.Codecs() {
		if strings.EqualFold(p.MimeType, mime) {
			return p.Codec
		}
	}
	return ""
}

// matchCodec finds c among negotiated parameters.
func matchCodec(c protocol.Codec, params []webrtc.RTPCodecParameters) (webrtc.RTPCodecParameters, bool) {
	want, ok := CodecParameters(c)
	if !ok {
		return webrtc.RTPCodecParameters{}, false
	}
	for _, p := range params {
		if !strings.EqualFold(p.MimeType, want.MimeType) {
			continue
		}
		if c == protocol.CodecH264 && !strings.Contains(p.SDPFmtpLine, "packetization-mode=1") {
			continue
		}
		return p, true
	}
	return webrtc.RTPCodecParameters{}, false
}
