package cohosttest_test

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cohost-rtc/cohost/cohosttest"
	"github.com/cohost-rtc/cohost/protocol"
)

// TestClusterDrainMovesMembers: a node stopped gracefully (drained) sends
// its channel's host and audience to the other nodes: both go RECONNECTING
// then CONNECTED with REJOIN_SUCCESS, keep their uid and role, the host
// publishes again by itself and the audience hears it again, nobody is
// told anybody left, and nobody stays on the drained node.
func TestClusterDrainMovesMembers(t *testing.T) {
	t.Parallel()
	c := cohosttest.NewCluster(t, 3, cohosttest.WithTestingModeApp())
	nodes := c.Nodes()

	host, hostEv := engine(t, c, nodes[0].URL, protocol.RoleBroadcaster)
	if _, err := host.JoinChannel(joinCtx(t), "", "show", 20); err != nil {
		t.Fatal(err)
	}
	speak(t, host)
	viewer, viewerEv := engine(t, c, nodes[1].URL, protocol.RoleAudience)
	if _, err := viewer.JoinChannel(joinCtx(t), "", "show", 30); err != nil {
		t.Fatal(err)
	}
	if got := sessions(c); !slices.Equal(got, []int{2, 0, 0}) {
		t.Fatalf("sessions per node: %v, want both on A", got)
	}
	track, err := viewer.Subscribe(joinCtx(t), 20, protocol.MediaAudio)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var last time.Time
	go func() {
		for {
			if _, err := track.ReadRTP(); err != nil {
				return
			}
			mu.Lock()
			last = time.Now()
			mu.Unlock()
		}
	}()
	heardSince := func(t0 time.Time) bool { mu.Lock(); defer mu.Unlock(); return last.After(t0) }
	waitUntil(t, 20*time.Second, "the viewer hears the host", func() bool { return heardSince(time.Time{}) })

	start := time.Now()
	if err := c.StopNode(0); err != nil {
		t.Fatalf("drain: %v", err)
	}
	t.Logf("node drained and stopped in %v", time.Since(start).Round(time.Millisecond))
	waitUntil(t, 30*time.Second, "the host and the viewer are back in the channel", func() bool {
		return hostEv.has("state CONNECTED REJOIN_SUCCESS") && viewerEv.has("state CONNECTED REJOIN_SUCCESS")
	})
	moved := time.Now()
	waitUntil(t, 30*time.Second, "the viewer hears the host again", func() bool { return heardSince(moved) })
	t.Logf("media flows again %v after the drain began", time.Since(start).Round(10*time.Millisecond))

	for _, h := range []*events{hostEv, viewerEv} {
		got := h.all()
		if i, j := slices.Index(got, "state RECONNECTING INTERRUPTED"), slices.Index(got, "state CONNECTED REJOIN_SUCCESS"); i < 0 || j < i {
			t.Errorf("states %q: want RECONNECTING INTERRUPTED then CONNECTED REJOIN_SUCCESS", got)
		}
		for _, ev := range got {
			if strings.HasPrefix(ev, "user-offline") || strings.HasPrefix(ev, "state FAILED") || strings.HasPrefix(ev, "state DISCONNECTED") {
				t.Errorf("unexpected %q in %q", ev, got)
			}
		}
	}
	if host.ClientRole() != protocol.RoleBroadcaster || viewer.ClientRole() != protocol.RoleAudience {
		t.Errorf("roles after the move: host %v, viewer %v", host.ClientRole(), viewer.ClientRole())
	}
	if host.LocalUID() != 20 || viewer.LocalUID() != 30 {
		t.Errorf("uids after the move: host %d, viewer %d", host.LocalUID(), viewer.LocalUID())
	}
	if got := sessions(c); got[0] != 0 || got[1]+got[2] != 2 || (got[1] != 0 && got[2] != 0) {
		t.Errorf("sessions per node after the drain: %v, want none on A and both on one other node", got)
	}
}
