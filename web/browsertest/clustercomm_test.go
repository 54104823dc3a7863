package browsertest

import (
	"testing"

	"github.com/cohost-rtc/cohost/cohosttest"
)

// TestClusterCommunicationOnAnyNode: two members of an "rtc" channel whose
// clients set audienceOnAnyNode stay on the different nodes they reach,
// and each decodes the other's video.
func TestClusterCommunicationOnAnyNode(t *testing.T) {
	cluster := cohosttest.NewCluster(t, 3, cohosttest.WithTestingModeApp())
	nodes := cluster.Nodes()
	app := jsString(cluster.TestAppID)

	a := openPageAt(t, nodes[0].URL, "a", "/sdk/cohost-rtc.js")
	a.run(`const c = T.newClient("a", {mode: "rtc", codec: "vp8", audienceOnAnyNode: true}, true);
		await c.join(` + app + `, "call", null, 1);
		await c.publish([await T.camera("cam")]);`)
	hosting := a.str(`return T.clients.a._serverURL`)
	other := -1
	for i, n := range nodes {
		if n.SignalURL != hosting {
			other = i
			break
		}
	}
	if other < 0 {
		t.Fatalf("the first member's node %s is none of the cluster's", hosting)
	}
	b := openPageAt(t, nodes[other].URL, "b", "/sdk/cohost-rtc.js")
	b.run(`const c = T.newClient("b", {mode: "rtc", codec: "vp8", audienceOnAnyNode: true}, true);
		await c.join(` + app + `, "call", null, 2);
		await c.publish([await T.camera("cam")]);`)
	if got := b.str(`return T.clients.b._serverURL`); got != nodes[other].SignalURL {
		t.Errorf("the second member joined on %s, want the node it reached, %s (the channel is on %s)", got, nodes[other].SignalURL, hosting)
	}
	a.waitEvent("a user-joined 2")
	b.waitEvent("b user-joined 1")
	a.waitDecoding("a", 2)
	b.waitDecoding("b", 1)
}
