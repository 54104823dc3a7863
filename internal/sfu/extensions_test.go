package sfu

import (
	"bytes"
	"encoding/binary"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/cohost-rtc/cohost/protocol"
	"github.com/pion/ice/v4"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// newExtClientPC is a loopback client peer connection that negotiates the
// forwarded header extensions.
func newExtClientPC(tb testing.TB) *webrtc.PeerConnection {
	tb.Helper()
	me := &webrtc.MediaEngine{}
	if err := RegisterCodecs(me); err != nil {
		tb.Fatal(err)
	}
	if err := RegisterHeaderExtensions(me); err != nil {
		tb.Fatal(err)
	}
	se := webrtc.SettingEngine{}
	se.SetIncludeLoopbackCandidate(true)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	pc, err := webrtc.NewAPI(webrtc.WithMediaEngine(me), webrtc.WithSettingEngine(se)).NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = pc.Close() })
	return pc
}

// TestCaptureTimeForwarded checks that abs-capture-time reaches the
// subscriber under the id it negotiated, and that no other header
// extension is forwarded.
func TestCaptureTimeForwarded(t *testing.T) {
	m := newTestMedia(t)
	stats := &Stats{}

	pub := newExtClientPC(t)
	local, err := webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}, "a", "s")
	if err != nil {
		t.Fatal(err)
	}
	sender, err := pub.AddTrack(local)
	if err != nil {
		t.Fatal(err)
	}
	up, err := m.NewUpstream(slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = up.Close() })
	offer, _ := pub.CreateOffer(nil)
	done := webrtc.GatheringCompletePromise(pub)
	if err := pub.SetLocalDescription(offer); err != nil {
		t.Fatal(err)
	}
	<-done
	answer, tracks, err := up.Negotiate(pub.LocalDescription().SDP, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if err := pub.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer}); err != nil {
		t.Fatal(err)
	}
	upID := extensionID(sender.GetParameters().HeaderExtensions, AbsCaptureTimeURI)
	if upID == 0 {
		t.Fatalf("abs-capture-time not negotiated upstream: %+v", sender.GetParameters().HeaderExtensions)
	}
	pt := NewPublishedTrack(1, protocol.MediaAudio, protocol.CodecOpus, stats, time.Second, slog.New(slog.DiscardHandler))
	up.Publish(tracks[0].MID, pt)

	subPC := newExtClientPC(t)
	got := make(chan *webrtc.TrackRemote, 1)
	recvs := make(chan *webrtc.RTPReceiver, 1)
	subPC.OnTrack(func(tr *webrtc.TrackRemote, r *webrtc.RTPReceiver) { got <- tr; recvs <- r })
	sub := &subscriber{pc: subPC, offers: make(chan protocol.OfferEvent, 8)}
	down, err := m.NewDownstream(nil, 5*time.Second, func(ev protocol.OfferEvent) { go sub.answer(t, ev) }, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	sub.down = down
	t.Cleanup(func() { _ = down.Close() })
	down.Add(NewDownTrack(pt))
	waitConnected(t, pub)

	stop := make(chan struct{})
	defer close(stop)
	go func() {
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for seq := uint16(0); ; seq++ {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			p := &rtp.Packet{Header: rtp.Header{Version: 2, SequenceNumber: seq, Timestamp: uint32(seq) * 480}, Payload: []byte("opus")}
			ts := make([]byte, 8)
			binary.BigEndian.PutUint64(ts, 0x0102030405060708)
			_ = p.Header.SetExtension(upID, ts)
			_ = p.Header.SetExtension(upID+1, []byte{9, 9}) // not negotiated: dropped
			_ = local.WriteRTP(p)
		}
	}()
	var remote *webrtc.TrackRemote
	select {
	case remote = <-got:
	case <-time.After(20 * time.Second):
		t.Fatal("no track reached the subscriber")
	}
	downID := extensionID((<-recvs).GetParameters().HeaderExtensions, AbsCaptureTimeURI)
	if downID == 0 {
		t.Fatal("abs-capture-time not negotiated downstream")
	}
	_ = remote.SetReadDeadline(time.Now().Add(10 * time.Second))
	p, _, err := remote.ReadRTP()
	if err != nil {
		t.Fatal(err)
	}
	if ids := p.Header.GetExtensionIDs(); len(ids) != 1 || ids[0] != downID {
		t.Fatalf("extension ids %v, want [%d]", ids, downID)
	}
	if ext := p.Header.GetExtension(downID); !bytes.Equal(ext, []byte{1, 2, 3, 4, 5, 6, 7, 8}) {
		t.Fatalf("abs-capture-time %x", ext)
	}
}

// TestSenderReports: a subscriber gets sender reports for its track, with
// the packets sent and an RTP time that follows the publisher's clock.
func TestSenderReports(t *testing.T) {
	m := newTestMedia(t)
	stats := &Stats{}
	pt := NewPublishedTrack(1, protocol.MediaAudio, protocol.CodecOpus, stats, time.Second, slog.New(slog.DiscardHandler))
	pt.started.Store(true)
	close(pt.done) // no read loop: the test forwards by hand

	subPC := newExtClientPC(t)
	recvs := make(chan *webrtc.RTPReceiver, 1)
	subPC.OnTrack(func(_ *webrtc.TrackRemote, r *webrtc.RTPReceiver) { recvs <- r })
	sub := &subscriber{pc: subPC, offers: make(chan protocol.OfferEvent, 8)}
	down, err := m.NewDownstream(nil, 5*time.Second, func(ev protocol.OfferEvent) { go sub.answer(t, ev) }, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	sub.down = down
	t.Cleanup(func() { _ = down.Close() })
	dt := NewDownTrack(pt)
	down.Add(dt)

	stop := make(chan struct{})
	defer close(stop)
	go func() {
		var hdr rtp.Header
		start := time.Now()
		for seq := uint16(0); ; seq++ {
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
			}
			ts := uint32(time.Since(start).Seconds() * 48000)
			raw, _ := (&rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 111, SequenceNumber: seq, Timestamp: ts}, Payload: []byte("opus")}).Marshal()
			pt.forward(&hdr, raw)
		}
	}()
	var r *webrtc.RTPReceiver
	select {
	case r = <-recvs:
	case <-time.After(20 * time.Second):
		t.Fatal("no track")
	}
	go func() { // drain media
		for {
			if _, _, err := r.Track().ReadRTP(); err != nil {
				return
			}
		}
	}()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		pkts, _, err := r.ReadRTCP()
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range pkts {
			sr, ok := p.(*rtcp.SenderReport)
			if !ok {
				continue
			}
			if sr.SSRC != uint32(r.Track().SSRC()) || sr.PacketCount == 0 || sr.OctetCount != 4*sr.PacketCount {
				t.Fatalf("sender report %+v for SSRC %d", sr, r.Track().SSRC())
			}
			return
		}
	}
	t.Fatal("no sender report")
}
