package sfu

import (
	"encoding/binary"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/cohost-rtc/cohost/protocol"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// BenchmarkRelayLatency forwards the same packets to a direct subscriber
// and to a subscriber of a relay destination (gate, sequence rewriting) in
// one run, and reports each one's latency from the forwarding call to the
// subscriber's ReadRTP, p50 and p99, in microseconds.
func BenchmarkRelayLatency(b *testing.B) {
	m := newTestMedia(b)
	pt := NewPublishedTrack(1, protocol.MediaVideo, protocol.CodecVP8, &Stats{}, time.Second, slog.New(slog.DiscardHandler))
	direct, relayed := newSubscriber(b, m), newSubscriber(b, m)
	direct.down.Add(NewDownTrack(pt))
	relayed.down.Add(NewRelayedDownTrack(pt, 1001, &Gate{}))
	var tracks [2]*webrtc.TrackRemote
	for i, s := range []*subscriber{direct, relayed} {
		waitConnected(b, s.pc)
		select {
		case tracks[i] = <-s.tracks:
		case <-time.After(20 * time.Second):
			// OnTrack fires on the first packet: prime both subscribers.
		}
	}
	base := time.Now()
	pkt := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 96, SSRC: 1234}, Payload: make([]byte, 1100)}
	var hdr rtp.Header
	send := func(seq uint16) {
		pkt.SequenceNumber = seq
		binary.BigEndian.PutUint64(pkt.Payload, uint64(time.Since(base)))
		raw, _ := pkt.Marshal()
		pt.forward(&hdr, raw)
	}
	for i := 0; tracks[0] == nil || tracks[1] == nil; i++ {
		send(uint16(i))
		for j, s := range []*subscriber{direct, relayed} {
			if tracks[j] == nil {
				select {
				case tracks[j] = <-s.tracks:
				default:
				}
			}
		}
		if i > 2000 {
			b.Fatal("subscribers got no track")
		}
		time.Sleep(time.Millisecond)
	}
	n := max(b.N, 500)
	lat := [2][]time.Duration{}
	var wg sync.WaitGroup
	for j, tr := range tracks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for len(lat[j]) < n {
				_ = tr.SetReadDeadline(time.Now().Add(5 * time.Second))
				p, _, err := tr.ReadRTP()
				if err != nil {
					return
				}
				sent := time.Duration(binary.BigEndian.Uint64(p.Payload))
				if sent == 0 {
					continue
				}
				lat[j] = append(lat[j], time.Since(base)-sent)
			}
		}()
	}
	b.ResetTimer()
	for i := range n {
		send(uint16(10000 + i))
		time.Sleep(500 * time.Microsecond)
	}
	wg.Wait()
	b.StopTimer()
	for j, name := range []string{"direct", "relayed"} {
		l := lat[j]
		if len(l) < n*9/10 {
			b.Fatalf("%s subscriber got %d of %d packets", name, len(l), n)
		}
		slices.Sort(l)
		b.ReportMetric(float64(l[len(l)/2].Microseconds()), name+"-p50-µs")
		b.ReportMetric(float64(l[len(l)*99/100].Microseconds()), name+"-p99-µs")
	}
}
