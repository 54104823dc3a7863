package server

import "strconv"

// replaySize is how many recent events a session keeps for a resume.
const replaySize = 1024

// replayRing keeps a session's last replaySize events with their seq. It
// grows with the events up to replaySize (most sessions see few), then
// wraps. Guarded by the participant's mu.
type replayRing struct {
	buf  [][]byte
	seqs []uint64
	next int // where the next event goes once full
}

func (r *replayRing) add(seq uint64, b []byte) {
	if len(r.buf) < replaySize {
		r.buf, r.seqs = append(r.buf, b), append(r.seqs, seq)
		return
	}
	r.buf[r.next], r.seqs[r.next] = b, seq
	r.next = (r.next + 1) % replaySize
}

// forget drops the events up to seq `through`, which the client is known
// to have received (it answered an offer sent after them): a resume never
// asks for them again. What is left keeps its order.
func (r *replayRing) forget(through uint64) {
	keep := 0
	for _, seq := range r.seqs {
		if seq > through {
			keep++
		}
	}
	if keep == len(r.seqs) {
		return
	}
	if keep == 0 {
		*r = replayRing{}
		return
	}
	buf := make([][]byte, 0, keep)
	seqs := make([]uint64, 0, keep)
	size := len(r.buf)
	start := 0
	if size == replaySize {
		start = r.next // the oldest event, once full
	}
	for i := range size {
		j := (start + i) % size
		if r.seqs[j] > through {
			buf, seqs = append(buf, r.buf[j]), append(seqs, r.seqs[j])
		}
	}
	*r = replayRing{buf: buf, seqs: seqs}
}

// since returns the events after seq `after` up to `last`, in order; false
// when some of them are no longer held (or after is in the future).
func (r *replayRing) since(after, last uint64) ([][]byte, bool) {
	if after > last {
		return nil, false
	}
	n := last - after
	if n == 0 {
		return nil, true
	}
	size := len(r.buf)
	if n > uint64(size) {
		return nil, false
	}
	// The newest event is just before next once full, or at the end.
	end := r.next
	if size < replaySize {
		end = size
	}
	out := make([][]byte, 0, n)
	start := (end - int(n) + size) % size
	for i := range int(n) {
		j := (start + i) % size
		if r.seqs[j] != after+uint64(i)+1 {
			return nil, false
		}
		out = append(out, r.buf[j])
	}
	return out, true
}

// withSeq adds "seq":n to an encoded envelope (which starts with '{').
func withSeq(b []byte, n uint64) []byte {
	out := make([]byte, 0, len(b)+24)
	out = append(out, `{"seq":`...)
	out = strconv.AppendUint(out, n, 10)
	out = append(out, ',')
	return append(out, b[1:]...)
}
