package server

import (
	"encoding/json"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/cohost-rtc/cohost/internal/config"
	"github.com/cohost-rtc/cohost/internal/sfu"
	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/token"
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
	wants := make([][]wantTrack, 0, len(req.Members)+len(req.Hosts))
	for i, a := range append(append([]edgeAdoptMember(nil), req.Members...), req.Hosts...) {
		want, ok := wantTracks(a.Tracks)
		member := i < len(req.Members)
		if !ok || a.UID == 0 || !a.Role.Valid() || member != (a.Session != "") {
			e.malformed("edge")
			return
		}
		wants = append(wants, want)
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
	r, added, ghosts := e.adopt(ch, app, req, wants)
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
		"node", string(req.Node), "dead", string(req.From), "members", len(added), "gone", len(r.Gone), "ghosts", len(r.Ghosts))
	s.releaseChannel(ch)
}

// adopt adds req's members and the ghosts of its hosts to ch, under its
// lock; it returns the reply, the participants added (members of
// req.Node and ghosts) and the ghosts replaced by members.
func (e *edgeState) adopt(ch *Channel, app config.App, req edgeAdoptRequest, wants [][]wantTrack) (r edgeAdoptReply, added, replaced []*Participant) {
	s := e.s
	now := time.Now()
	newMember := func(a edgeAdoptMember, node string, role protocol.ClientRole) *Participant {
		p := &Participant{srv: s, ch: ch, app: app, uid: a.UID, account: a.Account, sessionID: a.Session, joinedAt: now,
			remote: req.Node, role: role, published: map[protocol.MediaType]*pubTrack{}, codecs: map[protocol.Codec]bool{},
			warned: map[token.Privilege]bool{}, expired: map[token.Privilege]bool{}, subs: map[subKey]*sfu.DownTrack{}}
		p.touch()
		if _, ok := ch.accounts[a.Account]; a.Account != "" && !ok {
			ch.accounts[a.Account] = a.UID // the uid the dead owner gave it
		}
		p.logger = s.logger.With("app", app.ID, "channel", string(req.Channel), "uid", uint32(a.UID), "node", node)
		return p
	}
	remoteTrack := func(p *Participant) func(wantTrack) *pubTrack {
		return func(t wantTrack) *pubTrack {
			if ch.pulls != nil {
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
	record := func(p *Participant, want []wantTrack) {
		mk := remoteTrack(p)
		for _, t := range want {
			p.published[t.mt] = mk(t)
		}
	}
	ch.mu.Lock()
	defer ch.mu.Unlock()
	if ch.profile != req.Profile {
		r.Error = perr(protocol.ErrInvalidArgument, "channel %q uses profile %s, not %s", req.Channel, ch.profile, req.Profile)
		return r, nil, nil
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
			r.Gone = append(r.Gone, a.Session)
			continue
		}
		role := a.Role
		if ch.profile == protocol.ProfileCommunication {
			role = protocol.RoleBroadcaster
		}
		if role == protocol.RoleBroadcaster && ghost == nil && ch.hosts >= s.cfg.Limits.MaxHostsPerChannel {
			r.Gone = append(r.Gone, a.Session)
			continue
		}
		want := wants[i]
		if role != protocol.RoleBroadcaster {
			want = nil
		}
		p := newMember(a, string(req.Node), role)
		same := false
		if ghost != nil {
			same = ghost.role == role && sameTracks(ghost, want)
			ghost.left, ghost.offline = true, protocol.OfflineQuit
			delete(ch.users, ghost.uid)
			ch.edgeMembers--
			if ghost.role == protocol.RoleBroadcaster {
				ch.hosts--
			}
			if !same {
				ch.unpublishAllLocked(ghost, true)
				if role != protocol.RoleBroadcaster {
					ch.memberLeftLocked(ghost, protocol.OfflineBecomeAudience)
				}
			}
			replaced = append(replaced, ghost)
		}
		ch.users[p.uid] = p
		ch.edgeMembers++
		if role == protocol.RoleBroadcaster {
			ch.hosts++
		}
		if ghost != nil && !same {
			ch.applyTracksLocked(p, want, remoteTrack(p))
		} else {
			record(p, want)
		}
		added = append(added, p)
	}
	for _, h := range req.Hosts {
		if ch.users[h.UID] != nil {
			continue
		}
		g := newMember(h, string(req.From), protocol.RoleBroadcaster)
		g.remote, g.ghost = req.From, true
		ch.users[g.uid] = g
		ch.edgeMembers++
		ch.hosts++
		added = append(added, g)
	}
	r.Owner, r.Seq = e.self, ch.edgeSeq
	for _, q := range ch.users {
		if q.ghost {
			r.Ghosts = append(r.Ghosts, q.uid)
		}
	}
	for _, b := range ch.snapshot(nil) {
		r.Snapshot = append(r.Snapshot, b)
	}
	return r, added, replaced
}

// sameTracks reports whether p publishes exactly want (media types and
// codecs). Caller holds p's channel's lock.
func sameTracks(p *Participant, want []wantTrack) bool {
	if len(p.published) != len(want) {
		return false
	}
	for _, t := range want {
		if pt := p.published[t.mt]; pt == nil || pt.codec() != t.codec {
			return false
		}
	}
	return true
}
