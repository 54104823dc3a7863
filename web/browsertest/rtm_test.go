package browsertest

import (
	"testing"

	"github.com/cohost-rtc/cohost/internal/servertest"
)

// TestRTMWebSDK drives the RTM Web SDK between two pages: presence, peer
// messages (delivered and to an offline peer), a channel with members,
// messages and attributes (with a compare-and-set conflict), call
// invitations accepted and refused, and logout.
func TestRTMWebSDK(t *testing.T) {
	srv := servertest.Start(t)
	app := jsString(srv.TestAppID)
	alice := newPage(t, srv, "alice")
	bob := newPage(t, srv, "bob")
	alice.run(`await T.newRTM("alice", ` + app + `, "1001")`)
	bob.run(`await T.newRTM("bob", ` + app + `, "2002")`)
	alice.waitEvent("alice ConnectionStateChanged CONNECTED LOGIN_SUCCESS")

	alice.run(`await T.rtm.alice.subscribePeersOnlineStatus(["2002"])`)
	alice.waitEvent(`alice PeersOnlineStatusChanged {"2002":"ONLINE"}`)
	if got := alice.str(`return JSON.stringify(await T.rtm.alice.queryPeersOnlineStatus(["2002", "9999"]))`); got != `{"2002":true,"9999":false}` {
		t.Errorf("queryPeersOnlineStatus: %s", got)
	}

	if got := alice.str(`return JSON.stringify(await T.rtm.alice.sendMessageToPeer({text: "hello"}, "2002"))`); got != `{"hasPeerReceived":true}` {
		t.Errorf("sendMessageToPeer to an online peer: %s", got)
	}
	bob.waitEvent("bob MessageFromPeer 1001 hello")
	if got := alice.str(`return JSON.stringify(await T.rtm.alice.sendMessageToPeer({text: "anyone?"}, "9999"))`); got != `{"hasPeerReceived":false}` {
		t.Errorf("sendMessageToPeer to an offline peer: %s", got)
	}
	if got := alice.num(`try { await T.rtm.alice.sendMessageToPeer({text: "x"}, "bad/id"); return 0 } catch (e) { return e.code }`); got != 6 {
		t.Errorf("sendMessageToPeer to an invalid id: code %v, want 6 (PEER_MESSAGE_ERR_INVALID_USERID)", got)
	}
	if got := alice.num(`try { await T.rtm.alice.login({uid: "1001"}); return 0 } catch (e) { return e.code }`); got != 8 {
		t.Errorf("second login: code %v, want 8 (LOGIN_ERR_ALREADY_LOGIN)", got)
	}

	alice.run(`await T.joinRTMChannel("alice", "lobby")`)
	bob.run(`await T.joinRTMChannel("bob", "lobby")`)
	alice.waitEvent("alice MemberJoined lobby 2002")
	if got := alice.str(`return (await T.channels.alice.getMembers()).sort().join(",")`); got != "1001,2002" {
		t.Errorf("getMembers: %s", got)
	}
	if got := alice.str(`return JSON.stringify(await T.rtm.alice.getChannelMemberCount(["lobby", "empty"]))`); got != `{"lobby":2,"empty":0}` {
		t.Errorf("getChannelMemberCount: %s", got)
	}
	bob.run(`await T.channels.bob.sendMessage({text: "hi all"})`)
	alice.waitEvent("alice ChannelMessage lobby 2002 hi all")

	bob.run(`await T.rtm.bob.addOrUpdateChannelAttributes("lobby", {cohost: "2002"}, {enableNotificationToChannelMembers: true})`)
	alice.waitEvent("alice AttributesUpdated lobby cohost=2002")
	bob.waitEvent("bob AttributesUpdated lobby cohost=2002")
	if got := alice.str(`const a = await T.rtm.alice.getChannelAttributes("lobby"); return a.cohost.value + " " + a.cohost.lastUpdateUserId`); got != "2002 2002" {
		t.Errorf("getChannelAttributes: %s", got)
	}
	if got := alice.num(`try { await T.rtm.alice.addOrUpdateChannelAttributes("lobby", {cohost: "1001"}, {expectedRevisions: {cohost: 0}}); return 0 } catch (e) { return e.code }`); got != 200 {
		t.Errorf("conditional write of an existing key: code %v, want 200 (REVISION_CONFLICT)", got)
	}

	// Call invitations: accepted, then refused.
	alice.run(`T.invite("alice", "2002", "co-host?", "lobby")`)
	bob.waitEvent("bob RemoteInvitationReceived 1001 co-host? lobby")
	alice.waitEvent("alice LocalInvitationReceivedByPeer 2002")
	bob.run(`T.invitations.bob.response = "yes"; T.invitations.bob.accept()`)
	alice.waitEvent("alice LocalInvitationAccepted 2002 yes")
	bob.waitEvent("bob RemoteInvitationAccepted 1001")
	alice.run(`T.invite("alice", "2002", "again?", "lobby")`)
	bob.waitEvent("bob RemoteInvitationReceived 1001 again? lobby")
	bob.run(`T.invitations.bob.response = "no"; T.invitations.bob.refuse()`)
	alice.waitEvent("alice LocalInvitationRefused 2002 no")

	bob.run(`await T.rtm.bob.logout()`)
	bob.waitEvent("bob ConnectionStateChanged DISCONNECTED LOGOUT")
	alice.waitEvent("alice MemberLeft lobby 2002")
	alice.waitEvent(`alice PeersOnlineStatusChanged {"2002":"OFFLINE"}`)
	if got := bob.num(`try { await T.rtm.bob.sendMessageToPeer({text: "x"}, "1001"); return 0 } catch (e) { return e.code }`); got != 102 {
		t.Errorf("sendMessageToPeer after logout: code %v, want 102", got)
	}
}
