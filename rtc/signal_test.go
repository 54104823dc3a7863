package rtc_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/pion/webrtc/v4/pkg/media"

	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/rtc"
)

func mediaSample(b []byte) media.Sample {
	return media.Sample{Data: b, Duration: 20 * time.Millisecond}
}

// The join response comes first, then the events that follow it on the
// wire, in order; the join request carries the configuration.
func TestJoinEventOrder(t *testing.T) {
	f := newFakeServer(t)
	f.handle(protocol.TypeJoin, func(c *fakeConn, env *protocol.Envelope) {
		c.reply(env.ID, protocol.JoinResponse{UID: 5, SessionID: "s", Role: protocol.RoleBroadcaster,
			Profile: protocol.ProfileLiveBroadcasting, KeepAliveMs: 60000, DropTimeoutMs: 5000}, nil)
		c.event(protocol.EventUserJoined, protocol.UserJoinedEvent{UID: 7})
		c.event(protocol.EventUserPublished, protocol.UserPublishedEvent{UID: 7, MediaType: protocol.MediaAudio, Codec: protocol.CodecOpus})
		c.event(protocol.EventUserMuted, protocol.UserMutedEvent{UID: 7, MediaType: protocol.MediaAudio, Muted: true})
		c.event("some-future-event", map[string]int{"x": 1})
		c.event(protocol.EventUserJoined, protocol.UserJoinedEvent{UID: 8})
		c.event(protocol.EventUserMuted, protocol.UserMutedEvent{UID: 8, MediaType: protocol.MediaVideo, Muted: false})
		c.event(protocol.EventUserLeft, protocol.UserLeftEvent{UID: 8, Reason: protocol.OfflineDropped})
	})
	c := fakeClient(t, f, asHost, func(cfg *rtc.EngineConfig) { cfg.Codecs = []protocol.Codec{protocol.CodecOpus, protocol.CodecVP8} })
	uid, err := c.JoinChannel(t.Context(), "tok", "room 1", 5)
	if err != nil || uid != 5 {
		t.Fatalf("JoinChannel = %d, %v", uid, err)
	}
	c.waitEvent(t, "user-offline 8 DROPPED")
	want := []string{
		"state CONNECTING CONNECTING", "state CONNECTED JOIN_SUCCESS", "join-success room 1 5",
		"user-joined 7", "user-published 7 audio", "mute-audio 7 true",
		"user-joined 8", "mute-video 8 false", "user-offline 8 DROPPED",
	}
	if got := c.rec.all(); !slices.Equal(got, want) {
		t.Errorf("events\n got %q\nwant %q", got, want)
	}
	if got := c.RemoteUsers(); !slices.Equal(got, []protocol.UID{7}) {
		t.Errorf("RemoteUsers = %v", got)
	}
	if c.LocalUID() != 5 || c.ConnectionState() != protocol.ConnConnected || c.ClientRole() != protocol.RoleBroadcaster {
		t.Errorf("uid %d state %s role %s", c.LocalUID(), c.ConnectionState(), c.ClientRole())
	}
	var req protocol.JoinRequest
	if err := json.Unmarshal(f.requests(protocol.TypeJoin)[0].env.Data, &req); err != nil {
		t.Fatal(err)
	}
	wantReq := protocol.JoinRequest{Version: protocol.Version, AppID: "app", Channel: "room 1", Token: "tok", UID: 5,
		Profile: protocol.ProfileLiveBroadcasting, Role: protocol.RoleBroadcaster, Codecs: []protocol.Codec{protocol.CodecOpus, protocol.CodecVP8}}
	if req.Version != wantReq.Version || req.AppID != wantReq.AppID || req.Channel != wantReq.Channel ||
		req.Token != wantReq.Token || req.UID != wantReq.UID || req.Profile != wantReq.Profile ||
		req.Role != wantReq.Role || !slices.Equal(req.Codecs, wantReq.Codecs) {
		t.Errorf("join request %+v, want %+v", req, wantReq)
	}
	if _, err := c.JoinChannel(t.Context(), "", "room 2", 0); !errors.Is(err, rtc.ErrAlreadyJoined) {
		t.Errorf("second join: %v", err)
	}
}

// Responses are matched to requests by id, whatever their order.
func TestOutOfOrderResponses(t *testing.T) {
	f := newFakeServer(t)
	var mu sync.Mutex
	var held []*protocol.Envelope
	f.handle(protocol.TypeRenewToken, func(c *fakeConn, env *protocol.Envelope) {
		mu.Lock()
		held = append(held, env)
		if len(held) < 3 {
			mu.Unlock()
			return
		}
		envs := held
		mu.Unlock()
		// Answer in reverse order; the token decides the outcome.
		for i := len(envs) - 1; i >= 0; i-- {
			var req protocol.RenewTokenRequest
			_ = json.Unmarshal(envs[i].Data, &req)
			if req.Token == "bad" {
				c.reply(envs[i].ID, nil, protocol.NewError(protocol.ErrInvalidToken, "bad token"))
			} else {
				c.reply(envs[i].ID, struct{}{}, nil)
			}
		}
	})
	c := fakeClient(t, f)
	if _, err := c.JoinChannel(t.Context(), "", "ch", 0); err != nil {
		t.Fatal(err)
	}
	tokens := []string{"good1", "bad", "good2"}
	errs := make([]error, len(tokens))
	var wg sync.WaitGroup
	for i, tok := range tokens {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = c.RenewToken(t.Context(), tok)
		}()
	}
	wg.Wait()
	for i, tok := range tokens {
		pe := new(protocol.Error)
		isBad := errors.As(errs[i], &pe) && pe.Code == protocol.ErrInvalidToken
		if (tok == "bad") != isBad {
			t.Errorf("RenewToken(%s) = %v", tok, errs[i])
		}
	}
}

// A request gives up when its context ends; the late response is ignored
// and the connection keeps working.
func TestRequestContextTimeout(t *testing.T) {
	f := newFakeServer(t)
	late := make(chan *protocol.Envelope, 1)
	f.handle(protocol.TypeRenewToken, func(c *fakeConn, env *protocol.Envelope) {
		var req protocol.RenewTokenRequest
		_ = json.Unmarshal(env.Data, &req)
		if req.Token == "slow" {
			late <- env
			return
		}
		c.reply(env.ID, struct{}{}, nil)
	})
	c := fakeClient(t, f)
	if _, err := c.JoinChannel(t.Context(), "", "ch", 0); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if err := c.RenewToken(ctx, "slow"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("RenewToken(slow) = %v", err)
	}
	env := <-late
	f.last().reply(env.ID, nil, protocol.NewError(protocol.ErrFailed, "too late"))
	if err := c.RenewToken(t.Context(), "fast"); err != nil {
		t.Fatalf("RenewToken(fast) = %v", err)
	}
	if c.ConnectionState() != protocol.ConnConnected {
		t.Errorf("state %s", c.ConnectionState())
	}
}

// A refused join fails with the server's error and reason; local checks
// refuse bad names without dialling; calls outside a channel fail.
func TestJoinErrors(t *testing.T) {
	f := newFakeServer(t)
	f.handle(protocol.TypeJoin, func(c *fakeConn, env *protocol.Envelope) {
		c.reply(env.ID, nil, protocol.NewError(protocol.ErrInvalidToken, "no").WithReason(int(protocol.ReasonInvalidToken)))
	})
	c := fakeClient(t, f)
	ctx := t.Context()
	_, err := c.JoinChannel(ctx, "x", "ch", 1)
	if !errors.Is(err, protocol.NewError(protocol.ErrInvalidToken, "")) {
		t.Fatalf("JoinChannel = %v", err)
	}
	if c.ConnectionState() != protocol.ConnFailed {
		t.Errorf("state %s", c.ConnectionState())
	}
	if err := c.LeaveChannel(ctx); err != nil {
		t.Fatal(err)
	}
	c.waitEvent(t, "state DISCONNECTED LEAVE_CHANNEL")
	checkEvents(t, c, []string{"state CONNECTING CONNECTING", "state FAILED INVALID_TOKEN", "state DISCONNECTED LEAVE_CHANNEL"}, "state")

	dials := f.upgradeCount()
	for _, name := range []string{"", "bad/name", string(make([]byte, 65))} {
		if _, err := c.JoinChannel(ctx, "", name, 0); !errors.Is(err, protocol.NewError(protocol.ErrInvalidChannelName, "")) {
			t.Errorf("JoinChannel(%q) = %v", name, err)
		}
	}
	if _, err := c.JoinChannelWithUserAccount(ctx, "", "ch", "null"); !errors.Is(err, protocol.NewError(protocol.ErrInvalidUserID, "")) {
		t.Errorf("JoinChannelWithUserAccount(null) = %v", err)
	}
	if f.upgradeCount() != dials {
		t.Errorf("invalid joins dialled the server")
	}
	track, _ := rtc.NewLocalTrack(protocol.CodecOpus)
	for name, err := range map[string]error{
		"RenewToken":  c.RenewToken(ctx, "t"),
		"Publish":     c.Publish(ctx, track),
		"Unpublish":   c.Unpublish(ctx, track),
		"Unsubscribe": c.Unsubscribe(ctx, 1, protocol.MediaAudio),
	} {
		if !errors.Is(err, rtc.ErrNotJoined) {
			t.Errorf("%s outside a channel: %v", name, err)
		}
	}
	if _, err := c.Subscribe(ctx, 1, protocol.MediaAudio); !errors.Is(err, rtc.ErrNotJoined) {
		t.Errorf("Subscribe outside a channel: %v", err)
	}
	// Muting outside a channel is remembered.
	if err := c.MuteLocalAudioStream(ctx, true); err != nil {
		t.Errorf("MuteLocalAudioStream outside a channel: %v", err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.JoinChannel(ctx, "", "ch", 0); !errors.Is(err, rtc.ErrClosed) {
		t.Errorf("JoinChannel after Close: %v", err)
	}
}

// A join whose context ends is abandoned and left.
func TestJoinCanceled(t *testing.T) {
	f := newFakeServer(t)
	joined := make(chan *protocol.Envelope, 1)
	f.handle(protocol.TypeJoin, func(c *fakeConn, env *protocol.Envelope) { joined <- env })
	c := fakeClient(t, f)
	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		<-joined
		cancel()
	}()
	if _, err := c.JoinChannel(ctx, "", "ch", 0); !errors.Is(err, context.Canceled) {
		t.Fatalf("JoinChannel = %v", err)
	}
	waitFor(t, "the leave", func() bool { return len(f.requests(protocol.TypeLeave)) == 1 })
	if c.ConnectionState() != protocol.ConnDisconnected {
		t.Errorf("state %s", c.ConnectionState())
	}
}
