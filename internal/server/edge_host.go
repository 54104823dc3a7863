package server

import (
	"encoding/json"
	"slices"

	"github.com/nats-io/nats.go"

	"github.com/cohost-rtc/cohost/protocol"
)

// The owner's side of hosts connected to edge nodes: their role changes
// and their published tracks are ordered here, under the channel's lock,
// as a local member's are, and announced to every member wherever it is.
// Their media stays on their node; the nodes that watch it pull it from
// there (edge_tracks.go).

// remoteMember finds the channel and the member of another node a
// request names.
func (e *edgeState) remoteMember(req edgeMember) (*Channel, *Participant, *protocol.Error) {
	s := e.s
	s.mu.Lock()
	ch := s.channels[channelKey{app: req.App, name: req.Channel}]
	s.mu.Unlock()
	if ch == nil {
		return nil, nil, perr(protocol.ErrNotInChannel, "channel %q is not hosted by node %s", req.Channel, e.self)
	}
	ch.mu.Lock()
	p := ch.users[req.UID]
	ch.mu.Unlock()
	if p == nil || p.remote != req.Node || p.sessionID != req.Session {
		return nil, nil, perr(protocol.ErrNotInChannel, "user %d of node %s is not in channel %q", req.UID, req.Node, req.Channel)
	}
	return ch, p, nil
}

// onRole changes the role of a member of an edge node (its setClientRole).
func (e *edgeState) onRole(m *nats.Msg) {
	var req edgeRoleRequest
	if json.Unmarshal(m.Data, &req) != nil || req.Node == "" || !req.Role.Valid() {
		e.malformed("edge")
		return
	}
	ch, p, pe := e.remoteMember(req.edgeMember)
	if pe != nil {
		reply(m, edgeRoleReply{Error: pe})
		return
	}
	ch.mu.Lock()
	old, pe := ch.changeRoleLocked(p, req.Role, req.MayHost, e.s.cfg.Limits.MaxHostsPerChannel)
	role := p.role
	ch.mu.Unlock()
	if pe != nil {
		reply(m, edgeRoleReply{Error: pe})
		return
	}
	reply(m, edgeRoleReply{Old: old, New: role})
}

// onAdmin changes a member's role for an administrator connected to an
// edge node (its setRemoteRole).
func (e *edgeState) onAdmin(m *nats.Msg) {
	var req edgeAdminRequest
	if json.Unmarshal(m.Data, &req) != nil || req.Node == "" || !req.Role.Valid() {
		e.malformed("edge")
		return
	}
	ch, admin, pe := e.remoteMember(req.edgeMember)
	if pe != nil {
		reply(m, edgeRoleReply{Error: pe})
		return
	}
	var r edgeRoleReply
	target, epoch, pe := e.s.changeRemoteRole(ch, req.Target, req.Role, func(old protocol.ClientRole) { r = edgeRoleReply{Old: old, New: req.Role} })
	if pe != nil {
		reply(m, edgeRoleReply{Error: pe})
		return
	}
	reply(m, r)
	admin.logger.Info("changed a remote user's role", "target", uint32(req.Target), "old", r.Old, "new", req.Role)
	if req.Role == protocol.RoleAudience {
		e.s.stopRelayBefore(target, epoch, "the host was made audience")
	}
}

// onTracks takes the tracks a host of an edge node publishes now and
// announces what changed, as a local host's publish does.
func (e *edgeState) onTracks(m *nats.Msg) {
	var req edgeTracksRequest
	if json.Unmarshal(m.Data, &req) != nil || req.Node == "" {
		e.malformed("edge")
		return
	}
	want, ok := wantTracks(req.Tracks)
	if !ok {
		e.malformed("edge")
		return
	}
	ch, p, pe := e.remoteMember(req.edgeMember)
	if pe != nil {
		reply(m, edgeTracksReply{Error: pe})
		return
	}
	ch.mu.Lock()
	defer ch.mu.Unlock()
	switch {
	case p.left:
		reply(m, edgeTracksReply{Error: perr(protocol.ErrNotInChannel, "the session has ended")})
		return
	case len(want) > 0 && p.role != protocol.RoleBroadcaster:
		reply(m, edgeTracksReply{Error: perr(protocol.ErrRefused, "audience can not publish stream")})
		return
	}
	reply(m, edgeTracksReply{})
	ch.applyTracksLocked(p, want, ch.remoteTrackOf(p))
}

// remoteTrackOf records, for applyTracksLocked, a track p publishes on
// its node: the owner pulls it from there when a member here subscribes.
// Caller holds ch.mu.
func (ch *Channel) remoteTrackOf(p *Participant) func(wantTrack) *pubTrack {
	return func(t wantTrack) *pubTrack {
		if ch.pulls != nil {
			// A copy pulled before under this key is of an older track.
			key := subKey{uid: p.uid, mt: t.mt}
			if in := ch.pulls.add(key, t.codec); in != nil {
				for _, q := range ch.users {
					q.dropSubscription(key, in)
				}
			}
		}
		return &pubTrack{mid: t.id, muted: t.muted, remoteCodec: t.codec}
	}
}

// wantTracks checks the tracks a node reports for one host: one per
// media type, each with a codec of its type and an id.
func wantTracks(ts []edgeTrackInfo) ([]wantTrack, bool) {
	want := make([]wantTrack, 0, len(ts))
	for _, t := range ts {
		dup := slices.ContainsFunc(want, func(w wantTrack) bool { return w.mt == t.MediaType })
		if !t.MediaType.Valid() || t.Codec.Kind() != t.MediaType || t.ID == "" || dup {
			return nil, false
		}
		want = append(want, wantTrack{mt: t.MediaType, id: t.ID, codec: t.Codec, muted: t.Muted})
	}
	return want, true
}
