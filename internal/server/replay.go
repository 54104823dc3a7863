package server

import "strconv"

// replaySize is how many recent events a session keeps for a resume.
const replaySize = 1024

// replayRing keeps a session's last replaySize events with their seq.
// Guarded by the participant's mu.
type replayRing struct {
	buf  [][]byte
	seqs []uint64
	next int
}

func (r *replayRing) add(seq uint64, b []byte) {
	if r.buf == nil {
		r.buf, r.seqs = make([][]byte, replaySize), make([]uint64, replaySize)
	}
	r.buf[r.next], r.seqs[r.next] = b, seq
	r.next = (r.next + 1) % replaySize
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
	if n > replaySize || r.buf == nil {
		return nil, false
	}
	out := make([][]byte, 0, n)
	start := (r.next - int(n) + replaySize) % replaySize
	for i := range int(n) {
		j := (start + i) % replaySize
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
