//go:build linux

package loadtest

import (
	"encoding/binary"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/transport/v4"
	"github.com/pion/transport/v4/stdnet"

	"github.com/cohost-rtc/cohost/rtc"
)

// Payload types the server offers (internal/sfu): Opus is audio, the rest
// video.
const ptOpus = 111

// probe is the receiving side of one audience member: it sees every media
// packet its sockets receive, before Pion does, and keeps per-stream counts,
// first-media times and end-to-end latencies from abs-capture-time.
type probe struct {
	run *runState

	mu         sync.Mutex
	joinStart  time.Time
	firstMedia time.Duration // since joinStart; 0: none yet
	firstVideo time.Duration
	streams    []*stream
	lat        *hist // latencies while measuring
	noStamp    uint64
}

// stream is one received RTP stream (one SSRC).
type stream struct {
	ssrc    uint32
	video   bool
	first   uint64 // extended sequence number of the first packet
	maxSeq  uint64 // extended highest sequence number
	count   uint64 // packets received
	bytes   uint64
	mark    streamMark // at the start of the measurement window
	hasMark bool
}

type streamMark struct{ maxSeq, count, bytes uint64 }

func newProbe(run *runState) *probe { return &probe{run: run, lat: newHist()} }

// start records the time the member's join began.
func (p *probe) start(t time.Time) {
	p.mu.Lock()
	p.joinStart = t
	p.mu.Unlock()
}

// packet handles one received RTP packet (still SRTP-encrypted).
func (p *probe) packet(b []byte, now time.Time) {
	if len(b) < 12 {
		return
	}
	seq := binary.BigEndian.Uint16(b[2:4])
	ssrc := binary.BigEndian.Uint32(b[8:12])
	video := b[1]&0x7f != ptOpus
	stamp, stamped := captureTime(b)
	measuring := p.run != nil && p.run.measuring.Load()

	p.mu.Lock()
	var s *stream
	for _, x := range p.streams {
		if x.ssrc == ssrc {
			s = x
			break
		}
	}
	if s == nil {
		ext := uint64(seq) + 1<<16 // room for packets reordered before the first
		s = &stream{ssrc: ssrc, video: video, first: ext, maxSeq: ext}
		p.streams = append(p.streams, s)
		if !p.joinStart.IsZero() {
			since := max(now.Sub(p.joinStart), time.Nanosecond)
			if p.firstMedia == 0 {
				p.firstMedia = since
			}
			if video && p.firstVideo == 0 {
				p.firstVideo = since
			}
		}
	} else if d := int16(seq - uint16(s.maxSeq)); d > 0 {
		s.maxSeq += uint64(d)
	}
	s.count++
	s.bytes += uint64(len(b))
	if measuring {
		if stamped {
			p.lat.add(now.Sub(stamp))
		} else {
			p.noStamp++
		}
	}
	p.mu.Unlock()
	if p.run != nil {
		p.run.pktsIn.Add(1)
		p.run.bytesIn.Add(uint64(len(b)))
	}
}

// mark records every stream's state at the start of the measurement window.
func (p *probe) mark() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, s := range p.streams {
		s.mark = streamMark{s.maxSeq, s.count, s.bytes}
		s.hasMark = true
	}
}

// windowStats returns what was received since mark: packets expected (by
// sequence numbers) and received, bytes, and the number of streams.
func (p *probe) windowStats() (expected, received, bytes uint64, streams int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, s := range p.streams {
		m := s.mark
		if !s.hasMark {
			// Started during the window: count from its first packet.
			m = streamMark{maxSeq: s.first - 1}
		}
		expected += s.maxSeq - m.maxSeq
		received += s.count - m.count
		bytes += s.bytes - m.bytes
		streams++
	}
	return
}

// captureTime reads abs-capture-time from a raw RTP packet: the header
// extension element of 8 bytes (the server forwards no other extension).
func captureTime(b []byte) (time.Time, bool) {
	if b[0]&0x10 == 0 {
		return time.Time{}, false
	}
	off := 12 + 4*int(b[0]&0x0f)
	if len(b) < off+4 {
		return time.Time{}, false
	}
	profile := binary.BigEndian.Uint16(b[off:])
	end := off + 4 + 4*int(binary.BigEndian.Uint16(b[off+2:]))
	if len(b) < end {
		return time.Time{}, false
	}
	ext := b[off+4 : end]
	for i := 0; i < len(ext); {
		var id, l int
		switch {
		case profile == 0xBEDE:
			id, l = int(ext[i]>>4), int(ext[i]&0x0f)+1
			if id == 0 { // padding
				i++
				continue
			}
			if id == 15 {
				return time.Time{}, false
			}
			i++
		case profile&0xfff0 == 0x1000:
			if ext[i] == 0 {
				i++
				continue
			}
			if i+1 >= len(ext) {
				return time.Time{}, false
			}
			id, l = int(ext[i]), int(ext[i+1])
			i += 2
		default:
			return time.Time{}, false
		}
		if i+l > len(ext) {
			return time.Time{}, false
		}
		if l == 8 && id != 0 {
			return rtc.TimeFromNTP(binary.BigEndian.Uint64(ext[i:])), true
		}
		i += l
	}
	return time.Time{}, false
}

// isRTP tells RTP from STUN, DTLS and RTCP (RFC 7983, RFC 5761).
func isRTP(b []byte) bool {
	return len(b) >= 12 && b[0]>>6 == 2 && (b[1] < 192 || b[1] > 223)
}

// probeNet is the transport.Net of one engine: its UDP sockets are read by
// the run's receiver, send only to the target and, when a probe is set,
// hand media packets to the probe instead of Pion.
type probeNet struct {
	*stdnet.Net
	r     *receiver
	t     *target
	probe *probe
}

func newProbeNet(r *receiver, t *target, p *probe) (*probeNet, error) {
	n, err := stdnet.NewNet()
	if err != nil {
		return nil, err
	}
	return &probeNet{Net: n, r: r, t: t, probe: p}, nil
}

func (n *probeNet) ListenUDP(network string, laddr *net.UDPAddr) (transport.UDPConn, error) {
	return n.r.listen(n.t, n.probe, network, laddr)
}

func (n *probeNet) ListenPacket(network, address string) (net.PacketConn, error) {
	a, err := net.ResolveUDPAddr(network, address)
	if err != nil {
		return nil, err
	}
	return n.r.listen(n.t, n.probe, network, a)
}

func (n *probeNet) Dial(network, address string) (net.Conn, error) {
	return nil, fmt.Errorf("loadtest: dial %s %s: not allowed", network, address)
}

func (n *probeNet) DialUDP(network string, _, raddr *net.UDPAddr) (transport.UDPConn, error) {
	return nil, fmt.Errorf("loadtest: dial %s %s: not allowed", network, raddr)
}

func (n *probeNet) DialTCP(network string, _, raddr *net.TCPAddr) (transport.TCPConn, error) {
	return nil, fmt.Errorf("loadtest: dial %s %s: not allowed", network, raddr)
}

func (n *probeNet) ListenTCP(network string, laddr *net.TCPAddr) (transport.TCPListener, error) {
	return nil, fmt.Errorf("loadtest: listen %s %s: not allowed", network, laddr)
}

// runState is what probes and publishers share during a run.
type runState struct {
	measuring atomic.Bool
	paused    atomic.Bool   // hosts send nothing (while a baseline runs)
	pktsIn    atomic.Uint64 // received by probes
	bytesIn   atomic.Uint64
	pktsOut   atomic.Uint64 // sent by publishers
	bytesOut  atomic.Uint64
}
