package sfu

import (
	"encoding/binary"
	"net"
	"testing"
	"time"
)

// TestBatchConnOrder: every queued packet arrives, in order, also past the
// queue's capacity and with packets too large to queue in between; Close
// sends what is left.
func TestBatchConnOrder(t *testing.T) {
	sink, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	_ = sink.SetReadBuffer(8 << 20)
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	b, err := newBatchConn(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	dst := sink.LocalAddr().(*net.UDPAddr).AddrPort()
	const total = 3 * queueSlots
	got := make(chan uint32, total)
	go func() {
		buf := make([]byte, 4096)
		for {
			n, _, err := sink.ReadFromUDPAddrPort(buf)
			if err != nil {
				close(got)
				return
			}
			if n < 4 {
				continue
			}
			got <- binary.BigEndian.Uint32(buf)
		}
	}()
	pkt := make([]byte, 200)
	big := make([]byte, slotSize+100)
	for i := range uint32(total) {
		p := pkt
		if i%1000 == 999 {
			p = big
		}
		binary.BigEndian.PutUint32(p, i)
		if i%2 == 0 {
			_, err = b.WriteToAddrPort(p, dst)
		} else {
			_, err = b.WriteTo(p, net.UDPAddrFromAddrPort(dst))
		}
		if err != nil {
			t.Fatal(err)
		}
		if i%500 == 0 {
			time.Sleep(time.Millisecond) // let the receiver keep up
		}
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := b.WriteToAddrPort(pkt, dst); err == nil {
		t.Fatal("write after close")
	}
	next := uint32(0)
	deadline := time.After(10 * time.Second)
	for next < total {
		select {
		case v := <-got:
			// A packet too large to queue is sent at once: it may pass
			// queued ones, which is fine for the rare DTLS record.
			if v%1000 == 999 {
				continue
			}
			if v < next {
				t.Fatalf("packet %d after %d", v, next)
			}
			next = v + 1
		case <-deadline:
			t.Fatalf("received up to %d of %d", next, total)
		}
	}
}
