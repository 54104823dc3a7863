package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pion/webrtc/v4/pkg/media"

	"github.com/cohost-rtc/cohost/cohosttest"
	"github.com/cohost-rtc/cohost/internal/server"
	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/rtc"
	"github.com/cohost-rtc/cohost/rtm"
)

// testingApp is an app in testing mode: joins need no token.
const testingApp = "0123456789abcdef0123456789abcdef"

// startServeCluster starts three `cohost serve` processes that form one
// cluster, waits until each lists the three, and returns them with their
// node ids.
func startServeCluster(t *testing.T, nodeTimeout time.Duration, extra ...string) ([]*serveProcess, []string) {
	t.Helper()
	var routes []string
	for range 3 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		routes = append(routes, ln.Addr().String())
		_ = ln.Close()
	}
	env := []string{"COHOST_CLUSTER_SECRET=serve-cluster-test-secret"}
	procs := make([]*serveProcess, 3)
	dirs := make([]string, 3)
	for i := range procs {
		dirs[i] = t.TempDir()
		args := []string{"--listen", "127.0.0.1:0", "--media-port", "0", "--app-id", testingApp,
			"--data-dir", dirs[i], "--ready-file", filepath.Join(dirs[i], "ready.json"),
			"--cluster-listen", routes[i], "--cluster-peers", strings.Join(routes, ","),
			"--node-timeout", nodeTimeout.String()}
		procs[i] = startServe(t, env, append(args, extra...)...)
	}
	for i, p := range procs {
		p.waitReady(t, filepath.Join(dirs[i], "ready.json"), 120*time.Second)
	}
	ids := make([]string, 3)
	for i, p := range procs {
		pollUntil(t, 20*time.Second, "node id", func() bool { return selfID(p.ready.HTTP) != "" })
		ids[i] = selfID(p.ready.HTTP)
	}
	sorted := slices.Sorted(slices.Values(ids))
	for i, p := range procs {
		pollUntil(t, 30*time.Second, fmt.Sprintf("node %d lists the three nodes", i), func() bool {
			return slices.Equal(liveNodes(p.ready.HTTP), sorted)
		})
	}
	return procs, ids
}

// nodeUsers is how many users node id reports in its heartbeat, as seen
// from the node at url (-1 when unknown).
func nodeUsers(url, id string) int {
	resp, err := http.Get(url + server.ClusterPath)
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	var info server.ClusterInfo
	if json.NewDecoder(resp.Body).Decode(&info) != nil {
		return -1
	}
	for _, n := range info.Nodes {
		if string(n.ID) == id {
			return n.Load.Users
		}
	}
	return -1
}

// rtcEvents records an engine's connection states and remote users, and
// when each came.
type rtcEvents struct {
	rtc.BaseEventHandler
	mu  sync.Mutex
	log []string
	at  []time.Time
}

func (h *rtcEvents) add(format string, args ...any) {
	h.mu.Lock()
	h.log = append(h.log, fmt.Sprintf(format, args...))
	h.at = append(h.at, time.Now())
	h.mu.Unlock()
}

// firstSince is when ev was first recorded after t0 (zero if it was not).
func (h *rtcEvents) firstSince(ev string, t0 time.Time) time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i, e := range h.log {
		if e == ev && h.at[i].After(t0) {
			return h.at[i]
		}
	}
	return time.Time{}
}

// since lists the events recorded after t0.
func (h *rtcEvents) since(t0 time.Time) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for i, e := range h.log {
		if h.at[i].After(t0) {
			out = append(out, e)
		}
	}
	return out
}

func (h *rtcEvents) has(ev string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Contains(h.log, ev)
}

func (h *rtcEvents) all() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.log)
}

func (h *rtcEvents) OnConnectionStateChanged(s protocol.ConnectionState, r protocol.ConnectionChangedReason) {
	h.add("state %s %s", s, r)
}

func (h *rtcEvents) OnUserOffline(uid protocol.UID, r protocol.UserOfflineReason) {
	h.add("user-offline %d %s", uid, r)
}

func (h *rtcEvents) OnUserPublished(uid protocol.UID, mt protocol.MediaType) {
	h.add("user-published %d %s", uid, mt)
}

func (h *rtcEvents) OnUserUnpublished(uid protocol.UID, mt protocol.MediaType) {
	h.add("user-unpublished %d %s", uid, mt)
}

// count is how many times ev was recorded.
func (h *rtcEvents) count(ev string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, e := range h.log {
		if e == ev {
			n++
		}
	}
	return n
}

// rtcMember is an RTC engine joined to a channel of the cluster.
type rtcMember struct {
	e   *rtc.Engine
	ev  *rtcEvents
	log *syncBuffer // the SDK's logs, shown when a test fails
}

// joinRTC joins channel as uid through url; the engine closes when the
// test ends.
func joinRTC(t *testing.T, url, channel string, uid protocol.UID, role protocol.ClientRole) *rtcMember {
	t.Helper()
	return joinRTCWith(t, rtc.EngineConfig{ServerURL: url, ClientRole: role, SettingEngine: cohosttest.Loopback()}, channel, uid)
}

// joinRTCWith joins channel as uid with cfg, to which it adds the testing
// app, an event recorder and a logger; the engine closes when the test
// ends.
func joinRTCWith(t *testing.T, cfg rtc.EngineConfig, channel string, uid protocol.UID) *rtcMember {
	t.Helper()
	m, err := tryJoinRTC(t, cfg, channel, uid)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// tryJoinRTC joins as joinRTCWith does, and returns the join's error
// instead of failing the test.
func tryJoinRTC(t *testing.T, cfg rtc.EngineConfig, channel string, uid protocol.UID) (*rtcMember, error) {
	t.Helper()
	h := &rtcEvents{}
	logs := &syncBuffer{}
	cfg.AppID, cfg.Handler = testingApp, h
	cfg.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e, err := rtc.NewEngine(cfg)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := e.JoinChannel(ctx, "", channel, uid); err != nil {
		_ = e.Close()
		return nil, fmt.Errorf("join %d through %s: %w", uid, cfg.ServerURL, err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return &rtcMember{e: e, ev: h, log: logs}, nil
}

// speakFor publishes an Opus track from e and writes a packet every 20 ms
// until the test ends.
func speakFor(t *testing.T, e *rtc.Engine) {
	t.Helper()
	mic, err := rtc.NewLocalTrack(protocol.CodecOpus)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := e.Publish(ctx, mic); err != nil {
		t.Fatal(err)
	}
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				_ = mic.WriteSample(media.Sample{Data: []byte{0xf8, 0xff, 0xfe}, Duration: 20 * time.Millisecond})
			}
		}
	}()
	t.Cleanup(func() { close(stop); <-done })
}

// listener is a subscription to a host's audio that records when the
// last packet arrived.
type listener struct {
	mu   sync.Mutex
	last time.Time
	// resumed is when packets came again after the last gap of 300 ms
	// or more.
	resumed time.Time
}

// listen subscribes e to uid's audio.
func listen(t *testing.T, e *rtc.Engine, uid protocol.UID) *listener {
	t.Helper()
	l, err := tryListen(e, uid)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// tryListen subscribes e to uid's audio as listen does, and returns the
// subscription's error instead of failing the test.
func tryListen(e *rtc.Engine, uid protocol.UID) (*listener, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	track, err := e.Subscribe(ctx, uid, protocol.MediaAudio)
	if err != nil {
		return nil, fmt.Errorf("subscribe %d: %w", uid, err)
	}
	l := &listener{}
	go func() {
		for {
			if _, err := track.ReadRTP(); err != nil {
				return
			}
			now := time.Now()
			l.mu.Lock()
			if !l.last.IsZero() && now.Sub(l.last) >= 300*time.Millisecond {
				l.resumed = now
			}
			l.last = now
			l.mu.Unlock()
		}
	}()
	return l, nil
}

func (l *listener) heardSince(t0 time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.last.After(t0)
}

func (l *listener) resumedAt() time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.resumed
}

// checkMoved checks what the members saw of a move: RECONNECTING, then
// CONNECTED (REJOIN_SUCCESS); never FAILED, DISCONNECTED, nor anybody
// offline; same uid and role.
func checkMoved(t *testing.T, m *rtcMember, uid protocol.UID, role protocol.ClientRole) {
	t.Helper()
	got := m.ev.all()
	if i, j := slices.Index(got, "state RECONNECTING INTERRUPTED"), slices.Index(got, "state CONNECTED REJOIN_SUCCESS"); i < 0 || j < i {
		t.Errorf("uid %d: states %q: want RECONNECTING INTERRUPTED then CONNECTED REJOIN_SUCCESS", uid, got)
	}
	for _, ev := range got {
		if strings.HasPrefix(ev, "user-offline") || strings.HasPrefix(ev, "state FAILED") || strings.HasPrefix(ev, "state DISCONNECTED") {
			t.Errorf("uid %d: unexpected %q in %q", uid, ev, got)
		}
	}
	if m.e.LocalUID() != uid || m.e.ClientRole() != role {
		t.Errorf("after the move: uid %d role %v, want %d %v", m.e.LocalUID(), m.e.ClientRole(), uid, role)
	}
}

// checkStayed checks what an edge's member saw when its channel's node
// died and the edge handed it to the next owner: its connection never
// left CONNECTED, nobody went offline, same uid and role.
func checkStayed(t *testing.T, m *rtcMember, uid protocol.UID, role protocol.ClientRole) {
	t.Helper()
	got := m.ev.all()
	for _, ev := range got {
		if strings.HasPrefix(ev, "user-offline") || (strings.HasPrefix(ev, "state ") && !strings.HasPrefix(ev, "state CONNECT")) {
			t.Errorf("uid %d: unexpected %q in %q", uid, ev, got)
		}
	}
	if m.e.LocalUID() != uid || m.e.ClientRole() != role {
		t.Errorf("after the hand-over: uid %d role %v, want %d %v", m.e.LocalUID(), m.e.ClientRole(), uid, role)
	}
}

// SIGTERM drains a `cohost serve` node of a three-node cluster: its
// channel's host and viewer move to another node (same uid and role, the
// host publishes again, the viewer hears it again, nobody is told anybody
// left), its RTM user reconnects through another node and gets the
// messages sent to it, and the process exits with status 0.
func TestServeClusterSIGTERMDrains(t *testing.T) {
	procs, ids := startServeCluster(t, 2*time.Second)
	host := joinRTC(t, procs[0].ready.HTTP, "show", 20, protocol.RoleBroadcaster)
	speakFor(t, host.e)
	viewer := joinRTC(t, procs[1].ready.HTTP, "show", 30, protocol.RoleAudience)
	pollUntil(t, 20*time.Second, "node A hosts both members", func() bool { return nodeUsers(procs[2].ready.HTTP, ids[0]) == 2 })
	heard := listen(t, viewer.e, 20)
	pollUntil(t, 20*time.Second, "the viewer hears the host", func() bool { return heard.heardSince(time.Time{}) })

	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	dora := &rtmStates{}
	doraClient, err := rtm.NewClient(rtm.ClientConfig{ServerURL: procs[0].ready.HTTP,
		ServerURLs: []string{procs[1].ready.HTTP, procs[2].ready.HTTP}, AppID: testingApp, Handler: dora})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = doraClient.Close() })
	if err := doraClient.Login(ctx, "", "dora"); err != nil {
		t.Fatalf("dora's login on node A: %v", err)
	}
	bobClient, err := rtm.NewClient(rtm.ClientConfig{ServerURL: procs[1].ready.HTTP, AppID: testingApp})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = bobClient.Close() })
	if err := bobClient.Login(ctx, "", "bob"); err != nil {
		t.Fatalf("bob's login on node B: %v", err)
	}

	start := time.Now()
	if err := procs[0].cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-procs[0].exited:
		procs[0].exited <- err
		if err != nil {
			t.Fatalf("the drained node exited with %v; stderr:\n%s", err, procs[0].stderr.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("the node did not exit within 60 s of SIGTERM; stderr:\n%s", procs[0].stderr.String())
	}
	t.Logf("node drained and exited 0 after %v", time.Since(start).Round(time.Millisecond))
	if !strings.Contains(procs[0].stderr.String(), "draining") {
		t.Errorf("the node did not log its drain; stderr:\n%s", procs[0].stderr.String())
	}
	pollUntil(t, 30*time.Second, "the host and the viewer are back in the channel", func() bool {
		return host.ev.has("state CONNECTED REJOIN_SUCCESS") && viewer.ev.has("state CONNECTED REJOIN_SUCCESS")
	})
	moved := time.Now()
	pollUntil(t, 30*time.Second, "the viewer hears the host again", func() bool { return heard.heardSince(moved) })
	checkMoved(t, host, 20, protocol.RoleBroadcaster)
	checkMoved(t, viewer, 30, protocol.RoleAudience)

	// The drained node's RTM user reconnects through another node and
	// gets what is sent to it.
	pollUntil(t, 30*time.Second, "dora is connected again through another node", func() bool {
		st := dora.all()
		return len(st) > 2 && strings.HasPrefix(st[len(st)-1], "CONNECTED")
	})
	t.Logf("dora's states: %q", dora.all())
	code, err := bobClient.SendMessageToPeer(ctx, "dora", rtm.NewTextMessage("after"), nil)
	if err != nil || code != protocol.RTMPeerMessageOK {
		t.Fatalf("bob to dora after the drain: %v %v", code, err)
	}
	pollUntil(t, 20*time.Second, "dora gets bob's message", func() bool { return slices.Contains(dora.list(), "bob after") })
}

// `cohost drain` stops a running node that is not in a cluster (it has
// nowhere to send its members) with status 0, and --wait sees it stop.
func TestDrainCommandStopsANode(t *testing.T) {
	dir := t.TempDir()
	p := startServe(t, nil, "--listen", "127.0.0.1:0", "--media-port", "0", "--app-id", testingApp,
		"--data-dir", dir, "--ready-file", filepath.Join(dir, "ready.json"))
	p.waitReady(t, filepath.Join(dir, "ready.json"), 60*time.Second)
	code, out, errOut := runArgs(t, noEnv, "drain", "--url", p.ready.HTTP, "--wait", "30s")
	if code != 0 || !strings.Contains(out, "shuts down") || !strings.Contains(out, "stopped") {
		t.Fatalf("cohost drain: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	select {
	case err := <-p.exited:
		p.exited <- err
		if err != nil {
			t.Fatalf("the node exited with %v; stderr:\n%s", err, p.stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the node did not exit after cohost drain")
	}
}

// `cohost drain` against a node that does not answer fails with a
// message saying so.
func TestDrainCommandNoServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	code, _, errOut := runArgs(t, noEnv, "drain", "--url", "http://"+addr)
	if code == 0 || !strings.Contains(errOut, "drain:") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
}
