package e2e_test

import (
	"bufio"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/cohost-rtc/cohost/cohosttest"
	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/token"
)

// sessionsOn reads a node's RTC sessions from its metrics.
func sessionsOn(t *testing.T, n cohosttest.Node) int {
	t.Helper()
	resp, err := http.Get(n.MetricsURL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "cohost_sessions "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatal(err)
			}
			return int(f)
		}
	}
	t.Fatalf("no cohost_sessions at %s", n.MetricsURL)
	return 0
}

// seedAcrossNodes starts a three-node cluster where a member on one node
// holds the channel, and returns the seed's host and viewer on the two
// other nodes, each staying on the node it reached.
func seedAcrossNodes(t *testing.T) (host, viewer *user) {
	t.Helper()
	c := cohosttest.NewCluster(t, 3)
	nodes := c.Nodes()
	at := func(i int) seedTarget {
		return seedTarget{url: nodes[i].URL, appID: c.AppID, certificate: c.Certificate, anyNode: true}
	}
	watcherTok, err := token.BuildRTCWithUID(c.AppID, c.Certificate, channel, 3, token.RoleSubscriber, 600, 600)
	if err != nil {
		t.Fatal(err)
	}
	newUserAt(t, at(0), "watcher", 3, protocol.RoleAudience, watcherTok)
	owner := -1
	for i, n := range nodes {
		if sessionsOn(t, n) == 1 {
			owner = i
		}
	}
	if owner < 0 {
		t.Fatal("no node holds the watcher's session")
	}
	hostTok, err := token.BuildRTCAdmin(c.AppID, c.Certificate, channel, "1", token.RolePublisher, 600, 600)
	if err != nil {
		t.Fatal(err)
	}
	viewerTok, err := token.BuildRTCWithUID(c.AppID, c.Certificate, channel, 2, token.RolePublisher, 600, 600)
	if err != nil {
		t.Fatal(err)
	}
	hostNode, viewerNode := (owner+1)%3, (owner+2)%3
	host = newUserAt(t, at(hostNode), "host", 1, protocol.RoleBroadcaster, hostTok)
	viewer = newUserAt(t, at(viewerNode), "viewer", 2, protocol.RoleAudience, viewerTok)
	for i, n := range nodes {
		if got := sessionsOn(t, n); got != 1 {
			t.Fatalf("node %d holds %d RTC sessions: the channel's node, the host's and the viewer's should hold one each", i, got)
		}
	}
	if got := host.rtc.ClientRole(); got != protocol.RoleBroadcaster {
		t.Fatalf("the host joined as %s", got)
	}
	return host, viewer
}

// TestSeed000AcrossNodes is seed 000 with the inviter and the invitee on
// two different nodes, neither of them the channel's: both variants.
func TestSeed000AcrossNodes(t *testing.T) {
	t.Run("peer message", func(t *testing.T) {
		host, viewer := seedAcrossNodes(t)
		seed000ByPeerMessage(t, host, viewer)
	})
	t.Run("call invitation", func(t *testing.T) {
		host, viewer := seedAcrossNodes(t)
		seed000ByCallInvitation(t, host, viewer)
	})
}
