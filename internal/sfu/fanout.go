package sfu

import (
	"sync"

	"github.com/pion/rtp"
)

const (
	// fanoutMin is the smallest fan-out split over workers: below it, the
	// hand-off costs more than it saves.
	fanoutMin = 64
	// fanoutChunkMin is the fewest subscribers a worker is given.
	fanoutChunkMin = 32
)

// fanoutPool is a set of worker goroutines that share large fan-outs with
// the published tracks' read loops, so that one packet's copies for
// hundreds of subscribers are rewritten and encrypted on several cores.
// The read loop waits for every part before it reads the next packet, so a
// down track is still written by one goroutine at a time, in order.
type fanoutPool struct {
	workers int
	jobs    chan *fanoutJob
	quit    chan struct{}
	wg      sync.WaitGroup
}

// fanoutJob is one part of a fan-out: the packet (read only) and the down
// tracks to write it to. The read loop owns it between packets.
type fanoutJob struct {
	downs        []*DownTrack
	hdr          *rtp.Header
	payload, ext []byte
	now          int64
	sent         uint64
	done         *sync.WaitGroup
}

func (j *fanoutJob) run() {
	j.sent = 0
	for _, d := range j.downs {
		if d.writeRTP(j.hdr, j.payload, j.ext, j.now) {
			j.sent++
		}
	}
}

// newFanoutPool starts n workers; n ≤ 0 gives no pool (nil).
func newFanoutPool(n int) *fanoutPool {
	if n <= 0 {
		return nil
	}
	p := &fanoutPool{workers: n, jobs: make(chan *fanoutJob), quit: make(chan struct{})}
	p.wg.Add(n)
	for range n {
		go p.work()
	}
	return p
}

func (p *fanoutPool) work() {
	defer p.wg.Done()
	for {
		select {
		case <-p.quit:
			return
		case j := <-p.jobs:
			j.run()
			j.done.Done()
		}
	}
}

// submit hands j to a worker, or runs it on the caller's goroutine once
// the pool is closed.
func (p *fanoutPool) submit(j *fanoutJob) {
	select {
	case p.jobs <- j:
	case <-p.quit:
		j.run()
		j.done.Done()
	}
}

// close stops the workers; later fan-outs run on their read loops. (jobs
// is unbuffered: a job is either taken by a worker or run by submit.)
func (p *fanoutPool) close() {
	if p == nil {
		return
	}
	close(p.quit)
	p.wg.Wait()
}

// split forwards one packet to downs with the pool's help; it returns the
// copies written. jobs and wg belong to the calling read loop.
func (p *fanoutPool) split(jobs []fanoutJob, wg *sync.WaitGroup, downs []*DownTrack, hdr *rtp.Header, payload, ext []byte, now int64) uint64 {
	parts := min(p.workers+1, len(downs)/fanoutChunkMin, len(jobs))
	size := (len(downs) + parts - 1) / parts
	wg.Add(parts - 1)
	for i := 1; i < parts; i++ {
		j := &jobs[i]
		j.downs = downs[i*size : min((i+1)*size, len(downs))]
		j.hdr, j.payload, j.ext, j.now, j.done = hdr, payload, ext, now, wg
		p.submit(j)
	}
	first := &jobs[0]
	first.downs = downs[:size]
	first.hdr, first.payload, first.ext, first.now = hdr, payload, ext, now
	first.run()
	wg.Wait()
	sent := uint64(0)
	for i := range parts {
		sent += jobs[i].sent
		jobs[i].downs, jobs[i].payload, jobs[i].ext = nil, nil, nil
	}
	return sent
}
