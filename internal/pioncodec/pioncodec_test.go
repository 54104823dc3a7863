package pioncodec

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pion/webrtc/v4"

	"github.com/cohost-rtc/cohost/protocol"
)

// TestOfferCarriesTheTable: a media engine registered from the table offers
// each codec with the table's payload type, clock rate, format and feedback.
func TestOfferCarriesTheTable(t *testing.T) {
	m := &webrtc.MediaEngine{}
	if err := Register(m); err != nil {
		t.Fatal(err)
	}
	pc, err := webrtc.NewAPI(webrtc.WithMediaEngine(m)).NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	for _, k := range []webrtc.RTPCodecType{webrtc.RTPCodecTypeAudio, webrtc.RTPCodecTypeVideo} {
		if _, err := pc.AddTransceiverFromKind(k, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionRecvonly}); err != nil {
			t.Fatal(err)
		}
	}
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range protocol.Codecs() {
		_, name, _ := strings.Cut(p.MimeType, "/")
		rtpmap := fmt.Sprintf("a=rtpmap:%d %s/%d", p.PayloadType, name, p.ClockRate)
		if p.Channels > 0 {
			rtpmap += fmt.Sprintf("/%d", p.Channels)
		}
		want := []string{rtpmap + "\r\n"}
		if p.Fmtp != "" {
			want = append(want, fmt.Sprintf("a=fmtp:%d %s\r\n", p.PayloadType, p.Fmtp))
		}
		for _, fb := range p.Feedback {
			want = append(want, strings.TrimSpace(fmt.Sprintf("a=rtcp-fb:%d %s %s", p.PayloadType, fb.Type, fb.Parameter))+"\r\n")
		}
		for _, line := range want {
			if !strings.Contains(offer.SDP, line) {
				t.Errorf("%s: offer lacks %q", p.Codec, line)
			}
		}
	}
}

func TestParameters(t *testing.T) {
	for _, c := range []protocol.Codec{protocol.CodecOpus, protocol.CodecVP8, protocol.CodecVP9, protocol.CodecH264} {
		want, _ := c.Params()
		got, ok := Parameters(c)
		if !ok || got.MimeType != want.MimeType || uint8(got.PayloadType) != want.PayloadType || got.ClockRate != want.ClockRate ||
			got.Channels != want.Channels || got.SDPFmtpLine != want.Fmtp || len(got.RTCPFeedback) != len(want.Feedback) {
			t.Errorf("%s: %+v, want %+v", c, got, want)
		}
		if Kind(c).String() != string(c.Kind()) {
			t.Errorf("%s: kind %s, want %s", c, Kind(c), c.Kind())
		}
	}
	if _, ok := Parameters("av1"); ok {
		t.Error("parameters for av1")
	}
	if err := Register(&webrtc.MediaEngine{}, "av1"); err == nil {
		t.Error("registered av1")
	}
}
