package token

import (
	"bytes"
	"compress/zlib"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

var zlibDump = flag.String("zlib-dump", "", "write the inputs of TestCompressMatchesNode to this directory "+
	"(then run: node testdata/zlib-node.mjs DIR > testdata/zlib-node.json)")

// corpusRand draws from a PCG stream with a fixed reduction, so the corpus
// stays the same across Go releases.
type corpusRand struct{ src *rand.PCG }

func (r corpusRand) n(k int) int { return int(r.src.Uint64() % uint64(k)) }
func (r corpusRand) byte() byte  { return byte(r.src.Uint64() >> 56) }

// compressCorpus returns inputs that exercise every path of the compressor:
// stored, fixed and dynamic blocks, lazy matches, long and far matches, and
// four-byte hash collisions.
func compressCorpus() [][]byte {
	r := corpusRand{rand.NewPCG(2026, 7)}
	var out [][]byte
	for n := 1; n <= 8; n++ {
		out = append(out, bytes.Repeat([]byte{'a'}, n))
	}
	words := []string{"970ca35de60c44645bbae8a215061b33", "pk-room_", "host-", "lobby", "\x10\x0e\x00\x00", "\x00\x00", "alice@example.com"}
	for i := range 240 {
		size := r.n(400) + 1
		switch i % 6 {
		case 4:
			size = r.n(3000) + 1
		case 5:
			size = r.n(maxExactContent) + 1
		}
		if i == 239 {
			size = maxExactContent
		}
		b := make([]byte, size)
		switch i % 5 {
		case 0: // random bytes
			for j := range b {
				b[j] = r.byte()
			}
		case 1: // a small alphabet
			k := r.n(6) + 1
			for j := range b {
				b[j] = byte('a' + r.n(k))
			}
		case 2: // a repeated chunk with mutations
			chunk := make([]byte, r.n(40)+1)
			for j := range chunk {
				chunk[j] = r.byte()
			}
			for j := range b {
				b[j] = chunk[j%len(chunk)]
				if r.n(20) == 0 {
					b[j] = r.byte()
				}
			}
		case 3: // bytes whose four-byte hashes collide
			for j := range b {
				b[j] = byte(r.n(3))
				if j%4 == 3 && r.n(2) == 0 {
					b[j] ^= 0x80
				}
			}
		case 4: // token-like text
			var buf bytes.Buffer
			for buf.Len() < size {
				buf.WriteString(words[r.n(len(words))])
				if r.n(3) == 0 {
					buf.WriteByte(r.byte())
				}
			}
			b = buf.Bytes()[:size]
		}
		out = append(out, b)
	}
	return out
}

// TestCompressMatchesNode compares the compressor with the digests of the
// streams Node.js's zlib.deflateSync produced for the same inputs.
func TestCompressMatchesNode(t *testing.T) {
	corpus := compressCorpus()
	if *zlibDump != "" {
		for i, in := range corpus {
			if err := os.WriteFile(filepath.Join(*zlibDump, fmt.Sprintf("%04d.bin", i)), in, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		t.Skipf("wrote %d inputs to %s", len(corpus), *zlibDump)
	}
	data, err := os.ReadFile("testdata/zlib-node.json")
	if err != nil {
		t.Fatal(err)
	}
	var want struct {
		Cases []struct {
			Len    int    `json:"len"`
			SHA256 string `json:"sha256"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	if len(want.Cases) != len(corpus) {
		t.Fatalf("testdata has %d cases, corpus %d", len(want.Cases), len(corpus))
	}
	blocks := map[byte]int{}
	for i, in := range corpus {
		got := compressContent(in)
		sum := sha256.Sum256(got)
		if len(got) != want.Cases[i].Len || hex.EncodeToString(sum[:]) != want.Cases[i].SHA256 {
			t.Errorf("case %d (%d bytes in): %d bytes out, differs from Node's %d bytes", i, len(in), len(got), want.Cases[i].Len)
		}
		blocks[got[2]>>1&3]++
	}
	t.Logf("block types (0 stored, 1 fixed, 2 dynamic): %v", blocks)
	if len(blocks) != 3 {
		t.Errorf("corpus does not exercise every block type: %v", blocks)
	}
}

// TestCompressRoundTrip checks that the output is a valid zlib stream,
// also above maxExactContent where compress/zlib takes over.
func TestCompressRoundTrip(t *testing.T) {
	r := corpusRand{rand.NewPCG(1, 1)}
	sizes := []int{0, 1, 2, 3, 100, maxExactContent, maxExactContent + 1, 40000}
	for _, size := range sizes {
		in := make([]byte, size)
		for j := range in {
			in[j] = byte('a' + r.n(4))
		}
		zr, err := zlib.NewReader(bytes.NewReader(compressContent(in)))
		if err != nil {
			t.Fatalf("size %d: %v", size, err)
		}
		out, err := io.ReadAll(zr)
		if err != nil || !bytes.Equal(out, in) {
			t.Fatalf("size %d: round trip failed: %v", size, err)
		}
	}
}
