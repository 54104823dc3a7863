package server

import (
	"encoding/json"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/cohost-rtc/cohost/internal/cluster"
	"github.com/cohost-rtc/cohost/internal/config"
	"github.com/cohost-rtc/cohost/internal/sfu"
	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/token"
)

// The next owner's side of a channel whose owner died or handed it over:
// it rebuilds the channel's state from the members the edges carry over
// (their sessions, roles and tracks) and from the visible members the
// edges knew of. Those of the old owner stay in the channel, as its
// members, unseen, until they join again (which replaces them as a host
// of another node is replaced: no user-left, no user-joined) or the drop
// timeout passes (user-unpublished, then user-left DROPPED). Nobody is
// told anything while the state is rebuilt.

// ownedChannel returns the channel this node hosts for key, registering an
// empty one (created) for a lease about to be taken. The caller adds
// members or calls releaseChannel.
func (s *Server) ownedChannel(key channelKey, profile protocol.ChannelProfile) (*Channel, bool, *protocol.Error) {
	s.mu.Lock()
	ch := s.channels[key]
	s.mu.Unlock()
	if ch != nil {
		return ch, false, nil
	}
	ch, pe := s.channelFor(key, profile)
	return ch, pe == nil, pe
}

// onAdopt takes the members an edge carries over.
func (e *edgeState) onAdopt(m *nats.Msg) {
	var req edgeAdoptRequest
	if json.Unmarshal(m.Data, &req) != nil || req.Node == "" || req.From == "" || !validAdopted(req.Members, true) || !validAdopted(req.Known, false) {
		e.malformed("edge")
		return
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
	if ch == nil || closing || !s.nats.place.leases.Held(leaseKeyOf(key)) {
		reply(m, edgeAdoptReply{NotOwner: true})
		return
	}
	if ch.profile != req.Profile {
		reply(m, edgeAdoptReply{Error: perr(protocol.ErrInvalidArgument, "channel %q uses profile %s, not %s", req.Channel, ch.profile, req.Profile)})
		return
	}
	var added, replaced []*Participant
	r := edgeAdoptReply{}
	ch.mu.Lock()
	for _, am := range req.Members {
		old := ch.users[am.UID]
		switch {
		case old != nil && old.remote == req.Node && old.sessionID == am.Session:
			continue // carried over before: the answer was lost
		case old != nil && !e.keptFor(old, req.From):
			// The uid joined again meanwhile: the newer session stays.
			r.Refused = append(r.Refused, am.Session)
			continue
		}
		p := e.adopted(app, ch, req.Node, am)
		p.logger = s.logger.With("app", app.ID, "channel", string(req.Channel), "uid", uint32(p.uid), "node", string(req.Node))
		if old != nil {
			ch.dropKeptLocked(old)
			replaced = append(replaced, old)
		}
		ch.addAdoptedLocked(p, old, am.Tracks)
		added = append(added, p)
	}
	for _, am := range req.Known {
		if ch.users[am.UID] != nil || adoptedHas(req.Members, am.UID) {
			continue
		}
		// A visible member the edge knew of that no live node has given
		// back: kept as a member of the old owner until it joins again or
		// the drop timeout passes.
		p := e.adopted(app, ch, req.From, am)
		p.logger = s.logger.With("app", app.ID, "channel", string(req.Channel), "uid", uint32(p.uid), "node", string(req.From))
		ch.addAdoptedLocked(p, nil, am.Tracks)
		added = append(added, p)
	}
	r.Seq = ch.edgeSeq
	r.Fresh = ch.freshLocked(req.Node)
	ch.mu.Unlock()
	e.mu.Lock()
	for _, p := range replaced {
		delete(e.remote, p)
	}
	for _, p := range added {
		e.remote[p] = struct{}{}
	}
	e.mu.Unlock()
	reply(m, r)
	s.logger.Info("took over a channel's members from another node", "channel", string(req.Channel), "node", string(req.Node),
		"from", string(req.From), "members", len(req.Members), "kept", len(added)-len(req.Members)+len(r.Refused))
}

// validAdopted checks the members of an adoption; sessions are required
// for an edge's own members.
func validAdopted(ms []edgeAdoptMember, sessions bool) bool {
	for _, m := range ms {
		if m.UID == 0 || !m.Role.Valid() || (sessions && m.Session == "") {
			return false
		}
		var seen []protocol.MediaType
		for _, t := range m.Tracks {
			if !t.MediaType.Valid() || t.Codec.Kind() != t.MediaType || t.ID == "" || containsMT(seen, t.MediaType) {
				return false
			}
			seen = append(seen, t.MediaType)
		}
	}
	return true
}

func containsMT(mts []protocol.MediaType, mt protocol.MediaType) bool {
	for _, m := range mts {
		if m == mt {
			return true
		}
	}
	return false
}

func adoptedHas(ms []edgeAdoptMember, uid protocol.UID) bool {
	for _, m := range ms {
		if m.UID == uid {
			return true
		}
	}
	return false
}

// keptFor reports whether p is a member kept for a node that is gone: the
// old owner from, or a dead node. An adopted member replaces it quietly.
func (e *edgeState) keptFor(p *Participant, from cluster.NodeID) bool {
	return p.remote != "" && !p.virtual && (p.remote == from || !e.reg.Alive(p.remote))
}

// adopted is a member of node carried over to this node, as am describes it.
func (e *edgeState) adopted(app config.App, ch *Channel, node cluster.NodeID, am edgeAdoptMember) *Participant {
	p := &Participant{srv: e.s, ch: ch, app: app, uid: am.UID, account: am.Account, sessionID: am.Session, joinedAt: time.Now(),
		remote: node, role: am.Role, granted: am.Granted, published: map[protocol.MediaType]*pubTrack{},
		codecs: map[protocol.Codec]bool{}, warned: map[token.Privilege]bool{}, expired: map[token.Privilege]bool{},
		subs: map[subKey]*sfu.DownTrack{}}
	if p.sessionID == "" {
		p.sessionID = "kept-" + newSessionID()
	}
	p.touch()
	return p
}

// dropKeptLocked takes out a member kept for a gone node, which an
// adopted member replaces, without telling anybody. Caller holds ch.mu.
func (ch *Channel) dropKeptLocked(old *Participant) {
	old.left = true
	old.offline = protocol.OfflineQuit
	delete(ch.users, old.uid)
	ch.edgeMembers--
	if old.role == protocol.RoleBroadcaster {
		ch.hosts--
	}
}

// addAdoptedLocked adds p, carried over with tracks, in place of old (nil
// when none). Its tracks are old's where they match (same media type and
// codec), so nobody is told anything; a difference is announced as a
// host of another node's publish is. Caller holds ch.mu.
func (ch *Channel) addAdoptedLocked(p, old *Participant, tracks []edgeTrackInfo) {
	if p.account != "" {
		if _, ok := ch.accounts[p.account]; !ok {
			ch.accounts[p.account] = p.uid
		}
	}
	p.carried = true
	ch.users[p.uid] = p
	ch.edgeMembers++
	if p.role == protocol.RoleBroadcaster {
		ch.hosts++
	}
	if old == nil && ch.visible(p) {
		defer ch.introduceLocked(p)
	}
	want := make([]wantTrack, 0, len(tracks))
	for _, t := range tracks {
		want = append(want, wantTrack{mt: t.MediaType, id: t.ID, codec: t.Codec, muted: t.Muted})
	}
	if old == nil {
		for _, t := range want {
			p.published[t.mt] = &pubTrack{mid: t.id, muted: t.muted, remoteCodec: t.codec}
			ch.addPullLocked(p.uid, t.mt, t.codec)
		}
		return
	}
	// old's tracks, named as the adopted member names the same ones: only
	// what differs is announced.
	for mt, pt := range old.published {
		kept := *pt
		for _, t := range want {
			if t.mt == mt && t.codec == pt.codec() {
				kept.mid = t.id
			}
		}
		p.published[mt] = &kept
	}
	if p.role != protocol.RoleBroadcaster {
		ch.unpublishAllLocked(p, true)
		return
	}
	ch.applyTracksLocked(p, want, func(t wantTrack) *pubTrack {
		ch.addPullLocked(p.uid, t.mt, t.codec)
		return &pubTrack{mid: t.id, muted: t.muted, remoteCodec: t.codec}
	})
}

// addPullLocked records a track of a member of another node, pulled on
// demand for this node's own members. Caller holds ch.mu.
func (ch *Channel) addPullLocked(uid protocol.UID, mt protocol.MediaType, codec protocol.Codec) {
	if ch.pulls == nil {
		return
	}
	key := subKey{uid: uid, mt: mt}
	if in := ch.pulls.add(key, codec); in != nil {
		for _, q := range ch.users {
			q.dropSubscription(key, in)
		}
	}
}

// edgeTrackHere is the track a member of this node publishes, as the
// node serves the channel as an edge of itself (nil when none).
func (e *edgeState) edgeTrackHere(key channelKey, uid protocol.UID, mt protocol.MediaType) *pubTrack {
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

// publisherNode is the node of uid, a member of the channel this node
// owns ("" when it has none).
func (e *edgeState) publisherNode(key channelKey, uid protocol.UID) cluster.NodeID {
	s := e.s
	s.mu.Lock()
	ch := s.channels[key]
	s.mu.Unlock()
	if ch == nil {
		return ""
	}
	ch.mu.Lock()
	defer ch.mu.Unlock()
	if p := ch.users[uid]; p != nil {
		return p.remote
	}
	return ""
}

// trackHere is uid's mt track when its publisher is connected to this
// node, as a member of the channel it owns or of the channel as it
// serves it as an edge of itself (nil otherwise).
func (e *edgeState) trackHere(key channelKey, uid protocol.UID, mt protocol.MediaType) *sfu.PublishedTrack {
	if pt := e.edgeTrackHere(key, uid, mt); pt != nil {
		return pt.track
	}
	s := e.s
	s.mu.Lock()
	ch := s.channels[key]
	s.mu.Unlock()
	if ch == nil {
		return nil
	}
	ch.mu.Lock()
	defer ch.mu.Unlock()
	if p := ch.users[uid]; p != nil && p.remote == "" && !p.virtual && ch.visible(p) {
		if pt := p.published[mt]; pt != nil && pt.track != nil {
			return pt.track
		}
	}
	return nil
}

// HostsChannel reports whether this node hosts app's channel: it holds
// its lease and orders its state. For tests.
func (s *Server) HostsChannel(app, channel string) bool {
	key := channelKey{app: app, name: protocol.ChannelName(channel)}
	s.mu.Lock()
	ch := s.channels[key]
	s.mu.Unlock()
	return ch != nil && s.nats != nil && s.nats.place != nil && s.nats.place.leases.Held(leaseKeyOf(key))
}

// introduceLocked tells this node's own members, which joined the
// channel on this node after its owner changed, of p, a visible member
// carried over: they were not told of it. Caller holds ch.mu.
func (ch *Channel) introduceLocked(p *Participant) {
	evs := ch.describeLocked(p)
	for _, q := range ch.users {
		if q != p && q.remote == "" && !q.virtual {
			for _, b := range evs {
				q.sendRaw(b)
			}
		}
	}
}

// describeLocked is the events describing p, a visible member, to a
// member that does not know it. Caller holds ch.mu.
func (ch *Channel) describeLocked(p *Participant) [][]byte {
	out := [][]byte{encodeEvent(protocol.EventUserJoined, protocol.UserJoinedEvent{UID: p.uid, Account: p.account})}
	for _, mt := range []protocol.MediaType{protocol.MediaAudio, protocol.MediaVideo} {
		if pt := p.published[mt]; pt != nil {
			out = append(out, encodeEvent(protocol.EventUserPublished, protocol.UserPublishedEvent{UID: p.uid, MediaType: mt, Codec: pt.codec()}))
			if pt.muted {
				out = append(out, encodeEvent(protocol.EventUserMuted, protocol.UserMutedEvent{UID: p.uid, MediaType: mt, Muted: true}))
			}
		}
	}
	return out
}

// freshLocked lists the visible members that joined the channel here
// since its owner changed (not carried over), except node's, as an edge
// carrying its members over learns of them. Caller holds ch.mu.
func (ch *Channel) freshLocked(node cluster.NodeID) []edgeAdoptMember {
	var out []edgeAdoptMember
	for _, q := range ch.users {
		if q.carried || q.virtual || q.remote == node || !ch.visible(q) {
			continue
		}
		m := edgeAdoptMember{UID: q.uid, Account: q.account, Role: q.role}
		for _, mt := range []protocol.MediaType{protocol.MediaAudio, protocol.MediaVideo} {
			if pt := q.published[mt]; pt != nil {
				m.Tracks = append(m.Tracks, edgeTrackInfo{MediaType: mt, Codec: pt.codec(), ID: pt.mid, Muted: pt.muted})
			}
		}
		out = append(out, m)
	}
	return out
}
