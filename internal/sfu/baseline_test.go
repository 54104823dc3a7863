package sfu

import (
	"fmt"
	"net"
	"testing"

	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"
)

// BenchmarkBaselineSRTPSend is the least work any SFU does for the traffic
// of BenchmarkForward: SRTP-encrypt each packet once per subscriber
// (AES-128-GCM) and send it over UDP on loopback, with no SFU logic. The
// ratio of the two ns/forwarded-pkt figures is the cost of cohost's
// forwarding over that floor.
func BenchmarkBaselineSRTPSend(b *testing.B) {
	for _, n := range []int{1, 10, 50} {
		b.Run(fmt.Sprintf("subscribers=%d", n), func(b *testing.B) {
			sink, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
			if err != nil {
				b.Fatal(err)
			}
			defer sink.Close()
			go func() {
				buf := make([]byte, 1500)
				for {
					if _, _, err := sink.ReadFrom(buf); err != nil {
						return
					}
				}
			}()
			conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
			if err != nil {
				b.Fatal(err)
			}
			defer conn.Close()
			dst := sink.LocalAddr().(*net.UDPAddr)
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
			b.SetBytes(int64(len(raw) * n))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				raw[2], raw[3] = byte(i>>8), byte(i)
				for _, c := range ctxs {
					enc, err := c.EncryptRTP(out[:0], raw, nil)
					if err != nil {
						b.Fatal(err)
					}
					if _, err := conn.WriteToUDP(enc, dst); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/forwarded-pkt")
		})
	}
}
