package sfu

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"log/slog"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cohost-rtc/cohost/protocol"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// liteDownstream is a subscriber's connection on the fan-out transport:
// ICE-lite answers on the shared media port, a DTLS-SRTP Link keyed once,
// media sections written by hand. After its handshake it owns no
// goroutine: its packets arrive on the shared reader's goroutine, its
// sender reports and consent checks run on the media layer's one clock
// goroutine (liteClock), its media is written by the published tracks'
// read loops. One mutex guards its state; no I/O happens under it except
// queueing an offer (sendOffer must not block) or a packet on the socket.
// maxUnanswered bounds the addresses a subscriber's checks came from
// before its answer that are nudged when the answer comes.
const maxUnanswered = 4

type liteDownstream struct {
	m         *Media
	logger    *slog.Logger
	sendOffer func(protocol.OfferEvent)
	onFail    func(*DownTrack)
	onICE     func(webrtc.ICEConnectionState)

	mu        sync.Mutex
	closed    bool
	sections  []*offerSection
	byID      map[string]*offerSection // current tracks by DownTrack.ID()
	bySSRC    map[uint32]*offerSection
	bound     map[*offerSection]*binding // accepted by the client's answer
	creds     iceCredentials
	oldCreds  []iceCredentials // still answered until an answer to the new ones
	sessionID uint64
	version   uint64
	dirty     bool
	restart   bool
	awaiting  bool
	lastOffer protocol.OfferEvent
	// offeredInactive: the sections the pending offer carried inactive,
	// free for reuse once it is answered.
	offeredInactive []*offerSection
	answered        *liteAnswer    // the first applied answer: DTLS role and fingerprint
	remote          iceCredentials // the client's, from its latest answer
	nominated       bool           // the client nominated an address (since the last ICE restart)
	link            *Link
	linkUp          bool
	addr            netip.AddrPort // the nominated address
	// unanswered are the addresses (at most maxUnanswered) whose checks
	// came while an offer awaited its answer, nudged with the answer's
	// ICE credentials when it comes: its agent nominates on a nudge only on the pair
	// it ranks best, which need not be the first that checked.
	unanswered []netip.AddrPort
	early      [][]byte  // DTLS records that arrived before the link
	consent    time.Time // the last valid check from addr
	state      webrtc.ICEConnectionState
	lastSR     time.Time
}

func (m *Media) newLiteDownstream(logger *slog.Logger, sendOffer func(protocol.OfferEvent), onFail func(*DownTrack), onICE func(webrtc.ICEConnectionState)) *liteDownstream {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	var sid [8]byte
	_, _ = rand.Read(sid[:])
	d := &liteDownstream{m: m, logger: logger, sendOffer: sendOffer, onFail: onFail, onICE: onICE,
		byID: map[string]*offerSection{}, bySSRC: map[uint32]*offerSection{}, bound: map[*offerSection]*binding{},
		creds: newICECredentials(), sessionID: binary.BigEndian.Uint64(sid[:]) >> 2, state: webrtc.ICEConnectionStateNew}
	m.demux.addUfrag(d.creds.ufrag, d)
	m.clock.add(d)
	return d
}

// Add starts sending dt to the subscriber (after the next negotiation).
func (d *liteDownstream) Add(dt *DownTrack) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed || d.byID[dt.ID()] != nil {
		return
	}
	params, ok := dt.Codec.Params()
	if !ok {
		d.logger.Warn("downstream add track: unknown codec", "track", dt.ID(), "codec", dt.Codec)
		return
	}
	s := d.freeSectionLocked(dt.MediaType, params)
	if s == nil {
		s = &offerSection{mid: strconv.Itoa(len(d.sections)), kind: dt.MediaType}
		d.sections = append(d.sections, s)
	}
	s.dt, s.params, s.free, s.ssrc = dt, params, false, 0
	for s.ssrc == 0 || d.bySSRC[s.ssrc] != nil {
		var b [4]byte
		_, _ = rand.Read(b[:])
		s.ssrc = binary.BigEndian.Uint32(b[:])
	}
	d.byID[dt.ID()] = s
	d.bySSRC[s.ssrc] = s
	dt.source.AddDownTrack(dt)
	d.dirty = true
	d.maybeOfferLocked()
}

// freeSectionLocked finds an inactive section the client has agreed to,
// of the same kind and codec, for a new track to take over: the offer
// then keeps as many sections as tracks were ever subscribed at once,
// however many come and go, instead of one per track ever sent.
func (d *liteDownstream) freeSectionLocked(kind protocol.MediaType, params protocol.CodecParams) *offerSection {
	for _, s := range d.sections {
		if s.free && s.dt == nil && s.kind == kind && s.params.MimeType == params.MimeType &&
			s.params.PayloadType == params.PayloadType {
			return s
		}
	}
	return nil
}

// Remove stops sending dt; its media section stays, inactive, until a
// later track takes it over.
func (d *liteDownstream) Remove(dt *DownTrack) {
	d.mu.Lock()
	defer d.mu.Unlock()
	s := d.byID[dt.ID()]
	if d.closed || s == nil || s.dt != dt {
		return
	}
	d.detachLocked(s)
	d.dirty = true
	d.maybeOfferLocked()
}

func (d *liteDownstream) detachLocked(s *offerSection) {
	dt := s.dt
	delete(d.byID, dt.ID())
	delete(d.bySSRC, s.ssrc)
	delete(d.bound, s)
	dt.source.RemoveDownTrack(dt)
	dt.bound.Store(nil)
	s.dt = nil
}

// RestartICE sends a new offer with fresh ICE credentials.
func (d *liteDownstream) RestartICE(resendPending bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return
	}
	if d.awaiting && resendPending {
		d.sendOffer(d.lastOffer)
	}
	d.restart = true
	d.dirty = true
	d.maybeOfferLocked()
}

func (d *liteDownstream) maybeOfferLocked() {
	if !d.dirty || d.awaiting || len(d.sections) == 0 {
		return
	}
	if d.restart {
		d.nominated = false
		d.unanswered = d.unanswered[:0]
		d.oldCreds = append(d.oldCreds, d.creds)
		d.creds = newICECredentials()
		d.m.demux.addUfrag(d.creds.ufrag, d)
	}
	d.version++
	o := liteOffer{sessionID: d.sessionID, version: d.version, creds: d.creds, fingerprint: d.m.fingerprint,
		candidates: d.m.candidates, tcpCandidates: d.m.tcpCandidates, sections: d.sections}
	ev := protocol.OfferEvent{SDP: o.String(), Tracks: []protocol.SubTrack{}}
	for _, s := range d.sections {
		if s.dt != nil {
			ev.Tracks = append(ev.Tracks, protocol.SubTrack{MID: s.mid, UID: s.dt.UID, MediaType: s.dt.MediaType, Codec: s.dt.Codec})
		}
	}
	d.dirty, d.restart, d.awaiting = false, false, true
	d.lastOffer = ev
	d.offeredInactive = d.offeredInactive[:0]
	for _, s := range d.sections {
		if s.dt == nil {
			d.offeredInactive = append(d.offeredInactive, s)
		}
	}
	d.sendOffer(ev)
}

// Answer applies the client's answer to the pending offer. Tracks whose
// section the client refused, or whose codec it cannot receive, are
// removed and reported to onFail.
func (d *liteDownstream) Answer(raw string) error {
	a, err := parseLiteAnswer(raw)
	if err != nil {
		return err
	}
	var failed []*DownTrack
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return ErrClosed
	}
	if !d.awaiting {
		d.mu.Unlock()
		return ErrNoOfferPending
	}
	if d.answered == nil {
		if a.fingerprint == "" {
			d.mu.Unlock()
			return errors.Join(ErrBadSDP, errors.New("sfu: the answer has no DTLS fingerprint"))
		}
		// Kept for the link, as copies: the parsed strings share the
		// whole SDP's memory.
		d.answered = &liteAnswer{fingerprint: strings.Clone(a.fingerprint), dtlsClient: a.dtlsClient}
	}
	d.awaiting = false
	d.remote = iceCredentials{ufrag: strings.Clone(a.ufrag), pwd: strings.Clone(a.pwd)}
	for _, s := range d.sections {
		if s.dt == nil || d.bound[s] != nil {
			continue
		}
		if !d.offeredLocked(s) {
			continue // added after the offer: the next one carries it
		}
		sec, ok := a.sections[s.mid]
		var p webrtc.RTPCodecParameters
		if ok && !sec.rejected {
			p, ok = matchCodec(s.dt.Codec, sec.codecs)
		}
		if !ok || sec.rejected {
			failed = append(failed, s.dt)
			d.detachLocked(s)
			d.dirty = true
			continue
		}
		b := &binding{ssrc: s.ssrc, pt: uint8(p.PayloadType), captureExt: sec.captureExt}
		d.bound[s] = b
		if d.linkUp {
			d.bindLocked(s, b)
		}
	}
	for _, s := range d.offeredInactive {
		if s.dt == nil {
			s.free = true
		}
	}
	d.lastOffer = protocol.OfferEvent{} // answered: never sent again

	for _, c := range d.oldCreds {
		d.m.demux.removeUfrag(c.ufrag, d)
	}
	d.oldCreds = nil
	d.startLinkLocked()
	d.maybeOfferLocked()
	// A client that checked before its answer arrived waits for its next
	// check tick (200 ms in Pion's agent) to nominate: nudge it now, on
	// every address it checked from.
	var nudges [][]byte
	var to []netip.AddrPort
	if !d.nominated && d.remote.pwd != "" {
		if d.addr.IsValid() && !slices.Contains(d.unanswered, d.addr) {
			d.unanswered = append(d.unanswered, d.addr)
		}
		for _, a := range d.unanswered {
			if !d.m.filter.allows(a.Addr()) {
				continue
			}
			if n, err := nominationNudge(d.creds, d.remote); err == nil {
				nudges, to = append(nudges, n), append(to, a)
			}
		}
	}
	d.unanswered = d.unanswered[:0]
	d.mu.Unlock()
	for i, n := range nudges {
		_, _ = d.m.demux.WriteToAddrPort(n, to[i])
	}
	for _, dt := range failed {
		if d.onFail != nil {
			d.onFail(dt)
		}
	}
	return nil
}

func (d *liteDownstream) offeredLocked(s *offerSection) bool {
	for _, t := range d.lastOffer.Tracks {
		if t.MID == s.mid {
			return true
		}
	}
	return false
}

// bindLocked starts forwarding s's track over the link.
func (d *liteDownstream) bindLocked(s *offerSection, b *binding) {
	b.writer = linkWriter{d.link}
	if s.kind == protocol.MediaVideo && d.m.cfg.CongestionPause {
		s.dt.cc.enabled.Store(true)
	}
	s.dt.bound.Store(b)
	s.dt.source.RequestKeyframe()
}

// startLinkLocked starts the DTLS handshake once both the client's
// nominated address and its answer (role, fingerprint) are known.
func (d *liteDownstream) startLinkLocked() {
	if d.link != nil || d.answered == nil || !d.addr.IsValid() || d.closed {
		return
	}
	l, err := d.m.startLink(LinkConfig{Remote: d.addr, Client: d.answered.dtlsClient, Certificate: d.m.cert,
		RemoteFingerprint: d.answered.fingerprint, HandshakeTimeout: d.m.cfg.HandshakeTimeout, OnRTCP: d.handleRTCP}, d, d.linkReady)
	if err != nil {
		d.logger.Warn("downstream DTLS", "err", err)
		return
	}
	d.link = l
	for _, p := range d.early {
		l.handlePacket(classDTLS, p, d.addr)
	}
	d.early = nil
}

// linkReady runs when the handshake ended (on its goroutine).
func (d *liteDownstream) linkReady(err error) {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return
	}
	if err != nil {
		d.logger.Warn("downstream DTLS handshake", "err", err)
		st := d.setStateLocked(webrtc.ICEConnectionStateFailed)
		d.mu.Unlock()
		d.report(st)
		return
	}
	d.linkUp = true
	for s, b := range d.bound {
		d.bindLocked(s, b)
	}
	d.mu.Unlock()
}

// handlePacket receives the client's packets from the shared reader.
func (d *liteDownstream) handlePacket(c packetClass, p []byte, from netip.AddrPort) {
	switch c {
	case classSTUN:
		d.handleSTUN(p, from)
	case classDTLS:
		d.mu.Lock()
		l := d.link
		if l == nil && from == d.addr && len(d.early) < 16 {
			d.early = append(d.early, bytes.Clone(p))
		}
		d.mu.Unlock()
		if l != nil {
			l.handlePacket(c, p, from)
		}
	case classRTP:
		d.mu.Lock()
		l := d.link
		d.mu.Unlock()
		if l == nil {
			d.m.demux.stats.Unkeyed.Add(1)
			return
		}
		l.handlePacket(c, p, from)
	default:
		d.m.demux.stats.Malformed.Add(1)
	}
}

func (d *liteDownstream) handleSTUN(p []byte, from netip.AddrPort) {
	if isSTUNResponse(p) {
		return // the client's answer to a nomination nudge
	}
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return
	}
	check, err := checkBinding(p, from, d.creds)
	for i := 0; err != nil && i < len(d.oldCreds); i++ {
		check, err = checkBinding(p, from, d.oldCreds[i])
	}
	if err != nil {
		d.mu.Unlock()
		d.m.demux.stats.BadSTUN.Add(1)
		return
	}
	if check.nominated || !d.addr.IsValid() {
		if from != d.addr {
			if d.addr.IsValid() {
				d.m.demux.unbindAddr(d.addr, d)
			}
			d.addr = from
			d.m.demux.bindAddr(from, d)
			if d.link != nil {
				d.link.setRemote(from)
			}
		}
		d.startLinkLocked()
	}
	var st webrtc.ICEConnectionState
	if from == d.addr {
		d.consent = time.Now()
		st = d.setStateLocked(webrtc.ICEConnectionStateConnected)
	}
	var nudge []byte
	if !check.nominated && !d.nominated && d.awaiting && len(d.unanswered) < maxUnanswered &&
		!slices.Contains(d.unanswered, from) {
		d.unanswered = append(d.unanswered, from)
	}
	if check.nominated {
		d.nominated = true
	} else if !d.nominated && d.remote.pwd != "" && d.m.filter.allows(from.Addr()) {
		nudge, _ = nominationNudge(d.creds, d.remote)
	}
	d.mu.Unlock()
	_, _ = d.m.demux.WriteToAddrPort(check.response, from)
	if nudge != nil {
		_, _ = d.m.demux.WriteToAddrPort(nudge, from)
	}
	d.report(st)
}

// setStateLocked records an ICE state and returns it when it changed (0
// otherwise), for report to call without the lock.
func (d *liteDownstream) setStateLocked(s webrtc.ICEConnectionState) webrtc.ICEConnectionState {
	if d.state == s {
		return 0
	}
	d.state = s
	return s
}

func (d *liteDownstream) report(s webrtc.ICEConnectionState) {
	if s != 0 && d.onICE != nil {
		d.onICE(s)
	}
}

// handleRTCP applies the client's feedback (on the shared reader's
// goroutine): keyframe requests go to the publisher (rate-limited there),
// NACKs are answered from the published track's shared cache, REMB
// estimates pause and resume the video (congestion.go), receiver reports
// are kept (ReceiverStats).
func (d *liteDownstream) handleRTCP(p []byte) {
	pkts, err := rtcp.Unmarshal(p)
	if err != nil {
		d.m.demux.stats.Malformed.Add(1)
		return
	}
	for _, pkt := range pkts {
		switch pkt := pkt.(type) {
		case *rtcp.PictureLossIndication:
			if dt := d.track(pkt.MediaSSRC); dt != nil {
				dt.source.RequestKeyframe()
			}
		case *rtcp.FullIntraRequest:
			for _, e := range pkt.FIR {
				if dt := d.track(e.SSRC); dt != nil {
					dt.source.RequestKeyframe()
				}
			}
			if dt := d.track(pkt.MediaSSRC); dt != nil {
				dt.source.RequestKeyframe()
			}
		case *rtcp.TransportLayerNack:
			if dt := d.track(pkt.MediaSSRC); dt != nil {
				dt.source.stats.NACKs.Add(1)
				dt.retransmit(pkt.Nacks)
			}
		case *rtcp.ReceiverReport:
			now := time.Now()
			for _, b := range pkt.Reports {
				if dt := d.track(b.SSRC); dt != nil {
					dt.noteReport(b, now)
				}
			}
		case *rtcp.ReceiverEstimatedMaximumBitrate:
			now := time.Now()
			d.mu.Lock()
			for _, ssrc := range pkt.SSRCs {
				if s := d.bySSRC[ssrc]; s != nil && d.bound[s] != nil && s.kind == protocol.MediaVideo {
					s.dt.cc.setEstimate(float64(pkt.Bitrate), now)
				}
			}
			d.mu.Unlock()
		}
	}
}

func (d *liteDownstream) track(ssrc uint32) *DownTrack {
	d.mu.Lock()
	defer d.mu.Unlock()
	if s := d.bySSRC[ssrc]; s != nil && d.bound[s] != nil {
		return s.dt
	}
	return nil
}

// tick runs on the media layer's clock: sender reports once per
// srInterval, and ICE consent (the client's checks) against the
// disconnected and failed timeouts.
func (d *liteDownstream) tick(now time.Time) {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return
	}
	var st webrtc.ICEConnectionState
	if !d.consent.IsZero() {
		switch since := now.Sub(d.consent); {
		case since > d.m.failedTimeout():
			st = d.setStateLocked(webrtc.ICEConnectionStateFailed)
		case since > d.m.cfg.DisconnectedTimeout && d.state == webrtc.ICEConnectionStateConnected:
			st = d.setStateLocked(webrtc.ICEConnectionStateDisconnected)
		}
	}
	for s := range d.bound {
		if s.kind != protocol.MediaVideo || !s.dt.cc.enabled.Load() {
			continue
		}
		switch s.dt.congestionTick(now) {
		case 1:
			s.dt.source.stats.CongestionPauses.Add(1)
		case -1:
			s.dt.source.stats.CongestionResumes.Add(1)
		}
	}
	var reports []rtcp.Packet
	l := d.link
	if d.linkUp && now.Sub(d.lastSR) >= srInterval {
		d.lastSR = now
		for s := range d.bound {
			if r := s.dt.senderReport(now); r != nil {
				reports = append(reports, r)
			}
		}
	}
	d.mu.Unlock()
	d.report(st)
	if len(reports) > 0 {
		if b, err := rtcp.Marshal(reports); err == nil {
			_ = l.WriteRTCP(b)
		}
	}
}

// Close detaches every track and ends the connection. Safe to call more
// than once.
func (d *liteDownstream) Close() error {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return nil
	}
	d.closed = true
	for _, s := range d.sections {
		if s.dt != nil {
			d.detachLocked(s)
		}
	}
	d.m.demux.removeUfrag(d.creds.ufrag, d)
	for _, c := range d.oldCreds {
		d.m.demux.removeUfrag(c.ufrag, d)
	}
	if d.addr.IsValid() {
		d.m.demux.unbindAddr(d.addr, d)
	}
	l := d.link
	st := d.setStateLocked(webrtc.ICEConnectionStateClosed)
	d.mu.Unlock()
	d.m.clock.remove(d)
	if l != nil {
		_ = l.Close()
	}
	d.report(st)
	return nil
}

// linkWriter is a DownTrack's writer on a Link.
type linkWriter struct{ l *Link }

func (w linkWriter) WriteRTP(h *rtp.Header, payload []byte) (int, error) {
	if err := w.l.WriteRTP(h, payload); err != nil {
		return 0, err
	}
	return len(payload), nil
}

func (w linkWriter) Write(b []byte) (int, error) {
	var p rtp.Packet
	if err := p.Unmarshal(b); err != nil {
		return 0, err
	}
	return w.WriteRTP(&p.Header, p.Payload)
}
