package sfu

import (
	"encoding/binary"
	"log/slog"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cohost-rtc/cohost/protocol"
	"github.com/pion/rtp"
)

// TestLargeFanoutSplitOverWorkers: a fan-out shared with worker goroutines
// still delivers every packet to every subscriber, in order. (Allocations
// are not checked here: Pion's SRTP writer takes its buffers from a
// sync.Pool, which allocates when the copies are encrypted on several
// processors, 1 to 32 per packet and its 70 copies in this test.)
func TestLargeFanoutSplitOverWorkers(t *testing.T) {
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewMedia(MediaConfig{Conn: conn, FanoutWorkers: 3})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close() })
	stats := &Stats{}
	pt := NewPublishedTrack(1, protocol.MediaVideo, protocol.CodecVP8, stats, time.Second, slog.New(slog.DiscardHandler))
	pt.useFanout(m.fanout)
	const n, packets = fanoutMin + 6, 300
	var subs []*subscriber

	for range n {
		s, _ := newPausableSubscriber(t, m)
		s.down.Add(NewDownTrack(pt))
		subs = append(subs, s)
	}
	for _, s := range subs {
		waitConnected(t, s.pc)
	}
	raw, _ := (&rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 96, SSRC: 1234}, Payload: make([]byte, 1000)}).Marshal()
	var hdr rtp.Header
	seq := uint16(0)
	forward := func() {
		seq++
		binary.BigEndian.PutUint16(raw[2:], seq)
		pt.forward(&hdr, raw)
	}
	// Every subscriber counts the packets after mark it reads, and gaps
	// between them.
	var started, gaps, total atomic.Int64
	var mark atomic.Uint32
	mark.Store(1 << 17) // nothing counted before it is set
	counts := make([]atomic.Int64, n)
	for i, s := range subs {
		go func() {
			tr, ok := <-s.tracks
			if !ok {
				return
			}
			buf := make([]byte, 1500)
			last := uint32(0)
			for {
				k, _, err := tr.Read(buf)
				if err != nil || k < 4 {
					return
				}
				if last == 0 {
					started.Add(1)
				}
				got := uint32(binary.BigEndian.Uint16(buf[2:]))
				if got > mark.Load() {
					if last >= mark.Load() && got != last+1 {
						gaps.Add(1)
					}
					counts[i].Add(1)
					total.Add(1)
				}
				last = got
			}
		}()
	}
	deadline := time.Now().Add(20 * time.Second)
	for started.Load() < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d subscribers received media", started.Load(), n)
		}
		forward()
		m.flush()
		time.Sleep(5 * time.Millisecond)
	}
	mark.Store(uint32(seq))
	deadline = time.Now().Add(20 * time.Second)
	for i := range packets {
		forward()
		if i%10 != 9 {
			continue
		}
		// The subscribers keep up: their socket buffers never overflow.
		m.flush()
		for total.Load() < int64(n*(i+1)) && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
	}
	for i := range counts {
		if got := counts[i].Load(); got != packets {
			t.Fatalf("subscriber %d read %d of %d packets", i, got, packets)
		}
	}
	if g := gaps.Load(); g != 0 {
		t.Fatalf("%d gaps in the subscribers' sequences", g)
	}
}
