//go:build linux

package loadtest

import (
	"context"
	"time"
)

// slice is what one measurement slice saw, or the sum of several.
type slice struct {
	s0, s1             serverSample // s1 − s0: the server's counters over the slices
	seconds            float64
	udp                UDPStats
	clientCPU, busy    float64
	in, inB, out, outB uint64
}

// measureSlice measures the server forwarding for d.
func (r *runner) measureSlice(ctx context.Context, d time.Duration) (slice, error) {
	var sl slice
	s0, err := r.t.scrape(ctx)
	if err != nil {
		return sl, err
	}
	u0, ru0, busy0 := readUDPStats(), selfRusage(), readCPUBusy()
	in0, inB0, out0, outB0 := r.state.pktsIn.Load(), r.state.bytesIn.Load(), r.state.pktsOut.Load(), r.state.bytesOut.Load()
	r.state.measuring.Store(true)
	start := time.Now()
	sleepUntil(ctx, start.Add(d))
	r.state.measuring.Store(false)
	sl.seconds = time.Since(start).Seconds()
	s1, err := r.t.scrape(context.WithoutCancel(ctx))
	if err != nil {
		return sl, err
	}
	u1, ru1, busy1 := readUDPStats(), selfRusage(), readCPUBusy()
	sl.s0, sl.s1 = s0, s1
	sl.udp = UDPStats{RcvbufErrors: u1.RcvbufErrors - u0.RcvbufErrors, SndbufErrors: u1.SndbufErrors - u0.SndbufErrors,
		InErrors: u1.InErrors - u0.InErrors}
	sl.clientCPU, sl.busy = ru1-ru0, busy1-busy0
	sl.in, sl.inB = r.state.pktsIn.Load()-in0, r.state.bytesIn.Load()-inB0
	sl.out, sl.outB = r.state.pktsOut.Load()-out0, r.state.bytesOut.Load()-outB0
	return sl, nil
}

// nsPerPacket is the server's CPU per forwarded packet in the slice.
func (sl slice) nsPerPacket() float64 {
	if fwd := sl.s1.pktsOut - sl.s0.pktsOut; fwd > 0 {
		return (sl.s1.cpuSeconds - sl.s0.cpuSeconds) * 1e9 / fwd
	}
	return 0
}

// add sums o into w: counters as deltas from a zero start, the last
// reading's gauges (RSS, users).
func (w *slice) add(o slice) {
	d := func(a, b float64) float64 { return b - a }
	at := w.s1.at.Add(o.s1.at.Sub(o.s0.at))
	prevNodes := w.s1.nodePktsOut
	if w.s1.at.IsZero() {
		w.s0.at = o.s0.at
		at = o.s1.at
	}
	w.s1 = serverSample{at: at, rss: o.s1.rss, users: o.s1.users,
		cpuSeconds: w.s1.cpuSeconds + d(o.s0.cpuSeconds, o.s1.cpuSeconds),
		pktsIn:     w.s1.pktsIn + d(o.s0.pktsIn, o.s1.pktsIn), pktsOut: w.s1.pktsOut + d(o.s0.pktsOut, o.s1.pktsOut),
		bytesIn: w.s1.bytesIn + d(o.s0.bytesIn, o.s1.bytesIn), bytesOut: w.s1.bytesOut + d(o.s0.bytesOut, o.s1.bytesOut),
		nacks: w.s1.nacks + d(o.s0.nacks, o.s1.nacks), plis: w.s1.plis + d(o.s0.plis, o.s1.plis),
		rtx: w.s1.rtx + d(o.s0.rtx, o.s1.rtx), writeErrs: w.s1.writeErrs + d(o.s0.writeErrs, o.s1.writeErrs),
		dropped: w.s1.dropped + d(o.s0.dropped, o.s1.dropped)}
	if n := len(o.s0.nodePktsOut); n > 0 && n == len(o.s1.nodePktsOut) {
		nodes := make([]float64, n)
		for i := range nodes {
			if i < len(prevNodes) {
				nodes[i] = prevNodes[i]
			}
			nodes[i] += d(o.s0.nodePktsOut[i], o.s1.nodePktsOut[i])
		}
		w.s0.nodePktsOut, w.s1.nodePktsOut = make([]float64, n), nodes
	}
	w.seconds += o.seconds
	w.udp.RcvbufErrors += o.udp.RcvbufErrors
	w.udp.SndbufErrors += o.udp.SndbufErrors
	w.udp.InErrors += o.udp.InErrors
	w.clientCPU += o.clientCPU
	w.busy += o.busy
	w.in, w.inB, w.out, w.outB = w.in+o.in, w.inB+o.inB, w.out+o.out, w.outB+o.outB
}

// baselineRound pauses the hosts and measures both baselines for d each.
func (r *runner) baselineRound(ctx context.Context, streams []baseStream, d time.Duration) (Round, error) {
	r.state.paused.Store(true)
	defer func() {
		r.state.paused.Store(false)
		sleepUntil(ctx, time.Now().Add(time.Second)) // forwarding back in its stride
	}()
	sleepUntil(ctx, time.Now().Add(300*time.Millisecond)) // the server's queues drain
	var round Round
	plain, err := runBaseline(ctx, r.recv, r.t, streams, len(r.member), d, false)
	if err != nil {
		return round, err
	}
	batched, err := runBaseline(ctx, r.recv, r.t, streams, len(r.member), d, true)
	if err != nil {
		return round, err
	}
	round.baseline, round.batched = plain, batched
	round.BaselineNsPerPacket, round.BatchedNsPerPacket = plain.NsPerPacket, batched.NsPerPacket
	return round, nil
}
