package server

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/cohost-rtc/cohost/internal/cluster"
	"github.com/cohost-rtc/cohost/internal/sfu"
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

// onMove starts a hand-over of the channel whose owner says it drains
// (edgeMove): the owner publishes no more events for it and released its
// lease, so its members here go to the next owner as when an owner dies,
// without waiting for the owner to be gone.
func (e *edgeState) onMove(m *nats.Msg) {
	var req edgeMove
	if json.Unmarshal(m.Data, &req) != nil || req.Node == "" || req.Node == e.self {
		e.malformed("edge")
		return
	}
	e.mu.Lock()
	ec := e.chans[channelKey{app: req.App, name: req.Channel}]
	if e.stopping || ec == nil {
		e.mu.Unlock()
		return
	}
	e.wg.Add(1)
	e.mu.Unlock()
	defer e.wg.Done()
	if ec.ownerNode() == req.Node {
		ec.startHandOver()
	}
}

// startHandOver begins moving the channel's members to its next owner
// (once; nothing when the channel is gone). The caller holds a count of
// e.wg (the sweep, or onMove).
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
	reasons := map[string]protocol.ConnectionChangedReason{}
	for _, sid := range r.Gone {
		reasons[sid] = protocol.ReasonSameUIDLogin
	}
	for _, sid := range r.Refused {
		reasons[sid] = protocol.ReasonServerShutdown
	}
	ended := map[*Participant]protocol.ConnectionChangedReason{}
	for p := range ec.members {
		if reason, ok := reasons[p.sessionID]; ok {
			ended[p] = reason
			delete(ec.members, p)
		}
	}
	events, awaited := ec.differencesLocked(r, req.From)
	ec.awaited = awaited
	for _, b := range events {
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
	for p, reason := range ended {
		msg := "the same uid joined the channel from another connection"
		if reason == protocol.ReasonServerShutdown {
			msg = "the channel's next node has no room for this member: join again"
		}
		p.edgeKicked.Store(true)
		p.disconnect(reason, msg)
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
// channel as this node knew it to the channel as r describes it (the
// caller delivers them, deliverLocked): the tracks of hosts not connected
// here are unpublished (a host of the dead node publishes again when it
// joins again), hosts no longer there leave, new hosts join, and the
// tracks the owner lists are published. A track this node pulls from a
// live node other than the dead one (its host is connected there, and
// stays) is kept as it is: unless the owner lists it with another codec
// or its host left, the members hear nothing about it, and keep
// receiving it; when the owner does not list it yet (the host's node has
// not handed its members over), it is returned in awaited, whose
// announcement is not passed on (awaitedLocked). Caller holds ec.mu.
func (ec *edgeChannel) differencesLocked(r edgeAdoptReply, dead cluster.NodeID) (out [][]byte, awaited map[subKey]protocol.Codec) {
	type described struct {
		b  []byte
		ev memberEvent
	}
	here := map[protocol.UID]bool{} // members connected here: their own state is no news
	for p := range ec.members {
		here[p.uid] = true
	}
	var snapshot []described
	joined := map[protocol.UID]bool{}
	published := map[subKey]protocol.Codec{}
	for _, b := range r.Snapshot {
		ev, ok := decodeMemberEvent(b)
		if !ok {
			continue
		}
		snapshot = append(snapshot, described{b, ev})
		switch ev.typ {
		case protocol.EventUserJoined:
			joined[ev.uid] = true
		case protocol.EventUserPublished:
			published[ev.key] = ev.codec
		}
	}
	pulled := ec.rt.pulledFrom()
	// fromLiveHost: the track comes from a node that lives on (not the
	// dead owner, not this node), whose host the owner still counts in.
	fromLiveHost := func(key subKey) bool {
		from, ok := pulled[key]
		return ok && from != dead && from != ec.e.self && ec.e.reg.Alive(from) && joined[key.uid]
	}
	kept := map[subKey]bool{}
	for key, codec := range ec.rt.list() {
		c, listed := published[key]
		switch {
		case listed && c == codec && here[key.uid]:
			continue // a host connected here keeps its tracks
		case listed && c == codec && fromLiveHost(key):
			kept[key] = true
			continue
		case !listed && fromLiveHost(key):
			kept[key] = true
			if awaited == nil {
				awaited = map[subKey]protocol.Codec{}
			}
			awaited[key] = codec
			continue
		}
		out = append(out, encodeEvent(protocol.EventUserUnpublished, protocol.UserPublishedEvent{UID: key.uid, MediaType: key.mt}))
	}
	for uid := range ec.present {
		if !joined[uid] && !here[uid] {
			out = append(out, encodeEvent(protocol.EventUserLeft, protocol.UserLeftEvent{UID: uid, Reason: protocol.OfflineDropped}))
		}
	}
	for _, d := range snapshot {
		if here[d.ev.uid] {
			continue
		}
		_, known := ec.present[d.ev.uid]
		switch d.ev.typ {
		case protocol.EventUserJoined:
			if !known {
				out = append(out, d.b)
			}
		case protocol.EventUserPublished:
			if !kept[d.ev.key] {
				out = append(out, d.b)
			}
		case protocol.EventUserMuted:
			out = append(out, d.b)
		}
	}
	return out, awaited
}

// awaitedLocked reports whether ev, an event of the owner, announces a
// track a hand-over kept (differencesLocked) with the codec it has: the
// members already receive it, so the event is dropped. Any other event
// about an awaited track ends the wait. Caller holds ec.mu.
func (ec *edgeChannel) awaitedLocked(ev memberEvent) bool {
	if len(ec.awaited) == 0 {
		return false
	}
	switch ev.typ {
	case protocol.EventUserPublished:
		codec, waiting := ec.awaited[ev.key]
		delete(ec.awaited, ev.key)
		return waiting && codec == ev.codec
	case protocol.EventUserUnpublished:
		delete(ec.awaited, ev.key)
	case protocol.EventUserLeft:
		delete(ec.awaited, subKey{uid: ev.uid, mt: protocol.MediaAudio})
		delete(ec.awaited, subKey{uid: ev.uid, mt: protocol.MediaVideo})
	}
	return false
}

// deliverLocked applies an event this node makes up in a hand-over to
// what it knows and sends it to every local member it is not about.
// Caller holds ec.mu.
func (ec *edgeChannel) deliverLocked(b []byte) {
	ev, ok := decodeMemberEvent(b)
	if ok {
		ec.mirrorLocked(ev)
	}
	for p := range ec.members {
		if p.uid != ev.uid {
			p.sendRaw(b)
		}
	}
}

// localSource finds uid's mt track for this node as the channel's owner:
// the track itself when its publisher is connected here (a member of the
// channel, or a host kept in this node's edge channel after a
// hand-over), else the node to pull it from, else neither.
func (e *edgeState) localSource(key channelKey, uid protocol.UID, mt protocol.MediaType) (*sfu.PublishedTrack, cluster.NodeID) {
	s := e.s
	s.mu.Lock()
	ch := s.channels[key]
	s.mu.Unlock()
	if ch != nil {
		var pt *pubTrack
		var node cluster.NodeID
		ch.mu.Lock()
		if q := ch.users[uid]; q != nil && ch.visible(q) {
			pt, node = q.published[mt], q.remote
		}
		ch.mu.Unlock()
		switch {
		case pt != nil && pt.track != nil:
			return pt.track, ""
		case pt != nil && node != e.self:
			return nil, node
		}
	}
	if pt := e.edgeHostTrack(key, uid, mt); pt != nil {
		return pt.track, ""
	}
	return nil, ""
}

// edgeHostTrack finds uid's mt track published on this node by a host
// of the channel's edge channel here (a node that took a channel over
// keeps its own members there).
func (e *edgeState) edgeHostTrack(key channelKey, uid protocol.UID, mt protocol.MediaType) *pubTrack {
	e.mu.Lock()
	ec := e.chans[key]
	e.mu.Unlock()
	if ec == nil {
		return nil
	}
	if pt := ec.hostTrack(uid, mt); pt != nil && pt.track != nil {
		return pt
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
