package server

import "sync"

// outbox is the ordered queue of encoded messages for one WebSocket. Pushing
// never blocks. Its writer runs only while there is something to send: the
// first push into an idle outbox (or its close) starts drain on a goroutine
// of its own, which returns once the queue is empty, so an idle connection
// keeps no writer goroutine. Events for a participant whose connection
// dropped are kept in its replay ring alone.
type outbox struct {
	mu      sync.Mutex
	q       [][]byte
	max     int
	closed  bool   // no more pushes; the writer closes the socket once drained
	stopped bool   // no writer starts any more (the connection ended)
	running bool   // a writer goroutine runs
	drain   func() // the writer; nil: nothing is started (the caller takes)
}

// newOutbox holds up to max messages, which drain (may be nil) sends.
func newOutbox(max int, drain func()) *outbox {
	return &outbox{max: max, drain: drain}
}

// push appends b; it reports false when the queue is full or closed.
func (o *outbox) push(b []byte) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed || len(o.q) >= o.max {
		return false
	}
	o.q = append(o.q, b)
	o.wakeLocked()
	return true
}

// wakeLocked starts the writer unless it runs or may not.
func (o *outbox) wakeLocked() {
	if o.running || o.stopped || o.drain == nil {
		return
	}
	o.running = true
	go o.drain()
}

// take removes and returns everything queued.
func (o *outbox) take() [][]byte {
	o.mu.Lock()
	q := o.q
	o.q = nil
	o.mu.Unlock()
	return q
}

// close refuses further pushes; the writer sends what is queued, then
// closes the socket.
func (o *outbox) close() {
	o.mu.Lock()
	o.closed = true
	o.wakeLocked()
	o.mu.Unlock()
}

// writerState is what the writer does once it sent what it took.
type writerState uint8

const (
	writerMore  writerState = iota // more was queued: take it
	writerIdle                     // nothing queued: return (a push starts it again)
	writerClose                    // closed and drained: close the socket
	writerStop                     // the connection ended: close now
)

// next tells the writer what to do; with writerIdle it is no longer
// running.
func (o *outbox) next() writerState {
	o.mu.Lock()
	defer o.mu.Unlock()
	switch {
	case o.stopped:
		return writerStop
	case len(o.q) > 0:
		return writerMore
	case o.closed:
		return writerClose
	}
	o.running = false
	return writerIdle
}

// stop lets no writer start any more; it reports whether one is running
// (which then sees writerStop).
func (o *outbox) stop() (running bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.stopped = true
	return o.running
}
