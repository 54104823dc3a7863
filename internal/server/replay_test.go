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

// TestReplayRingForget: events the client is known to have received are
// dropped; a resume after them still gets what followed, in order, and one
// that asks for a dropped event fails (the client then joins again).
func TestReplayRingForget(t *testing.T) {
	fill := func(n uint64) *replayRing {
		var r replayRing
		for i := uint64(1); i <= n; i++ {
			r.add(i, []byte(fmt.Sprint(i)))
		}
		return &r
	}
	for _, c := range []struct {
		name           string
		n, through     uint64
		after          uint64
		want           int
		ok, thenAddsOK bool
	}{
		{"partly filled, some dropped", 5, 3, 3, 2, true, true},
		{"partly filled, all dropped", 5, 5, 5, 0, true, true},
		{"asks for a dropped event", 5, 3, 2, 0, false, false},
		{"wrapped, some dropped", replaySize + 10, replaySize, replaySize, 10, true, true},
		{"nothing dropped", 5, 0, 0, 5, true, true},
	} {
		r := fill(c.n)
		r.forget(c.through)
		got, ok := r.since(c.after, c.n)
		if ok != c.ok || len(got) != c.want {
			t.Errorf("%s: since(%d) gave %d events, %v; want %d, %v", c.name, c.after, len(got), ok, c.want, c.ok)
			continue
		}
		for i, b := range got {
			if string(b) != fmt.Sprint(c.after+uint64(i)+1) {
				t.Errorf("%s: since(%d)[%d] = %s", c.name, c.after, i, b)
			}
		}
		if len(r.buf) > int(c.n-c.through) {
			t.Errorf("%s: %d events held, want at most %d", c.name, len(r.buf), c.n-c.through)
		}
		// Events added after the drop follow the kept ones.
		r.add(c.n+1, []byte(fmt.Sprint(c.n+1)))
		got, ok = r.since(c.after, c.n+1)
		if ok != c.thenAddsOK || (ok && (len(got) != c.want+1 || string(got[len(got)-1]) != fmt.Sprint(c.n+1))) {
			t.Errorf("%s: after one more event, since(%d) gave %q, %v", c.name, c.after, got, ok)
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
