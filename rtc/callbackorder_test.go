package rtc_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/rtc"
)

// slowHandler records like recorder, but takes its time over the
// callbacks a call promises to have run when it returns: a call that
// returned before them would find them missing.
type slowHandler struct {
	*recorder
	// inside, if set, runs in the handler's first relay state callback.
	inside func()
}

const slowCallback = 30 * time.Millisecond

func (h *slowHandler) OnChannelMediaRelayStateChanged(s protocol.RelayState, code protocol.RelayError, ch string) {
	if f := h.inside; f != nil {
		h.inside = nil
		f()
	}
	time.Sleep(slowCallback)
	h.recorder.OnChannelMediaRelayStateChanged(s, code, ch)
}

func (h *slowHandler) OnChannelMediaRelayEvent(ev protocol.RelayEvent, ch string) {
	time.Sleep(slowCallback)
	h.recorder.OnChannelMediaRelayEvent(ev, ch)
}

func (h *slowHandler) OnConnectionStateChanged(s protocol.ConnectionState, reason protocol.ConnectionChangedReason) {
	time.Sleep(slowCallback)
	h.recorder.OnConnectionStateChanged(s, reason)
}

func (h *slowHandler) OnClientRoleChanged(o, n protocol.ClientRole) {
	time.Sleep(slowCallback)
	h.recorder.OnClientRoleChanged(o, n)
}

func (h *slowHandler) OnClientRoleChangeFailed(reason protocol.ClientRoleChangeFailedReason, cur protocol.ClientRole) {
	time.Sleep(slowCallback)
	h.recorder.OnClientRoleChangeFailed(reason, cur)
}

// slowClient is an engine on f whose handler is slow.
func slowClient(t *testing.T, f *fakeServer) (*client, *slowHandler) {
	t.Helper()
	h := &slowHandler{recorder: &recorder{}}
	e, err := rtc.NewEngine(rtc.EngineConfig{ServerURL: f.srv.URL, AppID: "app", Handler: h, Logger: testLogger(t, "slow"),
		ClientRole: protocol.RoleBroadcaster})
	if err != nil {
		t.Fatalf("NewEngine: %v", err)
	}
	t.Cleanup(func() { _ = e.Close() })
	c := &client{Engine: e, name: "slow", rec: h.recorder}
	if _, err := c.JoinChannel(t.Context(), "", "src", 0); err != nil {
		t.Fatal(err)
	}
	return c, h
}

// answerWith makes f answer typ with the events, then the response (or
// the error), as the server does.
func answerWith(f *fakeServer, typ protocol.Type, perr *protocol.Error, events ...protocol.Envelope) {
	f.handle(typ, func(c *fakeConn, env *protocol.Envelope) {
		for _, ev := range events {
			c.write(ev)
		}
		c.reply(env.ID, struct{}{}, perr)
	})
}

func relayState(s protocol.RelayState, code protocol.RelayError, ch protocol.ChannelName) protocol.Envelope {
	d, _ := json.Marshal(protocol.RelayStateEvent{State: s, Code: code, Channel: ch})
	return protocol.Envelope{Type: protocol.EventRelayState, Data: d}
}

func relayEvent(ev protocol.RelayEvent, ch protocol.ChannelName) protocol.Envelope {
	d, _ := json.Marshal(protocol.RelayEventEvent{Event: ev, Channel: ch})
	return protocol.Envelope{Type: protocol.EventRelayEvent, Data: d}
}

// hasNow fails t unless c already recorded ev: no waiting.
func hasNow(t *testing.T, c *client, call, ev string) {
	t.Helper()
	if !c.rec.has(ev) {
		t.Fatalf("%s returned before %q ran; callbacks so far %q", call, ev, c.rec.all())
	}
}

// Every relay call returns only after the callbacks the server sent before
// answering it have run, as Agora Web's promises resolve after the state
// callback: RUNNING for a start, IDLE for a stop, the events of an update,
// a pause and a resume, FAILURE for a refused start.
func TestRelayCallsReturnAfterTheirCallbacks(t *testing.T) {
	checkLeaks(t)
	f := newFakeServer(t)
	c, _ := slowClient(t, f)
	ctx := t.Context()
	cfg := relayConfig(rtc.ChannelMediaInfo{ChannelName: "d"})

	answerWith(f, protocol.TypeRelayStart, nil,
		relayState(protocol.RelayStateConnecting, protocol.RelayOK, ""),
		relayEvent(protocol.RelayEventJoinedSrcChannel, "src"),
		relayEvent(protocol.RelayEventJoinedDestChannel, "d"),
		relayState(protocol.RelayStateRunning, protocol.RelayOK, ""))
	if err := c.StartChannelMediaRelay(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	hasNow(t, c, "StartChannelMediaRelay", "relay-state RELAY_STATE_RUNNING RELAY_OK ")

	answerWith(f, protocol.TypeRelayUpdate, nil, relayEvent(protocol.RelayEventUpdateDestChannel, ""))
	if err := c.UpdateChannelMediaRelay(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	hasNow(t, c, "UpdateChannelMediaRelay", "relay-event PACKET_UPDATE_DEST_CHANNEL ")

	answerWith(f, protocol.TypeRelayPause, nil, relayEvent(protocol.RelayEventPauseSendPacketSuccess, ""))
	if err := c.PauseAllChannelMediaRelay(ctx); err != nil {
		t.Fatal(err)
	}
	hasNow(t, c, "PauseAllChannelMediaRelay", "relay-event PAUSE_SEND_PACKET_TO_DEST_CHANNEL_SUCCESS ")

	answerWith(f, protocol.TypeRelayResume, nil, relayEvent(protocol.RelayEventResumeSendPacketSuccess, ""))
	if err := c.ResumeAllChannelMediaRelay(ctx); err != nil {
		t.Fatal(err)
	}
	hasNow(t, c, "ResumeAllChannelMediaRelay", "relay-event RESUME_SEND_PACKET_TO_DEST_CHANNEL_SUCCESS ")

	answerWith(f, protocol.TypeRelayStop, nil, relayState(protocol.RelayStateIdle, protocol.RelayOK, ""))
	if err := c.StopChannelMediaRelay(ctx); err != nil {
		t.Fatal(err)
	}
	hasNow(t, c, "StopChannelMediaRelay", "relay-state RELAY_STATE_IDLE RELAY_OK ")

	answerWith(f, protocol.TypeRelayStartOrUpdate, protocol.NewError(protocol.ErrRelayFailedJoinDest, "refused"),
		relayState(protocol.RelayStateConnecting, protocol.RelayOK, ""),
		relayState(protocol.RelayStateFailure, protocol.RelayErrFailedJoinDest, "d"))
	relayErr(t, c.StartOrUpdateChannelMediaRelay(ctx, cfg), protocol.ErrRelayFailedJoinDest)
	hasNow(t, c, "a refused StartOrUpdateChannelMediaRelay", "relay-state RELAY_STATE_FAILURE FAILED_JOIN_DEST d")
}

// SetClientRole returns after OnClientRoleChanged, or after
// OnClientRoleChangeFailed when the server refuses.
func TestSetClientRoleReturnsAfterItsCallback(t *testing.T) {
	checkLeaks(t)
	f := newFakeServer(t)
	c, _ := slowClient(t, f)
	ctx := t.Context()
	f.handle(protocol.TypeSetRole, func(fc *fakeConn, env *protocol.Envelope) {
		fc.reply(env.ID, protocol.SetRoleResponse{Old: protocol.RoleBroadcaster, New: protocol.RoleAudience}, nil)
	})
	if err := c.SetClientRole(ctx, protocol.RoleAudience); err != nil {
		t.Fatal(err)
	}
	hasNow(t, c, "SetClientRole", "role-changed BROADCASTER AUDIENCE")

	f.handle(protocol.TypeSetRole, func(fc *fakeConn, env *protocol.Envelope) {
		fc.reply(env.ID, nil, protocol.NewError(protocol.ErrSetClientRoleNotAuth, "no publish privilege").
			WithReason(int(protocol.RoleChangeFailedNotAuthorized)))
	})
	if err := c.SetClientRole(ctx, protocol.RoleBroadcaster); err == nil {
		t.Fatal("a refused SetClientRole succeeded")
	}
	hasNow(t, c, "a refused SetClientRole", "role-change-failed NOT_AUTHORIZED AUDIENCE")
}

// A handler method may start a relay: the call cannot wait for callbacks
// queued behind the method that makes it, so it returns at once and they
// follow.
func TestRelayCallFromAHandlerReturns(t *testing.T) {
	checkLeaks(t)
	f := newFakeServer(t)
	c, h := slowClient(t, f)
	answerWith(f, protocol.TypeRelayStart, nil, relayState(protocol.RelayStateRunning, protocol.RelayOK, ""))
	answerWith(f, protocol.TypeRelayStop, nil, relayState(protocol.RelayStateIdle, protocol.RelayOK, ""))
	ctx, cancel := context.WithTimeout(t.Context(), waitTimeout)
	defer cancel()
	stopped := make(chan error, 1)
	h.inside = func() { stopped <- c.StopChannelMediaRelay(ctx) }
	if err := c.StartChannelMediaRelay(ctx, relayConfig(rtc.ChannelMediaInfo{ChannelName: "d"})); err != nil {
		t.Fatal(err)
	}
	if err := <-stopped; err != nil {
		t.Fatalf("StopChannelMediaRelay from a handler: %v", err)
	}
	c.waitEvent(t, "relay-state RELAY_STATE_IDLE RELAY_OK ")
	got := c.rec.matching("relay-")
	if !slices.Equal(got, []string{"relay-state RELAY_STATE_RUNNING RELAY_OK ", "relay-state RELAY_STATE_IDLE RELAY_OK "}) {
		t.Fatalf("relay callbacks %q", got)
	}
}

// LeaveChannel returns after OnConnectionStateChanged(DISCONNECTED,
// LEAVE_CHANNEL).
func TestLeaveChannelReturnsAfterItsCallback(t *testing.T) {
	checkLeaks(t)
	f := newFakeServer(t)
	c, _ := slowClient(t, f)
	if err := c.LeaveChannel(t.Context()); err != nil {
		t.Fatal(err)
	}
	hasNow(t, c, "LeaveChannel", "state DISCONNECTED LEAVE_CHANNEL")
}

// A refused JoinChannel returns after OnConnectionStateChanged has reported
// FAILED with the server's reason.
func TestRefusedJoinReturnsAfterFailed(t *testing.T) {
	checkLeaks(t)
	f := newFakeServer(t)
	f.handle(protocol.TypeJoin, func(fc *fakeConn, env *protocol.Envelope) {
		fc.reply(env.ID, nil, protocol.NewError(protocol.ErrInvalidToken, "the token does not verify"))
	})
	h := &slowHandler{recorder: &recorder{}}
	e, err := rtc.NewEngine(rtc.EngineConfig{ServerURL: f.srv.URL, AppID: "app", Handler: h, Logger: testLogger(t, "slow")})
	if err != nil {
		t.Fatalf("NewEngine: %v", err)
	}
	t.Cleanup(func() { _ = e.Close() })
	c := &client{Engine: e, name: "slow", rec: h.recorder}
	if _, err := c.JoinChannel(t.Context(), "007garbage", "src", 0); !errors.Is(err, protocol.NewError(protocol.ErrInvalidToken, "")) {
		t.Fatalf("JoinChannel: %v, want ERR_INVALID_TOKEN", err)
	}
	hasNow(t, c, "a refused JoinChannel", "state FAILED INVALID_TOKEN")
}
