package backoff

import (
	"testing"
	"time"
)

// Many clients that lose their server at the same moment wait different
// delays before each attempt, each within [ceiling/2, ceiling], the
// ceiling doubling per attempt up to the maximum.
func TestClientsSpreadOutWithinBounds(t *testing.T) {
	const clients, attempts = 1000, 8
	first, maxDelay := 100*time.Millisecond, 2*time.Second
	bs := make([]*Backoff, clients)
	for i := range bs {
		bs[i] = New(first, maxDelay)
	}
	ceiling := first
	for a := 1; a <= attempts; a++ {
		distinct := map[time.Duration]bool{}
		var lo, hi time.Duration = maxDelay, 0
		for _, b := range bs {
			d := b.Next()
			if d < ceiling/2 || d > ceiling {
				t.Fatalf("attempt %d: delay %v outside [%v, %v]", a, d, ceiling/2, ceiling)
			}
			distinct[d] = true
			lo, hi = min(lo, d), max(hi, d)
		}
		// In lock-step every client would wait the same delay; spread
		// out, they cover most of the jitter window.
		if len(distinct) < clients/2 {
			t.Errorf("attempt %d: only %d distinct delays among %d clients", a, len(distinct), clients)
		}
		if hi-lo < ceiling/4 {
			t.Errorf("attempt %d: delays span %v–%v, less than a quarter of the %v window", a, lo, hi, ceiling/2)
		}
		ceiling = min(2*ceiling, maxDelay)
	}
}

func TestResetStartsFromTheFirstDelay(t *testing.T) {
	b := New(10*time.Millisecond, time.Second)
	for range 10 {
		b.Next()
	}
	if d := b.Next(); d < 500*time.Millisecond {
		t.Fatalf("after 10 attempts the delay is %v, want at least half the maximum", d)
	}
	b.Reset()
	if d := b.Next(); d > 10*time.Millisecond {
		t.Fatalf("after Reset the delay is %v, want at most 10ms", d)
	}
}

func TestNewRefusesNonsense(t *testing.T) {
	for _, c := range []struct{ first, max time.Duration }{{0, time.Second}, {time.Second, time.Millisecond}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("New(%v, %v) did not panic", c.first, c.max)
				}
			}()
			New(c.first, c.max)
		}()
	}
}
