package rtc_test

import (
	"errors"
	"io"
	"testing"
	"time"

	"github.com/cohost-rtc/cohost/internal/config"
	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/rtc"
	"github.com/cohost-rtc/cohost/token"
)

// TestE2ERenewToken: a client warned of its token's expiry renews it and
// stays; a client that does not is asked for a token and disconnected.
func TestE2ERenewToken(t *testing.T) {
	srv := startServer(t, func(c *config.Config) { c.Timers.TokenWarning = 2 * time.Second })
	ctx := ctxT(t)
	const channel = "renew"
	withApp := func(cfg *rtc.EngineConfig) { cfg.AppID = srv.AppID }

	renewer := newClient(t, srv, "renewer", withApp, asHost)
	if _, err := renewer.JoinChannel(ctx, srv.Token(t, channel, 1, token.RolePublisher, 3), channel, 1); err != nil {
		t.Fatalf("join: %v", err)
	}
	// The sentinel's token expires a second after the renewer's would.
	sentinel := newClient(t, srv, "sentinel", withApp, asHost)
	if _, err := sentinel.JoinChannel(ctx, srv.Token(t, channel, 2, token.RolePublisher, 4), channel, 2); err != nil {
		t.Fatalf("join: %v", err)
	}
	renewer.waitEvent(t, "token-will-expire")
	if err := renewer.RenewToken(ctx, srv.Token(t, channel, 1, token.RolePublisher, 600)); err != nil {
		t.Fatalf("RenewToken: %v", err)
	}
	sentinel.waitEvent(t, "token-will-expire")
	sentinel.waitEvent(t, "request-token")
	sentinel.waitEvent(t, "state FAILED TOKEN_EXPIRED")
	renewer.waitEvent(t, "user-offline 2 QUIT")
	if renewer.rec.has("request-token") || renewer.ConnectionState() != protocol.ConnConnected {
		t.Fatalf("renewer: state %s, events %q", renewer.ConnectionState(), renewer.rec.all())
	}
	if err := sentinel.LeaveChannel(ctx); err != nil {
		t.Fatalf("leave after failure: %v", err)
	}
	sentinel.waitEvent(t, "state DISCONNECTED LEAVE_CHANNEL")
	checkEvents(t, sentinel, []string{
		"state CONNECTING CONNECTING", "state CONNECTED JOIN_SUCCESS", "state FAILED TOKEN_EXPIRED",
		"state DISCONNECTED LEAVE_CHANNEL",
	}, "state")
	// A bad token is refused by RenewToken.
	err := renewer.RenewToken(ctx, "007bad")
	if !errors.Is(err, protocol.NewError(protocol.ErrInvalidToken, "")) {
		t.Fatalf("RenewToken(bad): %v", err)
	}
	// The sentinel can join again with a new token.
	if _, err := sentinel.JoinChannel(ctx, srv.Token(t, channel, 2, token.RolePublisher, 600), channel, 2); err != nil {
		t.Fatalf("rejoin: %v", err)
	}
	renewer.waitEvent(t, "user-joined 2")
}

// TestE2EPublishRevoked: when the token's publish privilege expires the
// server unpublishes the track; the SDK reports it and stops the track.
func TestE2EPublishRevoked(t *testing.T) {
	srv := startServer(t, func(c *config.Config) { c.Timers.TokenWarning = time.Second })
	ctx := ctxT(t)
	const channel = "revoke"
	withApp := func(cfg *rtc.EngineConfig) { cfg.AppID = srv.AppID }
	tok, err := token.BuildRTCWithPrivileges(srv.AppID, srv.Certificate, channel, "1", 600, 600, 2, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	host := newClient(t, srv, "host", withApp, asHost)
	if _, err := host.JoinChannel(ctx, tok, channel, 1); err != nil {
		t.Fatalf("join: %v", err)
	}
	watcher := newClient(t, srv, "watcher", withApp)
	if _, err := watcher.JoinChannel(ctx, srv.Token(t, channel, 2, token.RoleSubscriber, 600), channel, 2); err != nil {
		t.Fatalf("join: %v", err)
	}
	audio, _ := newTracks(t)
	if err := host.Publish(ctx, audio); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	watcher.waitEvent(t, "user-published 1 audio")
	rt, err := watcher.Subscribe(ctx, 1, protocol.MediaAudio)
	if err != nil {
		t.Fatalf("Subscribe: %v", err)
	}
	host.waitEvent(t, "publish-revoked audio")
	host.waitEvent(t, "request-token")
	watcher.waitEvent(t, "user-unpublished 1 audio")
	done := make(chan error, 1)
	go func() {
		for {
			if _, err := rt.ReadRTP(); err != nil {
				done <- err
				return
			}
		}
	}()
	select {
	case err := <-done:
		if !errors.Is(err, io.EOF) {
			t.Fatalf("ReadRTP: %v", err)
		}
	case <-time.After(waitTimeout):
		t.Fatal("the subscription did not end")
	}
	// The track was unpublished locally: publishing again asks the server,
	// which refuses without the privilege.
	err = host.Publish(ctx, audio)
	if !errors.Is(err, protocol.NewError(protocol.ErrNoPermission, "")) {
		t.Fatalf("Publish after revocation: %v", err)
	}
	if host.ConnectionState() != protocol.ConnConnected {
		t.Fatalf("state %s", host.ConnectionState())
	}
}

// TestE2EResume cuts the WebSocket of a publishing host and of a
// subscribed audience member: both resume, media keeps flowing, and nobody
// else sees anything.
func TestE2EResume(t *testing.T) {
	checkLeaks(t)
	srv := startServer(t)
	ctx := ctxT(t)
	const channel = "resume"

	host := newClient(t, srv, "host", asHost)
	host.join(t, channel, 1)
	audio, video := newTracks(t)
	if err := host.Publish(ctx, audio, video); err != nil {
		t.Fatal(err)
	}
	aud := newClient(t, srv, "audience")
	aud.join(t, channel, 2)
	other := newClient(t, srv, "other", asHost)
	other.join(t, channel, 3)
	aud.waitEvent(t, "user-published 1 video")
	rt, err := aud.Subscribe(ctx, 1, protocol.MediaVideo)
	if err != nil {
		t.Fatal(err)
	}
	r := &receiver{track: rt, offset: len(vp8Key)}
	s := &mediaSender{audio: audio, video: video}
	flows := func(what string) {
		t.Helper()
		r.mu.Lock()
		before := len(r.test)
		r.mu.Unlock()
		i := 0
		waitFor(t, what, func() bool {
			s.send(t, kindTest, i)
			i++
			time.Sleep(5 * time.Millisecond)
			r.mu.Lock()
			defer r.mu.Unlock()
			return len(r.test) > before+3
		})
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		var wg = new(syncWG)
		wg.Add(1)
		r.run(&wg.WaitGroup)
	}()
	flows("media before the cut")

	host.net.cut()
	host.waitEvent(t, "state RECONNECTING INTERRUPTED")
	// A request made while reconnecting waits for the resume.
	if err := host.MuteLocalAudioStream(ctx, true); err != nil {
		t.Fatalf("mute while reconnecting: %v", err)
	}
	host.waitEvent(t, "state CONNECTED REJOIN_SUCCESS")
	host.waitEvent(t, "rejoin-success resume 1")
	aud.waitEvent(t, "mute-audio 1 true")
	flows("media after the host resumed")

	aud.net.cut()
	aud.waitEvent(t, "state CONNECTED REJOIN_SUCCESS")
	flows("media after the audience resumed")
	// The audience member's ICE-restart offer was answered: its
	// downstream renegotiation still works.
	if _, err := aud.Subscribe(ctx, 1, protocol.MediaAudio); err != nil {
		t.Fatalf("Subscribe after resume: %v", err)
	}

	// Sentinel: a late host that everyone sees after the above.
	late := newClient(t, srv, "late", asHost)
	late.join(t, channel, 4)
	for _, c := range []*client{host, aud, other} {
		c.waitEvent(t, "user-joined 4")
	}
	checkEvents(t, other, []string{
		"user-joined 1", "user-published 1 audio", "user-published 1 video", "mute-audio 1 true", "user-joined 4",
	}, userEvents...)
	checkEvents(t, aud, []string{
		"user-joined 1", "user-published 1 audio", "user-published 1 video", "user-joined 3", "mute-audio 1 true",
		"user-joined 4",
	}, userEvents...)
	checkEvents(t, host, []string{"user-joined 3", "user-joined 4"}, userEvents...)
	for _, c := range []*client{host, aud} {
		checkEvents(t, c, []string{
			"state CONNECTING CONNECTING", "state CONNECTED JOIN_SUCCESS",
			"state RECONNECTING INTERRUPTED", "state CONNECTED REJOIN_SUCCESS",
		}, "state")
		if errs := c.rec.matching("error"); len(errs) > 0 {
			t.Errorf("%s: errors %q", c.name, errs)
		}
	}
	if err := aud.Unsubscribe(ctx, 1, protocol.MediaVideo); err != nil {
		t.Fatal(err)
	}
	<-done
}

// TestE2ESameUIDLogin: a second join with the same uid ends the first
// session.
func TestE2ESameUIDLogin(t *testing.T) {
	srv := startServer(t)
	const channel = "same-uid"
	first := newClient(t, srv, "first", asHost)
	first.join(t, channel, 7)
	watcher := newClient(t, srv, "watcher")
	watcher.join(t, channel, 8)
	second := newClient(t, srv, "second", asHost)
	second.join(t, channel, 7)
	first.waitEvent(t, "state FAILED SAME_UID_LOGIN")
	watcher.waitEvent(t, "user-offline 7 QUIT")
	waitFor(t, "the second session", func() bool { return watcher.rec.count("user-joined 7") == 2 })
	if err := first.LeaveChannel(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if first.ConnectionState() != protocol.ConnDisconnected {
		t.Errorf("state %s", first.ConnectionState())
	}
}

// TestE2EResumeLostOffer: the connection breaks while the server's offer is
// on its way, so the client never sees it. After the resume the server must
// offer again (the resume is an ICE restart anyway) and the subscription
// must complete.
func TestE2EResumeLostOffer(t *testing.T) {
	srv := startServer(t)
	ctx := ctxT(t)
	const channel = "lost-offer"
	host := newClient(t, srv, "host", asHost)
	host.join(t, channel, 1)
	audio, _ := newTracks(t)
	if err := host.Publish(ctx, audio); err != nil {
		t.Fatal(err)
	}
	aud := newClient(t, srv, "audience")
	aud.join(t, channel, 2)
	aud.waitEvent(t, "user-published 1 audio")
	aud.net.cutOn(`"type":"offer"`)
	rt, err := aud.Subscribe(ctx, 1, protocol.MediaAudio)
	if err != nil {
		t.Fatalf("Subscribe across a lost offer: %v", err)
	}
	if !aud.net.trapped() {
		t.Fatal("the offer was not intercepted")
	}
	aud.waitEvent(t, "state CONNECTED REJOIN_SUCCESS")
	// What the user notices: the host's audio arrives.
	got := make(chan error, 1)
	go func() { _, err := rt.ReadRTP(); got <- err }()
	s := &mediaSender{audio: audio}
	deadline := time.After(waitTimeout)
	for {
		select {
		case err := <-got:
			if err != nil {
				t.Fatalf("reading audio after the lost offer: %v", err)
			}
			return
		case <-deadline:
			t.Fatal("no audio after the lost offer was resent")
		default:
			s.sendAudio(t)
		}
	}
}

// TestE2EResumePendingAnswer: the connection breaks just after an offer
// arrived, before the client could answer it. The server resends that
// offer after the resume; the client must answer it there (not send its
// stale answer on the new connection, where the server would take it for
// the answer to its ICE-restart offer) and the downstream connection must
// keep working through the ICE restart.
func TestE2EResumePendingAnswer(t *testing.T) {
	checkLeaks(t)
	srv := startServer(t)
	ctx := ctxT(t)
	const channel = "pending-answer"
	host := newClient(t, srv, "host", asHost)
	host.join(t, channel, 1)
	audio, video := newTracks(t)
	if err := host.Publish(ctx, audio, video); err != nil {
		t.Fatal(err)
	}
	aud := newClient(t, srv, "audience")
	aud.join(t, channel, 2)
	aud.waitEvent(t, "user-published 1 video")
	aud.net.cutAfter(`"type":"offer"`)
	rt, err := aud.Subscribe(ctx, 1, protocol.MediaVideo)
	if err != nil {
		t.Fatalf("Subscribe across a break: %v", err)
	}
	if !aud.net.trapped() {
		t.Fatal("the offer was not intercepted")
	}
	aud.waitEvent(t, "state CONNECTED REJOIN_SUCCESS")
	r := &receiver{track: rt, offset: len(vp8Key)}
	var wg syncWG
	wg.Add(1)
	go r.run(&wg.WaitGroup)
	s := &mediaSender{audio: audio, video: video}
	i := 0
	waitFor(t, "video after the ICE restart", func() bool {
		s.send(t, kindTest, i)
		i++
		time.Sleep(5 * time.Millisecond)
		r.mu.Lock()
		defer r.mu.Unlock()
		return len(r.test) > 3
	})
	// Another renegotiation still works.
	if _, err := aud.Subscribe(ctx, 1, protocol.MediaAudio); err != nil {
		t.Fatalf("Subscribe after the resume: %v", err)
	}
	if errs := aud.rec.matching("error"); len(errs) > 0 {
		t.Errorf("errors %q", errs)
	}
	if err := aud.Unsubscribe(ctx, 1, protocol.MediaVideo); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
}

// TestE2EResumeLostEvent: the connection breaks while an event is on its
// way. After the resume the client must still learn what it said: the
// resume names the last event seen and the server resends the rest.
func TestE2EResumeLostEvent(t *testing.T) {
	srv := startServer(t)
	ctx := ctxT(t)
	const channel = "lost-event"
	host := newClient(t, srv, "host", asHost)
	host.join(t, channel, 1)
	aud := newClient(t, srv, "audience")
	aud.join(t, channel, 2)
	aud.waitEvent(t, "user-joined 1")
	aud.net.cutOn(`"type":"user-published"`)
	audio, _ := newTracks(t)
	if err := host.Publish(ctx, audio); err != nil {
		t.Fatal(err)
	}
	aud.waitEvent(t, "state CONNECTED REJOIN_SUCCESS")
	aud.waitEvent(t, "user-published 1 audio")
}
