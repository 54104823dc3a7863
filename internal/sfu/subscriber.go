package sfu

import (
	"log/slog"
	"time"

	"github.com/cohost-rtc/cohost/protocol"
	"github.com/pion/webrtc/v4"
)

// Downstream is a subscriber's connection: the server offers and sends.
// Changes (add, remove, ICE restart) are applied in order, and one offer
// covers all changes made while the previous offer waited for its answer.
// It runs on the fan-out transport (liteDownstream: ICE-lite, DTLS-SRTP
// on the shared reader, no goroutine once connected) unless the media
// layer was configured with PionDownstream, when it is a Pion
// PeerConnection (pionDownstream).
type Downstream struct {
	pion *pionDownstream
	lite *liteDownstream
}

// NewDownstream creates a subscriber connection. sendOffer delivers an
// offer to the client; onFail (may be nil) learns of tracks the client's
// answer refused, which are removed; onICE (may be nil) observes ICE
// state. timeout bounds how long Answer waits to be applied.
func (m *Media) NewDownstream(logger *slog.Logger, timeout time.Duration, sendOffer func(protocol.OfferEvent), onFail func(*DownTrack), onICE func(webrtc.ICEConnectionState)) (*Downstream, error) {
	if m.cfg.PionDownstream {
		d, err := m.newPionDownstream(logger, timeout, sendOffer, onFail, onICE)
		if err != nil {
			return nil, err
		}
		return &Downstream{pion: d}, nil
	}
	return &Downstream{lite: m.newLiteDownstream(logger, sendOffer, onFail, onICE)}, nil
}

// Add starts sending dt to the subscriber (after the next negotiation).
func (d *Downstream) Add(dt *DownTrack) {
	if d.lite != nil {
		d.lite.Add(dt)
		return
	}
	d.pion.Add(dt)
}

// Remove stops sending dt.
func (d *Downstream) Remove(dt *DownTrack) {
	if d.lite != nil {
		d.lite.Remove(dt)
		return
	}
	d.pion.Remove(dt)
}

// RestartICE sends a new offer with fresh ICE credentials, after the
// client reconnected. When resendPending is set (a client that cannot have
// the lost events replayed), an offer still waiting for its answer is sent
// again first, as it may never have reached the client; the ICE-restart
// offer follows its answer.
func (d *Downstream) RestartICE(resendPending bool) {
	if d.lite != nil {
		d.lite.RestartICE(resendPending)
		return
	}
	d.pion.RestartICE(resendPending)
}

// Answer applies the client's answer to the pending offer.
func (d *Downstream) Answer(sdp string) error {
	if d.lite != nil {
		return d.lite.Answer(sdp)
	}
	return d.pion.Answer(sdp)
}

// Close detaches every track and closes the connection. It is safe to
// call more than once.
func (d *Downstream) Close() error {
	if d.lite != nil {
		return d.lite.Close()
	}
	return d.pion.Close()
}
