package sfu

import (
	"strings"

	"github.com/cohost-rtc/cohost/protocol"
	"github.com/pion/webrtc/v4"
)

// Payload types cohost offers. Clients may use others; the negotiated value
// per peer connection is what counts.
const (
	ptOpus = 111
	ptVP8  = 96
	ptVP9  = 98
	ptH264 = 102
)

var videoFeedback = []webrtc.RTCPFeedback{
	{Type: "goog-remb"}, {Type: "transport-cc"}, {Type: "ccm", Parameter: "fir"},
	{Type: "nack"}, {Type: "nack", Parameter: "pli"},
}

// codecTable lists the forwarded codecs with the parameters cohost registers.
var codecTable = []struct {
	codec protocol.Codec
	kind  webrtc.RTPCodecType
	param webrtc.RTPCodecParameters
}{
	{protocol.CodecOpus, webrtc.RTPCodecTypeAudio, webrtc.RTPCodecParameters{
		RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2,
			SDPFmtpLine: "minptime=10;useinbandfec=1", RTCPFeedback: []webrtc.RTCPFeedback{{Type: "transport-cc"}}},
		PayloadType: ptOpus}},
	{protocol.CodecVP8, webrtc.RTPCodecTypeVideo, webrtc.RTPCodecParameters{
		RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000, RTCPFeedback: videoFeedback},
		PayloadType:        ptVP8}},
	{protocol.CodecVP9, webrtc.RTPCodecTypeVideo, webrtc.RTPCodecParameters{
		RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP9, ClockRate: 90000, SDPFmtpLine: "profile-id=0", RTCPFeedback: videoFeedback},
		PayloadType:        ptVP9}},
	{protocol.CodecH264, webrtc.RTPCodecTypeVideo, webrtc.RTPCodecParameters{
		RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeH264, ClockRate: 90000,
			SDPFmtpLine: "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f", RTCPFeedback: videoFeedback},
		PayloadType: ptH264}},
}

// RegisterCodecs registers every forwarded codec in m. The SDKs use it too,
// so that both ends offer the same payload types.
func RegisterCodecs(m *webrtc.MediaEngine) error {
	for _, c := range codecTable {
		if err := m.RegisterCodec(c.param, c.kind); err != nil {
			return err
		}
	}
	return nil
}

// CodecParameters returns the parameters cohost registers for c.
func CodecParameters(c protocol.Codec) (webrtc.RTPCodecParameters, bool) {
	for _, e := range codecTable {
		if e.codec == c {
			return e.param, true
		}
	}
	return webrtc.RTPCodecParameters{}, false
}

// CodecFromMime maps a MIME type ("video/VP8") to a codec, "" when unknown.
func CodecFromMime(mime string) protocol.Codec {
	for _, e := range codecTable {
		if strings.EqualFold(e.param.MimeType, mime) {
			return e.codec
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
