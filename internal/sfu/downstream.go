package sfu

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/cohost-rtc/cohost/protocol"
	"github.com/pion/rtcp"
	"github.com/pion/webrtc/v4"
)

// ErrNoOfferPending: an answer arrived while the server had no offer out.
var ErrNoOfferPending = errors.New("sfu: no downstream offer is waiting for an answer")

// pionDownstream is a subscriber's Pion peer connection: the server offers and sends.
// One goroutine owns it and applies queued operations (add, remove, answer,
// ICE restart) in order, then sends one offer covering all changes; it never
// sends a new offer before the previous one is answered.
type pionDownstream struct {
	pc        *webrtc.PeerConnection
	logger    *slog.Logger
	sendOffer func(protocol.OfferEvent)
	onFail    func(*DownTrack)
	timeout   time.Duration

	qmu    sync.Mutex // guards queue
	queue  []func()
	notify chan struct{}
	done   chan struct{}
	ended  chan struct{}

	closeOnce sync.Once

	// owned by the loop goroutine
	tracks    map[string]*DownTrack // by DownTrack.ID()
	dirty     bool
	restart   bool
	awaiting  bool
	offered   map[*DownTrack]bool // the tracks of the pending offer
	lastOffer protocol.OfferEvent
}

// newPionDownstream creates a subscriber peer connection.
func (m *Media) newPionDownstream(logger *slog.Logger, timeout time.Duration, sendOffer func(protocol.OfferEvent), onFail func(*DownTrack), onICE func(webrtc.ICEConnectionState)) (*pionDownstream, error) {
	pc, err := newPC(m.downAPI)
	if err != nil {
		return nil, err
	}
	if onICE != nil {
		pc.OnICEConnectionStateChange(onICE)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	d := &pionDownstream{pc: pc, logger: logger, sendOffer: sendOffer, onFail: onFail, timeout: timeout,
		notify: make(chan struct{}, 1), done: make(chan struct{}), ended: make(chan struct{}),
		tracks: map[string]*DownTrack{}}
	go d.loop()
	return d, nil
}

func (d *pionDownstream) enqueue(op func()) {
	d.qmu.Lock()
	d.queue = append(d.queue, op)
	d.qmu.Unlock()
	select {
	case d.notify <- struct{}{}:
	default:
	}
}

func (d *pionDownstream) loop() {
	defer close(d.ended)
	sr := time.NewTicker(srInterval)
	defer sr.Stop()
	for {
		select {
		case <-d.done:
			return
		case now := <-sr.C:
			d.sendReports(now)
			continue
		case <-d.notify:
		}
		d.qmu.Lock()
		ops := d.queue
		d.queue = nil
		d.qmu.Unlock()
		for _, op := range ops {
			op()
		}
		if d.dirty && !d.awaiting {
			d.offer()
		}
	}
}

// sendReports sends a sender report for every track that has sent media.
func (d *pionDownstream) sendReports(now time.Time) {
	var pkts []rtcp.Packet
	for _, dt := range d.tracks {
		if r := dt.senderReport(now); r != nil {
			pkts = append(pkts, r)
		}
	}
	if len(pkts) > 0 {
		_ = d.pc.WriteRTCP(pkts)
	}
}

// Add starts sending dt to the subscriber (after the next negotiation).
func (d *pionDownstream) Add(dt *DownTrack) {
	d.enqueue(func() {
		if _, ok := d.tracks[dt.ID()]; ok {
			return
		}
		sender, err := d.pc.AddTrack(dt)
		if err != nil {
			d.logger.Warn("downstream add track", "track", dt.ID(), "err", err)
			return
		}
		for _, tr := range d.pc.GetTransceivers() {
			if tr.Sender() == sender {
				if p, ok := CodecParameters(dt.Codec); ok {
					_ = tr.SetCodecPreferences([]webrtc.RTPCodecParameters{p})
				}
				dt.mu.Lock()
				dt.transceiver = tr
				dt.mu.Unlock()
			}
		}
		dt.mu.Lock()
		dt.sender = sender
		dt.rtcpDone = make(chan struct{})
		dt.mu.Unlock()
		go dt.readRTCP(sender)
		dt.source.AddDownTrack(dt)
		d.tracks[dt.ID()] = dt
		d.dirty = true
	})
}

// Remove stops sending dt.
func (d *pionDownstream) Remove(dt *DownTrack) {
	d.enqueue(func() {
		if d.tracks[dt.ID()] != dt {
			return
		}
		delete(d.tracks, dt.ID())
		d.detach(dt)
		d.dirty = true
	})
}

func (d *pionDownstream) detach(dt *DownTrack) {
	dt.source.RemoveDownTrack(dt)
	dt.mu.Lock()
	sender, done := dt.sender, dt.rtcpDone
	dt.mu.Unlock()
	if sender != nil {
		if err := d.pc.RemoveTrack(sender); err != nil {
			_ = sender.Stop()
		}
		<-done
	}
}

// RestartICE sends a new offer with fresh ICE credentials, after the
// client reconnected. When resendPending is set (a client that cannot have
// the lost events replayed), an offer still waiting for its answer is sent
// again first, as it may never have reached the client (Pion cannot roll a
// local offer back); the ICE-restart offer follows its answer.
func (d *pionDownstream) RestartICE(resendPending bool) {
	d.enqueue(func() {
		if d.awaiting && resendPending {
			d.sendOffer(d.lastOffer)
		}
		d.restart = true
		d.dirty = true
	})
}

// Answer applies the client's answer to the pending offer.
func (d *pionDownstream) Answer(sdp string) error {
	res := make(chan error, 1)
	d.enqueue(func() {
		if !d.awaiting {
			res <- ErrNoOfferPending
			return
		}
		if err := d.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: sdp}); err != nil {
			res <- fmt.Errorf("%w: %v", ErrBadSDP, err)
			return
		}
		d.awaiting = false
		res <- nil
		// A track of that offer which the answer did not accept was never bound.
		for id, dt := range d.tracks {
			if d.offered[dt] && dt.bound.Load() == nil {
				delete(d.tracks, id)
				d.detach(dt)
				d.dirty = true
				if d.onFail != nil {
					d.onFail(dt)
				}
			}
		}
	})
	select {
	case err := <-res:
		return err
	case <-d.done:
		return ErrClosed
	case <-time.After(d.timeout):
		return fmt.Errorf("sfu: answer not applied within %v", d.timeout)
	}
}

func (d *pionDownstream) offer() {
	opts := &webrtc.OfferOptions{ICERestart: d.restart}
	o, err := d.pc.CreateOffer(opts)
	if err != nil {
		d.logger.Warn("downstream create offer", "err", err)
		return
	}
	sdp, err := gatheredLocalDescription(d.pc, o, d.timeout)
	if err != nil {
		d.logger.Warn("downstream set offer", "err", err)
		return
	}
	ev := protocol.OfferEvent{SDP: sdp, Tracks: []protocol.SubTrack{}}
	d.offered = map[*DownTrack]bool{}
	for _, dt := range d.tracks {
		d.offered[dt] = true
		dt.mu.Lock()
		tr := dt.transceiver
		dt.mu.Unlock()
		if tr == nil {
			continue
		}
		ev.Tracks = append(ev.Tracks, protocol.SubTrack{MID: tr.Mid(), UID: dt.UID, MediaType: dt.MediaType, Codec: dt.Codec})
	}
	d.dirty, d.restart, d.awaiting = false, false, true
	d.lastOffer = ev
	d.sendOffer(ev)
}

// Close stops the loop, detaches every track and closes the connection.
// It is safe to call more than once.
func (d *pionDownstream) Close() error {
	var err error
	d.closeOnce.Do(func() {
		close(d.done)
		<-d.ended
		var waits []chan struct{}
		for id, dt := range d.tracks {
			dt.source.RemoveDownTrack(dt)
			dt.mu.Lock()
			if dt.rtcpDone != nil {
				waits = append(waits, dt.rtcpDone)
			}
			dt.mu.Unlock()
			delete(d.tracks, id)
		}
		err = d.pc.Close()
		for _, w := range waits {
			<-w
		}
	})
	return err
}
