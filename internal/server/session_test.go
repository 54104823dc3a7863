package server_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/cohost-rtc/cohost/internal/config"
	"github.com/cohost-rtc/cohost/internal/servertest"
	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/token"
)

func liveJoin(app string, uid protocol.UID, role protocol.ClientRole, tok string) protocol.JoinRequest {
	return protocol.JoinRequest{AppID: app, Channel: "live", UID: uid, Role: role, Token: tok, Profile: protocol.ProfileLiveBroadcasting}
}

func TestAudienceIsInvisibleAndRoleSwitchesAreAnnounced(t *testing.T) {
	srv := servertest.Start(t)
	host := dialRaw(t, srv.WSURL())
	host.join(liveJoin(srv.TestAppID, 1, protocol.RoleBroadcaster, ""))
	a1 := dialRaw(t, srv.WSURL())
	a1.join(liveJoin(srv.TestAppID, 2, protocol.RoleAudience, ""))
	// The audience member learns about the host on join.
	if j := decodeData[protocol.UserJoinedEvent](t, a1.nextEvent(protocol.EventUserJoined, 10*time.Second)); j.UID != 1 {
		t.Fatalf("audience saw user-joined %+v, want the host", j)
	}
	a2 := dialRaw(t, srv.WSURL())
	a2.join(liveJoin(srv.TestAppID, 3, protocol.RoleAudience, ""))
	a2.nextEvent(protocol.EventUserJoined, 10*time.Second)
	// Nobody hears of audience members.
	host.noEvent(protocol.EventUserJoined, 300*time.Millisecond)
	a1.noEvent(protocol.EventUserJoined, 100*time.Millisecond)

	// Audience cannot publish.
	wantError(t, a1.request(protocol.TypePublish, protocol.PublishRequest{SDP: "v=0", Tracks: []protocol.TrackInfo{{MID: "0", MediaType: protocol.MediaAudio}}}), protocol.ErrRefused)

	// audience → host: everyone else sees user-joined.
	r := decodeData[protocol.SetRoleResponse](t, mustOK(t, a1.request(protocol.TypeSetRole, protocol.SetRoleRequest{Role: protocol.RoleBroadcaster})))
	if r.Old != protocol.RoleAudience || r.New != protocol.RoleBroadcaster {
		t.Fatalf("set-role response %+v", r)
	}
	for _, c := range []*rawClient{host, a2} {
		if j := decodeData[protocol.UserJoinedEvent](t, c.nextEvent(protocol.EventUserJoined, 10*time.Second)); j.UID != 2 {
			t.Fatalf("user-joined %+v, want uid 2", j)
		}
	}
	// host → audience: everyone else sees user-left(BecomeAudience).
	mustOK(t, a1.request(protocol.TypeSetRole, protocol.SetRoleRequest{Role: protocol.RoleAudience}))
	for _, c := range []*rawClient{host, a2} {
		l := decodeData[protocol.UserLeftEvent](t, c.nextEvent(protocol.EventUserLeft, 10*time.Second))
		if l.UID != 2 || l.Reason != protocol.OfflineBecomeAudience {
			t.Fatalf("user-left %+v, want uid 2 BECOME_AUDIENCE", l)
		}
	}
	// An audience member leaving is not announced; a host leaving is (Quit).
	mustOK(t, a2.request(protocol.TypeLeave, nil))
	host.noEvent(protocol.EventUserLeft, 300*time.Millisecond)
	mustOK(t, host.request(protocol.TypeLeave, nil))
	if l := decodeData[protocol.UserLeftEvent](t, a1.nextEvent(protocol.EventUserLeft, 10*time.Second)); l.UID != 1 || l.Reason != protocol.OfflineQuit {
		t.Fatalf("user-left %+v, want uid 1 QUIT", l)
	}
}

func TestCommunicationProfileMakesEveryoneAHost(t *testing.T) {
	srv := servertest.Start(t)
	a := dialRaw(t, srv.WSURL())
	ra := a.join(protocol.JoinRequest{AppID: srv.TestAppID, Channel: "call", UID: 1, Role: protocol.RoleAudience, Profile: protocol.ProfileCommunication})
	if ra.Role != protocol.RoleBroadcaster || ra.Profile != protocol.ProfileCommunication {
		t.Fatalf("join response %+v", ra)
	}
	b := dialRaw(t, srv.WSURL())
	b.join(protocol.JoinRequest{AppID: srv.TestAppID, Channel: "call", UID: 2, Profile: protocol.ProfileCommunication})
	if j := decodeData[protocol.UserJoinedEvent](t, a.nextEvent(protocol.EventUserJoined, 10*time.Second)); j.UID != 2 {
		t.Fatalf("user-joined %+v", j)
	}
	// A live join into a communication channel is refused.
	c := dialRaw(t, srv.WSURL())
	wantError(t, c.request(protocol.TypeJoin, protocol.JoinRequest{Version: 1, AppID: srv.TestAppID, Channel: "call", UID: 3, Profile: protocol.ProfileLiveBroadcasting}), protocol.ErrInvalidArgument)
}

func TestCohostAuthentication(t *testing.T) {
	srv := servertest.Start(t)
	sub := srv.Token(t, "live", 5, token.RoleSubscriber, 600)
	pub := srv.Token(t, "live", 5, token.RolePublisher, 600)

	// Joining as host with a subscriber token gives audience and a typed reason.
	c := dialRaw(t, srv.WSURL())
	resp := c.join(liveJoin(srv.AppID, 5, protocol.RoleBroadcaster, sub))
	if resp.Role != protocol.RoleAudience || resp.RoleError == nil || resp.RoleError.Code != protocol.ErrSetClientRoleNotAuth ||
		protocol.ClientRoleChangeFailedReason(resp.RoleError.Reason) != protocol.RoleChangeFailedNotAuthorized {
		t.Fatalf("join response %+v (role error %+v)", resp, resp.RoleError)
	}
	e := wantError(t, c.request(protocol.TypeSetRole, protocol.SetRoleRequest{Role: protocol.RoleBroadcaster}), protocol.ErrSetClientRoleNotAuth)
	if protocol.ClientRoleChangeFailedReason(e.Reason) != protocol.RoleChangeFailedNotAuthorized {
		t.Fatalf("reason %d, want NOT_AUTHORIZED", e.Reason)
	}
	// A token for another uid cannot be renewed into the session.
	wantError(t, c.request(protocol.TypeRenewToken, protocol.RenewTokenRequest{Token: srv.Token(t, "live", 6, token.RolePublisher, 600)}), protocol.ErrInvalidToken)
	// With a publisher token renewed in place, the switch succeeds.
	mustOK(t, c.request(protocol.TypeRenewToken, protocol.RenewTokenRequest{Token: pub}))
	mustOK(t, c.request(protocol.TypeSetRole, protocol.SetRoleRequest{Role: protocol.RoleBroadcaster}))
}

func TestSameUIDKicksTheEarlierSession(t *testing.T) {
	srv := servertest.Start(t)
	watcher := dialRaw(t, srv.WSURL())
	watcher.join(liveJoin(srv.TestAppID, 9, protocol.RoleAudience, ""))
	first := dialRaw(t, srv.WSURL())
	first.join(liveJoin(srv.TestAppID, 1, protocol.RoleBroadcaster, ""))
	watcher.nextEvent(protocol.EventUserJoined, 10*time.Second)
	second := dialRaw(t, srv.WSURL())
	second.join(liveJoin(srv.TestAppID, 1, protocol.RoleBroadcaster, ""))
	d := decodeData[protocol.DisconnectEvent](t, first.nextEvent(protocol.EventDisconnect, 10*time.Second))
	if d.Reason != protocol.ReasonSameUIDLogin {
		t.Fatalf("disconnect reason %v, want SAME_UID_LOGIN", d.Reason)
	}
	select {
	case <-first.closed:
	case <-time.After(10 * time.Second):
		t.Fatal("kicked connection stayed open")
	}
	// Others see the old session go and the new one come.
	watcher.nextEvent(protocol.EventUserLeft, 10*time.Second)
	if j := decodeData[protocol.UserJoinedEvent](t, watcher.nextEvent(protocol.EventUserJoined, 10*time.Second)); j.UID != 1 {
		t.Fatalf("user-joined %+v", j)
	}
	mustOK(t, second.request(protocol.TypePing, nil))
}

func TestTokenExpiry(t *testing.T) {
	srv := servertest.Start(t, func(c *config.Config) { c.Timers.TokenWarning = 2 * time.Second })
	// Join privilege valid 4 s, publish privileges 3 s.
	tok, err := token.BuildRTCWithPrivileges(srv.AppID, srv.Certificate, "live", "4", 4, 4, 3, 3, 3)
	if err != nil {
		t.Fatal(err)
	}
	c := dialRaw(t, srv.WSURL())
	stop := make(chan struct{})
	defer close(stop)
	c.keepAlive(200*time.Millisecond, stop)
	c.join(liveJoin(srv.AppID, 4, protocol.RoleBroadcaster, tok))
	w := decodeData[protocol.TokenExpiryEvent](t, c.nextEvent(protocol.EventTokenWillExpire, 10*time.Second))
	if len(w.Privileges) == 0 {
		t.Fatalf("token-will-expire names no privilege: %+v", w)
	}
	x := decodeData[protocol.TokenExpiryEvent](t, c.nextEvent(protocol.EventTokenExpired, 10*time.Second))
	if strings.Join(x.Privileges, ",") != protocol.PrivPublishAudio+","+protocol.PrivPublishVideo+","+protocol.PrivPublishData {
		t.Fatalf("first expiry %+v, want the publish privileges", x)
	}
	x = decodeData[protocol.TokenExpiryEvent](t, c.nextEvent(protocol.EventTokenExpired, 10*time.Second))
	if strings.Join(x.Privileges, ",") != protocol.PrivJoin {
		t.Fatalf("second expiry %+v, want joinChannel", x)
	}
	d := decodeData[protocol.DisconnectEvent](t, c.nextEvent(protocol.EventDisconnect, 10*time.Second))
	if d.Reason != protocol.ReasonTokenExpired {
		t.Fatalf("disconnect %+v, want TOKEN_EXPIRED", d)
	}
}

func TestVanishedClientIsDroppedAfterTimeout(t *testing.T) {
	srv := servertest.Start(t, func(c *config.Config) { c.Timers.DropTimeout = 1500 * time.Millisecond })
	watcher := dialRaw(t, srv.WSURL())
	stop := make(chan struct{})
	defer close(stop)
	watcher.keepAlive(200*time.Millisecond, stop)
	watcher.join(liveJoin(srv.TestAppID, 2, protocol.RoleAudience, ""))
	ghost := dialRaw(t, srv.WSURL())
	ghost.join(liveJoin(srv.TestAppID, 1, protocol.RoleBroadcaster, ""))
	watcher.nextEvent(protocol.EventUserJoined, 10*time.Second)
	start := time.Now()
	// The ghost keeps its TCP connection but sends nothing more.
	l := decodeData[protocol.UserLeftEvent](t, watcher.nextEvent(protocol.EventUserLeft, 20*time.Second))
	if l.UID != 1 || l.Reason != protocol.OfflineDropped {
		t.Fatalf("user-left %+v, want uid 1 DROPPED", l)
	}
	if waited := time.Since(start); waited < time.Second {
		t.Fatalf("dropped after %v, before the 1.5 s timeout", waited)
	}
	d := decodeData[protocol.DisconnectEvent](t, ghost.nextEvent(protocol.EventDisconnect, 10*time.Second))
	if d.Reason != protocol.ReasonKeepAliveTimeout {
		t.Fatalf("disconnect %+v", d)
	}
}

func TestResumeKeepsTheSessionUnseen(t *testing.T) {
	srv := servertest.Start(t)
	watcher := dialRaw(t, srv.WSURL())
	stop := make(chan struct{})
	defer close(stop)
	watcher.keepAlive(200*time.Millisecond, stop)
	watcher.join(liveJoin(srv.TestAppID, 2, protocol.RoleAudience, ""))
	a := dialRaw(t, srv.WSURL())
	resp := a.join(liveJoin(srv.TestAppID, 1, protocol.RoleBroadcaster, ""))
	watcher.nextEvent(protocol.EventUserJoined, 10*time.Second)
	_ = a.ws.CloseNow() // the network drops
	<-a.closed
	last := a.lastSeq()
	// Meanwhile another host joins: the resumed client must hear of it,
	// whether or not the server saw the old connection break first.
	other := dialRaw(t, srv.WSURL())
	other.keepAlive(200*time.Millisecond, stop)
	other.join(liveJoin(srv.TestAppID, 3, protocol.RoleBroadcaster, ""))
	b := dialRaw(t, srv.WSURL())
	r := decodeData[protocol.JoinResponse](t, mustOK(t, b.request(protocol.TypeResume, protocol.ResumeRequest{Version: protocol.Version, SessionID: resp.SessionID, LastSeq: &last})))
	if r.UID != 1 || r.Role != protocol.RoleBroadcaster {
		t.Fatalf("resume response %+v", r)
	}
	b.keepAlive(200*time.Millisecond, stop)
	if j := decodeData[protocol.UserJoinedEvent](t, b.nextEvent(protocol.EventUserJoined, 10*time.Second)); j.UID != 3 {
		t.Fatalf("queued user-joined %+v, want uid 3", j)
	}
	watcher.noEvent(protocol.EventUserLeft, 2*srv.Config.Timers.DropTimeout)
	// A resume of an unknown session is refused with SESSION_EXPIRED.
	x := dialRaw(t, srv.WSURL())
	var none uint64
	e := wantError(t, x.request(protocol.TypeResume, protocol.ResumeRequest{Version: protocol.Version, SessionID: "nope", LastSeq: &none}), protocol.ErrNotInChannel)
	if protocol.ConnectionChangedReason(e.Reason) != protocol.ReasonSessionExpired {
		t.Fatalf("reason %d", e.Reason)
	}
}

// TestResumeBeforeTheServerSawTheDrop: the network drops a connection
// silently, so the server still writes events to it; the client, on a new
// connection, resumes from the last event it handled and gets the event it
// lost. A resume that does not say which event it handled last is refused:
// the server could not know that this event was lost.
func TestResumeBeforeTheServerSawTheDrop(t *testing.T) {
	srv := servertest.Start(t)
	stop := make(chan struct{})
	defer close(stop)
	a := dialRaw(t, srv.WSURL())
	resp := a.join(liveJoin(srv.TestAppID, 1, protocol.RoleBroadcaster, ""))
	other := dialRaw(t, srv.WSURL())
	other.keepAlive(200*time.Millisecond, stop)
	other.join(liveJoin(srv.TestAppID, 3, protocol.RoleBroadcaster, ""))
	// The server wrote user-joined to the old connection, which it still
	// thinks alive; the client never got it.
	lost := a.nextEvent(protocol.EventUserJoined, 10*time.Second)
	handled := lost.Seq - 1

	b := dialRaw(t, srv.WSURL())
	e := wantError(t, b.request(protocol.TypeResume, protocol.ResumeRequest{Version: protocol.Version, SessionID: resp.SessionID}), protocol.ErrInvalidArgument)
	if !strings.Contains(e.Message, "lastSeq") {
		t.Fatalf("refusal %q does not name lastSeq", e.Message)
	}
	mustOK(t, b.request(protocol.TypeResume, protocol.ResumeRequest{Version: protocol.Version, SessionID: resp.SessionID, LastSeq: &handled}))
	b.keepAlive(200*time.Millisecond, stop)
	ev := b.nextEvent(protocol.EventUserJoined, 10*time.Second)
	if j := decodeData[protocol.UserJoinedEvent](t, ev); j.UID != 3 || ev.Seq != lost.Seq {
		t.Fatalf("replayed user-joined %+v seq %d, want uid 3 seq %d", j, ev.Seq, lost.Seq)
	}
	// The old connection is closed, normally, once the session moved.
	select {
	case <-a.closed:
	case <-time.After(20 * time.Second):
		t.Fatal("the old connection stayed open after the resume")
	}
	if a.status != websocket.StatusNormalClosure {
		t.Fatalf("old connection closed with %v, want a normal closure", a.status)
	}
}

func TestShutdownTellsClientsWhy(t *testing.T) {
	cfg := config.Default()
	cfg.Listen, cfg.MediaPort, cfg.DataDir = "127.0.0.1:0", 0, t.TempDir()
	cfg.Apps = []config.App{{ID: servertest.TestAppID}}
	srv := mustNew(t, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()
	c := dialRaw(t, "ws://"+srv.HTTPAddr().String()+protocol.SignalPath)
	c.join(liveJoin(servertest.TestAppID, 1, protocol.RoleBroadcaster, ""))
	cancel()
	d := decodeData[protocol.DisconnectEvent](t, c.nextEvent(protocol.EventDisconnect, 10*time.Second))
	if d.Reason != protocol.ReasonServerShutdown {
		t.Fatalf("disconnect %+v", d)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Serve did not return")
	}
}

func TestHTTPEndpoints(t *testing.T) {
	srv := servertest.Start(t)
	get := func(path string) (int, string) {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("/healthz"); code != 200 || body != "ok\n" {
		t.Fatalf("/healthz: %d %q", code, body)
	}
	if code, body := get("/metrics"); code != 200 || !strings.Contains(body, "cohost_rtp_packets_out_total") || !strings.Contains(body, `cohost_users{role="host"}`) {
		t.Fatalf("/metrics: %d %.300s", code, body)
	}
	// What the media port's reader drops from subscribers is counted, by reason.
	_, body := get("/metrics")
	for _, want := range []string{`cohost_media_port_dropped_total{reason="bad_srtp"} 0`, `cohost_media_port_dropped_total{reason="bad_stun"} 0`,
		`cohost_media_port_dropped_total{reason="malformed"} 0`, `cohost_dtls_handshakes_failed_total{reason="timeout"} 0`, `cohost_ice_candidates_filtered_total 0`} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	code, body := get("/v1/dev/token?channel=demo&uid=42")
	if code != 200 {
		t.Fatalf("/v1/dev/token: %d %s", code, body)
	}
	if code, _ := get("/v1/dev/token?channel=demo&uid=-1"); code != 400 {
		t.Fatalf("bad uid: %d", code)
	}
	if !strings.Contains(body, `"token":"007`) {
		t.Fatalf("dev token: %s", body)
	}
	code, body = get("/v1/dev/token?channel=demo&uid=42&admin=true")
	var dt struct{ Token string }
	if code != 200 || json.Unmarshal([]byte(body), &dt) != nil {
		t.Fatalf("admin dev token: %d %s", code, body)
	}
	at, err := token.Parse(dt.Token)
	if err != nil {
		t.Fatal(err)
	}
	if svc, ok := at.Service(token.ServiceRTC); !ok || svc.Privileges[token.PrivAdministrateChannel] == 0 {
		t.Fatalf("admin dev token lacks administrateChannel: %+v", at.Services)
	}
	if code, body := get("/v1/dev/token?service=rtm&userId=alice"); code != 200 || !strings.Contains(body, `"userId":"alice"`) {
		t.Fatalf("rtm dev token: %d %s", code, body)
	}
}

func TestResumeReplaysEventsAfterLastSeq(t *testing.T) {
	srv := servertest.Start(t)
	stop := make(chan struct{})
	defer close(stop)
	a := dialRaw(t, srv.WSURL())
	resp := a.join(liveJoin(srv.TestAppID, 1, protocol.RoleAudience, ""))
	var seqs []uint64
	for _, uid := range []protocol.UID{2, 3, 4} {
		h := dialRaw(t, srv.WSURL())
		h.keepAlive(200*time.Millisecond, stop)
		h.join(liveJoin(srv.TestAppID, uid, protocol.RoleBroadcaster, ""))
		ev := a.nextEvent(protocol.EventUserJoined, 10*time.Second)
		seqs = append(seqs, ev.Seq)
	}
	if seqs[0] == 0 || seqs[1] != seqs[0]+1 || seqs[2] != seqs[1]+1 {
		t.Fatalf("event seqs %v, want consecutive from 1", seqs)
	}
	_ = a.ws.CloseNow()
	<-a.closed
	// The client says it saw only the first user-joined: the other two come again.
	b := dialRaw(t, srv.WSURL())
	last := seqs[0]
	mustOK(t, b.request(protocol.TypeResume, protocol.ResumeRequest{Version: protocol.Version, SessionID: resp.SessionID, LastSeq: &last}))
	for _, want := range []protocol.UID{3, 4} {
		ev := b.nextEvent(protocol.EventUserJoined, 10*time.Second)
		if j := decodeData[protocol.UserJoinedEvent](t, ev); j.UID != want || ev.Seq != seqs[want-2] {
			t.Fatalf("replayed %+v seq %d, want uid %d seq %d", j, ev.Seq, want, seqs[want-2])
		}
	}
	// A resume naming a seq the server never sent is refused.
	_ = b.ws.CloseNow()
	<-b.closed
	c := dialRaw(t, srv.WSURL())
	future := seqs[2] + 100
	e := wantError(t, c.request(protocol.TypeResume, protocol.ResumeRequest{Version: protocol.Version, SessionID: resp.SessionID, LastSeq: &future}), protocol.ErrNotInChannel)
	if protocol.ConnectionChangedReason(e.Reason) != protocol.ReasonSessionExpired {
		t.Fatalf("reason %d", e.Reason)
	}
}

func TestRTMMessagesInMetrics(t *testing.T) {
	srv := servertest.Start(t)
	reg := srv.Metrics()
	reg.PeerMessage(protocol.RTMPeerMessageOK, 3*time.Millisecond)
	reg.PeerMessage(protocol.RTMPeerMessagePeerUnreachable, 0)
	reg.ChannelMessage()
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, want := range []string{`cohost_rtm_peer_messages_total{result="OK"} 1`, `cohost_rtm_peer_messages_total{result="PEER_UNREACHABLE"} 1`,
		"cohost_rtm_channel_messages_total 1", "cohost_rtm_peer_message_seconds_count 1"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}
