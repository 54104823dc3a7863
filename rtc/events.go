package rtc

import (
	"encoding/json"
	"time"

	"github.com/cohost-rtc/cohost/protocol"
)

// onEvent handles one server event. It runs on the reader goroutine of c,
// in wire order, and must not block: state changes happen under e.mu,
// handler calls are queued, peer-connection work goes to the session's
// queues.
func (e *Engine) onEvent(sess *session, c *signalConn, env *protocol.Envelope) {
	if env.Seq != 0 {
		// After a resume the server resends events the broken connection
		// may have lost; skip those already handled.
		e.mu.Lock()
		skip := !e.currentLocked(sess, c) || env.Seq <= sess.lastSeq
		if !skip {
			sess.lastSeq = env.Seq
		}
		e.mu.Unlock()
		if skip {
			return
		}
	}
	switch env.Type {
	case protocol.EventUserJoined:
		decodeThen(e, env, func(ev protocol.UserJoinedEvent) { e.onUserJoined(sess, c, ev) })
	case protocol.EventUserLeft:
		decodeThen(e, env, func(ev protocol.UserLeftEvent) { e.onUserLeft(sess, c, ev) })
	case protocol.EventUserPublished:
		decodeThen(e, env, func(ev protocol.UserPublishedEvent) { e.onUserPublished(sess, c, ev) })
	case protocol.EventUserUnpublished:
		decodeThen(e, env, func(ev protocol.UserPublishedEvent) { e.onUserUnpublished(sess, c, ev) })
	case protocol.EventUserMuted:
		decodeThen(e, env, func(ev protocol.UserMutedEvent) { e.onUserMuted(sess, c, ev) })
	case protocol.EventRoleChanged:
		decodeThen(e, env, func(ev protocol.RoleChangedEvent) {
			e.mu.Lock()
			if e.currentLocked(sess, c) {
				e.roleChangedLocked(sess, ev.Old, ev.New)
			}
			e.mu.Unlock()
		})
	case protocol.EventTokenWillExpire, protocol.EventTokenExpired:
		decodeThen(e, env, func(ev protocol.TokenExpiryEvent) { e.onTokenExpiry(sess, c, env.Type, ev) })
	case protocol.EventPublishRevoked:
		decodeThen(e, env, func(ev protocol.PublishRevokedEvent) { e.onPublishRevoked(sess, c, ev) })
	case protocol.EventOffer:
		decodeThen(e, env, func(ev protocol.OfferEvent) {
			e.mu.Lock()
			if e.currentLocked(sess, c) {
				sess.sub.offer(ev, c)
			}
			e.mu.Unlock()
		})
	case protocol.EventSubscriptionFailed:
		decodeThen(e, env, func(ev protocol.SubscriptionFailedEvent) { e.onSubscriptionFailed(sess, c, ev) })
	case protocol.EventRelayState:
		decodeThen(e, env, func(ev protocol.RelayStateEvent) { e.onRelayState(sess, c, ev) })
	case protocol.EventRelayEvent:
		decodeThen(e, env, func(ev protocol.RelayEventEvent) { e.onRelayEvent(sess, c, ev) })
	case protocol.EventDisconnect:
		decodeThen(e, env, func(ev protocol.DisconnectEvent) { e.onDisconnect(sess, c, ev) })
	default:
		e.log.Debug("ignoring unknown event", "type", env.Type)
	}
}

// decodeThen decodes env's payload as T and passes it to f; an undecodable
// event is logged and dropped.
func decodeThen[T any](e *Engine, env *protocol.Envelope, f func(T)) {
	var ev T
	if e.decode(env, &ev) {
		f(ev)
	}
}

func (e *Engine) decode(env *protocol.Envelope, v any) bool {
	if err := json.Unmarshal(env.Data, v); err != nil {
		e.log.Warn("ignoring undecodable event", "type", env.Type, "err", err)
		return false
	}
	return true
}

func (e *Engine) onUserJoined(sess *session, c *signalConn, ev protocol.UserJoinedEvent) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.currentLocked(sess, c) {
		return
	}
	if _, ok := sess.remote[ev.UID]; ok {
		// Already known (re-announced after a resume, or back after
		// the session moved to another node).
		delete(sess.away, ev.UID)
		return
	}
	sess.remote[ev.UID] = ev.Account
	uid, elapsed := ev.UID, time.Since(sess.joinStart)
	e.emit(func(h EventHandler) { h.OnUserJoined(uid, elapsed) })
}

func (e *Engine) onUserLeft(sess *session, c *signalConn, ev protocol.UserLeftEvent) {
	e.mu.Lock()
	if !e.currentLocked(sess, c) {
		e.mu.Unlock()
		return
	}
	delete(sess.remote, ev.UID)
	var ended []*subscription
	for key, sub := range sess.subs {
		if key.uid == ev.UID {
			ended = append(ended, sub)
			e.removeSubLocked(sess, sub)
		}
	}
	uid, reason := ev.UID, ev.Reason
	e.emit(func(h EventHandler) { h.OnUserOffline(uid, reason) })
	e.mu.Unlock()
	for _, sub := range ended {
		sub.end(ErrSubscriptionEnded)
	}
}

func (e *Engine) onUserPublished(sess *session, c *signalConn, ev protocol.UserPublishedEvent) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.currentLocked(sess, c) || !ev.MediaType.Valid() {
		return
	}
	uid, mt := ev.UID, ev.MediaType
	if sub := sess.subs[subKey{uid, mt}]; sub != nil && sub.stale {
		// The session moved to another node: the track is back, and
		// the subscription is renewed there without a new callback.
		sub.stale = false
		e.goLocked(func() { e.autoSubscribe(sess, sub) })
		return
	}
	e.emit(func(h EventHandler) { h.OnUserPublished(uid, mt) })
	auto := (mt == protocol.MediaAudio && e.cfg.AutoSubscribeAudio) ||
		(mt == protocol.MediaVideo && e.cfg.AutoSubscribeVideo)
	if auto && sess.subs[subKey{uid, mt}] == nil {
		sub := e.addSubLocked(sess, uid, mt)
		e.goLocked(func() { e.autoSubscribe(sess, sub) })
	}
}

func (e *Engine) onUserUnpublished(sess *session, c *signalConn, ev protocol.UserPublishedEvent) {
	e.mu.Lock()
	if !e.currentLocked(sess, c) {
		e.mu.Unlock()
		return
	}
	sub := sess.subs[subKey{ev.UID, ev.MediaType}]
	if sub != nil {
		e.removeSubLocked(sess, sub)
	}
	uid, mt := ev.UID, ev.MediaType
	e.emit(func(h EventHandler) { h.OnUserUnpublished(uid, mt) })
	e.mu.Unlock()
	if sub != nil {
		sub.end(ErrSubscriptionEnded)
	}
}

func (e *Engine) onUserMuted(sess *session, c *signalConn, ev protocol.UserMutedEvent) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.currentLocked(sess, c) {
		return
	}
	uid, muted := ev.UID, ev.Muted
	switch ev.MediaType {
	case protocol.MediaAudio:
		e.emit(func(h EventHandler) { h.OnUserMuteAudio(uid, muted) })
	case protocol.MediaVideo:
		e.emit(func(h EventHandler) { h.OnUserMuteVideo(uid, muted) })
	}
}

func (e *Engine) onTokenExpiry(sess *session, c *signalConn, typ protocol.Type, ev protocol.TokenExpiryEvent) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.currentLocked(sess, c) {
		return
	}
	if ev.Relay != "" {
		// A channel media relay token: its warning names that token (renew
		// it with UpdateChannelMediaRelay); its expiry ends the relay, which
		// OnChannelMediaRelayStateChanged reports.
		if typ == protocol.EventTokenWillExpire {
			token := e.relayTokenLocked(ev.Relay, ev.Channel)
			e.emit(func(h EventHandler) { h.OnTokenPrivilegeWillExpire(token) })
		}
		return
	}
	if typ == protocol.EventTokenExpired {
		e.emit(func(h EventHandler) { h.OnRequestToken() })
		return
	}
	token := sess.token
	e.emit(func(h EventHandler) { h.OnTokenPrivilegeWillExpire(token) })
}

func (e *Engine) onPublishRevoked(sess *session, c *signalConn, ev protocol.PublishRevokedEvent) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.currentLocked(sess, c) {
		return
	}
	sess.pub.drop(ev.MediaTypes)
	reason := ev.Reason
	for _, mt := range ev.MediaTypes {
		e.emit(func(h EventHandler) { h.OnLocalPublishRevoked(mt, reason) })
	}
}

func (e *Engine) onSubscriptionFailed(sess *session, c *signalConn, ev protocol.SubscriptionFailedEvent) {
	e.mu.Lock()
	if !e.currentLocked(sess, c) {
		e.mu.Unlock()
		return
	}
	var err error = ErrSubscriptionEnded
	if ev.Error != nil {
		err = ev.Error
	}
	sub := sess.subs[subKey{ev.UID, ev.MediaType}]
	if sub != nil {
		e.removeSubLocked(sess, sub)
	}
	uid, mt := ev.UID, ev.MediaType
	e.emit(func(h EventHandler) { h.OnSubscriptionFailed(uid, mt, err) })
	e.mu.Unlock()
	if sub != nil {
		sub.end(err)
	}
}

// onDisconnect: the server ends the session and closes the connection next.
func (e *Engine) onDisconnect(sess *session, c *signalConn, ev protocol.DisconnectEvent) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.currentLocked(sess, c) {
		return
	}
	if ev.Reason == protocol.ReasonServerShutdown && sess.joined && (len(sess.nodes) > 1 || len(e.cfg.signalURLs) > 1) {
		// The node stops or drains and the cluster has others: move to
		// one of them, as when a node dies, without waiting for it.
		e.log.Info("the node is stopping: moving to another node", "message", ev.Message)
		sess.conn = nil
		sess.homeStopped = true
		sess.ready = make(chan struct{})
		sess.lostAt = time.Now()
		drop := time.Duration(sess.info.DropTimeoutMs) * time.Millisecond
		if drop <= 0 {
			drop = defaultDropTimeout
		}
		deadline := sess.lostAt.Add(drop)
		e.setStateLocked(protocol.ConnReconnecting, protocol.ReasonInterrupted)
		e.goLocked(func() { e.resume(sess, deadline) })
		return
	}
	e.log.Warn("server ended the session", "reason", ev.Reason, "message", ev.Message)
	sess.leaving = true // no resume, no more events
	e.setStateLocked(protocol.ConnFailed, ev.Reason)
	e.goLocked(func() { e.endSession(sess, protocol.ConnFailed, ev.Reason) })
}
