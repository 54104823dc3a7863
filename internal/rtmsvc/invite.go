package rtmsvc

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/cohost-rtc/cohost/protocol"
)

// outInvitation is a call invitation sent by a local session (caller).
type outInvitation struct {
	callee   string
	received bool
	timer    *time.Timer
}

// inInvitation is a call invitation received by a local session (callee).
type inInvitation struct {
	timer *time.Timer
}

const maxInvitationIDLen = 64

func invErr(code protocol.RTMInvitationErr, format string, args ...any) *protocol.Error {
	return protocol.NewRTMError(code, format, args...)
}

func (s *Service) handleSendInvitation(c *wsConn, se *session, id uint64, data json.RawMessage) {
	var req protocol.RTMInvitationRequest
	if err := json.Unmarshal(data, &req); err != nil {
		c.reply(id, nil, invErr(protocol.RTMInvitationInvalidArgument, "send-local-invitation: %v", err))
		return
	}
	switch {
	case req.InvitationID == "" || len(req.InvitationID) > maxInvitationIDLen:
		c.reply(id, nil, invErr(protocol.RTMInvitationInvalidArgument, "invitation id must be 1–%d bytes", maxInvitationIDLen))
		return
	case protocol.ValidateRTMUserID(req.CalleeID) != nil:
		c.reply(id, nil, invErr(protocol.RTMInvitationInvalidArgument, "%v", protocol.ValidateRTMUserID(req.CalleeID)))
		return
	case req.ChannelID != "" && protocol.ValidateRTMChannelID(req.ChannelID) != nil:
		c.reply(id, nil, invErr(protocol.RTMInvitationInvalidArgument, "%v", protocol.ValidateRTMChannelID(req.ChannelID)))
		return
	case len(req.Content) > s.cfg.Limits.MaxInvitationBytes:
		c.reply(id, nil, invErr(protocol.RTMInvitationInvalidArgument, "content of %d bytes, over the limit of %d", len(req.Content), s.cfg.Limits.MaxInvitationBytes))
		return
	}
	if !se.lInv.Allow() {
		c.reply(id, nil, invErr(protocol.RTMInvitationTooOften, "more than %s invitation requests", s.cfg.Rates.Invitations))
		return
	}
	invID := req.InvitationID
	expiry := s.cfg.Timers.InvitationExpiry
	s.mu.Lock()
	if se.out[invID] != nil {
		s.mu.Unlock()
		c.reply(id, nil, invErr(protocol.RTMInvitationInvalidState, "invitation %q is already out", invID))
		return
	}
	se.out[invID] = &outInvitation{callee: req.CalleeID,
		timer: time.AfterFunc(expiry, func() { s.failOut(se, invID, protocol.RTMLocalInvitationErrExpired) })}
	s.mu.Unlock()
	c.reply(id, struct{}{}, nil)
	msg := userMsg{Kind: "invite", From: se.user, ExpiresInMs: expiry.Milliseconds(), Inv: &protocol.RTMInvitationEvent{
		InvitationID: invID, CallerID: se.user, CalleeID: req.CalleeID, Content: req.Content, ChannelID: req.ChannelID}}
	s.request(userSubject(userKey(se.app.ID, req.CalleeID)), mustJSON(msg), s.cfg.Timers.PeerMessageTimeout, func(b []byte, err error) {
		var r userReply
		if err == nil {
			_ = json.Unmarshal(b, &r)
		}
		switch {
		case errors.Is(err, errTimeout):
			s.failOut(se, invID, protocol.RTMLocalInvitationErrPeerNoResponse)
		case err != nil || r.Code != 0:
			s.failOut(se, invID, protocol.RTMLocalInvitationErrPeerOffline)
		default:
			s.mu.Lock()
			if inv := se.out[invID]; inv != nil && !inv.received {
				inv.received = true
				se.pushLocked(protocol.RTMEventLocalInvitationReceived, mustJSON(protocol.RTMInvitationEvent{InvitationID: invID, CalleeID: req.CalleeID}))
			}
			s.mu.Unlock()
		}
	})
}

// failOut ends a local invitation with a failure reason.
func (s *Service) failOut(se *session, invID string, reason protocol.RTMLocalInvitationFailureReason) {
	s.mu.Lock()
	defer s.mu.Unlock()
	inv := se.out[invID]
	if inv == nil {
		return
	}
	delete(se.out, invID)
	inv.timer.Stop()
	se.pushLocked(protocol.RTMEventLocalInvitationFailure, mustJSON(protocol.RTMInvitationEvent{InvitationID: invID, CalleeID: inv.callee, Reason: int(reason)}))
}

func (s *Service) handleCancelInvitation(c *wsConn, se *session, id uint64, data json.RawMessage) {
	var req protocol.RTMInvitationRequest
	_ = json.Unmarshal(data, &req)
	if !se.lInv.Allow() {
		c.reply(id, nil, invErr(protocol.RTMInvitationTooOften, "more than %s invitation requests", s.cfg.Rates.Invitations))
		return
	}
	s.mu.Lock()
	inv := se.out[req.InvitationID]
	if inv != nil {
		delete(se.out, req.InvitationID)
		inv.timer.Stop()
	}
	s.mu.Unlock()
	if inv == nil {
		c.reply(id, nil, invErr(protocol.RTMInvitationInvalidState, "no pending invitation %q", req.InvitationID))
		return
	}
	_ = s.nc.Publish(userSubject(userKey(se.app.ID, inv.callee)), mustJSON(userMsg{Kind: "invite-cancel", From: se.user,
		Inv: &protocol.RTMInvitationEvent{InvitationID: req.InvitationID, CallerID: se.user, CalleeID: inv.callee}}))
	c.reply(id, struct{}{}, nil)
}

func (s *Service) handleAnswerInvitation(c *wsConn, se *session, id uint64, typ protocol.Type, data json.RawMessage) {
	var req protocol.RTMInvitationRequest
	if err := json.Unmarshal(data, &req); err != nil {
		c.reply(id, nil, invErr(protocol.RTMInvitationInvalidArgument, "%s: %v", typ, err))
		return
	}
	if len(req.Response) > s.cfg.Limits.MaxInvitationBytes {
		c.reply(id, nil, invErr(protocol.RTMInvitationInvalidArgument, "response of %d bytes, over the limit of %d", len(req.Response), s.cfg.Limits.MaxInvitationBytes))
		return
	}
	if !se.lInv.Allow() {
		c.reply(id, nil, invErr(protocol.RTMInvitationTooOften, "more than %s invitation requests", s.cfg.Rates.Invitations))
		return
	}
	key := req.CallerID + "/" + req.InvitationID
	s.mu.Lock()
	inv := se.in[key]
	if inv != nil {
		delete(se.in, key)
		inv.timer.Stop()
	}
	s.mu.Unlock()
	if inv == nil {
		c.reply(id, nil, invErr(protocol.RTMInvitationInvalidState, "no pending invitation %q from %q (expired, canceled or answered)", req.InvitationID, req.CallerID))
		return
	}
	kind := "invite-accept"
	if typ == protocol.RTMTypeRefuseRemoteInvitation {
		kind = "invite-refuse"
	}
	msg := userMsg{Kind: kind, From: se.user, Inv: &protocol.RTMInvitationEvent{InvitationID: req.InvitationID, CallerID: req.CallerID, CalleeID: se.user, Response: req.Response}}
	s.request(userSubject(userKey(se.app.ID, req.CallerID)), mustJSON(msg), s.cfg.Timers.PeerMessageTimeout, func(b []byte, err error) {
		var r userReply
		if err == nil {
			_ = json.Unmarshal(b, &r)
		}
		switch {
		case err == nil && r.Code == 0:
			c.reply(id, struct{}{}, nil)
		case err == nil && r.Code == replyGone:
			c.reply(id, nil, invErr(protocol.RTMInvitationFailure, "the caller no longer waits for invitation %q", req.InvitationID).WithReason(int(protocol.RTMRemoteInvitationErrAcceptFailure)))
		default:
			c.reply(id, nil, invErr(protocol.RTMInvitationFailure, "the caller %q is offline", req.CallerID).WithReason(int(protocol.RTMRemoteInvitationErrPeerOffline)))
		}
	})
}

// onInvitationMsg handles invitation traffic arriving for a local session.
func (s *Service) onInvitationMsg(se *session, um *userMsg, respond func(int)) {
	if um.Inv == nil {
		return
	}
	inv := *um.Inv
	s.mu.Lock()
	if se.ended || se.conn == nil {
		s.mu.Unlock()
		respond(replyUnreachable)
		return
	}
	switch um.Kind {
	case "invite":
		key := um.From + "/" + inv.InvitationID
		if old := se.in[key]; old != nil {
			old.timer.Stop()
		}
		se.in[key] = &inInvitation{timer: time.AfterFunc(time.Duration(um.ExpiresInMs)*time.Millisecond, func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			if se.in[key] == nil {
				return
			}
			delete(se.in, key)
			se.pushLocked(protocol.RTMEventRemoteInvitationFailure, mustJSON(protocol.RTMInvitationEvent{
				InvitationID: inv.InvitationID, CallerID: um.From, Reason: int(protocol.RTMRemoteInvitationErrExpired)}))
		})}
		inv.CallerID = um.From
		se.pushLocked(protocol.RTMEventRemoteInvitationReceived, mustJSON(inv))
		s.mu.Unlock()
		respond(0)
	case "invite-cancel":
		key := um.From + "/" + inv.InvitationID
		in := se.in[key]
		if in != nil {
			delete(se.in, key)
			in.timer.Stop()
			se.pushLocked(protocol.RTMEventRemoteInvitationCanceled, mustJSON(protocol.RTMInvitationEvent{InvitationID: inv.InvitationID, CallerID: um.From}))
		}
		s.mu.Unlock()
	case "invite-accept", "invite-refuse":
		out := se.out[inv.InvitationID]
		if out == nil || out.callee != um.From {
			s.mu.Unlock()
			respond(replyGone)
			return
		}
		delete(se.out, inv.InvitationID)
		out.timer.Stop()
		// The callee's answer can overtake the reply to the invite request
		// (two NATS subscriptions); it proves the callee received the
		// invitation, so the caller hears that first, as Agora promises.
		if !out.received {
			se.pushLocked(protocol.RTMEventLocalInvitationReceived, mustJSON(protocol.RTMInvitationEvent{InvitationID: inv.InvitationID, CalleeID: um.From}))
		}
		typ := protocol.RTMEventLocalInvitationAccepted
		if um.Kind == "invite-refuse" {
			typ = protocol.RTMEventLocalInvitationRefused
		}
		se.pushLocked(typ, mustJSON(protocol.RTMInvitationEvent{InvitationID: inv.InvitationID, CalleeID: um.From, Response: inv.Response}))
		s.mu.Unlock()
		respond(0)
	default:
		s.mu.Unlock()
	}
}
