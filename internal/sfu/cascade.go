package sfu

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cohost-rtc/cohost/protocol"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"
)

// cascadeCaptureExt is the header extension id abs-capture-time travels
// under between nodes.
const cascadeCaptureExt = 1

// cascadePayloadType is the payload type of packets between nodes: the
// receiving node rewrites it for each subscriber, so any value does.
const cascadePayloadType = 96

// maxCascadeGap is the largest jump in sequence numbers whose missing
// packets the receiving node asks for again; a longer gap is a restart.
const maxCascadeGap = 64

// ErrSSRCInUse: a cascade already sends a track under that SSRC.
var ErrSSRCInUse = errors.New("sfu: cascade: SSRC already in use")

// CascadeConfig configures one node-to-node media link.
type CascadeConfig struct {
	// Remote is the other node's media address.
	Remote netip.AddrPort
	// Client makes this side the DTLS client; the other side must not be.
	Client bool
	// RemoteFingerprint is the other node's certificate fingerprint
	// (Media.Fingerprint on that node).
	RemoteFingerprint string
	// HandshakeTimeout bounds the handshake (10 s if zero).
	HandshakeTimeout time.Duration
	Logger           *slog.Logger
}

// Cascade carries published tracks between two nodes over one DTLS-SRTP
// Link, each track under its own SSRC chosen by the receiving node: the
// sending node forwards a track once per receiving node however many of
// that node's users subscribe, and the receiving node fans it out to its
// own subscribers as a PublishedTrack of its own. Keyframe requests and
// NACKs of the receiving node go back across the link; NACKs for packets
// lost on the link are sent by the receiving node itself.
type Cascade struct {
	m      *Media
	link   *Link
	logger *slog.Logger

	mu     sync.Mutex
	closed bool
	sent   map[uint32]*DownTrack      // tracks sent to the other node, by SSRC
	recv   map[uint32]*cascadeTrack   // tracks received from it, by SSRC
	snap   atomic.Pointer[cascadeMap] // sent and recv for the reading goroutine

	stats CascadeStats
}

// cascadeMap is an immutable copy of a cascade's tracks, read without a
// lock by the media port's reading goroutine.
type cascadeMap struct {
	sent map[uint32]*DownTrack
	recv map[uint32]*cascadeTrack
}

// CascadeStats counts a cascade's traffic.
type CascadeStats struct {
	// PacketsReceived counts RTP packets received from the other node.
	PacketsReceived atomic.Uint64
	// Unrouted counts packets for an SSRC the cascade does not receive.
	Unrouted atomic.Uint64
	// NACKsSent counts NACKs sent for packets lost on the link;
	// NACKsReceived those the other node sent.
	NACKsSent, NACKsReceived atomic.Uint64
	// KeyframeRequestsReceived counts PLIs and FIRs from the other node.
	KeyframeRequestsReceived atomic.Uint64
}

// cascadeTrack is a track received from the other node.
type cascadeTrack struct {
	t    *PublishedTrack
	ssrc uint32

	mu      sync.Mutex // the reading goroutine's, against end
	hdr     rtp.Header
	ended   bool
	started bool
	lastSeq uint16
}

// Fingerprint is the SHA-256 fingerprint of the media port's certificate,
// which other nodes check when they link to it.
func (m *Media) Fingerprint() string { return m.fingerprint }

// NewCascade links this node's media port to another node's and waits for
// the handshake (ctx, or the handshake timeout, bounds it). Both nodes
// call it, one with Client set.
func (m *Media) NewCascade(ctx context.Context, cfg CascadeConfig) (*Cascade, error) {
	if cfg.Logger == nil {
		cfg.Logger = m.cfg.Logger
	}
	c := &Cascade{m: m, logger: cfg.Logger, sent: map[uint32]*DownTrack{}, recv: map[uint32]*cascadeTrack{}}
	c.snap.Store(&cascadeMap{})
	l, err := m.NewLink(ctx, LinkConfig{Remote: cfg.Remote, Client: cfg.Client, Certificate: m.cert,
		RemoteFingerprint: cfg.RemoteFingerprint, HandshakeTimeout: cfg.HandshakeTimeout,
		OnRTP: c.onRTP, OnRTCP: c.onRTCP})
	if err != nil {
		return nil, fmt.Errorf("sfu: cascade with %v: %w", cfg.Remote, err)
	}
	c.mu.Lock()
	c.link = l
	c.mu.Unlock()
	return c, nil
}

// Remote is the other node's media address.
func (c *Cascade) Remote() netip.AddrPort { return c.link.Remote() }

// Stats is the cascade's counters.
func (c *Cascade) Stats() *CascadeStats { return &c.stats }

// publishLocked makes the reading goroutine see the current tracks.
// Caller holds c.mu.
func (c *Cascade) publishLocked() {
	m := &cascadeMap{sent: make(map[uint32]*DownTrack, len(c.sent)), recv: make(map[uint32]*cascadeTrack, len(c.recv))}
	for k, v := range c.sent {
		m.sent[k] = v
	}
	for k, v := range c.recv {
		m.recv[k] = v
	}
	c.snap.Store(m)
}

// Receive prepares to receive a track of the other node and returns it,
// as a PublishedTrack of this node that local subscribers' down tracks
// attach to, with the SSRC the other node must send it under (Send).
// Keyframe requests of the track go to the other node.
func (c *Cascade) Receive(uid protocol.UID, mt protocol.MediaType, codec protocol.Codec, stats *Stats, logger *slog.Logger) (*PublishedTrack, uint32, error) {
	if logger == nil {
		logger = c.logger
	}
	t := NewPublishedTrack(uid, mt, codec, stats, c.m.cfg.KeyframeInterval, logger)
	t.started.Store(true)
	t.captureExt = cascadeCaptureExt
	t.useFanout(c.m.fanout)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, 0, ErrClosed
	}
	var ssrc uint32
	for ssrc == 0 || c.recv[ssrc] != nil {
		ssrc = rand.Uint32()
	}
	t.rtcp = func(pkts []rtcp.Packet) error {
		b, err := rtcp.Marshal(pkts)
		if err != nil {
			return fmt.Errorf("sfu: cascade: %w", err)
		}
		return c.link.WriteRTCP(b)
	}
	t.mediaSSRC.Store(ssrc)
	c.recv[ssrc] = &cascadeTrack{t: t, ssrc: ssrc}
	c.publishLocked()
	return t, ssrc, nil
}

// StopReceiving forgets the track received under ssrc and closes it; the
// other node should be told to stop sending it (StopSending there).
func (c *Cascade) StopReceiving(ssrc uint32) {
	c.mu.Lock()
	ct := c.recv[ssrc]
	delete(c.recv, ssrc)
	c.publishLocked()
	c.mu.Unlock()
	if ct != nil {
		ct.end()
	}
}

// end stops forwarding the track and folds its counters into the totals.
func (ct *cascadeTrack) end() {
	ct.mu.Lock()
	defer ct.mu.Unlock()
	if ct.ended {
		return
	}
	ct.ended = true
	ct.t.closed.Store(true)
	ct.t.stats.retire(ct.t.counters)
}

// Send forwards src to the other node under ssrc (which the other node's
// Receive chose) until StopSending. It counts as one subscriber of src.
func (c *Cascade) Send(src *PublishedTrack, ssrc uint32) error {
	return c.send(NewDownTrack(src), ssrc)
}

// SendRelayed is Send for a track a channel media relay shows as uid: it
// passes gate, continuous across pauses, as a relayed subscriber's copy
// does.
func (c *Cascade) SendRelayed(src *PublishedTrack, ssrc uint32, uid protocol.UID, gate *Gate) error {
	return c.send(NewRelayedDownTrack(src, uid, gate), ssrc)
}

func (c *Cascade) send(d *DownTrack, ssrc uint32) error {
	src := d.source
	d.bound.Store(&binding{writer: linkWriter{c.link}, ssrc: ssrc, pt: cascadePayloadType, captureExt: cascadeCaptureExt})
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return ErrClosed
	}
	if c.sent[ssrc] != nil {
		c.mu.Unlock()
		return fmt.Errorf("%w: %d", ErrSSRCInUse, ssrc)
	}
	c.sent[ssrc] = d
	c.publishLocked()
	c.mu.Unlock()
	src.AddDownTrack(d)
	src.RequestKeyframe()
	return nil
}

// StopSending stops forwarding the track sent under ssrc.
func (c *Cascade) StopSending(ssrc uint32) {
	c.mu.Lock()
	d := c.sent[ssrc]
	delete(c.sent, ssrc)
	c.publishLocked()
	c.mu.Unlock()
	if d != nil {
		d.bound.Store(nil)
		d.source.RemoveDownTrack(d)
	}
}

// Sending reports how many tracks the cascade sends.
func (c *Cascade) Sending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.sent)
}

// Receiving reports how many tracks the cascade receives.
func (c *Cascade) Receiving() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.recv)
}

// onRTP receives a packet of the other node, on the media port's reading
// goroutine (one at a time), and forwards it to the track's subscribers.
func (c *Cascade) onRTP(p []byte) {
	if len(p) < 12 {
		return
	}
	ssrc := uint32(p[8])<<24 | uint32(p[9])<<16 | uint32(p[10])<<8 | uint32(p[11])
	ct := c.snap.Load().recv[ssrc]
	if ct == nil {
		c.stats.Unrouted.Add(1)
		return
	}
	c.stats.PacketsReceived.Add(1)
	ct.mu.Lock()
	defer ct.mu.Unlock()
	if ct.ended {
		return
	}
	if _, err := ct.hdr.Unmarshal(p); err != nil {
		return
	}
	if lost := ct.advance(ct.hdr.SequenceNumber); lost != nil {
		c.nack(ct.ssrc, lost)
	}
	ct.t.forward(&ct.hdr, p)
}

// advance records seq and returns the sequence numbers a forward jump
// skipped, when they are worth asking for again (video: the sending node
// keeps recent video packets). Caller holds ct.mu.
func (ct *cascadeTrack) advance(seq uint16) []uint16 {
	if !ct.started {
		ct.started, ct.lastSeq = true, seq
		return nil
	}
	d := int16(seq - ct.lastSeq)
	if d <= 0 {
		return nil // a retransmission or a late packet
	}
	var lost []uint16
	if d > 1 && d <= maxCascadeGap && ct.t.cache != nil {
		for s := ct.lastSeq + 1; s != seq; s++ {
			lost = append(lost, s)
		}
	}
	ct.lastSeq = seq
	return lost
}

// nack asks the other node to send lost packets again.
func (c *Cascade) nack(ssrc uint32, lost []uint16) {
	b, err := rtcp.Marshal([]rtcp.Packet{&rtcp.TransportLayerNack{MediaSSRC: ssrc, Nacks: rtcp.NackPairsFromSequenceNumbers(lost)}})
	if err != nil {
		return
	}
	if c.link.WriteRTCP(b) == nil {
		c.stats.NACKsSent.Add(1)
	}
}

// onRTCP receives the other node's feedback on the tracks sent to it:
// keyframe requests go to the publisher, NACKs are answered from the
// track's cache.
func (c *Cascade) onRTCP(p []byte) {
	pkts, err := rtcp.Unmarshal(p)
	if err != nil {
		return
	}
	sent := c.snap.Load().sent
	for _, pkt := range pkts {
		switch pkt := pkt.(type) {
		case *rtcp.PictureLossIndication:
			if d := sent[pkt.MediaSSRC]; d != nil {
				c.stats.KeyframeRequestsReceived.Add(1)
				d.source.RequestKeyframe()
			}
		case *rtcp.FullIntraRequest:
			if d := sent[pkt.MediaSSRC]; d != nil {
				c.stats.KeyframeRequestsReceived.Add(1)
				d.source.RequestKeyframe()
			}
		case *rtcp.TransportLayerNack:
			if d := sent[pkt.MediaSSRC]; d != nil {
				c.stats.NACKsReceived.Add(1)
				d.source.stats.NACKs.Add(1)
				d.retransmit(pkt.Nacks)
			}
		}
	}
}

// Close ends the link: every track sent stops, every track received ends.
// Safe to call more than once.
func (c *Cascade) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	sent, recv := c.sent, c.recv
	c.sent, c.recv = map[uint32]*DownTrack{}, map[uint32]*cascadeTrack{}
	c.publishLocked()
	c.mu.Unlock()
	err := c.link.Close()
	for _, d := range sent {
		d.bound.Store(nil)
		d.source.RemoveDownTrack(d)
	}
	for _, ct := range recv {
		ct.end()
	}
	return err
}
