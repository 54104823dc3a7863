package sfu

import (
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/cohost-rtc/cohost/protocol"
	"github.com/pion/rtcp"
	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"
)

// NegotiatedTrack is one receiving m-section of an upstream answer.
type NegotiatedTrack struct {
	MID   string
	Kind  protocol.MediaType
	Codec protocol.Codec // "" when no forwarded codec was accepted
}

// Upstream is a publisher's peer connection: the client offers, the server
// answers and receives. mu guards the mid → track maps; negotiation itself is
// serialised by the caller (one signalling request at a time).
type Upstream struct {
	pc     *webrtc.PeerConnection
	logger *slog.Logger
	fanout *fanoutPool // nil: none

	mu      sync.Mutex
	tracks  map[string]*PublishedTrack // by mid
	arrived map[string]arrivedTrack    // media that came before Publish
}

// arrivedTrack is a receiving track whose media came before Publish.
type arrivedTrack struct {
	remote     *webrtc.TrackRemote
	captureExt uint8
}

// NewUpstream creates a publisher peer connection. onICE observes its ICE
// state (for liveness).
func (m *Media) NewUpstream(logger *slog.Logger, onICE func(webrtc.ICEConnectionState)) (*Upstream, error) {
	pc, err := newPC(m.upAPI)
	if err != nil {
		return nil, err
	}
	u := &Upstream{pc: pc, logger: logger, fanout: m.fanout, tracks: map[string]*PublishedTrack{}, arrived: map[string]arrivedTrack{}}
	if onICE != nil {
		pc.OnICEConnectionStateChange(onICE)
	}
	pc.OnTrack(u.onTrack)
	return u, nil
}

func (u *Upstream) onTrack(remote *webrtc.TrackRemote, recv *webrtc.RTPReceiver) {
	mid := ""
	for _, tr := range u.pc.GetTransceivers() {
		if tr.Receiver() == recv {
			mid = tr.Mid()
			break
		}
	}
	ext := extensionID(recv.GetParameters().HeaderExtensions, AbsCaptureTimeURI)
	u.mu.Lock()
	t := u.tracks[mid]
	if t == nil {
		u.arrived[mid] = arrivedTrack{remote, ext}
	}
	u.mu.Unlock()
	if t != nil {
		t.attach(remote, u.pc.WriteRTCP, ext, u.fanout)
	}
}

// CheckOffer refuses, before any connection sees it, an offer that does
// not parse, lacks the ICE credentials or DTLS fingerprint of a section, or
// has more sending m-sections than max (the tracks a user may publish). Applying
// such an offer would leave the connection waiting for an answer.
func CheckOffer(offer string, max int) error {
	var sd sdp.SessionDescription
	if err := sd.UnmarshalString(offer); err != nil {
		return fmt.Errorf("%w: %v", ErrBadSDP, err)
	}
	if n := sendingSections(&sd); n > max {
		return fmt.Errorf("%w: the offer has %d sending m-sections, a user publishes at most %d tracks", ErrTooManySections, n, max)
	}
	for i, md := range sd.MediaDescriptions {
		for _, key := range []string{"ice-ufrag", "ice-pwd", "fingerprint"} {
			if _, ok := sd.Attribute(key); ok {
				continue
			}
			if _, ok := md.Attribute(key); !ok {
				return fmt.Errorf("%w: m-section %d has no %s", ErrBadSDP, i, key)
			}
		}
	}
	return nil
}

// sendingSections counts the m-sections of sd that offer media: the ones a
// client stopped sending on (inactive, recvonly or port 0) stay in every
// later offer and are not counted.
func sendingSections(sd *sdp.SessionDescription) int {
	n := 0
	for _, md := range sd.MediaDescriptions {
		if md.MediaName.Port.Value == 0 {
			continue
		}
		if _, ok := md.Attribute("inactive"); ok {
			continue
		}
		if _, ok := md.Attribute("recvonly"); ok {
			continue
		}
		n++
	}
	return n
}

// Negotiate applies a client offer and returns the answer (with
// candidates) and the receiving m-sections it accepted. After a failure,
// Stable tells whether the connection can take another offer.
func (u *Upstream) Negotiate(offer string, timeout time.Duration) (string, []NegotiatedTrack, error) {
	if err := u.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offer}); err != nil {
		return "", nil, fmt.Errorf("%w: %v", ErrBadSDP, err)
	}
	u.pinCodecs(offer)
	ans, err := u.pc.CreateAnswer(nil)
	if err != nil {
		return "", nil, fmt.Errorf("%w: %v", ErrBadSDP, err)
	}
	answer, err := gatheredLocalDescription(u.pc, ans, timeout)
	if err != nil {
		return "", nil, err
	}
	tracks, err := receivingTracks(answer)
	if err != nil {
		return "", nil, err
	}
	return answer, tracks, nil
}

// Stable reports whether the connection has no offer pending: a failed
// negotiation that left one pending makes it unusable (Pion cannot roll a
// remote offer back), so its owner replaces it.
func (u *Upstream) Stable() bool {
	return u.pc.SignalingState() == webrtc.SignalingStateStable
}

// pinCodecs makes the answer accept one codec per m-section: the first of
// the offer's that cohost forwards. The sender must then use it, so the
// codec announced to subscribers is the one that flows.
func (u *Upstream) pinCodecs(offer string) {
	var sd sdp.SessionDescription
	if sd.UnmarshalString(offer) != nil {
		return
	}
	first := map[string]protocol.Codec{}
	for _, md := range sd.MediaDescriptions {
		mid, _ := md.Attribute(sdp.AttrKeyMID)
		for _, pt := range md.MediaName.Formats {
			c := formatCodec(md, pt)
			if c == "" {
				continue
			}
			first[mid] = c
			break
		}
	}
	for _, tr := range u.pc.GetTransceivers() {
		c, ok := first[tr.Mid()]
		if !ok || tr.Receiver() == nil {
			continue
		}
		if p, ok := CodecParameters(c); ok {
			_ = tr.SetCodecPreferences([]webrtc.RTPCodecParameters{p})
		}
	}
}

// formatCodec maps payload type pt of md to a forwarded codec ("" when
// none): its rtpmap name, and for H.264 packetization mode 1.
func formatCodec(md *sdp.MediaDescription, pt string) protocol.Codec {
	var name, fmtp string
	for _, a := range md.Attributes {
		switch {
		case a.Key == "rtpmap" && strings.HasPrefix(a.Value, pt+" "):
			name = strings.TrimPrefix(a.Value, pt+" ")
			if i := strings.IndexByte(name, '/'); i >= 0 {
				name = name[:i]
			}
		case a.Key == "fmtp" && strings.HasPrefix(a.Value, pt+" "):
			fmtp = a.Value
		}
	}
	c := CodecFromMime(md.MediaName.Media + "/" + name)
	if c == protocol.CodecH264 && !strings.Contains(fmtp, "packetization-mode=1") {
		return ""
	}
	return c
}

// receivingTracks lists the accepted m-sections of an answer with the codec
// chosen for each.
func receivingTracks(answer string) ([]NegotiatedTrack, error) {
	var sd sdp.SessionDescription
	if err := sd.UnmarshalString(answer); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadSDP, err)
	}
	var out []NegotiatedTrack
	for _, md := range sd.MediaDescriptions {
		kind := protocol.MediaType(md.MediaName.Media)
		if !kind.Valid() || md.MediaName.Port.Value == 0 {
			continue
		}
		mid, _ := md.Attribute(sdp.AttrKeyMID)
		if _, inactive := md.Attribute("inactive"); inactive {
			continue
		}
		nt := NegotiatedTrack{MID: mid, Kind: kind}
		if len(md.MediaName.Formats) > 0 {
			pt := md.MediaName.Formats[0]
			for _, a := range md.Attributes {
				if a.Key != "rtpmap" || !strings.HasPrefix(a.Value, pt+" ") {
					continue
				}
				name := strings.TrimPrefix(a.Value, pt+" ")
				if i := strings.IndexByte(name, '/'); i >= 0 {
					name = name[:i]
				}
				nt.Codec = CodecFromMime(string(kind) + "/" + name)
			}
		}
		out = append(out, nt)
	}
	return out, nil
}

// Publish binds t to the m-section mid; media flows once it arrives.
func (u *Upstream) Publish(mid string, t *PublishedTrack) {
	u.mu.Lock()
	u.tracks[mid] = t
	a, ok := u.arrived[mid]
	delete(u.arrived, mid)
	u.mu.Unlock()
	if ok {
		t.attach(a.remote, u.pc.WriteRTCP, a.captureExt, u.fanout)
	}
}

// Unpublish forgets the track at mid and closes it.
func (u *Upstream) Unpublish(mid string) {
	u.mu.Lock()
	t := u.tracks[mid]
	delete(u.tracks, mid)
	u.mu.Unlock()
	if t != nil {
		t.Close()
	}
}

// WriteRTCP sends RTCP to the publisher.
func (u *Upstream) WriteRTCP(pkts []rtcp.Packet) error { return u.pc.WriteRTCP(pkts) }

// Close closes the peer connection and every track; read loops end.
func (u *Upstream) Close() error {
	u.mu.Lock()
	tracks := u.tracks
	u.tracks = map[string]*PublishedTrack{}
	u.mu.Unlock()
	for _, t := range tracks {
		t.Close()
	}
	err := u.pc.Close()
	for _, t := range tracks {
		<-t.done
	}
	return err
}
