package cluster

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
)

// Subjects of the registry.
const (
	SubjectHeartbeat = "cohost.cluster.hb"
	SubjectBye       = "cohost.cluster.bye"
)

// DefaultTimeout is the node timeout when none is configured.
const DefaultTimeout = 5 * time.Second

// maxIDLen bounds a node id in a received heartbeat.
const maxIDLen = 64

// Config configures a Registry.
type Config struct {
	// Self is this node as announced: SignalURL, MediaAddr and Name. An
	// empty ID is filled with a random one.
	Self Node
	// Timeout: a node not heard from this long is dead. Heartbeats go out
	// every fifth of it. Default DefaultTimeout.
	Timeout time.Duration
	// Load, if set, gives the node's users and forwarded packets per
	// second for each heartbeat (CPU is measured by the registry).
	Load func() Load
	// OnEvent, if set, is called for every membership change, in order,
	// from the registry's goroutine (never with a lock held).
	OnEvent func(Event)
	// OnMalformed, if set, is called for every heartbeat dropped because
	// it could not be decoded.
	OnMalformed func()
	Logger      *slog.Logger
}

// Registry announces this node on NATS and tracks the others. One mutex
// guards its table; heartbeats are sent and the dead detected by one
// goroutine.
type Registry struct {
	nc      *nats.Conn
	timeout time.Duration
	every   time.Duration
	load    func() Load
	onEvent func(Event)
	bad     func()
	log     *slog.Logger

	hbSub, byeSub *nats.Subscription
	cancel        context.CancelFunc
	done          chan struct{}
	kick          chan struct{} // send a heartbeat now
	events        chan Event    // to the goroutine, which calls onEvent

	mu       sync.Mutex
	self     Node
	nodes    map[NodeID]Node
	stopped  bool
	lastCPU  time.Duration
	lastWall time.Time
}

// Start announces the node and subscribes to the others' announcements.
// Stop it with Close (graceful: the others forget it at once) or Kill (as
// if the process died: the others notice after the timeout).
func Start(nc *nats.Conn, cfg Config) (*Registry, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	self := cfg.Self
	if self.ID == "" {
		self.ID = NewID()
	}
	self.Started = time.Now()
	self.Load.CPU = -1
	r := &Registry{
		nc: nc, timeout: timeout, every: max(timeout/5, 20*time.Millisecond), load: cfg.Load, onEvent: cfg.OnEvent, bad: cfg.OnMalformed,
		log: log.With("node", self.ID), done: make(chan struct{}), kick: make(chan struct{}, 1), events: make(chan Event, 256),
		self: self, nodes: map[NodeID]Node{},
	}
	r.lastCPU, _ = cpuTime()
	r.lastWall = time.Now()
	var err error
	if r.hbSub, err = nc.Subscribe(SubjectHeartbeat, r.onHeartbeat); err == nil {
		r.byeSub, err = nc.Subscribe(SubjectBye, r.onBye)
	}
	if err == nil {
		// The server has the subscriptions once the flush returns: no
		// heartbeat sent after Start is missed.
		err = nc.FlushTimeout(10 * time.Second)
	}
	if err != nil {
		r.unsubscribe()
		return nil, fmt.Errorf("cluster: subscribe: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	go r.run(ctx)
	r.log.Info("node registered", "signal", self.SignalURL, "media", self.MediaAddr, "timeout", timeout)
	return r, nil
}

// NewID returns a random node id.
func NewID() NodeID {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return NodeID(hex.EncodeToString(b))
}

// Self is this node as last announced.
func (r *Registry) Self() Node {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := r.self
	n.LastSeen = time.Now()
	return n
}

// ID is this node's id.
func (r *Registry) ID() NodeID {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.self.ID
}

// Timeout is the node timeout.
func (r *Registry) Timeout() time.Duration { return r.timeout }

// Nodes lists the live nodes, this one included, by id.
func (r *Registry) Nodes() []Node {
	now := time.Now()
	r.mu.Lock()
	out := make([]Node, 0, len(r.nodes)+1)
	self := r.self
	self.LastSeen = now
	out = append(out, self)
	for _, n := range r.nodes {
		if now.Sub(n.LastSeen) < r.timeout {
			out = append(out, n)
		}
	}
	r.mu.Unlock()
	slices.SortFunc(out, func(a, b Node) int {
		switch {
		case a.ID < b.ID:
			return -1
		case a.ID > b.ID:
			return 1
		}
		return 0
	})
	return out
}

// Alive reports whether node id is this node or was heard from within the
// timeout.
func (r *Registry) Alive(id NodeID) bool {
	now := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	if id == r.self.ID {
		return !r.stopped
	}
	n, ok := r.nodes[id]
	return ok && now.Sub(n.LastSeen) < r.timeout
}

// SetDraining sets the draining flag and announces it at once.
func (r *Registry) SetDraining(on bool) {
	r.mu.Lock()
	r.self.Draining = on
	r.mu.Unlock()
	r.heartbeatSoon()
}

// Close says goodbye, so the other nodes forget this one at once, and
// stops.
func (r *Registry) Close() {
	if !r.stop() {
		return
	}
	r.mu.Lock()
	id := r.self.ID
	r.mu.Unlock()
	if !r.nc.IsClosed() {
		_ = r.nc.Publish(SubjectBye, mustJSON(Node{ID: id}))
		_ = r.nc.Flush()
	}
}

// Kill stops without a word, as a crashed process would: the other nodes
// mark this one dead after the timeout.
func (r *Registry) Kill() { r.stop() }

func (r *Registry) stop() bool {
	r.mu.Lock()
	if r.stopped {
		r.mu.Unlock()
		return false
	}
	r.stopped = true
	r.mu.Unlock()
	r.unsubscribe()
	r.cancel()
	<-r.done
	return true
}

func (r *Registry) unsubscribe() {
	for _, s := range []*nats.Subscription{r.hbSub, r.byeSub} {
		if s != nil {
			_ = s.Unsubscribe()
		}
	}
}

func (r *Registry) heartbeatSoon() {
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

// run sends heartbeats, detects dead nodes and delivers events.
func (r *Registry) run(ctx context.Context) {
	defer close(r.done)
	tick := time.NewTicker(r.every)
	defer tick.Stop()
	r.heartbeat()
	for {
		select {
		case <-ctx.Done():
			return
		case ev := <-r.events:
			r.deliver(ev)
		case <-r.kick:
			r.heartbeat()
		case now := <-tick.C:
			r.heartbeat()
			r.sweep(now)
		}
	}
}

func (r *Registry) deliver(ev Event) {
	r.log.Info("cluster node "+ev.Kind.String(), "peer", ev.Node.ID, "signal", ev.Node.SignalURL)
	if r.onEvent != nil {
		r.onEvent(ev)
	}
}

// emit queues ev for the goroutine; it never blocks (the NATS callback
// must not), so a full queue loses the event's callback, logged.
func (r *Registry) emit(ev Event) {
	select {
	case r.events <- ev:
	default:
		r.log.Warn("cluster event dropped: queue full", "kind", ev.Kind, "peer", ev.Node.ID)
	}
}

// heartbeat measures the load and publishes this node.
func (r *Registry) heartbeat() {
	var l Load
	if r.load != nil {
		l = r.load()
	}
	now := time.Now()
	l.CPU = -1
	cpu, ok := cpuTime()
	r.mu.Lock()
	if ok {
		if wall := now.Sub(r.lastWall); wall > 0 {
			l.CPU = min(1, float64(cpu-r.lastCPU)/float64(wall)/float64(runtime.NumCPU()))
		}
		r.lastCPU, r.lastWall = cpu, now
	}
	r.self.Load = l
	msg := mustJSON(r.self)
	r.mu.Unlock()
	if err := r.nc.Publish(SubjectHeartbeat, msg); err != nil && !r.nc.IsClosed() {
		r.log.Debug("heartbeat not sent", "err", err)
	}
}

// sweep declares dead the nodes not heard from within the timeout.
func (r *Registry) sweep(now time.Time) {
	var dead []Node
	r.mu.Lock()
	for id, n := range r.nodes {
		if now.Sub(n.LastSeen) >= r.timeout {
			dead = append(dead, n)
			delete(r.nodes, id)
		}
	}
	r.mu.Unlock()
	for _, n := range dead {
		r.deliver(Event{Kind: NodeDead, Node: n})
	}
}

// decode parses an announcement; a malformed one is counted and dropped.
func (r *Registry) decode(data []byte) (Node, bool) {
	var n Node
	if err := json.Unmarshal(data, &n); err != nil || n.ID == "" || len(n.ID) > maxIDLen {
		if r.bad != nil {
			r.bad()
		}
		return Node{}, false
	}
	return n, true
}

func (r *Registry) onHeartbeat(m *nats.Msg) {
	n, ok := r.decode(m.Data)
	if !ok {
		return
	}
	n.LastSeen = time.Now()
	r.mu.Lock()
	if r.stopped || n.ID == r.self.ID {
		r.mu.Unlock()
		return
	}
	_, known := r.nodes[n.ID]
	r.nodes[n.ID] = n
	r.mu.Unlock()
	if !known {
		r.emit(Event{Kind: NodeJoined, Node: n})
		r.heartbeatSoon() // so the newcomer learns this node at once
	}
}

func (r *Registry) onBye(m *nats.Msg) {
	n, ok := r.decode(m.Data)
	if !ok {
		return
	}
	r.mu.Lock()
	old, known := r.nodes[n.ID]
	delete(r.nodes, n.ID)
	r.mu.Unlock()
	if known {
		r.emit(Event{Kind: NodeLeft, Node: old})
	}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
