package browsertest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cohost-rtc/cohost/cohosttest"
)

// moveDropTimeout is the drop timeout of the tests where members move to
// another node: an SDK that moved reports the users it knew as gone when
// they are not back within it, and on a loaded machine a host's move and
// publish (ICE gathering included) can take longer than the 3 s of test
// servers.
const moveDropTimeout = 10 * time.Second

// moveTimers gives a cohosttest cluster moveDropTimeout.
var moveTimers = cohosttest.WithTimers(cohosttest.Timers{DropTimeout: moveDropTimeout})

// clusterHost opens a page on the cluster's first node whose live host
// (uid 1) joins channel and publishes tracks (T.… expressions), and
// returns the page and the index of the node holding its session.
func clusterHost(t *testing.T, cluster *cohosttest.Server, channel, tracks string) (*page, int) {
	t.Helper()
	nodes := cluster.Nodes()
	host := openPageAt(t, nodes[0].URL, "host", "/sdk/cohost-rtc.js")
	host.run(`const c = T.newClient("host", {mode: "live", codec: "vp8", role: "host"});
		await c.join(` + jsString(cluster.TestAppID) + `, ` + jsString(channel) + `, null, 1);
		await c.publish([` + tracks + `]);`)
	hosting := host.str(`return T.clients.host._serverURL`)
	for i, n := range nodes {
		if n.SignalURL == hosting {
			return host, i
		}
	}
	t.Fatalf("the host's node %s is none of the cluster's", hosting)
	return nil, -1
}

// In a cluster, a join reaching a node that does not host the channel is
// redirected to the one that does: a viewer whose SDK was loaded from
// another node joins the host's node and watches it, seeing only
// CONNECTING → CONNECTED.
func TestClusterJoinFollowsRedirect(t *testing.T) {
	cluster := cohosttest.NewCluster(t, 3, cohosttest.WithTestingModeApp())
	nodes := cluster.Nodes()
	app := jsString(cluster.TestAppID)

	_, h := clusterHost(t, cluster, "stage", `await T.camera("cam")`)
	hosting, other := nodes[h].SignalURL, (h+1)%len(nodes)

	viewer := openPageAt(t, nodes[other].URL, "viewer", "/sdk/cohost-rtc.js")
	viewer.run(`const c = T.newClient("viewer", {mode: "live", codec: "vp8"}, true);
		await c.join(` + app + `, "stage", null, 2);`)
	if got := viewer.str(`return T.clients.viewer._serverURL`); got != hosting {
		t.Errorf("the viewer (SDK from %s) joined on %s, want the host's node %s", nodes[other].URL, got, hosting)
	}
	viewer.waitEvent("viewer user-joined 1")
	viewer.waitDecoding("viewer", 1)
	if got := viewer.str(`return T.log.filter((l) => l.startsWith("viewer connection-state-change")).join("|")`); got != "viewer connection-state-change CONNECTING DISCONNECTED|viewer connection-state-change CONNECTED CONNECTING" {
		t.Errorf("connection states: %s, want CONNECTING then CONNECTED", got)
	}
}

// When the node hosting a channel stops, its clients join the channel
// again on another node of the cluster (from the node list the server
// sent) and the host publishes again: both see RECONNECTING → CONNECTED,
// never DISCONNECTED, and the viewer watches the host again without being
// told it left or published again: its RemoteUser and the track it plays
// carry on.
func TestClusterNodeStopFailover(t *testing.T) {
	cluster := cohosttest.NewCluster(t, 3, cohosttest.WithTestingModeApp(), moveTimers)
	nodes := cluster.Nodes()
	app := jsString(cluster.TestAppID)

	host, stop := clusterHost(t, cluster, "stage", `await T.camera("cam"), await T.mic("mic")`)
	hosting := nodes[stop].SignalURL
	viewer := openPageAt(t, nodes[(stop+1)%len(nodes)].URL, "viewer", "/sdk/cohost-rtc.js")
	viewer.run(`const c = T.newClient("viewer", {mode: "live", codec: "vp8"}, true);
		await c.join(` + app + `, "stage", null, 2);`)
	viewer.waitDecoding("viewer", 1)
	if n := viewer.num(`return T.clients.viewer._nodes.length`); n != 3 {
		t.Errorf("the viewer knows %v live nodes, want 3", n)
	}
	viewer.waitEvent("viewer subscribed 1 audio")
	// A muted track is announced again as published, then muted.
	host.run(`await T.tracks.mic.setMuted(true)`)
	viewer.waitEvent("viewer user-info-updated 1 mute-audio")
	before := userEvents(viewer, "viewer")
	viewer.run(`T.keptUser = T.clients.viewer.remoteUsers[0]; T.keptTrack = T.keptUser.videoTrack; T.oldMst = T.keptTrack.getMediaStreamTrack();`)

	if err := cluster.StopNode(stop); err != nil {
		t.Fatal(err)
	}
	for _, p := range []*page{host, viewer} {
		p.waitEvent(p.name + " connection-state-change RECONNECTING CONNECTED")
		p.waitEvent(p.name + " connection-state-change CONNECTED RECONNECTING")
	}
	if got, want := viewer.str(`return T.clients.viewer._serverURL`), host.str(`return T.clients.host._serverURL`); got != want || got == hosting {
		t.Errorf("after the failover the viewer is on %s and the host on %s, want the same node, not the stopped %s", got, want, hosting)
	}
	// The viewer keeps the host, its RemoteUser and the track it plays,
	// which carries the host's media again from the new node.
	viewer.waitFor("the kept track renewed", `T.keptTrack.getMediaStreamTrack() !== T.oldMst`)
	viewer.waitDecoding("viewer", 1)
	viewer.waitEvent("viewer user-unpublished 1 audio")
	after := strings.TrimPrefix(userEvents(viewer, "viewer"), before+"\n")
	if want := "viewer user-info-updated 1 unmute-audio|viewer user-published 1 audio|viewer user-info-updated 1 mute-audio|viewer user-unpublished 1 audio"; strings.Join(withoutSubscribed(after), "|") != want {
		t.Errorf("the viewer's events about the host after the failover:\n%s\nwant those before and, for the muted microphone:\n%s", after, strings.ReplaceAll(want, "|", "\n"))
	}
	if got := viewer.str(`const u = T.clients.viewer.remoteUsers[0];
		return [T.clients.viewer.remoteUsers.length, u === T.keptUser, u.videoTrack === T.keptTrack, T.keptTrack.isPlaying].join(" ")`); got != "1 true true true" {
		t.Errorf("the viewer after the failover (remote users, same user, same track, playing): %s", got)
	}
	for _, p := range []*page{host, viewer} {
		if p.hasEvent(p.name+" connection-state-change DISCONNECTED RECONNECTING NETWORK_ERROR") || p.hasEvent(p.name+" connection-state-change DISCONNECTED CONNECTED SERVER_ERROR") {
			t.Errorf("%s was disconnected by the node's stop", p.name)
		}
	}
	if got := host.str(`return T.clients.host.localTracks.map((t) => t.trackMediaType).sort().join(" ")`); got != "audio video" {
		t.Errorf("the host's published tracks after the failover: %q, want audio video", got)
	}
}

// A live viewer created with audienceOnAnyNode (cohost extension) stays on
// the node it reaches, which carries the channel from the host's node: it
// joins there (CONNECTING → CONNECTED, no redirect) and decodes the host.
// When the host's node stops, the viewer's node takes the channel's
// members over from it: the viewer stays CONNECTED, sees the host's
// tracks unpublished and published again once the host joined again
// elsewhere, and decodes the host again.
func TestClusterAudienceOnAnyNode(t *testing.T) {
	cluster := cohosttest.NewCluster(t, 3, cohosttest.WithTestingModeApp(), moveTimers)
	nodes := cluster.Nodes()
	app := jsString(cluster.TestAppID)

	_, stop := clusterHost(t, cluster, "edge", `await T.camera("cam"), await T.mic("mic")`)
	hosting, other := nodes[stop].SignalURL, (stop+1)%len(nodes)

	viewer := openPageAt(t, nodes[other].URL, "viewer", "/sdk/cohost-rtc.js")
	viewer.run(`await T.newClient("viewer", {mode: "live", codec: "vp8", audienceOnAnyNode: true}, true).join(` + app + `, "edge", null, 2);`)
	if got := viewer.str(`return T.clients.viewer._serverURL`); got != nodes[other].SignalURL {
		t.Errorf("the edge viewer joined on %s, want the node it reached, %s (the host is on %s)", got, nodes[other].SignalURL, hosting)
	}
	viewer.waitEvent("viewer user-joined 1")
	viewer.waitEvent("viewer subscribed 1 audio")
	viewer.waitDecoding("viewer", 1)
	if got := stateChanges(viewer, "viewer"); got != "CONNECTING DISCONNECTED|CONNECTED CONNECTING" {
		t.Errorf("connection states: %s, want CONNECTING then CONNECTED", got)
	}
	if got := viewer.str(`return T.err(() => AgoraRTC.createClient({mode: "live", codec: "vp8", audienceOnAnyNode: "yes"}))`); got != "INVALID_PARAMS" {
		t.Errorf("audienceOnAnyNode not a boolean: %s, want INVALID_PARAMS", got)
	}

	// The host's node stops: the viewer's node takes the channel over, and
	// the viewer keeps its connection and the host.
	before := userEvents(viewer, "viewer")
	if err := cluster.StopNode(stop); err != nil {
		t.Fatal(err)
	}
	for _, mt := range []string{"audio", "video"} {
		viewer.waitFor("the host's "+mt+" published again", `T.log.filter((l) => l === "viewer user-published 1 `+mt+`").length >= 2`)
	}
	viewer.waitDecoding("viewer", 1)
	after := withoutSubscribed(strings.TrimPrefix(userEvents(viewer, "viewer"), before+"\n"))
	if got := strings.Join(after, "|"); len(after) != 4 || !slices.Contains(after[:2], "viewer user-unpublished 1 audio") ||
		!slices.Contains(after[:2], "viewer user-unpublished 1 video") || !slices.Contains(after[2:], "viewer user-published 1 audio") ||
		!slices.Contains(after[2:], "viewer user-published 1 video") {
		t.Errorf("the edge viewer's events about the host after its node stopped: %s, want its two tracks unpublished, then published", got)
	}
	if got := stateChanges(viewer, "viewer"); got != "CONNECTING DISCONNECTED|CONNECTED CONNECTING" {
		t.Errorf("connection states: %s, want no change after CONNECTED", got)
	}
}

// withoutSubscribed drops the "subscribed" lines of events (recorded when
// the harness's subscribe resolves, in no fixed order with the events).
func withoutSubscribed(events string) []string {
	var out []string
	for _, l := range strings.Split(events, "\n") {
		if l != "" && !strings.Contains(l, " subscribed ") {
			out = append(out, l)
		}
	}
	return out
}
