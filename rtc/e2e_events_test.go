package rtc_test

import (
	"errors"
	"io"
	"slices"
	"testing"

	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/rtc"
	"github.com/cohost-rtc/cohost/token"
)

// userEvents are the events about other users.
var userEvents = []string{"user-", "mute-"}

func checkEvents(t *testing.T, c *client, want []string, prefixes ...string) {
	t.Helper()
	if got := c.rec.matching(prefixes...); !slices.Equal(got, want) {
		t.Errorf("%s: events\n got %q\nwant %q", c.name, got, want)
	}
}

func newTracks(t *testing.T) (audio, video *rtc.LocalTrack) {
	t.Helper()
	audio, err := rtc.NewLocalTrack(protocol.CodecOpus)
	if err != nil {
		t.Fatal(err)
	}
	video, err = rtc.NewLocalTrack(protocol.CodecVP8)
	if err != nil {
		t.Fatal(err)
	}
	return audio, video
}

// TestE2EUserEvents checks the exact user events every member sees as
// hosts join, publish, mute, unpublish and leave, and that audience members
// stay invisible.
func TestE2EUserEvents(t *testing.T) {
	srv := startServer(t)
	ctx := ctxT(t)
	const channel = "events"

	a := newClient(t, srv, "hostA", asHost)
	a.join(t, channel, 1)
	a.waitEvent(t, "join-success events 1")
	audio, video := newTracks(t)
	if err := a.Publish(ctx, audio, video); err != nil {
		t.Fatalf("Publish: %v", err)
	}

	b := newClient(t, srv, "audienceB")
	b.join(t, channel, 2)
	if got := b.ClientRole(); got != protocol.RoleAudience {
		t.Errorf("B's role %s, want audience", got)
	}
	c := newClient(t, srv, "hostC", asHost)
	c.join(t, channel, 3)
	b.waitEvent(t, "user-joined 3")
	a.waitEvent(t, "user-joined 3")
	if got := a.RemoteUsers(); !slices.Equal(got, []protocol.UID{3}) {
		t.Errorf("A's remote users %v, want [3]", got)
	}

	if err := a.MuteLocalAudioStream(ctx, true); err != nil {
		t.Fatalf("mute: %v", err)
	}
	if err := a.MuteLocalAudioStream(ctx, false); err != nil {
		t.Fatalf("unmute: %v", err)
	}
	if err := a.MuteLocalVideoStream(ctx, true); err != nil {
		t.Fatalf("mute video: %v", err)
	}
	if err := a.Unpublish(ctx, video); err != nil {
		t.Fatalf("Unpublish: %v", err)
	}
	// Publishing again keeps the engine's video mute state.
	if err := a.Publish(ctx, video); err != nil {
		t.Fatalf("Publish again: %v", err)
	}
	if err := a.LeaveChannel(ctx); err != nil {
		t.Fatalf("Leave: %v", err)
	}
	if got := a.ConnectionState(); got != protocol.ConnDisconnected {
		t.Errorf("A's state %s after leave", got)
	}
	a.waitEvent(t, "state DISCONNECTED LEAVE_CHANNEL")
	b.waitEvent(t, "user-offline 1 QUIT")
	c.waitEvent(t, "user-offline 1 QUIT")

	seenByOthers := []string{
		"mute-audio 1 true", "mute-audio 1 false", "mute-video 1 true",
		"user-unpublished 1 video", "user-published 1 video", "mute-video 1 true",
		// Leaving while publishing: each track unpublished first, as Agora reports it.
		"user-unpublished 1 audio", "user-unpublished 1 video", "user-offline 1 QUIT",
	}
	checkEvents(t, b, append([]string{
		"user-joined 1", "user-published 1 audio", "user-published 1 video", "user-joined 3",
	}, seenByOthers...), userEvents...)
	checkEvents(t, c, append([]string{
		"user-joined 1", "user-published 1 audio", "user-published 1 video",
	}, seenByOthers...), userEvents...)
	// A never saw the audience member.
	checkEvents(t, a, []string{"user-joined 3"}, userEvents...)
	checkEvents(t, a, []string{
		"state CONNECTING CONNECTING", "state CONNECTED JOIN_SUCCESS", "join-success events 1",
		"state DISCONNECTED LEAVE_CHANNEL",
	}, "state", "join-success")
	for _, cl := range []*client{a, b, c} {
		if errs := cl.rec.matching("error"); len(errs) > 0 {
			t.Errorf("%s: errors %q", cl.name, errs)
		}
	}
}

// TestE2ERoleSwitch switches an audience member to host and back and checks
// the exact events on every side, the media in between, and that a
// subscription to the former host ends.
func TestE2ERoleSwitch(t *testing.T) {
	checkLeaks(t)
	srv := startServer(t)
	ctx := ctxT(t)
	const channel = "roles"

	host := newClient(t, srv, "host", asHost)
	host.join(t, channel, 1)
	aud := newClient(t, srv, "audience")
	aud.join(t, channel, 2)
	watcher := newClient(t, srv, "watcher")
	watcher.join(t, channel, 3)

	audio, _ := newTracks(t)
	err := aud.Publish(ctx, audio)
	if !errors.Is(err, protocol.NewError(protocol.ErrRefused, "")) {
		t.Fatalf("audience Publish: %v, want ErrRefused", err)
	}

	if err := aud.SetClientRole(ctx, protocol.RoleBroadcaster); err != nil {
		t.Fatalf("SetClientRole(host): %v", err)
	}
	aud.waitEvent(t, "role-changed AUDIENCE BROADCASTER")
	host.waitEvent(t, "user-joined 2")
	watcher.waitEvent(t, "user-joined 2")
	if err := aud.Publish(ctx, audio); err != nil {
		t.Fatalf("Publish as host: %v", err)
	}
	host.waitEvent(t, "user-published 2 audio")
	rt, err := host.Subscribe(ctx, 2, protocol.MediaAudio)
	if err != nil {
		t.Fatalf("host Subscribe: %v", err)
	}
	// Media flows from the new host.
	got := make(chan error, 1)
	go func() {
		for {
			_, err := rt.ReadRTP()
			got <- err
			if err != nil {
				return
			}
		}
	}()
	s := &mediaSender{audio: audio}
	waitFor(t, "audio from the new host", func() bool {
		s.sendAudio(t)
		select {
		case err := <-got:
			if err != nil {
				t.Fatalf("ReadRTP: %v", err)
			}
			return true
		default:
			return false
		}
	})

	if err := aud.SetClientRole(ctx, protocol.RoleAudience); err != nil {
		t.Fatalf("SetClientRole(audience): %v", err)
	}
	aud.waitEvent(t, "role-changed BROADCASTER AUDIENCE")
	host.waitEvent(t, "user-offline 2 BECOME_AUDIENCE")
	watcher.waitEvent(t, "user-offline 2 BECOME_AUDIENCE")
	// The host's subscription to the former host ended.
	waitFor(t, "the subscription to end", func() bool {
		for {
			select {
			case err := <-got:
				if errors.Is(err, io.EOF) {
					return true
				}
			default:
				return false
			}
		}
	})
	// Setting the same role again changes nothing and reports nothing.
	if err := aud.SetClientRole(ctx, protocol.RoleAudience); err != nil {
		t.Fatalf("SetClientRole(audience) again: %v", err)
	}
	// A sentinel: a new host everyone sees, after everything above.
	late := newClient(t, srv, "late", asHost)
	late.join(t, channel, 4)
	for _, c := range []*client{host, aud, watcher} {
		c.waitEvent(t, "user-joined 4")
	}
	late.waitEvent(t, "user-joined 1")

	checkEvents(t, aud, []string{
		"user-joined 1", "role-changed AUDIENCE BROADCASTER", "role-changed BROADCASTER AUDIENCE", "user-joined 4",
	}, "user-", "mute-", "role-")
	checkEvents(t, host, []string{
		"user-joined 2", "user-published 2 audio", "user-unpublished 2 audio", "user-offline 2 BECOME_AUDIENCE", "user-joined 4",
	}, "user-", "mute-", "role-")
	checkEvents(t, watcher, []string{
		"user-joined 1", "user-joined 2", "user-published 2 audio", "user-unpublished 2 audio", "user-offline 2 BECOME_AUDIENCE", "user-joined 4",
	}, "user-", "mute-", "role-")
	checkEvents(t, late, []string{"user-joined 1"}, "user-", "mute-", "role-")
	if got := aud.ClientRole(); got != protocol.RoleAudience {
		t.Errorf("role %s, want audience", got)
	}
	// Becoming audience unpublished the track locally: as host again, it
	// can be published anew.
	if err := aud.SetClientRole(ctx, protocol.RoleBroadcaster); err != nil {
		t.Fatalf("SetClientRole(host) again: %v", err)
	}
	if err := aud.Publish(ctx, audio); err != nil {
		t.Fatalf("Publish after coming back: %v", err)
	}
	host.waitEvent(t, "user-joined 2")
	waitFor(t, "second publication", func() bool { return host.rec.count("user-published 2 audio") == 2 })
	// The republished track (on the reused transceiver) carries media.
	rt2, err := host.Subscribe(ctx, 2, protocol.MediaAudio)
	if err != nil {
		t.Fatalf("Subscribe to the republished track: %v", err)
	}
	if rt2 == rt {
		t.Fatal("the ended track was returned again")
	}
	got2 := make(chan error, 1)
	go func() {
		_, err := rt2.ReadRTP()
		got2 <- err
	}()
	waitFor(t, "audio from the republished track", func() bool {
		s.sendAudio(t)
		select {
		case err := <-got2:
			if err != nil {
				t.Fatalf("ReadRTP: %v", err)
			}
			return true
		default:
			return false
		}
	})
}

// TestE2ERoleNotAuthorized: with co-host authentication, a subscriber token
// cannot become host; after renewing to a publisher token it can.
func TestE2ERoleNotAuthorized(t *testing.T) {
	srv := startServer(t)
	ctx := ctxT(t)
	const channel = "cohost-auth"
	withApp := func(cfg *rtc.EngineConfig) { cfg.AppID = srv.AppID }

	aud := newClient(t, srv, "audience", withApp)
	if _, err := aud.JoinChannel(ctx, srv.Token(t, channel, 5, token.RoleSubscriber, 600), channel, 5); err != nil {
		t.Fatalf("join: %v", err)
	}
	err := aud.SetClientRole(ctx, protocol.RoleBroadcaster)
	if !errors.Is(err, protocol.NewError(protocol.ErrSetClientRoleNotAuth, "")) {
		t.Fatalf("SetClientRole: %v, want ErrSetClientRoleNotAuth", err)
	}
	aud.waitEvent(t, "role-change-failed NOT_AUTHORIZED AUDIENCE")
	if err := aud.RenewToken(ctx, srv.Token(t, channel, 5, token.RolePublisher, 600)); err != nil {
		t.Fatalf("RenewToken: %v", err)
	}
	if err := aud.SetClientRole(ctx, protocol.RoleBroadcaster); err != nil {
		t.Fatalf("SetClientRole after renewal: %v", err)
	}
	aud.waitEvent(t, "role-changed AUDIENCE BROADCASTER")

	// Joining as host with a subscriber token joins as audience and
	// reports the failed role change.
	other := newClient(t, srv, "other", withApp, asHost)
	if _, err := other.JoinChannel(ctx, srv.Token(t, channel, 6, token.RoleSubscriber, 600), channel, 6); err != nil {
		t.Fatalf("join: %v", err)
	}
	other.waitEvent(t, "role-change-failed NOT_AUTHORIZED AUDIENCE")
	if got := other.ClientRole(); got != protocol.RoleAudience {
		t.Errorf("role %s, want audience", got)
	}
	// A bad token fails the join with INVALID_TOKEN.
	bad := newClient(t, srv, "bad", withApp)
	_, err = bad.JoinChannel(ctx, "007garbage", channel, 7)
	if !errors.Is(err, protocol.NewError(protocol.ErrInvalidToken, "")) {
		t.Fatalf("join with a bad token: %v", err)
	}
	checkEvents(t, bad, []string{"state CONNECTING CONNECTING", "state FAILED INVALID_TOKEN"}, "state")
}

// TestE2EUnsubscribe: unsubscribing ends the track; subscribing again gets
// a new one with media.
func TestE2EUnsubscribe(t *testing.T) {
	srv := startServer(t)
	ctx := ctxT(t)
	const channel = "unsub"
	host := newClient(t, srv, "host", asHost)
	host.join(t, channel, 1)
	audio, _ := newTracks(t)
	if err := host.Publish(ctx, audio); err != nil {
		t.Fatal(err)
	}
	aud := newClient(t, srv, "audience")
	aud.join(t, channel, 2)
	aud.waitEvent(t, "user-published 1 audio")
	s := &mediaSender{audio: audio}

	for round := range 2 {
		rt, err := aud.Subscribe(ctx, 1, protocol.MediaAudio)
		if err != nil {
			t.Fatalf("round %d: Subscribe: %v", round, err)
		}
		got := make(chan error, 16)
		go func() {
			for {
				_, err := rt.ReadRTP()
				select {
				case got <- err:
				default:
				}
				if err != nil {
					got <- err
					return
				}
			}
		}()
		waitFor(t, "audio", func() bool {
			s.sendAudio(t)
			select {
			case err := <-got:
				return err == nil
			default:
				return false
			}
		})
		if err := aud.Unsubscribe(ctx, 1, protocol.MediaAudio); err != nil {
			t.Fatalf("round %d: Unsubscribe: %v", round, err)
		}
		waitFor(t, "EOF", func() bool {
			s.sendAudio(t)
			for {
				select {
				case err := <-got:
					if errors.Is(err, io.EOF) {
						return true
					}
				default:
					return false
				}
			}
		})
	}
	// A codec the client cannot decode is refused.
	picky := newClient(t, srv, "picky", func(c *rtc.EngineConfig) { c.Codecs = []protocol.Codec{protocol.CodecH264} })
	picky.join(t, channel, 3)
	picky.waitEvent(t, "user-published 1 audio")
	_, err := picky.Subscribe(ctx, 1, protocol.MediaAudio)
	if !errors.Is(err, protocol.NewError(protocol.ErrCodecNotSupported, "")) {
		t.Fatalf("Subscribe to an undecodable codec: %v", err)
	}
	// Unknown users are refused too.
	if _, err := aud.Subscribe(ctx, 99, protocol.MediaVideo); !errors.Is(err, protocol.NewError(protocol.ErrInvalidArgument, "")) {
		t.Fatalf("Subscribe to nobody: %v", err)
	}
}
