package sfu

import (
	"sync"
	"time"
)

// liteClock is the one goroutine that drives every fan-out subscriber's
// timers (sender reports, ICE consent), instead of a ticker each.
type liteClock struct {
	mu   sync.Mutex
	subs map[*liteDownstream]struct{}
	stop chan struct{}
	done chan struct{}
}

// clockPeriod is how often the clock visits every subscriber.
const clockPeriod = 200 * time.Millisecond

func newLiteClock() *liteClock {
	c := &liteClock{subs: map[*liteDownstream]struct{}{}, stop: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	return c
}

func (c *liteClock) add(d *liteDownstream) {
	c.mu.Lock()
	c.subs[d] = struct{}{}
	c.mu.Unlock()
}

func (c *liteClock) remove(d *liteDownstream) {
	c.mu.Lock()
	delete(c.subs, d)
	c.mu.Unlock()
}

func (c *liteClock) run() {
	defer close(c.done)
	t := time.NewTicker(clockPeriod)
	defer t.Stop()
	var subs []*liteDownstream
	for {
		select {
		case <-c.stop:
			return
		case now := <-t.C:
			c.mu.Lock()
			subs = subs[:0]
			for d := range c.subs {
				subs = append(subs, d)
			}
			c.mu.Unlock()
			for _, d := range subs {
				d.tick(now)
			}
			clear(subs)
		}
	}
}

// close stops the clock and waits for it.
func (c *liteClock) close() {
	close(c.stop)
	<-c.done
}
