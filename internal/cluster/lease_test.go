package cluster

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// fakeNodes is a liveness table and the channels each node hosts.
type fakeNodes struct {
	mu     sync.Mutex
	dead   map[NodeID]bool
	wanted map[NodeID][]string
	lost   map[NodeID][]string
}

func (f *fakeNodes) cfg(id NodeID, ttl time.Duration) LeaseConfig {
	return LeaseConfig{Self: id, TTL: ttl,
		Alive: func(n NodeID) bool { f.mu.Lock(); defer f.mu.Unlock(); return !f.dead[n] },
		Wanted: func() []string {
			f.mu.Lock()
			defer f.mu.Unlock()
			return append([]string(nil), f.wanted[id]...)
		},
		OnLost: func(k string) { f.mu.Lock(); f.lost[id] = append(f.lost[id], k); f.mu.Unlock() },
	}
}

func (f *fakeNodes) set(fn func()) { f.mu.Lock(); fn(); f.mu.Unlock() }

// A channel's lease has one holder: another node is told who holds it;
// once the holder is dead the other takes it over and the old holder, if
// it still runs, learns it lost it; an unhosted channel's lease is
// released.
func TestLeaseOneHolderTakenOverWhenDead(t *testing.T) {
	nc := natsConns(t)()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	kv, err := js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: LeaseBucket})
	if err != nil {
		t.Fatal(err)
	}
	const ttl = 500 * time.Millisecond
	f := &fakeNodes{dead: map[NodeID]bool{}, wanted: map[NodeID][]string{}, lost: map[NodeID][]string{}}
	a := StartLeases(kv, f.cfg("a", ttl))
	defer a.Close()
	b := StartLeases(kv, f.cfg("b", ttl))
	defer b.Close()

	key := LeaseKey("app", "a channel: with spaces & symbols!")
	f.set(func() { f.wanted["a"] = []string{key} })
	if got, err := a.Acquire(ctx, key); err != nil || got != "a" {
		t.Fatalf("a acquires a free lease: %q, %v", got, err)
	}
	if got, err := b.Acquire(ctx, key); err != nil || got != "a" {
		t.Fatalf("b acquires a's lease: %q, %v; want holder a", got, err)
	}
	time.Sleep(2 * ttl) // renewals keep it a's
	if got, err := b.Holder(ctx, key); err != nil || got != "a" {
		t.Fatalf("holder after renewals: %q, %v", got, err)
	}

	f.set(func() { f.dead["a"] = true })
	if got, err := b.Acquire(ctx, key); err != nil || got != "b" {
		t.Fatalf("b takes over the dead a's lease: %q, %v", got, err)
	}
	f.set(func() { f.wanted["b"] = []string{key} })
	eventually(t, "a learns it lost the lease", 20*time.Second, func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		return len(f.lost["a"]) > 0
	})
	if a.Held(key) {
		t.Error("a still holds the lease after losing it")
	}

	f.set(func() { f.wanted["a"], f.wanted["b"] = nil, nil; f.dead["a"] = false })
	eventually(t, "b releases the lease of a channel it no longer hosts", 20*time.Second, func() bool {
		_, err := kv.Get(ctx, key)
		return err != nil
	})
	if got, err := a.Holder(ctx, key); err != nil || got != "" {
		t.Fatalf("holder after release: %q, %v; want none", got, err)
	}
}
