// Package backoff spaces the reconnection attempts of the Go SDKs:
// exponential growth with random jitter, so that the clients of a server
// that restarts do not all redial in the same instant, again and again.
package backoff

import (
	"math/rand/v2"
	"time"
)

// Backoff gives the delays before successive attempts. The ceiling starts
// at First and doubles after each attempt up to Max; each delay is drawn
// uniformly from [ceiling/2, ceiling] ("equal jitter"), so two clients
// that start together drift apart from the first attempt on while neither
// waits less than half of the nominal delay. A Backoff belongs to one
// goroutine (the one retrying).
type Backoff struct {
	first, max time.Duration
	ceiling    time.Duration
}

// New returns a Backoff whose first delay is at most first and whose
// delays never exceed max. first must be positive and max ≥ first.
func New(first, max time.Duration) *Backoff {
	if first <= 0 || max < first {
		panic("backoff: first must be positive and max at least first")
	}
	return &Backoff{first: first, max: max, ceiling: first}
}

// Next returns the delay to wait before the next attempt and raises the
// ceiling for the one after.
func (b *Backoff) Next() time.Duration {
	c := b.ceiling
	b.ceiling = min(2*c, b.max)
	half := c / 2
	return half + rand.N(c-half+1)
}

// Reset starts again from the first delay (after a success).
func (b *Backoff) Reset() { b.ceiling = b.first }
