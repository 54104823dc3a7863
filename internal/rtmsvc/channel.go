package rtmsvc

import (
	"context"
	"encoding/json"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"golang.org/x/time/rate"

	"github.com/cohost-rtc/cohost/protocol"
)

// chanMsg travels on a channel's subject to the nodes with local members.
type chanMsg struct {
	Kind    string                              `json:"kind"` // msg or attrs
	From    string                              `json:"from,omitempty"`
	FromSID string                              `json:"fromSid,omitempty"`
	Msg     *protocol.RTMMessage                `json:"msg,omitempty"`
	Attrs   *protocol.RTMAttributesUpdatedEvent `json:"attrs,omitempty"`
}

// addLocalMemberLocked indexes se as a local member of ckey, subscribing
// the node to the channel's subject for its first local member.
func (s *Service) addLocalMemberLocked(ckey, ch string, se *session) {
	se.channels[ckey] = ch
	m := s.chLocal[ckey]
	if m == nil {
		m = map[*session]struct{}{}
		s.chLocal[ckey] = m
	}
	m[se] = struct{}{}
	if s.chSubs[ckey] == nil && !s.closed {
		sub, err := s.nc.Subscribe(chanSubject(ckey), func(msg *nats.Msg) { s.onChanMsg(ckey, msg) })
		if err == nil {
			s.chSubs[ckey] = sub
		}
	}
}

func (s *Service) removeLocalMemberLocked(ckey string, se *session) {
	delete(se.channels, ckey)
	m := s.chLocal[ckey]
	delete(m, se)
	if len(m) == 0 {
		delete(s.chLocal, ckey)
		if sub := s.chSubs[ckey]; sub != nil {
			_ = sub.Unsubscribe()
			delete(s.chSubs, ckey)
		}
	}
}

func (s *Service) onChanMsg(ckey string, m *nats.Msg) {
	var cm chanMsg
	if json.Unmarshal(m.Data, &cm) != nil || (cm.Kind == "msg" && cm.Msg == nil) {
		s.malformed("channel")
		return
	}
	ch, _ := decodeUserKey(ckey)
	s.mu.Lock()
	defer s.mu.Unlock()
	switch cm.Kind {
	case "msg":
		if cm.Msg == nil {
			return
		}
		ev := mustJSON(protocol.RTMChannelMessageEvent{ChannelID: ch, UserID: cm.From, Message: *cm.Msg})
		for se := range s.chLocal[ckey] {
			if se.sid != cm.FromSID {
				se.pushLocked(protocol.RTMEventChannelMessage, ev)
			}
		}
	case "attrs":
		if cm.Attrs == nil {
			return
		}
		ev := mustJSON(cm.Attrs)
		for se := range s.chLocal[ckey] {
			se.pushLocked(protocol.RTMEventAttributesUpdated, ev)
		}
	}
}

func (s *Service) handleJoin(c *wsConn, se *session, id uint64, data json.RawMessage) {
	var req protocol.RTMChannelRequest
	if err := json.Unmarshal(data, &req); err != nil {
		c.reply(id, nil, protocol.NewRTMError(protocol.RTMJoinInvalidArgument, "join-channel: %v", err))
		return
	}
	if err := protocol.ValidateRTMChannelID(req.ChannelID); err != nil {
		c.reply(id, nil, protocol.NewRTMError(protocol.RTMJoinInvalidArgument, "%v", err))
		return
	}
	ckey := chanKey(se.app.ID, req.ChannelID)
	s.mu.Lock()
	_, joined := se.channels[ckey]
	n := len(se.channels)
	s.mu.Unlock()
	switch {
	case joined && !req.Rejoin:
		c.reply(id, nil, protocol.NewRTMError(protocol.RTMJoinAlreadyJoined, "already in channel %q", req.ChannelID))
		return
	case !joined && n >= s.cfg.Limits.MaxChannelsPerUser:
		c.reply(id, nil, protocol.NewRTMError(protocol.RTMJoinExceedLimit, "already in %d channels, the limit", n))
		return
	}
	if !req.Rejoin {
		if !se.lJoin.Allow() {
			c.reply(id, nil, protocol.NewRTMError(protocol.RTMJoinTooOften, "more than %s channel joins", s.cfg.Rates.JoinChannel))
			return
		}
		s.mu.Lock()
		l := se.joinSame[ckey]
		if l == nil {
			if len(se.joinSame) > 256 {
				se.joinSame = map[string]*rate.Limiter{}
			}
			l = limiterOf(s.rates.joinSame)
			se.joinSame[ckey] = l
		}
		s.mu.Unlock()
		if !l.Allow() {
			c.reply(id, nil, protocol.NewRTMError(protocol.RTMJoinSameChannelTooOften, "more than %s joins of channel %q", s.cfg.Rates.JoinSameChannel, req.ChannelID))
			return
		}
	}
	s.mu.Lock()
	if se.ended {
		s.mu.Unlock()
		c.reply(id, nil, notLoggedIn(protocol.RTMTypeJoinChannel))
		return
	}
	s.addLocalMemberLocked(ckey, req.ChannelID, se)
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(s.ctx, 5*time.Second)
	defer cancel()
	rev, err := s.kvMembers.Put(ctx, memberKey(se.app.ID, req.ChannelID, se.user), mustJSON(memberRec{SID: se.sid, TS: nowMs()}))
	if err == nil {
		err = s.nc.Flush()
	}
	if err != nil {
		s.mu.Lock()
		s.removeLocalMemberLocked(ckey, se)
		s.mu.Unlock()
		c.reply(id, nil, protocol.NewRTMError(protocol.RTMJoinFailure, "join failed: %v", err))
		return
	}
	s.waitMirror(true, rev)
	s.mu.Lock()
	count := s.memberCountLocked(ckey)
	s.mu.Unlock()
	c.reply(id, protocol.RTMJoinChannelResponse{ChannelID: req.ChannelID, MemberCount: count}, nil)
	c.event(protocol.RTMEventMemberCountUpdated, mustJSON(protocol.RTMMemberCountEvent{ChannelID: req.ChannelID, Count: count}))
}

// deleteMember removes se's membership record of ckey if it still is se's.
func (s *Service) deleteMember(ctx context.Context, se *session, ch string) {
	key := memberKey(se.app.ID, ch, se.user)
	e, err := s.kvMembers.Get(ctx, key)
	if err != nil {
		return
	}
	var r memberRec
	if json.Unmarshal(e.Value(), &r) == nil && r.SID == se.sid {
		if err := s.kvMembers.Delete(ctx, key, jetstream.LastRevision(e.Revision())); err == nil {
			// The delete marker comes after e in the bucket: wait for the
			// mirror to pass e so that the leave shows at once.
			s.waitMirror(true, e.Revision()+1)
		}
	}
}

func (s *Service) handleLeave(c *wsConn, se *session, id uint64, data json.RawMessage) {
	var req protocol.RTMChannelRequest
	if err := json.Unmarshal(data, &req); err != nil {
		c.reply(id, nil, protocol.NewRTMError(protocol.RTMLeaveFailure, "leave-channel: %v", err))
		return
	}
	ckey := chanKey(se.app.ID, req.ChannelID)
	s.mu.Lock()
	_, joined := se.channels[ckey]
	if joined {
		s.removeLocalMemberLocked(ckey, se)
	}
	s.mu.Unlock()
	if !joined {
		c.reply(id, nil, protocol.NewRTMError(protocol.RTMLeaveNotInChannel, "not in channel %q", req.ChannelID))
		return
	}
	ctx, cancel := context.WithTimeout(s.ctx, 5*time.Second)
	defer cancel()
	s.deleteMember(ctx, se, req.ChannelID)
	c.reply(id, struct{}{}, nil)
}

func (s *Service) handleSendChannel(c *wsConn, se *session, id uint64, data json.RawMessage) {
	var req protocol.RTMSendChannelMessageRequest
	if err := protocol.DecodeMessage(data, &req, "message", &req.Message.Text); err != nil {
		c.reply(id, nil, protocol.NewRTMError(protocol.RTMChannelMessageInvalidMessage, "send-channel-message: %v", err))
		return
	}
	if e := validMessage(&req.Message, s.cfg.Limits.MaxMessageBytes); e != nil {
		c.reply(id, nil, protocol.NewRTMError(protocol.RTMChannelMessageInvalidMessage, "%s", e.Message))
		return
	}
	ckey := chanKey(se.app.ID, req.ChannelID)
	s.mu.Lock()
	_, joined := se.channels[ckey]
	s.mu.Unlock()
	if !joined {
		c.reply(id, nil, protocol.NewRTMError(protocol.RTMChannelMessageFailure, "not in channel %q", req.ChannelID))
		return
	}
	if !se.lMessages.Allow() {
		c.reply(id, nil, protocol.NewRTMError(protocol.RTMChannelMessageTooOften, "more than %s peer and channel messages", s.cfg.Rates.Messages))
		c.backOff(se.lMessages)
		return
	}
	ts := nowMs()
	msg := req.Message
	msg.ServerReceivedTs, msg.IsOfflineMessage = ts, false
	if err := s.nc.Publish(chanSubject(ckey), mustJSON(chanMsg{Kind: "msg", From: se.user, FromSID: se.sid, Msg: &msg})); err != nil {
		c.reply(id, nil, protocol.NewRTMError(protocol.RTMChannelMessageFailure, "%v", err))
		return
	}
	if s.metrics != nil {
		s.metrics.ChannelMessage()
	}
	c.reply(id, protocol.RTMSendChannelMessageResponse{ServerReceivedTs: ts}, nil)
}

func (s *Service) handleGetMembers(c *wsConn, se *session, id uint64, data json.RawMessage) {
	var req protocol.RTMChannelRequest
	_ = json.Unmarshal(data, &req)
	ckey := chanKey(se.app.ID, req.ChannelID)
	s.mu.Lock()
	_, joined := se.channels[ckey]
	s.mu.Unlock()
	if !joined {
		c.reply(id, nil, protocol.NewRTMError(protocol.RTMGetMembersNotInChannel, "not in channel %q", req.ChannelID))
		return
	}
	if !se.lGetMembers.Allow() {
		c.reply(id, nil, protocol.NewRTMError(protocol.RTMGetMembersTooOften, "more than %s getMembers calls", s.cfg.Rates.GetMembers))
		return
	}
	s.mu.Lock()
	members := s.membersLocked(ckey)
	s.mu.Unlock()
	c.reply(id, protocol.RTMGetMembersResponse{ChannelID: req.ChannelID, Members: members}, nil)
}

func (s *Service) handleMemberCount(c *wsConn, se *session, id uint64, data json.RawMessage) {
	var req protocol.RTMChannelMemberCountRequest
	if err := json.Unmarshal(data, &req); err != nil || len(req.ChannelIDs) == 0 {
		c.reply(id, nil, protocol.NewRTMError(protocol.RTMMemberCountInvalidArgument, "get-channel-member-count needs channel ids"))
		return
	}
	if len(req.ChannelIDs) > s.cfg.Limits.MaxMemberCountChannels {
		c.reply(id, nil, protocol.NewRTMError(protocol.RTMMemberCountExceedLimit, "%d channels, over the limit of %d", len(req.ChannelIDs), s.cfg.Limits.MaxMemberCountChannels))
		return
	}
	for _, ch := range req.ChannelIDs {
		if err := protocol.ValidateRTMChannelID(ch); err != nil {
			c.reply(id, nil, protocol.NewRTMError(protocol.RTMMemberCountInvalidArgument, "%v", err))
			return
		}
	}
	if !se.lCount.Allow() {
		c.reply(id, nil, protocol.NewRTMError(protocol.RTMMemberCountTooOften, "more than %s member count queries", s.cfg.Rates.MemberCount))
		return
	}
	resp := protocol.RTMChannelMemberCountResponse{Counts: make([]protocol.RTMMemberCountEvent, 0, len(req.ChannelIDs))}
	s.mu.Lock()
	for _, ch := range req.ChannelIDs {
		resp.Counts = append(resp.Counts, protocol.RTMMemberCountEvent{ChannelID: ch, Count: s.memberCountLocked(chanKey(se.app.ID, ch))})
	}
	s.mu.Unlock()
	c.reply(id, resp, nil)
}
