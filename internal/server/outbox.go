package server

import "sync"

// outbox is the ordered queue of encoded messages for one WebSocket. Pushing
// never blocks; the connection's writer goroutine drains it. Events for a
// participant whose connection dropped are kept in its replay ring alone.
type outbox struct {
	mu     sync.Mutex
	q      [][]byte
	max    int
	notify chan struct{}
	closed bool
}

func newOutbox(max int) *outbox {
	return &outbox{max: max, notify: make(chan struct{}, 1)}
}

// push appends b; it reports false when the queue is full or closed.
func (o *outbox) push(b []byte) bool {
	o.mu.Lock()
	if o.closed || len(o.q) >= o.max {
		o.mu.Unlock()
		return false
	}
	o.q = append(o.q, b)
	o.mu.Unlock()
	select {
	case o.notify <- struct{}{}:
	default:
	}
	return true
}

// take removes and returns everything queued.
func (o *outbox) take() [][]byte {
	o.mu.Lock()
	q := o.q
	o.q = nil
	o.mu.Unlock()
	return q
}

// pending reports how many messages wait.
func (o *outbox) pending() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.q)
}

func (o *outbox) close() {
	o.mu.Lock()
	o.closed = true
	o.mu.Unlock()
	select {
	case o.notify <- struct{}{}:
	default:
	}
}

func (o *outbox) isClosed() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.closed
}
