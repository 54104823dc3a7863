package rtc

import (
	"fmt"

	"github.com/pion/interceptor"
	"github.com/pion/webrtc/v4"

	"github.com/cohost-rtc/cohost/internal/pioncodec"
	"github.com/cohost-rtc/cohost/internal/pionlog"
	"github.com/cohost-rtc/cohost/protocol"
)

// codecParameters returns Pion's parameters for codec: protocol's codec
// table, which the server registers too, so both ends offer the same payload
// types, formats and RTCP feedback (NACK, PLI/FIR, transport-wide
// congestion control).
func codecParameters(codec protocol.Codec) (webrtc.RTPCodecParameters, error) {
	p, ok := pioncodec.Parameters(codec)
	if !ok {
		return webrtc.RTPCodecParameters{}, fmt.Errorf("%w %q", ErrUnsupportedCodec, codec)
	}
	return p, nil
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
		if err := m.RegisterCodec(p, pioncodec.Kind(codec)); err != nil {
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
