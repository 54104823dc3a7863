package server_test

import (
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/cohost-rtc/cohost/internal/config"
	"github.com/cohost-rtc/cohost/internal/servertest"
	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/token"
)

func TestJoinValidation(t *testing.T) {
	srv := servertest.Start(t)
	good := srv.Token(t, "room", 7, token.RolePublisher, 600)
	expired, err := (&token.AccessToken{AppID: srv.AppID, IssueTs: uint32(time.Now().Add(-2 * time.Hour).Unix()), Expire: 600, Salt: 1,
		Services: []token.Service{{Type: token.ServiceRTC, Channel: "room", UID: "7", Privileges: map[token.Privilege]uint32{token.PrivJoinChannel: 600}}}}).Build(srv.Certificate)
	if err != nil {
		t.Fatal(err)
	}
	otherCert, _ := token.BuildRTCWithUID(srv.AppID, "00000000000000000000000000000000", "room", 7, token.RolePublisher, 600, 600)
	cases := []struct {
		name string
		req  protocol.JoinRequest
		code protocol.ErrorCode
	}{
		{"unknown app", protocol.JoinRequest{AppID: "ffffffffffffffffffffffffffffffff", Channel: "room"}, protocol.ErrInvalidAppID},
		{"empty channel", protocol.JoinRequest{AppID: srv.TestAppID, Channel: ""}, protocol.ErrInvalidChannelName},
		{"channel of 65 bytes", protocol.JoinRequest{AppID: srv.TestAppID, Channel: protocol.ChannelName(strings.Repeat("a", 65))}, protocol.ErrInvalidChannelName},
		{"channel with slash", protocol.JoinRequest{AppID: srv.TestAppID, Channel: "a/b"}, protocol.ErrInvalidChannelName},
		{"channel with non-ASCII", protocol.JoinRequest{AppID: srv.TestAppID, Channel: "caf\u00e9"}, protocol.ErrInvalidChannelName},
		{"uid and account", protocol.JoinRequest{AppID: srv.TestAppID, Channel: "room", UID: 3, Account: "bob"}, protocol.ErrInvalidArgument},
		{"bad account", protocol.JoinRequest{AppID: srv.TestAppID, Channel: "room", Account: "a\tb"}, protocol.ErrInvalidUserID},
		{"unknown role", protocol.JoinRequest{AppID: srv.TestAppID, Channel: "room", Role: 9}, protocol.ErrInvalidArgument},
		{"unknown profile", protocol.JoinRequest{AppID: srv.TestAppID, Channel: "room", Profile: 7}, protocol.ErrInvalidArgument},
		{"unknown codec", protocol.JoinRequest{AppID: srv.TestAppID, Channel: "room", Codecs: []protocol.Codec{"av2"}}, protocol.ErrInvalidArgument},
		{"missing token", protocol.JoinRequest{AppID: srv.AppID, Channel: "room", UID: 7}, protocol.ErrInvalidToken},
		{"garbage token", protocol.JoinRequest{AppID: srv.AppID, Channel: "room", UID: 7, Token: "007garbage"}, protocol.ErrInvalidToken},
		{"token of another certificate", protocol.JoinRequest{AppID: srv.AppID, Channel: "room", UID: 7, Token: otherCert}, protocol.ErrInvalidToken},
		{"token for another channel", protocol.JoinRequest{AppID: srv.AppID, Channel: "other", UID: 7, Token: good}, protocol.ErrInvalidToken},
		{"token for another uid", protocol.JoinRequest{AppID: srv.AppID, Channel: "room", UID: 8, Token: good}, protocol.ErrInvalidToken},
		{"expired token", protocol.JoinRequest{AppID: srv.AppID, Channel: "room", UID: 7, Token: expired}, protocol.ErrTokenExpired},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := dialRaw(t, srv.WSURL())
			tc.req.Version = protocol.Version
			wantError(t, c.request(protocol.TypeJoin, tc.req), tc.code)
		})
	}
	t.Run("old protocol version", func(t *testing.T) {
		c := dialRaw(t, srv.WSURL())
		wantError(t, c.request(protocol.TypeJoin, protocol.JoinRequest{Version: 99, AppID: srv.TestAppID, Channel: "room"}), protocol.ErrNotSupported)
	})
	t.Run("valid token joins with its uid", func(t *testing.T) {
		c := dialRaw(t, srv.WSURL())
		resp := c.join(protocol.JoinRequest{AppID: srv.AppID, Channel: "room", UID: 7, Token: good, Role: protocol.RoleBroadcaster, Profile: protocol.ProfileLiveBroadcasting})
		if resp.UID != 7 || resp.Role != protocol.RoleBroadcaster || resp.RoleError != nil {
			t.Fatalf("join response %+v", resp)
		}
	})
	t.Run("testing mode accepts a null token and assigns a uid", func(t *testing.T) {
		c := dialRaw(t, srv.WSURL())
		resp := c.join(protocol.JoinRequest{AppID: srv.TestAppID, Channel: "room", Profile: protocol.ProfileLiveBroadcasting})
		if resp.UID == 0 || resp.Role != protocol.RoleAudience || resp.SessionID == "" {
			t.Fatalf("join response %+v", resp)
		}
	})
}

func TestMalformedMessagesLeaveOthersUnaffected(t *testing.T) {
	srv := servertest.Start(t, func(c *config.Config) { c.Limits.MaxMessageBytes = 4096 })
	host := dialRaw(t, srv.WSURL())
	stop := make(chan struct{})
	defer close(stop)
	host.keepAlive(200*time.Millisecond, stop)
	host.join(protocol.JoinRequest{AppID: srv.TestAppID, Channel: "m", UID: 1, Role: protocol.RoleBroadcaster, Profile: protocol.ProfileLiveBroadcasting})

	bad := dialRaw(t, srv.WSURL())
	// Before join: requests that need a channel are refused, unknown ones too.
	wantError(t, bad.request(protocol.TypePublish, protocol.PublishRequest{SDP: "x"}), protocol.ErrNotInChannel)
	wantError(t, bad.request(protocol.TypeAnswer, protocol.AnswerRequest{SDP: "x"}), protocol.ErrNotInChannel)
	wantError(t, bad.request("frobnicate", nil), protocol.ErrUnknownMessage)
	bad.join(protocol.JoinRequest{AppID: srv.TestAppID, Channel: "m", UID: 2, Role: protocol.RoleBroadcaster, Profile: protocol.ProfileLiveBroadcasting})
	host.nextEvent(protocol.EventUserJoined, 10*time.Second)

	// Garbage and wrong shapes get typed errors; the connection stays.
	bad.sendRaw([]byte("{not json"))
	if ev := bad.nextEvent(protocol.TypeResponse, 10*time.Second); ev.Error == nil || ev.Error.Code != protocol.ErrMalformedMessage {
		t.Fatalf("garbage: got %+v", ev)
	}
	bad.sendRaw([]byte(`{"type":"ping"}`))
	if ev := bad.nextEvent(protocol.TypeResponse, 10*time.Second); ev.Error == nil || ev.Error.Code != protocol.ErrMalformedMessage {
		t.Fatalf("request without id: got %+v", ev)
	}
	wantError(t, bad.request(protocol.TypeSetRole, "host"), protocol.ErrInvalidArgument)
	wantError(t, bad.request(protocol.TypeSetRole, protocol.SetRoleRequest{Role: 5}), protocol.ErrInvalidArgument)
	wantError(t, bad.request(protocol.TypeJoin, protocol.JoinRequest{Version: 1, AppID: srv.TestAppID, Channel: "m"}), protocol.ErrJoinChannelRejected)
	wantError(t, bad.request(protocol.TypeAnswer, protocol.AnswerRequest{SDP: "v=0"}), protocol.ErrInvalidState)
	wantError(t, bad.request(protocol.TypeMute, protocol.MuteRequest{MediaType: protocol.MediaAudio, Muted: true}), protocol.ErrInvalidState)
	wantError(t, bad.request(protocol.TypeMute, protocol.MuteRequest{MediaType: "smell"}), protocol.ErrInvalidArgument)
	wantError(t, bad.request(protocol.TypeSubscribe, protocol.SubscribeRequest{UID: 1, MediaType: protocol.MediaVideo}), protocol.ErrInvalidArgument)
	wantError(t, bad.request(protocol.TypeSubscribe, protocol.SubscribeRequest{UID: 99, MediaType: protocol.MediaVideo}), protocol.ErrInvalidArgument)
	wantError(t, bad.request(protocol.TypePublish, protocol.PublishRequest{SDP: "not sdp", Tracks: []protocol.TrackInfo{{MID: "0", MediaType: protocol.MediaAudio}}}), protocol.ErrInvalidArgument)
	wantError(t, bad.request(protocol.TypePublish, protocol.PublishRequest{SDP: "v=0", Tracks: []protocol.TrackInfo{{MID: "0", MediaType: protocol.MediaAudio}, {MID: "1", MediaType: protocol.MediaAudio}}}), protocol.ErrInvalidArgument)
	wantError(t, bad.request(protocol.TypePublish, protocol.PublishRequest{SDP: "v=0", Tracks: []protocol.TrackInfo{{MID: "0", MediaType: "smell"}}}), protocol.ErrInvalidArgument)

	// An oversized frame closes only that connection, with 1009.
	bad.sendRaw([]byte(`{"id":77,"type":"ping","data":"` + strings.Repeat("x", 8000) + `"}`))
	select {
	case <-bad.closed:
		if bad.status != websocket.StatusMessageTooBig {
			t.Fatalf("oversized frame: close status %v, want %v", bad.status, websocket.StatusMessageTooBig)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("oversized frame did not close the connection")
	}
	// The host is unaffected and still served.
	mustOK(t, host.request(protocol.TypePing, nil))
	// The broken client never resumes: after the drop timeout the host sees
	// it leave with reason DROPPED.
	left := decodeData[protocol.UserLeftEvent](t, host.nextEvent(protocol.EventUserLeft, 20*time.Second))
	if left.UID != 2 || left.Reason != protocol.OfflineDropped {
		t.Fatalf("user-left %+v, want uid 2 DROPPED", left)
	}
}

// TestLeaveIsAnsweredBeforeTheClose: the server answers leave, then closes
// the connection; the client gets the answer every time, though the close
// follows at once.
func TestLeaveIsAnsweredBeforeTheClose(t *testing.T) {
	srv := servertest.Start(t)
	for i := range 50 {
		c := dialRaw(t, srv.WSURL())
		c.join(liveJoin(srv.TestAppID, protocol.UID(i+1), protocol.RoleBroadcaster, ""))
		mustOK(t, c.request(protocol.TypeLeave, nil))
		<-c.closed
	}
}
