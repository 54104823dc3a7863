package browsertest

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cohost-rtc/cohost/internal/server"
	"github.com/cohost-rtc/cohost/internal/servertest"
)

// nodeUsers is how many users node id has as node at url last heard (-1
// when it does not know it).
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

// nodeID is the id of the node at url ("" on error).
func nodeID(url string) string {
	resp, err := http.Get(url + server.ClusterPath)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	var info server.ClusterInfo
	if json.NewDecoder(resp.Body).Decode(&info) != nil {
		return ""
	}
	return string(info.Self)
}

// TestClusterRelayHostNodeCrash: the node of a Web SDK host running a
// paused channel media relay dies without a word. The SDK joins again
// through another node, publishes again and continues the relay there, as
// the Go SDK does: the page sees NETWORK_DISCONNECTED, then
// NETWORK_CONNECTED for the destination, never IDLE nor FAILURE, and the
// relay is still paused (resuming it succeeds); the destination's viewer,
// on another node, which kept the relayed host meanwhile, decodes it
// again.
func TestClusterRelayHostNodeCrash(t *testing.T) {
	nodes := startCluster(t, 3)
	app := jsString(servertest.TestAppID)

	host := openPageAt(t, nodes[0].URL, "host", "/sdk/cohost-rtc.js")
	host.run(`const c = T.newClient("host", {mode: "live", codec: "vp8", role: "host"});
		await c.join(` + app + `, "wr-src", null, 1);
		await c.publish([await T.camera("cam"), await T.mic("mic")]);`)
	hosting := host.str(`return T.clients.host._serverURL`)
	crash := slices.IndexFunc(nodes, func(n *servertest.Server) bool { return n.WSURL() == hosting })
	if crash < 0 {
		t.Fatalf("the host's node %s is none of the cluster's", hosting)
	}
	// The destination goes to another node: the viewer joins it through a
	// node that knows the host's node is busier.
	other := nodes[(crash+1)%len(nodes)]
	crashID := nodeID(nodes[crash].URL)
	deadline := time.Now().Add(20 * time.Second)
	for nodeUsers(other.URL, crashID) < 1 {
		if time.Now().After(deadline) {
			t.Fatal("after 20 s: the other node does not know the host's node has a user")
		}
		time.Sleep(50 * time.Millisecond)
	}
	viewer := openPageAt(t, other.URL, "viewer", "/sdk/cohost-rtc.js")
	viewer.run(`await T.newClient("viewer", {mode: "live", codec: "vp8"}, true).join(` + app + `, "wr-dst", null, 2);`)
	if got := viewer.str(`return T.clients.viewer._serverURL`); got == hosting {
		t.Fatalf("the destination channel is on the host's node %s", got)
	}

	host.run(`const cfg = AgoraRTC.createChannelMediaRelayConfiguration();
		cfg.setSrcChannelInfo({channelName: "wr-src", uid: 0});
		cfg.addDestChannelInfo({channelName: "wr-dst", uid: 100});
		await T.clients.host.startChannelMediaRelay(cfg);`)
	host.waitEvent("host channel-media-relay-state RELAY_STATE_RUNNING RELAY_OK")
	viewer.waitEvent("viewer subscribed 100 video")
	viewer.waitDecoding("viewer", 100)
	host.run(`await T.clients.host.pauseAllChannelMediaRelay()`)
	before := len(relayLog(host, "host"))

	start := time.Now()
	nodes[crash].Crash()
	host.waitEvent("host connection-state-change RECONNECTING CONNECTED")
	host.waitEvent("host channel-media-relay-event NETWORK_CONNECTED wr-dst")
	continued := time.Since(start)
	// Paused as it was: a resume succeeds only on a paused relay.
	if got := host.str(`return T.err(() => T.clients.host.resumeAllChannelMediaRelay())`); got != "ok" {
		t.Errorf("resuming the continued relay: %s, want ok (it continued paused)", got)
	}
	viewer.waitFor("the relayed host published again", `T.count("viewer subscribed 100 video") >= 2`)
	viewer.waitDecoding("viewer", 100)
	newNode := host.str(`return T.clients.host._serverURL`)
	t.Logf("relay NETWORK_CONNECTED %v after the host's node crashed, the viewer decodes it again after %v (host now on %s, viewer on %s)",
		continued.Round(10*time.Millisecond), time.Since(start).Round(10*time.Millisecond), newNode, viewer.str(`return T.clients.viewer._serverURL`))

	want := []string{
		"host channel-media-relay-event NETWORK_DISCONNECTED",
		"host channel-media-relay-event NETWORK_CONNECTED wr-dst",
		"host channel-media-relay-event RESUME_SEND_PACKET_TO_DEST_CHANNEL_SUCCESS",
	}
	if got := relayLog(host, "host")[before:]; !slices.Equal(got, want) {
		t.Errorf("the host's relay callbacks after the crash:\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
	if got := stateChanges(host, "host"); got != "CONNECTING DISCONNECTED|CONNECTED CONNECTING|RECONNECTING CONNECTED|CONNECTED RECONNECTING" {
		t.Errorf("the host's connection states: %s, want RECONNECTING then CONNECTED after the join", got)
	}
	// Unless the relay continued on the destination's own node (its
	// stand-in leaves and joins again there), the viewer never hears the
	// relayed host leave.
	if ev := userEvents(viewer, "viewer"); newNode != viewer.str(`return T.clients.viewer._serverURL`) && strings.Contains(ev, "viewer user-left 100") {
		t.Errorf("the destination's viewer was told the relayed host left:\n%s", ev)
	}
}
