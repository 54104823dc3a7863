package cohosttest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cohost-rtc/cohost/cohosttest"
	"github.com/cohost-rtc/cohost/internal/server"
	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/rtm"
)

// waitUntil polls cond every 10 ms and fails the test after d.
func waitUntil(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %v: %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// clusterInfo is GET /v1/cluster of a node (zero on error).
func clusterInfo(url string) server.ClusterInfo {
	var info server.ClusterInfo
	resp, err := http.Get(url + server.ClusterPath)
	if err != nil {
		return info
	}
	defer resp.Body.Close()
	_ = json.NewDecoder(resp.Body).Decode(&info)
	return info
}

func nodeIDs(info server.ClusterInfo) []string {
	var ids []string
	for _, n := range info.Nodes {
		ids = append(ids, string(n.ID))
	}
	slices.Sort(ids)
	return ids
}

// Every node of a three-node cluster lists the three with where clients
// reach them; a node that dies is dropped by the others within the node
// timeout.
func TestClusterNodesSeeEachOther(t *testing.T) {
	t.Parallel()
	const timeout = 1500 * time.Millisecond
	c := cohosttest.NewCluster(t, 3, cohosttest.WithNodeTimeout(timeout))
	nodes := c.Nodes()
	var all []string
	for _, n := range nodes {
		all = append(all, n.ID)
	}
	slices.Sort(all)
	for i, n := range nodes {
		waitUntil(t, 20*time.Second, fmt.Sprintf("node %d lists every node", i), func() bool {
			return slices.Equal(nodeIDs(clusterInfo(n.URL)), all)
		})
	}
	if m := get(t, nodes[0].MetricsURL); !strings.Contains(m, "\ncohost_cluster_nodes 3\n") {
		t.Errorf("metrics do not count 3 nodes:\n%.2000s", m)
	}
	info := clusterInfo(nodes[0].URL)
	if string(info.Self) != nodes[0].ID {
		t.Errorf("self %s, want %s", info.Self, nodes[0].ID)
	}
	for _, got := range info.Nodes {
		i := slices.IndexFunc(nodes, func(n cohosttest.Node) bool { return n.ID == string(got.ID) })
		if got.SignalURL != nodes[i].URL || got.MediaAddr != nodes[i].MediaAddr || got.Started.IsZero() {
			t.Errorf("node %d announced as %+v, reached at %s and %s", i, got.Node, nodes[i].URL, nodes[i].MediaAddr)
		}
	}

	start := time.Now()
	cohosttest.KillNode(c, 2)
	alive := []string{nodes[0].ID, nodes[1].ID}
	slices.Sort(alive)
	for i := range 2 {
		waitUntil(t, 20*time.Second, fmt.Sprintf("node %d drops the dead node", i), func() bool {
			return slices.Equal(nodeIDs(clusterInfo(nodes[i].URL)), alive)
		})
	}
	d := time.Since(start)
	t.Logf("dead node dropped after %v (node timeout %v)", d, timeout)
	if d < timeout*3/4 || d > timeout+1500*time.Millisecond {
		t.Errorf("dead node dropped after %v, want about the node timeout %v", d, timeout)
	}
}

// recorder collects peer and channel messages and presence changes.
type recorder struct {
	rtm.BaseClientHandler
	rtm.BaseChannelHandler
	mu     sync.Mutex
	events []string
}

func (r *recorder) add(s string) {
	r.mu.Lock()
	r.events = append(r.events, s)
	r.mu.Unlock()
}

func (r *recorder) OnMessageReceived(peer string, m *rtm.Message) {
	r.add("peer " + peer + " " + m.Text)
}
func (r *recorder) OnPeersOnlineStatusChanged(st map[string]protocol.RTMPeerOnlineState) {
	for p, s := range st {
		r.add(fmt.Sprintf("presence %s %s", p, s))
	}
}
func (r *recorder) OnMemberLeft(u string) { r.add("left " + u) }

type chanRecorder struct{ *recorder }

func (c chanRecorder) OnMessageReceived(u string, m *rtm.Message) { c.add("chan " + u + " " + m.Text) }

func (r *recorder) list() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events)
}

func (r *recorder) has(ev string) bool { return slices.Contains(r.list(), ev) }

func rtmLogin(t *testing.T, url, appID, user string) (*rtm.Client, *recorder) {
	t.Helper()
	rec := &recorder{}
	c, err := rtm.NewClient(rtm.ClientConfig{ServerURL: url, AppID: appID, Handler: rec})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := c.Login(ctx, "", user); err != nil {
		t.Fatalf("login %s: %v", user, err)
	}
	return c, rec
}

// Users on different nodes of a cluster message each other and share a
// channel; when a third node dies, its user goes OFFLINE and leaves the
// channel for the others, and the users of the surviving nodes see no
// error and lose no message while it happens.
func TestClusterRTMAcrossNodes(t *testing.T) {
	t.Parallel()
	c := cohosttest.NewCluster(t, 3, cohosttest.WithTestingModeApp(), cohosttest.WithNodeTimeout(1500*time.Millisecond))
	nodes := c.Nodes()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	a, aRec := rtmLogin(t, nodes[0].URL, c.TestAppID, "alice")
	b, bRec := rtmLogin(t, nodes[1].URL, c.TestAppID, "bob")
	d, _ := rtmLogin(t, nodes[2].URL, c.TestAppID, "dora")

	if code, err := a.SendMessageToPeer(ctx, "bob", rtm.NewTextMessage("hi bob"), nil); err != nil || code != protocol.RTMPeerMessageOK {
		t.Fatalf("alice to bob: %v, %v", code, err)
	}
	if code, err := d.SendMessageToPeer(ctx, "alice", rtm.NewTextMessage("hi alice"), nil); err != nil || code != protocol.RTMPeerMessageOK {
		t.Fatalf("dora to alice: %v, %v", code, err)
	}
	waitUntil(t, 20*time.Second, "bob gets alice's message", func() bool { return bRec.has("peer alice hi bob") })
	waitUntil(t, 20*time.Second, "alice gets dora's message", func() bool { return aRec.has("peer dora hi alice") })

	if err := b.SubscribePeersOnlineStatus(ctx, []string{"dora"}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 20*time.Second, "bob sees dora online", func() bool { return bRec.has("presence dora ONLINE") })
	chans := map[string]*rtm.Channel{}
	for name, cl := range map[string]*rtm.Client{"alice": a, "bob": b, "dora": d} {
		rec := &recorder{}
		if name == "bob" {
			rec = bRec
		}
		ch, err := cl.CreateChannel("room", chanRecorder{rec})
		if err != nil {
			t.Fatal(err)
		}
		if err := ch.Join(ctx); err != nil {
			t.Fatalf("%s joins: %v", name, err)
		}
		chans[name] = ch
	}
	if err := chans["dora"].SendMessage(ctx, rtm.NewTextMessage("hello room")); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 20*time.Second, "bob gets dora's channel message", func() bool { return bRec.has("chan dora hello room") })

	// Alice streams messages to bob while dora's node dies.
	const n = 60
	sent := make(chan error, 1)
	go func() {
		for i := range n {
			code, err := a.SendMessageToPeer(ctx, "bob", rtm.NewTextMessage(fmt.Sprint("m", i)), nil)
			if err == nil && code != protocol.RTMPeerMessageOK {
				err = fmt.Errorf("message %d: %s", i, code)
			}
			if err != nil {
				sent <- err
				return
			}
			time.Sleep(25 * time.Millisecond)
		}
		sent <- nil
	}()
	time.Sleep(200 * time.Millisecond) // the kill falls in the middle of the stream
	cohosttest.KillNode(c, 2)
	select {
	case err := <-sent:
		if err != nil {
			t.Fatalf("alice's stream: %v", err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("alice's stream did not end within 60 s")
	}
	waitUntil(t, 20*time.Second, "bob sees dora offline", func() bool { return bRec.has("presence dora OFFLINE") })
	waitUntil(t, 20*time.Second, "bob sees dora leave the room", func() bool { return bRec.has("left dora") })
	var got []string
	for _, ev := range bRec.list() {
		var i int
		if _, err := fmt.Sscanf(ev, "peer alice m%d", &i); err == nil {
			got = append(got, ev)
		}
	}
	if len(got) != n {
		t.Fatalf("bob got %d of alice's %d messages: %v", len(got), n, got)
	}
	for i, ev := range got {
		if ev != fmt.Sprint("peer alice m", i) {
			t.Fatalf("message %d is %q: lost, repeated or out of order", i, ev)
		}
	}
}
