package rtc

import (
	"fmt"

	"github.com/pion/interceptor"
	"github.com/pion/webrtc/v4"

	"github.com/cohost-rtc/cohost/internal/pionlog"
	"github.com/cohost-rtc/cohost/protocol"
)

// Payload types and formats; the server registers the same ones.
const (
	ptOpus = 111
	ptVP8  = 96
	ptVP9  = 98
	ptH264 = 102

	fmtpOpus = "minptime=10;useinbandfec=1"
	fmtpH264 = "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"
	fmtpVP9  = "profile-id=0"
)

// codecParameters returns Pion's parameters for codec, with the RTCP
// feedback the server uses: NACK (retransmission), PLI/FIR (keyframes) and
// transport-wide congestion control.
func codecParameters(codec protocol.Codec) (webrtc.RTPCodecParameters, error) {
	video := []webrtc.RTCPFeedback{{Type: "ccm", Parameter: "fir"}, {Type: "nack"}, {Type: "nack", Parameter: "pli"},
		{Type: "goog-remb"}, {Type: "transport-cc"}}
	switch codec {
	case protocol.CodecOpus:
		return webrtc.RTPCodecParameters{
			RTPCodecCapability: webrtc.RTPCodecCapability{
				MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2, SDPFmtpLine: fmtpOpus,
				RTCPFeedback: []webrtc.RTCPFeedback{{Type: "transport-cc"}},
			},
			PayloadType: ptOpus,
		}, nil
	case protocol.CodecVP8:
		return webrtc.RTPCodecParameters{
			RTPCodecCapability: webrtc.RTPCodecCapability{
				MimeType: webrtc.MimeTypeVP8, ClockRate: 90000, RTCPFeedback: video,
			},
			PayloadType: ptVP8,
		}, nil
	case protocol.CodecVP9:
		return webrtc.RTPCodecParameters{
			RTPCodecCapability: webrtc.RTPCodecCapability{
				MimeType: webrtc.MimeTypeVP9, ClockRate: 90000, SDPFmtpLine: fmtpVP9, RTCPFeedback: video,
			},
			PayloadType: ptVP9,
		}, nil
	case protocol.CodecH264:
		return webrtc.RTPCodecParameters{
			RTPCodecCapability: webrtc.RTPCodecCapability{
				MimeType: webrtc.MimeTypeH264, ClockRate: 90000, SDPFmtpLine: fmtpH264, RTCPFeedback: video,
			},
			PayloadType: ptH264,
		}, nil
	}
	return webrtc.RTPCodecParameters{}, fmt.Errorf("%w %q", ErrUnsupportedCodec, codec)
}

// newAPI builds a Pion API for codecs with the default interceptors (NACK,
// RTCP reports, TWCC) and the configured setting engine.
func newAPI(s *settings, codecs []protocol.Codec) (*webrtc.API, error) {
	m := &webrtc.MediaEngine{}
	for _, codec := range codecs {
		p, err := codecParameters(codec)
		if err != nil {
			return nil, err
		}
		kind := webrtc.RTPCodecTypeAudio
		if codec.Kind() == protocol.MediaVideo {
			kind = webrtc.RTPCodecTypeVideo
		}
		if err := m.RegisterCodec(p, kind); err != nil {
			return nil, fmt.Errorf("rtc: register %s: %w", codec, err)
		}
	}
	if err := registerHeaderExtensions(m); err != nil {
		return nil, fmt.Errorf("rtc: header extensions: %w", err)
	}
	ir := &interceptor.Registry{}
	if err := webrtc.RegisterDefaultInterceptors(m, ir); err != nil {
		return nil, fmt.Errorf("rtc: interceptors: %w", err)
	}
	if s.SendCaptureTime {
		ir.Add(captureTimeFactory{})
	}
	var se webrtc.SettingEngine
	if s.SettingEngine != nil {
		se = *s.SettingEngine
	} else {
		se.LoggerFactory = pionlog.Factory(s.Logger)
	}
	return webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithInterceptorRegistry(ir),
		webrtc.WithSettingEngine(se)), nil
}
