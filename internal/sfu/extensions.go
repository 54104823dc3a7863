package sfu

import "github.com/pion/webrtc/v4"

// AbsCaptureTimeURI names the abs-capture-time RTP header extension: the
// NTP time (64-bit, UQ32.32) at which the first byte of the frame was
// captured, stamped by the sender and meant to pass through mixers and
// SFUs unchanged. cohost forwards it to every subscriber that negotiated
// it, so receivers can measure end-to-end latency from the RTP header,
// which SRTP does not encrypt. It is the only header extension forwarded.
const AbsCaptureTimeURI = "http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time"

// absCaptureTimeLen is the forwarded length of abs-capture-time: the
// timestamp without the optional estimated clock offset, which a
// forwarder cannot keep correct.
const absCaptureTimeLen = 8

// RegisterHeaderExtensions registers the header extensions cohost
// forwards (abs-capture-time, audio and video) in m.
func RegisterHeaderExtensions(m *webrtc.MediaEngine) error {
	for _, kind := range []webrtc.RTPCodecType{webrtc.RTPCodecTypeAudio, webrtc.RTPCodecTypeVideo} {
		if err := m.RegisterHeaderExtension(webrtc.RTPHeaderExtensionCapability{URI: AbsCaptureTimeURI}, kind); err != nil {
			return err
		}
	}
	return nil
}

// extensionID returns the negotiated id of the extension uri, 0 if absent
// or unusable in a one-byte header.
func extensionID(exts []webrtc.RTPHeaderExtensionParameter, uri string) uint8 {
	for _, e := range exts {
		if e.URI == uri && e.ID > 0 && e.ID < 15 {
			return uint8(e.ID)
		}
	}
	return 0
}
