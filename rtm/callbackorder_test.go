package rtm_test

import (
	"context"
	"testing"
	"time"

	"github.com/cohost-rtc/cohost/internal/servertest"
	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/rtm"
)

// slowRecorder records like recorder but takes its time over the callbacks
// a call promises to have run when it returns.
type slowRecorder struct{ *recorder }

const slowCallback = 30 * time.Millisecond

func (s slowRecorder) OnConnectionStateChanged(st protocol.RTMConnectionState, why protocol.RTMConnectionChangeReason) {
	time.Sleep(slowCallback)
	s.recorder.OnConnectionStateChanged(st, why)
}

func (s slowRecorder) OnLocalInvitationCanceled(inv *rtm.LocalInvitation) {
	time.Sleep(slowCallback)
	s.recorder.OnLocalInvitationCanceled(inv)
}

func (s slowRecorder) OnRemoteInvitationAccepted(inv *rtm.RemoteInvitation) {
	time.Sleep(slowCallback)
	s.recorder.OnRemoteInvitationAccepted(inv)
}

func (s slowRecorder) OnRemoteInvitationRefused(inv *rtm.RemoteInvitation) {
	time.Sleep(slowCallback)
	s.recorder.OnRemoteInvitationRefused(inv)
}

func slowLogin(t *testing.T, srv *servertest.Server, user string) (*rtm.Client, *recorder) {
	t.Helper()
	rec := newRecorder()
	c := newClient(t, srv, srv.TestAppID, slowRecorder{rec})
	if err := c.Login(ctx(t), "", user); err != nil {
		t.Fatalf("login %s: %v", user, err)
	}
	return c, rec
}

// hasNow fails t unless rec already holds ev: no waiting.
func hasNow(t *testing.T, rec *recorder, call, ev string) {
	t.Helper()
	if !rec.has(ev) {
		t.Fatalf("%s returned before %q ran; callbacks so far:\n%s", call, ev, rec.dump())
	}
}

// Cancel, Accept, Refuse and Logout return after the callback their docs
// name has run.
func TestCallsReturnAfterTheirCallbacks(t *testing.T) {
	srv := servertest.Start(t, servertest.ShortRTM)
	host, hRec := slowLogin(t, srv, "host")
	aud, aRec := slowLogin(t, srv, "audience")

	inv := host.CreateLocalInvitation("audience")
	if err := inv.Send(ctx(t)); err != nil {
		t.Fatal(err)
	}
	r := <-aRec.remote
	if err := r.Accept(ctx(t)); err != nil {
		t.Fatal(err)
	}
	hasNow(t, aRec, "Accept", "remote accepted")

	inv = host.CreateLocalInvitation("audience")
	if err := inv.Send(ctx(t)); err != nil {
		t.Fatal(err)
	}
	r = <-aRec.remote
	if err := r.Refuse(ctx(t)); err != nil {
		t.Fatal(err)
	}
	hasNow(t, aRec, "Refuse", "remote refused")

	inv = host.CreateLocalInvitation("audience")
	if err := inv.Send(ctx(t)); err != nil {
		t.Fatal(err)
	}
	<-aRec.remote
	if err := inv.Cancel(ctx(t)); err != nil {
		t.Fatal(err)
	}
	hasNow(t, hRec, "Cancel", "local canceled")

	if err := aud.Logout(ctx(t)); err != nil {
		t.Fatal(err)
	}
	hasNow(t, aRec, "Logout", "state DISCONNECTED LOGOUT")
}

// A handler may answer an invitation as it arrives: the call returns (the
// callback follows) instead of waiting for a callback queued behind it.
func TestAnswerFromAHandlerReturns(t *testing.T) {
	srv := servertest.Start(t, servertest.ShortRTM)
	host, hRec := login(t, srv, "host")
	rec := &answering{recorder: newRecorder(), done: make(chan error, 1)}
	aud := newClient(t, srv, srv.TestAppID, rec)
	if err := aud.Login(ctx(t), "", "audience"); err != nil {
		t.Fatal(err)
	}
	if err := host.CreateLocalInvitation("audience").Send(ctx(t)); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-rec.done:
		if err != nil {
			t.Fatalf("Accept from a handler: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Accept from a handler did not return")
	}
	hRec.waitFor(t, "local accepted ")
	rec.waitFor(t, "remote accepted")
}

// answering accepts every invitation from OnRemoteInvitationReceived.
type answering struct {
	*recorder
	done chan error
}

func (a *answering) OnRemoteInvitationReceived(inv *rtm.RemoteInvitation) {
	c, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	a.done <- inv.Accept(c)
}
