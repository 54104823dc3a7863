package rtmsvc

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/coder/websocket"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"golang.org/x/time/rate"

	"github.com/cohost-rtc/cohost/internal/config"
	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/token"
)

// endReason says why a session ends.
type endReason int

const (
	endLogout endReason = iota
	endOffline
	endRemoteLogin
	endTokenExpired
	endShutdown
	endMoved // resumed on another node: nothing is announced or deleted
)

// session is a logged-in user on this node. Its fields are guarded by
// Service.mu unless noted.
type session struct {
	svc  *Service
	app  config.App
	user string
	key  string
	sid  string
	rev  uint64 // revision of this node's last write of the session record

	conn      *wsConn // nil while the client is disconnected
	ended     bool
	channels  map[string]string // channel key → channel id
	watching  map[string]bool   // user keys of presence subscriptions
	lastState map[string]protocol.RTMPeerOnlineState
	userSub   *nats.Subscription
	offlineT  *time.Timer
	warnT     *time.Timer
	expireT   *time.Timer
	acks      map[uint64]pendingAck
	nextDeliv uint64
	out       map[string]*outInvitation // by invitation id
	in        map[string]*inInvitation  // by caller + "/" + invitation id

	// Rate limiters (safe for concurrent use).
	lMessages, lRenew, lJoin, lGetMembers, lCount, lChW, lChR, lUW, lUR, lPQ, lPS, lInv *rate.Limiter
	joinSame                                                                            map[string]*rate.Limiter
}

type pendingAck struct {
	reply    string
	deadline time.Time
}

func (s *Service) newSession(app config.App, user, sid string) *session {
	r := s.rates
	return &session{
		svc: s, app: app, user: user, key: userKey(app.ID, user), sid: sid,
		channels: map[string]string{}, watching: map[string]bool{}, lastState: map[string]protocol.RTMPeerOnlineState{},
		acks: map[uint64]pendingAck{}, out: map[string]*outInvitation{}, in: map[string]*inInvitation{},
		lMessages: limiterOf(r.messages), lRenew: limiterOf(r.renew), lJoin: limiterOf(r.join),
		lGetMembers: limiterOf(r.getMembers), lCount: limiterOf(r.memberCount), lChW: limiterOf(r.chWrites),
		lChR: limiterOf(r.chReads), lUW: limiterOf(r.uWrites), lUR: limiterOf(r.uReads), lPQ: limiterOf(r.presenceQ),
		lPS: limiterOf(r.presenceS), lInv: limiterOf(r.invitations), joinSame: map[string]*rate.Limiter{},
	}
}

// pushLocked sends an event to the session's client, if connected.
func (se *session) pushLocked(typ protocol.Type, data []byte) {
	if se.conn != nil {
		se.conn.event(typ, data)
	}
}

func (se *session) pushPresenceLocked(user string, st protocol.RTMPeerOnlineState) {
	if last, ok := se.lastState[user]; ok && last == st {
		return
	}
	se.lastState[user] = st
	se.pushLocked(protocol.RTMEventPeersOnlineStatus, mustJSON(protocol.RTMPeersOnlineStatusEvent{
		Statuses: map[string]protocol.RTMPeerOnlineState{user: st}}))
}

func (se *session) stopTimersLocked() {
	for _, t := range []*time.Timer{se.offlineT, se.warnT, se.expireT} {
		if t != nil {
			t.Stop()
		}
	}
	for _, inv := range se.out {
		inv.timer.Stop()
	}
	for _, inv := range se.in {
		inv.timer.Stop()
	}
}

// checkToken verifies an RTM token for user and returns when its login
// privilege expires (zero: never).
func (s *Service) checkToken(app config.App, tok, user string) (time.Time, *protocol.Error) {
	if app.TestingMode() {
		return time.Time{}, nil
	}
	if tok == "" {
		return time.Time{}, protocol.NewRTMError(protocol.RTMLoginInvalidToken, "app %s has an App Certificate: a token is required", app.ID)
	}
	now := time.Now()
	at, err := token.Check(tok, app.ID, app.Certificate, now)
	if err != nil {
		if errors.Is(err, token.ErrExpired) {
			return time.Time{}, protocol.NewRTMError(protocol.RTMLoginTokenExpired, "token expired: %v", err)
		}
		return time.Time{}, protocol.NewRTMError(protocol.RTMLoginInvalidToken, "token rejected: %v", err)
	}
	if _, ok := at.Service(token.ServiceRTM); !ok {
		return time.Time{}, protocol.NewRTMError(protocol.RTMLoginInvalidToken, "token has no RTM service")
	}
	privs, err := at.RTMPrivileges(user)
	if err != nil {
		return time.Time{}, protocol.NewRTMError(protocol.RTMLoginInvalidToken, "token not valid for user id %q: %v", user, err)
	}
	if err := token.CheckPrivilege(privs, token.PrivLogin, now); err != nil {
		if errors.Is(err, token.ErrPrivilegeExpired) {
			return time.Time{}, protocol.NewRTMError(protocol.RTMLoginTokenExpired, "login privilege expired: %v", err)
		}
		return time.Time{}, protocol.NewRTMError(protocol.RTMLoginNotAuthorized, "token has no RTM login privilege")
	}
	return privs[token.PrivLogin], nil
}

func (s *Service) handleLogin(c *wsConn, id uint64, data json.RawMessage) {
	fail := func(e *protocol.Error) { c.reply(id, nil, e) }
	if !c.login.Allow() {
		fail(protocol.NewRTMError(protocol.RTMLoginTooOften, "more than %s logins", s.cfg.Rates.Login))
		return
	}
	var req protocol.RTMLoginRequest
	if err := json.Unmarshal(data, &req); err != nil {
		fail(protocol.NewRTMError(protocol.RTMLoginInvalidArgument, "login: %v", err))
		return
	}
	if req.Version != protocol.RTMVersion {
		fail(protocol.NewRTMError(protocol.RTMLoginRejected, "protocol version %d is not supported; this server speaks %d", req.Version, protocol.RTMVersion))
		return
	}
	s.mu.Lock()
	already := c.sess != nil
	s.mu.Unlock()
	if already {
		fail(protocol.NewRTMError(protocol.RTMLoginAlreadyLoggedIn, "this connection is logged in; log out first"))
		return
	}
	app, ok := s.apps[req.AppID]
	if !ok {
		fail(protocol.NewRTMError(protocol.RTMLoginInvalidAppID, "unknown app id %q", req.AppID))
		return
	}
	if err := protocol.ValidateRTMUserID(req.UserID); err != nil {
		fail(protocol.NewRTMError(protocol.RTMLoginInvalidArgument, "%v", err))
		return
	}
	exp, perr := s.checkToken(app, req.Token, req.UserID)
	if perr != nil {
		fail(perr)
		return
	}
	key := userKey(app.ID, req.UserID)
	ctx, cancel := context.WithTimeout(s.ctx, 10*time.Second)
	defer cancel()

	// The same client coming back to this node.
	s.mu.Lock()
	if se := s.sessions[key]; se != nil && !se.ended && req.SessionID != "" && se.sid == req.SessionID {
		old := se.conn
		se.conn, c.sess = c, se
		if se.offlineT != nil {
			se.offlineT.Stop()
		}
		rev := se.rev
		s.mu.Unlock()
		if old != nil {
			old.kill()
		}
		s.setReachable(ctx, se, rev, false)
		s.loggedIn(c, id, se, exp, req.Token, true)
		return
	}
	prev := s.sessions[key]
	s.mu.Unlock()
	if prev != nil {
		s.endSession(prev, endRemoteLogin)
	}

	sid, resumed := randomID(12), false
	rec := sessRec{Node: s.node, Since: nowMs()}
	var rev uint64
	var err error
	if e, gerr := s.kvSessions.Get(ctx, key); gerr == nil && req.SessionID != "" {
		var cur sessRec
		if json.Unmarshal(e.Value(), &cur) == nil && cur.SID == req.SessionID {
			// The client's session lives on another node: take it over.
			rec.SID = cur.SID
			if rev, err = s.kvSessions.Update(ctx, key, mustJSON(rec), e.Revision()); err == nil {
				sid, resumed = cur.SID, true
			}
		}
	}
	se := s.newSession(app, req.UserID, sid)
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		fail(protocol.NewRTMError(protocol.RTMLoginRejected, "server shutting down"))
		return
	}
	s.sessions[key] = se
	se.conn, c.sess = c, se
	s.mu.Unlock()
	if !resumed {
		rec.SID = sid
		rev, err = s.kvSessions.Put(ctx, key, mustJSON(rec))
	}
	if err == nil {
		se.userSub, err = s.nc.Subscribe(userSubject(key), func(m *nats.Msg) { s.onUserMsg(se, m) })
		if err == nil {
			err = s.nc.Flush()
		}
	}
	if err != nil {
		s.log.Warn("RTM login failed", "err", err)
		s.mu.Lock()
		c.sess = nil
		s.mu.Unlock()
		s.endSession(se, endShutdown)
		fail(protocol.NewRTMError(protocol.RTMLoginUnknown, "login failed: %v", err))
		return
	}
	s.mu.Lock()
	se.rev = max(se.rev, rev)
	s.mu.Unlock()
	s.waitMirror(false, rev)
	s.loggedIn(c, id, se, exp, req.Token, resumed)
}

// loggedIn answers a successful login, arms the token timers and delivers
// the offline messages.
func (s *Service) loggedIn(c *wsConn, id uint64, se *session, exp time.Time, tok string, resumed bool) {
	resp := protocol.RTMLoginResponse{UserID: se.user, SessionID: se.sid, Resumed: resumed, ServerTimeMs: nowMs(),
		KeepAliveMs: s.cfg.Timers.KeepAlive.Milliseconds(), Node: s.node}
	if !exp.IsZero() {
		resp.TokenExpiresAtMs = exp.UnixMilli()
	}
	c.reply(id, resp, nil)
	s.armToken(se, exp)
	s.deliverOffline(se)
}

// armToken schedules the token warning and expiry of a session.
func (s *Service) armToken(se *session, exp time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range []*time.Timer{se.warnT, se.expireT} {
		if t != nil {
			t.Stop()
		}
	}
	se.warnT, se.expireT = nil, nil
	if exp.IsZero() || se.ended {
		return
	}
	left := time.Until(exp)
	se.warnT = time.AfterFunc(max(left-s.warn, 0), func() {
		s.mu.Lock()
		se.pushLocked(protocol.RTMEventTokenWillExpire, mustJSON(protocol.RTMTokenEvent{ExpiresAtMs: exp.UnixMilli()}))
		s.mu.Unlock()
	})
	se.expireT = time.AfterFunc(left, func() { s.endSession(se, endTokenExpired) })
}

// setReachable records whether the session's client is connected.
func (s *Service) setReachable(ctx context.Context, se *session, rev uint64, unreachable bool) {
	rec := sessRec{Node: s.node, SID: se.sid, Unreachable: unreachable, Since: nowMs()}
	nrev, err := s.kvSessions.Update(ctx, se.key, mustJSON(rec), rev)
	if err != nil {
		return // another login or node owns the record now
	}
	s.mu.Lock()
	se.rev = max(se.rev, nrev)
	s.mu.Unlock()
}

// detach is called when a connection ends: its session stays for
// rtm.timers.offline, UNREACHABLE, waiting for the client to come back.
func (s *Service) detach(c *wsConn) {
	s.mu.Lock()
	se := c.sess
	if se == nil || se.conn != c || se.ended || s.closed {
		s.mu.Unlock()
		return
	}
	se.conn = nil
	se.acks = map[uint64]pendingAck{}
	rev := se.rev
	se.offlineT = time.AfterFunc(s.cfg.Timers.Offline, func() { s.endSession(se, endOffline) })
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(s.ctx, 5*time.Second)
	defer cancel()
	s.setReachable(ctx, se, rev, true)
}

// endSession ends a local session: the user leaves its channels, its user
// attributes are deleted and it goes OFFLINE (except endMoved).
func (s *Service) endSession(se *session, why endReason) {
	s.mu.Lock()
	if se.ended {
		s.mu.Unlock()
		return
	}
	se.ended = true
	se.stopTimersLocked()
	conn := se.conn
	se.conn = nil
	if s.sessions[se.key] == se {
		delete(s.sessions, se.key)
	}
	for ckey := range se.channels {
		s.removeLocalMemberLocked(ckey, se)
	}
	for ukey := range se.watching {
		s.unwatchLocked(se, ukey)
	}
	sub := se.userSub
	se.userSub = nil
	rev := se.rev
	s.mu.Unlock()
	if sub != nil {
		_ = sub.Unsubscribe()
	}
	if conn != nil {
		var ev *protocol.RTMDisconnectEvent
		switch why {
		case endRemoteLogin:
			ev = &protocol.RTMDisconnectEvent{State: protocol.RTMStateAborted, Reason: protocol.RTMReasonRemoteLogin, Message: "the same user id logged in elsewhere"}
		case endTokenExpired:
			ev = &protocol.RTMDisconnectEvent{State: protocol.RTMStateAborted, Reason: protocol.RTMReasonTokenExpired, Message: "the login privilege expired"}
		case endShutdown:
			ev = &protocol.RTMDisconnectEvent{State: protocol.RTMStateReconnecting, Reason: protocol.RTMReasonServerShutdown, Message: "the server is shutting down"}
		}
		if ev != nil {
			conn.event(protocol.RTMEventDisconnect, mustJSON(ev))
		}
		conn.close(websocket.StatusNormalClosure, "session ended")
	}
	if why == endMoved {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s.removeSessionState(ctx, se.key, se.sid)
	_ = s.kvSessions.Delete(ctx, se.key, jetstream.LastRevision(rev))
}

func (s *Service) handleLogout(c *wsConn, se *session, id uint64) {
	c.reply(id, struct{}{}, nil)
	s.endSession(se, endLogout)
	c.close(websocket.StatusNormalClosure, "logged out")
}

func (s *Service) handleRenewToken(c *wsConn, se *session, id uint64, data json.RawMessage) {
	var req protocol.RTMRenewTokenRequest
	if err := json.Unmarshal(data, &req); err != nil || req.Token == "" {
		c.reply(id, nil, protocol.NewRTMError(protocol.RTMRenewTokenInvalidArgument, "renew-token needs a token"))
		return
	}
	if !se.lRenew.Allow() {
		c.reply(id, nil, protocol.NewRTMError(protocol.RTMRenewTokenTooOften, "more than %s renewals", s.cfg.Rates.RenewToken))
		return
	}
	exp, perr := s.checkToken(se.app, req.Token, se.user)
	if perr != nil {
		code := protocol.RTMRenewTokenInvalidToken
		if perr.Code == protocol.ErrorCode(protocol.RTMLoginTokenExpired) {
			code = protocol.RTMRenewTokenTokenExpired
		}
		c.reply(id, nil, protocol.NewRTMError(code, "%s", perr.Message))
		return
	}
	s.armToken(se, exp)
	c.reply(id, struct{}{}, nil)
}
