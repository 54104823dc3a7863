package sfu

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cohost-rtc/cohost/protocol"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media"
)

// TestPublishAndSubscribe publishes VP8 from a client peer connection and
// receives it on another through the server's upstream and downstream.
func TestPublishAndSubscribe(t *testing.T) {
	m := newTestMedia(t)
	stats := &Stats{}

	pub := newClientPC(t)
	local, err := webrtc.NewTrackLocalStaticSample(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8}, "v", "s")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pub.AddTrack(local); err != nil {
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
	if len(tracks) != 1 || tracks[0].Kind != protocol.MediaVideo || tracks[0].Codec != protocol.CodecVP8 {
		t.Fatalf("negotiated %+v", tracks)
	}
	if err := pub.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer}); err != nil {
		t.Fatal(err)
	}
	pt := NewPublishedTrack(1, protocol.MediaVideo, protocol.CodecVP8, stats, time.Millisecond, slog.New(slog.DiscardHandler))
	up.Publish(tracks[0].MID, pt)

	sub := newSubscriber(t, m)
	sub.down.Add(NewDownTrack(pt))
	ev := <-sub.offers
	if len(ev.Tracks) != 1 || ev.Tracks[0].UID != 1 || ev.Tracks[0].Codec != protocol.CodecVP8 {
		t.Fatalf("offer tracks %+v", ev.Tracks)
	}
	waitConnected(t, pub)

	stop := make(chan struct{})
	defer close(stop)
	go func() {
		frame := 0
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				frame++
				_ = local.WriteSample(media.Sample{Data: []byte(fmt.Sprintf("frame-%06d", frame)), Duration: 10 * time.Millisecond})
			}
		}
	}()
	var remote *webrtc.TrackRemote
	select {
	case remote = <-sub.tracks:
	case <-time.After(20 * time.Second):
		t.Fatal("no track reached the subscriber")
	}
	if remote.Codec().MimeType != webrtc.MimeTypeVP8 {
		t.Fatalf("codec %s", remote.Codec().MimeType)
	}
	for i := 0; i < 20; i++ {
		_ = remote.SetReadDeadline(time.Now().Add(10 * time.Second))
		p, _, err := remote.ReadRTP()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(p.Payload, []byte("frame-")) {
			t.Fatalf("payload %q", p.Payload)
		}
	}
	if stats.PacketsOut() == 0 || stats.PLIs.Load() == 0 {
		t.Fatalf("stats: out %d PLIs %d", stats.PacketsOut(), stats.PLIs.Load())
	}
}

// BenchmarkForward measures the server's forwarding path from a parsed RTP
// packet to each subscriber's socket: rewrite, SRTP, the send queue and
// the sender's sendmmsg (the clock stops once the queue is drained). The
// subscribers are Pion peer connections in the same process that read
// and decrypt their media, so their buffers do not grow; their work and
// allocations are in the figures too.
//
// "saturated" forwards packets back to back, so the sender sends large
// batches (the queue is drained before a subscriber's or a sender's queue
// could fill, so that nothing is dropped); "light" waits for each packet's copies to be sent before
// forwarding the next (one packet per sendmmsg with one subscriber). The
// relayed variants forward to subscribers of a channel media relay
// destination (gate check and sequence rewriting included).
func BenchmarkForward(b *testing.B) {
	for _, bc := range []struct {
		n       int
		relayed bool
		light   bool
	}{{1, false, true}, {1, false, false}, {10, false, true}, {10, false, false}, {10, true, false}, {50, false, false}, {50, true, false}} {
		n := bc.n
		name := fmt.Sprintf("subscribers=%d", n)
		if bc.relayed {
			name += "/relayed"
		}
		if bc.light {
			name += "/light"
		} else {
			name += "/saturated"
		}
		b.Run(name, func(b *testing.B) {
			m := newTestMedia(b)
			stats := &Stats{}
			pt := NewPublishedTrack(1, protocol.MediaVideo, protocol.CodecVP8, stats, time.Second, slog.New(slog.DiscardHandler))
			var subs []*subscriber
			gate := &Gate{}
			for range n {
				s := newSubscriber(b, m)
				if bc.relayed {
					s.down.Add(NewRelayedDownTrack(pt, 1001, gate))
				} else {
					s.down.Add(NewDownTrack(pt))
				}
				subs = append(subs, s)
			}
			for _, s := range subs {
				waitConnected(b, s.pc)
			}
			deadline := time.Now().Add(20 * time.Second)
			for {
				bound := 0
				for _, d := range pt.DownTracks() {
					if d.bound.Load() != nil {
						bound++
					}
				}
				if bound == n {
					break
				}
				if time.Now().After(deadline) {
					b.Fatalf("%d of %d down tracks bound", bound, n)
				}
				time.Sleep(5 * time.Millisecond)
			}
			var received atomic.Int64
			for _, s := range subs {
				go s.readMedia(&received)
			}
			pkt := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 96, SequenceNumber: 1, Timestamp: 1, SSRC: 1234}, Payload: make([]byte, 1100)}
			raw, _ := pkt.Marshal()
			var hdr rtp.Header
			// A first packet makes every subscriber's track start.
			pt.forward(&hdr, raw)
			m.flush()
			deadline = time.Now().Add(20 * time.Second)
			for received.Load() < int64(n) {
				if time.Now().After(deadline) {
					b.Fatalf("%d of %d subscribers received the first packet", received.Load(), n)
				}
				time.Sleep(5 * time.Millisecond)
			}
			received.Store(0)
			every := drainEvery(n, len(m.batch.shards))
			b.SetBytes(int64(len(raw) * n))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				seq := uint16(i + 2)
				raw[2], raw[3] = byte(seq>>8), byte(seq)
				pt.forward(&hdr, raw)
				if bc.light || i%every == every-1 {
					m.flush()
				}
			}
			m.flush() // the queued copies are sent too
			b.StopTimer()
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/forwarded-pkt")
			if stats.WriteErrors.Load() > 0 || stats.EgressDropped.Load() > 0 {
				b.Fatalf("%d write errors, %d packets dropped", stats.WriteErrors.Load(), stats.EgressDropped.Load())
			}
			// What the subscribers read (saturated runs may overflow their
			// socket buffers).
			want := int64(b.N * n)
			deadline = time.Now().Add(5 * time.Second)
			for received.Load() < want && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
			b.ReportMetric(100*float64(received.Load())/float64(want), "%received")
		})
	}
}

// TestUpstreamAnswerPinsOneCodec: a publisher offering several codecs in
// one m-section gets an answer with only the first one cohost forwards, so
// what it sends is what subscribers are told.
func TestUpstreamAnswerPinsOneCodec(t *testing.T) {
	m := newTestMedia(t)
	pub := newClientPC(t)
	tr, err := pub.AddTransceiverFromKind(webrtc.RTPCodecTypeVideo, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly})
	if err != nil {
		t.Fatal(err)
	}
	h264, _ := CodecParameters(protocol.CodecH264)
	vp8, _ := CodecParameters(protocol.CodecVP8)
	if err := tr.SetCodecPreferences([]webrtc.RTPCodecParameters{h264, vp8}); err != nil {
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
	if len(tracks) != 1 || tracks[0].Codec != protocol.CodecH264 {
		t.Fatalf("negotiated %+v, want H.264", tracks)
	}
	if strings.Contains(answer, "VP8/90000") || !strings.Contains(answer, "H264/90000") {
		t.Fatalf("answer keeps more than the pinned codec:\n%s", answer)
	}
}
