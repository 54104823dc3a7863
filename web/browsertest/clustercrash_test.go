package browsertest

import (
	"fmt"
	"testing"
	"time"

	"github.com/cohost-rtc/cohost/internal/config"
	"github.com/cohost-rtc/cohost/internal/servertest"
)

// startCluster runs n in-process nodes as one cluster (1.5 s node
// timeout, moveDropTimeout), closed when the test ends. Unlike cohosttest's, its nodes can
// crash (Crash).
func startCluster(t *testing.T, n int) []*servertest.Server {
	t.Helper()
	cfgs := make([]config.Config, n)
	for i := range cfgs {
		cfgs[i] = servertest.Config(fmt.Sprintf("%s/node%d", t.TempDir(), i))
		cfgs[i].Cluster.NodeTimeout = 1500 * time.Millisecond
		cfgs[i].Timers.DropTimeout = moveDropTimeout
	}
	nodes, err := servertest.RunCluster(cfgs, servertest.Logger())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for i, n := range nodes {
			if err := n.Close(); err != nil {
				t.Errorf("node %d: %v", i, err)
			}
		}
	})
	return nodes
}

// TestClusterNodeCrashKeepsRemoteUsers: the node hosting a channel dies
// without a word (as under SIGKILL). A viewer's SDK joins again through
// another node; its app sees RECONNECTING → CONNECTED and no event about
// the host, which comes back (same RemoteUser, same playing track, decoded
// again), while a second host, whose network went down with the node and
// does not come back, is reported gone (user-left "ServerTimeOut") once the
// drop timeout after the move has passed.
func TestClusterNodeCrashKeepsRemoteUsers(t *testing.T) {
	nodes := startCluster(t, 3)
	app := jsString(servertest.TestAppID)

	host := openPageAt(t, nodes[0].URL, "host", "/sdk/cohost-rtc.js")
	host.run(`const c = T.newClient("host", {mode: "live", codec: "vp8", role: "host"});
		await c.join(` + app + `, "crash", null, 1);
		await c.publish([await T.camera("cam"), await T.mic("mic")]);`)
	hosting := host.str(`return T.clients.host._serverURL`)
	crash := -1
	for i, n := range nodes {
		if n.WSURL() == hosting {
			crash = i
		}
	}
	if crash < 0 {
		t.Fatalf("the host's node %s is none of the cluster's", hosting)
	}
	other := nodes[(crash+1)%len(nodes)].URL
	gone := openPageAt(t, other, "gone", "/sdk/cohost-rtc.js")
	gone.run(`const c = T.newClient("gone", {mode: "live", codec: "vp8", role: "host"});
		await c.join(` + app + `, "crash", null, 3);
		await c.publish([await T.camera("cam")]);`)
	viewer := openPageAt(t, other, "viewer", "/sdk/cohost-rtc.js")
	viewer.run(`await T.newClient("viewer", {mode: "live", codec: "vp8"}, true).join(` + app + `, "crash", null, 2);`)
	viewer.waitDecoding("viewer", 1)
	viewer.waitDecoding("viewer", 3)
	viewer.waitEvent("viewer subscribed 1 audio")
	before := userEvents(viewer, "viewer")
	viewer.run(`T.keptUser = T.clients.viewer.remoteUsers.find((u) => u.uid === 1);
		T.keptTrack = T.keptUser.videoTrack; T.keptAudio = T.keptUser.audioTrack; T.oldMst = T.keptTrack.getMediaStreamTrack();`)

	gone.run(`T.setOffline(true)`)
	start := time.Now()
	nodes[crash].Crash()
	for _, p := range []*page{host, viewer} {
		p.waitEvent(p.name + " connection-state-change CONNECTED RECONNECTING")
	}
	viewer.waitFor("the kept track renewed", `T.keptTrack.getMediaStreamTrack() !== T.oldMst`)
	viewer.waitDecoding("viewer", 1)
	t.Logf("the viewer decodes the host again %v after the crash", time.Since(start).Round(10*time.Millisecond))
	viewer.waitEvent("viewer user-left 3 ServerTimeOut")

	if got, want := userEvents(viewer, "viewer"), before+"\nviewer user-unpublished 3 video\nviewer user-left 3 ServerTimeOut"; got != want {
		t.Errorf("the viewer's events about remote users after the crash:\n%s\nwant:\n%s", got, want)
	}
	if got, want := stateChanges(viewer, "viewer"), "CONNECTING DISCONNECTED|CONNECTED CONNECTING|RECONNECTING CONNECTED|CONNECTED RECONNECTING"; got != want {
		t.Errorf("the viewer's connection states: %s, want %s", got, want)
	}
	if got := viewer.str(`const us = T.clients.viewer.remoteUsers;
		return [us.length, us[0] === T.keptUser, T.keptUser.videoTrack === T.keptTrack, T.keptUser.audioTrack === T.keptAudio, T.keptTrack.isPlaying].join(" ")`); got != "1 true true true true" {
		t.Errorf("the viewer after the crash (remote users, same user, same video and audio tracks, playing): %s", got)
	}
}
