package sfu

import (
	"log/slog"
	"testing"
	"time"
	"unsafe"

	"github.com/cohost-rtc/cohost/protocol"
	"github.com/pion/rtp"
)

// TestStatsSumTracksAtReadTime: packets forwarded by several tracks are
// summed when read, and a closed track's packets stay counted.
func TestStatsSumTracksAtReadTime(t *testing.T) {
	if s := unsafe.Sizeof(trackCounters{}); s != 64 {
		t.Fatalf("track counters take %d bytes, not one cache line", s)
	}
	stats := &Stats{}
	logger := slog.New(slog.DiscardHandler)
	a := NewPublishedTrack(1, protocol.MediaAudio, protocol.CodecOpus, stats, time.Second, logger)
	v := NewPublishedTrack(1, protocol.MediaVideo, protocol.CodecVP8, stats, time.Second, logger)
	raw, _ := (&rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 96, SSRC: 1}, Payload: make([]byte, 88)}).Marshal()
	var hdr rtp.Header
	for range 3 {
		a.forward(&hdr, raw)
	}
	v.forward(&hdr, raw)
	if got := stats.PacketsIn(); got != 4 {
		t.Fatalf("packets in %d, want 4", got)
	}
	a.Close()
	v.forward(&hdr, raw)
	if got, want := stats.PacketsIn(), uint64(5); got != want {
		t.Fatalf("packets in after a track closed %d, want %d", got, want)
	}
	if got, want := stats.BytesIn(), uint64(5*len(raw)); got != want {
		t.Fatalf("bytes in %d, want %d", got, want)
	}
	if got := stats.PacketsOut(); got != 0 {
		t.Fatalf("packets out %d without subscribers", got)
	}
}
