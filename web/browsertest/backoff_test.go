package browsertest

import (
	"path/filepath"
	"testing"

	"github.com/evanw/esbuild/pkg/api"

	"github.com/cohost-rtc/cohost/internal/servertest"
	"github.com/cohost-rtc/cohost/web/sdkbuild"
)

// TestReconnectBackoffJitter: the reconnection delays of both Web SDKs (the
// shared Backoff) are spread within their bounds, so the clients of a
// restarted server do not all retry at the same instants.
func TestReconnectBackoffJitter(t *testing.T) {
	dir, err := filepath.Abs("../sdk/src/shared")
	if err != nil {
		t.Fatal(err)
	}
	code, err := sdkbuild.Bundle(`import { Backoff } from "./backoff.js";
		window.backoffSamples = (n) => {
			const out = [];
			for (let i = 0; i < n; i++) {
				const b = new Backoff({ initialMs: 100, maxMs: 2000 });
				out.push([0, 1, 2, 3, 4, 5, 6].map(() => b.next()));
			}
			return out;
		};`, dir, api.FormatIIFE, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := servertest.Start(t)
	p := newPage(t, srv, "backoff")
	p.run(string(code))
	samples := evalJS[[][]float64](p, `return backoffSamples(200)`)
	for attempt := 0; attempt < 7; attempt++ {
		step := min(2000.0, 100*float64(int(1)<<attempt))
		lo, hi := step, 0.0
		distinct := map[float64]bool{}
		for _, s := range samples {
			d := s[attempt]
			if d < step/2 || d > step {
				t.Fatalf("attempt %d: delay %.1f ms outside [%.0f, %.0f]", attempt, d, step/2, step)
			}
			lo, hi = min(lo, d), max(hi, d)
			distinct[d] = true
		}
		// 200 uniform draws over [step/2, step] cover most of it.
		if hi-lo < 0.4*step || len(distinct) < 190 {
			t.Errorf("attempt %d: delays in [%.1f, %.1f] ms, %d distinct of 200: not spread (want a range ≥ %.0f ms)",
				attempt, lo, hi, len(distinct), 0.4*step)
		}
	}
	// Clients that lost the server together: when their fourth attempt
	// starts differs by more than a few milliseconds.
	var first, last float64
	for i, s := range samples {
		at := s[0] + s[1] + s[2]
		if i == 0 || at < first {
			first = at
		}
		last = max(last, at)
	}
	if last-first < 100 {
		t.Errorf("200 clients start their fourth attempt within %.1f ms of each other: lock-step", last-first)
	}
}
