package rtc_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cohost-rtc/cohost/internal/config"
	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/rtc"
)

// byUID groups user events by the uid they name, keeping their order.
func byUID(events []string) map[string][]string {
	out := map[string][]string{}
	for _, ev := range events {
		f := strings.Fields(ev)
		if len(f) >= 2 {
			out[f[1]] = append(out[f[1]], ev)
		}
	}
	return out
}

// checkByUID checks c's user events, uid by uid: the order between uids
// of a snapshot is not defined.
func checkByUID(t *testing.T, c *client, want map[string][]string) {
	t.Helper()
	events := c.rec.matching(userEvents...)
	got := byUID(events)
	if len(got) != len(want) {
		t.Errorf("%s: user events %q", c.name, events)
	}
	for uid, evs := range want {
		if !slices.Equal(got[uid], evs) {
			t.Errorf("%s: events for uid %s: got %q, want %q", c.name, uid, got[uid], evs)
		}
	}
}

// TestE2EOneWayRelayPresence is seeds 001/002 for a relay in one
// direction: while host A relays into channel b, A alone sees b's hosts
// join and leave (quit, drop), including across a resume of A's own
// connection; it is offered none of their tracks, and nobody else in A's
// channel hears of them. Stopping the relay ends A's view of them.
func TestE2EOneWayRelayPresence(t *testing.T) {
	srv := startServer(t, func(c *config.Config) { c.Timers.DropTimeout = time.Second })
	ctx := ctxT(t)
	hostA := newClient(t, srv, "hostA", asHost)
	hostA.join(t, "a", 1)
	publishAV(t, hostA)
	coHost := newClient(t, srv, "coHost", asHost)
	coHost.join(t, "a", 3)
	viewA := newClient(t, srv, "viewA")
	viewA.join(t, "a", 11)
	hostB := newClient(t, srv, "hostB", asHost)
	hostB.join(t, "b", 2)
	publishAV(t, hostB)
	hostC := newClient(t, srv, "hostC", asHost)
	hostC.join(t, "b", 4)
	viewB := newClient(t, srv, "viewB")
	viewB.join(t, "b", 22)
	hostA.waitEvent(t, "user-joined 3")

	if err := hostA.StartChannelMediaRelay(ctx, relayConfig(rtc.ChannelMediaInfo{ChannelName: "b", UID: 1001})); err != nil {
		t.Fatal(err)
	}
	hostA.waitEvent(t, "user-joined 2")
	hostA.waitEvent(t, "user-joined 4")
	viewB.waitEvent(t, "user-published 1001 video")

	if err := hostC.LeaveChannel(ctx); err != nil {
		t.Fatal(err)
	}
	hostA.waitEvent(t, "user-offline 4 QUIT")

	hostB.net.block(true)
	hostB.net.cut()
	hostA.waitEvent(t, "user-offline 2 DROPPED")

	// While A's own connection is down, one host of b leaves and another
	// joins: A hears of both once it has resumed.
	hostE := newClient(t, srv, "hostE", asHost)
	hostE.join(t, "b", 5)
	hostA.waitEvent(t, "user-joined 5")
	hostA.net.block(true)
	hostA.net.cut()
	hostA.waitEvent(t, "state RECONNECTING INTERRUPTED")
	if err := hostE.LeaveChannel(ctx); err != nil {
		t.Fatal(err)
	}
	hostF := newClient(t, srv, "hostF", asHost)
	hostF.join(t, "b", 6)
	viewB.waitEvent(t, "user-joined 6")
	hostA.net.block(false)
	hostA.waitEvent(t, "state CONNECTED REJOIN_SUCCESS")
	hostA.waitEvent(t, "user-offline 5 QUIT")
	hostA.waitEvent(t, "user-joined 6")

	if err := hostA.StopChannelMediaRelay(ctx); err != nil {
		t.Fatal(err)
	}
	hostA.waitEvent(t, "user-offline 6 QUIT")
	viewB.waitEvent(t, "user-offline 1001 QUIT")

	// Sentinel: a host joining b after the stop is no longer announced to
	// A, but a host joining a is, and everyone in a sees it.
	late := newClient(t, srv, "late", asHost)
	late.join(t, "b", 7)
	viewB.waitEvent(t, "user-joined 7")
	lateA := newClient(t, srv, "lateA", asHost)
	lateA.join(t, "a", 8)
	for _, c := range []*client{hostA, coHost, viewA} {
		c.waitEvent(t, "user-joined 8")
	}

	checkByUID(t, hostA, map[string][]string{
		"3": {"user-joined 3"},
		"2": {"user-joined 2", "user-offline 2 DROPPED"},
		"4": {"user-joined 4", "user-offline 4 QUIT"},
		"5": {"user-joined 5", "user-offline 5 QUIT"},
		"6": {"user-joined 6", "user-offline 6 QUIT"},
		"8": {"user-joined 8"},
	})
	seenA := map[string][]string{
		"1": {"user-joined 1", "user-published 1 audio", "user-published 1 video"},
		"3": {"user-joined 3"},
		"8": {"user-joined 8"},
	}
	checkByUID(t, viewA, seenA)
	delete(seenA, "3")
	checkByUID(t, coHost, seenA)
	if errs := hostA.rec.matching("error"); len(errs) > 0 {
		t.Errorf("hostA: errors %q", errs)
	}
}

// TestE2ERelayPresenceAcrossUpdates: a uid that is a host in two
// destinations is announced once and leaves A's view with the last of
// them; an update that drops a destination ends A's view of its hosts; a
// destination host who becomes audience is reported as such.
func TestE2ERelayPresenceAcrossUpdates(t *testing.T) {
	srv := startServer(t, func(c *config.Config) { c.Timers.RelayMinInterval = 50 * time.Millisecond })
	ctx := ctxT(t)
	hostA := newClient(t, srv, "hostA", asHost)
	hostA.join(t, "a", 1)
	publishAV(t, hostA)
	x := newClient(t, srv, "x", asHost)
	x.join(t, "d1", 9)
	y := newClient(t, srv, "y", asHost)
	y.join(t, "d2", 9)
	z := newClient(t, srv, "z", asHost)
	z.join(t, "d3", 10)

	d1, d2, d3 := rtc.ChannelMediaInfo{ChannelName: "d1", UID: 101}, rtc.ChannelMediaInfo{ChannelName: "d2", UID: 102},
		rtc.ChannelMediaInfo{ChannelName: "d3", UID: 103}
	if err := hostA.StartChannelMediaRelay(ctx, relayConfig(d1, d2)); err != nil {
		t.Fatal(err)
	}
	hostA.waitEvent(t, "user-joined 9")
	update := func(cfg *rtc.ChannelMediaRelayConfiguration) {
		t.Helper()
		deadline := time.Now().Add(waitTimeout)
		for {
			err := hostA.UpdateChannelMediaRelay(ctx, cfg)
			if err == nil {
				return
			}
			if !errors.Is(err, protocol.NewError(protocol.ErrTooOften, "")) || time.Now().After(deadline) {
				t.Fatal(err)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	update(relayConfig(d2))
	x.waitEvent(t, "user-offline 101 QUIT")
	update(relayConfig(d2, d3))
	hostA.waitEvent(t, "user-joined 10")
	update(relayConfig(d3))
	hostA.waitEvent(t, "user-offline 9 QUIT")
	if err := z.SetClientRole(ctx, protocol.RoleAudience); err != nil {
		t.Fatal(err)
	}
	hostA.waitEvent(t, "user-offline 10 BECOME_AUDIENCE")
	if err := z.SetClientRole(ctx, protocol.RoleBroadcaster); err != nil {
		t.Fatal(err)
	}
	hostA.waitEvent(t, "user-joined 10")
	if err := hostA.StopChannelMediaRelay(ctx); err != nil {
		t.Fatal(err)
	}
	hostA.waitEvent(t, "user-offline 10 QUIT")
	checkEvents(t, hostA, []string{
		"user-joined 9", "user-joined 10", "user-offline 9 QUIT",
		"user-offline 10 BECOME_AUDIENCE", "user-joined 10", "user-offline 10 QUIT",
	}, userEvents...)
}
