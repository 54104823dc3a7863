package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/rtm"
)

// rtmStates records an RTM client's messages and connection states.
type rtmStates struct {
	msgRecorder
	smu    sync.Mutex
	states []string
}

func (r *rtmStates) OnConnectionStateChanged(s protocol.RTMConnectionState, reason protocol.RTMConnectionChangeReason) {
	r.smu.Lock()
	r.states = append(r.states, fmt.Sprintf("%s %s", s, reason))
	r.smu.Unlock()
}

func (r *rtmStates) all() []string {
	r.smu.Lock()
	defer r.smu.Unlock()
	return slices.Clone(r.states)
}

// A `cohost serve` node of a three-node cluster killed with SIGKILL while
// it hosts a channel: the channel's host and its viewers (who reached the
// cluster through different nodes) reconnect through the surviving nodes,
// keep their uid and role, the host publishes again by itself and every
// viewer hears it again, nobody is told anybody left; an RTM user of the
// dead node, given the other nodes' URLs, is connected again within
// rtm.timers.offline and gets the messages sent to it afterwards.
func TestServeClusterSIGKILLMovesChannel(t *testing.T) {
	back := sigkillRun(t)
	// The target is the node timeout + 3 s, which TestServeFailoverFigures
	// measures (docs/benchmarks.md); on a machine loaded by other tests
	// JetStream's leader elections after the kill can take seconds more
	// (7.96 s seen with two such clusters at once on 2 cores), so the
	// test fails only well past it.
	if back > failoverNodeTimeout+15*time.Second {
		t.Errorf("media flowed again %v after the SIGKILL; the target is the node timeout %v + 3 s", back, failoverNodeTimeout)
	}
}

// failoverNodeTimeout is the node timeout of the SIGKILL runs.
const failoverNodeTimeout = 2 * time.Second

// envFailoverRuns, set to a count, makes TestServeFailoverFigures measure
// that many SIGKILL failovers.
const envFailoverRuns = "COHOST_FAILOVER_RUNS"

// TestServeFailoverFigures measures, over $COHOST_FAILOVER_RUNS runs of
// the SIGKILL scenario (each on a new three-process cluster), the time
// from the SIGKILL until every viewer receives the host's audio again, and
// reports its median and maximum (docs/benchmarks.md).
func TestServeFailoverFigures(t *testing.T) {
	runs, _ := strconv.Atoi(os.Getenv(envFailoverRuns))
	if runs <= 0 {
		t.Skip("set " + envFailoverRuns + " to the number of kills to measure")
	}
	var times []time.Duration
	for i := range runs {
		t.Run(fmt.Sprint("kill", i+1), func(t *testing.T) {
			times = append(times, sigkillRun(t))
		})
	}
	if len(times) == 0 {
		return
	}
	slices.Sort(times)
	var list []string
	for _, d := range times {
		list = append(list, fmt.Sprintf("%.2f", d.Seconds()))
	}
	p50 := times[(len(times)-1)/2]
	if len(times)%2 == 0 {
		p50 = (times[len(times)/2-1] + times[len(times)/2]) / 2
	}
	t.Logf("failover over %d SIGKILLs (node timeout %v): p50 %.2f s, max %.2f s; sorted: %s s",
		len(times), failoverNodeTimeout, p50.Seconds(), times[len(times)-1].Seconds(), strings.Join(list, ", "))
}

// sigkillRun runs the SIGKILL scenario on a new three-process cluster,
// checks what the members saw, and returns how long after the SIGKILL
// media flowed again to every viewer.
func sigkillRun(t *testing.T) time.Duration {
	const nodeTimeout = failoverNodeTimeout
	const offline = 30 * time.Second // the default rtm.timers.offline
	procs, ids := startServeCluster(t, nodeTimeout, "--rtm-offline", offline.String())
	urls := []string{procs[0].ready.HTTP, procs[1].ready.HTTP, procs[2].ready.HTTP}

	host := joinRTC(t, urls[0], "show", 20, protocol.RoleBroadcaster)
	speakFor(t, host.e)
	viewers := []*rtcMember{
		joinRTC(t, urls[1], "show", 31, protocol.RoleAudience),
		joinRTC(t, urls[2], "show", 32, protocol.RoleAudience),
	}
	pollUntil(t, 20*time.Second, "node A hosts the three members", func() bool { return nodeUsers(urls[1], ids[0]) == 3 })
	var heard []*listener
	for _, v := range viewers {
		l := listen(t, v.e, 20)
		pollUntil(t, 20*time.Second, "the viewers hear the host", func() bool { return l.heardSince(time.Time{}) })
		heard = append(heard, l)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	dora := &rtmStates{}
	doraClient, err := rtm.NewClient(rtm.ClientConfig{ServerURL: urls[0], ServerURLs: urls[1:], AppID: testingApp, Handler: dora})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = doraClient.Close() })
	if err := doraClient.Login(ctx, "", "dora"); err != nil {
		t.Fatalf("dora's login on node A: %v", err)
	}
	bobClient, err := rtm.NewClient(rtm.ClientConfig{ServerURL: urls[1], AppID: testingApp})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = bobClient.Close() })
	if err := bobClient.Login(ctx, "", "bob"); err != nil {
		t.Fatalf("bob's login on node B: %v", err)
	}

	if err := procs[0].cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	<-procs[0].exited
	procs[0].exited <- nil

	members := append([]*rtcMember{host}, viewers...)
	pollUntil(t, 30*time.Second, "the host and the viewers are back in the channel", func() bool {
		for _, m := range members {
			if !m.ev.has("state CONNECTED REJOIN_SUCCESS") {
				return false
			}
		}
		return true
	})
	var back time.Duration
	for i, l := range heard {
		deadline := time.Now().Add(30 * time.Second)
		for !l.resumedAt().After(killed) {
			if time.Now().After(deadline) {
				for j, m := range members {
					t.Logf("member %d events: %q; logs:\n%s", j, m.ev.all(), m.log.String())
				}
				for j := 1; j < 3; j++ {
					t.Logf("node %d: users %d; stderr:\n%s", j, nodeUsers(urls[j], ids[j]), procs[j].stderr.String())
				}
				t.Fatalf("viewer %d does not hear the host again within 30 s", i)
			}
			time.Sleep(20 * time.Millisecond)
		}
		// Packets stopped with the kill; they resumed after the move.
		back = max(back, l.resumedAt().Sub(killed))
	}
	t.Logf("media flows again within %v after the SIGKILL (node timeout %v)", back.Round(10*time.Millisecond), nodeTimeout)
	checkMoved(t, host, 20, protocol.RoleBroadcaster)
	checkMoved(t, viewers[0], 31, protocol.RoleAudience)
	checkMoved(t, viewers[1], 32, protocol.RoleAudience)

	pollUntil(t, 30*time.Second, "dora is connected again through another node", func() bool {
		st := dora.all()
		return len(st) > 0 && strings.HasPrefix(st[len(st)-1], "CONNECTED")
	})
	if d := time.Since(killed); d > offline {
		t.Errorf("dora connected again %v after the SIGKILL, want within rtm.timers.offline %v", d, offline)
	}
	t.Logf("dora connected again by %v after the SIGKILL (rtm.timers.offline %v); states %q",
		time.Since(killed).Round(10*time.Millisecond), offline, dora.all())
	code, err := bobClient.SendMessageToPeer(ctx, "dora", rtm.NewTextMessage("after"), nil)
	if err != nil || code != protocol.RTMPeerMessageOK {
		t.Fatalf("bob to dora after the move: %v %v", code, err)
	}
	pollUntil(t, 20*time.Second, "dora gets bob's message", func() bool { return slices.Contains(dora.list(), "bob after") })
	return back
}
