package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/cohost-rtc/cohost/internal/cluster"
	"github.com/cohost-rtc/cohost/internal/server"
	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/rtc"
)

// partitionSecret is the cluster secret of the partition test's nodes,
// also the token of their NATS listeners.
const partitionSecret = "serve-partition-test-secret"

// partitionMetricsToken lets the test read the nodes' /metrics off
// loopback.
const partitionMetricsToken = "partition-metrics-token"

// A NATS partition between `cohost serve` processes: three nodes, each in
// its own network namespace on one bridge, and node A, which hosts a
// channel (a host and a viewer connected to it, a viewer on node B's
// edge), is cut from B and C by firewall rules in its namespace while the
// clients still reach it. A, in the minority, cannot renew the channel's
// lease: it stops ordering the channel within the lease time (its members
// are told SERVER_SHUTDOWN and join again through the majority); B or C
// takes the lease within the lease time + the node timeout; the two sides
// never both order the channel for longer than the lease time; A takes no
// member while cut; every member keeps its uid and role, nobody is told
// anybody left, the viewers hear the host again. After the heal the three
// nodes are one cluster again with one owner, which a newcomer reaching A
// is sent to.
//
// It needs root (network namespaces, iptables or nft): without, it skips
// (fails in CI).
func TestServeClusterPartition(t *testing.T) {
	const nodeTimeout = 2 * time.Second
	const leaseTime = nodeTimeout
	bn := newBridgeNet(t, 3)
	nodes, ids, urls := startBridgedCluster(t, bn, nodeTimeout)
	const a, b = 0, 1

	leases := watchLease(t, "nats://"+bn.IP(b)+":4222", cluster.LeaseKey(testingApp, "split"))
	join := func(via int, uid protocol.UID, role protocol.ClientRole, edge bool) *rtcMember {
		return joinRTCWith(t, rtc.EngineConfig{ServerURL: urls[via], ClientRole: role, AudienceOnAnyNode: edge,
			SettingEngine: bn.settings()}, "split", uid)
	}
	host := join(a, 20, protocol.RoleBroadcaster, false)
	speakFor(t, host.e)
	viewerA := join(a, 31, protocol.RoleAudience, false)
	viewerB := join(b, 32, protocol.RoleAudience, true)
	pollUntil(t, 30*time.Second, "A orders the channel (its lease), hosts the host and a viewer, B the edge viewer", func() bool {
		return leases.owner() == ids[a] && metric(urls[a], "cohost_sessions") == 2 && metric(urls[b], "cohost_sessions") == 1
	})
	members := []*rtcMember{host, viewerA, viewerB}
	var heard []*listener
	for _, v := range members[1:] {
		l := listen(t, v.e, 20)
		pollUntil(t, 20*time.Second, "the viewers hear the host", func() bool { return l.heardSince(time.Time{}) })
		heard = append(heard, l)
	}

	aLed := leases.leader(t) == nodeName(urls[b], ids[a])
	t.Logf("node A leads the lease bucket's stream: %v", aLed)
	cut := time.Now()
	bn.cut(t, a)
	t.Cleanup(func() {
		if t.Failed() {
			for i, p := range nodes {
				t.Logf("node %d stderr:\n%s", i, p.stderr.String())
			}
			for i, m := range members {
				t.Logf("member %d events %q; logs:\n%s", i, m.ev.all(), m.log.String())
			}
		}
	})
	// A stops ordering the channel when it has none left; the majority
	// when a node of it writes the lease.
	var aStopped time.Time
	pollUntil(t, 60*time.Second, "A gives the channel up and the majority takes its lease", func() bool {
		if aStopped.IsZero() && metric(urls[a], "cohost_channels") == 0 {
			aStopped = time.Now()
		}
		return !aStopped.IsZero() && leases.takenSince(cut, ids[a]) != (leaseChange{})
	})
	taken := leases.takenSince(cut, ids[a])
	told := host.ev.firstSince("state RECONNECTING INTERRUPTED", cut)
	if at := viewerA.ev.firstSince("state RECONNECTING INTERRUPTED", cut); at.After(told) {
		told = at
	}
	t.Logf("after the cut: A's members told to move by %v, A orders no channel by %v (lease time %v); node %s took the lease %v after the cut",
		since(cut, told), since(cut, aStopped), leaseTime, shortID(taken.node, ids), since(cut, taken.at))
	if told.IsZero() || told.Sub(cut) > leaseTime+2*time.Second {
		t.Errorf("A's members were told to move %v after the cut; want within about the lease time %v", since(cut, told), leaseTime)
	}
	if d := aStopped.Sub(cut); d > leaseTime+2*time.Second {
		t.Errorf("A still ordered the channel %v after the cut; want about the lease time %v", d, leaseTime)
	}
	// The majority writes the lease once the registry marks A dead (the
	// node timeout) and a member joins through it; if A led the lease
	// bucket's JetStream stream, the majority's NATS servers must first
	// elect another leader, which NATS does after its election timeout
	// (4-9 s, not configurable) as the routes to A stay open.
	bound, why := leaseTime+nodeTimeout, "the lease time + node timeout"
	if aLed {
		bound, why = nodeTimeout+9*time.Second, "the node timeout + NATS's longest election timeout (A led the lease bucket)"
	}
	if d := taken.at.Sub(cut); d > bound+2*time.Second {
		t.Errorf("the majority took the lease %v after the cut; want within %s, %v", d, why, bound)
	}
	// The minority's last order is its members' move (or the channel's
	// end on A, whichever the test saw later).
	lastA := told
	if aStopped.After(lastA) {
		lastA = aStopped
	}
	if overlap := lastA.Sub(taken.at); overlap > leaseTime {
		t.Errorf("both sides ordered the channel for %v, more than the lease time %v", overlap, leaseTime)
	}

	// A's members join again through the majority; B's edge viewer stays
	// where it is (B hands it to the channel's next owner) and sees the
	// host's track published again once the host is back.
	pollUntil(t, 60*time.Second, "A's members are back in the channel through the majority", func() bool {
		for _, m := range members[:2] {
			if m.ev.firstSince("state CONNECTED REJOIN_SUCCESS", cut).IsZero() {
				return false
			}
		}
		return true
	})
	// B gives up the hand-over if no node takes its members within 15 s
	// (the majority's lease writes wait while NATS elects a leader): the
	// viewer then joins again as A's members do.
	rejoinedB := func() bool { return !viewerB.ev.firstSince("state CONNECTED REJOIN_SUCCESS", cut).IsZero() }
	pollUntil(t, 40*time.Second, "B's edge viewer sees the host publish again (or joins again)", func() bool {
		return viewerB.ev.count("user-published 20 audio") >= 2 || rejoinedB()
	})
	handedOver := !rejoinedB()
	republished := viewerB.ev.firstSince("user-published 20 audio", cut)
	if handedOver {
		heard[1] = listen(t, viewerB.e, 20)
	}
	back := time.Now()
	for i, l := range heard {
		pollUntil(t, 30*time.Second, fmt.Sprintf("viewer %d hears the host again", i), func() bool { return l.heardSince(back) })
	}
	var rejoins []string
	for i, m := range members[:2] {
		rejoins = append(rejoins, fmt.Sprintf("%s %s", []string{"host", "A's viewer"}[i],
			since(cut, m.ev.firstSince("state CONNECTED REJOIN_SUCCESS", cut))))
	}
	if handedOver {
		rejoins = append(rejoins, "B's edge viewer stayed, the host published again for it "+since(cut, republished))
	} else {
		rejoins = append(rejoins, "B's edge viewer joined again (no hand-over) "+since(cut, viewerB.ev.firstSince("state CONNECTED REJOIN_SUCCESS", cut)))
	}
	t.Logf("members back in the channel after the cut: %s; both viewers hear the host again %v after the cut",
		strings.Join(rejoins, ", "), since(cut, time.Now()))
	for i, m := range members {
		if errs := failedAttempts(m.log.String()); errs != "" {
			t.Logf("member %d's failed attempts to join again: %s", i, errs)
		}
	}
	// While the cut lasts, A hosts nobody: its joins are refused, the
	// members stay with the majority's owner, and the lease stays there.
	owner := leases.owner()
	hold := time.Now().Add(3 * leaseTime)
	for time.Now().Before(hold) {
		if n := metric(urls[a], "cohost_sessions"); n != 0 {
			t.Fatalf("the cut node A has %v sessions; it takes no member while cut", n)
		}
		if o := leases.owner(); o != owner {
			t.Fatalf("the lease moved from %s to %s during the cut", shortID(owner, ids), shortID(o, ids))
		}
		time.Sleep(50 * time.Millisecond)
	}
	checkMoved(t, host, 20, protocol.RoleBroadcaster)
	checkMoved(t, viewerA, 31, protocol.RoleAudience)
	if handedOver {
		checkStayed(t, viewerB, 32, protocol.RoleAudience)
	} else {
		checkMoved(t, viewerB, 32, protocol.RoleAudience)
	}

	healed := time.Now()
	bn.heal(t, a)
	sorted := slices.Sorted(slices.Values(ids))
	for i := range nodes {
		pollUntil(t, 90*time.Second, fmt.Sprintf("node %d lists the three nodes again", i), func() bool {
			return slices.Equal(liveNodes(urls[i]), sorted)
		})
	}
	t.Logf("one cluster again %v after the heal; the lease's holders relative to the cut: %s", since(healed, time.Now()), leases.history(cut, ids))
	// A, catching up with JetStream, may refuse a join for a moment
	// (ERR_NO_SERVER_RESOURCES, which the SDKs retry).
	var newcomer *rtcMember
	var refused error
	pollUntil(t, 60*time.Second, "a viewer joins through A after the heal", func() bool {
		newcomer, refused = tryJoinRTC(t, rtc.EngineConfig{ServerURL: urls[a], ClientRole: protocol.RoleAudience,
			SettingEngine: bn.settings()}, "split", 33)
		if refused != nil {
			t.Logf("after the heal: %v", refused)
			time.Sleep(500 * time.Millisecond)
		}
		return refused == nil
	})
	// The newcomer may subscribe before it hears of the host.
	var l *listener
	pollUntil(t, 30*time.Second, "the viewer that joined through A subscribes to the host", func() bool {
		var err error
		l, err = tryListen(newcomer.e, 20)
		return err == nil
	})
	pollUntil(t, 30*time.Second, "a viewer joining through A after the heal hears the host", func() bool { return l.heardSince(time.Time{}) })
	if o := leases.owner(); o != owner {
		t.Errorf("after the heal the lease is held by %s, want still %s", shortID(o, ids), shortID(owner, ids))
	}
	if n := metric(urls[a], "cohost_channels"); n != 0 {
		t.Errorf("after the heal A orders %v channels, want none (the newcomer is sent to the owner)", n)
	}
	// The members are all in the channel and hear the host. An edge that
	// reads the lease from a JetStream replica still behind may take the
	// healed node for the owner and send its members on once more
	// (docs/cluster.md): they must then be back, never told anybody left.
	for i, m := range members {
		pollUntil(t, 60*time.Second, fmt.Sprintf("member %d connected after the heal", i), func() bool {
			return lastState(m.ev.all()) == "state CONNECTED REJOIN_SUCCESS" || (m == viewerB && handedOver && lastState(m.ev.all()) == "state CONNECTED JOIN_SUCCESS")
		})
		if evs := m.ev.since(healed); len(evs) != 0 {
			t.Logf("member %d after the heal: %q", i, evs)
		}
	}
	checkMoved(t, host, 20, protocol.RoleBroadcaster)
	checkMoved(t, viewerA, 31, protocol.RoleAudience)
	if lastState(viewerB.ev.all()) == "state CONNECTED REJOIN_SUCCESS" {
		// Sent on once more after the heal (see above).
		checkMoved(t, viewerB, 32, protocol.RoleAudience)
	} else {
		checkStayed(t, viewerB, 32, protocol.RoleAudience)
	}
	if handedOver && viewerB.ev.count("user-published 20 audio") > 2 {
		heard[1] = listen(t, viewerB.e, 20)
	}
	afterHeal := time.Now()
	for i, l := range heard {
		pollUntil(t, 30*time.Second, fmt.Sprintf("viewer %d hears the host after the heal", i), func() bool { return l.heardSince(afterHeal) })
	}
}

// failedAttempts sums up an SDK log's failed failover attempts: each
// distinct error with its count.
func failedAttempts(log string) string {
	counts := map[string]int{}
	var order []string
	for _, line := range strings.Split(log, "\n") {
		if !strings.Contains(line, `msg="failover attempt failed"`) {
			continue
		}
		_, msg, _ := strings.Cut(line, " err=")
		if counts[msg] == 0 {
			order = append(order, msg)
		}
		counts[msg]++
	}
	var out []string
	for _, msg := range order {
		out = append(out, fmt.Sprintf("%d× %s", counts[msg], msg))
	}
	return strings.Join(out, "; ")
}

// since formats t-t0, or "never" for a zero t.
func since(t0, t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.Sub(t0).Round(10 * time.Millisecond).String()
}

// shortID names a node by its letter (A, B, C) in ids.
func shortID(id string, ids []string) string {
	if i := slices.Index(ids, id); i >= 0 {
		return string(rune('A' + i))
	}
	if id == "" {
		return "nobody"
	}
	return id
}

// startBridgedCluster starts a `cohost serve` node in each of bn's
// namespaces, forming one cluster, and waits until each lists the three.
// It returns the processes, their node ids and signalling URLs.
func startBridgedCluster(t *testing.T, bn *bridgeNet, nodeTimeout time.Duration) ([]*serveProcess, []string, []string) {
	t.Helper()
	var routes []string
	for i := range bn.ns {
		routes = append(routes, bn.IP(i)+":6222")
	}
	env := []string{"COHOST_CLUSTER_SECRET=" + partitionSecret, "COHOST_METRICS_TOKEN=" + partitionMetricsToken}
	procs := make([]*serveProcess, len(bn.ns))
	dirs := make([]string, len(bn.ns))
	for i := range procs {
		dirs[i] = t.TempDir()
		procs[i] = startServeWith(t, bn.prefix(i), env, "--listen", bn.IP(i)+":7800", "--media-port", "7801",
			"--advertise-ip", bn.IP(i), "--app-id", testingApp, "--allow-testing-mode",
			"--data-dir", dirs[i], "--ready-file", filepath.Join(dirs[i], "ready.json"),
			"--cluster-listen", routes[i], "--cluster-peers", strings.Join(routes, ","),
			"--nats-listen", bn.IP(i)+":4222", "--node-timeout", nodeTimeout.String())
	}
	urls := make([]string, len(procs))
	for i, p := range procs {
		p.waitReady(t, filepath.Join(dirs[i], "ready.json"), 120*time.Second)
		urls[i] = p.ready.HTTP
	}
	ids := make([]string, len(procs))
	for i := range procs {
		pollUntil(t, 20*time.Second, "node id", func() bool { return selfID(urls[i]) != "" })
		ids[i] = selfID(urls[i])
	}
	sorted := slices.Sorted(slices.Values(ids))
	for i := range procs {
		pollUntil(t, 60*time.Second, fmt.Sprintf("node %d lists the three nodes", i), func() bool {
			return slices.Equal(liveNodes(urls[i]), sorted)
		})
	}
	return procs, ids, urls
}

// metric reads an unlabelled gauge from the node's /metrics (-1 when it
// cannot).
func metric(base, name string) float64 {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/metrics", nil)
	if err != nil {
		return -1
	}
	req.Header.Set("Authorization", "Bearer "+partitionMetricsToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return -1
			}
			return f
		}
	}
	return -1
}

// leaseChange is a change of a channel's lease entry: the node that
// wrote it ("" when there is none) and when it was written.
type leaseChange struct {
	node string
	at   time.Time
}

// leaseWatch records the changes of one lease entry's holder, read every
// 50 ms from the lease bucket's stream leader through one node's NATS. (A
// JetStream watch is not used: its consumer may live on the cut node and
// stall for many seconds; nor a key-value Get, a direct get which any
// replica answers, one still behind included.)
type leaseWatch struct {
	js      jetstream.JetStream
	mu      sync.Mutex
	changes []leaseChange
}

// watchLease reads the lease entry key through the NATS server at url
// until the test ends.
func watchLease(t *testing.T, url, key string) *leaseWatch {
	t.Helper()
	nc, err := nats.Connect(url, nats.Token(partitionSecret), nats.MaxReconnects(-1))
	if err != nil {
		t.Fatalf("NATS %s: %v", url, err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	lw := &leaseWatch{js: js}
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			gctx, gcancel := context.WithTimeout(ctx, time.Second)
			c, err := leaderGet(gctx, nc, key)
			gcancel()
			if err != nil {
				continue // no answer (no leader yet): read again
			}
			lw.mu.Lock()
			if n := len(lw.changes); n == 0 || lw.changes[n-1].node != c.node {
				lw.changes = append(lw.changes, c)
			}
			lw.mu.Unlock()
		}
	}()
	t.Cleanup(func() { cancel(); <-done })
	return lw
}

// leaderGet reads the lease entry key from the lease bucket's stream
// leader: the node it names ("" when there is none) and when it was
// written (or now, for none).
func leaderGet(ctx context.Context, nc *nats.Conn, key string) (leaseChange, error) {
	req, err := json.Marshal(map[string]string{"last_by_subj": "$KV." + cluster.LeaseBucket + "." + key})
	if err != nil {
		return leaseChange{}, err
	}
	msg, err := nc.RequestWithContext(ctx, "$JS.API.STREAM.MSG.GET.KV_"+cluster.LeaseBucket, req)
	if err != nil {
		return leaseChange{}, err
	}
	var resp struct {
		Message *struct {
			Data []byte    `json:"data"`
			Hdrs []byte    `json:"hdrs"`
			Time time.Time `json:"time"`
		} `json:"message"`
		Error *struct {
			Code        int    `json:"code"`
			Description string `json:"description"`
		} `json:"error"`
	}
	if err := json.Unmarshal(msg.Data, &resp); err != nil {
		return leaseChange{}, err
	}
	switch {
	case resp.Error != nil && resp.Error.Code == http.StatusNotFound:
		return leaseChange{at: time.Now()}, nil
	case resp.Error != nil:
		return leaseChange{}, fmt.Errorf("%d %s", resp.Error.Code, resp.Error.Description)
	case resp.Message == nil:
		return leaseChange{}, errors.New("no message in the answer")
	case strings.Contains(string(resp.Message.Hdrs), "KV-Operation"):
		return leaseChange{at: resp.Message.Time}, nil // deleted or purged
	}
	var v struct {
		Node string `json:"node"`
	}
	if err := json.Unmarshal(resp.Message.Data, &v); err != nil {
		return leaseChange{}, err
	}
	return leaseChange{node: v.Node, at: resp.Message.Time}, nil
}

// owner is the node holding the lease as last seen ("" if none).
func (w *leaseWatch) owner() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.changes) == 0 {
		return ""
	}
	return w.changes[len(w.changes)-1].node
}

// takenSince is the first change after t0 that gave the lease to a node
// other than but (zero if none).
func (w *leaseWatch) takenSince(t0 time.Time, but string) leaseChange {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, c := range w.changes {
		if c.at.After(t0) && c.node != "" && c.node != but {
			return c
		}
	}
	return leaseChange{}
}

// history lists the holders seen, with when each began relative to t0.
func (w *leaseWatch) history(t0 time.Time, ids []string) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var parts []string
	for _, c := range w.changes {
		parts = append(parts, fmt.Sprintf("%s from %v", shortID(c.node, ids), c.at.Sub(t0).Round(10*time.Millisecond)))
	}
	return strings.Join(parts, ", ")
}

// leader is the NATS server name of the lease bucket's stream leader.
func (w *leaseWatch) leader(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := w.js.Stream(ctx, "KV_"+cluster.LeaseBucket)
	if err != nil {
		t.Fatalf("the lease bucket's stream: %v", err)
	}
	if st.CachedInfo().Cluster == nil {
		t.Fatal("the lease bucket's stream is not clustered")
	}
	return st.CachedInfo().Cluster.Leader
}

// nodeName is the NATS server name of node id, as the node at url lists
// it.
func nodeName(url, id string) string {
	resp, err := http.Get(url + server.ClusterPath)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	var info server.ClusterInfo
	if json.NewDecoder(resp.Body).Decode(&info) != nil {
		return ""
	}
	for _, n := range info.Nodes {
		if string(n.ID) == id {
			return n.Name
		}
	}
	return ""
}

// lastState is the last connection state among evs.
func lastState(evs []string) string {
	for i := len(evs) - 1; i >= 0; i-- {
		if strings.HasPrefix(evs[i], "state ") {
			return evs[i]
		}
	}
	return ""
}
