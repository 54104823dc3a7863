package sfu

import (
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cohost-rtc/cohost/internal/pionlog"
	"github.com/cohost-rtc/cohost/protocol"
	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// pausableConn is a client's UDP socket whose reads can be held, so that
// a test can keep the client's receive path (and its allocations) out of
// a measurement of the server's.
type pausableConn struct {
	*net.UDPConn
	mu     sync.Mutex
	paused bool
	resume chan struct{}
}

func (c *pausableConn) ReadFrom(p []byte) (int, net.Addr, error) {
	c.mu.Lock()
	for c.paused {
		ch := c.resume
		c.mu.Unlock()
		<-ch
		c.mu.Lock()
	}
	c.mu.Unlock()
	return c.UDPConn.ReadFrom(p)
}

func (c *pausableConn) pause() {
	c.mu.Lock()
	c.paused, c.resume = true, make(chan struct{})
	c.mu.Unlock()
}

func (c *pausableConn) unpause() {
	c.mu.Lock()
	if c.paused {
		c.paused = false
		close(c.resume)
	}
	c.mu.Unlock()
}

// newPausableSubscriber is a subscriber whose socket reads can be held.
func newPausableSubscriber(tb testing.TB, m *Media) (*subscriber, *pausableConn) {
	tb.Helper()
	udp, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		tb.Fatal(err)
	}
	conn := &pausableConn{UDPConn: udp}
	me := &webrtc.MediaEngine{}
	if err := RegisterCodecs(me); err != nil {
		tb.Fatal(err)
	}
	lf := pionlog.Factory(slog.New(slog.DiscardHandler))
	se := webrtc.SettingEngine{LoggerFactory: lf}
	mux := webrtc.NewICEUDPMux(lf.NewLogger("mux"), conn)
	se.SetICEUDPMux(mux)
	se.SetIncludeLoopbackCandidate(true)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	api := webrtc.NewAPI(webrtc.WithMediaEngine(me), webrtc.WithInterceptorRegistry(&interceptor.Registry{}), webrtc.WithSettingEngine(se))
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		conn.unpause()
		_ = pc.Close()
		_ = mux.Close()
	})
	s := &subscriber{pc: pc, tracks: make(chan *webrtc.TrackRemote, 8), offers: make(chan protocol.OfferEvent, 8)}
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
	return s, conn
}

// TestForwardAllocatesNothing: forwarding a packet to subscribers, its
// encryption, the send queue and the sender's sendmmsg included, allocates
// nothing, at light load (each packet sent alone) and saturated (large
// batches). The subscribers' own receive path is held so that only the
// server's side is measured. The same holds for a media port that also
// serves ICE-TCP (its sends look each address up among the TCP clients).
func TestForwardAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	t.Run("udp", func(t *testing.T) { testForwardAllocatesNothing(t, newTestMedia(t)) })
	t.Run("with ICE-TCP", func(t *testing.T) { testForwardAllocatesNothing(t, newTestMediaTCP(t)) })
}

func testForwardAllocatesNothing(t *testing.T, m *Media) {
	stats := &Stats{}
	pt := NewPublishedTrack(1, protocol.MediaVideo, protocol.CodecVP8, stats, time.Second, slog.New(slog.DiscardHandler))
	const n = 3
	var conns []*pausableConn
	var subs []*subscriber
	for range n {
		s, c := newPausableSubscriber(t, m)
		s.down.Add(NewDownTrack(pt))
		subs, conns = append(subs, s), append(conns, c)
	}
	for _, s := range subs {
		waitConnected(t, s.pc)
	}
	pkt := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 96, SequenceNumber: 1, Timestamp: 1, SSRC: 1234}, Payload: make([]byte, 1100)}
	raw, _ := pkt.Marshal()
	var hdr rtp.Header
	seq := uint16(1)
	forward := func() {
		seq++
		raw[2], raw[3] = byte(seq>>8), byte(seq)
		pt.forward(&hdr, raw)
	}
	// Every subscriber reads a first packet: all down tracks are bound.
	var received atomic.Int64
	for _, s := range subs {
		go s.readMedia(&received)
	}
	deadline := time.Now().Add(20 * time.Second)
	for received.Load() < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d subscribers received media", received.Load(), n)
		}
		forward()
		m.flush()
		time.Sleep(5 * time.Millisecond)
	}
	for _, c := range conns {
		c.pause()
	}
	out := stats.PacketsOut()
	light := testing.AllocsPerRun(300, func() {
		forward()
		m.flush()
	})
	saturated := testing.AllocsPerRun(20, func() {
		for range 64 {
			forward()
		}
		m.flush()
	})
	if sent := stats.PacketsOut() - out; sent < n*(300+20*64) {
		t.Fatalf("%d packets forwarded", sent)
	}
	if light != 0 || saturated != 0 {
		t.Fatalf("allocations: %.2f per packet at light load, %.2f per 64 packets saturated", light, saturated)
	}
	if e := stats.WriteErrors.Load(); e != 0 {
		t.Fatalf("%d write errors", e)
	}
}
