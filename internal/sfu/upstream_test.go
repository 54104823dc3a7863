package sfu

import (
	"log/slog"
	"testing"
	"time"

	"github.com/cohost-rtc/cohost/protocol"
)

// TestUpstreamClosesWithATrackThatNeverStarted: closing a publisher's
// connection whose published track never received a packet returns,
// instead of waiting for a read loop that never started, and the track
// cannot start one afterwards.
func TestUpstreamClosesWithATrackThatNeverStarted(t *testing.T) {
	m := newTestMedia(t)
	up, err := m.NewUpstream(slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	pt := NewPublishedTrack(1, protocol.MediaAudio, protocol.CodecOpus, &Stats{}, time.Second, slog.New(slog.DiscardHandler))
	up.Publish("0", pt)
	closed := make(chan error, 1)
	go func() { closed <- up.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close still waits for the track's read loop after 10 s")
	}
	if !pt.Closed() || pt.started.CompareAndSwap(false, true) {
		t.Fatal("the track can still start a read loop")
	}
}
