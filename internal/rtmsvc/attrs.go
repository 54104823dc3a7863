package rtmsvc

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/cohost-rtc/cohost/protocol"
)

// chAttrs is a channel's attribute set: one key-value entry per channel,
// written with compare-and-set, so every write is atomic.
type chAttrs struct {
	// Version counts the writes; a key's Revision is the Version that last
	// wrote it.
	Version int64 `json:"version"`
	// EmptySince (ms) is when the channel was last seen without members.
	EmptySince int64                            `json:"emptySince,omitempty"`
	Attrs      map[string]protocol.RTMAttribute `json:"attrs"`
}

func (a *chAttrs) sorted(keys []string) []protocol.RTMAttribute {
	out := []protocol.RTMAttribute{}
	if keys == nil {
		for _, k := range slices.Sorted(maps.Keys(a.Attrs)) {
			out = append(out, a.Attrs[k])
		}
		return out
	}
	for _, k := range slices.Sorted(slices.Values(keys)) {
		if v, ok := a.Attrs[k]; ok {
			out = append(out, v)
		}
	}
	return out
}

type attrOp int

const (
	opSet attrOp = iota
	opAddOrUpdate
	opDelete
	opClear
)

func attrOpOf(t protocol.Type) attrOp {
	switch t {
	case protocol.RTMTypeAddOrUpdateChannelAttributes, protocol.RTMTypeAddOrUpdateLocalUserAttrs:
		return opAddOrUpdate
	case protocol.RTMTypeDeleteChannelAttributes, protocol.RTMTypeDeleteLocalUserAttributes:
		return opDelete
	case protocol.RTMTypeClearChannelAttributes, protocol.RTMTypeClearLocalUserAttributes:
		return opClear
	}
	return opSet
}

func attrErr(code protocol.RTMAttributeErr, format string, args ...any) *protocol.Error {
	return protocol.NewRTMError(code, format, args...)
}

// checkAttrs validates the attributes and keys of a write.
func (s *Service) checkAttrs(op attrOp, attrs []protocol.RTMAttribute, keys []string) *protocol.Error {
	l := s.cfg.Limits
	validKey := func(k string) *protocol.Error {
		if k == "" {
			return attrErr(protocol.RTMAttributeInvalidArgument, "empty attribute key")
		}
		if len(k) > l.MaxAttributeKeyBytes {
			return attrErr(protocol.RTMAttributeSizeOverflow, "key %q is %d bytes, over the limit of %d", k, len(k), l.MaxAttributeKeyBytes)
		}
		for i := 0; i < len(k); i++ {
			if k[i] <= ' ' || k[i] == 0x7f {
				return attrErr(protocol.RTMAttributeInvalidArgument, "key %q has a space or control character", k)
			}
		}
		return nil
	}
	switch op {
	case opSet, opAddOrUpdate:
		if op == opAddOrUpdate && len(attrs) == 0 {
			return attrErr(protocol.RTMAttributeInvalidArgument, "no attributes")
		}
		seen := map[string]bool{}
		for _, a := range attrs {
			if e := validKey(a.Key); e != nil {
				return e
			}
			if seen[a.Key] {
				return attrErr(protocol.RTMAttributeInvalidArgument, "key %q given twice", a.Key)
			}
			seen[a.Key] = true
			if a.Value == "" {
				return attrErr(protocol.RTMAttributeInvalidArgument, "attribute %q has an empty value", a.Key)
			}
			if len(a.Value) > l.MaxAttributeValueBytes {
				return attrErr(protocol.RTMAttributeSizeOverflow, "value of %q is %d bytes, over the limit of %d", a.Key, len(a.Value), l.MaxAttributeValueBytes)
			}
		}
	case opDelete:
		if len(keys) == 0 {
			return attrErr(protocol.RTMAttributeInvalidArgument, "no keys")
		}
		for _, k := range keys {
			if e := validKey(k); e != nil {
				return e
			}
		}
	}
	return nil
}

// apply performs op on cur (modified in place) as user at ts with
// revision rev, and checks the resulting set against the limits.
func applyAttrs(cur map[string]protocol.RTMAttribute, op attrOp, attrs []protocol.RTMAttribute, keys []string,
	user string, ts, rev int64, maxCount, maxBytes int) *protocol.Error {
	switch op {
	case opSet:
		clear(cur)
		fallthrough
	case opAddOrUpdate:
		for _, a := range attrs {
			cur[a.Key] = protocol.RTMAttribute{Key: a.Key, Value: a.Value, LastUpdateUserID: user, LastUpdateTs: ts, Revision: rev}
		}
	case opDelete:
		for _, k := range keys {
			delete(cur, k)
		}
	case opClear:
		clear(cur)
	}
	if len(cur) > maxCount {
		return attrErr(protocol.RTMAttributeSizeOverflow, "%d attributes, over the limit of %d", len(cur), maxCount)
	}
	total := 0
	for k, a := range cur {
		total += len(k) + len(a.Value)
	}
	if total > maxBytes {
		return attrErr(protocol.RTMAttributeSizeOverflow, "attributes total %d bytes, over the limit of %d", total, maxBytes)
	}
	return nil
}

func (s *Service) handleChannelAttrs(c *wsConn, se *session, id uint64, typ protocol.Type, data json.RawMessage) {
	op := attrOpOf(typ)
	var req protocol.RTMChannelAttributesRequest
	if err := json.Unmarshal(data, &req); err != nil {
		c.reply(id, nil, attrErr(protocol.RTMAttributeInvalidArgument, "%s: %v", typ, err))
		return
	}
	if err := protocol.ValidateRTMChannelID(req.ChannelID); err != nil {
		c.reply(id, nil, attrErr(protocol.RTMAttributeInvalidArgument, "%v", err))
		return
	}
	if e := s.checkAttrs(op, req.Attributes, req.Keys); e != nil {
		c.reply(id, nil, e)
		return
	}
	if !se.lChW.Allow() {
		c.reply(id, nil, attrErr(protocol.RTMAttributeTooOften, "more than %s channel attribute writes", s.cfg.Rates.ChannelAttributeWrites))
		return
	}
	ckey := chanKey(se.app.ID, req.ChannelID)
	ctx, cancel := context.WithTimeout(s.ctx, 5*time.Second)
	defer cancel()
	for range 20 {
		var cur chAttrs
		var rev uint64
		e, err := s.kvChAttrs.Get(ctx, ckey)
		switch {
		case err == nil:
			if json.Unmarshal(e.Value(), &cur) != nil {
				cur = chAttrs{}
			}
			rev = e.Revision()
		case errors.Is(err, jetstream.ErrKeyNotFound):
		default:
			c.reply(id, nil, attrErr(protocol.RTMAttributeFailure, "%v", err))
			return
		}
		if cur.Attrs == nil {
			cur.Attrs = map[string]protocol.RTMAttribute{}
		}
		for k, want := range req.ExpectedRevisions {
			if have := cur.Attrs[k].Revision; have != want {
				c.reply(id, nil, attrErr(protocol.RTMAttributeRevisionConflict, "attribute %q is at revision %d, not %d", k, have, want))
				return
			}
		}
		cur.Version++
		if e := applyAttrs(cur.Attrs, op, req.Attributes, req.Keys, se.user, nowMs(), cur.Version,
			s.cfg.Limits.MaxChannelAttributes, s.cfg.Limits.MaxChannelAttributesBytes); e != nil {
			c.reply(id, nil, e)
			return
		}
		s.mu.Lock()
		empty := s.memberCountLocked(ckey) == 0
		s.mu.Unlock()
		switch {
		case !empty:
			cur.EmptySince = 0
		case cur.EmptySince == 0:
			cur.EmptySince = nowMs()
		}
		if rev == 0 {
			_, err = s.kvChAttrs.Create(ctx, ckey, mustJSON(cur))
		} else {
			_, err = s.kvChAttrs.Update(ctx, ckey, mustJSON(cur), rev)
		}
		if errors.Is(err, jetstream.ErrKeyExists) {
			continue // someone wrote meanwhile: start again from their result
		}
		if err != nil {
			c.reply(id, nil, attrErr(protocol.RTMAttributeFailure, "%v", err))
			return
		}
		resp := protocol.RTMChannelAttributesResponse{ChannelID: req.ChannelID, Attributes: cur.sorted(nil), Revision: cur.Version}
		if req.EnableNotificationToChannelMembers {
			ev := protocol.RTMAttributesUpdatedEvent(resp)
			_ = s.nc.Publish(chanSubject(ckey), mustJSON(chanMsg{Kind: "attrs", Attrs: &ev}))
		}
		c.reply(id, resp, nil)
		return
	}
	c.reply(id, nil, attrErr(protocol.RTMAttributeTimeout, "too many concurrent writes"))
}

func (s *Service) handleGetChannelAttrs(c *wsConn, se *session, id uint64, data json.RawMessage) {
	var req protocol.RTMChannelAttributesRequest
	if err := json.Unmarshal(data, &req); err != nil {
		c.reply(id, nil, attrErr(protocol.RTMAttributeInvalidArgument, "get-channel-attributes: %v", err))
		return
	}
	if err := protocol.ValidateRTMChannelID(req.ChannelID); err != nil {
		c.reply(id, nil, attrErr(protocol.RTMAttributeInvalidArgument, "%v", err))
		return
	}
	if !se.lChR.Allow() {
		c.reply(id, nil, attrErr(protocol.RTMAttributeTooOften, "more than %s channel attribute reads", s.cfg.Rates.ChannelAttributeReads))
		return
	}
	ctx, cancel := context.WithTimeout(s.ctx, 5*time.Second)
	defer cancel()
	var cur chAttrs
	e, err := s.kvChAttrs.Get(ctx, chanKey(se.app.ID, req.ChannelID))
	switch {
	case err == nil:
		_ = json.Unmarshal(e.Value(), &cur)
	case !errors.Is(err, jetstream.ErrKeyNotFound):
		c.reply(id, nil, attrErr(protocol.RTMAttributeFailure, "%v", err))
		return
	}
	keys := req.Keys
	if len(keys) == 0 {
		keys = nil
	}
	c.reply(id, protocol.RTMChannelAttributesResponse{ChannelID: req.ChannelID, Attributes: cur.sorted(keys), Revision: cur.Version}, nil)
}

// sweepAttributes marks channels with attributes and no members, and
// deletes the attributes of those empty for rtm.timers.attributeClear.
func (s *Service) sweepAttributes(now time.Time) {
	ctx, cancel := context.WithTimeout(s.ctx, 10*time.Second)
	defer cancel()
	lister, err := s.kvChAttrs.ListKeys(ctx)
	if err != nil {
		return
	}
	var keys []string
	for k := range lister.Keys() {
		keys = append(keys, k)
	}
	for _, ckey := range keys {
		e, err := s.kvChAttrs.Get(ctx, ckey)
		if err != nil {
			continue
		}
		var cur chAttrs
		if json.Unmarshal(e.Value(), &cur) != nil {
			continue
		}
		s.mu.Lock()
		empty := s.memberCountLocked(ckey) == 0
		s.mu.Unlock()
		switch {
		case !empty && cur.EmptySince != 0:
			cur.EmptySince = 0
			_, _ = s.kvChAttrs.Update(ctx, ckey, mustJSON(cur), e.Revision())
		case empty && cur.EmptySince == 0:
			cur.EmptySince = now.UnixMilli()
			_, _ = s.kvChAttrs.Update(ctx, ckey, mustJSON(cur), e.Revision())
		case empty && now.Sub(time.UnixMilli(cur.EmptySince)) >= s.cfg.Timers.AttributeClear:
			if err := s.kvChAttrs.Delete(ctx, ckey, jetstream.LastRevision(e.Revision())); err == nil {
				s.log.Debug("RTM channel attributes cleared", "channel", ckey)
			}
		}
	}
}

// userAttrs is a user's attribute set, owned by one session.
type userAttrs struct {
	SID   string                           `json:"sid"`
	Attrs map[string]protocol.RTMAttribute `json:"attrs"`
}

func (s *Service) handleUserAttrs(c *wsConn, se *session, id uint64, typ protocol.Type, data json.RawMessage) {
	op := attrOpOf(typ)
	var req protocol.RTMUserAttributesRequest
	if len(data) > 0 {
		if err := json.Unmarshal(data, &req); err != nil {
			c.reply(id, nil, attrErr(protocol.RTMAttributeInvalidArgument, "%s: %v", typ, err))
			return
		}
	}
	if e := s.checkAttrs(op, req.Attributes, req.Keys); e != nil {
		c.reply(id, nil, e)
		return
	}
	if !se.lUW.Allow() {
		c.reply(id, nil, attrErr(protocol.RTMAttributeTooOften, "more than %s user attribute writes", s.cfg.Rates.UserAttributeWrites))
		return
	}
	ctx, cancel := context.WithTimeout(s.ctx, 5*time.Second)
	defer cancel()
	for range 20 {
		var cur userAttrs
		var rev uint64
		e, err := s.kvUserAttrs.Get(ctx, se.key)
		if err == nil {
			_ = json.Unmarshal(e.Value(), &cur)
			rev = e.Revision()
		} else if !errors.Is(err, jetstream.ErrKeyNotFound) {
			c.reply(id, nil, attrErr(protocol.RTMAttributeFailure, "%v", err))
			return
		}
		if cur.SID != se.sid || cur.Attrs == nil {
			cur = userAttrs{SID: se.sid, Attrs: map[string]protocol.RTMAttribute{}}
		}
		if e := applyAttrs(cur.Attrs, op, req.Attributes, req.Keys, "", 0, 0,
			s.cfg.Limits.MaxUserAttributes, s.cfg.Limits.MaxUserAttributesBytes); e != nil {
			c.reply(id, nil, e)
			return
		}
		if rev == 0 {
			_, err = s.kvUserAttrs.Create(ctx, se.key, mustJSON(cur))
		} else {
			_, err = s.kvUserAttrs.Update(ctx, se.key, mustJSON(cur), rev)
		}
		if errors.Is(err, jetstream.ErrKeyExists) {
			continue
		}
		if err != nil {
			c.reply(id, nil, attrErr(protocol.RTMAttributeFailure, "%v", err))
			return
		}
		c.reply(id, struct{}{}, nil)
		return
	}
	c.reply(id, nil, attrErr(protocol.RTMAttributeTimeout, "too many concurrent writes"))
}

func (s *Service) handleGetUserAttrs(c *wsConn, se *session, id uint64, data json.RawMessage) {
	var req protocol.RTMUserAttributesRequest
	if err := json.Unmarshal(data, &req); err != nil {
		c.reply(id, nil, attrErr(protocol.RTMAttributeInvalidArgument, "get-user-attributes: %v", err))
		return
	}
	if err := protocol.ValidateRTMUserID(req.UserID); err != nil {
		c.reply(id, nil, attrErr(protocol.RTMAttributeInvalidArgument, "%v", err))
		return
	}
	if !se.lUR.Allow() {
		c.reply(id, nil, attrErr(protocol.RTMAttributeTooOften, "more than %s user attribute reads", s.cfg.Rates.UserAttributeReads))
		return
	}
	ukey := userKey(se.app.ID, req.UserID)
	s.mu.Lock()
	rec, online := s.mirS[ukey]
	s.mu.Unlock()
	if !online {
		c.reply(id, nil, attrErr(protocol.RTMAttributeUserNotFound, "user %q is not online", req.UserID))
		return
	}
	ctx, cancel := context.WithTimeout(s.ctx, 5*time.Second)
	defer cancel()
	var cur userAttrs
	if e, err := s.kvUserAttrs.Get(ctx, ukey); err == nil {
		_ = json.Unmarshal(e.Value(), &cur)
	}
	if cur.SID != rec.SID {
		cur.Attrs = nil
	}
	keys := req.Keys
	if len(keys) == 0 {
		keys = nil
	}
	all := chAttrs{Attrs: cur.Attrs}
	c.reply(id, protocol.RTMUserAttributesResponse{UserID: req.UserID, Attributes: all.sorted(keys)}, nil)
}
