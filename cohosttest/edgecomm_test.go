package cohosttest_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/cohost-rtc/cohost/cohosttest"
	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/rtc"
)

// commMember is a member of communication channel "comm" with uid,
// joined through url with AudienceOnAnyNode, publishing an Opus track.
type commMember struct {
	uid protocol.UID
	e   *rtc.Engine
	ev  *relayEvents
	mic *rtc.LocalTrack
	// heard are the payloads of the other members' audio, by uid.
	heard map[protocol.UID]*seqPayloads
}

func joinComm(t *testing.T, c *cohosttest.Server, url string, uid protocol.UID) *commMember {
	t.Helper()
	m := &commMember{uid: uid, ev: &relayEvents{}, heard: map[protocol.UID]*seqPayloads{}}
	profile := protocol.ProfileCommunication
	e, err := rtc.NewEngine(rtc.EngineConfig{ServerURL: url, AppID: c.TestAppID, Handler: m.ev, ChannelProfile: &profile,
		AudienceOnAnyNode: true, SettingEngine: cohosttest.Loopback()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("member %d events %q", uid, m.ev.all())
		}
		if err := e.Close(); err != nil {
			t.Error(err)
		}
	})
	m.e = e
	if _, err := e.JoinChannel(joinCtx(t), "", "comm", uid); err != nil {
		t.Fatalf("member %d joins: %v", uid, err)
	}
	if m.mic, err = rtc.NewLocalTrack(protocol.CodecOpus); err != nil {
		t.Fatal(err)
	}
	if err := e.Publish(joinCtx(t), m.mic); err != nil {
		t.Fatalf("member %d publishes: %v", uid, err)
	}
	return m
}

// TestClusterCommunicationOnEdges: the members of a communication channel
// whose SDK allows an edge stay on the nodes they reach, as a live
// channel's hosts do: one on the channel's node, one on each other node.
// Each hears the two others, every payload once and in order, and sees
// them join, publish and leave in the channel's order.
func TestClusterCommunicationOnEdges(t *testing.T) {
	t.Parallel()
	c := cohosttest.NewCluster(t, 3, cohosttest.WithTestingModeApp(), cohosttest.WithNodeTimeout(stableNodeTimeout))
	nodes := c.Nodes()
	first := joinComm(t, c, nodes[0].URL, 1)
	owner := slices.Index(sessions(c), 1)
	if owner < 0 {
		t.Fatalf("sessions %v after the first member's join", sessions(c))
	}
	ms := []*commMember{first, joinComm(t, c, nodes[(owner+1)%3].URL, 2), joinComm(t, c, nodes[(owner+2)%3].URL, 3)}
	if got := sessions(c); !slices.Equal(got, []int{1, 1, 1}) {
		t.Fatalf("sessions per node %v, want one member on each: they stay where they connected", got)
	}
	for _, m := range ms {
		for _, o := range ms {
			if o == m {
				continue
			}
			waitFor(t, fmt.Sprintf("member %d sees member %d's audio", m.uid, o.uid), func() bool {
				return m.ev.has(fmt.Sprintf("user-published %d audio", o.uid))
			})
			tr, err := m.e.Subscribe(joinCtx(t), o.uid, protocol.MediaAudio)
			if err != nil {
				t.Fatalf("member %d subscribes to %d: %v", m.uid, o.uid, err)
			}
			p := &seqPayloads{}
			go p.read(tr)
			m.heard[o.uid] = p
		}
	}
	const count = 50
	for _, o := range ms {
		var ps []*seqPayloads
		for _, m := range ms {
			if m != o {
				ps = append(ps, m.heard[o.uid])
			}
		}
		prefix := fmt.Sprintf("m%d", o.uid)
		sendUntil(t, fmt.Sprintf("the others hear member %d", o.uid), o.mic, prefix+"warm", ps...)
		send(o.mic, prefix, count)
		for i, p := range ps {
			waitFor(t, "the last payload arrives", func() bool { return p.has(fmt.Sprintf("%s-%04d", prefix, count-1)) })
			got, _ := p.with(prefix + "-")
			var want []string
			for k := range count {
				want = append(want, fmt.Sprintf("%s-%04d", prefix, k))
			}
			if !slices.Equal(got, want) {
				t.Fatalf("listener %d of member %d got %q, want every payload once and in order", i, o.uid, got)
			}
		}
	}

	// A member on an edge leaves: the others, on the channel's node and
	// on the other edge, see it unpublish and leave.
	if err := ms[1].e.LeaveChannel(joinCtx(t)); err != nil {
		t.Fatal(err)
	}
	for _, m := range []*commMember{ms[0], ms[2]} {
		waitFor(t, fmt.Sprintf("member %d sees member 2 leave", m.uid), func() bool { return m.ev.has("user-offline 2 QUIT") })
		var about []string
		for _, ev := range m.ev.all() {
			if slices.Contains([]string{"user-joined 2", "user-published 2 audio", "user-unpublished 2 audio", "user-offline 2 QUIT"}, ev) {
				about = append(about, ev)
			}
		}
		want := []string{"user-joined 2", "user-published 2 audio", "user-unpublished 2 audio", "user-offline 2 QUIT"}
		if !slices.Equal(about, want) {
			t.Errorf("member %d saw %q of member 2, want %q", m.uid, about, want)
		}
	}
}
