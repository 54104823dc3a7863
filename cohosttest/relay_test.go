package cohosttest_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/pion/webrtc/v4/pkg/media"

	"github.com/cohost-rtc/cohost/cohosttest"
	"github.com/cohost-rtc/cohost/internal/servertest"
	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/rtc"
)

// The node timeouts of the relay tests: the lease time too, which a
// loaded machine running -race may miss at 1.5 s (the channel then moves
// under the test). Tests of a node's death keep it short.
const (
	stableNodeTimeout = 5 * time.Second
	failNodeTimeout   = 3 * time.Second
)

// resubscriber keeps receiving uid's audio: it subscribes again after
// each new publication (the relayed tracks are published again when the
// relay moves between nodes).
type resubscriber struct {
	e    *rtc.Engine
	ev   *relayEvents
	uid  protocol.UID
	p    *seqPayloads
	seen int
}

// poll subscribes again if uid published since the last subscription.
func (r *resubscriber) poll(t *testing.T) {
	t.Helper()
	n := r.ev.count(fmt.Sprintf("user-published %d audio", r.uid))
	if n <= r.seen {
		return
	}
	tr, err := r.e.Subscribe(joinCtx(t), r.uid, protocol.MediaAudio)
	if err != nil {
		return // it may be gone again: the next poll tries again
	}
	r.seen = n
	go r.p.read(tr)
}

// relayEvents records presence, publications and relay callbacks.
type relayEvents struct{ events }

func (h *relayEvents) OnUserUnpublished(uid protocol.UID, mt protocol.MediaType) {
	h.add("user-unpublished %d %s", uid, mt)
}
func (h *relayEvents) OnUserMuteAudio(uid protocol.UID, muted bool) {
	h.add("user-mute-audio %d %v", uid, muted)
}
func (h *relayEvents) OnChannelMediaRelayStateChanged(s protocol.RelayState, code protocol.RelayError, ch string) {
	h.add("relay-state %s %s %s", s, code, ch)
}
func (h *relayEvents) OnChannelMediaRelayEvent(ev protocol.RelayEvent, ch string) {
	h.add("relay-event %s %s", ev, ch)
}

// count is how many times ev happened.
func (h *relayEvents) count(ev string) int {
	n := 0
	for _, e := range h.all() {
		if e == ev {
			n++
		}
	}
	return n
}

// matching lists the events starting with prefix, in order.
func (h *relayEvents) matching(prefix string) []string {
	var out []string
	for _, ev := range h.all() {
		if strings.HasPrefix(ev, prefix) {
			out = append(out, ev)
		}
	}
	return out
}

// relayEngine is an engine reaching the cluster through url; edge lets an
// audience member stay on that node.
func relayEngine(t *testing.T, c *cohosttest.Server, url string, role protocol.ClientRole, edge bool) (*rtc.Engine, *relayEvents) {
	t.Helper()
	h := &relayEvents{}
	e, err := rtc.NewEngine(rtc.EngineConfig{ServerURL: url, AppID: c.TestAppID, Handler: h, ClientRole: role,
		AudienceOnAnyNode: edge, SettingEngine: cohosttest.Loopback()})
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

// relayJoin is relayEngine joined to channel as uid.
func relayJoin(t *testing.T, c *cohosttest.Server, url string, role protocol.ClientRole, edge bool, channel string, uid protocol.UID) (*rtc.Engine, *relayEvents) {
	t.Helper()
	e, h := relayEngine(t, c, url, role, edge)
	if _, err := e.JoinChannel(joinCtx(t), "", channel, uid); err != nil {
		t.Fatal(err)
	}
	return e, h
}

// seqPayloads reads a track and records its payloads and sequence
// numbers in order.
type seqPayloads struct {
	mu   sync.Mutex
	got  []string
	seqs []uint16
}

func (p *seqPayloads) read(tr *rtc.RemoteTrack) {
	for {
		pkt, err := tr.ReadRTP()
		if err != nil {
			return
		}
		p.mu.Lock()
		p.got = append(p.got, string(pkt.Payload))
		p.seqs = append(p.seqs, pkt.SequenceNumber)
		p.mu.Unlock()
	}
}

func (p *seqPayloads) has(payload string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Contains(p.got, payload)
}

// with returns the payloads with one of the prefixes and their sequence
// numbers.
func (p *seqPayloads) with(prefixes ...string) (got []string, seqs []uint16) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, g := range p.got {
		for _, pre := range prefixes {
			if strings.HasPrefix(g, pre) {
				got = append(got, g)
				seqs = append(seqs, p.seqs[i])
			}
		}
	}
	return got, seqs
}

// placeRelayChannels joins the relaying host to "src" through node 0 and
// a host to "dst" through node 1 once node 1 knows node 0 is busier, so
// that each channel is owned by the node its host reached. The relaying
// host's events are logged if the test fails.
func placeRelayChannels(t *testing.T, c *cohosttest.Server) (hostA *rtc.Engine, evA *relayEvents, mic *rtc.LocalTrack, hostB *rtc.Engine, evB *relayEvents) {
	t.Helper()
	nodes := c.Nodes()
	hostA, evA = relayJoin(t, c, nodes[0].URL, protocol.RoleBroadcaster, false, "src", 1)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("source host events %q", evA.all())
		}
	})
	if got := sessions(c); !slices.Equal(got, []int{1, 0, 0}) {
		t.Fatalf("sessions %v after the source host's join through node 0", got)
	}
	id0 := clusterInfo(nodes[0].URL).Self
	waitFor(t, "node 1 hears that node 0 has a user", func() bool {
		for _, n := range clusterInfo(nodes[1].URL).Nodes {
			if n.ID == id0 && n.Load.Users >= 1 {
				return true
			}
		}
		return false
	})
	hostB, evB = relayJoin(t, c, nodes[1].URL, protocol.RoleBroadcaster, false, "dst", 2)
	if got := sessions(c); !slices.Equal(got, []int{1, 1, 0}) {
		t.Fatalf("sessions %v after the destination host's join through node 1: want its channel there", got)
	}
	var err error
	mic, err = rtc.NewLocalTrack(protocol.CodecOpus)
	if err != nil {
		t.Fatal(err)
	}
	if err := hostA.Publish(joinCtx(t), mic); err != nil {
		t.Fatal(err)
	}
	return hostA, evA, mic, hostB, evB
}

func relayTo(ch string, uid protocol.UID) *rtc.ChannelMediaRelayConfiguration {
	cfg := rtc.NewChannelMediaRelayConfiguration()
	cfg.SetSrcChannelInfo(rtc.ChannelMediaInfo{})
	cfg.AddDestChannelInfo(rtc.ChannelMediaInfo{ChannelName: ch, UID: uid})
	return cfg
}

// send writes count payloads prefix-0000… 10 ms apart.
func send(mic *rtc.LocalTrack, prefix string, count int) {
	for k := range count {
		_ = mic.WriteSample(media.Sample{Data: []byte(fmt.Sprintf("%s-%04d", prefix, k)), Duration: 20 * time.Millisecond})
		time.Sleep(10 * time.Millisecond)
	}
}

// sendUntil writes payloads prefix-1, prefix-2… 20 ms apart until every
// reader got one of them.
func sendUntil(t *testing.T, what string, mic *rtc.LocalTrack, prefix string, ps ...*seqPayloads) {
	t.Helper()
	n := 0
	waitFor(t, what, func() bool {
		n++
		_ = mic.WriteSample(media.Sample{Data: []byte(fmt.Sprintf("%s-%d", prefix, n)), Duration: 20 * time.Millisecond})
		time.Sleep(20 * time.Millisecond)
		for _, p := range ps {
			if got, _ := p.with(prefix + "-"); len(got) == 0 {
				return false
			}
		}
		return true
	})
}

// keepSending writes payloads n-00000, n-00001… 20 ms apart until the
// test ends.
func keepSending(t *testing.T, mic *rtc.LocalTrack) {
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for k := 0; ; k++ {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			_ = mic.WriteSample(media.Sample{Data: []byte(fmt.Sprintf("n-%05d", k)), Duration: 20 * time.Millisecond})
		}
	}()
	t.Cleanup(func() { close(stop); <-done })
}

// TestClusterRelayAcrossNodes is seeds 001/002 with the source and the
// destination channels owned by different nodes: the relay runs with the
// same states and events as on one node; viewers of the destination on
// its node and on an edge receive every payload once and in order, with
// sequence numbers continuous across a pause; the source host alone sees
// the destination's hosts come and go; a stop ends the relayed host in
// the destination (user-unpublished, then user-offline QUIT).
func TestClusterRelayAcrossNodes(t *testing.T) {
	t.Parallel()
	c := cohosttest.NewCluster(t, 3, cohosttest.WithTestingModeApp(), cohosttest.WithNodeTimeout(stableNodeTimeout))
	nodes := c.Nodes()
	hostA, evA, mic, hostB, _ := placeRelayChannels(t, c)
	_, evCoA := relayJoin(t, c, nodes[0].URL, protocol.RoleAudience, false, "src", 11)
	viewB, evViewB := relayJoin(t, c, nodes[1].URL, protocol.RoleAudience, false, "dst", 22)
	edgeB, evEdgeB := relayJoin(t, c, nodes[2].URL, protocol.RoleAudience, true, "dst", 33)
	if got := sessions(c); !slices.Equal(got, []int{2, 2, 1}) {
		t.Fatalf("sessions %v: want the source's members on node 0, the destination's on node 1 and an edge viewer on node 2", got)
	}

	if err := hostA.StartChannelMediaRelay(joinCtx(t), relayTo("dst", 100)); err != nil {
		t.Fatal(err)
	}
	wantStart := []string{"relay-state RELAY_STATE_CONNECTING RELAY_OK ", "relay-event PACKET_JOINED_SRC_CHANNEL src",
		"relay-event PACKET_JOINED_DEST_CHANNEL dst", "relay-event PACKET_SENT_TO_DEST_CHANNEL dst",
		"relay-event PACKET_RECEIVED_AUDIO_FROM_SRC ", "relay-state RELAY_STATE_RUNNING RELAY_OK "}
	if got := evA.matching("relay-"); !slices.Equal(got, wantStart) {
		t.Errorf("relay callbacks at the start %q, want %q", got, wantStart)
	}
	waitFor(t, "the source host sees the destination's host", func() bool { return evA.has("user-joined 2") })

	var ps []*seqPayloads
	for _, v := range []struct {
		e  *rtc.Engine
		ev *relayEvents
	}{{viewB, evViewB}, {edgeB, evEdgeB}} {
		waitFor(t, "a destination viewer sees the relayed host's audio", func() bool { return v.ev.has("user-published 100 audio") })
		tr, err := v.e.Subscribe(joinCtx(t), 100, protocol.MediaAudio)
		if err != nil {
			t.Fatal(err)
		}
		p := &seqPayloads{}
		go p.read(tr)
		ps = append(ps, p)
	}
	sendUntil(t, "both destination viewers receive the relayed audio", mic, "warm", ps...)

	const count = 50
	send(mic, "a", count)
	for _, p := range ps {
		waitFor(t, "the viewers receive the payloads before the pause", func() bool { return p.has(fmt.Sprintf("a-%04d", count-1)) })
	}
	if err := hostA.PauseAllChannelMediaRelay(joinCtx(t)); err != nil {
		t.Fatal(err)
	}
	send(mic, "p", 20)
	if err := hostA.ResumeAllChannelMediaRelay(joinCtx(t)); err != nil {
		t.Fatal(err)
	}
	send(mic, "b", count)
	for i, p := range ps {
		waitFor(t, "the viewers receive the payloads after the resume", func() bool { return p.has(fmt.Sprintf("b-%04d", count-1)) })
		got, seqs := p.with("a-", "b-", "p-")
		var want []string
		for _, pre := range []string{"a", "b"} {
			for k := range count {
				want = append(want, fmt.Sprintf("%s-%04d", pre, k))
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("viewer %d got %q, want every payload before the pause and after the resume, once, in order, and none during it", i, got)
		}
		for k := 1; k < len(seqs); k++ {
			if seqs[k] != seqs[k-1]+1 {
				t.Fatalf("viewer %d: sequence number %d after %d (payload %s): not continuous across the pause", i, seqs[k], seqs[k-1], got[k])
			}
		}
	}
	pr := evA.matching("relay-event PAUSE")
	rr := evA.matching("relay-event RESUME")
	if !slices.Equal(pr, []string{"relay-event PAUSE_SEND_PACKET_TO_DEST_CHANNEL_SUCCESS "}) ||
		!slices.Equal(rr, []string{"relay-event RESUME_SEND_PACKET_TO_DEST_CHANNEL_SUCCESS "}) {
		t.Errorf("pause and resume callbacks %q %q", pr, rr)
	}

	// The destination's hosts come and go: the source host alone sees it.
	if err := hostB.LeaveChannel(joinCtx(t)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the source host sees the destination's host leave", func() bool { return evA.has("user-offline 2 QUIT") })
	relayJoin(t, c, nodes[2].URL, protocol.RoleBroadcaster, false, "dst", 3)
	waitFor(t, "the source host sees a new destination host", func() bool { return evA.has("user-joined 3") })
	for _, ev := range evCoA.all() {
		if ev == "user-joined 2" || ev == "user-joined 3" || strings.HasSuffix(ev, " 100") {
			t.Errorf("a member of the source channel heard of the destination: %q", ev)
		}
	}

	if err := hostA.StopChannelMediaRelay(joinCtx(t)); err != nil {
		t.Fatal(err)
	}
	if got := evA.matching("relay-state"); got[len(got)-1] != "relay-state RELAY_STATE_IDLE RELAY_OK " {
		t.Errorf("relay states %q: want IDLE last", got)
	}
	if !evA.has("user-offline 3 QUIT") {
		t.Errorf("the source host still sees the destination's host after the stop: %q", evA.all())
	}
	for i, ev := range []*relayEvents{evViewB, evEdgeB} {
		waitFor(t, "a destination viewer sees the relayed host leave", func() bool { return ev.has("user-offline 100 QUIT") })
		var about []string
		for _, e := range ev.all() {
			if strings.HasPrefix(e, "user-") && strings.Contains(e, " 100") {
				about = append(about, e)
			}
		}
		want := []string{"user-joined 100", "user-published 100 audio", "user-unpublished 100 audio", "user-offline 100 QUIT"}
		if !slices.Equal(about, want) {
			t.Errorf("viewer %d saw %q of the relayed host, want %q", i, about, want)
		}
	}
	if slices.ContainsFunc(evA.all(), func(s string) bool { return strings.HasPrefix(s, "relay-state RELAY_STATE_FAILURE") }) {
		t.Errorf("relay failed: %q", evA.matching("relay-"))
	}
}

// TestClusterRelayDestinationNodeGoes: when the node owning a relay's
// destination channel dies, or drains, the relaying host is told
// NETWORK_DISCONNECTED then NETWORK_CONNECTED for that channel, never
// IDLE nor FAILURE: the relay joins the destination again where it is
// hosted next, and the destination's viewer, whose SDK joined again
// there, receives the relayed audio again.
func TestClusterRelayDestinationNodeGoes(t *testing.T) {
	t.Parallel()
	for _, how := range []string{"dies", "drains"} {
		t.Run(how, func(t *testing.T) {
			c := cohosttest.NewCluster(t, 3, cohosttest.WithTestingModeApp(), cohosttest.WithNodeTimeout(failNodeTimeout))
			nodes := c.Nodes()
			hostA, evA, mic, _, _ := placeRelayChannels(t, c)
			viewB, evViewB := relayJoin(t, c, nodes[1].URL, protocol.RoleAudience, false, "dst", 22)
			if err := hostA.StartChannelMediaRelay(joinCtx(t), relayTo("dst", 100)); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "the viewer sees the relayed audio", func() bool { return evViewB.has("user-published 100 audio") })
			p := &seqPayloads{}
			rs := &resubscriber{e: viewB, ev: evViewB, uid: 100, p: p}
			rs.poll(t)
			keepSending(t, mic)
			waitFor(t, "the viewer receives the relayed audio", func() bool { got, _ := p.with("n-"); return len(got) > 0 })

			start := time.Now()
			if how == "dies" {
				cohosttest.CrashNode(c, 1)
			} else if err := c.StopNode(1); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "the relay joins the destination again", func() bool { return evA.has("relay-event NETWORK_CONNECTED dst") })
			reconnected := time.Since(start)
			waitFor(t, "the viewer rejoins", func() bool {
				return evViewB.has(fmt.Sprintf("state %s %s", protocol.ConnConnected, protocol.ReasonRejoinSuccess))
			})
			heard, _ := p.with("n-")
			waitFor(t, "the viewer receives the relayed audio again", func() bool {
				rs.poll(t)
				got, _ := p.with("n-")
				return len(got) > len(heard)+5
			})
			t.Logf("destination's node %s: relay NETWORK_CONNECTED after %v, the viewer receives again after %v",
				how, reconnected.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
			if !evA.has("user-offline 2 DROPPED") {
				t.Errorf("the source host was not told the destination's host dropped: %q", evA.all())
			}
			want := []string{"relay-event NETWORK_DISCONNECTED dst", "relay-event NETWORK_CONNECTED dst"}
			if got := evA.matching("relay-event NETWORK"); !slices.Equal(got, want) {
				t.Errorf("network relay events %q, want %q", got, want)
			}
			for _, ev := range evA.matching("relay-state") {
				if !strings.Contains(ev, "CONNECTING") && !strings.Contains(ev, "RUNNING") {
					t.Errorf("relay state %q while the destination's node %s", ev, how)
				}
			}
			for _, ev := range evViewB.all() {
				if strings.HasPrefix(ev, fmt.Sprintf("state %s", protocol.ConnFailed)) {
					t.Errorf("the viewer saw %q", ev)
				}
			}
		})
	}
}

// TestClusterRelaySourceNodeDies: when the relaying host's node dies, the
// host's Go SDK joins again through another node and continues the relay
// there (NETWORK_DISCONNECTED, then NETWORK_CONNECTED for the destination,
// never IDLE nor FAILURE), paused as it was; the destination's node keeps
// the relayed host meanwhile (the drop timeout) and gives it the new
// node's tracks, so its viewer never sees it leave (unless the relay
// continues on the destination's node, where it leaves and joins again)
// and, once the relay is resumed, receives it again.
func TestClusterRelaySourceNodeDies(t *testing.T) {
	t.Parallel()
	c := cohosttest.NewCluster(t, 3, cohosttest.WithTestingModeApp(), cohosttest.WithTimers(cohosttest.Timers{DropTimeout: 10 * time.Second}),
		cohosttest.WithNodeTimeout(failNodeTimeout))
	nodes := c.Nodes()
	hostA, evA, mic, _, _ := placeRelayChannels(t, c)
	viewB, evViewB := relayJoin(t, c, nodes[1].URL, protocol.RoleAudience, false, "dst", 22)
	if err := hostA.StartChannelMediaRelay(joinCtx(t), relayTo("dst", 100)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the viewer sees the relayed audio", func() bool { return evViewB.has("user-published 100 audio") })
	tr, err := viewB.Subscribe(joinCtx(t), 100, protocol.MediaAudio)
	if err != nil {
		t.Fatal(err)
	}
	p := &seqPayloads{}
	go p.read(tr)
	keepSending(t, mic)
	waitFor(t, "the viewer receives the relayed audio", func() bool { got, _ := p.with("n-"); return len(got) > 0 })

	// Paused when its node dies, the relay continues paused.
	if err := hostA.PauseAllChannelMediaRelay(joinCtx(t)); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	cohosttest.CrashNode(c, 0)
	waitFor(t, "the relay continues on the host's new node", func() bool { return evA.has("relay-event NETWORK_CONNECTED dst") })
	continued := time.Since(start)
	// The relayed tracks come back as a new publication: subscribe again
	// once it is announced.
	waitFor(t, "the viewer sees the relayed audio published again", func() bool { return evViewB.count("user-published 100 audio") >= 2 })
	p = &seqPayloads{}
	rs := &resubscriber{e: viewB, ev: evViewB, uid: 100, p: p, seen: 1}
	rs.poll(t)
	time.Sleep(500 * time.Millisecond) // what a paused relay does not send
	if got, _ := p.with("n-"); len(got) > 0 {
		t.Errorf("the viewer received %d payloads of a paused relay", len(got))
	}
	if err := hostA.ResumeAllChannelMediaRelay(joinCtx(t)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the viewer receives the relayed audio again", func() bool {
		rs.poll(t)
		got, _ := p.with("n-")
		return len(got) > 5
	})
	t.Logf("source's node died: relay NETWORK_CONNECTED after %v, the viewer receives again after %v (sessions %v)",
		continued.Round(time.Millisecond), time.Since(start).Round(time.Millisecond), sessions(c))
	want := []string{"relay-event NETWORK_DISCONNECTED ", "relay-event NETWORK_CONNECTED dst"}
	if got := evA.matching("relay-event NETWORK"); !slices.Equal(got, want) {
		t.Errorf("network relay events %q, want %q", got, want)
	}
	for _, ev := range evA.matching("relay-state") {
		if !strings.Contains(ev, "CONNECTING") && !strings.Contains(ev, "RUNNING") {
			t.Errorf("relay state %q after the source's node died", ev)
		}
	}
	all := evViewB.all()
	left := slices.IndexFunc(all, func(ev string) bool { return strings.HasPrefix(ev, "user-offline 100") })
	if sessions(c)[1] == 2 { // the source channel went to the third node: the relayed host stays
		if left >= 0 {
			t.Errorf("the viewer saw %q", all[left])
		}
	} else if left < 0 || !slices.Contains(all[left:], "user-joined 100") {
		// It went to the destination's node: the relayed host kept there
		// leaves and joins again as the local relay's.
		t.Errorf("the viewer saw %q, want the relayed host to leave and join again", all)
	}
}

// TestClusterRelayMalformedMessages: relay messages between nodes that do
// not decode, or miss what they need, are dropped and counted; a request
// for a relay the node does not know changes nothing.
func TestClusterRelayMalformedMessages(t *testing.T) {
	t.Parallel()
	c := cohosttest.NewCluster(t, 2, cohosttest.WithTestingModeApp(), cohosttest.WithNodeTimeout(stableNodeTimeout))
	node := c.Nodes()[0]
	id := string(clusterInfo(node.URL).Self)
	nc, err := nats.Connect(cohosttest.NATSURL(c, 0), nats.Token(servertest.ClusterSecret))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	bad := map[string]string{
		"add":    `{"node":"x","relay":"","app":"a","channel":"c"}`,
		"remove": `not json`,
		"sync":   `{"node":"x","relay":"r","tracks":[{"mediaType":"audio","codec":"vp8"}]}`,
		"pull":   `{"node":"x","relay":"r","mediaType":"audio","ssrc":0}`,
		"peer":   `{"node":"x","relay":"r","uid":0}`,
		"ended":  `{"relay":"r"}`,
	}
	for op, body := range bad {
		if err := nc.Publish("cohost.rtc.node."+id+".relay."+op, []byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	// Well formed, about a relay the node does not know: ignored.
	msg, err := nc.Request("cohost.rtc.node."+id+".relay.remove", []byte(`{"node":"x","relay":"unknown"}`), 5*time.Second)
	if err != nil {
		t.Fatalf("a removal of an unknown relay is answered: %v", err)
	}
	if string(msg.Data) != "{}" {
		t.Errorf("removal of an unknown relay answered %q", msg.Data)
	}
	want := fmt.Sprintf(`cohost_nats_malformed_messages_total{kind="relay"} %d`, len(bad))
	deadline := time.Now().Add(20 * time.Second)
	for {
		m := get(t, node.MetricsURL)
		if strings.Contains(m, want) {
			break
		}
		if time.Now().After(deadline) {
			var got []string
			for _, l := range strings.Split(m, "\n") {
				if strings.HasPrefix(l, "cohost_nats_malformed") {
					got = append(got, l)
				}
			}
			t.Fatalf("after 20 s: want %s, metrics %q", want, got)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestClusterRelayUpdateAcrossNodes: a mute of the relaying host reaches
// the destination on another node, and an update moving the relay from
// that destination to one on a third node takes the relayed host out of
// the first (user-unpublished, user-offline QUIT) and into the second,
// whose viewer receives it; the source host's view of the destinations'
// hosts follows.
func TestClusterRelayUpdateAcrossNodes(t *testing.T) {
	t.Parallel()
	c := cohosttest.NewCluster(t, 3, cohosttest.WithTestingModeApp(), cohosttest.WithNodeTimeout(stableNodeTimeout))
	nodes := c.Nodes()
	hostA, evA, mic, _, _ := placeRelayChannels(t, c)
	relayJoin(t, c, nodes[2].URL, protocol.RoleBroadcaster, false, "dst2", 3)
	_, ev1 := relayJoin(t, c, nodes[1].URL, protocol.RoleAudience, false, "dst", 22)
	view2, ev2 := relayJoin(t, c, nodes[2].URL, protocol.RoleAudience, false, "dst2", 33)
	if got := sessions(c); !slices.Equal(got, []int{1, 2, 2}) {
		t.Fatalf("sessions %v: want src on node 0, dst on node 1, dst2 on node 2", got)
	}
	if err := hostA.StartChannelMediaRelay(joinCtx(t), relayTo("dst", 100)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the first destination's viewer sees the relayed audio", func() bool { return ev1.has("user-published 100 audio") })
	if err := hostA.MuteLocalAudioStream(joinCtx(t), true); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the first destination's viewer sees the mute", func() bool { return ev1.has("user-mute-audio 100 true") })
	if err := hostA.MuteLocalAudioStream(joinCtx(t), false); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the first destination's viewer sees the unmute", func() bool { return ev1.has("user-mute-audio 100 false") })

	time.Sleep(1100 * time.Millisecond) // timers.relayMinInterval between a start and an update
	if err := hostA.UpdateChannelMediaRelay(joinCtx(t), relayTo("dst2", 200)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the first destination's viewer sees the relayed host leave", func() bool { return ev1.has("user-offline 100 QUIT") })
	i := slices.Index(ev1.all(), "user-unpublished 100 audio")
	if i < 0 || i > slices.Index(ev1.all(), "user-offline 100 QUIT") {
		t.Errorf("first destination's viewer: %q, want user-unpublished before user-offline", ev1.all())
	}
	waitFor(t, "the second destination's viewer sees the relayed audio", func() bool { return ev2.has("user-published 200 audio") })
	tr, err := view2.Subscribe(joinCtx(t), 200, protocol.MediaAudio)
	if err != nil {
		t.Fatal(err)
	}
	p := &seqPayloads{}
	go p.read(tr)
	sendUntil(t, "the second destination's viewer receives the relayed audio", mic, "n", p)
	waitFor(t, "the source host sees the second destination's host", func() bool { return evA.has("user-joined 3") })
	if !evA.has("user-offline 2 QUIT") {
		t.Errorf("the source host still sees the first destination's host: %q", evA.all())
	}
	for _, want := range []string{"relay-event PACKET_UPDATE_DEST_CHANNEL ", "relay-event PACKET_JOINED_DEST_CHANNEL dst2", "relay-event PACKET_SENT_TO_DEST_CHANNEL dst2"} {
		if !evA.has(want) {
			t.Errorf("no %q in %q", want, evA.matching("relay-"))
		}
	}
}
