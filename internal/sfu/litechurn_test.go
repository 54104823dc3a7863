package sfu

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/cohost-rtc/cohost/protocol"
	"github.com/pion/rtp"
)

// TestLiteSubscriptionChurnKeepsTheOfferBounded: a viewer who subscribes
// to a video and unsubscribes from it fifty times gets offers that do not
// grow, since each new track takes over the section the last one left
// (once the viewer agreed to it being inactive), and media still flows on
// the recycled section.
func TestLiteSubscriptionChurnKeepsTheOfferBounded(t *testing.T) {
	srv := newTestMedia(t)
	v := newRawViewer(t, srv)
	audio := NewPublishedTrack(8, protocol.MediaAudio, protocol.CodecOpus, &Stats{}, time.Millisecond, slog.New(slog.DiscardHandler))
	v.down.Add(NewDownTrack(audio))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := v.connect(ctx); err != nil {
		t.Fatal(err)
	}
	exchange := func() protocol.OfferEvent {
		t.Helper()
		ev := v.nextOffer()
		if err := v.answer(ev); err != nil {
			t.Fatal(err)
		}
		return ev
	}
	var first int
	for i := range 50 {
		dt := NewDownTrack(newVideoTrack())
		v.down.Add(dt)
		ev := exchange()
		if n := strings.Count(ev.SDP, "\r\nm="); n != 2 {
			t.Fatalf("cycle %d: the offer has %d media sections, want 2 (audio, and the video section reused)", i, n)
		}
		if i == 0 {
			first = len(ev.SDP)
		} else if len(ev.SDP) > first+16 {
			t.Fatalf("cycle %d: the offer grew from %d to %d bytes", i, first, len(ev.SDP))
		}
		v.down.Remove(dt)
		exchange()
	}

	pt := newVideoTrack()
	v.down.Add(NewDownTrack(pt))
	ev := exchange()
	var mid string
	for _, tr := range ev.Tracks {
		if tr.MediaType == protocol.MediaVideo {
			mid = tr.MID
		}
	}
	if mid != "1" {
		t.Fatalf("the video went to section %q, want the recycled section 1", mid)
	}
	var hdr rtp.Header
	f := &feeder{pt: pt}
	deadline := time.Now().Add(20 * time.Second)
	for {
		for _, b := range v.rtp.snapshot() {
			var p rtp.Packet
			if err := p.Unmarshal(b); err == nil && p.SSRC == v.ssrcs[mid] {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("no media with the recycled section's SSRC")
		}
		f.send(&hdr)
		time.Sleep(5 * time.Millisecond)
	}
}
