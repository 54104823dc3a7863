package protocol

import (
	"strings"
	"testing"
)

func TestCodecTable(t *testing.T) {
	tests := []struct {
		codec Codec
		mime  string
		pt    uint8
		clock uint32
		fmtp  string
	}{
		{CodecOpus, "audio/opus", 111, 48000, "minptime=10;useinbandfec=1"},
		{CodecVP8, "video/VP8", 96, 90000, ""},
		{CodecVP9, "video/VP9", 98, 90000, "profile-id=0"},
		{CodecH264, "video/H264", 102, 90000, "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"},
	}
	all := Codecs()
	if len(all) != len(tests) {
		t.Fatalf("%d codecs, want %d", len(all), len(tests))
	}
	pts := map[uint8]Codec{}
	for i, tt := range tests {
		p, ok := tt.codec.Params()
		if !ok {
			t.Fatalf("%s: no parameters", tt.codec)
		}
		if p.Codec != tt.codec || p.MimeType != tt.mime || p.PayloadType != tt.pt || p.ClockRate != tt.clock || p.Fmtp != tt.fmtp {
			t.Errorf("%s: %+v", tt.codec, p)
		}
		if all[i].Codec != tt.codec {
			t.Errorf("Codecs()[%d] = %s, want %s", i, all[i].Codec, tt.codec)
		}
		if kind, _, _ := strings.Cut(p.MimeType, "/"); MediaType(kind) != tt.codec.Kind() {
			t.Errorf("%s: MIME type %s, but the codec carries %s", tt.codec, p.MimeType, tt.codec.Kind())
		}
		if (tt.codec.Kind() == MediaAudio) != (p.Channels > 0) {
			t.Errorf("%s: %d channels", tt.codec, p.Channels)
		}
		if other, dup := pts[p.PayloadType]; dup {
			t.Errorf("payload type %d used by %s and %s", p.PayloadType, other, tt.codec)
		}
		pts[p.PayloadType] = tt.codec
		// Every codec asks for transport-wide congestion control; video also
		// for retransmissions and keyframes.
		want := []RTCPFeedback{{Type: "transport-cc"}}
		if tt.codec.Kind() == MediaVideo {
			want = append(want, RTCPFeedback{Type: "nack"}, RTCPFeedback{Type: "nack", Parameter: "pli"}, RTCPFeedback{Type: "ccm", Parameter: "fir"})
		}
		for _, fb := range want {
			found := false
			for _, got := range p.Feedback {
				found = found || got == fb
			}
			if !found {
				t.Errorf("%s lacks feedback %+v", tt.codec, fb)
			}
		}
	}
	if _, ok := Codec("av1").Params(); ok {
		t.Error("parameters for av1, which cohost does not forward")
	}
	// Callers get copies: changing one changes nothing for the next.
	p, _ := CodecVP8.Params()
	p.Feedback[0].Type = "changed"
	all[1].Feedback[1].Type = "changed"
	if q, _ := CodecVP8.Params(); q.Feedback[0].Type == "changed" || q.Feedback[1].Type == "changed" {
		t.Error("the table was changed through a returned value")
	}
}
