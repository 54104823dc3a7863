package browsertest

import (
	"testing"

	"github.com/cohost-rtc/cohost/cohosttest"
)

// In a cluster, a join reaching a node that does not host the channel is
// redirected to the one that does: a viewer whose SDK was loaded from
// another node joins the host's node and watches it, seeing only
// CONNECTING → CONNECTED.
func TestClusterJoinFollowsRedirect(t *testing.T) {
	cluster := cohosttest.NewCluster(t, 3, cohosttest.WithTestingModeApp())
	nodes := cluster.Nodes()
	app := jsString(cluster.TestAppID)

	host := openPageAt(t, nodes[0].URL, "host", "/sdk/cohost-rtc.js")
	host.run(`const c = T.newClient("host", {mode: "live", codec: "vp8", role: "host"});
		await c.join(` + app + `, "stage", null, 1);
		await c.publish([await T.camera("cam")]);`)
	hosting := host.str(`return T.clients.host._serverURL`)
	other := -1
	for i, n := range nodes {
		if n.SignalURL != hosting {
			other = i
			break
		}
	}
	if other < 0 {
		t.Fatalf("the host's node %s is none of the cluster's", hosting)
	}

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
