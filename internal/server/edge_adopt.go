package server

import (
	"encoding/json"

	"github.com/nats-io/nats.go"

	"github.com/cohost-rtc/cohost/internal/cluster"
	"github.com/cohost-rtc/cohost/internal/config"
	"github.com/cohost-rtc/cohost/protocol"
)

// The next owner's side of a hand-over (edge_handover.go): when a
// channel's owner dies, each edge serving members of it asks the node
// that holds the channel's lease now to take them as they are. The
// members keep their sessions, uids and roles; the hosts the edge knew of
// that are members nowhere yet (they were connected to the dead node) are
// kept as ghosts, present but publishing nothing, until they join again
// (replaced quietly, as a host of a dead edge is: edge_replace.go; their
// new tracks are announced as they publish them, which renews the
// subscriptions of SDKs that joined again) or the drop timeout passes
// (user-left DROPPED). Adopting announces nothing: every member already
// knew everybody adopted.

// onAdopt takes the members of an edge whose channel's owner died.
func (e *edgeState) onAdopt(m *nats.Msg) {
	var req edgeAdoptRequest
	if json.Unmarshal(m.Data, &req) != nil || req.Node == "" || req.From == "" || req.From == e.self || !req.Profile.Valid() {
		e.malformed("edge")
		return
	}
	wants := make([][]wantTrack, 0, len(req.Members))
	for _, a := range req.Members {
		want, ok := wantTracks(a.Tracks)
		if !ok || a.UID == 0 || !a.Role.Valid() || a.Session == "" {
			e.malformed("edge")
			return
		}
		wants = append(wants, want)
	}
	for _, h := range req.Hosts {
		if h.UID == 0 || h.Session != "" || len(h.Tracks) > 0 {
			e.malformed("edge")
			return
		}
	}
	s := e.s
	app, ok := s.apps[req.App]
	if !ok {
		reply(m, edgeAdoptReply{Error: perr(protocol.ErrInvalidAppID, "unknown App ID %q", req.App)})
		return
	}
	key := channelKey{app: req.App, name: req.Channel}
	s.mu.Lock()
	ch, closing := s.channels[key], s.closing || s.draining
	s.mu.Unlock()
	if closing || (ch == nil && !s.nats.place.leases.Held(leaseKeyOf(key))) {
		reply(m, edgeAdoptReply{NotOwner: true})
		return
	}
	if ch == nil {
		var pe *protocol.Error
		if ch, pe = s.channelFor(key, req.Profile); pe != nil {
			reply(m, edgeAdoptReply{Error: pe})
			return
		}
	}
	r, added, ghosts, kept := e.adopt(ch, app, req, wants)
	e.mu.Lock()
	for _, p := range added {
		e.remote[p] = struct{}{}
	}
	e.mu.Unlock()
	for _, g := range ghosts {
		e.forget(g)
	}
	reply(m, r)
	s.logger.Info("took over the members of a channel whose node died", "app", req.App, "channel", string(req.Channel),
		"node", string(req.Node), "dead", string(req.From), "members", len(added), "gone", len(r.Gone), "refused", len(r.Refused), "ghosts", kept)
	s.releaseChannel(ch)
}

// adopt adds req's members and the ghosts of its hosts to ch, under its
// lock; it returns the reply, the participants added (members of
// req.Node and ghosts), the ghosts replaced by members and how many ghosts
// the channel holds.
func (e *edgeState) adopt(ch *Channel, app config.App, req edgeAdoptRequest, wants [][]wantTrack) (r edgeAdoptReply, added, replaced []*Participant, ghosts int) {
	s := e.s
	ch.mu.Lock()
	defer ch.mu.Unlock()
	newMember := func(a edgeAdoptMember, node cluster.NodeID, role protocol.ClientRole) *Participant {
		p := newRemoteMember(ch, app, node, a.Session, a.Account, role)
		p.uid = a.UID
		if _, ok := ch.accounts[a.Account]; a.Account != "" && !ok {
			ch.accounts[a.Account] = a.UID // the uid the dead owner gave it
		}
		p.logger = s.logger.With("app", app.ID, "channel", string(req.Channel), "uid", uint32(a.UID), "node", string(node))
		ch.users[p.uid] = p
		ch.edgeMembers++
		if role == protocol.RoleBroadcaster {
			ch.hosts++
		}
		added = append(added, p)
		return p
	}
	if ch.profile != req.Profile {
		r.Error = perr(protocol.ErrInvalidArgument, "channel %q uses profile %s, not %s", req.Channel, ch.profile, req.Profile)
		return r, nil, nil, 0
	}
	for i, a := range req.Members {
		old := ch.users[a.UID]
		var ghost *Participant
		switch {
		case old != nil && old.remote == req.Node && old.sessionID == a.Session:
			continue // asked again
		case old != nil && old.ghost:
			ghost = old
		case old != nil:
			r.Gone = append(r.Gone, a.Session) // the uid joined again elsewhere
			continue
		case len(ch.users) >= s.cfg.Limits.MaxUsersPerChannel:
			r.Refused = append(r.Refused, a.Session)
			continue
		}
		role := a.Role
		if ch.profile == protocol.ProfileCommunication {
			role = protocol.RoleBroadcaster
		}
		if role == protocol.RoleBroadcaster && ghost == nil && ch.hosts >= s.cfg.Limits.MaxHostsPerChannel {
			r.Refused = append(r.Refused, a.Session)
			continue
		}
		want := wants[i]
		if role != protocol.RoleBroadcaster {
			want = nil
		}
		if ghost != nil {
			// The ghost (a host publishing nothing) goes without a word;
			// what the member is and publishes is announced.
			ghost.left, ghost.offline = true, protocol.OfflineQuit
			delete(ch.users, ghost.uid)
			ch.edgeMembers--
			ch.hosts--
			if role != protocol.RoleBroadcaster {
				ch.memberLeftLocked(ghost, protocol.OfflineBecomeAudience)
			}
			replaced = append(replaced, ghost)
		}
		p := newMember(a, req.Node, role)
		if ghost != nil {
			ch.applyTracksLocked(p, want, ch.remoteTrackOf(p))
			continue
		}
		mk := ch.remoteTrackOf(p)
		for _, t := range want {
			p.published[t.mt] = mk(t) // known to everybody: nothing to announce
		}
	}
	for _, h := range req.Hosts {
		if ch.users[h.UID] == nil {
			newMember(h, req.From, protocol.RoleBroadcaster).ghost = true
		}
	}
	r.Owner, r.Seq = e.self, ch.edgeSeq
	for _, q := range ch.users {
		if q.ghost {
			ghosts++
		}
	}
	for _, b := range ch.snapshot(nil) {
		r.Snapshot = append(r.Snapshot, b)
	}
	return r, added, replaced, ghosts
}
