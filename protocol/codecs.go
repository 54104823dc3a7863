package protocol

import "slices"

// RTCPFeedback is one RTCP feedback mechanism of a codec, as in an SDP
// "a=rtcp-fb" line: Type "nack" with Parameter "pli", for example.
type RTCPFeedback struct {
	Type      string
	Parameter string
}

// CodecParams are the RTP parameters cohost registers for a codec. The
// server and the Go SDK both register these, so both ends offer the same
// payload types and formats; browsers negotiate their own, matched by MIME
// type (and, for H.264, packetization-mode=1).
type CodecParams struct {
	Codec       Codec
	MimeType    string // "audio/opus", "video/VP8", …
	PayloadType uint8
	ClockRate   uint32
	Channels    uint16 // audio channels; 0 for video
	Fmtp        string // the SDP format parameters ("a=fmtp" without the payload type)
	Feedback    []RTCPFeedback
}

var videoFeedback = []RTCPFeedback{
	{Type: "goog-remb"}, {Type: "transport-cc"}, {Type: "ccm", Parameter: "fir"},
	{Type: "nack"}, {Type: "nack", Parameter: "pli"},
}

// codecTable lists the forwarded codecs, audio first.
var codecTable = []CodecParams{
	{Codec: CodecOpus, MimeType: "audio/opus", PayloadType: 111, ClockRate: 48000, Channels: 2,
		Fmtp: "minptime=10;useinbandfec=1", Feedback: []RTCPFeedback{{Type: "transport-cc"}}},
	{Codec: CodecVP8, MimeType: "video/VP8", PayloadType: 96, ClockRate: 90000, Feedback: videoFeedback},
	{Codec: CodecVP9, MimeType: "video/VP9", PayloadType: 98, ClockRate: 90000, Fmtp: "profile-id=0", Feedback: videoFeedback},
	{Codec: CodecH264, MimeType: "video/H264", PayloadType: 102, ClockRate: 90000,
		Fmtp: "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f", Feedback: videoFeedback},
}

// Codecs returns the parameters of every codec cohost forwards, audio
// first. The caller may modify the result.
func Codecs() []CodecParams {
	out := make([]CodecParams, len(codecTable))
	for i, p := range codecTable {
		p.Feedback = slices.Clone(p.Feedback)
		out[i] = p
	}
	return out
}

// Params returns the parameters cohost registers for c; false when cohost
// does not forward c.
func (c Codec) Params() (CodecParams, bool) {
	for _, p := range codecTable {
		if p.Codec == c {
			p.Feedback = slices.Clone(p.Feedback)
			return p, true
		}
	}
	return CodecParams{}, false
}
