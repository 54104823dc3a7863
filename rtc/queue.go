package rtc

import (
	"bytes"
	"context"
	"runtime"
	"strconv"
	"sync"
)

// serialQueue runs functions one at a time, in the order they were pushed,
// on a goroutine that exists only while there is work. It is the owner
// goroutine of whatever its functions touch (a peer connection, the
// application's event handler). push never blocks, so it may be called
// while holding a lock; the queue's own mutex is never held while a
// function runs.
type serialQueue struct {
	mu      sync.Mutex
	items   []func()
	running bool
	closed  bool
	runner  uint64        // id of the goroutine running the functions, 0 when idle
	dead    chan struct{} // closed by close
	wg      sync.WaitGroup
}

func newSerialQueue() *serialQueue {
	return &serialQueue{dead: make(chan struct{})}
}

// push queues f. It reports false, dropping f, once the queue is closed.
func (q *serialQueue) push(f func()) bool {
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

func (q *serialQueue) run() {
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

// do runs f on the queue and waits for its result, for ctx, or for the
// queue to close (then it returns closedErr). f keeps running if ctx ends
// first.
func (q *serialQueue) do(ctx context.Context, closedErr error, f func() error) error {
	res := make(chan error, 1)
	if !q.push(func() { res <- f() }) {
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

// wait returns once every function pushed before it has run, when ctx
// ends (ctx.Err()) or when the queue closes (nil). Called from a function
// of the queue it returns nil at once: what was pushed after that function
// can only run once it returns.
func (q *serialQueue) wait(ctx context.Context) error {
	if q.onQueue() {
		return nil
	}
	return q.do(ctx, nil, func() error { return nil })
}

// onQueue reports whether the caller is a function the queue is running.
func (q *serialQueue) onQueue() bool {
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

// close drops the functions not yet started and waits for the running one.
// It must not be called from a function of the queue.
func (q *serialQueue) close() {
	q.mu.Lock()
	if !q.closed {
		q.closed = true
		q.items = nil
		close(q.dead)
	}
	q.mu.Unlock()
	q.wg.Wait()
}
