package token

// This file encodes the single DEFLATE block of compressContent the way
// zlib's block writer does: it builds the dynamic Huffman trees with zlib's
// tie-breaking and length limiting, compares the sizes of a stored, a fixed
// and a dynamic block, and writes the cheapest, preferring stored, then
// fixed, on ties.

const (
	literals    = 256
	endBlock    = 256
	lengthCodes = 29
	litCodes    = literals + 1 + lengthCodes // 286
	distCodes   = 30
	blCodes     = 19
	maxBits     = 15
	maxBLBits   = 7
	heapSize    = 2*litCodes + 1
	rep3to6     = 16 // repeat previous length 3-6 times
	repZ3to10   = 17 // repeat a zero length 3-10 times
	repZ11to138 = 18 // repeat a zero length 11-138 times
)

var (
	extraLenBits  = [lengthCodes]int{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	extraDistBits = [distCodes]int{0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13}
	extraBLBits   = [blCodes]int{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3, 7}
	blOrder       = [blCodes]int{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}
)

// codeTables holds the fixed tables of DEFLATE: length and distance codes
// and the fixed Huffman codes.
type codeTables struct {
	lengthCode [256]uint8 // match length - 3 → length code
	baseLength [lengthCodes]int
	distCode   [512]uint8 // see distanceCode
	baseDist   [distCodes]int
	staticLit  huffCodes
	staticDist huffCodes
}

// huffCodes is a Huffman code: bit lengths and bit-reversed codes.
type huffCodes struct {
	lens  []int
	codes []uint16
}

var tables = newCodeTables()

func newCodeTables() *codeTables {
	t := &codeTables{}
	length := 0
	for code := 0; code < lengthCodes-1; code++ {
		t.baseLength[code] = length
		for range 1 << extraLenBits[code] {
			t.lengthCode[length] = uint8(code)
			length++
		}
	}
	// Length 258 has its own code (285) rather than 284 with extra bits.
	t.lengthCode[length-1] = lengthCodes - 1
	dist := 0
	for code := range 16 {
		t.baseDist[code] = dist
		for range 1 << extraDistBits[code] {
			t.distCode[dist] = uint8(code)
			dist++
		}
	}
	dist >>= 7
	for code := 16; code < distCodes; code++ {
		t.baseDist[code] = dist << 7
		for range 1 << (extraDistBits[code] - 7) {
			t.distCode[256+dist] = uint8(code)
			dist++
		}
	}

	litLens := make([]int, litCodes+2)
	var count [maxBits + 1]int
	for n := range litLens {
		switch {
		case n < 144, n >= 280:
			litLens[n] = 8
		case n < 256:
			litLens[n] = 9
		default:
			litLens[n] = 7
		}
		count[litLens[n]]++
	}
	t.staticLit = huffCodes{lens: litLens, codes: genCodes(litLens, len(litLens)-1, &count)}
	distLens := make([]int, distCodes)
	distCodesRev := make([]uint16, distCodes)
	for n := range distLens {
		distLens[n] = 5
		distCodesRev[n] = reverseBits(uint16(n), 5)
	}
	t.staticDist = huffCodes{lens: distLens, codes: distCodesRev}
	return t
}

// distanceCode returns the distance code of a match distance minus one.
func (t *codeTables) distanceCode(d int) int {
	if d < 256 {
		return int(t.distCode[d])
	}
	return int(t.distCode[256+d>>7])
}

// treeSpec describes one kind of tree: its fixed code lengths (nil for the
// bit-length tree), extra bits, element count and maximum code length.
type treeSpec struct {
	staticLens []int
	extra      []int
	extraBase  int
	elems      int
	maxLength  int
}

var (
	litSpec  = treeSpec{staticLens: tables.staticLit.lens, extra: extraLenBits[:], extraBase: literals + 1, elems: litCodes, maxLength: maxBits}
	distSpec = treeSpec{staticLens: tables.staticDist.lens, extra: extraDistBits[:], elems: distCodes, maxLength: maxBits}
	blSpec   = treeSpec{extra: extraBLBits[:], elems: blCodes, maxLength: maxBLBits}
)

// tree is a dynamic Huffman tree under construction.
type tree struct {
	spec    *treeSpec
	freq    []int
	lens    []int // one spare entry serves as scanTree's guard
	dad     []int
	codes   []uint16
	maxCode int // largest code with a non-zero frequency
}

func newTree(spec *treeSpec) *tree {
	n := 2*spec.elems + 1
	return &tree{spec: spec, freq: make([]int, n), lens: make([]int, n+1), dad: make([]int, n)}
}

// blockEncoder is zlib's per-block state.
type blockEncoder struct {
	lit, dist, bl *tree
	heap          [heapSize]int
	heapLen       int
	heapMax       int
	depth         [heapSize]int
	blCount       [maxBits + 1]int
	optLen        int // bits of the block with dynamic trees
	staticLen     int // bits of the block with fixed trees
}

// writeFinalBlock writes syms, the LZ77 parse of data, as the last DEFLATE
// block in whichever form zlib would choose.
func writeFinalBlock(bw *bitWriter, data []byte, syms []symbol) {
	e := &blockEncoder{lit: newTree(&litSpec), dist: newTree(&distSpec), bl: newTree(&blSpec)}
	e.lit.freq[endBlock] = 1
	for _, s := range syms {
		if s.dist == 0 {
			e.lit.freq[s.lc]++
			continue
		}
		e.lit.freq[int(tables.lengthCode[s.lc])+literals+1]++
		e.dist.freq[tables.distanceCode(int(s.dist)-1)]++
	}
	e.buildTree(e.lit)
	e.buildTree(e.dist)
	maxBLIndex := e.buildBLTree()

	optBytes := (e.optLen + 3 + 7) >> 3
	staticBytes := (e.staticLen + 3 + 7) >> 3
	if staticBytes <= optBytes {
		optBytes = staticBytes
	}
	switch {
	case len(data)+4 <= optBytes:
		bw.writeBits(1, 3) // stored, last
		bw.flush()
		n := uint16(len(data))
		bw.out = append(bw.out, byte(n), byte(n>>8), ^byte(n), ^byte(n>>8))
		bw.out = append(bw.out, data...)
	case staticBytes == optBytes:
		bw.writeBits(1<<1|1, 3) // fixed trees, last
		compressBlock(bw, syms, tables.staticLit, tables.staticDist)
	default:
		bw.writeBits(2<<1|1, 3) // dynamic trees, last
		e.sendAllTrees(bw, e.lit.maxCode+1, e.dist.maxCode+1, maxBLIndex+1)
		compressBlock(bw, syms, huffCodes{e.lit.lens, e.lit.codes}, huffCodes{e.dist.lens, e.dist.codes})
	}
}

// smaller orders heap nodes by frequency, then depth.
func (e *blockEncoder) smaller(t *tree, n, m int) bool {
	return t.freq[n] < t.freq[m] || (t.freq[n] == t.freq[m] && e.depth[n] <= e.depth[m])
}

// downHeap restores the heap property from position k.
func (e *blockEncoder) downHeap(t *tree, k int) {
	v := e.heap[k]
	for j := k << 1; j <= e.heapLen; j <<= 1 {
		if j < e.heapLen && e.smaller(t, e.heap[j+1], e.heap[j]) {
			j++
		}
		if e.smaller(t, v, e.heap[j]) {
			break
		}
		e.heap[k] = e.heap[j]
		k = j
	}
	e.heap[k] = v
}

// buildTree builds the Huffman tree of t and its codes, adding the block
// sizes to optLen and staticLen.
func (e *blockEncoder) buildTree(t *tree) {
	spec := t.spec
	e.heapLen, e.heapMax = 0, heapSize
	maxCode := -1
	for n := range spec.elems {
		if t.freq[n] != 0 {
			e.heapLen++
			e.heap[e.heapLen] = n
			maxCode = n
			e.depth[n] = 0
		} else {
			t.lens[n] = 0
		}
	}
	// DEFLATE wants at least two codes: add codes of frequency 1.
	for e.heapLen < 2 {
		node := 0
		if maxCode < 2 {
			maxCode++
			node = maxCode
		}
		e.heapLen++
		e.heap[e.heapLen] = node
		t.freq[node] = 1
		e.depth[node] = 0
		e.optLen--
		if spec.staticLens != nil {
			e.staticLen -= spec.staticLens[node]
		}
	}
	t.maxCode = maxCode
	for n := e.heapLen / 2; n >= 1; n-- {
		e.downHeap(t, n)
	}
	node := spec.elems
	for {
		n := e.heap[1]
		e.heap[1] = e.heap[e.heapLen]
		e.heapLen--
		e.downHeap(t, 1)
		m := e.heap[1]
		e.heapMax--
		e.heap[e.heapMax] = n
		e.heapMax--
		e.heap[e.heapMax] = m

		t.freq[node] = t.freq[n] + t.freq[m]
		e.depth[node] = (max(e.depth[n], e.depth[m]) + 1) & 0xff // zlib keeps depths in a byte
		t.dad[n], t.dad[m] = node, node
		e.heap[1] = node
		node++
		e.downHeap(t, 1)
		if e.heapLen < 2 {
			break
		}
	}
	e.heapMax--
	e.heap[e.heapMax] = e.heap[1]
	e.genBitLengths(t)
	t.codes = genCodes(t.lens, maxCode, &e.blCount)
}

// genBitLengths computes the code lengths from the tree, limiting them to
// the spec's maximum the way zlib does, and counts the block sizes.
func (e *blockEncoder) genBitLengths(t *tree) {
	spec := t.spec
	clear(e.blCount[:])
	t.lens[e.heap[e.heapMax]] = 0 // the root
	overflow := 0
	h := e.heapMax + 1
	for ; h < heapSize; h++ {
		n := e.heap[h]
		bits := t.lens[t.dad[n]] + 1
		if bits > spec.maxLength {
			bits = spec.maxLength
			overflow++
		}
		t.lens[n] = bits
		if n > t.maxCode {
			continue // not a leaf
		}
		e.blCount[bits]++
		xbits := 0
		if n >= spec.extraBase {
			xbits = spec.extra[n-spec.extraBase]
		}
		f := t.freq[n]
		e.optLen += f * (bits + xbits)
		if spec.staticLens != nil {
			e.staticLen += f * (spec.staticLens[n] + xbits)
		}
	}
	if overflow == 0 {
		return
	}
	for overflow > 0 {
		bits := spec.maxLength - 1
		for e.blCount[bits] == 0 {
			bits--
		}
		e.blCount[bits]--
		e.blCount[bits+1] += 2
		e.blCount[spec.maxLength]--
		overflow -= 2
	}
	for bits := spec.maxLength; bits != 0; bits-- {
		for n := e.blCount[bits]; n != 0; {
			h--
			m := e.heap[h]
			if m > t.maxCode {
				continue
			}
			if t.lens[m] != bits {
				e.optLen += (bits - t.lens[m]) * t.freq[m]
				t.lens[m] = bits
			}
			n--
		}
	}
}

// genCodes assigns canonical codes, bit-reversed for LSB-first output, to
// the codes 0..maxCode from their lengths.
func genCodes(lens []int, maxCode int, count *[maxBits + 1]int) []uint16 {
	var next [maxBits + 1]uint16
	code := 0
	for bits := 1; bits <= maxBits; bits++ {
		code = (code + count[bits-1]) << 1
		next[bits] = uint16(code)
	}
	codes := make([]uint16, len(lens))
	for n := 0; n <= maxCode; n++ {
		l := lens[n]
		if l == 0 {
			continue
		}
		codes[n] = reverseBits(next[l], l)
		next[l]++
	}
	return codes
}

func reverseBits(code uint16, n int) uint16 {
	var r uint16
	for range n {
		r = r<<1 | code&1
		code >>= 1
	}
	return r
}

// runLengths walks the code lengths of t the way zlib's scan_tree and
// send_tree do, calling emit for each run: a single length (count 1), or a
// repeat code with its count.
func runLengths(t *tree, emit func(code, count int)) {
	prevLen, nextLen := -1, t.lens[0]
	count, maxCount, minCount := 0, 7, 4
	if nextLen == 0 {
		maxCount, minCount = 138, 3
	}
	t.lens[t.maxCode+1] = 0xffff // guard
	for n := 0; n <= t.maxCode; n++ {
		curLen := nextLen
		nextLen = t.lens[n+1]
		count++
		if count < maxCount && curLen == nextLen {
			continue
		}
		switch {
		case count < minCount:
			for range count {
				emit(curLen, 1)
			}
		case curLen != 0:
			if curLen != prevLen {
				emit(curLen, 1)
				count--
			}
			emit(rep3to6, count)
		case count <= 10:
			emit(repZ3to10, count)
		default:
			emit(repZ11to138, count)
		}
		count, prevLen = 0, curLen
		switch {
		case nextLen == 0:
			maxCount, minCount = 138, 3
		case curLen == nextLen:
			maxCount, minCount = 6, 3
		default:
			maxCount, minCount = 7, 4
		}
	}
}

// buildBLTree builds the tree for the code lengths of the literal and
// distance trees and returns the index in blOrder of the last length sent.
func (e *blockEncoder) buildBLTree() int {
	tally := func(code, _ int) { e.bl.freq[code]++ }
	runLengths(e.lit, tally)
	runLengths(e.dist, tally)
	e.buildTree(e.bl)
	maxIndex := blCodes - 1
	for ; maxIndex >= 3; maxIndex-- {
		if e.bl.lens[blOrder[maxIndex]] != 0 {
			break
		}
	}
	e.optLen += 3*(maxIndex+1) + 5 + 5 + 4
	return maxIndex
}

// sendAllTrees writes the header of a dynamic block.
func (e *blockEncoder) sendAllTrees(bw *bitWriter, lcodes, dcodes, blcodes int) {
	bw.writeBits(uint32(lcodes-257), 5)
	bw.writeBits(uint32(dcodes-1), 5)
	bw.writeBits(uint32(blcodes-4), 4)
	for rank := range blcodes {
		bw.writeBits(uint32(e.bl.lens[blOrder[rank]]), 3)
	}
	send := func(code, count int) {
		bw.writeBits(uint32(e.bl.codes[code]), e.bl.lens[code])
		switch code {
		case rep3to6:
			bw.writeBits(uint32(count-3), 2)
		case repZ3to10:
			bw.writeBits(uint32(count-3), 3)
		case repZ11to138:
			bw.writeBits(uint32(count-11), 7)
		}
	}
	runLengths(e.lit, send)
	runLengths(e.dist, send)
}

// compressBlock writes the symbols and the end-of-block code.
func compressBlock(bw *bitWriter, syms []symbol, lit, dist huffCodes) {
	for _, s := range syms {
		if s.dist == 0 {
			bw.writeBits(uint32(lit.codes[s.lc]), lit.lens[s.lc])
			continue
		}
		lc := int(s.lc)
		code := int(tables.lengthCode[lc])
		bw.writeBits(uint32(lit.codes[code+literals+1]), lit.lens[code+literals+1])
		if extra := extraLenBits[code]; extra != 0 {
			bw.writeBits(uint32(lc-tables.baseLength[code]), extra)
		}
		d := int(s.dist) - 1
		code = tables.distanceCode(d)
		bw.writeBits(uint32(dist.codes[code]), dist.lens[code])
		if extra := extraDistBits[code]; extra != 0 {
			bw.writeBits(uint32(d-tables.baseDist[code]), extra)
		}
	}
	bw.writeBits(uint32(lit.codes[endBlock]), lit.lens[endBlock])
}

// bitWriter writes bits least significant first, as DEFLATE does.
type bitWriter struct {
	out   []byte
	bits  uint64
	nbits int
}

func (w *bitWriter) writeBits(v uint32, n int) {
	w.bits |= uint64(v) << w.nbits
	w.nbits += n
	for w.nbits >= 8 {
		w.out = append(w.out, byte(w.bits))
		w.bits >>= 8
		w.nbits -= 8
	}
}

// flush pads the last partial byte with zero bits.
func (w *bitWriter) flush() {
	if w.nbits > 0 {
		w.out = append(w.out, byte(w.bits))
	}
	w.bits, w.nbits = 0, 0
}
