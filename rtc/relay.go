package rtc

import (
	"context"
	"fmt"

	"github.com/cohost-rtc/cohost/protocol"
)

// ChannelMediaInfo names one end of a channel media relay, as Agora's
// ChannelMediaInfo: a channel, a token for it, and a uid.
type ChannelMediaInfo struct {
	ChannelName string
	Token       string
	// UID: for the source, 0 or the host's own uid; for a destination, the
	// uid the relayed host appears as there (0: the server assigns one).
	UID protocol.UID
}

// ChannelMediaRelayConfiguration is the configuration of a channel media
// relay: one source (the caller's channel) and up to four destinations (the
// server's limit, maxRelayDestinations, decides).
type ChannelMediaRelayConfiguration struct {
	src   ChannelMediaInfo
	dests []ChannelMediaInfo
}

// NewChannelMediaRelayConfiguration returns an empty configuration.
func NewChannelMediaRelayConfiguration() *ChannelMediaRelayConfiguration {
	return &ChannelMediaRelayConfiguration{}
}

// SetSrcChannelInfo sets the source. An empty channel name means the
// caller's channel; the token must be valid for (source channel, uid).
func (c *ChannelMediaRelayConfiguration) SetSrcChannelInfo(info ChannelMediaInfo) { c.src = info }

// AddDestChannelInfo adds a destination, or replaces the one with the same
// channel name (Agora Web naming).
func (c *ChannelMediaRelayConfiguration) AddDestChannelInfo(info ChannelMediaInfo) {
	for i := range c.dests {
		if c.dests[i].ChannelName == info.ChannelName {
			c.dests[i] = info
			return
		}
	}
	c.dests = append(c.dests, info)
}

// SetDestChannelInfo sets the destination for channelName (Agora native
// naming).
func (c *ChannelMediaRelayConfiguration) SetDestChannelInfo(channelName string, info ChannelMediaInfo) {
	info.ChannelName = channelName
	c.AddDestChannelInfo(info)
}

// RemoveDestChannelInfo removes the destination for channelName.
func (c *ChannelMediaRelayConfiguration) RemoveDestChannelInfo(channelName string) {
	for i := range c.dests {
		if c.dests[i].ChannelName == channelName {
			c.dests = append(c.dests[:i], c.dests[i+1:]...)
			return
		}
	}
}

// DestChannelInfos returns the destinations.
func (c *ChannelMediaRelayConfiguration) DestChannelInfos() []ChannelMediaInfo {
	return append([]ChannelMediaInfo(nil), c.dests...)
}

func (c *ChannelMediaRelayConfiguration) request() protocol.RelayRequest {
	req := protocol.RelayRequest{Src: protocol.ChannelMediaInfo{ChannelName: protocol.ChannelName(c.src.ChannelName), Token: c.src.Token, UID: c.src.UID}}
	for _, d := range c.dests {
		req.Dests = append(req.Dests, protocol.ChannelMediaInfo{ChannelName: protocol.ChannelName(d.ChannelName), Token: d.Token, UID: d.UID})
	}
	return req
}

// StartChannelMediaRelay relays the host's published audio and video into
// the destination channels. It returns once the relay runs, after the
// handler's OnChannelMediaRelayStateChanged(RUNNING) has returned, or with
// the server's typed error, after the FAILURE callback if the server sent
// one: ErrRefused (audience, nothing published), ErrInvalidArgument (rule
// broken), ErrInvalidState (already running), ErrTooOften (more than one
// start or update per second), ErrRelayFailedJoinSrc / ErrRelayFailedJoinDest
// (a token or uid refused; the state callback names the channel).
//
// Every relay call returns only after the callbacks the server sent before
// answering it have run (an update's, a pause's or a resume's
// OnChannelMediaRelayEvent, a stop's IDLE); if ctx ends while they wait,
// it returns ctx.Err(). Called from an EventHandler method it returns
// without waiting: those callbacks run after the method returns.
func (e *Engine) StartChannelMediaRelay(ctx context.Context, cfg *ChannelMediaRelayConfiguration) error {
	return e.relayRequest(ctx, protocol.TypeRelayStart, cfg)
}

// UpdateChannelMediaRelay replaces the destination set: channels no longer
// listed stop receiving, new ones start, the others are not interrupted.
// Giving the same destinations with fresh tokens renews the tokens.
func (e *Engine) UpdateChannelMediaRelay(ctx context.Context, cfg *ChannelMediaRelayConfiguration) error {
	return e.relayRequest(ctx, protocol.TypeRelayUpdate, cfg)
}

// StartOrUpdateChannelMediaRelay starts the relay, or updates it when it
// runs.
func (e *Engine) StartOrUpdateChannelMediaRelay(ctx context.Context, cfg *ChannelMediaRelayConfiguration) error {
	return e.relayRequest(ctx, protocol.TypeRelayStartOrUpdate, cfg)
}

// StopChannelMediaRelay stops the relay: destination channels see the
// relayed host leave; the state goes to IDLE with RELAY_OK.
func (e *Engine) StopChannelMediaRelay(ctx context.Context) error {
	return e.relayRequest(ctx, protocol.TypeRelayStop, nil)
}

// PauseAllChannelMediaRelay stops sending to every destination without
// leaving them.
func (e *Engine) PauseAllChannelMediaRelay(ctx context.Context) error {
	return e.relayRequest(ctx, protocol.TypeRelayPause, nil)
}

// ResumeAllChannelMediaRelay sends to every destination again; their
// subscribers see continuous sequence numbers and timestamps.
func (e *Engine) ResumeAllChannelMediaRelay(ctx context.Context) error {
	return e.relayRequest(ctx, protocol.TypeRelayResume, nil)
}

func (e *Engine) relayRequest(ctx context.Context, typ protocol.Type, cfg *ChannelMediaRelayConfiguration) error {
	var payload any
	if cfg != nil {
		payload = cfg.request()
	}
	sess, err := e.session()
	if err != nil {
		return err
	}
	_, err = e.request(ctx, sess, typ, payload, nil)
	if err == nil {
		e.mu.Lock()
		if cfg != nil {
			e.relay = cfg.request()
		}
		switch typ {
		case protocol.TypeRelayStart, protocol.TypeRelayResume:
			sess.relayPaused = false
		case protocol.TypeRelayPause:
			sess.relayPaused = true
		}
		e.mu.Unlock()
	}
	return e.afterCallbacks(ctx, err)
}

// continueRelayLocked starts the session's relay again after a move to
// another node, where it did not run: RELAY_EVENT_NETWORK_DISCONNECTED
// now, then the server's RELAY_EVENT_NETWORK_CONNECTED for each
// destination once joined there (after the tracks are published again).
// A refusal ends it with FAILURE (SERVER_CONNECTION_LOST). Caller holds
// e.mu.
func (e *Engine) continueRelayLocked(sess *session) {
	if !sess.relayOn {
		return
	}
	req := e.relay
	req.Rejoin, req.Paused = true, sess.relayPaused
	e.emit(func(h EventHandler) { h.OnChannelMediaRelayEvent(protocol.RelayEventNetworkDisconnected, "") })
	sess.pub.q.Push(func() {
		ctx, cancel := context.WithTimeout(sess.ctx, e.cfg.RequestTimeout)
		defer cancel()
		_, err := e.request(ctx, sess, protocol.TypeRelayStart, req, nil)
		if err == nil || sess.ctx.Err() != nil {
			return
		}
		e.log.Warn("channel media relay not continued after a move", "err", err)
		e.mu.Lock()
		defer e.mu.Unlock()
		if e.sess != sess || !sess.relayOn {
			return
		}
		sess.relayOn = false
		e.emit(func(h EventHandler) {
			h.OnChannelMediaRelayStateChanged(protocol.RelayStateFailure, protocol.RelayErrServerConnectionLost, "")
		})
		e.emit(func(h EventHandler) {
			h.OnError(fmt.Errorf("rtc: continue the channel media relay on the new node: %w", err))
		})
	})
}

// relayTokenLocked returns the relay token a token event concerns: the
// source token ("src") or the destination token of channel ("dest").
func (e *Engine) relayTokenLocked(kind string, channel protocol.ChannelName) string {
	if kind == "src" {
		return e.relay.Src.Token
	}
	for _, d := range e.relay.Dests {
		if d.ChannelName == channel {
			return d.Token
		}
	}
	return ""
}

func (e *Engine) onRelayState(sess *session, c *signalConn, ev protocol.RelayStateEvent) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.currentLocked(sess, c) {
		return
	}
	switch ev.State {
	case protocol.RelayStateRunning:
		sess.relayOn = true
	case protocol.RelayStateIdle, protocol.RelayStateFailure:
		sess.relayOn, sess.relayPaused = false, false
	}
	e.emit(func(h EventHandler) { h.OnChannelMediaRelayStateChanged(ev.State, ev.Code, string(ev.Channel)) })
}

func (e *Engine) onRelayEvent(sess *session, c *signalConn, ev protocol.RelayEventEvent) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.currentLocked(sess, c) {
		return
	}
	e.emit(func(h EventHandler) { h.OnChannelMediaRelayEvent(ev.Event, string(ev.Channel)) })
}

// SetRemoteClientRole changes another user's role (a cohost extension).
// The caller's token must carry the administrate-channel privilege for the
// channel (token.BuildRTCAdmin, `cohost token rtc --admin`), else
// ErrSetClientRoleNotAuth. The change is enforced by the server at once: a
// demoted host stops publishing and others see it leave with
// BECOME_AUDIENCE; a promoted user may publish until it leaves or is
// demoted. The target gets OnClientRoleChanged.
func (e *Engine) SetRemoteClientRole(ctx context.Context, uid protocol.UID, role protocol.ClientRole) error {
	if !role.Valid() {
		return invalidArgument("unknown client role %v", role)
	}
	sess, err := e.session()
	if err != nil {
		return err
	}
	_, err = e.request(ctx, sess, protocol.TypeSetRemoteRole, protocol.SetRemoteRoleRequest{UID: uid, Role: role}, nil)
	return err
}
