package cohosttest_test

import (
	"bufio"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/webrtc/v4/pkg/media"

	"github.com/cohost-rtc/cohost/cohosttest"
	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/rtc"
)

// viewer is an audience engine that may stay on the node it reaches.
func viewer(t *testing.T, c *cohosttest.Server, url string) (*rtc.Engine, *events) {
	t.Helper()
	h := &events{}
	e, err := rtc.NewEngine(rtc.EngineConfig{ServerURL: url, AppID: c.TestAppID, Handler: h, ClientRole: protocol.RoleAudience,
		AudienceOnAnyNode: true, SettingEngine: cohosttest.Loopback()})
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

// packetsOut scrapes a node's RTP packets sent (to subscribers and to
// other nodes).
func packetsOut(t *testing.T, n cohosttest.Node) uint64 {
	t.Helper()
	resp, err := http.Get(n.MetricsURL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "cohost_rtp_packets_out_total "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatal(err)
			}
			return uint64(f)
		}
	}
	t.Fatalf("no cohost_rtp_packets_out_total at %s", n.MetricsURL)
	return 0
}

// payloads reads a track and records its payloads in order.
type payloads struct {
	mu  sync.Mutex
	got []string
}

func (p *payloads) read(tr *rtc.RemoteTrack) {
	for {
		pkt, err := tr.ReadRTP()
		if err != nil {
			return
		}
		p.mu.Lock()
		p.got = append(p.got, string(pkt.Payload))
		p.mu.Unlock()
	}
}

func (p *payloads) all() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.got)
}

// waitFor polls cond until it holds, failing after 20 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	waitForWithin(t, 20*time.Second, what, cond)
}

// waitForWithin is waitFor with a deadline of d.
func waitForWithin(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestClusterAudienceOnEveryNode: a host on one node, viewers on all three
// nodes, each staying on the node it reached. Every viewer receives every
// payload once and in order, sees the host's presence in the same order,
// and the host's node sends each packet once per other node, not once
// per viewer there.
func TestClusterAudienceOnEveryNode(t *testing.T) {
	t.Parallel()
	c := cohosttest.NewCluster(t, 3, cohosttest.WithTestingModeApp())
	nodes := c.Nodes()
	host, _ := engine(t, c, nodes[0].URL, protocol.RoleBroadcaster)
	hostUID, err := host.JoinChannel(joinCtx(t), "", "edge", 0)
	if err != nil {
		t.Fatal(err)
	}
	owner := slices.Index(sessions(c), 1)
	if owner < 0 {
		t.Fatalf("sessions %v after the host's join", sessions(c))
	}
	mic, err := rtc.NewLocalTrack(protocol.CodecOpus)
	if err != nil {
		t.Fatal(err)
	}
	if err := host.Publish(joinCtx(t), mic); err != nil {
		t.Fatal(err)
	}

	// One viewer on the owner, two on each other node.
	var order []int
	for k := range 3 {
		i := (owner + k) % 3
		order = append(order, i)
		if k > 0 {
			order = append(order, i)
		}
	}
	type watcher struct {
		node int
		h    *events
		p    *payloads
	}
	var ws []watcher
	for _, i := range order {
		e, h := viewer(t, c, nodes[i].URL)
		if _, err := e.JoinChannel(joinCtx(t), "", "edge", 0); err != nil {
			t.Fatalf("viewer on node %d: %v", i, err)
		}
		waitFor(t, "the viewer sees the host's audio", func() bool { return h.has(fmt.Sprintf("user-published %d audio", hostUID)) })
		tr, err := e.Subscribe(joinCtx(t), hostUID, protocol.MediaAudio)
		if err != nil {
			t.Fatalf("viewer on node %d subscribes: %v", i, err)
		}
		p := &payloads{}
		go p.read(tr)
		ws = append(ws, watcher{node: i, h: h, p: p})
	}
	want := []int{2, 2, 2}
	want[owner] = 2 // the host and its viewer
	if got := sessions(c); !slices.Equal(got, want) {
		t.Fatalf("sessions per node %v, want %v: viewers stay where they connected", got, want)
	}

	var ps []*payloads
	for _, w := range ws {
		ps = append(ps, w.p)
	}
	warmUp(t, mic, ps...)
	const count = 100
	before := make([]uint64, 3)
	for i, nd := range nodes {
		before[i] = packetsOut(t, nd)
	}
	send(mic, "n", count)
	for _, w := range ws {
		checkPayloads(t, fmt.Sprintf("a viewer on node %d", w.node), w.p, "n", count)
	}
	sent := packetsOut(t, nodes[owner]) - before[owner]
	// One copy for its own viewer and one per other node: 3 per packet;
	// per viewer it would be 5. (A few warm-up packets may still be
	// counted.)
	if sent < 3*count || sent >= 4*count {
		t.Errorf("the host's node sent %d packets for %d: want one per node with viewers (%d)", sent, count, 3*count)
	}
	for _, i := range order[1:] {
		if got := packetsOut(t, nodes[i]) - before[i]; got < 2*count {
			t.Errorf("node %d sent %d packets for %d to its two viewers", i, got, count)
		}
	}
	t.Logf("packets sent for %d: host's node %d, others %d and %d", count, sent,
		packetsOut(t, nodes[order[1]])-before[order[1]], packetsOut(t, nodes[order[3]])-before[order[3]])

	// The host leaves: every viewer sees the same presence, in order.
	if err := host.LeaveChannel(joinCtx(t)); err != nil {
		t.Fatal(err)
	}
	gone := fmt.Sprintf("user-offline %d %s", hostUID, protocol.OfflineQuit)
	var first []string
	for k, w := range ws {
		waitFor(t, "the viewer sees the host leave", func() bool { return w.h.has(gone) })
		var presence []string
		for _, ev := range w.h.all() {
			if strings.HasPrefix(ev, "user-") {
				presence = append(presence, ev)
			}
		}
		if k == 0 {
			first = presence
			continue
		}
		if !slices.Equal(presence, first) {
			t.Errorf("a viewer on node %d saw %v, the owner's viewer %v", w.node, presence, first)
		}
	}
}

// edgeSetup starts a cluster with a host on its channel's node and
// returns the index of that node.
func edgeSetup(t *testing.T, c *cohosttest.Server) (owner int, hostUID protocol.UID, host *rtc.Engine) {
	t.Helper()
	host, _ = engine(t, c, c.Nodes()[0].URL, protocol.RoleBroadcaster)
	hostUID, err := host.JoinChannel(joinCtx(t), "", "edge", 0)
	if err != nil {
		t.Fatal(err)
	}
	owner = slices.Index(sessions(c), 1)
	if owner < 0 {
		t.Fatalf("sessions %v after the host's join", sessions(c))
	}
	return owner, hostUID, host
}

// TestClusterEdgeSameUID: a uid joining on one edge node ends the session
// of the same uid on another (SAME_UID_LOGIN).
func TestClusterEdgeSameUID(t *testing.T) {
	t.Parallel()
	c := cohosttest.NewCluster(t, 3, cohosttest.WithTestingModeApp())
	owner, _, _ := edgeSetup(t, c)
	nodes := c.Nodes()
	b, cNode := (owner+1)%3, (owner+2)%3
	first, h1 := viewer(t, c, nodes[b].URL)
	if _, err := first.JoinChannel(joinCtx(t), "", "edge", 77); err != nil {
		t.Fatal(err)
	}
	second, _ := viewer(t, c, nodes[cNode].URL)
	if _, err := second.JoinChannel(joinCtx(t), "", "edge", 77); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the first session ends with SAME_UID_LOGIN", func() bool {
		return slices.ContainsFunc(h1.all(), func(ev string) bool { return strings.HasSuffix(ev, "SAME_UID_LOGIN") })
	})
	want := []int{0, 0, 0}
	want[owner], want[cNode] = 1, 1
	waitFor(t, "only the second session remains", func() bool { return slices.Equal(sessions(c), want) })
}

// TestClusterEdgeStopsPulling: the host's node sends a track to an edge
// only while a member there watches it.
func TestClusterEdgeStopsPulling(t *testing.T) {
	t.Parallel()
	c := cohosttest.NewCluster(t, 2, cohosttest.WithTestingModeApp())
	owner, hostUID, host := edgeSetup(t, c)
	nodes := c.Nodes()
	mic, err := rtc.NewLocalTrack(protocol.CodecOpus)
	if err != nil {
		t.Fatal(err)
	}
	if err := host.Publish(joinCtx(t), mic); err != nil {
		t.Fatal(err)
	}
	v, h := viewer(t, c, nodes[1-owner].URL)
	if _, err := v.JoinChannel(joinCtx(t), "", "edge", 0); err != nil {
		t.Fatal(err)
	}
	if got := sessions(c)[1-owner]; got != 1 {
		t.Fatalf("the viewer is not on the node it reached: sessions %v", sessions(c))
	}
	waitFor(t, "the viewer sees the host's audio", func() bool { return h.has(fmt.Sprintf("user-published %d audio", hostUID)) })
	tr, err := v.Subscribe(joinCtx(t), hostUID, protocol.MediaAudio)
	if err != nil {
		t.Fatal(err)
	}
	p := &payloads{}
	go p.read(tr)
	n := 0
	send := func() {
		n++
		_ = mic.WriteSample(media.Sample{Data: []byte(fmt.Sprintf("p-%d", n)), Duration: 20 * time.Millisecond})
		time.Sleep(20 * time.Millisecond)
	}
	waitFor(t, "the viewer receives", func() bool { send(); return len(p.all()) > 0 })
	if err := v.Unsubscribe(joinCtx(t), hostUID, protocol.MediaAudio); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the host's node stops sending to the edge", func() bool {
		before := packetsOut(t, nodes[owner])
		for range 10 {
			send()
		}
		return packetsOut(t, nodes[owner]) == before
	})
}

// TestClusterEdgeOwnerDies: when the channel's node dies with its host, an
// edge hands its members to the channel's next owner instead of ending
// their sessions: the viewer stays connected (no RECONNECTING), is not
// told the host left, sees the host's track unpublished and published
// again once the host's SDK joined again elsewhere, and hears it again.
func TestClusterEdgeOwnerDies(t *testing.T) {
	t.Parallel()
	c := cohosttest.NewCluster(t, 3, cohosttest.WithTestingModeApp())
	owner, hostUID, host := edgeSetup(t, c)
	speak(t, host)
	w := watch(t, c, "the viewer", (owner+1)%3)
	if got := sessions(c)[(owner+1)%3]; got != 1 {
		t.Fatalf("the viewer is not on the node it reached: sessions %v", sessions(c))
	}
	waitFor(t, "the viewer sees the host's audio", func() bool { return w.h.has(fmt.Sprintf("user-published %d audio", hostUID)) })
	w.listen(t, hostUID, protocol.MediaAudio)
	waitFor(t, "the viewer hears the host", func() bool { return len(w.p.all()) > 0 })
	crashed := time.Now()
	cohosttest.CrashNode(c, owner)
	hearsHostAgain(t, w, hostUID, crashed, "died")
	if moved := metricSum(t, c, owner, `cohost_cluster_handovers_total{result="moved"}`); moved != 1 {
		t.Errorf("%v channels handed over, want 1", moved)
	}
}

// TestClusterEdgeOwnerDiesHostGone: the channel's node dies with its host,
// whose app stops instead of joining again: the viewer on an edge, handed
// to the next owner, stays connected and hears that the host left
// (DROPPED) once the drop timeout has passed, as it would on one node.
func TestClusterEdgeOwnerDiesHostGone(t *testing.T) {
	t.Parallel()
	c := cohosttest.NewCluster(t, 3, cohosttest.WithTestingModeApp(), cohosttest.WithTimers(cohosttest.Timers{DropTimeout: 3 * time.Second}))
	owner, hostUID, host := edgeSetup(t, c)
	speak(t, host)
	w := watch(t, c, "the viewer", (owner+1)%3)
	waitFor(t, "the viewer sees the host's audio", func() bool { return w.h.has(fmt.Sprintf("user-published %d audio", hostUID)) })
	crashed := time.Now()
	cohosttest.CrashNode(c, owner)
	if err := host.Close(); err != nil {
		t.Logf("the host's engine closes: %v", err)
	}
	waitFor(t, "the viewer hears that the host left", func() bool { return w.h.has(fmt.Sprintf("user-offline %d %s", hostUID, protocol.OfflineDropped)) })
	t.Logf("the viewer heard the host left %v after the crash", time.Since(crashed).Round(time.Millisecond))
	want := []string{"user-joined", "user-published audio", "user-unpublished audio", "user-offline " + protocol.OfflineDropped.String()}
	if got := w.h.about(hostUID); !slices.Equal(got, want) {
		t.Errorf("the viewer saw %q, want %q", got, want)
	}
	for _, ev := range w.h.all() {
		if strings.HasPrefix(ev, fmt.Sprintf("state %s", protocol.ConnReconnecting)) || strings.HasPrefix(ev, fmt.Sprintf("state %s", protocol.ConnFailed)) {
			t.Errorf("the viewer saw %q", ev)
		}
	}
	if w.e.ConnectionState() != protocol.ConnConnected {
		t.Errorf("the viewer's connection is %s", w.e.ConnectionState())
	}
}

// hearsHostAgain waits until w, a viewer on an edge whose channel's node
// died or drained (at since) with the host on it, sees the host's audio
// published again once the host joined again elsewhere, subscribes again
// and hears it; the viewer must have seen nothing else about the host and
// kept its connection.
func hearsHostAgain(t *testing.T, w *watcher, hostUID protocol.UID, since time.Time, what string) {
	t.Helper()
	waitFor(t, "the viewer sees the host publish again", func() bool { return publishedAudio(w.h, hostUID) >= 2 })
	w.listen(t, hostUID, protocol.MediaAudio)
	waitFor(t, "the viewer hears the host again", func() bool { return len(w.p.all()) > 0 })
	t.Logf("the edge viewer hears the host again %v after its channel's node %s; events about it: %q",
		time.Since(since).Round(time.Millisecond), what, w.h.about(hostUID))
	want := []string{"user-joined", "user-published audio", "user-unpublished audio", "user-published audio"}
	if got := w.h.about(hostUID); !slices.Equal(got, want) {
		t.Errorf("the viewer saw %q, want %q", got, want)
	}
	noReconnection(t, "the viewer", w.h)
}

// publishedAudio counts the user-published events h saw for uid's audio.
func publishedAudio(h *hostEvents, uid protocol.UID) int {
	n := 0
	for _, ev := range h.about(uid) {
		if ev == "user-published audio" {
			n++
		}
	}
	return n
}

// noReconnection checks that h saw its connection neither lost nor failed.
func noReconnection(t *testing.T, who string, h *hostEvents) {
	t.Helper()
	for _, ev := range h.all() {
		if strings.HasPrefix(ev, fmt.Sprintf("state %s", protocol.ConnReconnecting)) ||
			strings.HasPrefix(ev, fmt.Sprintf("state %s", protocol.ConnFailed)) || strings.HasPrefix(ev, "user-offline") {
			t.Errorf("%s saw %q", who, ev)
		}
	}
}

// metricSum sums a metric line's value over the nodes but skip.
func metricSum(t *testing.T, c *cohosttest.Server, skip int, line string) float64 {
	t.Helper()
	var sum float64
	for i, n := range c.Nodes() {
		if i == skip {
			continue
		}
		resp, err := http.Get(n.MetricsURL)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), line+" "); ok {
				f, err := strconv.ParseFloat(v, 64)
				if err != nil {
					t.Fatal(err)
				}
				sum += f
			}
		}
		resp.Body.Close()
	}
	return sum
}

// TestClusterCascadeCost: the packets the host's node sends grow by one
// stream per node with viewers, not by one per viewer: viewers (two per
// node) on the host's node, then on two, then on three nodes.
func TestClusterCascadeCost(t *testing.T) {
	t.Parallel()
	c := cohosttest.NewCluster(t, 3, cohosttest.WithTestingModeApp())
	owner, hostUID, host := edgeSetup(t, c)
	nodes := c.Nodes()
	mic, err := rtc.NewLocalTrack(protocol.CodecOpus)
	if err != nil {
		t.Fatal(err)
	}
	if err := host.Publish(joinCtx(t), mic); err != nil {
		t.Fatal(err)
	}
	seq := 0
	send := func(prefix string) string {
		seq++
		p := fmt.Sprintf("%s-%05d", prefix, seq)
		_ = mic.WriteSample(media.Sample{Data: []byte(p), Duration: 20 * time.Millisecond})
		time.Sleep(10 * time.Millisecond)
		return p
	}
	var all []*payloads
	const count = 200
	for k := range 3 {
		node := (owner + k) % 3
		for range 2 {
			v, h := viewer(t, c, nodes[node].URL)
			if _, err := v.JoinChannel(joinCtx(t), "", "edge", 0); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "the viewer sees the host's audio", func() bool { return h.has(fmt.Sprintf("user-published %d audio", hostUID)) })
			tr, err := v.Subscribe(joinCtx(t), hostUID, protocol.MediaAudio)
			if err != nil {
				t.Fatal(err)
			}
			p := &payloads{}
			go p.read(tr)
			all = append(all, p)
		}
		waitFor(t, "every viewer receives", func() bool {
			last := send("warm")
			time.Sleep(50 * time.Millisecond)
			for _, p := range all {
				if !slices.Contains(p.all(), last) {
					return false
				}
			}
			return true
		})
		before := packetsOut(t, nodes[owner])
		var last string
		for range count {
			last = send("n")
		}
		for _, p := range all {
			waitFor(t, "every viewer receives the last packet", func() bool { return slices.Contains(p.all(), last) })
		}
		sent := packetsOut(t, nodes[owner]) - before
		perPacket := float64(sent) / count
		t.Logf("viewers on %d node(s), %d viewers: the host's node sent %d packets for %d (%.2f per packet)", k+1, len(all), sent, count, perPacket)
		// Two copies for its own viewers, one per other node with viewers.
		if want := 2 + k; sent < uint64(want*count) || sent >= uint64((want+1)*count) {
			t.Errorf("viewers on %d node(s): %.2f packets sent per packet, want %d", k+1, perPacket, want)
		}
	}
}

// TestClusterEdgeOwnerDrains: when the channel's node drains, a viewer on
// an edge is handed to the channel's next owner: it stays connected, does
// not see the host leave, and hears the host again once the host (a member
// of the draining node) joined again through another node.
func TestClusterEdgeOwnerDrains(t *testing.T) {
	t.Parallel()
	c := cohosttest.NewCluster(t, 3, cohosttest.WithTestingModeApp())
	owner, hostUID, host := edgeSetup(t, c)
	speak(t, host)
	edge := (owner + 1) % 3
	w := watch(t, c, "the viewer", edge)
	if got := sessions(c)[edge]; got != 1 {
		t.Fatalf("the viewer is not on the node it reached: sessions %v", sessions(c))
	}
	waitFor(t, "the viewer sees the host's audio", func() bool { return w.h.has(fmt.Sprintf("user-published %d audio", hostUID)) })
	w.listen(t, hostUID, protocol.MediaAudio)
	waitFor(t, "the viewer hears the host", func() bool { return len(w.p.all()) > 0 })
	drained := time.Now()
	if err := c.StopNode(owner); err != nil {
		t.Fatalf("drain: %v", err)
	}
	hearsHostAgain(t, w, hostUID, drained, "began to drain")
	if w.e.ConnectionState() != protocol.ConnConnected {
		t.Errorf("the viewer's connection is %s", w.e.ConnectionState())
	}
	if moved := metricSum(t, c, owner, `cohost_cluster_handovers_total{result="moved"}`); moved != 1 {
		t.Errorf("%v channels handed over, want 1", moved)
	}
}
