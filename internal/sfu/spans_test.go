package sfu

import (
	"encoding/binary"
	"log/slog"
	"testing"
	"time"

	"github.com/cohost-rtc/cohost/protocol"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"
)

// sentPacket is one packet a down track wrote: its outgoing header fields
// and the publisher's sequence number carried in its payload.
type sentPacket struct {
	seq    uint16
	ts     uint32
	srcSeq uint16
}

// recordingWriter stands for a subscriber's peer connection.
type recordingWriter struct{ sent []sentPacket }

func (w *recordingWriter) WriteRTP(h *rtp.Header, payload []byte) (int, error) {
	w.sent = append(w.sent, sentPacket{seq: h.SequenceNumber, ts: h.Timestamp, srcSeq: binary.BigEndian.Uint16(payload)})
	return len(payload), nil
}

func (w *recordingWriter) Write(b []byte) (int, error) { return len(b), nil }

// publishSeq feeds the published track the packet with sequence number
// seq; its payload names seq.
func publishSeq(pt *PublishedTrack, seq uint16) {
	payload := make([]byte, 20)
	binary.BigEndian.PutUint16(payload, seq)
	raw, _ := (&rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 96, SequenceNumber: seq, Timestamp: uint32(seq) * 3000, SSRC: 1}, Payload: payload}).Marshal()
	var hdr rtp.Header
	pt.forward(&hdr, raw)
}

// A relay destination's subscriber that NACKs a packet it got before a
// pause and resume gets that very packet again, under the number and
// timestamp it was first sent with, and not the publisher's packet that
// now maps to the same number.
func TestRelayedNACKUsesTheOffsetsThePacketWasSentWith(t *testing.T) {
	pt := NewPublishedTrack(1, protocol.MediaVideo, protocol.CodecVP8, &Stats{}, time.Second, slog.New(slog.DiscardHandler))
	gate := &Gate{}
	d := NewRelayedDownTrack(pt, 1001, gate)
	w := &recordingWriter{}
	d.bound.Store(&binding{writer: w, ssrc: 5, pt: 96})
	pt.AddDownTrack(d)

	var seq uint16 = 65500 // the numbers wrap during the test
	for range 30 {
		publishSeq(pt, seq)
		seq++
	}
	for round := range 3 {
		gate.Pause()
		for range 10 + round {
			publishSeq(pt, seq) // not sent
			seq++
		}
		gate.Resume()
		for range 20 {
			publishSeq(pt, seq)
			seq++
		}
	}
	sent := append([]sentPacket(nil), w.sent...)
	if len(sent) != 90 {
		t.Fatalf("%d packets sent, want 90", len(sent))
	}
	for i := 1; i < len(sent); i++ {
		if sent[i].seq != sent[i-1].seq+1 {
			t.Fatalf("outgoing numbers not continuous: %d after %d", sent[i].seq, sent[i-1].seq)
		}
	}
	for _, p := range sent {
		w.sent = w.sent[:0]
		d.retransmit([]rtcp.NackPair{{PacketID: p.seq}})
		if len(w.sent) != 1 || w.sent[0] != p {
			t.Fatalf("NACK for %d (publisher's %d): resent %+v, want %+v", p.seq, p.srcSeq, w.sent, p)
		}
	}
}

// Offsets older than the spans a down track keeps are not guessed: the
// NACK goes unanswered.
func TestOffsetSpansForgetTheOldest(t *testing.T) {
	var s offsetSpans
	for i := range maxSpans + 2 {
		s.add(uint16(i*10), uint64(i))
	}
	if _, ok := s.lookup(5); ok {
		t.Fatal("a number sent before the oldest span held was mapped")
	}
	for i := 2; i < maxSpans+2; i++ {
		for _, seq := range []uint16{uint16(i * 10), uint16(i*10 + 9)} {
			if off, ok := s.lookup(seq); !ok || off != uint64(i) {
				t.Fatalf("lookup(%d) = %d, %v; want %d", seq, off, ok, i)
			}
		}
	}
}

type discardWriter struct{}

func (discardWriter) WriteRTP(_ *rtp.Header, payload []byte) (int, error) { return len(payload), nil }
func (discardWriter) Write(b []byte) (int, error)                         { return len(b), nil }

// Forwarding through a relay allocates nothing, resumes included.
func TestRelayedForwardAllocatesNothing(t *testing.T) {
	pt := NewPublishedTrack(1, protocol.MediaVideo, protocol.CodecVP8, &Stats{}, time.Second, slog.New(slog.DiscardHandler))
	gate := &Gate{}
	d := NewRelayedDownTrack(pt, 1001, gate)
	d.bound.Store(&binding{writer: discardWriter{}, ssrc: 5, pt: 96})
	pt.AddDownTrack(d)
	raw, _ := (&rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 96, SequenceNumber: 1, Timestamp: 1, SSRC: 1}, Payload: make([]byte, 1000)}).Marshal()
	var hdr rtp.Header
	seq := 0
	allocs := testing.AllocsPerRun(2000, func() {
		seq++
		raw[2], raw[3] = byte(seq>>8), byte(seq)
		if seq%100 == 0 {
			gate.Pause()
			gate.Resume()
		}
		pt.forward(&hdr, raw)
	})
	if allocs != 0 {
		t.Fatalf("%.2f allocations per forwarded packet", allocs)
	}
}
