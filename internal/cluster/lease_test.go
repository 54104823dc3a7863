package cluster

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// fakeNodes is a liveness table and the channels each node hosts.
type fakeNodes struct {
	mu     sync.Mutex
	dead   map[NodeID]bool
	wanted map[NodeID][]string
	lost   map[NodeID][]string
	// conn, when set, is the connection leases read through from the
	// stream leader.
	conn *nats.Conn
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
		Conn:   f.conn,
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
	f.conn = nc
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

	// b's registry says a is dead, but a still renews its lease (b's view
	// is behind, as after a partition heals): a keeps it.
	f.set(func() { f.dead["a"] = true })
	if got, err := b.Acquire(ctx, key); err != nil || got != "a" {
		t.Fatalf("b acquires the lease a still renews: %q, %v; want holder a", got, err)
	}
	// a stops renewing (its process died): b takes the lease over once
	// the lease time has passed since a's last renewal.
	a.Kill()
	eventually(t, "b takes over the dead a's lease", 20*time.Second, func() bool {
		got, err := b.Acquire(ctx, key)
		return err == nil && got == "b"
	})
	f.set(func() { f.wanted["b"] = []string{key} })
	// a comes back hosting the channel: it learns the lease is b's.
	f.set(func() { f.dead["a"] = false })
	a2 := StartLeases(kv, f.cfg("a", ttl))
	defer a2.Close()
	eventually(t, "a learns it lost the lease", 20*time.Second, func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		return len(f.lost["a"]) > 0
	})
	if a2.Held(key) {
		t.Error("a holds the lease b took")
	}

	f.set(func() { f.wanted["a"], f.wanted["b"] = nil, nil })
	eventually(t, "b releases the lease of a channel it no longer hosts", 20*time.Second, func() bool {
		_, err := kv.Get(ctx, key)
		return err != nil
	})
	if got, err := a2.Holder(ctx, key); err != nil || got != "" {
		t.Fatalf("holder after release: %q, %v; want none", got, err)
	}
}

// Nodes that race for a channel whose lease was released (its entry is a
// delete marker) agree on one holder, and none fails: a compare-and-set
// lost on the marker is a lost race, not an error.
func TestLeaseRaceForAReleasedChannel(t *testing.T) {
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
	f := &fakeNodes{dead: map[NodeID]bool{}, wanted: map[NodeID][]string{}, lost: map[NodeID][]string{}}
	f.conn = nc
	const nodes, rounds = 6, 20
	ls := make([]*Leases, nodes)
	for i := range ls {
		ls[i] = StartLeases(kv, f.cfg(NodeID(fmt.Sprint("n", i)), time.Minute))
		defer ls[i].Close()
	}
	for r := range rounds {
		key := LeaseKey("app", fmt.Sprint("released ", r))
		if _, err := kv.Put(ctx, key, []byte(`{"node":"gone"}`)); err != nil {
			t.Fatal(err)
		}
		if err := kv.Delete(ctx, key); err != nil {
			t.Fatal(err)
		}
		got := make([]NodeID, nodes)
		errs := make([]error, nodes)
		var wg sync.WaitGroup
		for i, l := range ls {
			wg.Go(func() { got[i], errs[i] = l.Acquire(ctx, key) })
		}
		wg.Wait()
		for i := range ls {
			if errs[i] != nil {
				t.Fatalf("round %d: node %d: %v", r, i, errs[i])
			}
			if got[i] != got[0] {
				t.Fatalf("round %d: node %d sees holder %q, node 0 %q", r, i, got[i], got[0])
			}
		}
	}
}

// A compare-and-set lost is recognised however JetStream reports it:
// single-replica streams (10071), replicated ones (10164, which a Create
// over a delete marker returns unwrapped) and the key-value errors.
func TestWrongRevisionRecognised(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"10071", &jetstream.APIError{ErrorCode: jetstream.JSErrCodeStreamWrongLastSequence}, true},
		{"10164 from a replicated stream", &jetstream.APIError{ErrorCode: jetstream.JSErrCodeStreamWrongLastSequenceConstant}, true},
		{"10164 wrapped", fmt.Errorf("put: %w", &jetstream.APIError{ErrorCode: jetstream.JSErrCodeStreamWrongLastSequenceConstant}), true},
		{"key exists", jetstream.ErrKeyExists, true},
		{"revision mismatch", jetstream.ErrKeyRevisionMismatch, true},
		{"no responders", jetstream.ErrNoStreamResponse, false},
		{"timeout", context.DeadlineExceeded, false},
	} {
		if got := isWrongRevision(tc.err); got != tc.want {
			t.Errorf("%s: isWrongRevision = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// A lease whose entry was written again by its own holder (two
// acquisitions of one channel at once, each writing its own revision) is
// kept: the renewal finds the entry still names the node and renews it on
// its revision, instead of reporting the lease lost.
func TestLeaseRewrittenByItsHolderIsKept(t *testing.T) {
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
	f.conn = nc
	a := StartLeases(kv, f.cfg("a", ttl))
	defer a.Close()
	key := LeaseKey("app", "twice")
	f.set(func() { f.wanted["a"] = []string{key} })
	if got, err := a.Acquire(ctx, key); err != nil || got != "a" {
		t.Fatalf("a acquires a free lease: %q, %v", got, err)
	}
	e, err := kv.Get(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	rewritten, err := kv.Update(ctx, key, e.Value(), e.Revision())
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "a renews the rewritten entry", 20*time.Second, func() bool {
		e, err := kv.Get(ctx, key)
		return err == nil && e.Revision() > rewritten
	})
	f.mu.Lock()
	lost := f.lost["a"]
	f.mu.Unlock()
	if len(lost) != 0 || !a.Held(key) {
		t.Errorf("a lost the lease it rewrote itself (lost %q, held %v)", lost, a.Held(key))
	}
}
