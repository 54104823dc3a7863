package sfu

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

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

// TestLiteViewerOverICETCP: a viewer on the fan-out transport whose client
// can only use TCP gets the offer's passive TCP candidate (same port
// number as the UDP one), connects to it, and receives and decrypts the
// track's packets over that connection.
func TestLiteViewerOverICETCP(t *testing.T) {
	srv := newTestMediaTCP(t)
	pt := newVideoTrack()
	s := newSubscriber(t, srv)
	_ = s.pc.Close()
	s.pc = newClientPCOn(t, webrtc.NetworkTypeTCP4)
	s.pc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) { s.tracks <- tr })
	s.down.Add(NewDownTrack(pt))
	ev := <-s.offers
	port := srv.candidates[0].Port()
	if want := fmt.Sprintf(" 1 tcp 1694498815 127.0.0.1 %d typ host tcptype passive\r\n", port); !strings.Contains(ev.SDP, want) {
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

// newTCPRemotePair is a tcpRemote writing on one end of a loopback TCP
// connection, and the other end.
func newTCPRemotePair(tb testing.TB) (*tcpRemote, net.Conn) {
	tb.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	peer, err := net.Dial("tcp4", ln.Addr().String())
	if err != nil {
		tb.Fatal(err)
	}
	c, err := ln.Accept()
	if err != nil {
		tb.Fatal(err)
	}
	r := newTCPRemote(c, netip.MustParseAddrPort(peer.LocalAddr().String()))
	var wg sync.WaitGroup
	wg.Go(r.writeLoop)
	tb.Cleanup(func() {
		r.close()
		_ = peer.Close()
		wg.Wait()
	})
	return r, peer
}

// sendICETCP queues packets numbered from *seq for r until n were queued,
// waiting while r's queue is full.
func sendICETCP(r *tcpRemote, pkt []byte, seq *uint32, n int) {
	for range n {
		*seq++
		binary.BigEndian.PutUint32(pkt, *seq)
		for !r.send(pkt) {
			runtime.Gosched()
		}
	}
}

// readICETCP reads the frames on peer, checking that they carry the
// packets sendICETCP numbered, in order and whole, and counts them.
func readICETCP(peer net.Conn, size int, got *atomic.Uint32) <-chan error {
	errc := make(chan error, 1)
	go func() {
		br := bufio.NewReader(peer)
		buf := make([]byte, 0, size)
		for {
			p, err := readFrame(br, buf)
			if err != nil {
				errc <- err
				return
			}
			if len(p) != size || binary.BigEndian.Uint32(p) != got.Load()+1 {
				errc <- fmt.Errorf("frame %d: %d bytes numbered %d", got.Load()+1, len(p), binary.BigEndian.Uint32(p))
				return
			}
			got.Add(1)
		}
	}()
	return errc
}

// TestICETCPQueueAllocatesNothing: packets queued for an ICE-TCP client
// reach it framed, whole and in order, and queueing and writing them
// allocates nothing once the queue is warm.
func TestICETCPQueueAllocatesNothing(t *testing.T) {
	r, peer := newTCPRemotePair(t)
	pkt := make([]byte, 1200)
	var seq, got atomic.Uint32
	errc := readICETCP(peer, len(pkt), &got)
	var sent uint32
	sendICETCP(r, pkt, &sent, 2*tcpSendQueue)
	allocs := testing.AllocsPerRun(2000, func() { sendICETCP(r, pkt, &sent, 1) })
	seq.Store(sent)
	deadline := time.Now().Add(20 * time.Second)
	for got.Load() < seq.Load() {
		select {
		case err := <-errc:
			t.Fatalf("after %d of %d frames: %v", got.Load(), seq.Load(), err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d frames received", got.Load(), seq.Load())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if !raceEnabled && allocs != 0 {
		t.Fatalf("%.0f allocations per packet queued", allocs)
	}
}

// BenchmarkICETCPQueue: queueing a packet for an ICE-TCP client and
// writing it (the client reads on the same machine).
func BenchmarkICETCPQueue(b *testing.B) {
	r, peer := newTCPRemotePair(b)
	pkt := make([]byte, 1200)
	var got atomic.Uint32
	_ = readICETCP(peer, len(pkt), &got)
	var sent uint32
	sendICETCP(r, pkt, &sent, 2*tcpSendQueue)
	b.SetBytes(int64(len(pkt)))
	b.ReportAllocs()
	b.ResetTimer()
	sendICETCP(r, pkt, &sent, b.N)
	for got.Load() < sent {
		time.Sleep(time.Millisecond)
	}
}
