package rtmsvc

import (
	"context"
	"runtime"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// heavyFrame is the size above which a request is handled in one of the
// node's heavy lanes. A chat message, an ack or an attribute update is
// well under it; a peer or channel message of several KB is over it.
const heavyFrame = 4 << 10

// fairness shares the node's request work among its connections. Every
// request a connection reads holds its size of the node's budget until
// the node is done with it: answered, or for a peer message, written to
// its recipient's socket when the recipient is this node's, or published
// towards the recipient's node. While the requests held add up to the
// budget or more, a connection that holds its fair share or more (the
// budget divided among the connections holding some) is not read from
// until its own requests are done: its client waits in TCP's flow
// control, and its requests do not queue in front of anyone else's. A
// connection holding nothing is always read at once, so a user sending
// one message at a time is served at the node's quiet pace however hard
// others push inside their rate limits, and one whose recipient does not
// read holds at most its share.
//
// The budget bounds what waits; the lanes bound what runs. Decoding and
// encoding a 16 KB message takes a processor for a few hundred
// microseconds, so ten connections each handling one at a time keep
// every processor busy, and a small request's goroutines (its reader, the
// recipient's writer, the acknowledgement's way back) wait in the
// runtime's run queues behind them for milliseconds at each hop. Requests
// over heavyFrame are therefore handled in at most GOMAXPROCS−1 lanes at
// once (one on a machine with one or two processors): a processor is left
// for the small ones, and big ones queue for a lane in the order they
// were read.
//
// The lanes bound what runs in this process, not what the node's heavy
// traffic costs the machine: relaying 16 KB messages as fast as the lanes
// allow also keeps the senders' and receivers' clients and the kernel's
// loopback busy, and on a two-core machine a small request's hops then
// wait for a core. The pace bounds that: a lane handles at most the
// node's pace of heavy bytes per second (rtm.limits.heavyBytesPerSecondPerCPU
// times the processors), so a burst of large messages is spread instead of
// taking the machine; a sender's steady allowance (60 messages a second of
// up to 32 KB) is far below it. Small requests are never paced.
type fairness struct {
	budget int
	lanes  chan struct{} // a token per heavy request being handled
	pace   *rate.Limiter // heavy bytes per second; nil: not paced
	waited func(time.Duration)

	mu      sync.Mutex
	total   int                       // bytes held by every connection
	holders int                       // connections holding some
	waiting map[*wsConn]chan struct{} // connections waiting to read, woken when they may
}

// newFairness shares a budget of bytes among connections; heavy requests
// are paced at perSecond bytes per second (0: not paced), in bursts of at
// most burst bytes (at least the largest request), and waited is told
// how long each one waited for the pace (nil: nobody is told).
func newFairness(budget, perSecond, burst int, waited func(time.Duration)) *fairness {
	f := &fairness{budget: budget, waiting: map[*wsConn]chan struct{}{}, waited: waited,
		lanes: make(chan struct{}, max(1, runtime.GOMAXPROCS(0)-1))}
	if perSecond > 0 {
		f.pace = rate.NewLimiter(rate.Limit(perSecond), max(burst, heavyFrame+1))
	}
	return f
}

// handle runs fn, the handling of a request of size bytes, in a heavy
// lane at the node's pace when size is over heavyFrame, at once
// otherwise. Waiting for a lane or the pace ends with ctx, and fn is then
// not run.
func (f *fairness) handle(ctx context.Context, size int, fn func()) error {
	if size <= heavyFrame {
		fn()
		return nil
	}
	select {
	case f.lanes <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-f.lanes }()
	if f.pace != nil {
		start := time.Now()
		// A request over the burst (larger than the frames the node
		// reads) is charged the whole burst.
		if err := f.pace.WaitN(ctx, min(size, f.pace.Burst())); err != nil {
			return err
		}
		if f.waited != nil {
			f.waited(time.Since(start))
		}
	}
	fn()
	return nil
}

// mayReadLocked tells whether c may read its next request now (f.mu held).
func (f *fairness) mayReadLocked(c *wsConn) bool {
	return c.held == 0 || f.total < f.budget || c.held < f.budget/max(f.holders, 1)
}

// wait returns once c may read its next request, or with ctx's error.
func (f *fairness) wait(ctx context.Context, c *wsConn) error {
	f.mu.Lock()
	if f.mayReadLocked(c) {
		f.mu.Unlock()
		return nil
	}
	ready := make(chan struct{})
	f.waiting[c] = ready
	f.mu.Unlock()
	select {
	case <-ready:
		return nil
	case <-ctx.Done():
		f.mu.Lock()
		delete(f.waiting, c)
		f.mu.Unlock()
		return ctx.Err()
	}
}

// hold makes c hold n bytes of the budget until the returned grant is
// released.
func (f *fairness) hold(c *wsConn, n int) *grant {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c.held == 0 {
		f.holders++
	}
	c.held += n
	f.total += n
	return &grant{f: f, c: c, n: n}
}

// grant is the budget one request holds.
type grant struct {
	f    *fairness
	c    *wsConn
	n    int
	once sync.Once
}

// release gives the request's bytes back and wakes the connections that
// may read again; later calls do nothing, so whichever of the request's
// ends comes first releases it. A nil grant is fine.
func (g *grant) release() {
	if g == nil {
		return
	}
	g.once.Do(func() {
		f := g.f
		f.mu.Lock()
		defer f.mu.Unlock()
		g.c.held -= g.n
		f.total -= g.n
		if g.c.held == 0 {
			f.holders--
		}
		for c, ready := range f.waiting {
			if f.mayReadLocked(c) {
				close(ready)
				delete(f.waiting, c)
			}
		}
	})
}
