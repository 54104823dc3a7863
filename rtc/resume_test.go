package rtc_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/rtc"
)

// A broken connection is redialled with backoff (through refused
// upgrades) and resumed with the session id; events queued meanwhile come
// after the rejoin, and requests made meanwhile wait for it.
func TestResumeRedial(t *testing.T) {
	checkLeaks(t)
	f := newFakeServer(t)
	f.handle(protocol.TypeResume, func(c *fakeConn, env *protocol.Envelope) {
		c.reply(env.ID, protocol.JoinResponse{UID: 42, SessionID: "session-1", Role: protocol.RoleAudience,
			Profile: protocol.ProfileLiveBroadcasting, KeepAliveMs: 60000, DropTimeoutMs: 5000}, nil)
		c.event(protocol.EventUserJoined, protocol.UserJoinedEvent{UID: 9})
	})
	c := fakeClient(t, f)
	if _, err := c.JoinChannel(t.Context(), "", "ch", 0); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	f.refuse = 2
	f.mu.Unlock()
	before := f.upgradeCount()
	_ = f.last().ws.CloseNow()
	c.waitEvent(t, "state RECONNECTING INTERRUPTED")
	if err := c.RenewToken(t.Context(), "while-reconnecting"); err != nil {
		t.Fatalf("RenewToken while reconnecting: %v", err)
	}
	c.waitEvent(t, "user-joined 9")
	checkEvents(t, c, []string{
		"state CONNECTING CONNECTING", "state CONNECTED JOIN_SUCCESS", "join-success ch 42",
		"state RECONNECTING INTERRUPTED", "state CONNECTED REJOIN_SUCCESS", "rejoin-success ch 42", "user-joined 9",
	}, "state", "join-success", "rejoin-success", "user-")
	if n := f.upgradeCount() - before; n != 3 {
		t.Errorf("%d dials to resume, want 3 (two refused)", n)
	}
	resumes := f.requests(protocol.TypeResume)
	if len(resumes) != 1 {
		t.Fatalf("%d resume requests", len(resumes))
	}
	var req protocol.ResumeRequest
	_ = json.Unmarshal(resumes[0].env.Data, &req)
	if req.SessionID != "session-1" || req.Version != protocol.Version {
		t.Errorf("resume request %+v", req)
	}
	renew := f.requests(protocol.TypeRenewToken)
	if len(renew) != 1 || renew[0].conn != resumes[0].conn {
		t.Errorf("the renewal did not go on the resumed connection")
	}
	if c.LocalUID() != 42 || c.ConnectionState() != protocol.ConnConnected {
		t.Errorf("uid %d state %s", c.LocalUID(), c.ConnectionState())
	}
}

// A resume refused because the session expired on the server is followed
// by a join with the same uid and role: the application sees RECONNECTING
// then CONNECTED (REJOIN_SUCCESS), as with Agora's SDK.
func TestResumeExpiredRejoins(t *testing.T) {
	f := newFakeServer(t)
	f.handle(protocol.TypeResume, func(c *fakeConn, env *protocol.Envelope) {
		c.reply(env.ID, nil, protocol.NewError(protocol.ErrNotInChannel, "gone").WithReason(int(protocol.ReasonSessionExpired)))
	})
	c := fakeClient(t, f, func(cfg *rtc.EngineConfig) { cfg.ClientRole = protocol.RoleBroadcaster })
	if _, err := c.JoinChannel(t.Context(), "", "ch", 0); err != nil {
		t.Fatal(err)
	}
	_ = f.last().ws.CloseNow()
	c.waitEvent(t, "rejoin-success ch 42")
	checkEvents(t, c, []string{
		"state CONNECTING CONNECTING", "state CONNECTED JOIN_SUCCESS", "join-success ch 42",
		"state RECONNECTING INTERRUPTED", "state CONNECTED REJOIN_SUCCESS", "rejoin-success ch 42",
	}, "state", "join-success", "rejoin-success")
	joins := f.requests(protocol.TypeJoin)
	if len(joins) != 2 {
		t.Fatalf("%d join requests, want 2", len(joins))
	}
	var req protocol.JoinRequest
	_ = json.Unmarshal(joins[1].env.Data, &req)
	if req.UID != 42 || req.Role != protocol.RoleBroadcaster || req.Channel != "ch" {
		t.Errorf("rejoin request %+v, want uid 42 as host in ch", req)
	}
	if c.LocalUID() != 42 || c.ConnectionState() != protocol.ConnConnected {
		t.Errorf("uid %d state %s", c.LocalUID(), c.ConnectionState())
	}
	if err := c.RenewToken(t.Context(), "t"); err != nil {
		t.Errorf("RenewToken after the rejoin: %v", err)
	}
}

// A rejoin the server refuses for good ends the session with the
// refusal's reason.
func TestResumeExpiredRejoinRefused(t *testing.T) {
	f := newFakeServer(t)
	f.handle(protocol.TypeResume, func(c *fakeConn, env *protocol.Envelope) {
		c.reply(env.ID, nil, protocol.NewError(protocol.ErrNotInChannel, "gone").WithReason(int(protocol.ReasonSessionExpired)))
	})
	c := fakeClient(t, f)
	if _, err := c.JoinChannel(t.Context(), "", "ch", 0); err != nil {
		t.Fatal(err)
	}
	f.handle(protocol.TypeJoin, func(c *fakeConn, env *protocol.Envelope) {
		c.reply(env.ID, nil, protocol.NewError(protocol.ErrTokenExpired, "expired"))
	})
	_ = f.last().ws.CloseNow()
	c.waitEvent(t, "state FAILED TOKEN_EXPIRED")
	if c.LocalUID() != 0 {
		t.Errorf("uid %d after the session ended", c.LocalUID())
	}
	if err := c.RenewToken(t.Context(), "t"); !errors.Is(err, rtc.ErrNotJoined) {
		t.Errorf("RenewToken after the session ended: %v", err)
	}
}

// A client that cannot reach the server for ReconnectTimeout gives up with
// FAILED (JOIN_FAILED), as Agora's SDK after 20 minutes.
func TestReconnectGivesUp(t *testing.T) {
	f := newFakeServer(t)
	c := fakeClient(t, f, func(cfg *rtc.EngineConfig) { cfg.ReconnectTimeout = 300 * time.Millisecond })
	if _, err := c.JoinChannel(t.Context(), "", "ch", 0); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	f.refuse = 1 << 30
	f.mu.Unlock()
	_ = f.last().ws.CloseNow()
	c.waitEvent(t, "state FAILED JOIN_FAILED")
	if c.LocalUID() != 0 {
		t.Errorf("uid %d after giving up", c.LocalUID())
	}
}

// A disconnect event ends the session without any resume attempt.
func TestDisconnectEvent(t *testing.T) {
	f := newFakeServer(t)
	c := fakeClient(t, f)
	if _, err := c.JoinChannel(t.Context(), "", "ch", 0); err != nil {
		t.Fatal(err)
	}
	conn := f.last()
	conn.event(protocol.EventDisconnect, protocol.DisconnectEvent{Reason: protocol.ReasonSameUIDLogin, Message: "again"})
	_ = conn.ws.CloseNow()
	c.waitEvent(t, "state FAILED SAME_UID_LOGIN")
	waitFor(t, "the session to end", func() bool { return c.LocalUID() == 0 })
	if n := f.upgradeCount(); n != 1 {
		t.Errorf("%d dials, want 1: the SDK must not resume after a disconnect", n)
	}
	if len(f.requests(protocol.TypeResume)) != 0 {
		t.Error("resume after a disconnect event")
	}
}

// Pings go out every keepAliveMs; a connection whose pings stay unanswered
// is dropped and resumed.
func TestKeepAlive(t *testing.T) {
	checkLeaks(t)
	f := newFakeServer(t)
	f.handle(protocol.TypeJoin, func(c *fakeConn, env *protocol.Envelope) {
		c.reply(env.ID, protocol.JoinResponse{UID: 1, SessionID: "s", Role: protocol.RoleAudience,
			Profile: protocol.ProfileLiveBroadcasting, KeepAliveMs: 20, DropTimeoutMs: 3000}, nil)
	})
	var silent atomic.Bool
	f.handle(protocol.TypePing, func(c *fakeConn, env *protocol.Envelope) {
		if !silent.Load() {
			c.reply(env.ID, protocol.PingResponse{ServerTimeMs: time.Now().UnixMilli()}, nil)
		}
	})
	c := fakeClient(t, f)
	start := time.Now()
	if _, err := c.JoinChannel(t.Context(), "", "ch", 0); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "five pings", func() bool { return len(f.requests(protocol.TypePing)) >= 5 })
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("five pings took %v at a 20 ms interval", d)
	}
	silent.Store(true)
	c.waitEvent(t, "state RECONNECTING INTERRUPTED")
	silent.Store(false)
	c.waitEvent(t, "state CONNECTED REJOIN_SUCCESS")
}

// A refused role change reports OnClientRoleChangeFailed; an accepted one
// OnClientRoleChanged.
func TestSetRole(t *testing.T) {
	f := newFakeServer(t)
	var refuse atomic.Bool
	refuse.Store(true)
	f.handle(protocol.TypeSetRole, func(c *fakeConn, env *protocol.Envelope) {
		if refuse.Load() {
			c.reply(env.ID, nil, protocol.NewError(protocol.ErrSetClientRoleNotAuth, "no").WithReason(int(protocol.RoleChangeFailedNotAuthorized)))
			return
		}
		c.reply(env.ID, protocol.SetRoleResponse{Old: protocol.RoleAudience, New: protocol.RoleBroadcaster}, nil)
	})
	c := fakeClient(t, f)
	if _, err := c.JoinChannel(t.Context(), "", "ch", 0); err != nil {
		t.Fatal(err)
	}
	err := c.SetClientRole(t.Context(), protocol.RoleBroadcaster)
	if !errors.Is(err, protocol.NewError(protocol.ErrSetClientRoleNotAuth, "")) {
		t.Fatalf("SetClientRole = %v", err)
	}
	c.waitEvent(t, "role-change-failed NOT_AUTHORIZED AUDIENCE")
	refuse.Store(false)
	if err := c.SetClientRole(t.Context(), protocol.RoleBroadcaster); err != nil {
		t.Fatal(err)
	}
	c.waitEvent(t, "role-changed AUDIENCE BROADCASTER")
	if c.ClientRole() != protocol.RoleBroadcaster {
		t.Errorf("role %s", c.ClientRole())
	}
	// The server may change the role on its own.
	f.last().event(protocol.EventRoleChanged, protocol.RoleChangedEvent{Old: protocol.RoleBroadcaster, New: protocol.RoleAudience})
	c.waitEvent(t, "role-changed BROADCASTER AUDIENCE")
	if c.ClientRole() != protocol.RoleAudience {
		t.Errorf("role %s", c.ClientRole())
	}
}

// callingHandler calls the engine from its callbacks.
type callingHandler struct {
	rtc.BaseEventHandler
	e      atomic.Pointer[rtc.Engine]
	ctx    context.Context
	result chan error
}

func (h *callingHandler) OnUserPublished(uid protocol.UID, mt protocol.MediaType) {
	_, err := h.e.Load().Subscribe(h.ctx, uid, mt)
	h.result <- err
}

// Callbacks may make blocking calls on the engine; server refusals of
// subscriptions come back as typed errors, and automatic subscriptions
// report theirs through OnSubscriptionFailed.
func TestHandlerCallsEngine(t *testing.T) {
	f := newFakeServer(t)
	f.handle(protocol.TypeSubscribe, func(c *fakeConn, env *protocol.Envelope) {
		c.reply(env.ID, nil, protocol.NewError(protocol.ErrCodecNotSupported, "h264"))
	})
	h := &callingHandler{ctx: t.Context(), result: make(chan error, 1)}
	e, err := rtc.NewEngine(rtc.EngineConfig{ServerURL: f.srv.URL, AppID: "a", Handler: h})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	h.e.Store(e)
	if _, err := e.JoinChannel(t.Context(), "", "ch", 0); err != nil {
		t.Fatal(err)
	}
	f.last().event(protocol.EventUserPublished, protocol.UserPublishedEvent{UID: 3, MediaType: protocol.MediaVideo, Codec: protocol.CodecH264})
	select {
	case err := <-h.result:
		if !errors.Is(err, protocol.NewError(protocol.ErrCodecNotSupported, "")) {
			t.Fatalf("Subscribe from a callback: %v", err)
		}
	case <-time.After(waitTimeout):
		t.Fatal("Subscribe from a callback did not return")
	}

	auto := fakeClient(t, f, func(cfg *rtc.EngineConfig) { cfg.AutoSubscribeVideo = true })
	if _, err := auto.JoinChannel(t.Context(), "", "ch", 0); err != nil {
		t.Fatal(err)
	}
	f.last().event(protocol.EventUserPublished, protocol.UserPublishedEvent{UID: 3, MediaType: protocol.MediaVideo, Codec: protocol.CodecH264})
	auto.waitEvent(t, "subscription-failed 3 video")
	checkEvents(t, auto, []string{"user-published 3 video", "subscription-failed 3 video"}, "user-", "subscription-")
	// Server-side failures end a pending subscription.
	f.handle(protocol.TypeSubscribe, func(c *fakeConn, env *protocol.Envelope) {
		c.reply(env.ID, struct{}{}, nil)
		c.event(protocol.EventSubscriptionFailed, protocol.SubscriptionFailedEvent{UID: 3, MediaType: protocol.MediaAudio,
			Error: protocol.NewError(protocol.ErrCodecNotSupported, "refused in the answer")})
	})
	_, err = auto.Subscribe(t.Context(), 3, protocol.MediaAudio)
	if !errors.Is(err, protocol.NewError(protocol.ErrCodecNotSupported, "")) {
		t.Fatalf("Subscribe ended by subscription-failed: %v", err)
	}
}

// Close stops everything, even while reconnecting or joining.
func TestCloseWhileBusy(t *testing.T) {
	checkLeaks(t)
	f := newFakeServer(t)
	c := fakeClient(t, f)
	if _, err := c.JoinChannel(t.Context(), "", "ch", 0); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	f.refuse = 1 << 30
	f.mu.Unlock()
	_ = f.last().ws.CloseNow()
	c.waitEvent(t, "state RECONNECTING INTERRUPTED")
	start := time.Now()
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Close while reconnecting took %v", d)
	}

	f.mu.Lock()
	f.refuse = 0
	f.mu.Unlock()
	f.handle(protocol.TypeJoin, func(*fakeConn, *protocol.Envelope) {}) // never answers
	j := fakeClient(t, f)
	errc := make(chan error, 1)
	go func() {
		_, err := j.JoinChannel(t.Context(), "", "ch", 0)
		errc <- err
	}()
	waitFor(t, "the join request", func() bool { return len(f.requests(protocol.TypeJoin)) == 2 })
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-errc:
		if err == nil {
			t.Fatal("JoinChannel succeeded after Close")
		}
	case <-time.After(waitTimeout):
		t.Fatal("JoinChannel did not return after Close")
	}
}
