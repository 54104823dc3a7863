package sfu

import (
	"context"
	"testing"
	"time"

	"github.com/cohost-rtc/cohost/protocol"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"
)

// TestLiteVideoPausesBelowTheViewersEstimate: a viewer whose REMB
// estimate falls below the video's bitrate stops getting the video; when
// its estimate rises again the video resumes at a keyframe, with sequence
// numbers that continue from the last packet it got.
func TestLiteVideoPausesBelowTheViewersEstimate(t *testing.T) {
	srv := newTestMediaWith(t, func(c *MediaConfig) { c.CongestionPause = true })
	pt := newVideoTrack()
	v := newRawViewer(t, srv)
	v.down.Add(NewDownTrack(pt))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := v.connect(ctx); err != nil {
		t.Fatal(err)
	}
	ssrc := v.ssrcs["0"]
	stats := pt.stats
	f := startFeeder(t, pt, 2*time.Millisecond) // about 100 kbit/s, interframes
	v.rtp.waitFor(t, 1)

	waitUntil := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	remb := func(bps float32) {
		v.sendRTCP(&rtcp.ReceiverEstimatedMaximumBitrate{SenderSSRC: 1, Bitrate: bps, SSRCs: []uint32{ssrc}})
	}
	// An estimate far below the video's bitrate pauses it.
	waitUntil("the video to pause", func() bool {
		remb(1000)
		return stats.CongestionPauses.Load() == 1
	})
	paused := v.rtp.count()
	time.Sleep(50 * time.Millisecond) // a packet already queued may still arrive
	paused = max(paused, v.rtp.count())
	sentWhilePaused := f.seq.Load()
	waitUntil("more packets to be fed while paused", func() bool { return f.seq.Load() > sentWhilePaused+100 })
	if n := v.rtp.count(); n > paused+2 {
		t.Fatalf("the viewer got %d packets while paused", n-paused)
	}
	last := lastSeq(t, v.rtp.snapshot())

	// A high estimate resumes it, but not before a keyframe.
	waitUntil("the video to resume", func() bool {
		remb(100e6)
		return stats.CongestionResumes.Load() == 1
	})
	f.close()
	before := v.rtp.count()
	var hdr rtp.Header
	for range 20 {
		f.send(&hdr) // interframes: not forwarded
	}
	key := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 96, SequenceNumber: uint16(f.seq.Load() + 1), Timestamp: 1, SSRC: 0x1234},
		Payload: []byte{0x10, 0x00, 0x9d, 0x01, 0x2a}}
	b, _ := key.Marshal()
	pt.forward(&hdr, b)
	got := v.rtp.waitFor(t, before+1)
	if len(got) != before+1 {
		t.Fatalf("the viewer got %d packets after the resume, want only the keyframe", len(got)-before)
	}
	var p rtp.Packet
	if err := p.Unmarshal(got[before]); err != nil || p.Payload[0] != 0x10 || p.Payload[1] != 0 {
		t.Fatalf("the first packet after the resume is not the keyframe: %x (%v)", p.Payload, err)
	}
	if p.SequenceNumber != last+1 {
		t.Fatalf("the keyframe came as sequence number %d, want %d (continuing)", p.SequenceNumber, last+1)
	}
}

// lastSeq is the highest sequence number among pkts (no wrap in a test).
func lastSeq(t *testing.T, pkts [][]byte) uint16 {
	t.Helper()
	var last uint16
	for _, b := range pkts {
		var p rtp.Packet
		if err := p.Unmarshal(b); err != nil {
			t.Fatal(err)
		}
		last = max(last, p.SequenceNumber)
	}
	return last
}

// TestIsKeyframe tells keyframes' first packets from others.
func TestIsKeyframe(t *testing.T) {
	for _, c := range []struct {
		name  string
		codec string
		p     []byte
		want  bool
	}{
		{"vp8 key", "vp8", []byte{0x10, 0x00}, true},
		{"vp8 key with picture id", "vp8", []byte{0x90, 0x80, 0x81, 0x02, 0x00}, true},
		{"vp8 inter", "vp8", []byte{0x10, 0x01}, false},
		{"vp8 continuation", "vp8", []byte{0x00, 0x00}, false},
		{"h264 idr", "h264", []byte{0x65}, true},
		{"h264 stap-a with sps", "h264", []byte{0x78, 0x00, 0x02, 0x67, 0x42}, true},
		{"h264 fu-a idr start", "h264", []byte{0x7c, 0x85}, true},
		{"h264 fu-a idr middle", "h264", []byte{0x7c, 0x05}, false},
		{"h264 p slice", "h264", []byte{0x41}, false},
		{"vp9 key", "vp9", []byte{0x08}, true},
		{"vp9 inter", "vp9", []byte{0x48}, false},
	} {
		if got := isKeyframe(protocolCodec(c.codec), c.p); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

func protocolCodec(s string) protocol.Codec { return protocol.Codec(s) }

// TestLiteKeepsTheViewersReceiverReports: what a viewer reports about a
// track (loss, jitter) is kept for that viewer's copy of it and counted by
// loss.
func TestLiteKeepsTheViewersReceiverReports(t *testing.T) {
	srv := newTestMedia(t)
	pt := newVideoTrack()
	v := newRawViewer(t, srv)
	dt := NewDownTrack(pt)
	v.down.Add(dt)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := v.connect(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok := dt.ReceiverStats(); ok {
		t.Fatal("receiver stats before any report")
	}
	// The report is sent again until it is kept: the first may reach the
	// server before its side of the handshake has finished.
	deadline := time.Now().Add(20 * time.Second)
	for i := 0; ; i++ {
		if i%20 == 0 {
			v.sendRTCP(&rtcp.ReceiverReport{SSRC: 1, Reports: []rtcp.ReceptionReport{
				{SSRC: v.ssrcs["0"], FractionLost: 64, TotalLost: 10, Jitter: 900}}})
		}
		if s, ok := dt.ReceiverStats(); ok {
			if s.FractionLost != 0.25 || s.TotalLost != 10 || s.Jitter != 10*time.Millisecond {
				t.Fatalf("receiver stats %+v, want 25 %% lost, 10 in all, 10 ms jitter", s)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the receiver report was not kept")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if n := pt.stats.ReceiverReports[len(lossBuckets)].Load(); n < 1 {
		t.Fatalf("reports counted with over 20 %% loss: %d, want at least 1", n)
	}
	for i := range lossBuckets {
		if n := pt.stats.ReceiverReports[i].Load(); n != 0 {
			t.Fatalf("a report with 25 %% loss counted in loss bucket %d", i)
		}
	}
}

// TestLiteVideoIgnoresTheEstimateByDefault: without CongestionPause (as
// Agora without a fallback option) a viewer reporting a tiny estimate for
// three times the pause delay keeps getting every video packet.
func TestLiteVideoIgnoresTheEstimateByDefault(t *testing.T) {
	srv := newTestMedia(t)
	pt := newVideoTrack()
	v := newRawViewer(t, srv)
	v.down.Add(NewDownTrack(pt))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := v.connect(ctx); err != nil {
		t.Fatal(err)
	}
	ssrc := v.ssrcs["0"]
	f := startFeeder(t, pt, 2*time.Millisecond)
	v.rtp.waitFor(t, 1)
	for end := time.Now().Add(3 * ccPauseAfter); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		v.sendRTCP(&rtcp.ReceiverEstimatedMaximumBitrate{SenderSSRC: 1, Bitrate: 1000, SSRCs: []uint32{ssrc}})
	}
	// The video still flows after them (a paused one would stop for
	// ccRetry), and nothing was ever paused.
	v.rtp.waitFor(t, v.rtp.count()+50)
	f.close()
	if p := pt.stats.CongestionPauses.Load(); p != 0 {
		t.Fatalf("%d pauses: the video paused without CongestionPause", p)
	}
}
