package server

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/cohost-rtc/cohost/protocol"
)

func TestReplayRing(t *testing.T) {
	var small replayRing
	for i := uint64(1); i <= 5; i++ {
		small.add(i, []byte(fmt.Sprint(i)))
	}
	if got, ok := small.since(2, 5); !ok || len(got) != 3 || string(got[0]) != "3" || string(got[2]) != "5" {
		t.Fatalf("partly filled ring: %q %v", got, ok)
	}
	if _, ok := small.since(0, 5); !ok {
		t.Fatal("all five events are held")
	}
	var r replayRing
	if got, ok := r.since(0, 0); !ok || len(got) != 0 {
		t.Fatalf("empty ring: %q %v", got, ok)
	}
	for i := uint64(1); i <= replaySize+10; i++ {
		r.add(i, []byte(fmt.Sprint(i)))
	}
	last := uint64(replaySize + 10)
	cases := []struct {
		after uint64
		n     int
		ok    bool
	}{
		{last, 0, true}, {last - 1, 1, true}, {last - 3, 3, true}, {10, replaySize, true},
		{9, 0, false}, {0, 0, false}, {last + 1, 0, false},
	}
	for _, c := range cases {
		got, ok := r.since(c.after, last)
		if ok != c.ok || len(got) != c.n {
			t.Errorf("since(%d): %d events, %v; want %d, %v", c.after, len(got), ok, c.n, c.ok)
			continue
		}
		for i, b := range got {
			if string(b) != fmt.Sprint(c.after+uint64(i)+1) {
				t.Errorf("since(%d)[%d] = %s", c.after, i, b)
			}
		}
	}
}

func TestWithSeq(t *testing.T) {
	b := withSeq(encodeEvent(protocol.EventUserLeft, protocol.UserLeftEvent{UID: 3, Reason: protocol.OfflineDropped}), 42)
	var env protocol.Envelope
	if err := json.Unmarshal(b, &env); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	if env.Seq != 42 || env.Type != protocol.EventUserLeft || string(env.Data) != `{"uid":3,"reason":1}` {
		t.Fatalf("%+v", env)
	}
}
