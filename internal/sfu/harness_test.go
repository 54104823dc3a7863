package sfu

import (
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cohost-rtc/cohost/protocol"
	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/webrtc/v4"
)

// newTestMedia starts a Media on a random loopback UDP port.
func newTestMedia(tb testing.TB) *Media {
	tb.Helper()
	return newTestMediaWith(tb, func(*MediaConfig) {})
}

// newTestMediaWith is newTestMedia with set applied to its configuration.
func newTestMediaWith(tb testing.TB, set func(*MediaConfig)) *Media {
	tb.Helper()
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		tb.Fatal(err)
	}
	cfg := MediaConfig{Conn: conn}
	set(&cfg)
	m, err := NewMedia(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = m.Close() })
	return m
}

// newClientPC is a client-side peer connection restricted to loopback.
func newClientPC(tb testing.TB) *webrtc.PeerConnection {
	tb.Helper()
	return newClientPCOn(tb, webrtc.NetworkTypeUDP4)
}

// newClientPCOn is newClientPC gathering and using network alone.
func newClientPCOn(tb testing.TB, network webrtc.NetworkType) *webrtc.PeerConnection {
	tb.Helper()
	me := &webrtc.MediaEngine{}
	if err := RegisterCodecs(me); err != nil {
		tb.Fatal(err)
	}
	ir := &interceptor.Registry{}
	if err := webrtc.RegisterDefaultInterceptors(me, ir); err != nil {
		tb.Fatal(err)
	}
	se := webrtc.SettingEngine{}
	se.SetIncludeLoopbackCandidate(true)
	se.SetNetworkTypes([]webrtc.NetworkType{network})
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	api := webrtc.NewAPI(webrtc.WithMediaEngine(me), webrtc.WithInterceptorRegistry(ir), webrtc.WithSettingEngine(se))
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = pc.Close() })
	return pc
}

// subscriber is a client receiving from a Downstream: it answers every
// offer the server sends.
type subscriber struct {
	pc     *webrtc.PeerConnection
	down   *Downstream
	tracks chan *webrtc.TrackRemote
	offers chan protocol.OfferEvent
}

func newSubscriber(tb testing.TB, m *Media) *subscriber {
	tb.Helper()
	s := &subscriber{pc: newClientPC(tb), tracks: make(chan *webrtc.TrackRemote, 8), offers: make(chan protocol.OfferEvent, 8)}
	s.pc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) { s.tracks <- tr })
	down, err := m.NewDownstream(nil, 5*time.Second, func(ev protocol.OfferEvent) {
		s.offers <- ev
		go s.answer(tb, ev)
	}, nil, nil)
	if err != nil {
		tb.Fatal(err)
	}
	s.down = down
	tb.Cleanup(func() { _ = down.Close() })
	return s
}

func (s *subscriber) answer(tb testing.TB, ev protocol.OfferEvent) {
	if err := s.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: ev.SDP}); err != nil {
		tb.Errorf("client set offer: %v", err)
		return
	}
	ans, err := s.pc.CreateAnswer(nil)
	if err != nil {
		tb.Errorf("client answer: %v", err)
		return
	}
	done := webrtc.GatheringCompletePromise(s.pc)
	if err := s.pc.SetLocalDescription(ans); err != nil {
		tb.Errorf("client set answer: %v", err)
		return
	}
	<-done
	if err := s.down.Answer(s.pc.LocalDescription().SDP); err != nil {
		tb.Errorf("server apply answer: %v", err)
	}
}

// readMedia reads and decrypts the packets of the subscriber's first track
// and counts them in n, until the track ends.
func (s *subscriber) readMedia(n *atomic.Int64) {
	tr, ok := <-s.tracks
	if !ok {
		return
	}
	buf := make([]byte, 1500)
	for {
		if _, _, err := tr.Read(buf); err != nil {
			return
		}
		n.Add(1)
	}
}

// waitConnected waits for pc to connect.
func waitConnected(tb testing.TB, pc *webrtc.PeerConnection) {
	tb.Helper()
	// Generous: tests connect up to 70 peers at once on a loaded 2-core
	// machine, where their DTLS handshakes queue for the processors.
	deadline := time.Now().Add(60 * time.Second)
	for pc.ConnectionState() != webrtc.PeerConnectionStateConnected {
		if time.Now().After(deadline) {
			tb.Fatalf("peer connection state %v after 60 s", pc.ConnectionState())
		}
		time.Sleep(5 * time.Millisecond)
	}
}
