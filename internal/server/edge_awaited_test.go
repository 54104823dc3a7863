package server

import (
	"testing"

	"github.com/cohost-rtc/cohost/protocol"
)

// TestEdgeAwaitedTracks: after a hand-over kept a track the next owner had
// not listed yet, the owner's announcement of it with the same codec is
// no news (dropped, once); any other event about it ends the wait and is
// passed on.
func TestEdgeAwaitedTracks(t *testing.T) {
	audio := subKey{uid: 7, mt: protocol.MediaAudio}
	video := subKey{uid: 7, mt: protocol.MediaVideo}
	published := func(k subKey, c protocol.Codec) []byte {
		return encodeEvent(protocol.EventUserPublished, protocol.UserPublishedEvent{UID: k.uid, MediaType: k.mt, Codec: c})
	}
	for _, c := range []struct {
		name    string
		events  [][]byte
		dropped []bool
		left    int // tracks still awaited after the events
	}{
		{"announced with its codec", [][]byte{published(audio, protocol.CodecOpus)}, []bool{true}, 1},
		{"announced twice", [][]byte{published(audio, protocol.CodecOpus), published(audio, protocol.CodecOpus)}, []bool{true, false}, 1},
		{"announced with another codec", [][]byte{published(video, protocol.CodecH264)}, []bool{false}, 1},
		{"unpublished first", [][]byte{encodeEvent(protocol.EventUserUnpublished, protocol.UserPublishedEvent{UID: 7, MediaType: protocol.MediaAudio}),
			published(audio, protocol.CodecOpus)}, []bool{false, false}, 1},
		{"the host left", [][]byte{encodeEvent(protocol.EventUserLeft, protocol.UserLeftEvent{UID: 7, Reason: protocol.OfflineDropped}),
			published(video, protocol.CodecVP8)}, []bool{false, false}, 0},
		{"another user's track", [][]byte{published(subKey{uid: 8, mt: protocol.MediaAudio}, protocol.CodecOpus)}, []bool{false}, 2},
	} {
		ec := &edgeChannel{awaited: map[subKey]protocol.Codec{audio: protocol.CodecOpus, video: protocol.CodecVP8}}
		for i, b := range c.events {
			ev, ok := decodeMemberEvent(b)
			if !ok {
				t.Fatalf("%s: event %d does not decode", c.name, i)
			}
			if got := ec.awaitedLocked(ev); got != c.dropped[i] {
				t.Errorf("%s: event %d dropped %v, want %v", c.name, i, got, c.dropped[i])
			}
		}
		if len(ec.awaited) != c.left {
			t.Errorf("%s: %d tracks still awaited, want %d", c.name, len(ec.awaited), c.left)
		}
	}
}
