package sfu

import (
	"fmt"
	"net"
	"net/netip"
	"testing"

	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"
)

// BenchmarkBaselineSRTPSend is the least work any SFU does for the traffic
// of BenchmarkForward: SRTP-encrypt each packet once per subscriber
// (AES-128-GCM) and send it over UDP on loopback, with no SFU logic:
// "sendto" with one system call per packet, "sendmmsg" through the
// server's own batched sender (the true floor of the server's design). The
// ratio of the ns/forwarded-pkt figures is the cost of cohost's forwarding
// over that floor.
func BenchmarkBaselineSRTPSend(b *testing.B) {
	for _, batched := range []bool{false, true} {
		for _, n := range []int{1, 10, 50} {
			name := fmt.Sprintf("subscribers=%d/sendto", n)
			if batched {
				name = fmt.Sprintf("subscribers=%d/sendmmsg", n)
			}
			b.Run(name, func(b *testing.B) { benchmarkBaseline(b, n, batched) })
		}
	}
}

func benchmarkBaseline(b *testing.B, n int, batched bool) {
	dsts := make([]netip.AddrPort, n)
	for i := range dsts {
		sink, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			b.Fatal(err)
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			buf := make([]byte, 1500)
			for {
				if _, _, err := sink.ReadFromUDPAddrPort(buf); err != nil {
					return
				}
			}
		}()
		defer func() {
			_ = sink.Close()
			<-done
		}()
		dsts[i] = sink.LocalAddr().(*net.UDPAddr).AddrPort()
	}
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		b.Fatal(err)
	}
	stats := &Stats{}
	write := conn.WriteToUDPAddrPort
	flush := func() {}
	if batched {
		bc, err := newBatchConn(conn, stats, 1)
		if err != nil {
			b.Fatal(err)
		}
		defer bc.Close()
		write, flush = bc.WriteToAddrPort, bc.flush
	} else {
		defer conn.Close()
	}
	ctxs := make([]*srtp.Context, n)
	for i := range ctxs {
		key := make([]byte, 16)
		salt := make([]byte, 12)
		key[0], salt[0] = byte(i), byte(i)
		ctxs[i], err = srtp.CreateContext(key, salt, srtp.ProtectionProfileAeadAes128Gcm)
		if err != nil {
			b.Fatal(err)
		}
	}
	pkt := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 96, SequenceNumber: 1, Timestamp: 1, SSRC: 1234}, Payload: make([]byte, 1100)}
	raw, _ := pkt.Marshal()
	out := make([]byte, 0, 1500)
	var hdr rtp.Header
	every := drainEvery(n, 1)
	b.SetBytes(int64(len(raw) * n))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		raw[2], raw[3] = byte(i>>8), byte(i)
		for k, c := range ctxs {
			enc, err := c.EncryptRTP(out[:0], raw, &hdr)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := write(enc, dsts[k]); err != nil {
				b.Fatal(err)
			}
		}
		if i%every == every-1 {
			flush()
		}
	}
	flush()
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/forwarded-pkt")
	if d := stats.EgressDropped.Load(); d > 0 {
		b.Fatalf("%d packets dropped", d)
	}
}

// drainEvery is how many packets a saturated benchmark forwards to n
// subscribers over shards sender shards before it drains the queue, so
// that no subscriber's queue (destSlots) nor shard (shardSlots) fills.
func drainEvery(n, shards int) int {
	return max(1, min(destSlots, shardSlots*shards/2/n))
}
