package rtmsvc

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/cohost-rtc/cohost/protocol"
)

// userMsg travels on a user's subject to the node holding its session.
type userMsg struct {
	Kind string                       `json:"kind"` // msg, invite, invite-cancel, invite-accept, invite-refuse
	From string                       `json:"from"`
	Msg  *protocol.RTMMessage         `json:"msg,omitempty"`
	Inv  *protocol.RTMInvitationEvent `json:"inv,omitempty"`
	// ExpiresInMs (invite) is the time left before the invitation expires.
	ExpiresInMs int64 `json:"expiresInMs,omitempty"`
}

// userReply answers a userMsg.
type userReply struct {
	// Code: 0 delivered, replyUnreachable (the session has no connection),
	// replyGone (no such invitation).
	Code int `json:"code"`
}

const (
	replyUnreachable = 3
	replyGone        = 4
)

var (
	errNoResponders = errors.New("no responders")
	errTimeout      = errors.New("timeout")
)

// pendingReply is a request awaiting its reply on the node's reply
// subject.
type pendingReply struct {
	cb    func(data []byte, err error)
	timer *time.Timer
}

// await registers a reply of this node: cb is called once, with the
// reply's data, errNoResponders or errTimeout, or with the error passed to
// fail. It returns the reply subject.
func (s *Service) await(timeout time.Duration, cb func([]byte, error)) (reply string, fail func(error)) {
	s.mu.Lock()
	s.nextID++
	tok := strconv.FormatUint(s.nextID, 36)
	p := &pendingReply{cb: cb}
	p.timer = time.AfterFunc(timeout, func() { s.answered(tok, nil, errTimeout) })
	s.replies[tok] = p
	s.mu.Unlock()
	return s.replyPrefix() + tok, func(err error) { s.answered(tok, nil, err) }
}

// request publishes data to subj and calls cb once with the reply,
// errNoResponders or errTimeout. Publishing happens before request
// returns, so requests keep their order, and the budget of the client's
// request is released as the reader finishes it: the recipient is
// another node's, whose own budget covers its delivery. cb runs on a
// NATS callback goroutine and must not block.
func (s *Service) request(subj string, data []byte, timeout time.Duration, cb func([]byte, error)) {
	reply, fail := s.await(timeout, cb)
	if err := s.nc.PublishMsg(&nats.Msg{Subject: subj, Reply: reply, Data: data}); err != nil {
		fail(err)
	}
}

// replyPrefix starts the reply subjects of this node's requests.
func (s *Service) replyPrefix() string { return "rtm.reply." + s.node + "." }

// answered ends the pending reply tok, if still pending.
func (s *Service) answered(tok string, data []byte, err error) {
	s.mu.Lock()
	p, ok := s.replies[tok]
	delete(s.replies, tok)
	s.mu.Unlock()
	if !ok {
		return
	}
	p.timer.Stop()
	p.cb(data, err)
}

// respond answers on reply: directly if the request is this node's, on
// NATS otherwise.
func (s *Service) respond(reply string, r userReply) {
	if reply == "" {
		return
	}
	if tok, ok := strings.CutPrefix(reply, s.replyPrefix()); ok {
		s.answered(tok, mustJSON(r), nil)
		return
	}
	_ = s.nc.Publish(reply, mustJSON(r))
}

func (s *Service) onReply(m *nats.Msg) {
	tok := m.Subject[len(s.replyPrefix()):]
	if m.Header.Get("Status") == "503" {
		s.answered(tok, nil, errNoResponders)
		return
	}
	s.answered(tok, m.Data, nil)
}

// malformed counts a NATS message dropped because it could not be
// decoded.
func (s *Service) malformed(kind string) {
	s.log.Debug("malformed NATS message dropped", "kind", kind)
	if s.metrics != nil {
		s.metrics.MalformedMessage(kind)
	}
}

func validMessage(m *protocol.RTMMessage, max int) *protocol.Error {
	switch {
	case m.Type == protocol.RTMMessageText && m.Text == "":
		return protocol.NewRTMError(protocol.RTMPeerMessageInvalidMessage, "empty text message")
	case m.Type == protocol.RTMMessageRaw && len(m.Raw) == 0:
		return protocol.NewRTMError(protocol.RTMPeerMessageInvalidMessage, "empty raw message")
	case (m.Type == protocol.RTMMessageFile || m.Type == protocol.RTMMessageImage) && (m.Media == nil || !validMediaID(m.Media.MediaID)):
		return protocol.NewRTMError(protocol.RTMPeerMessageInvalidMessage, "a %s message needs the media id of an upload", m.Type)
	case m.Type != protocol.RTMMessageText && m.Type != protocol.RTMMessageRaw && m.Type != protocol.RTMMessageFile && m.Type != protocol.RTMMessageImage:
		return protocol.NewRTMError(protocol.RTMPeerMessageInvalidMessage, "message type %d is not TEXT (1), RAW (2), FILE (4) or IMAGE (5)", int(m.Type))
	case m.Media != nil && m.Type != protocol.RTMMessageFile && m.Type != protocol.RTMMessageImage:
		return protocol.NewRTMError(protocol.RTMPeerMessageInvalidMessage, "only FILE and IMAGE messages carry media")
	case m.Media != nil && len(m.Media.Thumbnail)+len(m.Media.FileName)+len(m.Description) > protocol.RTMMaxMediaMessageLen:
		return protocol.NewRTMError(protocol.RTMPeerMessageInvalidMessage, "thumbnail, file name and description of %d bytes, over the limit of %d",
			len(m.Media.Thumbnail)+len(m.Media.FileName)+len(m.Description), protocol.RTMMaxMediaMessageLen)
	case m.Size() > max:
		return protocol.NewRTMError(protocol.RTMPeerMessageInvalidMessage, "message of %d bytes, over the limit of %d", m.Size(), max)
	}
	return nil
}

func (s *Service) handleSendPeer(c *wsConn, se *session, id uint64, data json.RawMessage) {
	var req protocol.RTMSendPeerMessageRequest
	if err := protocol.DecodeMessage(data, &req, "message", &req.Message.Text); err != nil {
		c.reply(id, nil, protocol.NewRTMError(protocol.RTMPeerMessageInvalidMessage, "send-peer-message: %v", err))
		return
	}
	if err := protocol.ValidateRTMUserID(req.PeerID); err != nil {
		c.reply(id, nil, protocol.NewRTMError(protocol.RTMPeerMessageInvalidUserID, "%v", err))
		return
	}
	if e := validMessage(&req.Message, s.cfg.Limits.MaxMessageBytes); e != nil {
		c.reply(id, nil, e)
		return
	}
	if !se.lMessages.Allow() {
		if s.metrics != nil {
			s.metrics.PeerMessage(protocol.RTMPeerMessageTooOften, 0)
		}
		c.reply(id, nil, protocol.NewRTMError(protocol.RTMPeerMessageTooOften, "more than %s peer and channel messages", s.cfg.Rates.Messages))
		c.backOff(se.lMessages)
		return
	}
	ts := nowMs()
	start := time.Now()
	observe := func(r protocol.RTMPeerMessageErr) {
		if s.metrics != nil {
			s.metrics.PeerMessage(r, time.Since(start))
		}
	}
	msg := req.Message
	msg.ServerReceivedTs, msg.IsOfflineMessage = ts, false
	peerKey := userKey(se.app.ID, req.PeerID)
	offline := func() {
		if !req.EnableOfflineMessaging {
			observe(protocol.RTMPeerMessagePeerUnreachable)
			c.reply(id, nil, protocol.NewRTMError(protocol.RTMPeerMessagePeerUnreachable, "%s is not online", req.PeerID))
			return
		}
		go func() {
			msg.IsOfflineMessage = true
			ctx, cancel := context.WithTimeout(s.ctx, 5*time.Second)
			defer cancel()
			if _, err := s.bus.JS.Publish(ctx, offlineSubject(peerKey), mustJSON(userMsg{Kind: "msg", From: se.user, Msg: &msg})); err != nil {
				observe(protocol.RTMPeerMessageFailure)
				c.reply(id, nil, protocol.NewRTMError(protocol.RTMPeerMessageFailure, "storing the offline message failed: %v", err))
				return
			}
			observe(protocol.RTMPeerMessageCachedByServer)
			c.reply(id, protocol.RTMSendPeerMessageResponse{Code: protocol.RTMPeerMessageCachedByServer, ServerReceivedTs: ts}, nil)
		}()
	}
	cb := func(b []byte, err error) {
		switch {
		case errors.Is(err, errNoResponders):
			offline()
		case errors.Is(err, errTimeout):
			observe(protocol.RTMPeerMessageSentTimeout)
			c.reply(id, nil, protocol.NewRTMError(protocol.RTMPeerMessageSentTimeout, "%s did not acknowledge within %v", req.PeerID, s.cfg.Timers.PeerMessageTimeout))
		case err != nil:
			observe(protocol.RTMPeerMessageFailure)
			c.reply(id, nil, protocol.NewRTMError(protocol.RTMPeerMessageFailure, "%v", err))
		default:
			var r userReply
			_ = json.Unmarshal(b, &r)
			if r.Code == replyUnreachable {
				offline()
				return
			}
			observe(protocol.RTMPeerMessageOK)
			c.reply(id, protocol.RTMSendPeerMessageResponse{Code: protocol.RTMPeerMessageOK, ServerReceivedTs: ts}, nil)
		}
	}
	um := userMsg{Kind: "msg", From: se.user, Msg: &msg}
	s.mu.Lock()
	local := s.sessions[peerKey]
	s.mu.Unlock()
	if local != nil {
		// The recipient is this node's: delivered at once, without the
		// round trip through NATS, by the sender's reader (its budget
		// held until the recipient's client has the message).
		reply, _ := s.await(s.cfg.Timers.PeerMessageTimeout, cb)
		s.deliver(local, &um, reply, c.takeGrant())
		return
	}
	s.request(userSubject(peerKey), mustJSON(um), s.cfg.Timers.PeerMessageTimeout, cb)
}

// onUserMsg handles what arrives on a local session's subject.
func (s *Service) onUserMsg(se *session, m *nats.Msg) {
	var um userMsg
	if json.Unmarshal(m.Data, &um) != nil || (um.Kind == "msg" && um.Msg == nil) {
		s.malformed("peer")
		return
	}
	s.deliver(se, &um, m.Reply, nil)
}

// deliver hands a message for the local session se to its client, which
// acknowledges it on reply. g, the budget of the sender's request when
// the sender is this node's (nil otherwise), is held until the client
// has the message.
func (s *Service) deliver(se *session, um *userMsg, reply string, g *grant) {
	respond := func(code int) { s.respond(reply, userReply{Code: code}) }
	if um.Kind != "msg" {
		g.release()
		s.onInvitationMsg(se, um, respond)
		return
	}
	s.mu.Lock()
	conn := se.conn
	if se.ended || conn == nil {
		s.mu.Unlock()
		g.release()
		respond(replyUnreachable)
		return
	}
	se.nextDeliv++
	d := se.nextDeliv
	if reply != "" {
		se.acks[d] = pendingAck{reply: reply, deadline: time.Now().Add(s.cfg.Timers.PeerMessageTimeout)}
	}
	s.mu.Unlock()
	// Encoded outside the service's lock, which every request takes: a
	// message of up to 32 KB takes a while, and longer on a busy machine.
	// Messages from one sender are delivered by one goroutine (its
	// reader, or the session's NATS subscription), so they keep their
	// order.
	conn.eventHeld(protocol.RTMEventPeerMessage, protocol.RTMPeerMessageEvent{PeerID: um.From, Message: *um.Msg, DeliveryID: d}, nil, g)
}

func (s *Service) handleAck(c *wsConn, data json.RawMessage) {
	var a protocol.RTMAck
	if json.Unmarshal(data, &a) != nil {
		return
	}
	s.mu.Lock()
	se := c.sess
	var p pendingAck
	ok := false
	if se != nil {
		p, ok = se.acks[a.DeliveryID]
		delete(se.acks, a.DeliveryID)
	}
	s.mu.Unlock()
	if ok {
		s.respond(p.reply, userReply{})
	}
}

func (s *Service) expireAcks(now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, se := range s.sessions {
		for d, p := range se.acks {
			if now.After(p.deadline) {
				delete(se.acks, d)
			}
		}
	}
}

// deliverOffline sends the messages stored for the session's user while it
// was offline, then deletes them.
func (s *Service) deliverOffline(se *session) {
	subj := offlineSubject(se.key)
	ctx, cancel := context.WithTimeout(s.ctx, 10*time.Second)
	defer cancel()
	var last uint64
	for seq := uint64(1); ; {
		raw, err := s.offline.GetMsg(ctx, seq, jetstream.WithGetMsgSubject(subj))
		if err != nil {
			break
		}
		last, seq = raw.Sequence, raw.Sequence+1
		var um userMsg
		if json.Unmarshal(raw.Data, &um) != nil || um.Msg == nil {
			continue
		}
		s.mu.Lock()
		se.pushLocked(protocol.RTMEventPeerMessage, mustJSON(protocol.RTMPeerMessageEvent{PeerID: um.From, Message: *um.Msg}))
		s.mu.Unlock()
	}
	if last > 0 {
		_ = s.offline.Purge(ctx, jetstream.WithPurgeSubject(subj), jetstream.WithPurgeSequence(last+1))
	}
}
