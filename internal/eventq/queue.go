// Package eventq is the serial queue of the Go SDKs: it runs functions one
// at a time, in the order they were pushed, on a goroutine that exists
// only while there is work. The rtc SDK makes its event callbacks and its
// peer connection negotiations through it, the rtm SDK its callbacks.
package eventq

import (
	"bytes"
	"context"
	"runtime"
	"strconv"
	"sync"
)

// Queue is the owner goroutine of whatever its functions touch (a peer
// connection, the application's event handler). Push never blocks, so it
// may be called while holding a lock; the queue's own mutex is never held
// while a function runs, so a function may push more work. The zero value
// is not usable: create queues with New.
type Queue struct {
	mu      sync.Mutex
	items   []func()
	running bool
	closed  bool
	runner  uint64        // id of the goroutine running the functions, 0 when idle
	dead    chan struct{} // closed by Close
	wg      sync.WaitGroup
}

// New returns an open, idle queue.
func New() *Queue {
	return &Queue{dead: make(chan struct{})}
}

// Push queues f to run after every function pushed before it. It reports
// false, dropping f, once the queue is closed.
func (q *Queue) Push(f func()) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return false
	}
	q.items = append(q.items, f)
	if !q.running {
		q.running = true
		q.wg.Add(1)
		go q.run()
	}
	return true
}

func (q *Queue) run() {
	defer q.wg.Done()
	id := goroutineID()
	for {
		q.mu.Lock()
		if len(q.items) == 0 {
			q.running, q.runner = false, 0
			q.mu.Unlock()
			return
		}
		q.runner = id
		f := q.items[0]
		q.items[0] = nil
		q.items = q.items[1:]
		q.mu.Unlock()
		f()
	}
}

// Do runs f on the queue and waits for its result, for ctx, or for the
// queue to close (then it returns closedErr). f keeps running if ctx ends
// first.
func (q *Queue) Do(ctx context.Context, closedErr error, f func() error) error {
	res := make(chan error, 1)
	if !q.Push(func() { res <- f() }) {
		return closedErr
	}
	select {
	case err := <-res:
		return err
	case <-ctx.Done():
		return ctx.Err()
	case <-q.dead:
		select {
		case err := <-res:
			return err
		default:
			return closedErr
		}
	}
}

// Wait returns once every function pushed before it has run, when ctx
// ends (ctx.Err()) or when the queue closes (nil). Called from a function
// of the queue it returns nil at once: what was pushed after that function
// can only run once it returns.
func (q *Queue) Wait(ctx context.Context) error {
	if q.onQueue() {
		return nil
	}
	return q.Do(ctx, nil, func() error { return nil })
}

// onQueue reports whether the caller is a function the queue is running.
func (q *Queue) onQueue() bool {
	q.mu.Lock()
	runner := q.runner
	q.mu.Unlock()
	return runner != 0 && runner == goroutineID()
}

// goroutineID returns the id of the calling goroutine, from the first line
// of its stack trace ("goroutine 42 [running]:"). Go has no other way to
// tell whether a call comes from the queue's own goroutine, which must not
// wait for the queue.
func goroutineID() uint64 {
	var buf [64]byte
	b := bytes.TrimPrefix(buf[:runtime.Stack(buf[:], false)], []byte("goroutine "))
	if i := bytes.IndexByte(b, ' '); i > 0 {
		b = b[:i]
	}
	id, _ := strconv.ParseUint(string(b), 10, 64)
	return id
}

// Close drops the functions not yet started and waits for the running one;
// later pushes are dropped. It must not be called from a function of the
// queue. Closing twice is harmless.
func (q *Queue) Close() {
	q.mu.Lock()
	if !q.closed {
		q.closed = true
		q.items = nil
		close(q.dead)
	}
	q.mu.Unlock()
	q.wg.Wait()
}
