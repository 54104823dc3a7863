package rtmsvc

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestHeavyRequestsLeaveAProcessor: requests over heavyFrame run in at
// most the node's lanes at once, and a small request runs at once while
// every lane is taken.
func TestHeavyRequestsLeaveAProcessor(t *testing.T) {
	f := newFairness(256 << 10)
	lanes := cap(f.lanes)
	release := make(chan struct{})
	var running, most atomic.Int32
	var wg sync.WaitGroup
	for range 4 * lanes {
		wg.Go(func() {
			err := f.handle(context.Background(), heavyFrame+1, func() {
				n := running.Add(1)
				for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
				}
				<-release
				running.Add(-1)
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	deadline := time.Now().Add(20 * time.Second)
	for running.Load() < int32(lanes) && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if running.Load() != int32(lanes) {
		t.Fatalf("%d heavy requests running, want the %d lanes", running.Load(), lanes)
	}
	small := make(chan struct{})
	go func() { _ = f.handle(context.Background(), 100, func() { close(small) }) }()
	select {
	case <-small:
	case <-time.After(20 * time.Second):
		t.Fatal("a small request waited for a heavy lane")
	}
	// One waiting for a lane gives up with its context.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := f.handle(ctx, heavyFrame+1, func() { t.Error("ran after its context ended") }); err == nil {
		t.Fatal("no error from a request whose context ended while it waited")
	}
	close(release)
	wg.Wait()
	if m := most.Load(); m != int32(lanes) {
		t.Fatalf("at most %d heavy requests ran at once, want %d", m, lanes)
	}
}
