package cohosttest_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cohost-rtc/cohost/cohosttest"
	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/rtc"
	"github.com/cohost-rtc/cohost/token"
)

// edgeRelay is a relaying host of channel "src" connected to an edge
// node b, the channel being owned by node a, with two destinations:
// "dstY", owned by a too, and "dstZ", owned by node cc.
type edgeRelay struct {
	a, b, cc int
	host     *rtc.Engine
	ev       *relayEvents
	mic      *rtc.LocalTrack
	srcView  *relayEvents // a viewer of "src" on a
	zEdge    *relayEvents // a viewer of "dstZ" on b, an edge of it
	zEdgeE   *rtc.Engine  // its engine
}

// placeEdgeRelay places the channels: "dstZ" by its host (uid 3) on cc,
// then a viewer of it (uid 44) on b as an edge, so that a, the least
// loaded node, takes "src" (a viewer, uid 11) and "dstY" (its host, uid
// 2). The relaying host (uid 1) then joins "src" through b, where it
// stays, and publishes.
func placeEdgeRelay(t *testing.T, c *cohosttest.Server, a, b, cc int) *edgeRelay {
	t.Helper()
	nodes := c.Nodes()
	r := &edgeRelay{a: a, b: b, cc: cc}
	relayJoin(t, c, nodes[cc].URL, protocol.RoleBroadcaster, false, "dstZ", 3)
	r.zEdgeE, r.zEdge = relayJoin(t, c, nodes[b].URL, protocol.RoleAudience, true, "dstZ", 44)
	idB, idC := clusterInfo(nodes[b].URL).Self, clusterInfo(nodes[cc].URL).Self
	waitFor(t, "node a hears that the two other nodes have a user", func() bool {
		busy := 0
		for _, n := range clusterInfo(nodes[a].URL).Nodes {
			if (n.ID == idB || n.ID == idC) && n.Load.Users >= 1 {
				busy++
			}
		}
		return busy == 2
	})
	_, r.srcView = relayJoin(t, c, nodes[a].URL, protocol.RoleAudience, false, "src", 11)
	relayJoin(t, c, nodes[a].URL, protocol.RoleBroadcaster, false, "dstY", 2)
	want := []int{0, 0, 0}
	want[a], want[b], want[cc] = 2, 1, 1
	if got := sessions(c); !slices.Equal(got, want) {
		t.Fatalf("sessions %v, want %v: src and dstY on node %d, dstZ on node %d", got, want, a, cc)
	}
	r.host, r.ev = relayJoin(t, c, nodes[b].URL, protocol.RoleBroadcaster, true, "src", 1)
	want[b]++
	if got := sessions(c); !slices.Equal(got, want) {
		t.Fatalf("sessions %v, want %v: the relaying host stays on node %d", got, want, b)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("relaying host events %q", r.ev.all())
		}
	})
	var err error
	if r.mic, err = rtc.NewLocalTrack(protocol.CodecOpus); err != nil {
		t.Fatal(err)
	}
	if err := r.host.Publish(joinCtx(t), r.mic); err != nil {
		t.Fatal(err)
	}
	return r
}

// subscribeRelayed subscribes e to uid's audio once ev saw it published.
func subscribeRelayed(t *testing.T, what string, e *rtc.Engine, ev *relayEvents, uid protocol.UID) *seqPayloads {
	t.Helper()
	waitFor(t, what+" sees the relayed audio", func() bool { return ev.has(fmt.Sprintf("user-published %d audio", uid)) })
	tr, err := e.Subscribe(joinCtx(t), uid, protocol.MediaAudio)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	p := &seqPayloads{}
	go p.read(tr)
	return p
}

// TestClusterRelayFromEdgeHost is seeds 001/002 with the relaying host on
// an edge of its channel: the relay runs on the host's node with the same
// states and events as on one node, into a destination owned by the
// source channel's node and one owned by a third node. The destinations'
// viewers (on their channels' nodes, and on the host's node as an edge)
// receive every payload once and in order, with sequence numbers
// continuous across a pause; the relaying host alone sees the
// destinations' hosts; an update and a stop remove the relayed host
// (user-unpublished, then user-offline QUIT).
func TestClusterRelayFromEdgeHost(t *testing.T) {
	t.Parallel()
	c := cohosttest.NewCluster(t, 3, cohosttest.WithTestingModeApp(), cohosttest.WithNodeTimeout(stableNodeTimeout))
	nodes := c.Nodes()
	r := placeEdgeRelay(t, c, 0, 1, 2)
	yView, evY := relayJoin(t, c, nodes[r.a].URL, protocol.RoleAudience, false, "dstY", 22)
	zView, evZ := relayJoin(t, c, nodes[r.cc].URL, protocol.RoleAudience, false, "dstZ", 33)

	cfg := rtc.NewChannelMediaRelayConfiguration()
	cfg.SetSrcChannelInfo(rtc.ChannelMediaInfo{})
	cfg.AddDestChannelInfo(rtc.ChannelMediaInfo{ChannelName: "dstY", UID: 100})
	cfg.AddDestChannelInfo(rtc.ChannelMediaInfo{ChannelName: "dstZ", UID: 200})
	if err := r.host.StartChannelMediaRelay(joinCtx(t), cfg); err != nil {
		t.Fatalf("relay from a host on an edge: %v", err)
	}
	wantStart := []string{"relay-state RELAY_STATE_CONNECTING RELAY_OK ", "relay-event PACKET_JOINED_SRC_CHANNEL src",
		"relay-event PACKET_JOINED_DEST_CHANNEL dstY", "relay-event PACKET_SENT_TO_DEST_CHANNEL dstY",
		"relay-event PACKET_JOINED_DEST_CHANNEL dstZ", "relay-event PACKET_SENT_TO_DEST_CHANNEL dstZ",
		"relay-event PACKET_RECEIVED_AUDIO_FROM_SRC ", "relay-state RELAY_STATE_RUNNING RELAY_OK "}
	if got := r.ev.matching("relay-"); !slices.Equal(got, wantStart) {
		t.Errorf("relay callbacks at the start %q, want %q", got, wantStart)
	}
	waitFor(t, "the relaying host sees the destinations' hosts", func() bool {
		return r.ev.has("user-joined 2") && r.ev.has("user-joined 3")
	})

	ps := []*seqPayloads{
		subscribeRelayed(t, "dstY's viewer on its node", yView, evY, 100),
		subscribeRelayed(t, "dstZ's viewer on its node", zView, evZ, 200),
		subscribeRelayed(t, "dstZ's viewer on the host's node", r.zEdgeE, r.zEdge, 200),
	}
	sendUntil(t, "every destination viewer receives the relayed audio", r.mic, "warm", ps...)
	const count = 50
	send(r.mic, "a", count)
	for _, p := range ps {
		waitFor(t, "the viewers receive the payloads before the pause", func() bool { return p.has(fmt.Sprintf("a-%04d", count-1)) })
	}
	if err := r.host.PauseAllChannelMediaRelay(joinCtx(t)); err != nil {
		t.Fatal(err)
	}
	send(r.mic, "p", 20)
	if err := r.host.ResumeAllChannelMediaRelay(joinCtx(t)); err != nil {
		t.Fatal(err)
	}
	send(r.mic, "b", count)
	var want []string
	for _, pre := range []string{"a", "b"} {
		for k := range count {
			want = append(want, fmt.Sprintf("%s-%04d", pre, k))
		}
	}
	for i, p := range ps {
		waitFor(t, "the viewers receive the payloads after the resume", func() bool { return p.has(fmt.Sprintf("b-%04d", count-1)) })
		got, seqs := p.with("a-", "b-", "p-")
		if !slices.Equal(got, want) {
			t.Fatalf("viewer %d got %q, want every payload before the pause and after the resume, once, in order, and none during it", i, got)
		}
		for k := 1; k < len(seqs); k++ {
			if seqs[k] != seqs[k-1]+1 {
				t.Fatalf("viewer %d: sequence number %d after %d (payload %s): not continuous across the pause", i, seqs[k], seqs[k-1], got[k])
			}
		}
	}
	if pr, rr := r.ev.matching("relay-event PAUSE"), r.ev.matching("relay-event RESUME"); !slices.Equal(pr, []string{"relay-event PAUSE_SEND_PACKET_TO_DEST_CHANNEL_SUCCESS "}) ||
		!slices.Equal(rr, []string{"relay-event RESUME_SEND_PACKET_TO_DEST_CHANNEL_SUCCESS "}) {
		t.Errorf("pause and resume callbacks %q %q", pr, rr)
	}
	for _, ev := range r.srcView.all() {
		if ev == "user-joined 2" || ev == "user-joined 3" || strings.HasSuffix(ev, " 100") || strings.HasSuffix(ev, " 200") {
			t.Errorf("a member of the source channel heard of a destination: %q", ev)
		}
	}

	// An update keeps dstY untouched and removes dstZ.
	time.Sleep(1100 * time.Millisecond) // timers.relayMinInterval between a start and an update
	if err := r.host.UpdateChannelMediaRelay(joinCtx(t), relayTo("dstY", 100)); err != nil {
		t.Fatal(err)
	}
	if !r.ev.has("relay-event PACKET_UPDATE_DEST_CHANNEL ") {
		t.Errorf("no update callback in %q", r.ev.matching("relay-"))
	}
	waitFor(t, "the relaying host sees dstZ's host leave", func() bool { return r.ev.has("user-offline 3 QUIT") })
	for _, ev := range []*relayEvents{evZ, r.zEdge} {
		waitFor(t, "dstZ's viewers see the relayed host leave", func() bool { return ev.has("user-offline 200 QUIT") })
	}
	send(r.mic, "u", count)
	waitFor(t, "dstY's viewer receives the payloads after the update", func() bool { return ps[0].has(fmt.Sprintf("u-%04d", count-1)) })
	if got, _ := ps[0].with("u-"); len(got) != count {
		t.Errorf("dstY's viewer got %d payloads after the update, want %d", len(got), count)
	}

	if err := r.host.StopChannelMediaRelay(joinCtx(t)); err != nil {
		t.Fatal(err)
	}
	if got := r.ev.matching("relay-state"); got[len(got)-1] != "relay-state RELAY_STATE_IDLE RELAY_OK " {
		t.Errorf("relay states %q: want IDLE last", got)
	}
	if !r.ev.has("user-offline 2 QUIT") {
		t.Errorf("the relaying host still sees dstY's host after the stop: %q", r.ev.all())
	}
	for i, v := range []struct {
		ev  *relayEvents
		uid protocol.UID
	}{{evY, 100}, {evZ, 200}, {r.zEdge, 200}} {
		waitFor(t, "a destination viewer sees the relayed host leave", func() bool { return v.ev.has(fmt.Sprintf("user-offline %d QUIT", v.uid)) })
		var about []string
		for _, e := range v.ev.all() {
			if strings.HasPrefix(e, "user-") && strings.Contains(e, fmt.Sprintf(" %d", v.uid)) {
				about = append(about, e)
			}
		}
		wantAbout := []string{fmt.Sprintf("user-joined %d", v.uid), fmt.Sprintf("user-published %d audio", v.uid),
			fmt.Sprintf("user-unpublished %d audio", v.uid), fmt.Sprintf("user-offline %d QUIT", v.uid)}
		if !slices.Equal(about, wantAbout) {
			t.Errorf("viewer %d saw %q of the relayed host, want %q", i, about, wantAbout)
		}
	}
	if slices.ContainsFunc(r.ev.all(), func(s string) bool { return strings.HasPrefix(s, "relay-state RELAY_STATE_FAILURE") }) {
		t.Errorf("relay failed: %q", r.ev.matching("relay-"))
	}
}

// TestClusterRelayEdgeHostNodeDies: the node of a relaying host on an
// edge dies. The host's Go SDK joins again through another edge of its
// channel and continues the relay there (NETWORK_DISCONNECTED, then
// NETWORK_CONNECTED, never IDLE nor FAILURE), paused as it was; the
// destination's node keeps the relayed host meanwhile, so its viewer
// never sees it leave and, once the relay is resumed, receives it again.
func TestClusterRelayEdgeHostNodeDies(t *testing.T) {
	t.Parallel()
	c := cohosttest.NewCluster(t, 3, cohosttest.WithTestingModeApp(), cohosttest.WithTimers(cohosttest.Timers{DropTimeout: 10 * time.Second}),
		cohosttest.WithNodeTimeout(failNodeTimeout))
	nodes := c.Nodes()
	// The SDK joins again through the nodes it was told of, in the order
	// of their ids: the host's node has the smallest, the next one is an
	// edge (it owns dstZ), the channel's node has the largest.
	byID := []int{0, 1, 2}
	ids := make([]string, 3)
	for i := range nodes {
		ids[i] = string(clusterInfo(nodes[i].URL).Self)
	}
	slices.SortFunc(byID, func(x, y int) int { return strings.Compare(ids[x], ids[y]) })
	r := placeEdgeRelay(t, c, byID[2], byID[0], byID[1])
	yView, evY := relayJoin(t, c, nodes[r.a].URL, protocol.RoleAudience, false, "dstY", 22)
	if err := r.host.StartChannelMediaRelay(joinCtx(t), relayTo("dstY", 100)); err != nil {
		t.Fatal(err)
	}
	p := subscribeRelayed(t, "dstY's viewer", yView, evY, 100)
	keepSending(t, r.mic)
	waitFor(t, "the viewer receives the relayed audio", func() bool { got, _ := p.with("n-"); return len(got) > 0 })

	// Paused when its node dies, the relay continues paused.
	if err := r.host.PauseAllChannelMediaRelay(joinCtx(t)); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	cohosttest.CrashNode(c, r.b)
	waitFor(t, "the relay continues on the host's new node", func() bool { return r.ev.has("relay-event NETWORK_CONNECTED dstY") })
	continued := time.Since(start)
	if got := cohosttest.RTCSessions(c, r.cc); got != 3 {
		t.Errorf("node %d (an edge of src) holds %d sessions, want 3: dstZ's host and viewer, and the relaying host", r.cc, got)
	}
	waitFor(t, "the viewer sees the relayed audio published again", func() bool { return evY.count("user-published 100 audio") >= 2 })
	p = &seqPayloads{}
	rs := &resubscriber{e: yView, ev: evY, uid: 100, p: p, seen: 1}
	rs.poll(t)
	time.Sleep(500 * time.Millisecond) // what a paused relay does not send
	if got, _ := p.with("n-"); len(got) > 0 {
		t.Errorf("the viewer received %d payloads of a paused relay", len(got))
	}
	if err := r.host.ResumeAllChannelMediaRelay(joinCtx(t)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the viewer receives the relayed audio again", func() bool {
		rs.poll(t)
		got, _ := p.with("n-")
		return len(got) > 5
	})
	t.Logf("relaying host's edge died: relay NETWORK_CONNECTED after %v, the viewer receives again after %v (sessions %v)",
		continued.Round(time.Millisecond), time.Since(start).Round(time.Millisecond), sessions(c))
	want := []string{"relay-event NETWORK_DISCONNECTED ", "relay-event NETWORK_CONNECTED dstY"}
	if got := r.ev.matching("relay-event NETWORK"); !slices.Equal(got, want) {
		t.Errorf("network relay events %q, want %q", got, want)
	}
	for _, ev := range r.ev.matching("relay-state") {
		if !strings.Contains(ev, "CONNECTING") && !strings.Contains(ev, "RUNNING") {
			t.Errorf("relay state %q after the host's node died", ev)
		}
	}
	if i := slices.IndexFunc(evY.all(), func(ev string) bool { return strings.HasPrefix(ev, "user-offline 100") }); i >= 0 {
		t.Errorf("dstY's viewer saw %q", evY.all()[i])
	}
}

// TestClusterRelayEdgeHostDemoted: a relaying host on an edge that becomes
// audience, made so by an administrator on the channel's node or by its
// own SetClientRole, stops relaying as on the channel's node: it is told
// IDLE and the destination's viewer sees the relayed host leave.
func TestClusterRelayEdgeHostDemoted(t *testing.T) {
	t.Parallel()
	c := cohosttest.NewCluster(t, 3, cohosttest.WithNodeTimeout(stableNodeTimeout))
	nodes := c.Nodes()
	tok := func(ch string, uid uint32, role token.Role) string {
		t.Helper()
		s, err := c.RTCToken(ch, uid, role)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	join := func(url, ch string, uid uint32, role protocol.ClientRole, tk string) (*rtc.Engine, *relayEvents) {
		t.Helper()
		h := &relayEvents{}
		e, err := rtc.NewEngine(rtc.EngineConfig{ServerURL: url, AppID: c.AppID, Handler: h, ClientRole: role,
			AudienceOnAnyNode: true, SettingEngine: cohosttest.Loopback()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("uid %d events %q", uid, h.all())
			}
			if err := e.Close(); err != nil {
				t.Error(err)
			}
		})
		if _, err := e.JoinChannel(joinCtx(t), tk, ch, protocol.UID(uid)); err != nil {
			t.Fatalf("uid %d joins %s: %v", uid, ch, err)
		}
		return e, h
	}
	adminTok, err := c.RTCAdminToken("src", 9, token.RoleSubscriber)
	if err != nil {
		t.Fatal(err)
	}
	admin, _ := join(nodes[0].URL, "src", 9, protocol.RoleAudience, adminTok)
	owner := slices.Index(sessions(c), 1)
	if owner < 0 {
		t.Fatalf("sessions %v after the administrator's join", sessions(c))
	}
	b := (owner + 1) % 3
	_, evY := join(nodes[owner].URL, "dstY", 22, protocol.RoleAudience, tok("dstY", 22, token.RoleSubscriber))
	type relaying struct {
		uid, dest uint32
		e         *rtc.Engine
		ev        *relayEvents
	}
	hosts := []relaying{{uid: 1, dest: 100}, {uid: 2, dest: 200}}
	for i := range hosts {
		h := &hosts[i]
		h.e, h.ev = join(nodes[b].URL, "src", h.uid, protocol.RoleBroadcaster, tok("src", h.uid, token.RolePublisher))
		speak(t, h.e)
		cfg := rtc.NewChannelMediaRelayConfiguration()
		cfg.SetSrcChannelInfo(rtc.ChannelMediaInfo{ChannelName: "src", UID: protocol.UID(h.uid), Token: tok("src", h.uid, token.RolePublisher)})
		cfg.AddDestChannelInfo(rtc.ChannelMediaInfo{ChannelName: "dstY", UID: protocol.UID(h.dest), Token: tok("dstY", h.dest, token.RolePublisher)})
		if err := h.e.StartChannelMediaRelay(joinCtx(t), cfg); err != nil {
			t.Fatalf("host %d relays from an edge: %v", h.uid, err)
		}
		waitFor(t, "the destination's viewer sees the relayed host", func() bool { return evY.has(fmt.Sprintf("user-published %d audio", h.dest)) })
	}
	if got := sessions(c); got[b] < 2 {
		t.Fatalf("sessions per node %v, want the two relaying hosts on node %d, an edge of src", got, b)
	}

	if err := admin.SetRemoteClientRole(joinCtx(t), 1, protocol.RoleAudience); err != nil {
		t.Fatalf("demote a host of an edge: %v", err)
	}
	if err := hosts[1].e.SetClientRole(joinCtx(t), protocol.RoleAudience); err != nil {
		t.Fatalf("a host of an edge becomes audience: %v", err)
	}
	for _, h := range hosts {
		waitFor(t, fmt.Sprintf("host %d is told its relay stopped", h.uid), func() bool { return h.ev.has("relay-state RELAY_STATE_IDLE RELAY_OK ") })
		waitFor(t, "the destination's viewer sees the relayed host leave", func() bool { return evY.has(fmt.Sprintf("user-offline %d QUIT", h.dest)) })
		if got := h.e.ClientRole(); got != protocol.RoleAudience {
			t.Errorf("host %d's role is %s", h.uid, got)
		}
	}
}
