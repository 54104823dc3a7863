package browsertest

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cohost-rtc/cohost/internal/servertest"
)

// envFailoverRuns, set to a count, makes TestClusterCrashFailoverFigures
// measure that many crashes instead of one.
const envFailoverRuns = "COHOST_FAILOVER_RUNS"

// TestClusterCrashFailoverFigures measures what a chromium viewer sees
// when the node hosting its channel crashes: for each run (one, or
// $COHOST_FAILOVER_RUNS), a new three-node cluster (node timeout 1.5 s), a
// page hosting camera and microphone on the channel's node and a viewer
// page that reached the cluster through another node; the host's node
// crashes (no goodbye, lease left behind), and the time is from the crash
// until the viewer's page decodes a frame of the host's video again, on
// the new node, through the RemoteUser and track it kept. It logs each
// time, and their median and maximum (docs/benchmarks.md).
func TestClusterCrashFailoverFigures(t *testing.T) {
	runs := 1
	if s := os.Getenv(envFailoverRuns); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			t.Fatalf("%s=%q: want a positive count of runs", envFailoverRuns, s)
		}
		runs = n
	}
	var times []time.Duration
	for i := range runs {
		ok := t.Run(fmt.Sprint("crash", i+1), func(t *testing.T) {
			d := webCrashRun(t)
			t.Logf("the viewer decodes the host again %.2f s after the crash", d.Seconds())
			times = append(times, d)
		})
		if !ok {
			return
		}
	}
	slices.Sort(times)
	list := make([]string, len(times))
	for i, d := range times {
		list[i] = fmt.Sprintf("%.2f", d.Seconds())
	}
	p50 := times[(len(times)-1)/2]
	if len(times)%2 == 0 {
		p50 = (times[len(times)/2-1] + times[len(times)/2]) / 2
	}
	t.Logf("web failover over %d crashes (node timeout 1.5 s): p50 %.2f s, max %.2f s; sorted: %s s",
		len(times), p50.Seconds(), times[len(times)-1].Seconds(), strings.Join(list, ", "))
}

// webCrashRun runs one crash of the host's node and returns the time from
// the crash until the viewer's page decodes the host's video again.
func webCrashRun(t *testing.T) time.Duration {
	nodes := startCluster(t, 3)
	app := jsString(servertest.TestAppID)

	host := openPageAt(t, nodes[0].URL, "host", "/sdk/cohost-rtc.js")
	host.run(`const c = T.newClient("host", {mode: "live", codec: "vp8", role: "host"});
		await c.join(` + app + `, "figures", null, 1);
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
	viewer := openPageAt(t, nodes[(crash+1)%len(nodes)].URL, "viewer", "/sdk/cohost-rtc.js")
	viewer.run(`await T.newClient("viewer", {mode: "live", codec: "vp8"}, true).join(` + app + `, "figures", null, 2);`)
	viewer.waitDecoding("viewer", 1)
	viewer.waitEvent("viewer subscribed 1 audio")
	// The page notes (every 10 ms, its own clock) when the track it kept
	// carries a new MediaStreamTrack and a frame more than the first count
	// seen with it has been decoded.
	viewer.run(`T.keptTrack = T.clients.viewer.remoteUsers[0].videoTrack;
		T.oldMst = T.keptTrack.getMediaStreamTrack();
		T.backAt = 0;
		let base = -1;
		T.backTimer = setInterval(() => {
			if (T.keptTrack.getMediaStreamTrack() === T.oldMst) return;
			const n = T.decoded("viewer", 1);
			if (base < 0) { base = n; return; }
			if (n > base) { T.backAt = Date.now(); clearInterval(T.backTimer); }
		}, 10);`)
	crashed := time.Now()
	nodes[crash].Crash()
	for _, p := range []*page{host, viewer} {
		p.waitEvent(p.name + " connection-state-change CONNECTED RECONNECTING")
	}
	viewer.waitFor("the viewer decodes the host on the new node", `T.backAt > 0`)
	back := time.UnixMilli(int64(viewer.num(`return T.backAt`))).Sub(crashed)
	if got, want := stateChanges(viewer, "viewer"), "CONNECTING DISCONNECTED|CONNECTED CONNECTING|RECONNECTING CONNECTED|CONNECTED RECONNECTING"; got != want {
		t.Errorf("the viewer's connection states: %s, want %s", got, want)
	}
	if got := viewer.str(`const us = T.clients.viewer.remoteUsers;
		return [us.length, us[0].videoTrack === T.keptTrack, T.keptTrack.isPlaying].join(" ")`); got != "1 true true" {
		t.Errorf("the viewer after the crash (remote users, same track, playing): %s", got)
	}
	return back
}
