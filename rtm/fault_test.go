package rtm_test

import (
	"fmt"
	"sync"
	"testing"

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

// One client flooding peer messages at ten times its rate limit does not
// hurt two others exchanging messages on the same nodes: they lose nothing
// and are refused nothing.
func TestFloodingClientDoesNotHurtOthers(t *testing.T) {
	cl := startCluster(t)
	flooder, _ := login(t, cl.a, "flooder")
	a, _ := login(t, cl.a, "a")
	b, bRec := login(t, cl.b, "b")
	_ = b
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var refused, sent int
	wg.Add(1)
	go func() {
		defer wg.Done()
		// 180 per 3 s is 60/s; flood at about 600/s with 8 in flight.
		sem := make(chan struct{}, 8)
		var mu sync.Mutex
		for {
			select {
			case <-stop:
				for range cap(sem) {
					sem <- struct{}{}
				}
				return
			case sem <- struct{}{}:
			}
			go func() {
				defer func() { <-sem }()
				_, err := flooder.SendMessageToPeer(ctx(t), "b", rtm.NewTextMessage("flood"), nil)
				mu.Lock()
				sent++
				if rtm.Code(err) == int(protocol.RTMPeerMessageTooOften) {
					refused++
				}
				mu.Unlock()
			}()
		}
	}()
	const n = 100
	for i := range n {
		if code, err := a.SendMessageToPeer(ctx(t), "b", rtm.NewTextMessage(fmt.Sprint("m", i)), nil); err != nil || code != protocol.RTMPeerMessageOK {
			close(stop)
			wg.Wait()
			t.Fatalf("message %d: %v, %v", i, code, err)
		}
	}
	close(stop)
	wg.Wait()
	for i := range n {
		bRec.waitFor(t, fmt.Sprintf("peer a m%d offline=false", i))
	}
	if refused == 0 {
		t.Errorf("the flooder (%d messages) was never refused", sent)
	}
}
