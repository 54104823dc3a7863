package rtc_test

import (
	"testing"
	"time"

	"github.com/cohost-rtc/cohost/internal/config"
	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/rtc"
	"github.com/cohost-rtc/cohost/token"
)

// TestE2ERelayTokens: relay tokens are checked per channel and uid, warned
// about before they expire, renewed in place by an update that is never
// "too frequent", and their expiry stops the whole relay with
// DEST_TOKEN_EXPIRED naming the channel.
func TestE2ERelayTokens(t *testing.T) {
	srv := startServer(t, func(c *config.Config) {
		c.Timers.TokenWarning = 2 * time.Second
		c.Timers.RelayMinInterval = time.Minute // only token renewals may pass
	})
	ctx := ctxT(t)
	certApp := func(c *rtc.EngineConfig) { c.AppID = srv.AppID }
	host := newClient(t, srv, "host", asHost, certApp)
	if _, err := host.JoinChannel(ctx, srv.Token(t, "src", 1, token.RolePublisher, 600), "src", 1); err != nil {
		t.Fatal(err)
	}
	publishAV(t, host)
	viewer := newClient(t, srv, "viewer", certApp)
	if _, err := viewer.JoinChannel(ctx, srv.Token(t, "dst", 9, token.RoleSubscriber, 600), "dst", 9); err != nil {
		t.Fatal(err)
	}
	srcTok := srv.Token(t, "src", 0, token.RolePublisher, 600)
	cfg := func(destTok string) *rtc.ChannelMediaRelayConfiguration {
		c := rtc.NewChannelMediaRelayConfiguration()
		c.SetSrcChannelInfo(rtc.ChannelMediaInfo{ChannelName: "src", Token: srcTok})
		c.AddDestChannelInfo(rtc.ChannelMediaInfo{ChannelName: "dst", UID: 100, Token: destTok})
		return c
	}
	// Wrong tokens: a destination token for another uid, one without
	// publish privileges, and a source token for another channel.
	relayErr(t, host.StartChannelMediaRelay(ctx, cfg(srv.Token(t, "dst", 101, token.RolePublisher, 600))), protocol.ErrRelayFailedJoinDest)
	host.waitEvent(t, "relay-state RELAY_STATE_FAILURE FAILED_JOIN_DEST dst")
	// (Each failed start counts against the start interval; use a fresh host.)
	host2 := newClient(t, srv, "host2", asHost, certApp)
	if _, err := host2.JoinChannel(ctx, srv.Token(t, "src", 2, token.RolePublisher, 600), "src", 2); err != nil {
		t.Fatal(err)
	}
	publishAV(t, host2)
	relayErr(t, host2.StartChannelMediaRelay(ctx, cfg(srv.Token(t, "dst", 100, token.RoleSubscriber, 600))), protocol.ErrRelayFailedJoinDest)
	host3 := newClient(t, srv, "host3", asHost, certApp)
	if _, err := host3.JoinChannel(ctx, srv.Token(t, "src", 3, token.RolePublisher, 600), "src", 3); err != nil {
		t.Fatal(err)
	}
	publishAV(t, host3)
	bad := cfg(srv.Token(t, "dst", 100, token.RolePublisher, 600))
	bad.SetSrcChannelInfo(rtc.ChannelMediaInfo{ChannelName: "src", Token: srv.Token(t, "elsewhere", 0, token.RolePublisher, 600)})
	relayErr(t, host3.StartChannelMediaRelay(ctx, bad), protocol.ErrRelayFailedJoinSrc)
	host3.waitEvent(t, "relay-state RELAY_STATE_FAILURE FAILED_JOIN_SRC src")

	// A destination token valid 4 s: warned at 2 s, renewed in place.
	short := srv.Token(t, "dst", 100, token.RolePublisher, 4)
	if err := host3.UpdateChannelMediaRelay(ctx, cfg(short)); err == nil {
		t.Fatal("update after a failed start must fail")
	}
	host4 := newClient(t, srv, "host4", asHost, certApp)
	if _, err := host4.JoinChannel(ctx, srv.Token(t, "src", 4, token.RolePublisher, 600), "src", 4); err != nil {
		t.Fatal(err)
	}
	publishAV(t, host4)
	if err := host4.StartChannelMediaRelay(ctx, cfg(short)); err != nil {
		t.Fatal(err)
	}
	viewer.waitEvent(t, "user-joined 100")
	host4.waitEvent(t, "token-will-expire")
	if err := host4.UpdateChannelMediaRelay(ctx, cfg(srv.Token(t, "dst", 100, token.RolePublisher, 600))); err != nil {
		t.Fatalf("token-only update refused: %v", err)
	}
	host4.waitEvent(t, "relay-event PACKET_UPDATE_DEST_CHANNEL ")
	time.Sleep(3 * time.Second) // past the first token's expiry
	if host4.rec.has("relay-state RELAY_STATE_FAILURE DEST_TOKEN_EXPIRED dst") {
		t.Fatal("the renewed relay failed at the old token's expiry")
	}
	if viewer.rec.has("user-offline 100 QUIT") {
		t.Fatal("the destination lost the relayed host")
	}
	// A short token left to expire stops the whole relay.
	if err := host4.StopChannelMediaRelay(ctx); err != nil {
		t.Fatal(err)
	}
	host5 := newClient(t, srv, "host5", asHost, certApp)
	if _, err := host5.JoinChannel(ctx, srv.Token(t, "src", 5, token.RolePublisher, 600), "src", 5); err != nil {
		t.Fatal(err)
	}
	publishAV(t, host5)
	if err := host5.StartChannelMediaRelay(ctx, cfg(srv.Token(t, "dst", 100, token.RolePublisher, 3))); err != nil {
		t.Fatal(err)
	}
	host5.waitEvent(t, "relay-state RELAY_STATE_FAILURE DEST_TOKEN_EXPIRED dst")
	waitFor(t, "the viewer to see the relayed host leave twice", func() bool { return viewer.rec.count("user-offline 100 QUIT") >= 2 })
}
