package browsertest

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cohost-rtc/cohost/internal/config"
	"github.com/cohost-rtc/cohost/internal/servertest"
)

// stateChanges is the page's log of client's connection-state-change
// events, "cur prev reason" joined by "|".
func stateChanges(p *page, client string) string {
	p.t.Helper()
	prefix := client + " connection-state-change "
	return p.str(`return T.log.filter((l) => l.startsWith(` + jsString(prefix) + `)).map((l) => l.slice(` + jsString(prefix) + `.length)).join("|")`)
}

// userEvents is the page's log of client's events about remote users
// (user-…, subscribed), one a line.
func userEvents(p *page, client string) string {
	p.t.Helper()
	return p.str(`return T.log.filter((l) => l.startsWith(` + jsString(client+" user-") + `) || l.startsWith(` + jsString(client+" subscribed") + `)).join("\n")`)
}

// expireSession makes the server drop the session of the page's client
// as its drop timeout would.
func expireSession(t *testing.T, srv *servertest.Server, p *page, client string) {
	t.Helper()
	id := p.str(`return T.clients.` + client + `._sessionId`)
	if !srv.ExpireSession(id) {
		t.Fatalf("the server holds no session %q of %s", id, client)
	}
}

// logCongestionOnFailure logs the server's media counters if the test
// fails (congestion pauses, PLIs, NACKs, retransmissions, egress drops,
// packets in and out): they tell a failed wait for decoded frames caused
// by the path through the server from one caused by the sender.
func logCongestionOnFailure(t *testing.T, srv *servertest.Server) {
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		resp, err := http.Get(srv.Endpoints().Metrics)
		if err != nil {
			t.Logf("metrics: %v", err)
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "cohost_") && !strings.HasPrefix(l, "cohost_rtm_") {
				t.Logf("server metric: %s", l)
			}
		}
	})
}

// TestRejoinAfterSessionExpired: a publishing, subscribing client whose
// network is down until the server dropped its session joins the channel
// again on its own when the network is back, as Agora's SDK: its app sees
// RECONNECTING → CONNECTED and nothing else, keeps its uid, its
// publications, the remote user and the RemoteTrack it plays (decoding
// again); the other user sees it leave and come back and decodes it again.
// The same when the server ends the session for a missed keep-alive on a
// connection that still works (KEEP_ALIVE_TIMEOUT).
func TestRejoinAfterSessionExpired(t *testing.T) {
	// A drop timeout longer than the test's outage: the session ends
	// when the test expires it, not before.
	srv := servertest.Start(t, func(c *config.Config) { c.Timers.DropTimeout = 20 * time.Second })
	logCongestionOnFailure(t, srv)
	app := jsString(srv.TestAppID)
	a := newPage(t, srv, "a")
	b := newPage(t, srv, "b")
	a.run(`const c = T.newClient("a", {mode: "rtc", codec: "vp8"}, true);
		await c.join(` + app + `, "expiry", null, 11);
		await c.publish([await T.camera("cam"), await T.mic("mic")]);`)
	b.run(`const c = T.newClient("b", {mode: "rtc", codec: "vp8"}, true);
		await c.join(` + app + `, "expiry", null, 22);
		await c.publish([await T.camera("cam")]);`)
	a.waitDecoding("a", 22)
	b.waitDecoding("b", 11)
	before := userEvents(a, "a")
	a.run(`T.keptUser = T.clients.a.remoteUsers[0]; T.keptTrack = T.keptUser.videoTrack; T.oldMst = T.keptTrack.getMediaStreamTrack();`)

	// The first expiry: the network goes down, the server drops the
	// session meanwhile, the network comes back (resume refused with
	// SESSION_EXPIRED). The second: the server drops the session while
	// the connection works (disconnect KEEP_ALIVE_TIMEOUT).
	for round, offline := range []bool{true, false} {
		n := round + 1
		a.run(`T.oldMst = T.keptTrack.getMediaStreamTrack()`)
		if offline {
			a.run(`T.setOffline(true)`)
			a.waitFor("RECONNECTING", `T.count("a connection-state-change RECONNECTING CONNECTED") === 1`)
		}
		expireSession(t, srv, a, "a")
		b.waitFor("a dropped", `T.count("b user-left 11 ServerTimeOut") === `+strconv.Itoa(n))
		if offline {
			a.run(`T.setOffline(false)`)
		}
		a.waitFor("back in the channel", `T.count("a connection-state-change CONNECTED RECONNECTING") === `+strconv.Itoa(n))
		b.waitFor("a back", `T.count("b subscribed 11 video") === `+strconv.Itoa(n+1))
		b.waitDecoding("b", 11)
		a.waitFor("the kept track renewed", `T.keptTrack.getMediaStreamTrack() !== T.oldMst && T.keptTrack.getMediaStreamTrack().readyState === "live"`)
		a.waitDecoding("a", 22)
	}

	want := "CONNECTING DISCONNECTED|CONNECTED CONNECTING" + strings.Repeat("|RECONNECTING CONNECTED|CONNECTED RECONNECTING", 2)
	if got := stateChanges(a, "a"); got != want {
		t.Errorf("a's connection states:\n%s\nwant\n%s", got, want)
	}
	if got := userEvents(a, "a"); got != before {
		t.Errorf("a's events about the remote user after the rejoins:\n%s\nwant only those before:\n%s", got, before)
	}
	if got := a.str(`const c = T.clients.a, u = c.remoteUsers[0];
		const v = document.querySelector("#a-22 video");
		return [c.uid, c.localTracks.map((t) => t.trackMediaType).sort().join(","), c.remoteUsers.length,
			u === T.keptUser, u.videoTrack === T.keptTrack, T.keptTrack.isPlaying,
			!!v && v.srcObject.getVideoTracks()[0] === T.keptTrack.getMediaStreamTrack()].join(" ")`); got != "11 audio,video 1 true true true true" {
		t.Errorf("a after the rejoins (uid, published, remote users, same user, same track, playing, player on the new media): %s", got)
	}
	if n := b.num(`return T.count("b user-joined 11")`); n != 3 {
		t.Errorf("b saw a join %v times, want 3 (the join and two rejoins)", n)
	}
	a.waitFor("the player showing frames", `document.querySelector("#a-22 video").videoWidth > 0`)
}

// TestRejoinGivesUp: a client that cannot get back into its channel
// within its reconnect timeout (Agora's 20 minutes, shortened here) gives
// up: RECONNECTING → DISCONNECTED (NETWORK_ERROR), as Agora's SDK.
func TestRejoinGivesUp(t *testing.T) {
	srv := servertest.Start(t)
	app := jsString(srv.TestAppID)
	a := newPage(t, srv, "a")
	a.run(`const c = T.newClient("a", {mode: "live", codec: "vp8", role: "host"});
		await c.join(` + app + `, "giveup", null, 11);
		await c.publish([await T.camera("cam")]);
		c._reconnectTimeoutMs = 5000;
		T.setOffline(true);`)
	a.waitEvent("a connection-state-change RECONNECTING CONNECTED")
	a.waitEvent("a connection-state-change DISCONNECTED RECONNECTING NETWORK_ERROR")
	a.run(`T.setOffline(false)`)
	if got := a.str(`const c = T.clients.a; return [c.connectionState, c.localTracks.length, c.remoteUsers.length].join(" ")`); got != "DISCONNECTED 0 0" {
		t.Errorf("after giving up (state, published, remote users): %s", got)
	}
}

// TestRejoinAfterDropTimeoutPassed: a client whose network stays down
// past the server's drop timeout no longer resumes: it joins the channel
// again with the same uid and publications when the network is back
// (RECONNECTING → CONNECTED), keeping the remote user it plays.
func TestRejoinAfterDropTimeoutPassed(t *testing.T) {
	srv := servertest.Start(t)
	logCongestionOnFailure(t, srv)
	app := jsString(srv.TestAppID)
	a := newPage(t, srv, "a")
	b := newPage(t, srv, "b")
	a.run(`const c = T.newClient("a", {mode: "rtc", codec: "vp8"}, true);
		await c.join(` + app + `, "late", null, 11);
		await c.publish([await T.camera("cam")]);`)
	b.run(`const c = T.newClient("b", {mode: "rtc", codec: "vp8"}, true);
		await c.join(` + app + `, "late", null, 22);
		await c.publish([await T.camera("cam")]);`)
	a.waitDecoding("a", 22)
	b.waitDecoding("b", 11)
	before := userEvents(a, "a")
	a.run(`T.keptTrack = T.clients.a.remoteUsers[0].videoTrack; T.oldMst = T.keptTrack.getMediaStreamTrack(); T.setOffline(true);`)
	a.waitEvent("a connection-state-change RECONNECTING CONNECTED")
	// The client gives the session up once the drop timeout has passed.
	a.waitFor("the session given up", `T.clients.a._expired`)
	a.run(`T.setOffline(false)`)
	a.waitEvent("a connection-state-change CONNECTED RECONNECTING")
	b.waitFor("a back", `T.count("b subscribed 11 video") === 2`)
	b.waitDecoding("b", 11)
	a.waitFor("the kept track renewed", `T.keptTrack.getMediaStreamTrack() !== T.oldMst`)
	a.waitDecoding("a", 22)
	if got, want := stateChanges(a, "a"), "CONNECTING DISCONNECTED|CONNECTED CONNECTING|RECONNECTING CONNECTED|CONNECTED RECONNECTING"; got != want {
		t.Errorf("a's connection states: %s, want %s", got, want)
	}
	if got := userEvents(a, "a"); got != before {
		t.Errorf("a's events about the remote user after the rejoin:\n%s\nwant only those before:\n%s", got, before)
	}
	if got := a.str(`return [T.clients.a.uid, T.clients.a.localTracks.length].join(" ")`); got != "11 1" {
		t.Errorf("a after the rejoin (uid, published tracks): %s", got)
	}
}
