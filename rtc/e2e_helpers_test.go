package rtc_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/webrtc/v4"

	"github.com/cohost-rtc/cohost/internal/config"
	"github.com/cohost-rtc/cohost/internal/servertest"
	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/rtc"
)

// waitTimeout bounds every wait for a condition in the end-to-end tests.
const waitTimeout = 20 * time.Second

// loopback keeps Pion on 127.0.0.1.
func loopback() *webrtc.SettingEngine {
	se := &webrtc.SettingEngine{}
	se.SetIncludeLoopbackCandidate(true)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetInterfaceFilter(func(name string) bool { return name == "lo" })
	se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	return se
}

func testLogger(t testing.TB, name string) *slog.Logger {
	if os.Getenv("COHOST_TEST_LOG") == "" {
		return nil
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})).With("client", name)
}

func startServer(t *testing.T, mutate ...func(*config.Config)) *servertest.Server {
	t.Helper()
	return servertest.Start(t, mutate...)
}

// client is an engine with a recording handler.
type client struct {
	*rtc.Engine
	name string
	rec  *recorder
	net  *breaker
}

// newClient creates an engine on srv's testing-mode app, closed at the end
// of the test (before the server stops).
func newClient(t *testing.T, srv *servertest.Server, name string, mod ...func(*rtc.EngineConfig)) *client {
	t.Helper()
	rec := &recorder{}
	br := &breaker{}
	cfg := rtc.EngineConfig{
		ServerURL:     srv.URL,
		AppID:         srv.TestAppID,
		Handler:       rec,
		Logger:        testLogger(t, name),
		SettingEngine: loopback(),
		HTTPClient:    br.client(),
	}
	for _, m := range mod {
		m(&cfg)
	}
	e, err := rtc.NewEngine(cfg)
	if err != nil {
		t.Fatalf("%s: NewEngine: %v", name, err)
	}
	c := &client{Engine: e, name: name, rec: rec, net: br}
	t.Cleanup(func() {
		if err := e.Close(); err != nil {
			t.Errorf("%s: Close: %v", name, err)
		}
		br.close()
	})
	return c
}

func asHost(cfg *rtc.EngineConfig) { cfg.ClientRole = protocol.RoleBroadcaster }

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	t.Cleanup(cancel)
	return ctx
}

// join joins channel as uid (0: assigned) and returns the uid.
func (c *client) join(t *testing.T, channel string, uid protocol.UID) protocol.UID {
	t.Helper()
	got, err := c.JoinChannel(ctxT(t), "", channel, uid)
	if err != nil {
		t.Fatalf("%s: JoinChannel: %v", c.name, err)
	}
	return got
}

// waitFor polls cond until it holds, failing the test after waitTimeout.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// recorder records the events it gets as strings, in order.
type recorder struct {
	mu     sync.Mutex
	events []string
}

func (r *recorder) add(format string, args ...any) {
	r.mu.Lock()
	r.events = append(r.events, fmt.Sprintf(format, args...))
	r.mu.Unlock()
}

// all returns the events so far.
func (r *recorder) all() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events)
}

// matching returns the events that start with one of prefixes.
func (r *recorder) matching(prefixes ...string) []string {
	var out []string
	for _, ev := range r.all() {
		for _, p := range prefixes {
			if strings.HasPrefix(ev, p) {
				out = append(out, ev)
				break
			}
		}
	}
	return out
}

func (r *recorder) has(ev string) bool { return slices.Contains(r.all(), ev) }

func (r *recorder) count(ev string) int {
	n := 0
	for _, e := range r.all() {
		if e == ev {
			n++
		}
	}
	return n
}

// waitEvent waits until ev has been recorded.
func (c *client) waitEvent(t *testing.T, ev string) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !c.rec.has(ev) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: timed out waiting for event %q; got %q", c.name, ev, c.rec.all())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (r *recorder) OnJoinChannelSuccess(ch string, uid protocol.UID, _ time.Duration) {
	r.add("join-success %s %d", ch, uid)
}
func (r *recorder) OnRejoinChannelSuccess(ch string, uid protocol.UID, _ time.Duration) {
	r.add("rejoin-success %s %d", ch, uid)
}
func (r *recorder) OnUserJoined(uid protocol.UID, _ time.Duration) { r.add("user-joined %d", uid) }
func (r *recorder) OnUserOffline(uid protocol.UID, reason protocol.UserOfflineReason) {
	r.add("user-offline %d %s", uid, reason)
}
func (r *recorder) OnUserPublished(uid protocol.UID, mt protocol.MediaType) {
	r.add("user-published %d %s", uid, mt)
}
func (r *recorder) OnUserUnpublished(uid protocol.UID, mt protocol.MediaType) {
	r.add("user-unpublished %d %s", uid, mt)
}
func (r *recorder) OnUserMuteAudio(uid protocol.UID, muted bool) {
	r.add("mute-audio %d %t", uid, muted)
}
func (r *recorder) OnUserMuteVideo(uid protocol.UID, muted bool) {
	r.add("mute-video %d %t", uid, muted)
}
func (r *recorder) OnClientRoleChanged(o, n protocol.ClientRole) { r.add("role-changed %s %s", o, n) }
func (r *recorder) OnClientRoleChangeFailed(reason protocol.ClientRoleChangeFailedReason, cur protocol.ClientRole) {
	r.add("role-change-failed %s %s", reason, cur)
}
func (r *recorder) OnConnectionStateChanged(s protocol.ConnectionState, reason protocol.ConnectionChangedReason) {
	r.add("state %s %s", s, reason)
}
func (r *recorder) OnTokenPrivilegeWillExpire(string) { r.add("token-will-expire") }
func (r *recorder) OnRequestToken()                   { r.add("request-token") }
func (r *recorder) OnLocalPublishRevoked(mt protocol.MediaType, reason string) {
	r.add("publish-revoked %s", mt)
}
func (r *recorder) OnSubscriptionFailed(uid protocol.UID, mt protocol.MediaType, err error) {
	r.add("subscription-failed %d %s", uid, mt)
}
func (r *recorder) OnError(err error) { r.add("error %v", err) }
func (r *recorder) OnChannelMediaRelayStateChanged(s protocol.RelayState, code protocol.RelayError, ch string) {
	r.add("relay-state %s %s %s", s, code, ch)
}
func (r *recorder) OnChannelMediaRelayEvent(ev protocol.RelayEvent, ch string) {
	r.add("relay-event %s %s", ev, ch)
}

// breaker dials the engine's WebSockets and can cut them, as a network
// failure would.
type breaker struct {
	mu      sync.Mutex
	conns   []net.Conn
	blocked bool
	dials   int
	trap    []byte // cut the connection instead of delivering data containing this
	after   bool   // deliver the trapped data, then cut
	tr      *http.Transport
}

// trapConn cuts its connection when the breaker's trap matches what it
// reads: the data before the matching WebSocket frame is delivered, the
// frame and everything after it are lost.
type trapConn struct {
	net.Conn
	b       *breaker
	cutNext bool
}

// frameHeader is the size of a server frame's header for payloads of 126
// to 65535 bytes (unmasked, 16-bit length).
const frameHeader = 4

func (c *trapConn) Read(p []byte) (int, error) {
	if c.cutNext {
		_ = c.Conn.Close()
		return 0, io.ErrUnexpectedEOF
	}
	n, err := c.Conn.Read(p)
	c.b.mu.Lock()
	trap := c.b.trap
	at := -1
	if trap != nil {
		at = bytes.Index(p[:n], trap)
	}
	after := c.b.after
	if at >= 0 {
		c.b.trap = nil
	}
	c.b.mu.Unlock()
	if at < 0 {
		return n, err
	}
	if after {
		c.cutNext = true
		return n, err
	}
	if at > frameHeader {
		c.cutNext = true
		return at - frameHeader, nil
	}
	_ = c.Conn.Close()
	return 0, io.ErrUnexpectedEOF
}

// cutOn arms the trap: the next read containing s is lost with the
// connection.
func (b *breaker) cutOn(s string) {
	b.mu.Lock()
	b.trap, b.after = []byte(s), false
	b.mu.Unlock()
}

// cutAfter arms the trap: the next read containing s is delivered, then
// the connection is cut.
func (b *breaker) cutAfter(s string) {
	b.mu.Lock()
	b.trap, b.after = []byte(s), true
	b.mu.Unlock()
}

// trapped reports whether the trap has fired.
func (b *breaker) trapped() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.trap == nil
}

func (b *breaker) client() *http.Client {
	b.tr = &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		b.mu.Lock()
		blocked := b.blocked
		b.dials++
		b.mu.Unlock()
		if blocked {
			return nil, errors.New("test: network down")
		}
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err == nil {
			c = &trapConn{Conn: c, b: b}
			b.mu.Lock()
			b.conns = append(b.conns, c)
			b.mu.Unlock()
		}
		return c, err
	}}
	return &http.Client{Transport: b.tr}
}

// cut closes every connection dialed so far.
func (b *breaker) cut() {
	b.mu.Lock()
	conns := b.conns
	b.conns = nil
	b.mu.Unlock()
	for _, c := range conns {
		_ = c.Close()
	}
}

// block makes dials fail (true) or work again (false).
func (b *breaker) block(on bool) {
	b.mu.Lock()
	b.blocked = on
	b.mu.Unlock()
}

// dialCount returns how many dials were attempted.
func (b *breaker) dialCount() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.dials
}

func (b *breaker) close() {
	b.cut()
	b.tr.CloseIdleConnections()
}

// syncWG is a WaitGroup that can be allocated with new.
type syncWG struct{ sync.WaitGroup }
