package server

import (
	"context"
	"encoding/json"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/cohost-rtc/cohost/internal/cluster"
	"github.com/cohost-rtc/cohost/internal/config"
	"github.com/cohost-rtc/cohost/internal/sfu"
	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/token"
)

// The owner's side: the channel's state stays here, ordered by the
// channel's lock as for local members. A member of another node is a
// Participant with remote set: it counts for uids, accounts and limits,
// gets no event of its own (its node gets the channel's events), and is
// dropped after the drop timeout once its node is dead.

// newRemoteMember is a member of ch connected to node (its uid and logger
// set by the caller).
func newRemoteMember(ch *Channel, app config.App, node cluster.NodeID, session string, account protocol.UserAccount, role protocol.ClientRole) *Participant {
	p := &Participant{srv: ch.edge.s, ch: ch, app: app, account: account, sessionID: session, joinedAt: time.Now(),
		remote: node, role: role, published: map[protocol.MediaType]*pubTrack{},
		codecs: map[protocol.Codec]bool{}, warned: map[token.Privilege]bool{}, expired: map[token.Privilege]bool{},
		subs: map[subKey]*sfu.DownTrack{}}
	p.touch()
	return p
}

// onJoin admits a member of an edge node.
func (e *edgeState) onJoin(m *nats.Msg) {
	var req edgeJoinRequest
	if json.Unmarshal(m.Data, &req) != nil || req.Node == "" || req.Session == "" {
		e.malformed("edge")
		return
	}
	s := e.s
	app, ok := s.apps[req.App]
	if !ok {
		reply(m, edgeJoinReply{Error: perr(protocol.ErrInvalidAppID, "unknown App ID %q", req.App)})
		return
	}
	key := channelKey{app: req.App, name: req.Channel}
	s.mu.Lock()
	ch, closing := s.channels[key], s.closing
	s.mu.Unlock()
	if ch == nil || closing {
		reply(m, edgeJoinReply{NotOwner: true})
		return
	}
	p := newRemoteMember(ch, app, req.Node, req.Session, req.Account, protocol.RoleAudience)
	var kicked *Participant
	var quiet bool
	ch.mu.Lock()
	switch {
	case len(ch.users) == 0:
		// Its last member just left: the channel is going away here.
		ch.mu.Unlock()
		reply(m, edgeJoinReply{NotOwner: true})
		return
	case ch.profile != req.Profile:
		ch.mu.Unlock()
		reply(m, edgeJoinReply{Error: perr(protocol.ErrInvalidArgument, "channel %q uses profile %s, not %s", req.Channel, ch.profile, req.Profile)})
		return
	}
	switch {
	case req.Account != "":
		p.uid = ch.uidForAccount(req.Account)
	case req.UID != 0:
		p.uid = req.UID
	default:
		p.uid = ch.freeUID()
	}
	if old := ch.users[p.uid]; old != nil && old.virtual {
		ch.mu.Unlock()
		reply(m, edgeJoinReply{Error: perr(protocol.ErrAlreadyInUse, "uid %d is used by a channel media relay in %q", p.uid, req.Channel)})
		return
	} else if old != nil {
		kicked = old
		quiet = ch.replaceLocked(old)
	} else if len(ch.users) >= s.cfg.Limits.MaxUsersPerChannel {
		ch.mu.Unlock()
		reply(m, edgeJoinReply{Error: perr(protocol.ErrResourceLimited, "channel %q is full (%d users)", req.Channel, s.cfg.Limits.MaxUsersPerChannel)})
		return
	}
	p.logger = s.logger.With("app", app.ID, "channel", string(req.Channel), "uid", uint32(p.uid), "node", string(req.Node))
	r := edgeJoinReply{Owner: e.self, UID: p.uid}
	r.Role, r.RoleError = ch.joinRoleLocked(req.Role, req.MayHost, s.cfg.Limits.MaxHostsPerChannel)
	p.role = r.Role
	ch.users[p.uid] = p
	ch.edgeMembers++
	if p.role == protocol.RoleBroadcaster {
		ch.hosts++
	}
	r.Seq = ch.edgeSeq
	for _, b := range ch.snapshot(p) {
		r.Snapshot = append(r.Snapshot, b)
	}
	ch.announceJoinLocked(p, kicked, quiet)
	ch.mu.Unlock()
	e.mu.Lock()
	e.remote[p] = struct{}{}
	e.mu.Unlock()
	reply(m, r)
	p.logger.Info("joined through another node", "role", r.Role)
	if kicked != nil {
		kicked.disconnect(protocol.ReasonSameUIDLogin, "the same uid joined the channel from another connection")
		s.finishRemoval(kicked)
	}
}

// publishEdgeLocked numbers an event of ch and sends it to the nodes
// serving members of ch. Caller holds ch.mu.
func (ch *Channel) publishEdgeLocked(except *Participant, b []byte) {
	if ch.edge == nil || ch.edgeMembers == 0 || ch.edgeClosed {
		return
	}
	ch.edgeSeq++
	ev := edgeEvent{Owner: ch.edge.self, Seq: ch.edgeSeq, Event: b}
	if except != nil {
		ev.Except = except.uid
	}
	ch.edge.publish(channelSubject(ch.key), ev)
}

// publishEdgeToLocked sends an event to p, a member connected to another
// node, in the channel's order. Caller holds ch.mu.
func (ch *Channel) publishEdgeToLocked(p *Participant, b []byte) {
	if ch.edge == nil || ch.edgeMembers == 0 || ch.edgeClosed || p.remote == "" {
		return
	}
	ch.edgeSeq++
	ch.edge.publish(channelSubject(ch.key), edgeEvent{Owner: ch.edge.self, Seq: ch.edgeSeq, To: p.uid, Event: b})
}

// kickRemote tells a remote member's node that its session ended.
func (e *edgeState) kickRemote(p *Participant, reason protocol.ConnectionChangedReason, msg string) {
	e.publish(nodeSubject(p.remote, edgeOpKick), edgeKick{Session: p.sessionID, Reason: reason, Message: msg})
}

// handOffRemote gives the channels this node owns, and that have members
// on other nodes, to those nodes as it drains: no more event of theirs
// goes out, each node serving members of one is told to hand them to the
// channel's next owner (edgeMove; its lease is released already), and the
// members are forgotten here without a word. Their sessions go on; nobody
// sees them leave. (Members of this node's own edge channels are among the
// sessions drain ends.)
func (e *edgeState) handOffRemote() {
	e.mu.Lock()
	remote := make([]*Participant, 0, len(e.remote))
	for p := range e.remote {
		remote = append(remote, p)
	}
	e.mu.Unlock()
	type target struct {
		node cluster.NodeID
		key  channelKey
	}
	told := map[target]bool{}
	for _, p := range remote {
		p.ch.mu.Lock()
		p.ch.edgeClosed = true
		ghost := p.ghost
		p.ch.mu.Unlock()
		if t := (target{p.remote, p.ch.key}); !ghost && t.node != e.self && !told[t] {
			told[t] = true
			e.publish(nodeSubject(t.node, edgeOpMove), edgeMove{Node: e.self, App: t.key.app, Channel: t.key.name})
		}
	}
	for _, p := range remote {
		e.s.removeParticipant(p, protocol.OfflineQuit)
	}
}

// forget drops a remote member that left.
func (e *edgeState) forget(p *Participant) {
	e.mu.Lock()
	delete(e.remote, p)
	e.mu.Unlock()
}

// onLeave removes a member its edge node says left.
func (e *edgeState) onLeave(m *nats.Msg) {
	var req edgeLeave
	if json.Unmarshal(m.Data, &req) != nil || req.Node == "" {
		e.malformed("edge")
		return
	}
	s := e.s
	s.mu.Lock()
	ch := s.channels[channelKey{app: req.App, name: req.Channel}]
	s.mu.Unlock()
	if ch == nil {
		return
	}
	ch.mu.Lock()
	p := ch.users[req.UID]
	ch.mu.Unlock()
	if p == nil || p.remote != req.Node || p.sessionID != req.Session {
		return
	}
	reason := protocol.OfflineQuit
	if req.Reason == protocol.OfflineDropped {
		reason = protocol.OfflineDropped
	}
	s.removeParticipant(p, reason)
}

// checkRemoteMembers keeps the members of live nodes alive and drops, after
// the drop timeout, those of dead nodes.
func (e *edgeState) checkRemoteMembers(members []*Participant, now time.Time) {
	for _, p := range members {
		if e.reg.Alive(p.remote) {
			p.touch()
			continue
		}
		if !p.alive(now, e.s.cfg.Timers.DropTimeout) {
			p.logger.Info("dropped: its node died", "timeout", e.s.cfg.Timers.DropTimeout)
			e.s.removeParticipant(p, protocol.OfflineDropped)
		}
	}
}

// onPull starts sending a published track to the edge node that asks.
func (e *edgeState) onPull(m *nats.Msg) {
	var req edgePullRequest
	if json.Unmarshal(m.Data, &req) != nil || req.Node == "" || req.SSRC == 0 || !req.MediaType.Valid() {
		e.malformed("edge")
		return
	}
	s := e.s
	key := channelKey{app: req.App, name: req.Channel}
	s.mu.Lock()
	ch := s.channels[key]
	s.mu.Unlock()
	if ch == nil {
		// A host of a channel owned elsewhere may publish here.
		e.mu.Lock()
		if ec := e.chans[key]; ec != nil {
			ch = ec.local
		}
		e.mu.Unlock()
	}
	if ch == nil {
		reply(m, edgePullReply{Error: perr(protocol.ErrNotInChannel, "channel %q has no member on node %s", req.Channel, e.self)})
		return
	}
	ch.mu.Lock()
	target := ch.users[req.UID]
	var pt *pubTrack
	if target != nil && ch.visible(target) {
		pt = target.published[req.MediaType]
	}
	ch.mu.Unlock()
	if pt != nil && target.remote == e.self {
		// A host of this node's edge channel (the node took the channel
		// over from a dead node).
		pt = e.edgeHostTrack(key, req.UID, req.MediaType)
	} else if pt != nil && target.remote != "" {
		reply(m, edgePullReply{From: target.remote, Codec: pt.codec()})
		return
	}
	if pt == nil {
		reply(m, edgePullReply{Error: perr(protocol.ErrInvalidArgument, "user %d has not published %s", req.UID, req.MediaType)})
		return
	}
	if pe := e.sendOver(req.Node, pt.track, req.SSRC, req.UID, pt.gate); pe != nil {
		reply(m, edgePullReply{Error: pe})
		return
	}
	reply(m, edgePullReply{Codec: pt.track.Codec})
}

// sendOver starts sending track to node, which receives it as ssrc, over
// their media link: through gate, as uid, when it is a relayed host's.
func (e *edgeState) sendOver(node cluster.NodeID, track *sfu.PublishedTrack, ssrc uint32, uid protocol.UID, gate *sfu.Gate) *protocol.Error {
	e.mu.Lock()
	l := e.links[node]
	e.mu.Unlock()
	if l == nil {
		return perr(protocol.ErrInvalidState, "no media link with node %s", node)
	}
	ctx, cancel := context.WithTimeout(context.Background(), edgeLinkTimeout)
	c, err := l.wait(ctx)
	cancel()
	if err == nil {
		if gate != nil {
			err = c.SendRelayed(track, ssrc, uid, gate)
		} else {
			err = c.Send(track, ssrc)
		}
	}
	if err != nil {
		return perr(protocol.ErrFailed, "send %s of user %d to node %s: %v", track.Codec.Kind(), uid, node, err)
	}
	return nil
}

// onUnpull stops sending a track to an edge node.
func (e *edgeState) onUnpull(m *nats.Msg) {
	var req edgeUnpull
	if json.Unmarshal(m.Data, &req) != nil || req.Node == "" {
		e.malformed("edge")
		return
	}
	e.mu.Lock()
	l := e.links[req.Node]
	e.mu.Unlock()
	if l == nil {
		return
	}
	select {
	case <-l.ready:
		if l.c != nil {
			l.c.StopSending(req.SSRC)
		}
	default:
	}
}
