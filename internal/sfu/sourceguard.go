package sfu

import (
	"net/netip"
	"time"
)

// The shared reader serves every remote on one goroutine, so a remote
// whose packets are costly to refuse (checks whose integrity fails,
// forged SRTP or SRTCP, each an HMAC or AEAD computation) could take the
// reader's time from everyone else. A remote that had more than
// sourceBadBudget packets refused within one sourceWindow has all its
// packets dropped unread, counted as Throttled, until the window ends.
const (
	sourceWindow    = time.Second
	sourceBadBudget = 64
	// sourceTable bounds the remotes tracked in one window; beyond it a new
	// offender is not tracked (and costs what it did before).
	sourceTable = 4096
)

// sourceGuard holds the refusals per remote in the current window. Only
// the reading goroutine uses it.
type sourceGuard struct {
	start time.Time
	bad   map[netip.AddrPort]int
}

func newSourceGuard() sourceGuard { return sourceGuard{bad: map[netip.AddrPort]int{}} }

// throttled reports whether from spent its budget in this window. It
// costs nothing while nobody misbehaves.
func (g *sourceGuard) throttled(from netip.AddrPort) bool {
	if len(g.bad) == 0 {
		return false
	}
	if time.Since(g.start) >= sourceWindow {
		clear(g.bad)
		return false
	}
	return g.bad[from] > sourceBadBudget
}

// charge records one refused packet from from.
func (g *sourceGuard) charge(from netip.AddrPort) {
	if now := time.Now(); len(g.bad) == 0 || now.Sub(g.start) >= sourceWindow {
		clear(g.bad)
		g.start = now
	}
	if n, ok := g.bad[from]; ok || len(g.bad) < sourceTable {
		g.bad[from] = n + 1
	}
}
