package rtm_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cohost-rtc/cohost/internal/config"
	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/rtm"
	"github.com/cohost-rtc/cohost/token"
)

func TestPeerMessagesAcrossNodes(t *testing.T) {
	cl := startCluster(t, func(c *config.Config) { c.RTM.Rates.Messages = "20/1s" })
	alice, _ := login(t, cl.a, "alice")
	_, bobRec := login(t, cl.b, "bob 1001")

	code, err := alice.SendMessageToPeer(ctx(t), "bob 1001", rtm.NewTextMessage("hello"), nil)
	if err != nil || code != protocol.RTMPeerMessageOK {
		t.Fatalf("send = %v, %v", code, err)
	}
	// OK means bob's SDK had it: the callback follows at once.
	bobRec.waitFor(t, "peer alice hello offline=false")

	_, err = alice.SendMessageToPeer(ctx(t), "carol", rtm.NewTextMessage("x"), nil)
	wantCode(t, err, int(protocol.RTMPeerMessagePeerUnreachable))
	code, err = alice.SendMessageToPeer(ctx(t), "carol", rtm.NewTextMessage("stored"), &rtm.SendMessageOptions{EnableOfflineMessaging: true})
	if err != nil || code != protocol.RTMPeerMessageCachedByServer {
		t.Fatalf("offline send = %v, %v", code, err)
	}
	_, err = alice.SendMessageToPeer(ctx(t), "bob 1001", rtm.NewTextMessage(strings.Repeat("x", 32<<10+1)), nil)
	wantCode(t, err, int(protocol.RTMPeerMessageInvalidMessage))
	_, err = alice.SendMessageToPeer(ctx(t), "bad\x01id", rtm.NewTextMessage("x"), nil)
	wantCode(t, err, int(protocol.RTMPeerMessageInvalidUserID))
	if _, err := alice.SendMessageToPeer(ctx(t), "bob 1001", rtm.NewRawMessage([]byte{1, 2, 3}, "bin"), nil); err != nil {
		t.Fatal(err)
	}

	// The offline message is delivered when carol logs in, on the other node.
	_, carolRec := login(t, cl.b, "carol")
	carolRec.waitFor(t, "peer alice stored offline=true")

	// TOO_OFTEN past 20 messages per second.
	var tooOften error
	for range 40 {
		if _, err := alice.SendMessageToPeer(ctx(t), "bob 1001", rtm.NewTextMessage("flood"), nil); err != nil {
			tooOften = err
			break
		}
	}
	wantCode(t, tooOften, int(protocol.RTMPeerMessageTooOften))

	// The same user id logging in on the other node kicks the first.
	bob2, _ := login(t, cl.a, "bob 1001")
	bobRec.waitFor(t, "state ABORTED REMOTE_LOGIN")
	_ = bob2
}

func TestChannelsAcrossNodes(t *testing.T) {
	cl := startCluster(t, func(c *config.Config) { c.RTM.Limits.MaxChannelsPerUser = 2 })
	alice, aRec := login(t, cl.a, "alice")
	bob, bRec := login(t, cl.b, "bob")
	carol, _ := login(t, cl.b, "carol")

	ca, err := alice.CreateChannel("live room", chanRecorder{aRec})
	if err != nil {
		t.Fatal(err)
	}
	if err := ca.Join(ctx(t)); err != nil {
		t.Fatal(err)
	}
	wantCode(t, ca.Join(ctx(t)), int(protocol.RTMJoinAlreadyJoined))
	aRec.waitFor(t, "count 1")
	cb, _ := bob.CreateChannel("live room", chanRecorder{bRec})
	if err := cb.Join(ctx(t)); err != nil {
		t.Fatal(err)
	}
	aRec.waitFor(t, "joined bob")
	aRec.waitFor(t, "count 2")
	members, err := cb.GetMembers(ctx(t))
	if err != nil || strings.Join(members, ",") != "alice,bob" {
		t.Fatalf("members = %v, %v", members, err)
	}
	counts, err := carol.GetChannelMemberCount(ctx(t), []string{"live room", "empty"})
	if err != nil || counts["live room"] != 2 || counts["empty"] != 0 {
		t.Fatalf("counts = %v, %v", counts, err)
	}
	if err := cb.SendMessage(ctx(t), rtm.NewTextMessage("hi all")); err != nil {
		t.Fatal(err)
	}
	aRec.waitFor(t, "chan bob hi all")
	// Not in the channel: carol's getMembers fails; the 20-channel limit
	// (2 here) answers EXCEED_LIMIT.
	cc, _ := carol.CreateChannel("live room", nil)
	_, err = cc.GetMembers(ctx(t))
	wantCode(t, err, int(protocol.RTMGetMembersNotInChannel))
	for _, id := range []string{"x1", "x2"} {
		ch, _ := bob.CreateChannel(id, nil)
		err := ch.Join(ctx(t))
		if id == "x2" {
			wantCode(t, err, int(protocol.RTMJoinExceedLimit))
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if err := cb.Leave(ctx(t)); err != nil {
		t.Fatal(err)
	}
	aRec.waitFor(t, "left bob")
	if bRec.has("chan bob hi all") {
		t.Error("the sender received its own channel message")
	}
	// A member whose client disappears leaves after rtm.timers.offline.
	if err := cb.Join(ctx(t)); err != nil {
		t.Fatal(err)
	}
	aRec.waitFor(t, "joined bob")
	cl.b.KillRTM()
	eventually(t, "bob left after the node died", func() bool { return aRec.count("left bob") == 2 }, aRec.dump)
}

func TestChannelAttributes(t *testing.T) {
	// A burst of 20 covers the host's writes; refilled at only one every
	// 1.5 s, it is exhausted by the guest's loop however slow each write is.
	cl := startCluster(t, func(c *config.Config) {
		c.RTM.Rates.ChannelAttributeWrites = "20/30s"
		c.RTM.Limits.MaxChannelAttributes = 4
	})
	host, hRec := login(t, cl.a, "host")
	guest, _ := login(t, cl.b, "guest")
	ch, _ := host.CreateChannel("stage", chanRecorder{hRec})
	if err := ch.Join(ctx(t)); err != nil {
		t.Fatal(err)
	}
	notify := &rtm.ChannelAttributeOptions{EnableNotificationToChannelMembers: true}
	// Without joining, from the other node.
	attrs, err := guest.AddOrUpdateChannelAttributes(ctx(t), "stage", []rtm.Attribute{{Key: "cohost", Value: "guest"}}, notify)
	if err != nil || len(attrs) != 1 || attrs[0].LastUpdateUserID != "guest" || attrs[0].Revision != 1 || attrs[0].LastUpdateTs == 0 {
		t.Fatalf("addOrUpdate = %+v, %v", attrs, err)
	}
	hRec.waitFor(t, "attrs cohost=guest")
	if _, err := host.AddOrUpdateChannelAttributes(ctx(t), "stage", []rtm.Attribute{{Key: "title", Value: "show"}}, nil); err != nil {
		t.Fatal(err)
	}
	got, err := guest.GetChannelAttributesByKeys(ctx(t), "stage", []string{"title", "nope"})
	if err != nil || len(got) != 1 || got[0].Value != "show" || got[0].Revision != 2 {
		t.Fatalf("getByKeys = %+v, %v", got, err)
	}
	// Compare-and-set: a write expecting an old revision is refused.
	_, err = host.AddOrUpdateChannelAttributes(ctx(t), "stage", []rtm.Attribute{{Key: "cohost", Value: "host"}},
		&rtm.ChannelAttributeOptions{ExpectedRevisions: map[string]int64{"cohost": 7}})
	wantCode(t, err, int(protocol.RTMAttributeRevisionConflict))
	if _, err := host.AddOrUpdateChannelAttributes(ctx(t), "stage", []rtm.Attribute{{Key: "cohost", Value: "host"}},
		&rtm.ChannelAttributeOptions{ExpectedRevisions: map[string]int64{"cohost": 1, "new": 0}}); err != nil {
		t.Fatal(err)
	}
	// Limits with Agora's codes.
	_, err = host.AddOrUpdateChannelAttributes(ctx(t), "stage", []rtm.Attribute{{Key: "big", Value: strings.Repeat("v", 8<<10+1)}}, nil)
	wantCode(t, err, int(protocol.RTMAttributeSizeOverflow))
	_, err = host.AddOrUpdateChannelAttributes(ctx(t), "stage", []rtm.Attribute{{Key: strings.Repeat("k", 33), Value: "v"}}, nil)
	wantCode(t, err, int(protocol.RTMAttributeSizeOverflow))
	_, err = host.AddOrUpdateChannelAttributes(ctx(t), "stage", []rtm.Attribute{{Key: "a", Value: "1"}, {Key: "b", Value: "2"}, {Key: "c", Value: "3"}}, nil)
	wantCode(t, err, int(protocol.RTMAttributeSizeOverflow))
	_, err = host.AddOrUpdateChannelAttributes(ctx(t), "stage", []rtm.Attribute{{Key: "e", Value: ""}}, nil)
	wantCode(t, err, int(protocol.RTMAttributeInvalidArgument))
	if _, err := host.DeleteChannelAttributesByKeys(ctx(t), "stage", []string{"title"}, notify); err != nil {
		t.Fatal(err)
	}
	hRec.waitFor(t, "attrs cohost=host")
	if _, err := host.SetChannelAttributes(ctx(t), "stage", []rtm.Attribute{{Key: "only", Value: "1"}}, nil); err != nil {
		t.Fatal(err)
	}
	all, _ := guest.GetChannelAttributes(ctx(t), "stage")
	if len(all) != 1 || all[0].Key != "only" {
		t.Fatalf("after set: %+v", all)
	}
	var tooOften error
	for range 60 {
		if _, err := guest.AddOrUpdateChannelAttributes(ctx(t), "other", []rtm.Attribute{{Key: "k", Value: "v"}}, nil); err != nil {
			tooOften = err
			break
		}
	}
	wantCode(t, tooOften, int(protocol.RTMAttributeTooOften))
	// Cleared once the channel has been empty for rtm.timers.attributeClear.
	if err := ch.Leave(ctx(t)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "attributes cleared", func() bool {
		a, err := guest.GetChannelAttributes(ctx(t), "stage")
		return err == nil && len(a) == 0
	}, nil)
}

func TestPresenceAndUserAttributes(t *testing.T) {
	cl := startCluster(t)
	watcher, wRec := login(t, cl.a, "watcher")
	if err := watcher.SubscribePeersOnlineStatus(ctx(t), []string{"peer"}); err != nil {
		t.Fatal(err)
	}
	wRec.waitFor(t, "presence peer OFFLINE")
	peer, _ := login(t, cl.b, "peer")
	wRec.waitFor(t, "presence peer ONLINE")
	st, err := watcher.QueryPeersOnlineStatus(ctx(t), []string{"peer", "nobody"})
	if err != nil || st["peer"] != protocol.RTMPeerOnline || st["nobody"] != protocol.RTMPeerOffline {
		t.Fatalf("query = %v, %v", st, err)
	}
	if err := peer.SetLocalUserAttributes(ctx(t), []rtm.Attribute{{Key: "role", Value: "audience"}, {Key: "mic", Value: "off"}}); err != nil {
		t.Fatal(err)
	}
	if err := peer.AddOrUpdateLocalUserAttributes(ctx(t), []rtm.Attribute{{Key: "role", Value: "host"}}); err != nil {
		t.Fatal(err)
	}
	if err := peer.DeleteLocalUserAttributesByKeys(ctx(t), []string{"mic"}); err != nil {
		t.Fatal(err)
	}
	ua, err := watcher.GetUserAttributes(ctx(t), "peer")
	if err != nil || len(ua) != 1 || ua[0].Value != "host" {
		t.Fatalf("user attributes = %+v, %v", ua, err)
	}
	_, err = watcher.GetUserAttributes(ctx(t), "nobody")
	wantCode(t, err, int(protocol.RTMAttributeUserNotFound))
	subs, _ := watcher.QueryPeersBySubscriptionOption(ctx(t))
	if len(subs) != 1 || subs[0] != "peer" {
		t.Fatalf("subscriptions = %v", subs)
	}
	if err := peer.Logout(ctx(t)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "peer OFFLINE after logout", func() bool { return wRec.count("presence peer OFFLINE") == 2 }, wRec.dump)
}

func TestReconnectRestoresEverything(t *testing.T) {
	cl := startCluster(t)
	u, uRec := login(t, cl.a, "user")
	other, oRec := login(t, cl.b, "other")
	ch, _ := u.CreateChannel("room", chanRecorder{uRec})
	if err := ch.Join(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if err := u.SubscribePeersOnlineStatus(ctx(t), []string{"other"}); err != nil {
		t.Fatal(err)
	}
	if err := u.SetLocalUserAttributes(ctx(t), []rtm.Attribute{{Key: "k", Value: "v"}}); err != nil {
		t.Fatal(err)
	}
	och, _ := other.CreateChannel("room", chanRecorder{oRec})
	if err := och.Join(ctx(t)); err != nil {
		t.Fatal(err)
	}
	u.DropConnection()
	uRec.waitFor(t, "state RECONNECTING INTERRUPTED")
	eventually(t, "reconnected", func() bool { return u.ConnectionState() == protocol.RTMStateConnected }, uRec.dump)
	// Still a member, still subscribed, attributes kept; the others saw
	// nothing.
	if err := och.SendMessage(ctx(t), rtm.NewTextMessage("after")); err != nil {
		t.Fatal(err)
	}
	uRec.waitFor(t, "chan other after")
	if _, err := other.SendMessageToPeer(ctx(t), "user", rtm.NewTextMessage("p2p"), nil); err != nil {
		t.Fatal(err)
	}
	uRec.waitFor(t, "peer other p2p offline=false")
	ua, err := other.GetUserAttributes(ctx(t), "user")
	if err != nil || len(ua) != 1 {
		t.Fatalf("attributes after reconnect = %+v, %v", ua, err)
	}
	if oRec.has("left user") {
		t.Errorf("the reconnection was visible:\n%s", oRec.dump())
	}
	if err := other.Logout(ctx(t)); err != nil {
		t.Fatal(err)
	}
	uRec.waitFor(t, "presence other OFFLINE")
}

func TestInvitations(t *testing.T) {
	cl := startCluster(t)
	host, hRec := login(t, cl.a, "host")
	aud, aRec := login(t, cl.b, "audience")

	// Accepted.
	inv := host.CreateLocalInvitation("audience")
	inv.Content, inv.ChannelID = "co-host?", "live"
	if err := inv.Send(ctx(t)); err != nil {
		t.Fatal(err)
	}
	aRec.waitFor(t, "remote received host co-host? live")
	hRec.waitFor(t, "local received")
	r := <-aRec.remote
	r.Response = "yes"
	if err := r.Accept(ctx(t)); err != nil {
		t.Fatal(err)
	}
	hRec.waitFor(t, "local accepted yes")
	aRec.waitFor(t, "remote accepted")
	if inv.State() != protocol.RTMLocalInvitationAcceptedByRemote || r.State() != protocol.RTMRemoteInvitationAccepted {
		t.Fatalf("states %s %s", inv.State(), r.State())
	}
	// Refused.
	inv2 := host.CreateLocalInvitation("audience")
	if err := inv2.Send(ctx(t)); err != nil {
		t.Fatal(err)
	}
	r = <-aRec.remote
	r.Response = "no"
	if err := r.Refuse(ctx(t)); err != nil {
		t.Fatal(err)
	}
	hRec.waitFor(t, "local refused no")
	aRec.waitFor(t, "remote refused")
	// Canceled.
	inv3 := host.CreateLocalInvitation("audience")
	if err := inv3.Send(ctx(t)); err != nil {
		t.Fatal(err)
	}
	r = <-aRec.remote
	if err := inv3.Cancel(ctx(t)); err != nil {
		t.Fatal(err)
	}
	hRec.waitFor(t, "local canceled")
	aRec.waitFor(t, "remote canceled")
	wantCode(t, r.Accept(ctx(t)), int(protocol.RTMInvitationInvalidState))
	// Expired on both sides.
	inv4 := host.CreateLocalInvitation("audience")
	if err := inv4.Send(ctx(t)); err != nil {
		t.Fatal(err)
	}
	<-aRec.remote
	hRec.waitFor(t, "local failure INVITATION_EXPIRE")
	aRec.waitFor(t, "remote failure INVITATION_EXPIRE")
	// Callee offline.
	inv5 := host.CreateLocalInvitation("nobody")
	if err := inv5.Send(ctx(t)); err != nil {
		t.Fatal(err)
	}
	hRec.waitFor(t, "local failure PEER_OFFLINE")
	_ = aud
}

func TestLoginWithTokens(t *testing.T) {
	cl := startCluster(t, func(c *config.Config) { c.Timers.TokenWarning = 2 * time.Second })
	srv := cl.a
	tok, err := token.BuildRTM(srv.AppID, srv.Certificate, "1001", 600)
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, srv, srv.AppID, nil)
	wantCode(t, c.Login(ctx(t), "", "1001"), int(protocol.RTMLoginInvalidToken))
	wantCode(t, c.Login(ctx(t), tok, "1002"), int(protocol.RTMLoginInvalidToken))
	if err := c.Login(ctx(t), tok, "1001"); err != nil {
		t.Fatal(err)
	}
	if err := c.RenewToken(ctx(t), tok); err != nil {
		t.Fatal(err)
	}
	wantCode(t, c.Login(ctx(t), tok, "1001"), int(protocol.RTMLoginAlreadyLoggedIn))
	bad := newClient(t, srv, "ffffffffffffffffffffffffffffffff", nil)
	wantCode(t, bad.Login(ctx(t), "", "x"), int(protocol.RTMLoginInvalidAppID))
	// A token whose login privilege expires soon: warning, then ABORTED
	// with TOKEN_EXPIRED.
	short, err := token.BuildRTM(srv.AppID, srv.Certificate, "1003", 3)
	if err != nil {
		t.Fatal(err)
	}
	rec := newRecorder()
	s := newClient(t, srv, srv.AppID, rec)
	if err := s.Login(ctx(t), short, "1003"); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(t, "token will expire")
	rec.waitFor(t, "state ABORTED TOKEN_EXPIRED")
	rec.waitFor(t, "token expired")
	if err := s.Login(ctx(t), short, "1003"); err == nil || errors.Is(err, rtm.ErrClosed) {
		t.Fatalf("login while ABORTED: %v", err)
	}
}

// TestInvitationAnsweredAtOnceIsReceivedFirst: a callee that accepts or
// refuses inside OnRemoteInvitationReceived answers before the server has
// processed the delivery reply; the caller still gets
// OnLocalInvitationReceivedByPeer, once, before the answer.
func TestInvitationAnsweredAtOnceIsReceivedFirst(t *testing.T) {
	cl := startCluster(t)
	host, hRec := login(t, cl.a, "host")
	_, aRec := login(t, cl.a, "audience")
	const n = 20
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range n {
			r := <-aRec.remote
			r.Response = fmt.Sprint(i)
			if i%2 == 0 {
				_ = r.Accept(context.Background())
			} else {
				_ = r.Refuse(context.Background())
			}
		}
	}()
	for i := range n {
		inv := host.CreateLocalInvitation("audience")
		if err := inv.Send(ctx(t)); err != nil {
			t.Fatal(err)
		}
		answer := fmt.Sprintf("local accepted %d", i)
		if i%2 == 1 {
			answer = fmt.Sprintf("local refused %d", i)
		}
		hRec.waitFor(t, answer)
	}
	<-done
	hRec.mu.Lock()
	defer hRec.mu.Unlock()
	received := 0
	for _, ev := range hRec.events {
		switch {
		case ev == "local received":
			received++
		case strings.HasPrefix(ev, "local accepted"), strings.HasPrefix(ev, "local refused"):
			if received != 1 {
				t.Fatalf("%q after %d received-by-peer callbacks, want exactly 1; events:\n%s", ev, received, strings.Join(hRec.events, "\n"))
			}
			received = 0
		}
	}
}
