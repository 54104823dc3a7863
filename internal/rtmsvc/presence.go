package rtmsvc

import (
	"encoding/json"
	"slices"

	"github.com/cohost-rtc/cohost/protocol"
)

func (s *Service) peersRequest(c *wsConn, id uint64, data json.RawMessage, max int) ([]string, bool) {
	var req protocol.RTMPeersRequest
	if err := json.Unmarshal(data, &req); err != nil || len(req.PeerIDs) == 0 {
		c.reply(id, nil, protocol.NewRTMError(protocol.RTMQueryPeersInvalidArgument, "no peer ids"))
		return nil, false
	}
	if len(req.PeerIDs) > max {
		c.reply(id, nil, protocol.NewRTMError(protocol.RTMQueryPeersInvalidArgument, "%d peer ids, over the limit of %d", len(req.PeerIDs), max))
		return nil, false
	}
	for _, p := range req.PeerIDs {
		if err := protocol.ValidateRTMUserID(p); err != nil {
			c.reply(id, nil, protocol.NewRTMError(protocol.RTMQueryPeersInvalidArgument, "%v", err))
			return nil, false
		}
	}
	return req.PeerIDs, true
}

func (s *Service) handleQueryPeers(c *wsConn, se *session, id uint64, data json.RawMessage) {
	peers, ok := s.peersRequest(c, id, data, s.cfg.Limits.MaxPresenceQuery)
	if !ok {
		return
	}
	if !se.lPQ.Allow() {
		c.reply(id, nil, protocol.NewRTMError(protocol.RTMQueryPeersTooOften, "more than %s online status queries", s.cfg.Rates.PresenceQueries))
		return
	}
	resp := protocol.RTMPeersOnlineStatusResponse{Statuses: map[string]protocol.RTMPeerOnlineState{}}
	s.mu.Lock()
	for _, p := range peers {
		st := protocol.RTMPeerOffline
		if _, ok := s.mirS[userKey(se.app.ID, p)]; ok {
			st = protocol.RTMPeerOnline // a query never answers UNREACHABLE
		}
		resp.Statuses[p] = st
	}
	s.mu.Unlock()
	c.reply(id, resp, nil)
}

func (s *Service) handleSubscribePeers(c *wsConn, se *session, id uint64, data json.RawMessage) {
	peers, ok := s.peersRequest(c, id, data, s.cfg.Limits.MaxPresenceSubscriptions)
	if !ok {
		return
	}
	if !se.lPS.Allow() {
		c.reply(id, nil, protocol.NewRTMError(protocol.RTMQueryPeersTooOften, "more than %s online status subscriptions", s.cfg.Rates.PresenceSubscriptions))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(se.watching)
	for _, p := range peers {
		if !se.watching[userKey(se.app.ID, p)] {
			n++
		}
	}
	if n > s.cfg.Limits.MaxPresenceSubscriptions {
		c.reply(id, nil, protocol.NewRTMError(protocol.RTMQueryPeersOverflow, "%d subscribed peers, over the limit of %d", n, s.cfg.Limits.MaxPresenceSubscriptions))
		return
	}
	snap := map[string]protocol.RTMPeerOnlineState{}
	for _, p := range peers {
		ukey := userKey(se.app.ID, p)
		se.watching[ukey] = true
		w := s.watchers[ukey]
		if w == nil {
			w = map[*session]struct{}{}
			s.watchers[ukey] = w
		}
		w[se] = struct{}{}
		rec, present := s.mirS[ukey]
		st := presenceOf(rec, present)
		se.lastState[p] = st
		snap[p] = st
	}
	c.reply(id, struct{}{}, nil)
	c.event(protocol.RTMEventPeersOnlineStatus, mustJSON(protocol.RTMPeersOnlineStatusEvent{Statuses: snap}))
}

func (s *Service) unwatchLocked(se *session, ukey string) {
	delete(se.watching, ukey)
	if w := s.watchers[ukey]; w != nil {
		delete(w, se)
		if len(w) == 0 {
			delete(s.watchers, ukey)
		}
	}
	if u, ok := decodeUserKey(ukey); ok {
		delete(se.lastState, u)
	}
}

func (s *Service) handleUnsubscribePeers(c *wsConn, se *session, id uint64, data json.RawMessage) {
	peers, ok := s.peersRequest(c, id, data, s.cfg.Limits.MaxPresenceSubscriptions)
	if !ok {
		return
	}
	if !se.lPS.Allow() {
		c.reply(id, nil, protocol.NewRTMError(protocol.RTMQueryPeersTooOften, "more than %s online status subscriptions", s.cfg.Rates.PresenceSubscriptions))
		return
	}
	s.mu.Lock()
	for _, p := range peers {
		s.unwatchLocked(se, userKey(se.app.ID, p))
	}
	s.mu.Unlock()
	c.reply(id, struct{}{}, nil)
}

func (s *Service) handleQueryBySubscription(c *wsConn, se *session, id uint64, _ json.RawMessage) {
	s.mu.Lock()
	out := make([]string, 0, len(se.watching))
	for ukey := range se.watching {
		if u, ok := decodeUserKey(ukey); ok {
			out = append(out, u)
		}
	}
	s.mu.Unlock()
	slices.Sort(out)
	c.reply(id, protocol.RTMPeersResponse{PeerIDs: out}, nil)
}
