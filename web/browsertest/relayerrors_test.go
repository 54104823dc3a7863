package browsertest

import (
	"fmt"
	"testing"

	"github.com/cohost-rtc/cohost/internal/servertest"
	"github.com/cohost-rtc/cohost/token"
)

// TestRelayRules: each rule of the channel media relay (docs/protocol.md,
// "Channel media relay") broken once from the Web SDK, on a certificate
// app: the promise rejects with Agora Web's code, and the states and events
// the rule names arrive.
func TestRelayRules(t *testing.T) {
	srv := servertest.Start(t)
	tok := func(channel string, uid uint32, role token.Role, expire uint32) string {
		return jsString(srv.Token(t, channel, uid, role, expire))
	}
	p := newPage(t, srv, "relay")
	app := jsString(srv.AppID)
	p.run(fmt.Sprintf(`
		const host = T.newClient("host", {mode: "live", codec: "vp8", role: "host"});
		await host.join(%[1]s, "err-src", %[2]s, 300);
		await host.publish(await T.camera("cam"));
		await T.newClient("aud", {mode: "live", codec: "vp8"}).join(%[1]s, "err-src", %[3]s, 301);
		await T.newClient("idle", {mode: "live", codec: "vp8", role: "host"}).join(%[1]s, "err-d2", %[4]s, 500);
		T.newClient("nj", {mode: "live", codec: "vp8", role: "host"});
		T.src = {channelName: "err-src", uid: 0, token: %[5]s};
		T.d1 = {channelName: "err-d1", uid: 300, token: %[6]s};
		T.cfg = (src, ...dests) => {
			const c = AgoraRTC.createChannelMediaRelayConfiguration();
			if (src) c.setSrcChannelInfo(src);
			for (const d of dests) c.addDestChannelInfo(d);
			return c;
		};`,
		app, tok("err-src", 300, token.RolePublisher, 3600), tok("err-src", 301, token.RoleSubscriber, 3600),
		tok("err-d2", 500, token.RolePublisher, 3600), tok("err-src", 0, token.RolePublisher, 3600),
		tok("err-d1", 300, token.RolePublisher, 3600)))

	// Each case waits wait ms, then runs expr (an expression yielding a
	// promise, or throwing; tokens in it are minted when it is built), and
	// wants code and then the listed events. Expiring tokens last 3 s: an
	// AccessToken2 counts from its issue second.
	type relayCase struct {
		name   string
		wait   int
		expr   func() string
		code   string
		events []string
	}
	fixed := func(s string) func() string { return func() string { return s } }
	cases := []relayCase{
		{name: "before join", expr: fixed(`T.clients.nj.startChannelMediaRelay(T.cfg(T.src, T.d1))`), code: "INVALID_OPERATION"},
		{name: "audience", expr: fixed(`T.clients.aud.startChannelMediaRelay(T.cfg(T.src, T.d1))`), code: "INVALID_OPERATION"},
		{name: "host not publishing", expr: fixed(`T.clients.idle.startChannelMediaRelay(T.cfg({channelName: "err-d2", uid: 0}, T.d1))`), code: "INVALID_OPERATION"},
		{name: "no destination", expr: fixed(`T.clients.host.startChannelMediaRelay(T.cfg(T.src))`), code: "INVALID_PARAMS"},
		{name: "more destinations than the limit", expr: fixed(`T.clients.host.startChannelMediaRelay(T.cfg(T.src,
			...["x1", "x2", "x3", "x4", "x5"].map((n) => ({channelName: n, uid: 0}))))`), code: "INVALID_PARAMS"},
		{name: "destination is the source", expr: fixed(`T.clients.host.startChannelMediaRelay(T.cfg(T.src, {channelName: "err-src", uid: 9}))`), code: "INVALID_PARAMS"},
		{name: "bad destination channel name", expr: fixed(`T.cfg(T.src, {channelName: "no/slash", uid: 1})`), code: "INVALID_PARAMS"},
		{name: "source channel is not the caller's", expr: fixed(`T.clients.host.startChannelMediaRelay(T.cfg({channelName: "err-other", uid: 0}, T.d1))`), code: "INVALID_PARAMS"},
		{name: "source uid is not 0 or the caller's", expr: fixed(`T.clients.host.startChannelMediaRelay(T.cfg({channelName: "err-src", uid: 999}, T.d1))`), code: "INVALID_PARAMS"},
		{name: "update before start", expr: fixed(`T.clients.host.updateChannelMediaRelay(T.cfg(T.src, T.d1))`), code: "INVALID_OPERATION"},
		{name: "stop before start", expr: fixed(`T.clients.host.stopChannelMediaRelay()`), code: "INVALID_OPERATION"},
		{name: "source token for another channel", expr: func() string {
			return `T.clients.host.startChannelMediaRelay(T.cfg({channelName: "err-src", uid: 0, token: ` + tok("err-other", 0, token.RolePublisher, 3600) + `}, T.d1))`
		}, code: "CROSS_CHANNEL_FAILED_JOIN_SEC", events: []string{"host channel-media-relay-state RELAY_STATE_FAILURE FAILED_JOIN_SRC err-src"}},
		{name: "start too soon after the previous one", expr: func() string {
			// Two starts at once: whichever of the two is refused, the second is.
			return `T.clients.host.startChannelMediaRelay(T.cfg({channelName: "err-src", uid: 0, token: ` + tok("err-other", 0, token.RolePublisher, 3600) + `}, T.d1))
				.catch(() => {}).then(() => T.clients.host.startChannelMediaRelay(T.cfg(T.src, T.d1)))`
		}, code: "INVALID_OPERATION", events: []string{"host channel-media-relay-event PACKET_UPDATE_DEST_CHANNEL_REFUSED"}},
		{name: "destination token for another uid", wait: 1100, expr: func() string {
			return `T.clients.host.startChannelMediaRelay(T.cfg(T.src, {channelName: "err-d1", uid: 300, token: ` + tok("err-d1", 301, token.RolePublisher, 3600) + `}))`
		}, code: "CROSS_CHANNEL_FAILED_JOIN_DEST", events: []string{"host channel-media-relay-state RELAY_STATE_FAILURE FAILED_JOIN_DEST err-d1"}},
		{name: "destination token without publish privilege", wait: 1100, expr: func() string {
			return `T.clients.host.startChannelMediaRelay(T.cfg(T.src, {channelName: "err-d1", uid: 300, token: ` + tok("err-d1", 300, token.RoleSubscriber, 3600) + `}))`
		}, code: "CROSS_CHANNEL_FAILED_JOIN_DEST"},
		{name: "destination uid in use", wait: 1100, expr: func() string {
			return `T.clients.host.startChannelMediaRelay(T.cfg(T.src, {channelName: "err-d2", uid: 500, token: ` + tok("err-d2", 500, token.RolePublisher, 3600) + `}))`
		}, code: "CROSS_CHANNEL_FAILED_JOIN_DEST", events: []string{"host channel-media-relay-state RELAY_STATE_FAILURE FAILED_JOIN_DEST err-d2"}},
		{name: "a valid start, and a destination change at once", wait: 1100, expr: func() string {
			return `T.clients.host.startChannelMediaRelay(T.cfg(T.src, T.d1)).then(() =>
				T.clients.host.updateChannelMediaRelay(T.cfg(T.src, T.d1, {channelName: "err-d3", uid: 300, token: ` + tok("err-d3", 300, token.RolePublisher, 3600) + `})))`
		}, code: "INVALID_OPERATION", events: []string{"host channel-media-relay-state RELAY_STATE_RUNNING RELAY_OK",
			"host channel-media-relay-event PACKET_UPDATE_DEST_CHANNEL_REFUSED"}},
		{name: "start while running", expr: fixed(`T.clients.host.startChannelMediaRelay(T.cfg(T.src, T.d1))`), code: "INVALID_OPERATION"},
		{name: "update without a change", expr: fixed(`T.clients.host.updateChannelMediaRelay(T.cfg(T.src, T.d1))`),
			code: "ok", events: []string{"host channel-media-relay-event PACKET_UPDATE_DEST_CHANNEL_NOT_CHANGE"}},
		{name: "update renewing tokens only (never too often)", expr: func() string {
			return `T.clients.host.updateChannelMediaRelay(T.cfg(T.src, {channelName: "err-d1", uid: 300, token: ` + tok("err-d1", 300, token.RolePublisher, 3599) + `}))`
		}, code: "ok", events: []string{"host channel-media-relay-event PACKET_UPDATE_DEST_CHANNEL"}},
		{name: "stop", expr: fixed(`T.clients.host.stopChannelMediaRelay()`), code: "ok",
			events: []string{"host channel-media-relay-state RELAY_STATE_IDLE RELAY_OK"}},
		{name: "source token expires", wait: 1100, expr: func() string {
			return `T.clients.host.startChannelMediaRelay(T.cfg({channelName: "err-src", uid: 0, token: ` + tok("err-src", 0, token.RolePublisher, 3) + `}, T.d1))`
		}, code: "ok", events: []string{"host channel-media-relay-state RELAY_STATE_FAILURE SRC_TOKEN_EXPIRED err-src"}},
		{name: "destination token expires", wait: 1100, expr: func() string {
			return `T.clients.host.startChannelMediaRelay(T.cfg(T.src, {channelName: "err-d1", uid: 300, token: ` + tok("err-d1", 300, token.RolePublisher, 3) + `}))`
		}, code: "ok", events: []string{"host channel-media-relay-state RELAY_STATE_FAILURE DEST_TOKEN_EXPIRED err-d1"}},
	}
	for _, c := range cases {
		if c.wait > 0 {
			// Keep to the server's relayMinInterval (1 s) between starts.
			p.run(fmt.Sprintf(`await T.sleep(%d)`, c.wait))
		}
		n0 := p.num(`return T.log.length`)
		got := p.str(fmt.Sprintf(`return T.err(() => %s)`, c.expr())) // expr mints its tokens now
		if got != c.code {
			t.Errorf("%s: got %s, want %s", c.name, got, c.code)
		}
		for _, ev := range c.events {
			p.waitFor(fmt.Sprintf("%s: event %q", c.name, ev), fmt.Sprintf(`T.log.slice(%v).includes(%s)`, n0, jsString(ev)))
		}
	}
}
