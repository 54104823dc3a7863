package rtm_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/rtm"
)

// Killing a node abruptly (its NATS connection and clients dropped without
// any cleanup) loses no channel attribute, and the peers of its users see
// them go OFFLINE and leave their channels.
func TestNodeKilledAbruptly(t *testing.T) {
	cl := startCluster(t)
	doomed, _ := login(t, cl.a, "doomed")
	watcher, wRec := login(t, cl.b, "watcher")
	if err := watcher.SubscribePeersOnlineStatus(ctx(t), []string{"doomed"}); err != nil {
		t.Fatal(err)
	}
	wRec.waitFor(t, "presence doomed ONLINE")
	dch, _ := doomed.CreateChannel("room", nil)
	if err := dch.Join(ctx(t)); err != nil {
		t.Fatal(err)
	}
	wch, _ := watcher.CreateChannel("room", chanRecorder{wRec})
	if err := wch.Join(ctx(t)); err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		if _, err := doomed.AddOrUpdateChannelAttributes(ctx(t), "room", []rtm.Attribute{{Key: fmt.Sprint("k", i), Value: "v"}}, nil); err != nil {
			t.Fatal(err)
		}
	}
	cl.a.KillRTM()
	wRec.waitFor(t, "presence doomed OFFLINE")
	wRec.waitFor(t, "left doomed")
	attrs, err := watcher.GetChannelAttributes(ctx(t), "room")
	if err != nil || len(attrs) != 10 {
		t.Fatalf("attributes after the kill: %d, %v", len(attrs), err)
	}
}

// One client flooding peer messages over its rate limit does not hurt two
// others exchanging messages on the same nodes: they lose nothing and are
// refused nothing. The flooder first keeps more messages in flight than the
// limit's burst until it is refused, which happens however slowly the
// machine answers, then floods on at up to about 330 a second while the
// two others talk.
func TestFloodingClientDoesNotHurtOthers(t *testing.T) {
	cl := startCluster(t)
	flooder, _ := login(t, cl.a, "flooder")
	login(t, cl.b, "sink")
	a, _ := login(t, cl.a, "a")
	_, bRec := login(t, cl.b, "b")
	floodCtx, cancelFlood := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancelFlood()
	var refused, sent atomic.Int64
	// flood sends to sink with up to inFlight messages in flight, one every
	// pace at most, until halted.
	flood := func(inFlight int, pace time.Duration) (halt func()) {
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Go(func() {
			sem := make(chan struct{}, inFlight)
			for {
				select {
				case <-stop:
					for range cap(sem) {
						sem <- struct{}{}
					}
					return
				case sem <- struct{}{}:
				}
				time.Sleep(pace)
				go func() {
					defer func() { <-sem }()
					_, err := flooder.SendMessageToPeer(floodCtx, "sink", rtm.NewTextMessage("flood"), nil)
					sent.Add(1)
					if rtm.Code(err) == int(protocol.RTMPeerMessageTooOften) {
						refused.Add(1)
					}
				}()
			}
		})
		return func() {
			close(stop)
			wg.Wait()
		}
	}
	// 180 per 3 s with a burst of 180: 256 in flight exceed it.
	halt := flood(256, 0)
	deadline := time.Now().Add(30 * time.Second)
	for refused.Load() == 0 {
		if time.Now().After(deadline) {
			halt()
			t.Fatalf("the flooder (%d messages) was never refused", sent.Load())
		}
		time.Sleep(10 * time.Millisecond)
	}
	halt()

	// Then up to about 330 a second, over five times the limit, paced so
	// that its refusals, answered at once, do not spin the test's own CPU.
	halt = flood(8, 3*time.Millisecond)
	const n = 100
	for i := range n {
		if code, err := a.SendMessageToPeer(ctx(t), "b", rtm.NewTextMessage(fmt.Sprint("m", i)), nil); err != nil || code != protocol.RTMPeerMessageOK {
			halt()
			t.Fatalf("message %d: %v, %v", i, code, err)
		}
	}
	halt()
	for i := range n {
		bRec.waitFor(t, fmt.Sprintf("peer a m%d offline=false", i))
	}
}
