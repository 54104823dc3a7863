package rtc

import (
	"context"
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
	for {
		q.mu.Lock()
		if len(q.items) == 0 {
			q.running = false
			q.mu.Unlock()
			return
		}
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
