package sfu

import (
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/webrtc/v4"
)

// newTestMediaTCP starts a Media on a random loopback UDP port with
// ICE-TCP on the same port number.
func newTestMediaTCP(tb testing.TB) *Media {
	tb.Helper()
	for {
		conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			tb.Fatal(err)
		}
		ln, err := net.ListenTCP("tcp4", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: conn.LocalAddr().(*net.UDPAddr).Port})
		if err != nil {
			_ = conn.Close() // that TCP port is taken: another pair
			continue
		}
		m, err := NewMedia(MediaConfig{Conn: conn, TCPListener: ln})
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { _ = m.Close() })
		return m
	}
}

// newTCPOnlyClientPC is a client peer connection that gathers and uses
// ICE-TCP only, on loopback.
func newTCPOnlyClientPC(tb testing.TB) *webrtc.PeerConnection {
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
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeTCP4})
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

// TestLiteViewerOverICETCP: a viewer on the fan-out transport whose client
// can only use TCP gets the offer's passive TCP candidate (same port
// number as the UDP one), connects to it, and receives and decrypts the
// track's packets over that connection.
func TestLiteViewerOverICETCP(t *testing.T) {
	srv := newTestMediaTCP(t)
	pt := newVideoTrack()
	s := newSubscriber(t, srv)
	_ = s.pc.Close()
	s.pc = newTCPOnlyClientPC(t)
	s.pc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) { s.tracks <- tr })
	s.down.Add(NewDownTrack(pt))
	ev := <-s.offers
	port := srv.candidates[0].Port()
	if want := " tcp "; !strings.Contains(ev.SDP, "typ host tcptype passive") || !strings.Contains(ev.SDP, want) {
		t.Fatalf("the offer has no passive TCP candidate on port %d:\n%s", port, ev.SDP)
	}
	startFeeder(t, pt, 5*time.Millisecond)
	waitConnected(t, s.pc)
	var got atomic.Int64
	go s.readMedia(&got)
	deadline := time.Now().Add(30 * time.Second)
	for got.Load() < 20 {
		if time.Now().After(deadline) {
			t.Fatalf("%d packets received over ICE-TCP in 30 s", got.Load())
		}
		time.Sleep(10 * time.Millisecond)
	}
	pair, err := s.pc.SCTP().Transport().ICETransport().GetSelectedCandidatePair()
	if err != nil || pair == nil {
		t.Fatalf("selected pair: %v, %v", pair, err)
	}
	if pair.Local.Protocol != webrtc.ICEProtocolTCP || pair.Remote.Port != port {
		t.Fatalf("selected pair %s, want TCP to port %d", pair, port)
	}
	_ = s.down.Close()
}
