package sfu

import "sync/atomic"

// Gate pauses and resumes a group of down tracks at once (a relay's
// destinations). A down track behind a gate keeps its sequence numbers and
// timestamps continuous across a pause: after a resume, its next packet
// follows the last one it sent.
type Gate struct {
	paused atomic.Bool
	epoch  atomic.Uint32 // bumped on resume
}

// Pause stops forwarding through g; it reports false if already paused.
func (g *Gate) Pause() bool { return g.paused.CompareAndSwap(false, true) }

// Resume forwards again; it reports false if not paused.
func (g *Gate) Resume() bool {
	if !g.paused.CompareAndSwap(true, false) {
		return false
	}
	g.epoch.Add(1)
	return true
}

// Paused reports whether g is paused.
func (g *Gate) Paused() bool { return g.paused.Load() }
