package cluster

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// LeaseBucket is the JetStream key-value bucket of the channel leases.
const LeaseBucket = "RTC_CHANNELS"

// LeaseKey is the bucket key of an app's channel: both parts encoded so
// that any channel name makes a valid key.
func LeaseKey(app, channel string) string {
	enc := base64.RawURLEncoding
	return "c." + enc.EncodeToString([]byte(app)) + "." + enc.EncodeToString([]byte(channel))
}

// leaseValue is what a lease entry holds.
type leaseValue struct {
	Node NodeID `json:"node"`
}

// LeaseConfig configures Leases.
type LeaseConfig struct {
	// Self is this node.
	Self NodeID
	// TTL is the lease time: a lease not renewed for this long is no
	// longer held by its node, which renews it every fifth of it. It is
	// the node timeout, so a dead holder's lease is taken over once the
	// registry marks it dead.
	TTL time.Duration
	// Alive reports whether a node lives (the registry's view).
	Alive func(NodeID) bool
	// Wanted lists the keys this node needs: the channels it hosts. The
	// renewal keeps their leases, takes back one it lost track of and
	// releases the others.
	Wanted func() []string
	// OnLost is called (from the renewal goroutine) for a key whose lease
	// this node no longer holds while it still hosts the channel: another
	// node took it, or it could not be renewed within the TTL.
	OnLost func(key string)
	// Conn, when set, is the NATS connection the leases are read through
	// from the bucket's stream leader (readLeader); without it they are
	// read with the key-value Get.
	Conn   *nats.Conn
	Logger *slog.Logger
}

// Leases holds this node's channel leases in a JetStream key-value
// bucket: each channel is owned by at most one node at a time, through
// compare-and-set on the entry's revision. One mutex guards the table of
// held leases; one goroutine renews them. No lock is held during I/O.
type Leases struct {
	kv  jetstream.KeyValue
	cfg LeaseConfig
	log *slog.Logger
	val []byte

	cancel context.CancelFunc
	done   chan struct{}
	kick   chan struct{}

	mu      sync.Mutex
	held    map[string]*held
	stopped bool
}

type held struct {
	rev     uint64
	renewed time.Time
}

// StartLeases opens the lease table on kv and starts renewing.
func StartLeases(kv jetstream.KeyValue, cfg LeaseConfig) *Leases {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.TTL <= 0 {
		cfg.TTL = DefaultTimeout
	}
	val, _ := json.Marshal(leaseValue{Node: cfg.Self})
	ctx, cancel := context.WithCancel(context.Background())
	l := &Leases{kv: kv, cfg: cfg, log: log.With("node", cfg.Self), val: val, cancel: cancel,
		done: make(chan struct{}), kick: make(chan struct{}, 1), held: map[string]*held{}}
	go l.run(ctx)
	return l
}

// Holder is the live node holding key's lease, or "" when none does (no
// entry, or its holder is dead).
func (l *Leases) Holder(ctx context.Context, key string) (NodeID, error) {
	if l.Held(key) {
		return l.cfg.Self, nil
	}
	e, err := l.get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("cluster: lease %s: %w", key, err)
	}
	v, ok := decodeLease(e.val)
	if !ok || v.Node == l.cfg.Self || !l.live(v, e) {
		return "", nil
	}
	return v.Node, nil
}

// Held reports whether this node holds key's lease.
func (l *Leases) Held(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, ok := l.held[key]
	return ok
}

// Acquire takes key's lease unless a live node holds it, and returns the
// holder: this node when it got (or had) the lease.
func (l *Leases) Acquire(ctx context.Context, key string) (NodeID, error) {
	l.mu.Lock()
	if l.stopped {
		l.mu.Unlock()
		return "", ErrStopped
	}
	if _, ok := l.held[key]; ok {
		l.mu.Unlock()
		return l.cfg.Self, nil
	}
	l.mu.Unlock()
	for range 8 {
		e, err := l.get(ctx, key)
		var rev uint64
		switch {
		case errors.Is(err, jetstream.ErrKeyNotFound):
			rev, err = l.kv.Create(ctx, key, l.val)
			if isWrongRevision(err) {
				continue
			}
		case err != nil:
		default:
			if v, ok := decodeLease(e.val); ok && v.Node != l.cfg.Self && l.live(v, e) {
				return v.Node, nil
			}
			// Ours from before, or its holder is dead: take it over.
			rev, err = l.kv.Update(ctx, key, l.val, e.rev)
			if isWrongRevision(err) {
				continue
			}
		}
		if err != nil {
			return "", fmt.Errorf("cluster: lease %s: %w", key, err)
		}
		l.mu.Lock()
		// Two acquisitions of one channel at once both end here, each
		// with the revision it wrote: the newer one is the entry's.
		if h, ok := l.held[key]; !ok || h.rev < rev {
			l.held[key] = &held{rev: rev, renewed: time.Now()}
		}
		l.mu.Unlock()
		return l.cfg.Self, nil
	}
	return "", fmt.Errorf("cluster: lease %s: %w", key, ErrContended)
}

// Release lets key's lease go soon, if the node no longer hosts the
// channel then (the renewal releases what Wanted does not list).
func (l *Leases) Release() {
	select {
	case l.kick <- struct{}{}:
	default:
	}
}

// Close releases every lease (a graceful stop: other nodes may take the
// channels at once) and stops renewing.
func (l *Leases) Close() {
	if !l.stop() {
		return
	}
	l.mu.Lock()
	all := l.held
	l.held = map[string]*held{}
	l.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	for key, h := range all {
		_ = l.kv.Delete(ctx, key, jetstream.LastRevision(h.rev))
	}
}

// Kill stops renewing without releasing anything, as a crashed node would:
// the leases go to other nodes once the registry marks this one dead.
func (l *Leases) Kill() { l.stop() }

func (l *Leases) stop() bool {
	l.mu.Lock()
	if l.stopped {
		l.mu.Unlock()
		return false
	}
	l.stopped = true
	l.mu.Unlock()
	l.cancel()
	<-l.done
	return true
}

func (l *Leases) run(ctx context.Context) {
	defer close(l.done)
	tick := time.NewTicker(max(l.cfg.TTL/5, 20*time.Millisecond))
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			l.renew(ctx)
		case <-l.kick:
			l.renew(ctx)
		}
	}
}

// renew renews the leases of the channels this node hosts, takes those it
// lacks and releases the others.
func (l *Leases) renew(ctx context.Context) {
	wanted := map[string]bool{}
	for _, k := range l.cfg.Wanted() {
		wanted[k] = true
	}
	l.mu.Lock()
	type op struct {
		key string
		rev uint64
		at  time.Time
	}
	var keep, drop []op
	for k, h := range l.held {
		if wanted[k] {
			keep = append(keep, op{k, h.rev, h.renewed})
		} else {
			drop = append(drop, op{k, h.rev, h.renewed})
			delete(l.held, k)
		}
	}
	var take []string
	for k := range wanted {
		if _, ok := l.held[k]; !ok {
			take = append(take, k)
		}
	}
	l.mu.Unlock()
	rctx, cancel := context.WithTimeout(ctx, l.cfg.TTL/2)
	defer cancel()
	for _, o := range drop {
		if err := l.kv.Delete(rctx, o.key, jetstream.LastRevision(o.rev)); err != nil && ctx.Err() == nil && !isWrongRevision(err) {
			l.log.Warn("channel lease not released", "key", o.key, "err", err)
		}
	}
	for _, o := range keep {
		rev, err := l.kv.Update(rctx, o.key, l.val, o.rev)
		if isWrongRevision(err) {
			rev, err = l.renewRewritten(rctx, o.key, err)
		}
		lost := isWrongRevision(err) || (err != nil && time.Since(o.at) >= l.cfg.TTL)
		l.mu.Lock()
		switch h := l.held[o.key]; {
		case h != nil && h.rev != o.rev:
			// An acquisition of this node wrote the entry since this
			// renewal began: the lease is this node's at that revision.
			lost, err = false, nil
		case h != nil && err == nil:
			h.rev, h.renewed = rev, time.Now()
		case h != nil && lost:
			delete(l.held, o.key)
		}
		l.mu.Unlock()
		if lost && ctx.Err() == nil {
			l.log.Warn("channel lease lost", "key", o.key, "err", err)
			l.cfg.OnLost(o.key)
		} else if err != nil && ctx.Err() == nil {
			l.log.Warn("channel lease not renewed", "key", o.key, "err", err)
		}
	}
	for _, k := range take {
		holder, err := l.Acquire(rctx, k)
		if err == nil && holder != l.cfg.Self && ctx.Err() == nil {
			l.log.Warn("channel hosted here is owned by another node", "key", k, "owner", holder)
			l.cfg.OnLost(k)
		}
	}
}

// renewRewritten renews a lease whose entry changed since this node last
// wrote it (wrong is the compare-and-set's error): if the entry still
// names this node, this node wrote it (an acquisition racing with
// another, or with the renewal), and the renewal is made on its revision.
// Otherwise another node took the lease and wrong is returned. When the
// entry cannot be read (its stream may be electing a leader after a node
// died), the read's error is returned: the lease is lost only if that
// lasts past its time.
func (l *Leases) renewRewritten(ctx context.Context, key string, wrong error) (uint64, error) {
	e, err := l.get(ctx, key)
	if err != nil {
		return 0, fmt.Errorf("cluster: lease %s rewritten, and not read: %w", key, err)
	}
	if v, ok := decodeLease(e.val); !ok || v.Node != l.cfg.Self {
		return 0, wrong
	}
	return l.kv.Update(ctx, key, l.val, e.rev)
}

// leaseEntry is a lease entry as read: value, revision, write time.
type leaseEntry struct {
	val []byte
	rev uint64
	at  time.Time
}

// get reads key's entry, or jetstream.ErrKeyNotFound when there is none.
func (l *Leases) get(ctx context.Context, key string) (leaseEntry, error) {
	if l.cfg.Conn != nil {
		return readLeader(ctx, l.cfg.Conn, key)
	}
	e, err := l.kv.Get(ctx, key)
	if err != nil {
		return leaseEntry{}, err
	}
	return leaseEntry{val: e.Value(), rev: e.Revision(), at: e.Created()}, nil
}

// live reports whether the entry's holder holds the lease: the registry
// says it lives, or it renewed the entry within the lease time. The
// second holds when this node's registry is behind (a node that was cut
// off and has just rejoined hears the others' heartbeats only as its
// routes come back): such a node must not take a lease its live holder
// keeps renewing.
func (l *Leases) live(v leaseValue, e leaseEntry) bool {
	return l.cfg.Alive(v.Node) || (!e.at.IsZero() && time.Since(e.at) < l.cfg.TTL)
}

func decodeLease(b []byte) (leaseValue, bool) {
	var v leaseValue
	if json.Unmarshal(b, &v) != nil || v.Node == "" {
		return v, false
	}
	return v, true
}

// isWrongRevision reports a compare-and-set that lost: the entry changed.
func isWrongRevision(err error) bool {
	if err == nil {
		return false
	}
	// Replicated streams report a lost compare-and-set as 10164, and a
	// Create over a delete marker returns it unwrapped.
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) && (apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence ||
		apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant) {
		return true
	}
	return errors.Is(err, jetstream.ErrKeyRevisionMismatch) || errors.Is(err, jetstream.ErrKeyExists)
}
