package e2e_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/pion/webrtc/v4/pkg/media"

	"github.com/cohost-rtc/cohost/internal/servertest"
	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/rtc"
	"github.com/cohost-rtc/cohost/rtm"
	"github.com/cohost-rtc/cohost/token"
)

const channel = "seed000"

// newUser joins the RTC channel with rtcToken and the RTM channel of the
// same name, logged in as the decimal uid (cohost's documented convention).
func newUser(t *testing.T, srv *servertest.Server, name string, uid protocol.UID, role protocol.ClientRole, rtcToken string) *user {
	t.Helper()
	return newUserAt(t, seedTarget{url: srv.URL, appID: srv.AppID, certificate: srv.Certificate}, name, uid, role, rtcToken)
}

// seedTarget is where a user connects: a server, or one node of a
// cluster (anyNode: its RTC engine stays on that node whatever its role).
type seedTarget struct {
	url, appID, certificate string
	anyNode                 bool
}

// newUserAt is newUser through target.
func newUserAt(t *testing.T, target seedTarget, name string, uid protocol.UID, role protocol.ClientRole, rtcToken string) *user {
	t.Helper()
	ctx := ctxT(t)
	u := &user{name: name, uid: uid, log: &log{}, invitations: make(chan *rtm.RemoteInvitation, 4)}
	var err error
	u.rtc, err = rtc.NewEngine(rtc.EngineConfig{ServerURL: target.url, AppID: target.appID, Handler: rtcHandler{l: u.log},
		ClientRole: role, AudienceOnAnyNode: target.anyNode, SettingEngine: loopback()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = u.rtc.Close() })
	if _, err := u.rtc.JoinChannel(ctx, rtcToken, channel, uid); err != nil {
		t.Fatalf("%s: RTC join: %v", name, err)
	}
	u.rtm, err = rtm.NewClient(rtm.ClientConfig{ServerURL: target.url, AppID: target.appID, Handler: rtmHandler{u: u}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = u.rtm.Close() })
	rtmToken, err := token.BuildRTM(target.appID, target.certificate, uid.String(), 600)
	if err != nil {
		t.Fatal(err)
	}
	if err := u.rtm.Login(ctx, rtmToken, uid.String()); err != nil {
		t.Fatalf("%s: RTM login: %v", name, err)
	}
	if u.ch, err = u.rtm.CreateChannel(channel, channelHandler{l: u.log}); err != nil {
		t.Fatal(err)
	}
	if err := u.ch.Join(ctx); err != nil {
		t.Fatalf("%s: RTM channel join: %v", name, err)
	}
	return u
}

// publishVideo publishes a VP8 track and feeds it until the test ends.
func (u *user) publishVideo(t *testing.T) *rtc.LocalTrack {
	t.Helper()
	video, err := rtc.NewLocalTrack(protocol.CodecVP8)
	if err != nil {
		t.Fatal(err)
	}
	if err := u.rtc.Publish(ctxT(t), video); err != nil {
		t.Fatalf("%s: publish: %v", u.name, err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		frame := []byte{0x10, 0x00, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00}
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				_ = video.WriteSample(media.Sample{Data: frame, Duration: 20 * time.Millisecond})
			}
		}
	}()
	t.Cleanup(func() { close(stop); wg.Wait() })
	return video
}

// receives checks that u gets n video packets from uid.
func (u *user) receives(t *testing.T, uid protocol.UID, n int) {
	t.Helper()
	ctx := ctxT(t)
	track, err := u.rtc.Subscribe(ctx, uid, protocol.MediaVideo)
	if err != nil {
		t.Fatalf("%s: subscribe %d: %v", u.name, uid, err)
	}
	got := make(chan error, 1)
	go func() {
		for range n {
			if _, err := track.ReadRTP(); err != nil {
				got <- err
				return
			}
		}
		got <- nil
	}()
	select {
	case err := <-got:
		if err != nil {
			t.Fatalf("%s: reading %d's video: %v", u.name, uid, err)
		}
	case <-time.After(waitTimeout):
		t.Fatalf("%s: %d video packets from %d did not arrive", u.name, n, uid)
	}
	if err := u.rtc.Unsubscribe(ctx, uid, protocol.MediaVideo); err != nil {
		t.Fatal(err)
	}
}

func (u *user) announce(t *testing.T, role string) {
	t.Helper()
	_, err := u.rtm.AddOrUpdateChannelAttributes(ctxT(t), channel, []rtm.Attribute{{Key: "role-" + u.uid.String(), Value: role}},
		&rtm.ChannelAttributeOptions{EnableNotificationToChannelMembers: true})
	if err != nil {
		t.Fatalf("%s: addOrUpdateChannelAttributes: %v", u.name, err)
	}
}

func startSeedServer(t *testing.T) (*servertest.Server, string, string) {
	srv := servertest.Start(t)
	// The host may change others' roles (administrate channel); the viewer
	// holds a publisher token, so co-host authentication lets it become host.
	hostTok, err := token.BuildRTCAdmin(srv.AppID, srv.Certificate, channel, "1", token.RolePublisher, 600, 600)
	if err != nil {
		t.Fatal(err)
	}
	return srv, hostTok, srv.Token(t, channel, 2, token.RolePublisher, 600)
}

// TestSeed000InviteByPeerMessage is seed 000: the host invites an audience
// member with a peer message; the member switches to host, announces it in
// the channel attributes, and the host is notified and receives its media;
// then the reverse.
func TestSeed000InviteByPeerMessage(t *testing.T) {
	srv, hostTok, viewerTok := startSeedServer(t)
	host := newUser(t, srv, "host", 1, protocol.RoleBroadcaster, hostTok)
	viewer := newUser(t, srv, "viewer", 2, protocol.RoleAudience, viewerTok)
	seed000ByPeerMessage(t, host, viewer)
}

func seed000ByPeerMessage(t *testing.T, host, viewer *user) {
	ctx := ctxT(t)

	// 1. sendMessageToPeer: OK means the viewer's SDK received it.
	res, err := host.rtm.SendMessageToPeer(ctx, "2", rtm.NewTextMessage("invite: co-host"), nil)
	if err != nil || res != protocol.RTMPeerMessageOK {
		t.Fatalf("invite: %v %v", res, err)
	}
	// 2. onMessageReceived, 3. setClientRole(BROADCASTER), 4. onClientRoleChanged.
	viewer.log.wait(t, "viewer", "rtm message from 1: invite: co-host")
	if err := viewer.rtc.SetClientRole(ctx, protocol.RoleBroadcaster); err != nil {
		t.Fatal(err)
	}
	viewer.log.wait(t, "viewer", "rtc role-changed AUDIENCE BROADCASTER")
	video := viewer.publishVideo(t)
	// 5. addOrUpdateChannelAttributes, 6. onAttributesUpdated at the host.
	viewer.announce(t, "host")
	host.log.wait(t, "host", "rtm attributes role-2=host by 2")
	host.log.wait(t, "host", "rtc user-published 2 video")
	host.receives(t, 2, 20)
	host.log.inOrder(t, "host", "rtc user-joined 2", "rtc user-published 2 video")
	viewer.log.inOrder(t, "viewer", "rtm message from 1: invite: co-host", "rtc role-changed AUDIENCE BROADCASTER")

	// The reverse: back to audience (unpublishing first, as Agora Web requires).
	if _, err := host.rtm.SendMessageToPeer(ctx, "2", rtm.NewTextMessage("invite: audience"), nil); err != nil {
		t.Fatal(err)
	}
	viewer.log.wait(t, "viewer", "rtm message from 1: invite: audience")
	if err := viewer.rtc.Unpublish(ctx, video); err != nil {
		t.Fatal(err)
	}
	if err := viewer.rtc.SetClientRole(ctx, protocol.RoleAudience); err != nil {
		t.Fatal(err)
	}
	viewer.log.wait(t, "viewer", "rtc role-changed BROADCASTER AUDIENCE")
	viewer.announce(t, "audience")
	host.log.wait(t, "host", "rtc user-offline 2 BECOME_AUDIENCE")
	host.log.wait(t, "host", "rtm attributes role-2=audience by 2")
	// RTC and RTM events reach the host over two connections, so only the
	// order within each service, and what one caused, is promised: the
	// demotion's user-offline and the audience announcement may come in
	// either order (as with Agora, where they are two separate services).
	host.log.inOrder(t, "host", "rtm attributes role-2=host by 2", "rtc user-offline 2 BECOME_AUDIENCE")
	host.log.inOrder(t, "host", "rtm attributes role-2=host by 2", "rtm attributes role-2=audience by 2")
}

// TestSeed000InviteByCallInvitation is the second variant: the invitation is
// an RTM call invitation; at the end the host demotes the co-host itself and
// the server enforces it at once.
func TestSeed000InviteByCallInvitation(t *testing.T) {
	srv, hostTok, viewerTok := startSeedServer(t)
	host := newUser(t, srv, "host", 1, protocol.RoleBroadcaster, hostTok)
	viewer := newUser(t, srv, "viewer", 2, protocol.RoleAudience, viewerTok)
	seed000ByCallInvitation(t, host, viewer)
}

func seed000ByCallInvitation(t *testing.T, host, viewer *user) {
	ctx := ctxT(t)

	inv := host.rtm.CreateLocalInvitation("2")
	inv.Content, inv.ChannelID = "co-host", channel
	if err := inv.Send(ctx); err != nil {
		t.Fatal(err)
	}
	var remote *rtm.RemoteInvitation
	select {
	case remote = <-viewer.invitations:
	case <-time.After(waitTimeout):
		t.Fatal("the viewer got no invitation")
	}
	if remote.ChannelID != channel || remote.CallerID != "1" {
		t.Fatalf("invitation %+v", remote)
	}
	remote.Response = "on my way"
	if err := remote.Accept(ctx); err != nil {
		t.Fatal(err)
	}
	host.log.wait(t, "host", "rtm invitation accepted by 2: on my way")
	if err := viewer.rtc.SetClientRole(ctx, protocol.RoleBroadcaster); err != nil {
		t.Fatal(err)
	}
	viewer.publishVideo(t)
	viewer.announce(t, "host")
	host.log.wait(t, "host", "rtm attributes role-2=host by 2")
	host.receives(t, 2, 10)

	// Server-enforced demotion by the host (administrate-channel privilege).
	if err := host.rtc.SetRemoteClientRole(ctx, 2, protocol.RoleAudience); err != nil {
		t.Fatal(err)
	}
	viewer.log.wait(t, "viewer", "rtc role-changed BROADCASTER AUDIENCE")
	host.log.wait(t, "host", "rtc user-offline 2 BECOME_AUDIENCE")
	// Demoted, the viewer cannot publish any more.
	again, err := rtc.NewLocalTrack(protocol.CodecVP8)
	if err != nil {
		t.Fatal(err)
	}
	var pe *protocol.Error
	if err := viewer.rtc.Publish(ctx, again); !errors.As(err, &pe) || pe.Code != protocol.ErrRefused {
		t.Fatalf("publish after demotion: %v, want ERR_REFUSED", err)
	}
	// Nobody else may demote: the viewer's token has no admin privilege.
	if err := viewer.rtc.SetRemoteClientRole(ctx, 1, protocol.RoleAudience); !errors.As(err, &pe) || pe.Code != protocol.ErrSetClientRoleNotAuth {
		t.Fatalf("non-admin remote role change: %v", err)
	}
	// Within RTM, and within RTC, in order; across the two only what one
	// caused: the acceptance came before the role change, the announcement
	// before the demotion.
	host.log.inOrder(t, "host", "rtm invitation received by 2", "rtm invitation accepted by 2: on my way",
		"rtc user-joined 2", "rtc user-offline 2 BECOME_AUDIENCE")
	host.log.inOrder(t, "host", "rtm invitation accepted by 2: on my way", "rtm attributes role-2=host by 2", "rtc user-offline 2 BECOME_AUDIENCE")
	viewer.log.inOrder(t, "viewer", "rtm invitation from 1: co-host", "rtc role-changed AUDIENCE BROADCASTER", "rtc role-changed BROADCASTER AUDIENCE")
}
