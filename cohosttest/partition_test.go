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

// TestClusterNodeCutFromNATS: a node cut from NATS while it hosts a
// channel (its clients still reach it) cannot renew the channel's lease,
// so it stops hosting the channel about the lease time after the cut; its
// members are sent on, join again through another node (same uid and
// role, RECONNECTING then CONNECTED with REJOIN_SUCCESS) and the audience
// hears the host again. The other node hosts the channel only after the
// cut node gave it up: never two nodes at once.
func TestClusterNodeCutFromNATS(t *testing.T) {
	const leaseTime = 1500 * time.Millisecond // the node timeout
	c := cohosttest.NewCluster(t, 3, cohosttest.WithTestingModeApp(), cohosttest.WithNodeTimeout(leaseTime))
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

	cut := time.Now()
	cohosttest.CutNATS(c, 0)
	// Watch both sides: when A stops hosting, when another node starts.
	var aDone, otherStart time.Time
	waitUntil(t, 30*time.Second, "A gives the channel up and another node hosts it", func() bool {
		s := sessions(c)
		now := time.Now()
		if aDone.IsZero() && s[0] == 0 {
			aDone = now
		}
		if otherStart.IsZero() && s[1]+s[2] > 0 {
			otherStart = now
		}
		return !aDone.IsZero() && !otherStart.IsZero()
	})
	t.Logf("the cut node stopped hosting %v after the cut (lease time %v); another node hosts from %v after the cut",
		aDone.Sub(cut).Round(10*time.Millisecond), leaseTime, otherStart.Sub(cut).Round(10*time.Millisecond))
	if overlap := aDone.Sub(otherStart); overlap > leaseTime {
		t.Errorf("two nodes hosted the channel for %v, more than the lease time", overlap)
	}
	if d := aDone.Sub(cut); d > leaseTime+2*time.Second {
		t.Errorf("the cut node hosted the channel %v after the cut: want about the lease time %v", d, leaseTime)
	}
	waitUntil(t, 30*time.Second, "the host and the viewer are back in the channel", func() bool {
		return hostEv.has("state CONNECTED REJOIN_SUCCESS") && viewerEv.has("state CONNECTED REJOIN_SUCCESS")
	})
	moved := time.Now()
	waitUntil(t, 30*time.Second, "the viewer hears the host again", func() bool { return heardSince(moved) })
	for _, h := range []*events{hostEv, viewerEv} {
		for _, ev := range h.all() {
			if strings.HasPrefix(ev, "user-offline") || strings.HasPrefix(ev, "state FAILED") || strings.HasPrefix(ev, "state DISCONNECTED") {
				t.Errorf("unexpected %q in %q", ev, h.all())
			}
		}
	}
	if host.ClientRole() != protocol.RoleBroadcaster || viewer.ClientRole() != protocol.RoleAudience ||
		host.LocalUID() != 20 || viewer.LocalUID() != 30 {
		t.Errorf("after the move: host %d %v, viewer %d %v", host.LocalUID(), host.ClientRole(), viewer.LocalUID(), viewer.ClientRole())
	}
	if got := sessions(c); got[0] != 0 || got[1]+got[2] != 2 {
		t.Errorf("sessions per node: %v, want none on the cut node", got)
	}
}
