package server

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/cohost-rtc/cohost/internal/cluster"
	"github.com/cohost-rtc/cohost/protocol"
)

// The edge's side of a hand-over: when the owner of a channel this node
// serves dies, the node does not end its members' sessions. It finds the
// channel's next owner (the node holding the lease now, or itself when
// nobody took it: it takes the lease) and asks it to take its members as
// they are (edge_adopt.go), with the hosts it knew of. Its members keep
// their connections, uids, roles and subscriptions to hosts that are
// still there; they see what changed meanwhile as events (a host of the
// dead node that joined again already: user-unpublished then
// user-published for its tracks, as after a host's reconnection) and
// nothing else. The next owner may be this node: its members then stay
// members of the edge channel, whose owner is this node (events come back
// over NATS, tracks are taken locally instead of pulled).

// handOverTimeout bounds a hand-over, after which the members are told to
// join again (SERVER_SHUTDOWN) as before hand-overs existed.
const handOverTimeout = 15 * time.Second

// handOverAttemptTimeout bounds one attempt of a hand-over.
const handOverAttemptTimeout = 3 * time.Second

// startHandOver begins moving the channel's members to its next owner
// (once; nothing when the channel is gone). Called from the sweep, which
// holds a count of e.wg.
func (ec *edgeChannel) startHandOver() {
	e := ec.e
	ec.mu.Lock()
	if ec.dead || ec.moving != nil || !ec.synced {
		ec.mu.Unlock()
		if !ec.synced {
			ec.fail("the node hosting the channel died: join again through another node")
		}
		return
	}
	dead := ec.owner
	ec.moving = make(chan struct{})
	ec.ring = nil
	ec.mu.Unlock()
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		ec.handOver(dead)
	}()
}

// handOver asks the channel's next owner to take the members; it fails
// the channel (the members join again by themselves) when no node takes
// them within handOverTimeout.
func (ec *edgeChannel) handOver(dead cluster.NodeID) {
	e := ec.e
	s := e.s
	ctx, cancel := context.WithTimeout(e.ctx, handOverTimeout)
	defer cancel()
	start := time.Now()
	lk := leaseKeyOf(ec.key)
	var lastErr error
retry:
	for attempt := 0; ctx.Err() == nil; attempt++ {
		// Each attempt is bounded on its own: while the lease bucket's
		// stream elects a leader, a write waits for it, and a later
		// attempt finds the owner another node meanwhile became.
		actx, acancel := context.WithTimeout(ctx, handOverAttemptTimeout)
		owner, err := s.nats.place.leases.Holder(actx, lk)
		if err == nil && owner == "" {
			if s.Draining() {
				err = errDrainingNoOwner
			} else {
				owner, err = s.nats.place.leases.Acquire(actx, lk)
			}
		}
		if err == nil && owner != e.self && !e.reg.Alive(owner) {
			// The dead owner's entry is still fresh (renewed within the
			// lease time): it can be taken over in a moment.
			err = errOwnerNotAlive
		}
		if err == nil {
			var r edgeAdoptReply
			req := ec.adoptRequest(dead)
			err = e.request(actx, owner, edgeOpAdopt, req, &r)
			switch {
			case err == nil && r.Error != nil:
				acancel()
				lastErr = r.Error
				break retry
			case err == nil && !r.NotOwner:
				acancel()
				ec.adopted(owner, req, r)
				s.metrics.handovers.WithLabelValues("moved").Inc()
				s.logger.Info("moved a channel's members to its next owner", "channel", string(ec.key.name), "dead", string(dead),
					"owner", string(owner), "members", len(req.Members), "took", time.Since(start).Round(time.Millisecond))
				return
			}
		}
		acancel()
		if err != nil {
			lastErr = err
		}
		wait := time.Duration(min(attempt+1, 5)) * 100 * time.Millisecond
		if errors.Is(err, errOwnerNotAlive) {
			wait = 50 * time.Millisecond
		}
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
	}
	s.logger.Warn("no node took a channel's members after its node died: they join again", "channel", string(ec.key.name),
		"dead", string(dead), "err", lastErr)
	s.metrics.handovers.WithLabelValues("failed").Inc()
	ec.fail("the node hosting the channel died: join again through another node")
}

// adoptRequest describes the members and the known hosts for the next
// owner.
func (ec *edgeChannel) adoptRequest(dead cluster.NodeID) edgeAdoptRequest {
	e := ec.e
	req := edgeAdoptRequest{Node: e.self, From: dead, App: ec.key.app, Channel: ec.key.name, Profile: ec.local.profile}
	ec.mu.Lock()
	members := make([]*Participant, 0, len(ec.members))
	for p := range ec.members {
		members = append(members, p)
	}
	hosts := make(map[protocol.UID]protocol.UserAccount, len(ec.present))
	for uid, acc := range ec.present {
		hosts[uid] = acc
	}
	ec.mu.Unlock()
	for _, p := range members {
		delete(hosts, p.uid)
		req.Members = append(req.Members, edgeAdoptMember{UID: p.uid, Account: p.account, Session: p.sessionID,
			Role: p.currentRole(), Tracks: p.edgeTracks()})
	}
	for uid, acc := range hosts {
		req.Hosts = append(req.Hosts, edgeAdoptMember{UID: uid, Account: acc, Role: protocol.RoleBroadcaster})
	}
	return req
}

// currentRole is p's role now, under its channel's lock.
func (p *Participant) currentRole() protocol.ClientRole {
	p.ch.mu.Lock()
	defer p.ch.mu.Unlock()
	return p.role
}

// edgeTracks lists the tracks p, a host connected here, publishes, named
// as its reports to the owner name them.
func (p *Participant) edgeTracks() []edgeTrackInfo {
	var out []edgeTrackInfo
	p.ch.mu.Lock()
	defer p.ch.mu.Unlock()
	if p.role != protocol.RoleBroadcaster {
		return nil
	}
	for _, mt := range []protocol.MediaType{protocol.MediaAudio, protocol.MediaVideo} {
		if pt := p.published[mt]; pt != nil && pt.track != nil {
			out = append(out, edgeTrackInfo{MediaType: mt, Codec: pt.track.Codec, ID: p.edgeIDs.id(pt.track), Muted: pt.muted})
		}
	}
	return out
}

// adopted follows the next owner, which took the members: the members
// hear what differs between the channel as they knew it and as the owner
// describes it, then the owner's events after r.Seq.
func (ec *edgeChannel) adopted(owner cluster.NodeID, req edgeAdoptRequest, r edgeAdoptReply) {
	e := ec.e
	ec.mu.Lock()
	moving := ec.moving
	ec.moving = nil
	if moving != nil {
		defer close(moving)
	}
	// Members that left while the owner took them leave it now.
	here := map[string]bool{}
	for p := range ec.members {
		here[p.sessionID] = true
	}
	for _, m := range req.Members {
		if !here[m.Session] {
			e.publish(nodeSubject(owner, edgeOpLeave), edgeLeave{Node: e.self, App: ec.key.app, Channel: ec.key.name,
				UID: m.UID, Session: m.Session, Reason: protocol.OfflineQuit})
		}
	}
	if ec.dead {
		ec.mu.Unlock()
		return
	}
	if ec.former == nil {
		ec.former = map[cluster.NodeID]bool{}
	}
	ec.former[ec.owner] = true
	delete(ec.former, owner)
	ec.owner = owner
	gone := map[string]bool{}
	for _, sid := range r.Gone {
		gone[sid] = true
	}
	var ended []*Participant
	for p := range ec.members {
		if gone[p.sessionID] {
			ended = append(ended, p)
			delete(ec.members, p)
		}
	}
	for _, b := range ec.differencesLocked(r) {
		ec.deliverLocked(b)
	}
	ec.synced, ec.last = true, r.Seq
	for p := range ec.members {
		ec.members[p] = r.Seq
	}
	pending := ec.ring
	ec.ring = nil
	failed := false
	for _, ev := range pending {
		if ev.Owner != owner || ev.Seq <= ec.last {
			continue
		}
		if ev.Seq != ec.last+1 {
			failed = true
			break
		}
		ec.applyLocked(ev)
	}
	empty := ec.emptyLocked()
	ec.mu.Unlock()
	for _, p := range ended {
		p.edgeKicked.Store(true)
		p.disconnect(protocol.ReasonSameUIDLogin, "the same uid joined the channel from another connection")
		ec.e.s.removeParticipant(p, protocol.OfflineQuit)
	}
	switch {
	case empty:
		ec.release()
	case failed:
		ec.fail("channel events were lost between nodes: join again")
	}
}

// differencesLocked returns the events that bring the members from the
// channel as this node knew it to the channel as r describes it, and
// applies them to what the node knows: the tracks of hosts not connected
// here are unpublished (a host of the dead node publishes again when it
// joins again; a host of another node is published again, pulled from
// there), hosts no longer there leave, new hosts join, and the tracks
// the owner lists are published. Caller holds ec.mu.
func (ec *edgeChannel) differencesLocked(r edgeAdoptReply) [][]byte {
	joined := map[protocol.UID]bool{}
	published := map[subKey]protocol.Codec{}
	for _, b := range r.Snapshot {
		var env protocol.Envelope
		if json.Unmarshal(b, &env) != nil {
			continue
		}
		switch env.Type {
		case protocol.EventUserJoined:
			var d protocol.UserJoinedEvent
			if json.Unmarshal(env.Data, &d) == nil {
				joined[d.UID] = true
			}
		case protocol.EventUserPublished:
			var d protocol.UserPublishedEvent
			if json.Unmarshal(env.Data, &d) == nil {
				published[subKey{uid: d.UID, mt: d.MediaType}] = d.Codec
			}
		}
	}
	kept := map[subKey]bool{}
	var out [][]byte
	for key, codec := range ec.rt.list() {
		if c, ok := published[key]; ok && c == codec && ec.isMemberLocked(key.uid) {
			kept[key] = true
			continue
		}
		out = append(out, encodeEvent(protocol.EventUserUnpublished, protocol.UserPublishedEvent{UID: key.uid, MediaType: key.mt}))
	}
	for uid := range ec.present {
		if !joined[uid] && !ec.isMemberLocked(uid) {
			out = append(out, encodeEvent(protocol.EventUserLeft, protocol.UserLeftEvent{UID: uid, Reason: protocol.OfflineDropped}))
		}
	}
	for _, b := range r.Snapshot {
		var env protocol.Envelope
		if json.Unmarshal(b, &env) != nil {
			continue
		}
		switch env.Type {
		case protocol.EventUserJoined:
			var d protocol.UserJoinedEvent
			if json.Unmarshal(env.Data, &d) != nil {
				continue
			}
			if _, known := ec.present[d.UID]; !known && !ec.isMemberLocked(d.UID) {
				out = append(out, b)
			}
		case protocol.EventUserPublished, protocol.EventUserMuted:
			var d protocol.UserPublishedEvent
			if json.Unmarshal(env.Data, &d) == nil && !kept[subKey{uid: d.UID, mt: d.MediaType}] && !ec.isMemberLocked(d.UID) {
				out = append(out, b)
			}
		}
	}
	return out
}

// isMemberLocked reports whether uid is a member connected here (its own
// state is not a difference to tell). Caller holds ec.mu.
func (ec *edgeChannel) isMemberLocked(uid protocol.UID) bool {
	for p := range ec.members {
		if p.uid == uid {
			return true
		}
	}
	return false
}

// deliverLocked applies an event this node makes up in a hand-over to
// what it knows and sends it to every local member it is not about.
// Caller holds ec.mu.
func (ec *edgeChannel) deliverLocked(b []byte) {
	ec.mirrorLocked(b)
	about := eventSubject(b)
	for p := range ec.members {
		if p.uid != about {
			p.sendRaw(b)
		}
	}
}

// eventSubject is the uid an event about a member names.
func eventSubject(b []byte) protocol.UID {
	var env protocol.Envelope
	if json.Unmarshal(b, &env) != nil {
		return 0
	}
	var d struct {
		UID protocol.UID `json:"uid"`
	}
	if json.Unmarshal(env.Data, &d) != nil {
		return 0
	}
	return d.UID
}

// ownedTrack finds, on the channel's owner, uid's mt track: published
// here (pt), or the node where its publisher is connected (from), or
// neither.
func (s *Server) ownedTrack(key channelKey, uid protocol.UID, mt protocol.MediaType) (pt *pubTrack, from cluster.NodeID) {
	s.mu.Lock()
	ch := s.channels[key]
	s.mu.Unlock()
	if ch == nil {
		return nil, ""
	}
	ch.mu.Lock()
	defer ch.mu.Unlock()
	q := ch.users[uid]
	if q == nil || !ch.visible(q) || q.published[mt] == nil {
		return nil, ""
	}
	if pt := q.published[mt]; pt.track != nil {
		return pt, ""
	}
	if q.remote == s.nats.edge.self {
		return nil, "" // a host of this node's edge channel: the caller looked there
	}
	return nil, q.remote
}

// edgeLocalTrack finds uid's mt track published on this node by a host
// of the channel's edge channel here (a node that took over a channel
// keeps its own members there).
func (e *edgeState) edgeLocalTrack(key channelKey, uid protocol.UID, mt protocol.MediaType) *pubTrack {
	e.mu.Lock()
	ec := e.chans[key]
	e.mu.Unlock()
	if ec == nil {
		return nil
	}
	l := ec.local
	l.mu.Lock()
	defer l.mu.Unlock()
	if q := l.users[uid]; q != nil && q.role == protocol.RoleBroadcaster {
		if pt := q.published[mt]; pt != nil && pt.track != nil {
			return pt
		}
	}
	return nil
}

// ownerAfterMove is the channel's owner once a hand-over in progress
// ended (or ctx did), for a request to it.
func (ec *edgeChannel) ownerAfterMove(ctx context.Context) cluster.NodeID {
	ec.mu.Lock()
	moving := ec.moving
	ec.mu.Unlock()
	if moving != nil {
		select {
		case <-moving:
		case <-ctx.Done():
		}
	}
	return ec.ownerNode()
}
