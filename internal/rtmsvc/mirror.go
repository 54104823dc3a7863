package rtmsvc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/cohost-rtc/cohost/internal/cluster"
	"github.com/cohost-rtc/cohost/protocol"
)

// startMirrors watches the sessions and members buckets and returns once
// both mirrors hold the buckets' current content.
func (s *Service) startMirrors(ctx context.Context) error {
	ws, err := s.kvSessions.WatchAll(s.ctx)
	if err != nil {
		return fmt.Errorf("rtmsvc: watch sessions: %w", err)
	}
	wm, err := s.kvMembers.WatchAll(s.ctx)
	if err != nil {
		_ = ws.Stop()
		return fmt.Errorf("rtmsvc: watch members: %w", err)
	}
	run := func(w jetstream.KeyWatcher, apply func(jetstream.KeyValueEntry), ready *bool) {
		defer s.wg.Done()
		defer func() { _ = w.Stop() }()
		for {
			select {
			case <-s.ctx.Done():
				return
			case e, ok := <-w.Updates():
				if !ok {
					return
				}
				if e == nil {
					s.mu.Lock()
					*ready = true
					s.cond.Broadcast()
					s.mu.Unlock()
					continue
				}
				apply(e)
			}
		}
	}
	s.wg.Add(2)
	go run(ws, s.applySession, &s.readyS)
	go run(wm, s.applyMember, &s.readyM)
	stop := context.AfterFunc(ctx, func() {
		s.mu.Lock()
		s.cond.Broadcast()
		s.mu.Unlock()
	})
	defer stop()
	s.mu.Lock()
	defer s.mu.Unlock()
	for !(s.readyS && s.readyM) {
		if ctx.Err() != nil {
			return errors.New("rtmsvc: the mirrors did not load in time")
		}
		s.cond.Wait()
	}
	return nil
}

// waitMirror waits until the mirror of bucket (sessions when members is
// false) has applied revision rev, so that a node reads its own writes.
func (s *Service) waitMirror(members bool, rev uint64) {
	ctx, cancel := context.WithTimeout(s.ctx, 5*time.Second)
	defer cancel()
	stop := context.AfterFunc(ctx, func() {
		s.mu.Lock()
		s.cond.Broadcast()
		s.mu.Unlock()
	})
	defer stop()
	s.mu.Lock()
	defer s.mu.Unlock()
	for ctx.Err() == nil {
		cur := s.revS
		if members {
			cur = s.revM
		}
		if cur >= rev {
			return
		}
		s.cond.Wait()
	}
}

func presenceOf(r sessRec, present bool) protocol.RTMPeerOnlineState {
	switch {
	case !present:
		return protocol.RTMPeerOffline
	case r.Unreachable:
		return protocol.RTMPeerUnreachable
	}
	return protocol.RTMPeerOnline
}

func (s *Service) applySession(e jetstream.KeyValueEntry) {
	key := e.Key()
	var rec sessRec
	present := e.Operation() == jetstream.KeyValuePut && json.Unmarshal(e.Value(), &rec) == nil
	rec.rev = e.Revision()
	s.mu.Lock()
	defer s.mu.Unlock()
	old, had := s.mirS[key]
	if present {
		s.mirS[key] = rec
	} else {
		delete(s.mirS, key)
	}
	s.revS = max(s.revS, e.Revision())
	s.cond.Broadcast()
	if se := s.sessions[key]; se != nil && !se.ended && present && rec.rev > se.rev {
		switch {
		case rec.SID != se.sid:
			// A later login of the same user, here or on another node.
			go s.endSession(se, endRemoteLogin)
		case rec.Node != s.node:
			// The client resumed its session on another node.
			go s.endSession(se, endMoved)
		}
	}
	if ns := presenceOf(rec, present); presenceOf(old, had) != ns {
		user, ok := decodeUserKey(key)
		if !ok {
			return
		}
		for w := range s.watchers[key] {
			w.pushPresenceLocked(user, ns)
		}
	}
}

func (s *Service) applyMember(e jetstream.KeyValueEntry) {
	ckey, user, ok := splitMemberKey(e.Key())
	if !ok {
		return
	}
	var rec memberRec
	present := e.Operation() == jetstream.KeyValuePut && json.Unmarshal(e.Value(), &rec) == nil
	rec.rev = e.Revision()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.revM = max(s.revM, e.Revision())
	s.cond.Broadcast()
	m := s.mirM[ckey]
	_, existed := m[user]
	var typ protocol.Type
	switch {
	case present:
		if m == nil {
			m = map[string]memberRec{}
			s.mirM[ckey] = m
		}
		m[user] = rec
		if !existed {
			typ = protocol.RTMEventMemberJoined
		}
	case existed:
		delete(m, user)
		if len(m) == 0 {
			delete(s.mirM, ckey)
		}
		typ = protocol.RTMEventMemberLeft
	}
	if typ == "" {
		return
	}
	ch, _ := decodeUserKey(ckey)
	ev := mustJSON(protocol.RTMMemberEvent{ChannelID: ch, UserID: user})
	for se := range s.chLocal[ckey] {
		if se.user != user {
			se.pushLocked(typ, ev)
		}
	}
	if len(s.chLocal[ckey]) > 0 {
		s.countDue[ckey] = true
	}
}

// memberCountLocked is the number of members of a channel.
func (s *Service) memberCountLocked(ckey string) int { return len(s.mirM[ckey]) }

// membersLocked lists a channel's members, sorted.
func (s *Service) membersLocked(ckey string) []string {
	out := make([]string, 0, len(s.mirM[ckey]))
	for u := range s.mirM[ckey] {
		out = append(out, u)
	}
	slices.Sort(out)
	return out
}

// janitor sends due member counts, expires pending acknowledgements and,
// on the leader node, cleans up after dead nodes and clears the
// attributes of channels left empty.
func (s *Service) janitor() {
	defer s.wg.Done()
	hbEvery := max(s.reg.Timeout()/4, 20*time.Millisecond)
	attrEvery := max(s.cfg.Timers.AttributeClear/4, 50*time.Millisecond)
	tick := time.NewTicker(min(hbEvery, 250*time.Millisecond))
	defer tick.Stop()
	var lastHB, lastAttr time.Time
	for {
		select {
		case <-s.ctx.Done():
			return
		case now := <-tick.C:
			if now.Sub(lastHB) >= hbEvery {
				lastHB = now
				if s.leader(now) {
					s.sweepSessions(now)
				}
			}
			s.sendCounts(now)
			s.expireAcks(now)
			if now.Sub(lastAttr) >= attrEvery && s.leader(now) {
				lastAttr = now
				s.sweepAttributes(now)
			}
		}
	}
}

// alive reports whether the registry counts node among the live nodes.
func (s *Service) alive(node string) bool { return s.reg.Alive(cluster.NodeID(node)) }

// leader reports whether this node does the cluster-wide cleanup: the
// smallest id among the live nodes, once it has run long enough to know
// them.
func (s *Service) leader(now time.Time) bool {
	if now.Sub(s.start) < s.reg.Timeout() {
		return false
	}
	return s.reg.Nodes()[0].ID == cluster.NodeID(s.node)
}

// sweepSessions ends the sessions of dead nodes and removes memberships
// whose session is gone.
func (s *Service) sweepSessions(now time.Time) {
	type dead struct {
		key string
		rec sessRec
	}
	var deads []dead
	sids := map[string]bool{}
	s.mu.Lock()
	for k, r := range s.mirS {
		sids[r.SID] = true
		if !s.alive(r.Node) {
			deads = append(deads, dead{k, r})
		}
	}
	type orphan struct {
		key string
		rev uint64
	}
	var orphans []orphan
	for ckey, m := range s.mirM {
		for u, r := range m {
			if !sids[r.SID] && now.Sub(time.UnixMilli(r.TS)) > s.reg.Timeout() {
				orphans = append(orphans, orphan{ckey + "." + enc(u), r.rev})
			}
		}
	}
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(s.ctx, 10*time.Second)
	defer cancel()
	for _, d := range deads {
		s.log.Info("RTM session of a dead node ended", "node", d.rec.Node, "key", d.key)
		s.removeSessionState(ctx, d.key, d.rec.SID)
		_ = s.kvSessions.Delete(ctx, d.key, jetstream.LastRevision(d.rec.rev))
	}
	for _, o := range orphans {
		_ = s.kvMembers.Delete(ctx, o.key, jetstream.LastRevision(o.rev))
	}
}

// removeSessionState deletes the memberships and user attributes that
// belong to session sid of user key ukey.
func (s *Service) removeSessionState(ctx context.Context, ukey, sid string) {
	app, _, _ := cutDot(ukey)
	user, _ := decodeUserKey(ukey)
	type del struct {
		key string
		rev uint64
	}
	var dels []del
	s.mu.Lock()
	for ckey, m := range s.mirM {
		if r, ok := m[user]; ok && r.SID == sid && hasPrefixApp(ckey, app) {
			dels = append(dels, del{ckey + "." + enc(user), r.rev})
		}
	}
	s.mu.Unlock()
	for _, d := range dels {
		_ = s.kvMembers.Delete(ctx, d.key, jetstream.LastRevision(d.rev))
	}
	if e, err := s.kvUserAttrs.Get(ctx, ukey); err == nil {
		var ua userAttrs
		if json.Unmarshal(e.Value(), &ua) == nil && ua.SID == sid {
			_ = s.kvUserAttrs.Delete(ctx, ukey, jetstream.LastRevision(e.Revision()))
		}
	}
}

func cutDot(s string) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

func hasPrefixApp(key, app string) bool {
	return len(key) > len(app) && key[:len(app)] == app && key[len(app)] == '.'
}

// sendCounts sends the member count of channels whose membership changed,
// at most once per second per channel.
func (s *Service) sendCounts(now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for ckey := range s.countDue {
		if now.Sub(s.countSent[ckey]) < time.Second {
			continue
		}
		delete(s.countDue, ckey)
		local := s.chLocal[ckey]
		if len(local) == 0 {
			delete(s.countSent, ckey)
			continue
		}
		s.countSent[ckey] = now
		ch, _ := decodeUserKey(ckey)
		ev := mustJSON(protocol.RTMMemberCountEvent{ChannelID: ch, Count: s.memberCountLocked(ckey)})
		for se := range local {
			se.pushLocked(protocol.RTMEventMemberCountUpdated, ev)
		}
	}
}
