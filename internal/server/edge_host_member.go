package server

import (
	"context"
	"encoding/json"
	"strconv"
	"sync"
	"time"

	"github.com/cohost-rtc/cohost/internal/sfu"
	"github.com/cohost-rtc/cohost/protocol"
)

// The edge's side of a host connected to it: its role changes are asked
// of the channel's owner, which orders them; its publish is negotiated
// here, its tracks stay here (local members watch them directly, other
// nodes pull them from here) and are announced through the owner. The
// local channel (edgeChannel.local) announces nothing itself: every
// member hears of the change in the owner's order.

// edgeTrackIDs names the tracks a host of an edge publishes, for the
// owner to tell a track published again from the one before.
type edgeTrackIDs struct {
	mu   sync.Mutex
	next uint64
	ids  map[*sfu.PublishedTrack]string
}

// id returns t's name, choosing one the first time.
func (x *edgeTrackIDs) id(t *sfu.PublishedTrack) string {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.ids == nil {
		x.ids = map[*sfu.PublishedTrack]string{}
	}
	if id, ok := x.ids[t]; ok {
		return id
	}
	x.next++
	id := strconv.FormatUint(x.next, 10)
	x.ids[t] = id
	return id
}

// keepOnly forgets the names of tracks no longer published.
func (x *edgeTrackIDs) keepOnly(live map[*sfu.PublishedTrack]bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	for t := range x.ids {
		if !live[t] {
			delete(x.ids, t)
		}
	}
}

// edgeMemberOf is how p's requests to the owner name it.
func (ec *edgeChannel) memberOf(p *Participant) edgeMember {
	return edgeMember{Node: ec.e.self, App: ec.key.app, Channel: ec.key.name, UID: p.uid, Session: p.sessionID}
}

// edgeSetRole changes the role of p, a member of an edge node, through
// the owner; once the owner has changed it, p's local state follows (a
// host becoming audience stops publishing here).
func (c *conn) edgeSetRole(p *Participant, id uint64, role protocol.ClientRole) *protocol.Error {
	ec := p.edge
	ch := p.ch
	ch.mu.Lock()
	old := p.role
	ch.mu.Unlock()
	if role == old {
		c.reply(id, protocol.SetRoleResponse{Old: old, New: old}, nil)
		return nil
	}
	p.mu.Lock()
	privs := p.privs
	p.mu.Unlock()
	req := edgeRoleRequest{edgeMember: ec.memberOf(p), Role: role, MayHost: mayHost(p.app, privs, time.Now())}
	var r edgeRoleReply
	ctx, cancel := context.WithTimeout(context.Background(), edgeRequestTimeout)
	err := ec.e.request(ctx, ec.ownerAfterMove(ctx), edgeOpRole, req, &r)
	cancel()
	switch {
	case err != nil:
		return protoErr(err)
	case r.Error != nil:
		return r.Error
	}
	ch.mu.Lock()
	ch.setRoleLocked(p, r.New)
	if r.New == protocol.RoleAudience {
		p.granted = false
	}
	epoch := p.roleEpoch
	ch.mu.Unlock()
	if r.Old != r.New && r.New == protocol.RoleAudience {
		// As on the channel's node: the relay started before stops now,
		// before the next request of this connection is read.
		c.srv.stopRelayBefore(p, epoch, "the host became audience")
	}
	c.reply(id, protocol.SetRoleResponse{Old: r.Old, New: r.New}, nil)
	return nil
}

// edgeSetRemoteRole asks the owner to change another member's role for
// p, an administrator connected to an edge node.
func (c *conn) edgeSetRemoteRole(p *Participant, id uint64, req protocol.SetRemoteRoleRequest) *protocol.Error {
	ec := p.edge
	var r edgeRoleReply
	ctx, cancel := context.WithTimeout(context.Background(), edgeRequestTimeout)
	err := ec.e.request(ctx, ec.ownerAfterMove(ctx), edgeOpAdmin, edgeAdminRequest{edgeMember: ec.memberOf(p), Target: req.UID, Role: req.Role}, &r)
	cancel()
	switch {
	case err != nil:
		return protoErr(err)
	case r.Error != nil:
		return r.Error
	}
	c.reply(id, protocol.SetRoleResponse{Old: r.Old, New: r.New}, nil)
	p.logger.Info("changed a remote user's role", "target", uint32(req.UID), "old", r.Old, "new", r.New)
	return nil
}

// syncEdgeTracks gives the owner the tracks p, a host connected to an
// edge node, publishes now, after a change here (publish, mute, a revoked
// privilege, a replaced connection). Nothing for other members. A node
// that cannot reach the owner ends p's session (SERVER_SHUTDOWN), so that
// its SDK joins again where the channel is.
func (s *Server) syncEdgeTracks(p *Participant) {
	ec := p.edge
	if ec == nil {
		return
	}
	p.edgeSync.Lock()
	defer p.edgeSync.Unlock()
	ch := p.ch
	req := edgeTracksRequest{edgeMember: ec.memberOf(p)}
	live := map[*sfu.PublishedTrack]bool{}
	ch.mu.Lock()
	left := p.left
	for _, mt := range []protocol.MediaType{protocol.MediaAudio, protocol.MediaVideo} {
		if pt := p.published[mt]; pt != nil && pt.track != nil {
			live[pt.track] = true
			req.Tracks = append(req.Tracks, edgeTrackInfo{MediaType: mt, Codec: pt.track.Codec, ID: p.edgeIDs.id(pt.track), Muted: pt.muted})
		}
	}
	ch.mu.Unlock()
	p.edgeIDs.keepOnly(live)
	if left {
		return
	}
	var r edgeTracksReply
	ctx, cancel := context.WithTimeout(context.Background(), edgeRequestTimeout)
	err := ec.e.request(ctx, ec.ownerAfterMove(ctx), edgeOpTracks, req, &r)
	cancel()
	switch {
	case err != nil:
		p.logger.Warn("the channel's node did not take the published tracks: ending the session", "err", err)
		p.disconnect(protocol.ReasonServerShutdown, "the node hosting the channel cannot be reached: join again")
		s.removeParticipant(p, protocol.OfflineDropped)
	case r.Error != nil:
		// The owner changed the role meanwhile: its event brings the
		// local state in line.
		p.logger.Warn("the channel's node refused the published tracks", "err", r.Error)
	}
}

// applyOwnLocked applies to p, a local member, an event the owner sent it
// alone, and delivers it: its role changed by an administrator. A host
// made audience then stops the relay it started before, as on the owner.
// Caller holds ec.mu.
func (ec *edgeChannel) applyOwnLocked(p *Participant, b []byte) {
	demoted, epoch := ec.applyRoleLocked(p, b)
	p.sendRaw(b)
	if demoted {
		ec.e.s.stopRelayBefore(p, epoch, "the host was made audience")
	}
}

// applyRoleLocked applies a role-changed event b to p, reporting whether
// it made a host audience and p's roleEpoch then. Caller holds ec.mu.
func (ec *edgeChannel) applyRoleLocked(p *Participant, b []byte) (demoted bool, epoch uint64) {
	var env protocol.Envelope
	if json.Unmarshal(b, &env) != nil || env.Type != protocol.EventRoleChanged {
		return false, 0
	}
	var d protocol.RoleChangedEvent
	if json.Unmarshal(env.Data, &d) != nil || !d.New.Valid() {
		return false, 0
	}
	l := ec.local
	l.mu.Lock()
	defer l.mu.Unlock()
	old := p.role
	l.setRoleLocked(p, d.New)
	p.granted = d.New == protocol.RoleBroadcaster
	return old != d.New && d.New == protocol.RoleAudience, p.roleEpoch
}
