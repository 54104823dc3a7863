// Package srtpseal encrypts outgoing RTP packets with SRTP's AEAD AES-GCM
// profiles (RFC 7714) in place, without pion/srtp's per-packet work. The
// server's links seal every subscriber's copy with it, and the load
// tester's baseline seals with it too, so that the floor the server is
// compared with encrypts exactly as the server does.
package srtpseal

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"fmt"
)

// Sealer encrypts one sender's RTP packets in place: no header parsing
// (the caller wrote the header and knows its length), no map lookup of
// the SSRC's state (a short slice, searched from the last SSRC used), no
// closure. Its output is byte for byte what pion/srtp's
// Context.EncryptRTP gives for the same keys and packets (a differential
// test holds it to that), so the peer decrypts it with any SRTP stack.
// RTCP and the other profiles are left to pion/srtp.
//
// Not safe for concurrent use: its owner serialises Seal.
type Sealer struct {
	aead cipher.AEAD
	salt [12]byte
	// streams holds each SSRC's packet index (RFC 3711 section 3.3.1):
	// a link carries a few SSRCs (one per track it forwards), so a slice
	// is searched; last is where the previous packet's SSRC was found.
	streams []sealStream
	last    int
	iv      [12]byte // the packet's nonce, kept here so that it does not escape
}

// sealStream is one SSRC's rollover state, kept as pion/srtp keeps it so
// that the same sequence numbers give the same rollover counts.
type sealStream struct {
	ssrc    uint32
	index   uint64 // ROC << 16 | highest sequence number sent
	started bool
}

// SRTP key derivation labels (RFC 3711 section 4.3.2).
const (
	labelSRTPEncryption = 0x00
	labelSRTPSalt       = 0x02
)

const (
	// SaltLen is the master salt's length (RFC 7714 section 12: 96 bits).
	SaltLen = 12
	// TagLen is what Seal adds to a packet: the GCM authentication tag.
	TagLen = 16
)

// New derives the SRTP session key and salt from a master key
// (16 or 32 bytes) and a 12-byte master salt with AES-CM's PRF (RFC 3711
// section 4.3.3, key derivation rate 0).
func New(masterKey, masterSalt []byte) (*Sealer, error) {
	if len(masterKey) != 16 && len(masterKey) != 32 {
		return nil, fmt.Errorf("%w: %d bytes", ErrMasterKey, len(masterKey))
	}
	if len(masterSalt) != SaltLen {
		return nil, fmt.Errorf("%w: %d bytes", ErrMasterSalt, len(masterSalt))
	}
	master, err := aes.NewCipher(masterKey)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMasterKey, err)
	}
	key := kdf(master, masterSalt, labelSRTPEncryption, len(masterKey))
	salt := kdf(master, masterSalt, labelSRTPSalt, SaltLen)
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("srtpseal: session key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("srtpseal: session key: %w", err)
	}
	s := &Sealer{aead: aead}
	copy(s.salt[:], salt)
	return s, nil
}

// kdf is AES-CM's PRF: the master salt with the label XORed into its
// eighth byte, counted in its last two, encrypted with the master key.
func kdf(master cipher.Block, masterSalt []byte, label byte, n int) []byte {
	var in [aes.BlockSize]byte
	copy(in[:], masterSalt)
	in[7] ^= label
	out := make([]byte, (n+aes.BlockSize-1)/aes.BlockSize*aes.BlockSize)
	for i := 0; i*aes.BlockSize < n; i++ {
		binary.BigEndian.PutUint16(in[aes.BlockSize-2:], uint16(i))
		master.Encrypt(out[i*aes.BlockSize:], in[:])
	}
	return out[:n]
}

// Seal encrypts the RTP packet b[:n], whose header (SSRC and sequence
// number as written there) is b[:headerLen], in place, and returns the
// SRTP packet's length. b must have room for the TagLen-byte tag.
func (s *Sealer) Seal(b []byte, headerLen, n int) (int, error) {
	if headerLen < 12 || headerLen > n || n+TagLen > len(b) {
		return 0, fmt.Errorf("%w: %d bytes (header %d) in %d", ErrPacket, n, headerLen, len(b))
	}
	seq := binary.BigEndian.Uint16(b[2:])
	ssrc := binary.BigEndian.Uint32(b[8:])
	st := s.stream(ssrc)
	roc, diff, overflow := st.nextROC(seq)
	if overflow {
		return 0, ErrIndexExhausted
	}
	st.update(seq, diff)

	iv := &s.iv
	*iv = [12]byte{}
	binary.BigEndian.PutUint32(iv[2:], ssrc)
	binary.BigEndian.PutUint32(iv[6:], roc)
	binary.BigEndian.PutUint16(iv[10:], seq)
	for i := range iv {
		iv[i] ^= s.salt[i]
	}
	s.aead.Seal(b[headerLen:headerLen], iv[:], b[headerLen:n], b[:headerLen])
	return n + TagLen, nil
}

// stream finds (or adds) ssrc's state.
func (s *Sealer) stream(ssrc uint32) *sealStream {
	if s.last < len(s.streams) && s.streams[s.last].ssrc == ssrc {
		return &s.streams[s.last]
	}
	for i := range s.streams {
		if s.streams[i].ssrc == ssrc {
			s.last = i
			return &s.streams[i]
		}
	}
	s.streams = append(s.streams, sealStream{ssrc: ssrc})
	s.last = len(s.streams) - 1
	return &s.streams[s.last]
}

const (
	seqMax    = 1 << 16
	seqMedian = 1 << 15
	maxROC    = 1<<32 - 1
)

// nextROC guesses the rollover count of seq from the highest index sent
// (RFC 3711 appendix A): a number far below the highest one after a wrap
// belongs to the next cycle, one far above it before a wrap to the last.
func (st *sealStream) nextROC(seq uint16) (roc uint32, diff int64, overflow bool) {
	localROC := uint32(st.index >> 16)
	localSeq := int64(st.index & (seqMax - 1))
	s := int64(seq)
	roc = localROC
	if st.started {
		switch {
		case st.index <= seqMedian:
			diff = s - localSeq
		case localSeq < seqMedian && s-localSeq > seqMedian:
			roc, diff = localROC-1, s-localSeq-seqMax
		case localSeq >= seqMedian && localSeq-seqMedian > s:
			roc, diff = localROC+1, s-localSeq+seqMax
		default:
			diff = s - localSeq
		}
	}
	return roc, diff, roc == 0 && localROC == maxROC
}

// update moves the highest index forward when seq is newer.
func (st *sealStream) update(seq uint16, diff int64) {
	switch {
	case !st.started:
		st.index |= uint64(seq)
		st.started = true
	case diff > 0:
		st.index += uint64(diff)
	}
}
