package cohosttest_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/webrtc/v4/pkg/media"

	"github.com/cohost-rtc/cohost/cohosttest"
	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/rtc"
)

// events records an engine's connection states and remote users.
type events struct {
	rtc.BaseEventHandler
	mu  sync.Mutex
	log []string
}

func (h *events) add(format string, args ...any) {
	h.mu.Lock()
	h.log = append(h.log, fmt.Sprintf(format, args...))
	h.mu.Unlock()
}

func (h *events) has(ev string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Contains(h.log, ev)
}

func (h *events) all() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.log)
}

func (h *events) OnConnectionStateChanged(s protocol.ConnectionState, r protocol.ConnectionChangedReason) {
	h.add("state %s %s", s, r)
}
func (h *events) OnUserJoined(uid protocol.UID, _ time.Duration) { h.add("user-joined %d", uid) }
func (h *events) OnUserOffline(uid protocol.UID, r protocol.UserOfflineReason) {
	h.add("user-offline %d %s", uid, r)
}
func (h *events) OnUserPublished(uid protocol.UID, mt protocol.MediaType) {
	h.add("user-published %d %s", uid, mt)
}

// engine is an RTC engine on the cluster's testing-mode app that reaches
// the cluster through url; closed when the test ends.
func engine(t *testing.T, c *cohosttest.Server, url string, role protocol.ClientRole) (*rtc.Engine, *events) {
	t.Helper()
	h := &events{}
	e, err := rtc.NewEngine(rtc.EngineConfig{ServerURL: url, AppID: c.TestAppID, Handler: h, ClientRole: role,
		SettingEngine: cohosttest.Loopback()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := e.Close(); err != nil {
			t.Error(err)
		}
	})
	return e, h
}

func joinCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// speak publishes an Opus track from e and writes a packet every 20 ms
// until the test ends.
func speak(t *testing.T, e *rtc.Engine) {
	t.Helper()
	mic, err := rtc.NewLocalTrack(protocol.CodecOpus)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Publish(joinCtx(t), mic); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	done := make(chan struct{})
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

// hear subscribes e to uid's audio and waits for a packet.
func hear(t *testing.T, e *rtc.Engine, uid protocol.UID) {
	t.Helper()
	track, err := e.Subscribe(joinCtx(t), uid, protocol.MediaAudio)
	if err != nil {
		t.Fatalf("subscribe %d: %v", uid, err)
	}
	got := make(chan error, 1)
	go func() {
		_, err := track.ReadRTP()
		got <- err
	}()
	select {
	case err := <-got:
		if err != nil {
			t.Fatalf("read %d's audio: %v", uid, err)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("no audio from %d within 20 s", uid)
	}
}

// sessions lists how many RTC sessions each node holds.
func sessions(c *cohosttest.Server) []int {
	out := make([]int, len(c.Nodes()))
	for i := range out {
		out[i] = cohosttest.RTCSessions(c, i)
	}
	return out
}

// TestClusterChannelOnOneNode: whichever node its members reach, a
// channel's members all end up on the node that owns it, the audience
// hears the host, and a second login with the host's uid through a third
// node ends the first one with SAME_UID_LOGIN.
func TestClusterChannelOnOneNode(t *testing.T) {
	t.Parallel()
	c := cohosttest.NewCluster(t, 3, cohosttest.WithTestingModeApp())
	nodes := c.Nodes()

	first, _ := engine(t, c, nodes[0].URL, protocol.RoleAudience)
	if _, err := first.JoinChannel(joinCtx(t), "", "show", 10); err != nil {
		t.Fatalf("join through A: %v", err)
	}
	if got := sessions(c); !slices.Equal(got, []int{1, 0, 0}) {
		t.Fatalf("a new channel reached through A (all nodes idle) is on nodes %v, want A", got)
	}

	host, hostEv := engine(t, c, nodes[1].URL, protocol.RoleBroadcaster)
	uid, err := host.JoinChannel(joinCtx(t), "", "show", 20)
	if err != nil || uid != 20 {
		t.Fatalf("host join through B: uid %d, %v", uid, err)
	}
	if got := sessions(c); !slices.Equal(got, []int{2, 0, 0}) {
		t.Fatalf("sessions per node after the host joined through B: %v, want all on A", got)
	}
	speak(t, host)

	viewer, _ := engine(t, c, nodes[2].URL, protocol.RoleAudience)
	if _, err := viewer.JoinChannel(joinCtx(t), "", "show", 30); err != nil {
		t.Fatalf("audience join through C: %v", err)
	}
	if got := sessions(c); !slices.Equal(got, []int{3, 0, 0}) {
		t.Fatalf("sessions per node after the audience joined through C: %v, want all on A", got)
	}
	hear(t, viewer, 20)

	again, _ := engine(t, c, nodes[2].URL, protocol.RoleBroadcaster)
	if _, err := again.JoinChannel(joinCtx(t), "", "show", 20); err != nil {
		t.Fatalf("second login of uid 20 through C: %v", err)
	}
	waitUntil(t, 20*time.Second, "the first login of uid 20 ends with SAME_UID_LOGIN", func() bool {
		return hostEv.has("state FAILED SAME_UID_LOGIN")
	})
	if got := sessions(c); !slices.Equal(got, []int{3, 0, 0}) {
		t.Fatalf("sessions per node after the second login: %v, want 3 on A", got)
	}
}

// TestClusterFullNodeSendsNewcomersElsewhere: a node at its user limit
// sends the join of a new channel to a node that has room, and a channel
// on a full node refuses newcomers.
func TestClusterFullNodeSendsNewcomersElsewhere(t *testing.T) {
	t.Parallel()
	c := cohosttest.NewCluster(t, 3, cohosttest.WithTestingModeApp(), cohosttest.WithNodeMaxUsers(1))
	nodes := c.Nodes()

	a, _ := engine(t, c, nodes[0].URL, protocol.RoleBroadcaster)
	if _, err := a.JoinChannel(joinCtx(t), "", "one", 1); err != nil {
		t.Fatal(err)
	}
	if got := sessions(c); !slices.Equal(got, []int{1, 0, 0}) {
		t.Fatalf("first channel on nodes %v, want A", got)
	}
	b, _ := engine(t, c, nodes[0].URL, protocol.RoleBroadcaster)
	if _, err := b.JoinChannel(joinCtx(t), "", "two", 2); err != nil {
		t.Fatalf("join of a new channel through the full node A: %v", err)
	}
	if got := sessions(c); got[0] != 1 || got[1]+got[2] != 1 {
		t.Fatalf("second channel: sessions per node %v, want it on B or C", got)
	}
	late, _ := engine(t, c, nodes[1].URL, protocol.RoleAudience)
	_, err := late.JoinChannel(joinCtx(t), "", "one", 3)
	var pe *protocol.Error
	if !errors.As(err, &pe) || pe.Code != protocol.ErrNoServerResources {
		t.Fatalf("join of the channel on the full node A: %v, want ERR_NO_SERVER_RESOURCES", err)
	}
	if !strings.Contains(pe.Message, "full") {
		t.Errorf("refusal %q does not say the node is full", pe.Message)
	}
}

// TestClusterOwnerNodeDies: when the node hosting a channel dies, its host
// and its audience reconnect through the other nodes (RECONNECTING, then
// CONNECTED with REJOIN_SUCCESS), keep their uids and roles, the host
// publishes again by itself and the audience hears it again on the same
// track, and nobody is told anybody left.
func TestClusterOwnerNodeDies(t *testing.T) {
	t.Parallel()
	c := cohosttest.NewCluster(t, 3, cohosttest.WithTestingModeApp())
	nodes := c.Nodes()

	host, hostEv := engine(t, c, nodes[0].URL, protocol.RoleBroadcaster)
	if _, err := host.JoinChannel(joinCtx(t), "", "show", 20); err != nil {
		t.Fatal(err)
	}
	speak(t, host)
	viewer, viewerEv := engine(t, c, nodes[1].URL, protocol.RoleAudience)
	if _, err := viewer.JoinChannel(joinCtx(t), "", "show", 30); err != nil {
		t.Fatal(err)
	}
	if got := sessions(c); !slices.Equal(got, []int{2, 0, 0}) {
		t.Fatalf("sessions per node: %v, want both on A", got)
	}
	track, err := viewer.Subscribe(joinCtx(t), 20, protocol.MediaAudio)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var last time.Time
	go func() {
		for {
			if _, err := track.ReadRTP(); err != nil {
				return
			}
			mu.Lock()
			last = time.Now()
			mu.Unlock()
		}
	}()
	heardSince := func(t0 time.Time) bool { mu.Lock(); defer mu.Unlock(); return last.After(t0) }
	waitUntil(t, 20*time.Second, "the viewer hears the host", func() bool { return heardSince(time.Time{}) })

	killed := time.Now()
	cohosttest.CrashNode(c, 0)
	waitUntil(t, 30*time.Second, "the host and the viewer are back in the channel", func() bool {
		return hostEv.has("state CONNECTED REJOIN_SUCCESS") && viewerEv.has("state CONNECTED REJOIN_SUCCESS")
	})
	// Packets read after the viewer moved came through the new node (the
	// old one's were read long before: it takes over a second to move).
	moved := time.Now()
	waitUntil(t, 30*time.Second, "the viewer hears the host again", func() bool { return heardSince(moved) })
	mu.Lock()
	back := last.Sub(killed)
	mu.Unlock()
	t.Logf("media flows again %v after the node hosting the channel died (node timeout 1.5 s)", back.Round(10*time.Millisecond))

	for _, h := range []*events{hostEv, viewerEv} {
		got := h.all()
		if i, j := slices.Index(got, "state RECONNECTING INTERRUPTED"), slices.Index(got, "state CONNECTED REJOIN_SUCCESS"); i < 0 || j < i {
			t.Errorf("states %q: want RECONNECTING INTERRUPTED then CONNECTED REJOIN_SUCCESS", got)
		}
		for _, ev := range got {
			if strings.HasPrefix(ev, "user-offline") || strings.HasPrefix(ev, "state FAILED") || strings.HasPrefix(ev, "state DISCONNECTED") {
				t.Errorf("unexpected %q in %q", ev, got)
			}
		}
	}
	if host.ClientRole() != protocol.RoleBroadcaster || viewer.ClientRole() != protocol.RoleAudience {
		t.Errorf("roles after the move: host %v, viewer %v", host.ClientRole(), viewer.ClientRole())
	}
	if got := sessions(c); got[1]+got[2] != 2 || (got[1] != 0 && got[2] != 0) {
		t.Errorf("sessions per surviving node: %v, want both on one node", got[1:])
	}
}
