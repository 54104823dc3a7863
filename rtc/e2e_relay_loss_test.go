package rtc_test

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/rtc"
)

// lossyConn is a UDP socket that drops a seeded 5 % of the video RTP
// packets it sends, each only the first time its (SSRC, sequence number)
// is seen: a retransmission always goes through. STUN, DTLS, RTCP and audio
// pass untouched. RTP headers are readable without decrypting SRTP.
type lossyConn struct {
	net.PacketConn
	mu      sync.Mutex
	rng     *rand.Rand
	seen    map[uint64]bool
	dropped atomic.Int64
}

func (c *lossyConn) WriteTo(b []byte, addr net.Addr) (int, error) {
	if len(b) >= 12 && b[0]>>6 == 2 && b[1]&0x7f == 96 { // RTP, VP8 payload type
		key := uint64(binary.BigEndian.Uint32(b[8:12]))<<16 | uint64(binary.BigEndian.Uint16(b[2:4]))
		c.mu.Lock()
		first := !c.seen[key]
		c.seen[key] = true
		drop := first && c.rng.Float64() < 0.05
		c.mu.Unlock()
		if drop {
			c.dropped.Add(1)
			return len(b), nil
		}
	}
	return c.PacketConn.WriteTo(b, addr)
}

// TestE2ERelaySurvivesSourceLoss: 5 % of the host's video packets are lost
// on their way to the server; NACKs recover them, so a subscriber of the
// relayed track in another channel gets every payload.
func TestE2ERelaySurvivesSourceLoss(t *testing.T) {
	srv := startServer(t)
	ctx := ctxT(t)
	udp, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	lossy := &lossyConn{PacketConn: udp, rng: rand.New(rand.NewPCG(1, 2)), seen: map[uint64]bool{}}
	mux := webrtc.NewICEUDPMux(nil, lossy)
	t.Cleanup(func() { _ = mux.Close() })
	host := newClient(t, srv, "host", asHost, func(c *rtc.EngineConfig) {
		se := loopback()
		se.SetICEUDPMux(mux)
		c.SettingEngine = se
	})
	host.join(t, "src", 1)
	s := publishAV(t, host)
	viewer := newClient(t, srv, "viewer")
	viewer.join(t, "dst", 9)
	if err := host.StartChannelMediaRelay(ctx, relayConfig(rtc.ChannelMediaInfo{ChannelName: "dst", UID: 100})); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	r := receive(t, viewer, 100, protocol.MediaVideo, &wg)
	deadline := time.Now().Add(waitTimeout)
	for i := 0; !r.warm.Load(); i++ {
		if time.Now().After(deadline) {
			t.Fatal("no media through the relay")
		}
		s.send(t, kindWarm, i)
		time.Sleep(10 * time.Millisecond)
	}
	const n = 400
	sent := map[uint16][]byte{}
	first := s.vseq + 1
	for i := range n {
		_, v := s.send(t, kindTest, i)
		sent[s.vseq] = v
		time.Sleep(3 * time.Millisecond)
	}
	// Wait for every test packet, retransmissions included. Packets keep
	// flowing meanwhile: a lost last test packet is only noticed (and
	// asked for again) once a later packet arrives.
	got := func() map[uint16][]byte {
		r.mu.Lock()
		defer r.mu.Unlock()
		m := map[uint16][]byte{}
		for j, p := range r.test {
			m[r.seqs[j]] = p
		}
		return m
	}
	trailing := 0
	waitFor(t, "every test packet at the relayed subscriber", func() bool {
		if len(got()) >= n {
			return true
		}
		s.send(t, kindWarm, trailing)
		trailing++
		return false
	})
	for i := 0; !r.ended.Load(); i++ {
		s.send(t, kindEnd, i)
		time.Sleep(10 * time.Millisecond)
	}
	wg.Wait()
	if lossy.dropped.Load() < 5 {
		t.Fatalf("only %d packets dropped: the loss did not happen", lossy.dropped.Load())
	}
	m := got()
	// The relay keeps the publisher's sequence numbers (no pause here).
	seqs := make([]uint16, 0, len(m))
	for q := range m {
		seqs = append(seqs, q)
	}
	slices.Sort(seqs)
	for i := range n {
		q := first + uint16(i)
		if !bytes.Equal(m[q], sent[q]) {
			t.Fatalf("packet %d (seq %d) missing or different after recovery; %d dropped", i, q, lossy.dropped.Load())
		}
	}
	t.Logf("%d of %d video packets dropped on the way in, all recovered", lossy.dropped.Load(), n)
}
