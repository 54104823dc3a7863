package rtm_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cohost-rtc/cohost/internal/config"
	"github.com/cohost-rtc/cohost/internal/servertest"
	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/rtm"
)

// recorder records every callback as a line of text.
type recorder struct {
	rtm.BaseClientHandler
	rtm.BaseChannelHandler
	mu     sync.Mutex
	events []string
	remote chan *rtm.RemoteInvitation
}

func newRecorder() *recorder { return &recorder{remote: make(chan *rtm.RemoteInvitation, 16)} }

func (r *recorder) add(format string, args ...any) {
	r.mu.Lock()
	r.events = append(r.events, fmt.Sprintf(format, args...))
	r.mu.Unlock()
}

func (r *recorder) OnConnectionStateChanged(s protocol.RTMConnectionState, why protocol.RTMConnectionChangeReason) {
	r.add("state %s %s", s, why)
}
func (r *recorder) OnMessageReceived(peer string, m *rtm.Message) {
	r.add("peer %s %s offline=%v", peer, m.Text, m.IsOfflineMessage)
}
func (r *recorder) OnPeersOnlineStatusChanged(st map[string]protocol.RTMPeerOnlineState) {
	for p, s := range st {
		r.add("presence %s %s", p, s)
	}
}
func (r *recorder) OnTokenPrivilegeWillExpire() { r.add("token will expire") }
func (r *recorder) OnTokenExpired()             { r.add("token expired") }
func (r *recorder) OnLocalInvitationReceivedByPeer(*rtm.LocalInvitation) {
	r.add("local received")
}
func (r *recorder) OnLocalInvitationAccepted(_ *rtm.LocalInvitation, resp string) {
	r.add("local accepted %s", resp)
}
func (r *recorder) OnLocalInvitationRefused(_ *rtm.LocalInvitation, resp string) {
	r.add("local refused %s", resp)
}
func (r *recorder) OnLocalInvitationCanceled(*rtm.LocalInvitation) { r.add("local canceled") }
func (r *recorder) OnLocalInvitationFailure(_ *rtm.LocalInvitation, why protocol.RTMLocalInvitationFailureReason) {
	r.add("local failure %s", why)
}
func (r *recorder) OnRemoteInvitationReceived(inv *rtm.RemoteInvitation) {
	r.add("remote received %s %s %s", inv.CallerID, inv.Content, inv.ChannelID)
	r.remote <- inv
}
func (r *recorder) OnRemoteInvitationAccepted(*rtm.RemoteInvitation) { r.add("remote accepted") }
func (r *recorder) OnRemoteInvitationRefused(*rtm.RemoteInvitation)  { r.add("remote refused") }
func (r *recorder) OnRemoteInvitationCanceled(*rtm.RemoteInvitation) { r.add("remote canceled") }
func (r *recorder) OnRemoteInvitationFailure(_ *rtm.RemoteInvitation, why protocol.RTMRemoteInvitationFailureReason) {
	r.add("remote failure %s", why)
}
func (r *recorder) OnMemberJoined(u string) { r.add("joined %s", u) }
func (r *recorder) OnMemberLeft(u string)   { r.add("left %s", u) }
func (r *recorder) OnMemberCountUpdated(n int) {
	r.add("count %d", n)
}
func (r *recorder) OnAttributesUpdated(attrs []rtm.Attribute) {
	var b strings.Builder
	for _, a := range attrs {
		fmt.Fprintf(&b, " %s=%s", a.Key, a.Value)
	}
	r.add("attrs%s", b.String())
}
func (r *recorder) OnChannelMessage(u string, m *rtm.Message) {}

// chanRecorder adapts the channel message callback (same name as the peer
// one on the client handler).
type chanRecorder struct{ *recorder }

func (c chanRecorder) OnMessageReceived(u string, m *rtm.Message) { c.add("chan %s %s", u, m.Text) }

// has reports whether an event was recorded.
func (r *recorder) has(ev string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range r.events {
		if e == ev {
			return true
		}
	}
	return false
}

func (r *recorder) count(ev string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, e := range r.events {
		if e == ev {
			n++
		}
	}
	return n
}

func (r *recorder) dump() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.events, "\n")
}

// waitFor polls until the event is recorded.
func (r *recorder) waitFor(t *testing.T, ev string) {
	t.Helper()
	eventually(t, ev, func() bool { return r.has(ev) }, r.dump)
}

func eventually(t *testing.T, what string, cond func() bool, dump func() string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			d := ""
			if dump != nil {
				d = dump()
			}
			t.Fatalf("timed out waiting for %s; events:\n%s", what, d)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// cluster is two cohost nodes on one standalone NATS server.
type cluster struct {
	nats   string
	a, b   *servertest.Server
	appID  string
	config func(*config.Config)
}

func startCluster(t *testing.T, mutate ...func(*config.Config)) *cluster {
	t.Helper()
	url := servertest.StartNATS(t)
	m := append([]func(*config.Config){servertest.WithNATS(url), servertest.ShortRTM}, mutate...)
	a := servertest.Start(t, m...)
	b := servertest.Start(t, m...)
	return &cluster{nats: url, a: a, b: b, appID: a.TestAppID}
}

func newClient(t *testing.T, srv *servertest.Server, appID string, h rtm.ClientHandler) *rtm.Client {
	t.Helper()
	c, err := rtm.NewClient(rtm.ClientConfig{ServerURL: srv.URL, AppID: appID, Handler: h})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// login creates a testing-mode client on srv logged in as user.
func login(t *testing.T, srv *servertest.Server, user string) (*rtm.Client, *recorder) {
	t.Helper()
	rec := newRecorder()
	c := newClient(t, srv, srv.TestAppID, rec)
	if err := c.Login(ctx(t), "", user); err != nil {
		t.Fatalf("login %s: %v", user, err)
	}
	return c, rec
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return c
}

func wantCode(t *testing.T, err error, code int) {
	t.Helper()
	if rtm.Code(err) != code {
		t.Fatalf("error %v: code %d, want %d", err, rtm.Code(err), code)
	}
}
