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
	f := newFairness(256<<10, 0, 0, nil)
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

// TestHeavyRequestsPaced: requests over heavyFrame get through at no more
// than the node's pace (after its burst), all of them get through, and a
// small request is not paced while heavy ones wait.
func TestHeavyRequestsPaced(t *testing.T) {
	const (
		perSecond = 256 << 10
		burst     = 64 << 10
		size      = 16 << 10
		requests  = 24 // 384 KB: the burst, then about 1.25 s of pace
	)
	var waited atomic.Int64
	f := newFairness(256<<10, perSecond, burst, func(d time.Duration) { waited.Add(int64(d)) })
	start := time.Now()
	var mu sync.Mutex
	var done []time.Duration // when each heavy request ran, since start
	var wg sync.WaitGroup
	for range requests {
		wg.Go(func() {
			if err := f.handle(context.Background(), size, func() {
				mu.Lock()
				done = append(done, time.Since(start))
				mu.Unlock()
			}); err != nil {
				t.Error(err)
			}
		})
	}
	small := make(chan struct{})
	go func() { _ = f.handle(context.Background(), heavyFrame, func() { close(small) }) }()
	select {
	case <-small:
	case <-time.After(20 * time.Second):
		t.Fatal("a small request waited for the heavy pace")
	}
	wg.Wait()
	if len(done) != requests {
		t.Fatalf("%d of %d heavy requests ran", len(done), requests)
	}
	// However slow the machine, the k-th request cannot have run before
	// the pace had let its bytes through: k*size <= burst + pace*elapsed.
	for k, at := range done {
		allowed := burst + int(float64(perSecond)*at.Seconds()) + size // one request of slack for rounding
		if (k+1)*size > allowed {
			t.Fatalf("request %d ran %v after the start: %d bytes through, the pace allows %d", k+1, at, (k+1)*size, allowed)
		}
	}
	if waited.Load() == 0 {
		t.Fatal("no wait reported for paced requests")
	}
	// A request over the burst is charged the burst, not refused.
	if err := f.handle(context.Background(), 2*burst, func() {}); err != nil {
		t.Fatalf("a request over the burst: %v", err)
	}
}
