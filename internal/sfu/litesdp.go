package sfu

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/cohost-rtc/cohost/protocol"
	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"
)

// The fan-out transport writes its offers itself (one send-only media
// section per track, BUNDLE, rtcp-mux, ICE-lite, DTLS actpass) and reads
// what it needs from the answer: which sections the client accepted, with
// which payload type and header extension ids, its DTLS role and
// certificate fingerprint.

// captureExtID is the id the offers give abs-capture-time.
const captureExtID = 4

// offerSection is one media section of an offer.
type offerSection struct {
	mid string
	dt  *DownTrack // nil once removed: the section stays, inactive
	// free: the client answered an offer in which the section was
	// inactive, so a later track of the same kind and codec may take it
	// over (as browsers recycle their transceivers).
	free   bool
	kind   protocol.MediaType
	ssrc   uint32
	params protocol.CodecParams
}

type liteOffer struct {
	sessionID, version uint64
	creds              iceCredentials
	fingerprint        string
	candidates         []netip.AddrPort
	tcpCandidates      []netip.AddrPort // passive ICE-TCP, after the UDP ones
	sections           []*offerSection
}

func (o *liteOffer) String() string {
	var b strings.Builder
	line := func(format string, args ...any) {
		fmt.Fprintf(&b, format, args...)
		b.WriteString("\r\n")
	}
	line("v=0")
	line("o=- %d %d IN IP4 0.0.0.0", o.sessionID, o.version)
	line("s=-")
	line("t=0 0")
	mids := make([]string, len(o.sections))
	for i, s := range o.sections {
		mids[i] = s.mid
	}
	line("a=group:BUNDLE %s", strings.Join(mids, " "))
	line("a=ice-lite")
	line("a=msid-semantic: WMS *")
	for _, s := range o.sections {
		media := "audio"
		if s.kind == protocol.MediaVideo {
			media = "video"
		}
		p := s.params
		line("m=%s 9 UDP/TLS/RTP/SAVPF %d", media, p.PayloadType)
		line("c=IN IP4 0.0.0.0")
		line("a=rtcp:9 IN IP4 0.0.0.0")
		line("a=ice-ufrag:%s", o.creds.ufrag)
		line("a=ice-pwd:%s", o.creds.pwd)
		line("a=ice-options:trickle")
		line("a=fingerprint:sha-256 %s", o.fingerprint)
		line("a=setup:actpass")
		line("a=mid:%s", s.mid)
		line("a=extmap:%d %s", captureExtID, AbsCaptureTimeURI)
		if s.dt == nil {
			line("a=inactive")
		} else {
			line("a=sendonly")
			line("a=msid:%s %s", s.dt.StreamID(), s.dt.ID())
		}
		line("a=rtcp-mux")
		if p.Channels > 0 {
			line("a=rtpmap:%d %s/%d/%d", p.PayloadType, codecName(p.MimeType), p.ClockRate, p.Channels)
		} else {
			line("a=rtpmap:%d %s/%d", p.PayloadType, codecName(p.MimeType), p.ClockRate)
		}
		if p.Fmtp != "" {
			line("a=fmtp:%d %s", p.PayloadType, p.Fmtp)
		}
		for _, fb := range p.Feedback {
			if fb.Parameter != "" {
				line("a=rtcp-fb:%d %s %s", p.PayloadType, fb.Type, fb.Parameter)
			} else {
				line("a=rtcp-fb:%d %s", p.PayloadType, fb.Type)
			}
		}
		if s.dt != nil {
			line("a=ssrc:%d cname:%s", s.ssrc, s.dt.StreamID())
			line("a=ssrc:%d msid:%s %s", s.ssrc, s.dt.StreamID(), s.dt.ID())
		}
		for i, c := range o.candidates {
			line("a=candidate:%d 1 udp %d %s %d typ host", i+1, 2130706431-i, c.Addr().Unmap(), c.Port())
		}
		// Lower priorities than UDP's: a client that reaches both uses UDP.
		for i, c := range o.tcpCandidates {
			line("a=candidate:%d 1 tcp %d %s %d typ host tcptype passive", len(o.candidates)+i+1, 1694498815-i, c.Addr().Unmap(), c.Port())
		}
		line("a=end-of-candidates")
	}
	return b.String()
}

// codecName is the encoding name of a MIME type ("video/VP8" → "VP8").
func codecName(mime string) string {
	_, name, _ := strings.Cut(mime, "/")
	return name
}

// liteAnswer is what the transport takes from a client's answer.
type liteAnswer struct {
	ufrag, pwd  string // the client's ICE credentials
	fingerprint string // SHA-256, upper case
	dtlsClient  bool   // the client chose setup:passive, so the server dials
	sections    map[string]answerSection
}

type answerSection struct {
	rejected   bool
	codecs     []webrtc.RTPCodecParameters
	captureExt uint8
}

func parseLiteAnswer(raw string) (*liteAnswer, error) {
	var sd sdp.SessionDescription
	if err := sd.UnmarshalString(raw); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadSDP, err)
	}
	a := &liteAnswer{sections: map[string]answerSection{}}
	attr := func(md *sdp.MediaDescription, key string) string {
		if md != nil {
			if v, ok := md.Attribute(key); ok {
				return v
			}
		}
		v, _ := sd.Attribute(key)
		return v
	}
	for _, md := range sd.MediaDescriptions {
		mid, ok := md.Attribute("mid")
		if !ok {
			return nil, fmt.Errorf("%w: a media section without a mid", ErrBadSDP)
		}
		sec := answerSection{rejected: md.MediaName.Port.Value == 0}
		if _, inactive := md.Attribute("inactive"); inactive {
			sec.rejected = true
		}
		if a.ufrag == "" {
			a.ufrag, a.pwd = attr(md, "ice-ufrag"), attr(md, "ice-pwd")
		}
		if a.fingerprint == "" {
			a.fingerprint = attr(md, "fingerprint")
			if setup := attr(md, "setup"); setup == "passive" {
				a.dtlsClient = true
			}
		}
		for _, f := range md.MediaName.Formats {
			pt, err := strconv.ParseUint(f, 10, 8)
			if err != nil {
				continue
			}
			c, err := sd.GetCodecForPayloadType(uint8(pt))
			if err != nil {
				continue
			}
			mime := "audio/" + c.Name
			if md.MediaName.Media == "video" {
				mime = "video/" + c.Name
			}
			sec.codecs = append(sec.codecs, webrtc.RTPCodecParameters{PayloadType: webrtc.PayloadType(pt),
				RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: mime, ClockRate: c.ClockRate, SDPFmtpLine: c.Fmtp}})
		}
		for _, at := range md.Attributes {
			if at.Key != "extmap" {
				continue
			}
			id, uri, _ := strings.Cut(at.Value, " ")
			id, _, _ = strings.Cut(id, "/")
			if n, err := strconv.Atoi(id); err == nil && strings.TrimSpace(uri) == AbsCaptureTimeURI && n > 0 && n < 15 {
				sec.captureExt = uint8(n)
			}
		}
		a.sections[mid] = sec
	}
	if fp, ok := strings.CutPrefix(a.fingerprint, "sha-256 "); ok {
		a.fingerprint = strings.ToUpper(strings.TrimSpace(fp))
	} else if len(a.sections) > 0 && a.fingerprint != "" {
		return nil, fmt.Errorf("%w: fingerprint %q is not SHA-256", ErrBadSDP, a.fingerprint)
	}
	return a, nil
}
