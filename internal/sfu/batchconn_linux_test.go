package sfu

import (
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"
)

// udpSink is a loopback socket that counts what it receives and keeps the
// first 4 bytes of each packet, in order.
type udpSink struct {
	conn *net.UDPConn
	got  chan uint32
	n    atomic.Int64
}

func newUDPSink(t *testing.T, keep int) *udpSink {
	t.Helper()
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadBuffer(8 << 20)
	s := &udpSink{conn: c, got: make(chan uint32, keep)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 4096)
		for {
			n, _, err := c.ReadFromUDPAddrPort(buf)
			if err != nil {
				return
			}
			if n >= 4 {
				select {
				case s.got <- binary.BigEndian.Uint32(buf):
				default:
				}
			}
			s.n.Add(1)
		}
	}()
	t.Cleanup(func() {
		_ = c.Close()
		<-done
	})
	return s
}

func (s *udpSink) addr() netip.AddrPort { return s.conn.LocalAddr().(*net.UDPAddr).AddrPort() }

// waitFor waits until the sink has received n packets, failing after 20 s.
func (s *udpSink) waitFor(t *testing.T, n int64) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for s.n.Load() < n {
		if time.Now().After(deadline) {
			t.Fatalf("received %d of %d packets", s.n.Load(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

func newTestBatchConn(t *testing.T, stats *Stats, shards int) *batchConn {
	t.Helper()
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	b, err := newBatchConn(c, stats, shards)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	return b
}

// TestBatchConnOrder: every queued packet arrives, in order per
// destination, over several shards, with packets too large to queue in
// between; Close sends what is left.
func TestBatchConnOrder(t *testing.T) {
	const total = 3 * shardSlots
	sinks := []*udpSink{newUDPSink(t, total), newUDPSink(t, total), newUDPSink(t, total)}
	stats := &Stats{}
	b := newTestBatchConn(t, stats, 2)
	pkt := make([]byte, 200)
	big := make([]byte, slotSize+100)
	for i := range uint32(total) {
		p := pkt
		if i%1000 == 999 {
			p = big
		}
		binary.BigEndian.PutUint32(p, i)
		dst := sinks[i%3].addr()
		var err error
		if i%2 == 0 {
			_, err = b.WriteToAddrPort(p, dst)
		} else {
			_, err = b.WriteTo(p, net.UDPAddrFromAddrPort(dst))
		}
		if err != nil {
			t.Fatal(err)
		}
		if i%64 == 63 {
			b.flush() // stay within a destination's queue
		}
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := b.WriteToAddrPort(pkt, sinks[0].addr()); err == nil {
		t.Fatal("write after close")
	}
	for k, s := range sinks {
		next := uint32(k)
		deadline := time.After(20 * time.Second)
		for next < total {
			select {
			case v := <-s.got:
				// A packet too large to queue is sent at once: it may pass
				// queued ones, which is fine for the rare DTLS record.
				if v%1000 == 999 {
					continue
				}
				if v < next || v%3 != uint32(k) {
					t.Fatalf("sink %d: packet %d after %d", k, v, next)
				}
				next = v + 3
			case <-deadline:
				t.Fatalf("sink %d received up to %d of %d", k, next, total)
			}
		}
	}
	if d := stats.EgressDropped.Load(); d != 0 {
		t.Fatalf("%d packets dropped", d)
	}
}

// TestBatchConnStalledViewerLosesOnlyItsOwnPackets: a destination whose
// sends stall keeps a full queue and loses its own packets, counted for
// it; the writer never waits, and every packet to the other destinations
// on the same sender arrives.
func TestBatchConnStalledViewerLosesOnlyItsOwnPackets(t *testing.T) {
	const perDest = 20 * destSlots
	stalled, other := newUDPSink(t, 0), newUDPSink(t, perDest)
	stats := &Stats{}
	b := newTestBatchConn(t, stats, 1)
	b.setStall(func(a netip.AddrPort) bool { return a == stalled.addr() })
	pkt := make([]byte, 1200)
	for i := range int64(perDest) {
		binary.BigEndian.PutUint32(pkt, uint32(i))
		if _, err := b.WriteToAddrPort(pkt, stalled.addr()); err != nil {
			t.Fatal(err)
		}
		if _, err := b.WriteToAddrPort(pkt, other.addr()); err != nil {
			t.Fatal(err)
		}
		if i%32 == 31 {
			other.waitFor(t, i+1)
		}
	}
	other.waitFor(t, perDest)
	for i := range uint32(perDest) {
		if v := <-other.got; v != i {
			t.Fatalf("other viewer: packet %d where %d was expected", v, i)
		}
	}
	if got, want := b.dropped(stalled.addr()), uint64(perDest-destSlots); got != want {
		t.Fatalf("stalled viewer: %d packets dropped, want %d", got, want)
	}
	if d := b.dropped(other.addr()); d != 0 {
		t.Fatalf("other viewer: %d packets dropped", d)
	}
	if got, want := stats.EgressDropped.Load(), uint64(perDest-destSlots); got != want {
		t.Fatalf("EgressDropped %d, want %d", got, want)
	}
	if n := stalled.n.Load(); n != 0 {
		t.Fatalf("stalled viewer received %d packets", n)
	}
}

// TestBatchConnCountsRefusedSends: a packet the kernel refuses (here a
// destination port 0) is counted in
// Stats.WriteErrors, and the packets around it in the same batch still
// leave.
func TestBatchConnCountsRefusedSends(t *testing.T) {
	sink := newUDPSink(t, 8)
	stats := &Stats{}
	b := newTestBatchConn(t, stats, 1)
	pkt := make([]byte, 100)
	for _, dst := range []netip.AddrPort{sink.addr(), netip.MustParseAddrPort("127.0.0.1:0"), sink.addr()} {
		if _, err := b.WriteToAddrPort(pkt, dst); err != nil {
			t.Fatal(err)
		}
	}
	b.flush()
	sink.waitFor(t, 2)
	if n := stats.WriteErrors.Load(); n != 1 {
		t.Fatalf("WriteErrors %d, want 1", n)
	}
}

// TestBatchConnSendsWithoutAllocating: at light load, one packet per
// sendmmsg, queueing and sending a packet allocates nothing.
func TestBatchConnSendsWithoutAllocating(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	sink := newUDPSink(t, 0)
	b := newTestBatchConn(t, nil, 1)
	pkt, dst := make([]byte, 1200), sink.addr()
	_, _ = b.WriteToAddrPort(pkt, dst) // the destination's first packet allocates its queue
	b.flush()
	allocs := testing.AllocsPerRun(500, func() {
		_, _ = b.WriteToAddrPort(pkt, dst)
		b.flush()
	})
	if allocs != 0 {
		t.Fatalf("%.1f allocations per packet", allocs)
	}
}

// TestSendShardSlotMemory: a slot reserved when the socket closes can still
// be written and committed (refused with net.ErrClosed), and the slots'
// memory, mapped outside the Go heap, goes back to the system only once
// that last reservation has ended.
func TestSendShardSlotMemory(t *testing.T) {
	sink := newUDPSink(t, 1)
	b := newTestBatchConn(t, &Stats{}, 1)
	s := b.shards[0]
	if !s.mapped {
		t.Log("anonymous mappings refused here: the slots are on the Go heap")
	}
	slot, ok, err := b.reserveSlot(sink.addr())
	if err != nil || !ok || len(slot.buf) != slotSize {
		t.Fatalf("reserve: %d bytes, %v, %v", len(slot.buf), ok, err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	held := s.mem != nil
	s.mu.Unlock()
	if !held {
		t.Fatal("the slot memory was released while a slot was reserved")
	}
	copy(slot.buf, "still writable")
	if err := slot.commit(14); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("commit after close: %v, want net.ErrClosed", err)
	}
	s.mu.Lock()
	released := s.mem == nil
	s.mu.Unlock()
	if !released {
		t.Fatal("the slot memory was kept after the last reservation ended")
	}
	if _, _, err := b.reserveSlot(sink.addr()); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("reserve after close: %v, want net.ErrClosed", err)
	}
}
