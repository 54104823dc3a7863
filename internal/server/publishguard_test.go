package server_test

import (
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cohost-rtc/cohost/internal/config"
	"github.com/cohost-rtc/cohost/internal/servertest"
	"github.com/cohost-rtc/cohost/internal/sfu"
	"github.com/cohost-rtc/cohost/protocol"
	"github.com/pion/ice/v4"
	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media"
)

// publisherPC is a client peer connection restricted to loopback.
func publisherPC(t *testing.T) *webrtc.PeerConnection {
	t.Helper()
	me := &webrtc.MediaEngine{}
	if err := sfu.RegisterCodecs(me); err != nil {
		t.Fatal(err)
	}
	se := webrtc.SettingEngine{}
	se.SetIncludeLoopbackCandidate(true)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	pc, err := webrtc.NewAPI(webrtc.WithMediaEngine(me), webrtc.WithSettingEngine(se)).NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pc.Close() })
	return pc
}

// gatheredOffer sets pc's offer and returns it with its candidates.
func gatheredOffer(t *testing.T, pc *webrtc.PeerConnection) string {
	t.Helper()
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	done := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(offer); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("client ICE gathering did not complete in 20 s")
	}
	return pc.LocalDescription().SDP
}

func TestAudienceCannotPublishAnEmptyTrackList(t *testing.T) {
	srv := servertest.Start(t)
	a := dialRaw(t, srv.WSURL())
	a.join(liveJoin(srv.TestAppID, 2, protocol.RoleAudience, ""))
	offer := gatheredOffer(t, publisherPC(t))
	wantError(t, a.request(protocol.TypePublish, protocol.PublishRequest{SDP: offer, Tracks: []protocol.TrackInfo{}}), protocol.ErrRefused)
}

func TestOfferWithMoreSectionsThanTracksIsRefused(t *testing.T) {
	srv := servertest.Start(t, func(c *config.Config) { c.Limits.MaxMessageBytes = 1 << 20 })
	host := dialRaw(t, srv.WSURL())
	host.join(liveJoin(srv.TestAppID, 1, protocol.RoleBroadcaster, ""))
	pc := publisherPC(t)
	for i := 0; i < 140; i++ {
		if _, err := pc.AddTransceiverFromKind(webrtc.RTPCodecTypeAudio, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly}); err != nil {
			t.Fatal(err)
		}
	}
	offer := gatheredOffer(t, pc)
	e := wantError(t, host.request(protocol.TypePublish, protocol.PublishRequest{SDP: offer, Tracks: []protocol.TrackInfo{{MID: "0", MediaType: protocol.MediaAudio}}}), protocol.ErrInvalidArgument)
	if !strings.Contains(e.Message, "140 sending m-sections") {
		t.Fatalf("refusal %q does not name the m-section count", e.Message)
	}
}

func TestPublishWorksAfterAnOfferTheServerCouldNotApply(t *testing.T) {
	srv := servertest.Start(t)
	host := dialRaw(t, srv.WSURL())
	stop := make(chan struct{})
	defer close(stop)
	host.keepAlive(200*time.Millisecond, stop)
	host.join(liveJoin(srv.TestAppID, 1, protocol.RoleBroadcaster, ""))

	pc := publisherPC(t)
	local, err := webrtc.NewTrackLocalStaticSample(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus}, "a", "s")
	if err != nil {
		t.Fatal(err)
	}
	tr, err := pc.AddTransceiverFromTrack(local, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly})
	if err != nil {
		t.Fatal(err)
	}
	good := gatheredOffer(t, pc)
	bad := regexp.MustCompile(`(?m)^a=ice-ufrag:.*\r?\n`).ReplaceAllString(good, "")
	tracks := []protocol.TrackInfo{{MID: tr.Mid(), MediaType: protocol.MediaAudio}}
	wantError(t, host.request(protocol.TypePublish, protocol.PublishRequest{SDP: bad, Tracks: tracks}), protocol.ErrInvalidArgument)
	// An offer the connection fails on after taking it (no mid) is refused too.
	noMID := regexp.MustCompile(`(?m)^a=mid:.*\r?\n`).ReplaceAllString(good, "")
	wantError(t, host.request(protocol.TypePublish, protocol.PublishRequest{SDP: noMID, Tracks: tracks}), protocol.ErrInvalidArgument)

	resp := decodeData[protocol.PublishResponse](t, mustOK(t, host.request(protocol.TypePublish, protocol.PublishRequest{SDP: good, Tracks: tracks})))
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: resp.SDP}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for srv.PacketsIn() == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no media reached the server in 20 s (connection %v)", pc.ConnectionState())
		}
		_ = local.WriteSample(media.Sample{Data: []byte{0xf8, 0xff, 0xfe}, Duration: 20 * time.Millisecond})
		time.Sleep(20 * time.Millisecond)
	}
}
