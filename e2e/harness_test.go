package e2e_test

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/webrtc/v4"
	"go.uber.org/goleak"

	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/rtc"
	"github.com/cohost-rtc/cohost/rtm"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const waitTimeout = 20 * time.Second

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*waitTimeout)
	t.Cleanup(cancel)
	return ctx
}

func loopback() *webrtc.SettingEngine {
	se := &webrtc.SettingEngine{}
	se.SetIncludeLoopbackCandidate(true)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	return se
}

// log records a user's callbacks, RTC and RTM alike, in the order they come.
type log struct {
	mu     sync.Mutex
	events []string
}

func (l *log) add(format string, args ...any) {
	l.mu.Lock()
	l.events = append(l.events, fmt.Sprintf(format, args...))
	l.mu.Unlock()
}

func (l *log) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.events)
}

// wait waits until ev was recorded and returns its position.
func (l *log) wait(t *testing.T, who, ev string) int {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		if i := slices.Index(l.all(), ev); i >= 0 {
			return i
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: no %q within %v; got %q", who, ev, waitTimeout, l.all())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// inOrder checks that want appear in l in this order (others may come between).
func (l *log) inOrder(t *testing.T, who string, want ...string) {
	t.Helper()
	got := l.all()
	i := 0
	for _, ev := range got {
		if i < len(want) && ev == want[i] {
			i++
		}
	}
	if i < len(want) {
		t.Fatalf("%s: callbacks out of order or missing %q:\n%s", who, want[i], strings.Join(got, "\n"))
	}
}

// user is one person in the app: an RTC engine and an RTM client, whose
// callbacks all go to one log.
type user struct {
	name        string
	uid         protocol.UID
	log         *log
	rtc         *rtc.Engine
	rtm         *rtm.Client
	ch          *rtm.Channel
	invitations chan *rtm.RemoteInvitation
}

type rtcHandler struct {
	rtc.BaseEventHandler
	l *log
}

func (h rtcHandler) OnUserJoined(uid protocol.UID, _ time.Duration) {
	h.l.add("rtc user-joined %d", uid)
}
func (h rtcHandler) OnUserOffline(uid protocol.UID, r protocol.UserOfflineReason) {
	h.l.add("rtc user-offline %d %s", uid, r)
}
func (h rtcHandler) OnUserPublished(uid protocol.UID, mt protocol.MediaType) {
	h.l.add("rtc user-published %d %s", uid, mt)
}
func (h rtcHandler) OnClientRoleChanged(o, n protocol.ClientRole) {
	h.l.add("rtc role-changed %s %s", o, n)
}
func (h rtcHandler) OnClientRoleChangeFailed(r protocol.ClientRoleChangeFailedReason, cur protocol.ClientRole) {
	h.l.add("rtc role-change-failed %s %s", r, cur)
}

type rtmHandler struct {
	rtm.BaseClientHandler
	u *user
}

func (h rtmHandler) OnMessageReceived(peer string, msg *rtm.Message) {
	h.u.log.add("rtm message from %s: %s", peer, msg.Text)
}
func (h rtmHandler) OnRemoteInvitationReceived(inv *rtm.RemoteInvitation) {
	h.u.log.add("rtm invitation from %s: %s", inv.CallerID, inv.Content)
	h.u.invitations <- inv
}
func (h rtmHandler) OnLocalInvitationReceivedByPeer(inv *rtm.LocalInvitation) {
	h.u.log.add("rtm invitation received by %s", inv.CalleeID)
}
func (h rtmHandler) OnLocalInvitationAccepted(inv *rtm.LocalInvitation, response string) {
	h.u.log.add("rtm invitation accepted by %s: %s", inv.CalleeID, response)
}

type channelHandler struct {
	rtm.BaseChannelHandler
	l *log
}

func (h channelHandler) OnAttributesUpdated(attrs []rtm.Attribute) {
	kv := make([]string, 0, len(attrs))
	for _, a := range attrs {
		kv = append(kv, a.Key+"="+a.Value+" by "+a.LastUpdateUserID)
	}
	slices.Sort(kv)
	h.l.add("rtm attributes %s", strings.Join(kv, ","))
}
