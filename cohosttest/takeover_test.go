package cohosttest_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pion/webrtc/v4/pkg/media"

	"github.com/cohost-rtc/cohost/cohosttest"
	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/rtc"
)

// takeover is a channel "edge" spanning three nodes: an audience member
// holds it on its node (owner), a host publishes a microphone on the next
// node (b) and viewers listen to it on b and on the third node (other).
type takeover struct {
	c                *cohosttest.Server
	owner, b, other  int
	uid              protocol.UID
	host             *rtc.Engine
	hh               *hostEvents
	mic              *rtc.LocalTrack
	ws               []*watcher
	marks            []int // how many events each of hh and ws had before the owner went
	crashedOrStopped time.Time
}

func takeoverSetup(t *testing.T) *takeover {
	t.Helper()
	c := cohosttest.NewCluster(t, 3, cohosttest.WithTestingModeApp())
	nodes := c.Nodes()
	first, _ := anyNode(t, c, nodes[0].URL, protocol.RoleAudience)
	if _, err := first.JoinChannel(joinCtx(t), "", "edge", 0); err != nil {
		t.Fatal(err)
	}
	tk := &takeover{c: c, owner: slices.Index(sessions(c), 1)}
	if tk.owner < 0 {
		t.Fatalf("sessions %v after the first join", sessions(c))
	}
	tk.b, tk.other = (tk.owner+1)%3, (tk.owner+2)%3
	tk.host, tk.hh = anyNode(t, c, nodes[tk.b].URL, protocol.RoleBroadcaster)
	var err error
	if tk.uid, err = tk.host.JoinChannel(joinCtx(t), "", "edge", 0); err != nil {
		t.Fatal(err)
	}
	tk.publish(t)
	tk.watch(t, tk.b, tk.other)
	return tk
}

// publish publishes the host's microphone.
func (tk *takeover) publish(t *testing.T) {
	t.Helper()
	var err error
	if tk.mic, err = rtc.NewLocalTrack(protocol.CodecOpus); err != nil {
		t.Fatal(err)
	}
	if err := tk.host.Publish(joinCtx(t), tk.mic); err != nil {
		t.Fatal(err)
	}
}

// watch has a viewer on each node listen to the host until it hears it.
func (tk *takeover) watch(t *testing.T, nodes ...int) {
	t.Helper()
	for _, i := range nodes {
		w := watch(t, tk.c, fmt.Sprintf("the viewer on node %d", i), i)
		waitFor(t, w.name+" sees the host's audio", func() bool { return w.h.has(fmt.Sprintf("user-published %d audio", tk.uid)) })
		w.listen(t, tk.uid, protocol.MediaAudio)
		tk.ws = append(tk.ws, w)
	}
	var ps []*payloads
	for _, w := range tk.ws {
		ps = append(ps, w.p)
	}
	warmUp(t, tk.mic, ps...)
}

// mark records where each recorder's events stand before the owner goes.
func (tk *takeover) mark() {
	tk.marks = []int{len(tk.hh.all())}
	for _, w := range tk.ws {
		tk.marks = append(tk.marks, len(w.h.all()))
	}
}

// since lists the events of recorder k (0: the host, then the viewers)
// after the mark.
func (tk *takeover) since(k int) []string {
	h := tk.hh
	if k > 0 {
		h = tk.ws[k-1].h
	}
	return h.all()[tk.marks[k]:]
}

// newOwner waits until exactly one of the surviving nodes hosts the
// channel and returns it.
func (tk *takeover) newOwner(t *testing.T) int {
	t.Helper()
	owner := -1
	waitFor(t, "one surviving node hosts the channel", func() bool {
		var hosting []int
		for _, i := range []int{tk.b, tk.other} {
			if cohosttest.HostsChannel(tk.c, i, "edge") {
				hosting = append(hosting, i)
			}
		}
		if len(hosting) > 1 {
			t.Fatalf("nodes %v both host the channel", hosting)
		}
		if len(hosting) == 1 {
			owner = hosting[0]
		}
		return owner >= 0
	})
	return owner
}

// sendAcross writes payloads take-0000… 20 ms apart, stops the owner
// with stop after 25 of them, and keeps writing until another node hosts
// the channel and 50 more are out. It returns how many it wrote and the
// new owner.
func (tk *takeover) sendAcross(t *testing.T, stop func()) (int, int) {
	t.Helper()
	tk.mark()
	owner, after := -1, 0
	k := 0
	for ; after < 50; k++ {
		if k == 25 {
			tk.crashedOrStopped = time.Now()
			stop()
		}
		if k > 25 && owner < 0 {
			for _, i := range []int{tk.b, tk.other} {
				if cohosttest.HostsChannel(tk.c, i, "edge") {
					owner = i
					t.Logf("node %d hosts the channel %v after the owner went", i, time.Since(tk.crashedOrStopped).Round(time.Millisecond))
				}
			}
		}
		if owner >= 0 {
			after++
		}
		if time.Since(tk.crashedOrStopped) > 30*time.Second && k > 25 {
			t.Fatal("no surviving node hosts the channel 30 s after the owner went")
		}
		_ = tk.mic.WriteSample(media.Sample{Data: []byte(fmt.Sprintf("take-%04d", k)), Duration: 20 * time.Millisecond})
		time.Sleep(20 * time.Millisecond)
	}
	return k, tk.newOwner(t)
}

// quiet checks that recorder k saw no connection state change, nobody
// leave or join, since the mark.
func (tk *takeover) quiet(t *testing.T, who string, k int) {
	t.Helper()
	for _, ev := range tk.since(k) {
		if strings.HasPrefix(ev, "state ") || strings.HasPrefix(ev, "user-offline ") || strings.HasPrefix(ev, "user-joined ") {
			t.Errorf("%s saw %q after the owner went", who, ev)
		}
	}
}

// carriedOver checks what the surviving members see when the owner goes
// with a host on an edge: every payload once and in order on both
// viewers, no state change, nobody leaving, and the channel's events
// still ordered by one node (the host's mute reaches both viewers).
func carriedOver(t *testing.T, how string, stop func(tk *takeover)) {
	tk := takeoverSetup(t)
	sent, owner := tk.sendAcross(t, func() { stop(tk) })
	for _, w := range tk.ws {
		checkPayloads(t, w.name, w.p, "take", sent)
	}
	t.Logf("owner %s; node %d hosts the channel; %d payloads sent across, every one received once and in order by both viewers", how, owner, sent)
	if err := tk.host.MuteLocalAudioStream(joinCtx(t), true); err != nil {
		t.Fatal(err)
	}
	muted := fmt.Sprintf("user-mute-audio %d true", tk.uid)
	for _, w := range tk.ws {
		waitFor(t, w.name+" sees the host mute", func() bool { return w.h.has(muted) })
	}
	tk.quiet(t, "the host", 0)
	for k, w := range tk.ws {
		tk.quiet(t, w.name, k+1)
		want := []string{"user-joined", "user-published audio", "user-mute-audio true"}
		if got := w.h.about(tk.uid); !slices.Equal(got, want) {
			t.Errorf("%s saw %q about the host, want %q", w.name, got, want)
		}
	}
	if how == "crashed" {
		// The crashed node's audience member joined again elsewhere.
		got := sessions(tk.c)
		got[tk.owner] = 0
		if got[tk.b]+got[tk.other] != 4 {
			t.Errorf("sessions per node %v, want the host, two viewers and the first member on the two others", got)
		}
	}
}

// TestClusterEdgeTakeoverOwnerDies: the channel's node dies while a host
// publishes on an edge and viewers listen on that edge and on the third
// node. The two edges race for the channel's lease: one wins and owns
// the channel, the other gives its members to it; both keep their
// members' sessions. The viewers receive every payload once and in
// order, nobody sees a connection state change or anybody leave, and the
// channel's events flow again through the new owner.
func TestClusterEdgeTakeoverOwnerDies(t *testing.T) {
	carriedOver(t, "crashed", func(tk *takeover) { cohosttest.CrashNode(tk.c, tk.owner) })
}

// TestClusterEdgeTakeoverOwnerDrains: the same when the channel's node
// drains: it hands the channel over to the edges instead of ending their
// members' sessions.
func TestClusterEdgeTakeoverOwnerDrains(t *testing.T) {
	stopped := make(chan error, 1)
	carriedOver(t, "drained", func(tk *takeover) {
		go func() { stopped <- tk.c.StopNode(tk.owner) }()
	})
	if err := <-stopped; err != nil {
		t.Errorf("drain: %v", err)
	}
}

// hostOnOwner is a channel "edge" whose host publishes on the channel's
// node, with viewers on the two other nodes.
func hostOnOwner(t *testing.T, c *cohosttest.Server, host *rtc.Engine, hh *hostEvents) *takeover {
	t.Helper()
	tk := &takeover{c: c, host: host, hh: hh}
	var err error
	if tk.uid, err = host.JoinChannel(joinCtx(t), "", "edge", 0); err != nil {
		t.Fatal(err)
	}
	tk.owner = slices.Index(sessions(c), 1)
	if tk.owner < 0 {
		t.Fatalf("sessions %v after the host's join", sessions(c))
	}
	tk.b, tk.other = (tk.owner+1)%3, (tk.owner+2)%3
	tk.publish(t)
	tk.watch(t, tk.b, tk.other)
	tk.mark()
	return tk
}

// TestClusterEdgeTakeoverHostRejoins: the channel's node dies with the
// host on it. The edges carry their viewers over; the host's SDK joins
// again through another node, which replaces the host the new owner kept
// for it without anybody being told it left or joined: the viewers see
// its track unpublished and published again, subscribe again and hear
// it, without joining again themselves.
func TestClusterEdgeTakeoverHostRejoins(t *testing.T) {
	c := cohosttest.NewCluster(t, 3, cohosttest.WithTestingModeApp())
	host, hh := anyNode(t, c, c.Nodes()[0].URL, protocol.RoleBroadcaster)
	tk := hostOnOwner(t, c, host, hh)
	crashed := time.Now()
	cohosttest.CrashNode(c, tk.owner)
	waitFor(t, "the host joins again", func() bool {
		return hh.has(fmt.Sprintf("state %s %s", protocol.ConnConnected, protocol.ReasonRejoinSuccess))
	})
	tk.newOwner(t)
	var ps []*payloads
	for _, w := range tk.ws {
		waitFor(t, w.name+" sees the host publish again", func() bool {
			n := 0
			for _, ev := range w.h.about(tk.uid) {
				if ev == "user-published audio" {
					n++
				}
			}
			return n >= 2
		})
		w.listen(t, tk.uid, protocol.MediaAudio)
		ps = append(ps, w.p)
	}
	warmUp(t, tk.mic, ps...)
	t.Logf("both viewers hear the host again %v after its node (the channel's) died", time.Since(crashed).Round(time.Millisecond))
	for k, w := range tk.ws {
		tk.quiet(t, w.name, k+1)
		want := []string{"user-joined", "user-published audio", "user-unpublished audio", "user-published audio"}
		if got := w.h.about(tk.uid); !slices.Equal(got, want) {
			t.Errorf("%s saw %q about the host, want %q", w.name, got, want)
		}
	}
}

// TestClusterEdgeTakeoverHostDropped: the channel's node dies with the
// host on it, and the host never comes back: the new owner keeps it for
// the drop timeout, then the viewers, which kept their sessions, see it
// unpublish and go offline (DROPPED), in Agora's order.
func TestClusterEdgeTakeoverHostDropped(t *testing.T) {
	c := cohosttest.NewCluster(t, 3, cohosttest.WithTestingModeApp())
	hh := &hostEvents{}
	host, err := rtc.NewEngine(rtc.EngineConfig{ServerURL: c.Nodes()[0].URL, AppID: c.TestAppID, Handler: hh,
		ClientRole: protocol.RoleBroadcaster, AudienceOnAnyNode: true, SettingEngine: cohosttest.Loopback()})
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	t.Cleanup(func() {
		if !closed {
			_ = host.Close()
		}
	})
	tk := hostOnOwner(t, c, host, hh)
	crashed := time.Now()
	cohosttest.CrashNode(c, tk.owner)
	// The host's application quits before its SDK joins again.
	closed = true
	_ = host.Close()
	dropped := fmt.Sprintf("user-offline %d %s", tk.uid, protocol.OfflineDropped)
	for _, w := range tk.ws {
		waitFor(t, w.name+" sees the host dropped", func() bool { return w.h.has(dropped) })
	}
	t.Logf("the viewers see the host dropped %v after its node died", time.Since(crashed).Round(time.Millisecond))
	tk.newOwner(t)
	for k, w := range tk.ws {
		evs := tk.since(k + 1)
		for _, ev := range evs {
			if strings.HasPrefix(ev, "state ") {
				t.Errorf("%s saw %q after the owner went", w.name, ev)
			}
		}
		want := []string{"user-joined", "user-published audio", "user-unpublished audio", "user-offline " + protocol.OfflineDropped.String()}
		if got := w.h.about(tk.uid); !slices.Equal(got, want) {
			t.Errorf("%s saw %q about the host, want %q", w.name, got, want)
		}
	}
}
