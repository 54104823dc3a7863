package rtc_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cohost-rtc/cohost/internal/config"
	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/rtc"
	"github.com/cohost-rtc/cohost/token"
)

// startRelayRetry starts a relay, retrying while the server finds it too
// soon after the previous start.
func startRelayRetry(t *testing.T, c *client, cfg *rtc.ChannelMediaRelayConfiguration) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		err := c.StartChannelMediaRelay(ctxT(t), cfg)
		if err == nil {
			return
		}
		if !errors.Is(err, protocol.NewError(protocol.ErrTooOften, "")) || time.Now().After(deadline) {
			t.Fatalf("%s: StartChannelMediaRelay: %v", c.name, err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestE2EDemotionStopsOnlyTheOlderRelay: a host that becomes audience has
// its relay stopped before SetClientRole returns; promoted again, it
// publishes and starts another relay at once, and that relay keeps
// running (a pause and a resume succeed), round after round.
func TestE2EDemotionStopsOnlyTheOlderRelay(t *testing.T) {
	srv := startServer(t, func(c *config.Config) { c.Timers.RelayMinInterval = 10 * time.Millisecond })
	ctx := ctxT(t)
	slow := func(cfg *rtc.EngineConfig) { cfg.Handler = &slowHandler{recorder: cfg.Handler.(*recorder)} }
	host := newClient(t, srv, "host", asHost, slow)
	host.join(t, "src", 1)
	publishAV(t, host)
	cfg := relayConfig(rtc.ChannelMediaInfo{ChannelName: "d1", UID: 101})
	startRelayRetry(t, host, cfg)
	const rounds = 5
	for i := range rounds {
		if err := host.SetClientRole(ctx, protocol.RoleAudience); err != nil {
			t.Fatal(err)
		}
		if n := host.rec.count("relay-state RELAY_STATE_IDLE RELAY_OK "); n != i+1 {
			t.Fatalf("round %d: SetClientRole(audience) returned with %d IDLE callbacks, want %d", i, n, i+1)
		}
		if err := host.SetClientRole(ctx, protocol.RoleBroadcaster); err != nil {
			t.Fatal(err)
		}
		publishAV(t, host)
		startRelayRetry(t, host, cfg)
		if err := host.PauseAllChannelMediaRelay(ctx); err != nil {
			t.Fatalf("round %d: the new relay is gone: %v", i, err)
		}
		if err := host.ResumeAllChannelMediaRelay(ctx); err != nil {
			t.Fatalf("round %d: resume: %v", i, err)
		}
	}
	var states []string
	for _, ev := range host.rec.matching("relay-state") {
		if !strings.Contains(ev, "CONNECTING") {
			states = append(states, ev)
		}
	}
	want := []string{"relay-state RELAY_STATE_RUNNING RELAY_OK "}
	for range rounds {
		want = append(want, "relay-state RELAY_STATE_IDLE RELAY_OK ", "relay-state RELAY_STATE_RUNNING RELAY_OK ")
	}
	if !slices.Equal(states, want) {
		t.Fatalf("relay states\n got %q\nwant %q", states, want)
	}
}

// TestE2ERemoteDemotionStopsTheRelay: an administrator who makes a
// relaying host audience stops its relay (IDLE, the destination sees the
// stand-in leave); promoted again, the host relays again and that relay
// stays.
func TestE2ERemoteDemotionStopsTheRelay(t *testing.T) {
	srv := startServer(t, func(c *config.Config) { c.Timers.RelayMinInterval = 10 * time.Millisecond })
	ctx := ctxT(t)
	certApp := func(c *rtc.EngineConfig) { c.AppID = srv.AppID }
	adminTok, err := token.BuildRTCAdmin(srv.AppID, srv.Certificate, "src", "9", token.RolePublisher, 600, 600)
	if err != nil {
		t.Fatal(err)
	}
	admin := newClient(t, srv, "admin", certApp)
	if _, err := admin.JoinChannel(ctx, adminTok, "src", 9); err != nil {
		t.Fatal(err)
	}
	host := newClient(t, srv, "host", asHost, certApp)
	if _, err := host.JoinChannel(ctx, srv.Token(t, "src", 1, token.RolePublisher, 600), "src", 1); err != nil {
		t.Fatal(err)
	}
	publishAV(t, host)
	viewer := newClient(t, srv, "viewer", certApp)
	if _, err := viewer.JoinChannel(ctx, srv.Token(t, "dst", 5, token.RoleSubscriber, 600), "dst", 5); err != nil {
		t.Fatal(err)
	}
	cfg := rtc.NewChannelMediaRelayConfiguration()
	cfg.SetSrcChannelInfo(rtc.ChannelMediaInfo{ChannelName: "src", Token: srv.Token(t, "src", 0, token.RolePublisher, 600)})
	cfg.AddDestChannelInfo(rtc.ChannelMediaInfo{ChannelName: "dst", UID: 100, Token: srv.Token(t, "dst", 100, token.RolePublisher, 600)})
	startRelayRetry(t, host, cfg)
	viewer.waitEvent(t, "user-joined 100")

	if err := admin.SetRemoteClientRole(ctx, 1, protocol.RoleAudience); err != nil {
		t.Fatal(err)
	}
	host.waitEvent(t, "relay-state RELAY_STATE_IDLE RELAY_OK ")
	viewer.waitEvent(t, "user-offline 100 QUIT")

	if err := admin.SetRemoteClientRole(ctx, 1, protocol.RoleBroadcaster); err != nil {
		t.Fatal(err)
	}
	host.waitEvent(t, "role-changed AUDIENCE BROADCASTER")
	publishAV(t, host)
	startRelayRetry(t, host, cfg)
	if err := host.PauseAllChannelMediaRelay(ctx); err != nil {
		t.Fatalf("the relay started after the promotion is gone: %v", err)
	}
	waitFor(t, "the destination to see the stand-in join again", func() bool { return viewer.rec.count("user-joined 100") == 2 })
}
