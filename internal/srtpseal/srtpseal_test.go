package srtpseal

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"
)

// sealCase is a run of packets as a link sends them: several SSRCs, the
// sequence numbers moving on, wrapping, and going back (retransmissions).
func sealCase(rng *rand.Rand, n int) []rtp.Header {
	ssrcs := []uint32{0x11111111, 0xdeadbeef, 7}
	seqs := []uint16{65500, 10, uint16(rng.Uint32())}
	out := make([]rtp.Header, 0, n)
	for range n {
		i := rng.IntN(len(ssrcs))
		switch r := rng.IntN(100); {
		case r < 80:
			seqs[i]++
		case r < 90:
			seqs[i] += uint16(rng.IntN(3000)) // a gap
		default:
			seqs[i] -= uint16(rng.IntN(500)) // an older packet again
		}
		h := rtp.Header{Version: 2, PayloadType: 96 + uint8(i), SequenceNumber: seqs[i], Timestamp: rng.Uint32(), SSRC: ssrcs[i], Marker: r2(rng)}
		if rng.IntN(2) == 0 {
			_ = h.SetExtension(1, []byte{1, 2, 3})
		}
		if rng.IntN(5) == 0 {
			h.CSRC = []uint32{rng.Uint32()}
		}
		out = append(out, h)
	}
	return out
}

func r2(rng *rand.Rand) bool { return rng.IntN(2) == 0 }

// The sealer's packets are byte for byte pion/srtp's, for both GCM
// profiles, through wraps, gaps and retransmissions; and pion/srtp
// decrypts them back to the packets sent.
func TestSealerMatchesPionSRTP(t *testing.T) {
	for _, tc := range []struct {
		name    string
		profile srtp.ProtectionProfile
		keyLen  int
	}{
		{"AEAD_AES_128_GCM", srtp.ProtectionProfileAeadAes128Gcm, 16},
		{"AEAD_AES_256_GCM", srtp.ProtectionProfileAeadAes256Gcm, 32},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, uint64(tc.keyLen)))
			key, salt := make([]byte, tc.keyLen), make([]byte, SaltLen)
			for i := range key {
				key[i] = byte(rng.Uint32())
			}
			for i := range salt {
				salt[i] = byte(rng.Uint32())
			}
			ours, err := New(key, salt)
			if err != nil {
				t.Fatal(err)
			}
			theirs, err := srtp.CreateContext(key, salt, tc.profile)
			if err != nil {
				t.Fatal(err)
			}
			reader, err := srtp.CreateContext(key, salt, tc.profile)
			if err != nil {
				t.Fatal(err)
			}
			var hdr rtp.Header
			decrypted := 0
			for i, h := range sealCase(rng, 20000) {
				payload := make([]byte, 1+rng.IntN(1200))
				for j := range payload {
					payload[j] = byte(rng.Uint32())
				}
				plain, err := (&rtp.Packet{Header: h, Payload: payload}).Marshal()
				if err != nil {
					t.Fatal(err)
				}
				want, err := theirs.EncryptRTP(nil, plain, &hdr)
				if err != nil {
					t.Fatal(err)
				}
				b := make([]byte, len(plain)+TagLen)
				copy(b, plain)
				n, err := ours.Seal(b, h.MarshalSize(), len(plain))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(b[:n], want) {
					t.Fatalf("packet %d (ssrc %x seq %d): sealed differently from pion/srtp", i, h.SSRC, h.SequenceNumber)
				}
				if i%7 == 0 { // the reader sees some of them, in order, as a peer would
					got, err := reader.DecryptRTP(nil, b[:n], &hdr)
					if err != nil {
						continue // replay protection refuses the retransmissions: not a difference
					}
					if !bytes.Equal(got, plain) {
						t.Fatalf("packet %d decrypted to something else", i)
					}
					decrypted++
				}
			}
			if decrypted < 1000 {
				t.Fatalf("pion/srtp decrypted %d of the sealer's packets, want at least 1,000 of the 2,857 it saw", decrypted)
			}
			if len(ours.streams) != 3 {
				t.Fatalf("streams kept: %d, want 3", len(ours.streams))
			}
		})
	}
}

// Bad sizes are errors, not panics or short packets.
func TestSealerRefusesBadInput(t *testing.T) {
	if _, err := New(make([]byte, 15), make([]byte, 12)); !errors.Is(err, ErrMasterKey) {
		t.Fatalf("a 15-byte master key: %v, want %v", err, ErrMasterKey)
	}
	if _, err := New(make([]byte, 16), make([]byte, 14)); !errors.Is(err, ErrMasterSalt) {
		t.Fatalf("a 14-byte master salt: %v, want %v", err, ErrMasterSalt)
	}
	s, err := New(make([]byte, 16), make([]byte, 12))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ buf, hdr, n int }{
		{100, 11, 50}, // header shorter than RTP's fixed one
		{100, 60, 50}, // header longer than the packet
		{60, 12, 50},  // no room for the tag
	} {
		if _, err := s.Seal(make([]byte, tc.buf), tc.hdr, tc.n); !errors.Is(err, ErrPacket) {
			t.Fatalf("Seal(%d bytes, header %d, packet %d): %v, want %v", tc.buf, tc.hdr, tc.n, err, ErrPacket)
		}
	}
}

// After 2^48 packets of one SSRC the sealer stops, as RFC 3711 requires.
func TestSealerStopsWhenTheIndexIsExhausted(t *testing.T) {
	s, err := New(make([]byte, 16), make([]byte, 12))
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 64)
	b[0] = 0x80
	s.stream(0).index = maxROC<<16 | 65535
	s.stream(0).started = true
	if _, err := s.Seal(b, 12, 20); !errors.Is(err, ErrIndexExhausted) {
		t.Fatalf("Seal after the last index: %v, want %v", err, ErrIndexExhausted)
	}
}

// BenchmarkSealRTP compares the sealer with pion/srtp's EncryptRTP for a
// packet of 1,100 bytes of payload (1,124 with its header), one context
// per subscriber over 3,000 subscribers taken in turn (the state of each
// cold in cache, as in a fan-out).
func BenchmarkSealRTP(b *testing.B) {
	const subs = 3000
	h := rtp.Header{Version: 2, PayloadType: 96, SSRC: 1234}
	_ = h.SetExtension(1, make([]byte, 8))
	plain, _ := (&rtp.Packet{Header: h, Payload: make([]byte, 1100)}).Marshal()
	hl := h.MarshalSize()
	key, salt := make([]byte, 16), make([]byte, 12)
	b.Run("pion", func(b *testing.B) {
		ctxs := make([]*srtp.Context, subs)
		for i := range ctxs {
			key[0] = byte(i)
			ctxs[i], _ = srtp.CreateContext(key, salt, srtp.ProtectionProfileAeadAes128Gcm)
		}
		buf := make([]byte, 1500)
		var hdr rtp.Header
		b.SetBytes(int64(len(plain)))
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			plain[3] = byte(i / subs)
			copy(buf, plain)
			if _, err := ctxs[i%subs].EncryptRTP(buf[:0], buf[:len(plain)], &hdr); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("sealer", func(b *testing.B) {
		ss := make([]*Sealer, subs)
		for i := range ss {
			key[0] = byte(i)
			ss[i], _ = New(key, salt)
		}
		buf := make([]byte, 1500)
		b.SetBytes(int64(len(plain)))
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			plain[3] = byte(i / subs)
			copy(buf, plain)
			if _, err := ss[i%subs].Seal(buf, hl, len(plain)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
