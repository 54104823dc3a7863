package server

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cohost-rtc/cohost/internal/cluster"
	"github.com/cohost-rtc/cohost/protocol"
)

// The edge's side of an owner's end: when the owner of a channel it
// serves dies (the registry marks it dead) or hands the channel over (it
// drains), the edge keeps its members' sessions and carries them over to
// the channel's next owner. It takes the channel's lease itself if it can
// (compare-and-set: one node wins), else it finds the node that did; it
// then gives that node its members (edgeOpAdopt) with their sessions,
// roles and tracks, and the visible members it knew of, and follows the
// new owner's events from the number the owner answers with. The members
// keep their connections, subscriptions and media; they are told nothing.

// edgeMoveRetry is the pause between two attempts to carry the members
// over.
const edgeMoveRetry = 100 * time.Millisecond

// errNotOwner: the node asked to adopt the members does not own the
// channel (yet).
var errNotOwner = errors.New("server: the node does not own the channel")

// ownerID is the node the edge follows now.
func (ec *edgeChannel) ownerID() cluster.NodeID {
	ec.mu.Lock()
	defer ec.mu.Unlock()
	return ec.owner
}

// movingPE refuses a join while the members are carried over.
func movingPE() *protocol.Error {
	return perr(protocol.ErrNoServerResources, "cluster: the channel is moving to another node; try again")
}

// movingFor refuses a join to the channel whose owner is now owner
// (holder of the lease, "" when none lives) while the members are being
// carried over, and starts carrying them when owner is not the one
// followed. Caller holds e.mu.
func (ec *edgeChannel) movingFor(owner cluster.NodeID) *protocol.Error {
	ec.mu.Lock()
	defer ec.mu.Unlock()
	switch {
	case ec.dead:
		return nil
	case ec.moving:
		return movingPE()
	case owner != ec.owner || !ec.e.reg.Alive(owner):
		ec.takeOverLocked()
		return movingPE()
	}
	return nil
}

// joinGuard is movingFor for a join reaching this node for key, whose
// lease holder is owner.
func (e *edgeState) joinGuard(key channelKey, owner cluster.NodeID) *protocol.Error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if ec := e.chans[key]; ec != nil {
		return ec.movingFor(owner)
	}
	return nil
}

// servesAsEdge reports whether this node serves key's members as an edge
// of itself: it took the channel over from its dead owner and follows its
// own events, as the other edges do.
func (e *edgeState) servesAsEdge(key channelKey) bool {
	e.mu.Lock()
	ec := e.chans[key]
	e.mu.Unlock()
	if ec == nil {
		return false
	}
	ec.mu.Lock()
	defer ec.mu.Unlock()
	return !ec.dead && !ec.moving && ec.owner == e.self
}

// holdLocked keeps an event until the members are carried over (the next
// owner's are delivered then), or the node followed turns out to own the
// channel still (its own are then delivered). Caller holds ec.mu.
func (ec *edgeChannel) holdLocked(ev edgeEvent) {
	if ev.Moving || len(ec.pending) >= edgeRingSize {
		return
	}
	ec.pending = append(ec.pending, ev)
}

// takeOverLocked starts carrying the members over to the next owner.
// Caller holds ec.mu.
func (ec *edgeChannel) takeOverLocked() {
	e := ec.e
	if ec.moving || ec.dead || e.ctx.Err() != nil {
		return
	}
	ec.moving = true
	ec.pending = nil
	old := ec.owner
	e.s.logger.Info("carrying a channel's members over to its next owner", "channel", string(ec.key.name), "owner", string(old))
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		ec.move(old)
	}()
}

// move carries the members over, trying until the lease time has passed
// three times; a channel nobody takes fails (its members join again).
func (ec *edgeChannel) move(old cluster.NodeID) {
	e := ec.e
	start := time.Now()
	ctx, cancel := context.WithTimeout(e.ctx, 3*e.reg.Timeout()+edgeRequestTimeout)
	defer cancel()
	if ec.stillOwned(ctx, old) {
		return
	}
	for {
		owner, err := ec.moveOnce(ctx, old)
		if err == nil {
			e.s.logger.Info("channel's members carried over", "channel", string(ec.key.name), "from", string(old),
				"to", string(owner), "after", time.Since(start).Round(time.Millisecond))
			return
		}
		e.s.logger.Debug("carrying a channel's members over", "channel", string(ec.key.name), "err", err)
		select {
		case <-ctx.Done():
			if e.ctx.Err() != nil {
				return
			}
			e.s.logger.Warn("channel's members not carried over: their sessions end", "channel", string(ec.key.name), "err", err)
			ec.mu.Lock()
			ec.moving = false
			ec.mu.Unlock()
			ec.fail("the node hosting the channel died: join again through another node")
			return
		case <-time.After(edgeMoveRetry):
		}
	}
}

// stillOwned reports whether old, the node followed, still holds the
// channel's lease and lives (an event came from a node that no longer
// owns it, such as one cut from NATS for a while): the edge then goes on
// following old, with the events it held meanwhile.
func (ec *edgeChannel) stillOwned(ctx context.Context, old cluster.NodeID) bool {
	e := ec.e
	rctx, cancel := context.WithTimeout(ctx, placementTimeout)
	h, err := e.s.nats.place.leases.Holder(rctx, leaseKeyOf(ec.key))
	cancel()
	if err != nil || h != old || !e.reg.Alive(old) {
		return false
	}
	e.s.logger.Info("the channel's owner still holds it: events of another node ignored", "channel", string(ec.key.name), "owner", string(old))
	ec.switchTo(old, edgeAdoptReply{Seq: ec.lastSeq()}, true)
	return true
}

// lastSeq is the number of the last event delivered.
func (ec *edgeChannel) lastSeq() uint64 {
	ec.mu.Lock()
	defer ec.mu.Unlock()
	return ec.last
}

// moveOnce takes the lease if no live node holds it, and gives the
// members to the holder.
func (ec *edgeChannel) moveOnce(ctx context.Context, old cluster.NodeID) (cluster.NodeID, error) {
	e := ec.e
	s := e.s
	lk := leaseKeyOf(ec.key)
	var holder cluster.NodeID
	if s.Draining() {
		h, err := s.nats.place.leases.Holder(ctx, lk)
		if err != nil {
			return "", err
		}
		if h == "" || h == e.self {
			return "", fmt.Errorf("server: no other node owns channel %q yet", ec.key.name)
		}
		holder = h
	} else {
		// The channel is registered before the lease is taken, so that
		// the renewal keeps the lease once taken.
		ch, created, pe := s.ownedChannel(ec.key, ec.local.profile)
		if pe != nil {
			return "", pe
		}
		rctx, cancel := context.WithTimeout(ctx, placementTimeout)
		h, err := s.nats.place.leases.Acquire(rctx, lk)
		cancel()
		if created && (err != nil || h != e.self) {
			s.releaseChannel(ch)
		}
		if err != nil {
			return "", err
		}
		holder = h
	}
	req := ec.adoptRequest(old)
	var r edgeAdoptReply
	rctx, cancel := context.WithTimeout(ctx, edgeRequestTimeout)
	err := e.request(rctx, holder, edgeOpAdopt, req, &r)
	cancel()
	switch {
	case err != nil:
		return "", err
	case r.NotOwner:
		return "", fmt.Errorf("%w: node %s", errNotOwner, holder)
	case r.Error != nil:
		return "", r.Error
	case !validAdopted(r.Fresh, false):
		e.malformed("edge")
		return "", fmt.Errorf("server: adopt reply of node %s: malformed members", holder)
	}
	ec.switchTo(holder, r, false)
	return holder, nil
}

// adoptRequest describes this node's members and the visible members it
// knew of, for the next owner.
func (ec *edgeChannel) adoptRequest(old cluster.NodeID) edgeAdoptRequest {
	e := ec.e
	req := edgeAdoptRequest{Node: e.self, App: ec.key.app, Channel: ec.key.name, Profile: ec.local.profile, From: old}
	ec.mu.Lock()
	members := make([]*Participant, 0, len(ec.members))
	for p := range ec.members {
		members = append(members, p)
	}
	ec.mu.Unlock()
	local := map[protocol.UID]bool{}
	l := ec.local
	for _, p := range members {
		p.edgeSync.Lock()
		l.mu.Lock()
		if !p.left {
			m := edgeAdoptMember{UID: p.uid, Account: p.account, Session: p.sessionID, Role: p.role, Granted: p.granted}
			for _, mt := range []protocol.MediaType{protocol.MediaAudio, protocol.MediaVideo} {
				if pt := p.published[mt]; pt != nil && pt.track != nil {
					m.Tracks = append(m.Tracks, edgeTrackInfo{MediaType: mt, Codec: pt.track.Codec, ID: p.edgeIDs.id(pt.track), Muted: pt.muted})
				}
			}
			req.Members = append(req.Members, m)
			local[p.uid] = true
		}
		l.mu.Unlock()
		p.edgeSync.Unlock()
	}
	ec.mu.Lock()
	req.Known = ec.knownLocked(local)
	ec.mu.Unlock()
	return req
}

// switchTo follows owner from the event after r.Seq (same: the owner
// followed before, from where the edge stood): the events it sent
// meanwhile are delivered in order. Members whose uid joined again
// elsewhere meanwhile (r.Refused) end their sessions.
func (ec *edgeChannel) switchTo(owner cluster.NodeID, r edgeAdoptReply, same bool) {
	e := ec.e
	e.mu.Lock()
	ec.mu.Lock()
	if ec.dead {
		ec.mu.Unlock()
		e.mu.Unlock()
		return
	}
	ec.owner, ec.moving = owner, false
	if !same {
		ec.synced, ec.last, ec.ring = true, r.Seq, nil
		for p := range ec.members {
			ec.members[p] = r.Seq
		}
	}
	ec.freshLocked(r.Fresh)
	pending := ec.pending
	ec.pending = nil
	gap := false
	for _, ev := range pending {
		switch {
		case ev.Owner != owner:
		case !ec.synced:
			ec.keepLocked(ev)
		case ev.Seq <= ec.last:
		case ev.Seq != ec.last+1:
			gap = true
		default:
			ec.applyLocked(ev)
		}
		if gap {
			break
		}
	}
	refused := map[string]bool{}
	for _, id := range r.Refused {
		refused[id] = true
	}
	var kicked []*Participant
	for p := range ec.members {
		if refused[p.sessionID] {
			kicked = append(kicked, p)
		}
	}
	ec.mu.Unlock()
	e.mu.Unlock()
	for _, p := range kicked {
		p.edgeKicked.Store(true)
		p.disconnect(protocol.ReasonSameUIDLogin, "the same uid joined the channel from another connection")
		e.s.removeParticipant(p, protocol.OfflineQuit)
	}
	if gap {
		ec.fail("channel events were lost between nodes: join again")
	}
}

// freshLocked tells the members of the visible members that joined the
// new owner before this node carried its members over, whose events it
// did not follow: a member it knew of from the old owner has its tracks
// unpublished and published again (they are a new session's). Caller
// holds ec.mu.
func (ec *edgeChannel) freshLocked(fresh []edgeAdoptMember) {
	for _, f := range fresh {
		var evs [][]byte
		if vm := ec.view[f.UID]; vm == nil {
			evs = append(evs, encodeEvent(protocol.EventUserJoined, protocol.UserJoinedEvent{UID: f.UID, Account: f.Account}))
		} else {
			for _, mt := range []protocol.MediaType{protocol.MediaAudio, protocol.MediaVideo} {
				if t := vm.tracks[mt]; t != nil {
					evs = append(evs, encodeEvent(protocol.EventUserUnpublished, protocol.UserPublishedEvent{UID: f.UID, MediaType: mt, Codec: t.codec}))
				}
			}
		}
		for _, t := range f.Tracks {
			evs = append(evs, encodeEvent(protocol.EventUserPublished, protocol.UserPublishedEvent{UID: f.UID, MediaType: t.MediaType, Codec: t.Codec}))
			if t.Muted {
				evs = append(evs, encodeEvent(protocol.EventUserMuted, protocol.UserMutedEvent{UID: f.UID, MediaType: t.MediaType, Muted: true}))
			}
		}
		for _, b := range evs {
			ec.mirrorLocked(b)
			for p := range ec.members {
				if p.uid != f.UID {
					p.sendRaw(b)
				}
			}
		}
	}
}
