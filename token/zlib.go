package token

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/adler32"
	"sync"
)

// This file holds the compressor used by Build. Agora's reference builders
// compress the token content with zlib at its default level. Go's
// compress/zlib produces a different (equally valid) stream, so a token built
// with it would differ from Agora's byte for byte. compressContent instead
// reproduces the stream of the zlib that ships with Node.js (the Chromium
// variant used by the agora-token npm package): level 6, 32 KiB window,
// default memory level, lazy matching, a hash of four bytes, one final block.
//
// The emulation covers content of up to maxExactContent bytes, which holds
// the whole input in the window and the whole block in zlib's symbol buffer.
// Real tokens are a few hundred bytes; larger content falls back to
// compress/zlib, which is still a valid token, only not byte-identical.

const (
	minMatch      = 3
	maxMatch      = 258
	windowSize    = 1 << 15
	hashBits      = 15
	hashMask      = 1<<hashBits - 1
	minLookahead  = maxMatch + minMatch + 1
	maxDistance   = windowSize - minLookahead
	tooFar        = 4096 // a match of length 3 farther than this is dropped
	goodLength    = 8    // level 6: shorten the chain search above this length
	maxLazy       = 16   // level 6: do not look for a better match above this length
	niceLength    = 128  // level 6: stop searching at this length
	maxChain      = 128  // level 6: hash chain entries to try
	windowPadding = maxMatch + 8

	// maxExactContent is the largest content compressed exactly like zlib:
	// zlib closes a block after 16383 symbols (1<<(memLevel+6) - 1).
	maxExactContent = 1<<14 - 2
)

// zlibHeader is the two-byte zlib header for a 32 KiB window at the default
// compression level.
var zlibHeader = [2]byte{0x78, 0x9c}

// headPool recycles the hash heads of the match finder.
var headPool = sync.Pool{New: func() any { return new([1 << hashBits]uint16) }}

// compressContent returns data as a zlib stream identical to the one Agora's
// Node.js builder produces for it.
func compressContent(data []byte) []byte {
	if len(data) > maxExactContent {
		var buf bytes.Buffer
		w := zlib.NewWriter(&buf)
		_, _ = w.Write(data) // writes to a bytes.Buffer do not fail
		_ = w.Close()
		return buf.Bytes()
	}
	syms := findMatches(data)
	var bw bitWriter
	bw.out = append(bw.out, zlibHeader[:]...)
	writeFinalBlock(&bw, data, syms)
	bw.flush()
	return binary.BigEndian.AppendUint32(bw.out, adler32.Checksum(data))
}

// symbol is one LZ77 output: a literal byte (dist 0) or a match of
// length lc+minMatch at distance dist.
type symbol struct {
	dist uint16
	lc   uint8
}

// matcher is the state of zlib's lazy match finder (deflate_slow) for input
// that fits in the window at once.
type matcher struct {
	win       []byte // the input followed by zero padding
	lookahead int
	strstart  int
	matchPos  int // start of the match found by longestMatch
	prevLen   int // length of the previous match
	head      *[1 << hashBits]uint16
	prev      []uint16
}

// findMatches runs zlib's level-6 lazy matching over data (at most
// maxExactContent bytes) and returns the symbols of the block.
func findMatches(data []byte) []symbol {
	head := headPool.Get().(*[1 << hashBits]uint16)
	clear(head[:])
	defer headPool.Put(head)

	win := make([]byte, len(data)+windowPadding)
	copy(win, data)
	m := &matcher{win: win, lookahead: len(data), head: head, prev: make([]uint16, len(data)+1)}
	syms := make([]symbol, 0, len(data))

	matchLen := minMatch - 1
	matchAvailable := false
	for m.lookahead > 0 {
		hashHead := 0
		if m.lookahead >= minMatch {
			hashHead = m.insert(m.strstart)
		}
		prevLen, prevMatch := matchLen, m.matchPos
		m.prevLen = prevLen
		matchLen = minMatch - 1
		if hashHead != 0 && prevLen < maxLazy && m.strstart-hashHead <= maxDistance {
			matchLen = m.longestMatch(hashHead)
			if matchLen == minMatch && m.strstart-m.matchPos > tooFar {
				matchLen = minMatch - 1
			}
		}
		switch {
		case prevLen >= minMatch && matchLen <= prevLen:
			// The previous match is at least as good: emit it.
			maxInsert := m.strstart + m.lookahead - minMatch
			syms = append(syms, symbol{dist: uint16(m.strstart - 1 - prevMatch), lc: uint8(prevLen - minMatch)})
			m.lookahead -= prevLen - 1
			for n := prevLen - 2; n > 0; n-- {
				m.strstart++
				if m.strstart <= maxInsert {
					m.insert(m.strstart)
				}
			}
			matchAvailable = false
			matchLen = minMatch - 1
			m.strstart++
		case matchAvailable:
			syms = append(syms, symbol{lc: m.win[m.strstart-1]})
			m.strstart++
			m.lookahead--
		default:
			matchAvailable = true
			m.strstart++
			m.lookahead--
		}
	}
	if matchAvailable {
		syms = append(syms, symbol{lc: m.win[m.strstart-1]})
	}
	return syms
}

// insert adds position pos to the hash chains and returns the previous head
// of its chain (0 when empty: position 0 is never a match candidate, as in
// zlib). The hash covers four bytes, as Chromium's zlib does.
func (m *matcher) insert(pos int) int {
	v := binary.LittleEndian.Uint32(m.win[pos:])
	h := ((v*66521 + 66521) >> 16) & hashMask
	old := m.head[h]
	m.prev[pos] = old
	m.head[h] = uint16(pos)
	return int(old)
}

// longestMatch walks the hash chain from cur and returns the length of the
// longest match for the string at strstart that beats prevLen, recording its
// position in matchPos; it mirrors zlib's search limits.
func (m *matcher) longestMatch(cur int) int {
	chain := maxChain
	best := m.prevLen
	nice := niceLength
	limit := 0
	if m.strstart > maxDistance {
		limit = m.strstart - maxDistance
	}
	if m.prevLen >= goodLength {
		chain >>= 2
	}
	if nice > m.lookahead {
		nice = m.lookahead
	}
	scan := m.win[m.strstart : m.strstart+maxMatch]
	for {
		n := commonPrefix(scan, m.win[cur:cur+maxMatch])
		if n > best {
			m.matchPos = cur
			best = n
			if n >= nice {
				break
			}
		}
		cur = int(m.prev[cur])
		if cur <= limit {
			break
		}
		if chain--; chain == 0 {
			break
		}
	}
	return min(best, m.lookahead)
}

// commonPrefix returns the length of the common prefix of a and b (equal lengths).
func commonPrefix(a, b []byte) int {
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return len(a)
}
