//go:build linux

package loadtest

import (
	"context"
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"runtime"
	"time"

	"github.com/cohost-rtc/cohost/internal/srtpseal"
	"github.com/pion/rtp"
	"golang.org/x/sys/unix"
)

// baseStream is one published track of the test as the baseline replays
// it: its packet rate, size and burst, and which receivers get it.
type baseStream struct {
	pps, payload, burst int
	receivers           []int
}

// runBaseline sends streams to receivers loopback sockets for d. The
// receiving sockets are read by the load test's receiver, as the audience's
// are, so that the sender's kernel work per packet is the same. batched
// sends a fan-out's copies with sendmmsg, up to 64 per system call, as the
// server does; otherwise each copy has its own sendto.
func runBaseline(ctx context.Context, recv *receiver, t *target, streams []baseStream, receivers int, d time.Duration, batched bool) (*BaselineResult, error) {
	lo := netip.MustParseAddr("127.0.0.1")
	addrs := make([]netip.AddrPort, receivers)
	probes := make([]*probe, receivers)
	conns := make([]*rawConn, 0, receivers)
	defer func() {
		for _, c := range conns {
			_ = c.Close()
		}
	}()
	for i := range addrs {
		probes[i] = newProbe(nil)
		c, err := recv.listen(t, probes[i], "udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(lo, 0)))
		if err != nil {
			return nil, fmt.Errorf("loadtest: baseline receiver: %w", err)
		}
		conns = append(conns, c)
		addrs[i] = c.laddr.AddrPort()
		addrs[i] = netip.AddrPortFrom(addrs[i].Addr().Unmap(), addrs[i].Port())
	}
	conn, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(lo, 0)))
	if err != nil {
		return nil, fmt.Errorf("loadtest: baseline sender: %w", err)
	}
	defer conn.Close()
	_ = conn.SetWriteBuffer(4 << 20)
	var mm *mmsgSender
	if batched {
		if mm, err = newMmsgSender(conn); err != nil {
			return nil, fmt.Errorf("loadtest: baseline sender: %w", err)
		}
	}

	// One SRTP context per receiver, as an SFU has one per subscriber,
	// sealing AES-128-GCM with the server's own sealer.
	seals := make([]*srtpseal.Sealer, receivers)
	for i := range seals {
		key, salt := make([]byte, 16), make([]byte, srtpseal.SaltLen)
		binary.BigEndian.PutUint32(key, uint32(i))
		binary.BigEndian.PutUint32(salt, uint32(i))
		if seals[i], err = srtpseal.New(key, salt); err != nil {
			return nil, err
		}
	}
	type state struct {
		baseStream
		raw      []byte
		hdrLen   int
		interval time.Duration
		next     time.Time
		seq      uint16
	}
	start := time.Now()
	states := make([]*state, len(streams))
	for i, s := range streams {
		p := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 96, SSRC: uint32(1000 + i)}, Payload: make([]byte, s.payload)}
		_ = p.Header.SetExtension(1, make([]byte, 8)) // abs-capture-time, as the test's packets carry
		raw, err := p.Marshal()
		if err != nil {
			return nil, err
		}
		burst := max(s.burst, 1)
		states[i] = &state{baseStream: s, raw: raw, hdrLen: p.Header.MarshalSize(), interval: time.Second * time.Duration(burst) / time.Duration(s.pps), next: start}
	}

	res := &BaselineResult{Receivers: receivers, Batched: batched}
	done := make(chan error, 1)
	go func() {
		// One locked thread sends everything; its CPU time is the result.
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		out := make([]byte, 0, 1600)
		var ru0, ru1 unix.Rusage
		_ = unix.Getrusage(unix.RUSAGE_THREAD, &ru0)
		end := start.Add(d)
		var sent uint64
		for ctx.Err() == nil {
			var s *state
			for _, x := range states {
				if s == nil || x.next.Before(s.next) {
					s = x
				}
			}
			if s == nil || !s.next.Before(end) {
				break
			}
			if w := time.Until(s.next); w > 0 {
				time.Sleep(w)
			}
			for range max(s.burst, 1) {
				s.seq++
				binary.BigEndian.PutUint16(s.raw[2:], s.seq)
				binary.BigEndian.PutUint64(s.raw[stampOffset:], uint64(time.Now().UnixNano()))
				for _, r := range s.receivers {
					// The packet is written into the buffer it leaves
					// from and sealed there, as the server's link does.
					b := out
					if mm != nil {
						b = mm.buf()
					}
					b = b[:cap(b)]
					n, err := seals[r].Seal(b, s.hdrLen, copy(b, s.raw))
					if err != nil {
						done <- err
						return
					}
					if mm != nil {
						if mm.add(b[:n], addrs[r]) {
							if err := mm.send(); err != nil {
								done <- err
								return
							}
						}
					} else if _, err := conn.WriteToUDPAddrPort(b[:n], addrs[r]); err != nil {
						done <- err
						return
					}
					sent++
				}
			}
			if mm != nil {
				if err := mm.send(); err != nil {
					done <- err
					return
				}
			}
			s.next = s.next.Add(s.interval)
		}
		_ = unix.Getrusage(unix.RUSAGE_THREAD, &ru1)
		res.Packets = sent
		res.CPUSeconds = tvSeconds(ru1.Utime) + tvSeconds(ru1.Stime) - tvSeconds(ru0.Utime) - tvSeconds(ru0.Stime)
		done <- nil
	}()
	if err := <-done; err != nil {
		return nil, fmt.Errorf("loadtest: baseline: %w", err)
	}
	res.Seconds = time.Since(start).Seconds()
	time.Sleep(2 * slowInterval) // let the receiver drain the sockets
	for _, p := range probes {
		p.mu.Lock()
		for _, s := range p.streams {
			res.Received += s.count
		}
		p.mu.Unlock()
	}
	if res.Packets > 0 {
		res.NsPerPacket = res.CPUSeconds * 1e9 / float64(res.Packets)
		res.PacketsPerSec = float64(res.Packets) / res.Seconds
	}
	return res, nil
}

func tvSeconds(tv unix.Timeval) float64 { return float64(tv.Sec) + float64(tv.Usec)/1e6 }

// stampOffset is where the 8-byte abs-capture-time value sits in the
// baseline's packets: after the 12-byte header, the extension header (4)
// and the element's id/length byte.
const stampOffset = 12 + 4 + 1
