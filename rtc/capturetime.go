package rtc

import (
	"encoding/binary"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// absCaptureTimeURI names the abs-capture-time RTP header extension: the
// NTP time a frame was captured, which the server forwards unchanged to
// subscribers that negotiated it. Header extensions are not encrypted by
// SRTP, so a receiver (or a probe on the network path) can read it.
const absCaptureTimeURI = "http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time"

// ntpEpochOffset is the number of seconds from 1900 (NTP) to 1970 (Unix).
const ntpEpochOffset = 2208988800

// NTPTime converts t to a 64-bit NTP timestamp (UQ32.32 seconds since 1900),
// the format of abs-capture-time.
func NTPTime(t time.Time) uint64 {
	sec := uint64(t.Unix() + ntpEpochOffset)
	frac := uint64(t.Nanosecond()) << 32 / uint64(time.Second)
	return sec<<32 | frac
}

// TimeFromNTP converts a 64-bit NTP timestamp back to a time.
func TimeFromNTP(ntp uint64) time.Time {
	sec := int64(ntp>>32) - ntpEpochOffset
	nsec := int64((ntp & 0xffffffff) * uint64(time.Second) >> 32)
	return time.Unix(sec, nsec)
}

// registerHeaderExtensions registers abs-capture-time for audio and video,
// so that the SDK sends it upstream (with EngineConfig.SendCaptureTime) and
// accepts it downstream.
func registerHeaderExtensions(m *webrtc.MediaEngine) error {
	for _, kind := range []webrtc.RTPCodecType{webrtc.RTPCodecTypeAudio, webrtc.RTPCodecTypeVideo} {
		if err := m.RegisterHeaderExtension(webrtc.RTPHeaderExtensionCapability{URI: absCaptureTimeURI}, kind); err != nil {
			return err
		}
	}
	return nil
}

// captureTimeFactory makes interceptors that stamp every outgoing packet
// with abs-capture-time: the time it is written.
type captureTimeFactory struct{}

func (captureTimeFactory) NewInterceptor(string) (interceptor.Interceptor, error) {
	return &captureTimeInterceptor{}, nil
}

type captureTimeInterceptor struct{ interceptor.NoOp }

func (*captureTimeInterceptor) BindLocalStream(info *interceptor.StreamInfo, w interceptor.RTPWriter) interceptor.RTPWriter {
	var id uint8
	for _, e := range info.RTPHeaderExtensions {
		if e.URI == absCaptureTimeURI && e.ID > 0 && e.ID < 15 {
			id = uint8(e.ID)
		}
	}
	if id == 0 {
		return w
	}
	return interceptor.RTPWriterFunc(func(h *rtp.Header, payload []byte, a interceptor.Attributes) (int, error) {
		ts := make([]byte, 8)
		binary.BigEndian.PutUint64(ts, NTPTime(time.Now()))
		if err := h.SetExtension(id, ts); err != nil {
			return 0, err
		}
		return w.Write(h, payload, a)
	})
}
