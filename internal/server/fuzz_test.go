package server

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/cohost-rtc/cohost/internal/config"
	"github.com/cohost-rtc/cohost/protocol"
	"golang.org/x/time/rate"
)

// FuzzDispatch feeds arbitrary request types and payloads, before and after
// a join, to one connection of a real server: every request must be answered
// with a well-formed response and nothing may panic.
func FuzzDispatch(f *testing.F) {
	seeds := []struct {
		typ  string
		data string
	}{
		{"join", `{"version":1,"appId":"0123456789abcdef0123456789abcdef","channel":"f","profile":1,"role":1}`},
		{"publish", `{"sdp":"v=0\r\n","tracks":[{"mid":"0","mediaType":"audio"}]}`},
		{"subscribe", `{"uid":1,"mediaType":"video"}`},
		{"set-role", `{"role":2}`},
		{"relay-start", `{"src":{"channelName":"f"},"dests":[{"channelName":"g","uid":0}]}`},
		{"answer", `{"sdp":"garbage"}`},
		{"mute", `{"mediaType":"audio","muted":true}`},
		{"renew-token", `{"token":"007x"}`},
		{"set-remote-role", `{"uid":3,"role":1}`},
		{"leave", ``},
		{"resume", `{"version":1,"sessionId":"x"}`},
		{"unknown", `[]`},
	}
	for _, s := range seeds {
		f.Add(s.typ, []byte(s.data))
	}
	cfg := config.Default()
	cfg.Listen, cfg.MediaPort, cfg.DataDir = "127.0.0.1:0", 0, f.TempDir()
	cfg.Apps = []config.App{{ID: "0123456789abcdef0123456789abcdef"}}
	srv, err := New(cfg, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = srv.Close() })
	join := protocol.Envelope{ID: 1, Type: protocol.TypeJoin, Data: json.RawMessage(seeds[0].data)}
	f.Fuzz(func(t *testing.T, typ string, data []byte) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		c := &conn{srv: srv, out: newOutbox(outboxLimit, nil), logger: srv.logger, limiter: rate.NewLimiter(rate.Inf, 1),
			ctx: ctx, cancel: cancel, flushThen: make(chan struct{}), writerDone: make(chan struct{})}
		for _, joined := range []bool{false, true} {
			if joined && c.p == nil {
				if e := c.dispatch(&join); e != nil {
					t.Fatalf("join: %v", e)
				}
			}
			env := protocol.Envelope{ID: 2, Type: protocol.Type(typ), Data: data}
			if !json.Valid(data) {
				env.Data = nil
			}
			if e := c.dispatch(&env); e != nil {
				if e.Code == 0 || e.Name == "" || e.Message == "" {
					t.Fatalf("untyped error %+v", e)
				}
			}
		}
		for _, b := range c.out.take() {
			var env protocol.Envelope
			if err := json.Unmarshal(b, &env); err != nil {
				t.Fatalf("server wrote a non-envelope %q", b)
			}
		}
		if p := c.p; p != nil {
			srv.removeParticipant(p, protocol.OfflineQuit)
		}
	})
}
