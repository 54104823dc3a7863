package server

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/cohost-rtc/cohost/internal/cluster"
	"github.com/cohost-rtc/cohost/internal/config"
	"github.com/cohost-rtc/cohost/internal/sfu"
	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/token"
)

// The edge's side: an audience member of a channel owned by another node
// stays on the node it reached. The node keeps, per such channel, the
// local members, the events the owner published (to bring a member that
// joins in step) and the hosts' published tracks, and pulls each track a
// local member subscribes to over the media link with the owner, once for
// all its members, while one of them watches it.

// edgeRingSize is how many recent events of a channel an edge keeps.
const edgeRingSize = 1024

// edgeIdle is how long a pulled track nobody watches is kept.
const edgeIdle = 2 * time.Second

// edgeChannel is a channel owned by another node, as this node serves it.
// Lock order: edgeChannel.mu, then the local Channel's mu, then a
// Participant's mu.
type edgeChannel struct {
	e     *edgeState
	key   channelKey
	owner cluster.NodeID
	local *Channel      // the local members: their p.ch
	ready chan struct{} // closed once subscribed (or failed: err)
	err   error
	sub   *nats.Subscription

	mu      sync.Mutex
	members map[*Participant]uint64 // member → last event its snapshot reflects
	joining int
	synced  bool
	last    uint64
	ring    []edgeEvent
	rt      *remoteTracks                         // the hosts' tracks published on other nodes
	present map[protocol.UID]protocol.UserAccount // the members others see (hosts), from the events
	dead    bool
	// moving is set while the members are handed to the next owner
	// (edge_handover.go), and closed when that ends.
	moving chan struct{}
	// former are the owners it was handed over from: events they
	// published before they died (delivered late, after a partition
	// heals) are dropped.
	former map[cluster.NodeID]bool
	// awaited are tracks a hand-over kept (pulled from a live node whose
	// host the next owner had not adopted yet): the next owner's
	// user-published for one, with the same codec, is no news to the
	// members and is not passed on (edge_handover.go).
	awaited map[subKey]protocol.Codec
}

// channel returns the edge channel for key owned by owner, subscribed to
// its events, with one more join in progress (joinDone ends it).
func (e *edgeState) channel(key channelKey, owner cluster.NodeID, profile protocol.ChannelProfile) (*edgeChannel, error) {
	e.mu.Lock()
	ec := e.chans[key]
	var stale *edgeChannel
	if ec != nil {
		ec.mu.Lock()
		moving := ec.moving
		ec.mu.Unlock()
		if moving != nil {
			// Its members move to the next owner: join once they have.
			e.mu.Unlock()
			select {
			case <-moving:
				return e.channel(key, owner, profile)
			case <-time.After(handOverTimeout):
				return nil, perr(protocol.ErrNoServerResources, "cluster: the channel is moving to another node; try again")
			}
		}
	}
	if ec != nil && ec.ownerNode() == owner {
		ec.mu.Lock()
		ok := !ec.dead
		if ok {
			ec.joining++
		}
		ec.mu.Unlock()
		if ok {
			e.mu.Unlock()
			<-ec.ready
			if ec.err != nil {
				ec.joinDone()
				return nil, ec.err
			}
			return ec, nil
		}
	} else if ec != nil {
		stale = ec
	}
	ec = &edgeChannel{e: e, key: key, owner: owner, local: newChannel(key, profile), ready: make(chan struct{}),
		members: map[*Participant]uint64{}, joining: 1, rt: newRemoteTracks(e, key), present: map[protocol.UID]protocol.UserAccount{}}
	ec.local.mirror = true
	e.chans[key] = ec
	e.mu.Unlock()
	if stale != nil {
		stale.fail("the channel moved to another node: join again")
	}
	sub, err := e.nc.Subscribe(channelSubject(key), ec.onEvent)
	if err == nil {
		err = e.nc.Flush()
	}
	if err != nil {
		ec.err = fmt.Errorf("server: channel events: %w", err)
		if sub != nil {
			_ = sub.Unsubscribe()
		}
	} else {
		ec.sub = sub
	}
	close(ec.ready)
	if ec.err != nil {
		ec.joinDone()
		return nil, ec.err
	}
	return ec, nil
}

// joinDone ends a join in progress; the channel goes when nobody is left.
func (ec *edgeChannel) joinDone() {
	ec.mu.Lock()
	ec.joining--
	empty := ec.emptyLocked()
	ec.mu.Unlock()
	if empty {
		ec.release()
	}
}

// emptyLocked marks the channel dead when nobody is in it or joining it;
// it reports whether it did. Caller holds ec.mu.
func (ec *edgeChannel) emptyLocked() bool {
	if ec.dead || len(ec.members) > 0 || ec.joining > 0 {
		return false
	}
	ec.dead = true
	ec.rt.close()
	return true
}

// release forgets a dead channel.
func (ec *edgeChannel) release() {
	e := ec.e
	e.mu.Lock()
	if e.chans[ec.key] == ec {
		delete(e.chans, ec.key)
	}
	e.mu.Unlock()
	ec.unsubscribe()
}

func (ec *edgeChannel) unsubscribe() {
	<-ec.ready
	if ec.sub != nil {
		_ = ec.sub.Unsubscribe()
	}
}

// onEvent receives the owner's events, one at a time, in order.
func (ec *edgeChannel) onEvent(m *nats.Msg) {
	var ev edgeEvent
	if json.Unmarshal(m.Data, &ev) != nil || ev.Seq == 0 || len(ev.Event) == 0 {
		ec.e.malformed("edge")
		return
	}
	ec.mu.Lock()
	switch {
	case ec.dead:
	case ec.former[ev.Owner]:
		ec.e.s.metrics.staleEvents.Inc()
	case ec.moving != nil:
		// The next owner's events, kept until it answers.
		ec.keepLocked(ev)
	case ev.Owner != ec.owner:
		ec.mu.Unlock()
		ec.fail("the channel moved to another node: join again")
		return
	case !ec.synced:
		ec.keepLocked(ev)
	case ev.Seq <= ec.last:
	case ev.Seq != ec.last+1:
		owner, last := ec.owner, ec.last
		ec.mu.Unlock()
		ec.e.s.logger.Warn("channel events lost between nodes", "channel", string(ec.key.name), "owner", string(owner), "last", last, "got", ev.Seq)
		ec.fail("channel events were lost between nodes: join again")
		return
	default:
		ec.applyLocked(ev)
	}
	ec.mu.Unlock()
}

// keepLocked keeps ev for members joining later. Caller holds ec.mu.
func (ec *edgeChannel) keepLocked(ev edgeEvent) {
	ec.ring = append(ec.ring, ev)
	if len(ec.ring) > edgeRingSize {
		ec.ring = ec.ring[len(ec.ring)-edgeRingSize:]
	}
}

// applyLocked delivers the next event to every local member that joined
// before it. Caller holds ec.mu.
func (ec *edgeChannel) applyLocked(ev edgeEvent) {
	ec.last = ev.Seq
	ec.keepLocked(ev)
	if me, ok := decodeMemberEvent(ev.Event); ok {
		if ev.To == 0 && ec.awaitedLocked(me) {
			return
		}
		ec.mirrorLocked(me)
	}
	for p, from := range ec.members {
		switch {
		case from >= ev.Seq:
		case ev.To != 0:
			if p.uid == ev.To {
				ec.applyOwnLocked(p, ev.Event)
			}
		case p.uid != ev.Except:
			p.sendRaw(ev.Event)
		}
	}
}

// memberEvent is what a channel event about one member says: its type,
// the member, and for a track event the media type and codec.
type memberEvent struct {
	typ     protocol.Type
	uid     protocol.UID
	account protocol.UserAccount
	key     subKey
	codec   protocol.Codec
}

// decodeMemberEvent reads b, an encoded event; ok is false when it does
// not decode or names no member.
func decodeMemberEvent(b []byte) (ev memberEvent, ok bool) {
	var env protocol.Envelope
	if json.Unmarshal(b, &env) != nil {
		return ev, false
	}
	var d struct {
		UID       protocol.UID         `json:"uid"`
		Account   protocol.UserAccount `json:"account"`
		MediaType protocol.MediaType   `json:"mediaType"`
		Codec     protocol.Codec       `json:"codec"`
	}
	if json.Unmarshal(env.Data, &d) != nil || d.UID == 0 {
		return ev, false
	}
	return memberEvent{typ: env.Type, uid: d.UID, account: d.Account, key: subKey{uid: d.UID, mt: d.MediaType}, codec: d.Codec}, true
}

// mirrorLocked follows the hosts and their tracks from an event. Caller
// holds ec.mu.
func (ec *edgeChannel) mirrorLocked(ev memberEvent) {
	switch ev.typ {
	case protocol.EventUserJoined:
		ec.present[ev.uid] = ev.account
	case protocol.EventUserPublished:
		ec.dropSubsLocked(ev.key, ec.rt.add(ev.key, ev.codec))
	case protocol.EventUserUnpublished:
		ec.dropTrackLocked(ev.key)
	case protocol.EventUserLeft:
		delete(ec.present, ev.uid)
		ec.dropTrackLocked(subKey{uid: ev.uid, mt: protocol.MediaAudio})
		ec.dropTrackLocked(subKey{uid: ev.uid, mt: protocol.MediaVideo})
	}
}

// dropTrackLocked forgets a track: local subscriptions to it end and the
// node sending it stops. Caller holds ec.mu.
func (ec *edgeChannel) dropTrackLocked(key subKey) {
	ec.dropSubsLocked(key, ec.rt.drop(key))
}

// dropSubsLocked ends the local members' subscriptions to in, this node's
// copy of a remote track (nothing when nil). Caller holds ec.mu.
func (ec *edgeChannel) dropSubsLocked(key subKey, in *sfu.PublishedTrack) {
	if in == nil {
		return
	}
	for p := range ec.members {
		p.dropSubscription(key, in)
	}
}

// fail ends every local member's session: the channel's events can no
// longer be followed here (its owner died or moved, or events were lost).
// They are told as a stopping node tells them (SERVER_SHUTDOWN), so that
// their SDKs join again through another node, where the channel is now,
// with their uid and role.
func (ec *edgeChannel) fail(msg string) {
	ec.mu.Lock()
	moving := ec.moving
	ec.moving = nil
	if moving != nil {
		defer close(moving)
	}
	if ec.dead {
		ec.mu.Unlock()
		return
	}
	members := make([]*Participant, 0, len(ec.members))
	for p := range ec.members {
		members = append(members, p)
	}
	ec.joining = 0
	ec.members = map[*Participant]uint64{}
	ec.emptyLocked()
	owner := ec.owner
	ec.mu.Unlock()
	ec.release()
	e := ec.e
	for _, p := range members {
		// The owner, if it lives, forgets them (it would keep them while
		// this node lives).
		e.publish(nodeSubject(owner, edgeOpLeave), edgeLeave{Node: e.self, App: ec.key.app, Channel: ec.key.name,
			UID: p.uid, Session: p.sessionID, Reason: protocol.OfflineDropped})
		p.edgeKicked.Store(true)
		p.disconnect(protocol.ReasonServerShutdown, msg)
		e.s.removeParticipant(p, protocol.OfflineDropped)
	}
}

// admit adds a member the owner accepted: the client gets resp, then the
// channel as the owner described it, then the events after that. It
// returns a local member with the same uid, whose session the owner ended
// (its notice may still be on the way), and false when the channel is gone.
func (ec *edgeChannel) admit(p *Participant, r edgeJoinReply, resp func()) (*Participant, bool) {
	ec.mu.Lock()
	defer ec.mu.Unlock()
	if ec.dead {
		return nil, false
	}
	if ec.synced && r.Seq < ec.last && (len(ec.ring) == 0 || ec.ring[0].Seq > r.Seq+1) {
		return nil, false // the events it missed are no longer held
	}
	ec.local.mu.Lock()
	old := ec.local.users[p.uid]
	if old != nil {
		ec.local.removeLocked(old, protocol.OfflineQuit)
		delete(ec.members, old)
	}
	ec.local.users[p.uid] = p
	if p.role == protocol.RoleBroadcaster {
		ec.local.hosts++
	}
	ec.local.mu.Unlock()
	resp()
	for _, b := range r.Snapshot {
		p.sendRaw(b)
	}
	if !ec.synced {
		for _, b := range r.Snapshot {
			if ev, ok := decodeMemberEvent(b); ok {
				ec.mirrorLocked(ev)
			}
		}
		ec.synced, ec.last = true, r.Seq
		ec.members[p] = r.Seq
		pending := ec.ring
		ec.ring = nil
		for _, ev := range pending {
			if ev.Seq <= ec.last {
				continue
			}
			if ev.Seq != ec.last+1 {
				break // a gap: the next event fails the channel
			}
			ec.applyLocked(ev)
		}
		return old, true
	}
	ec.members[p] = r.Seq
	for _, ev := range ec.ring {
		if ev.Seq > r.Seq && ev.Seq <= ec.last && ev.To == 0 && p.uid != ev.Except {
			p.sendRaw(ev.Event)
		}
	}
	return old, true
}

// memberLeft forgets a local member whose session ended and tells the
// owner, unless the owner ended it.
func (e *edgeState) memberLeft(p *Participant) {
	ec := p.edge
	ec.mu.Lock()
	_, was := ec.members[p]
	delete(ec.members, p)
	empty := ec.emptyLocked()
	owner := ec.owner
	ec.mu.Unlock()
	if was && !p.edgeKicked.Load() {
		e.publish(nodeSubject(owner, edgeOpLeave), edgeLeave{Node: e.self, App: ec.key.app, Channel: ec.key.name,
			UID: p.uid, Session: p.sessionID, Reason: p.offline})
	}
	if empty {
		ec.release()
	}
}

// onKick ends a local member's session the owner ended.
func (e *edgeState) onKick(m *nats.Msg) {
	var k edgeKick
	if json.Unmarshal(m.Data, &k) != nil || k.Session == "" {
		e.malformed("edge")
		return
	}
	s := e.s
	s.mu.Lock()
	p := s.sessions[k.Session]
	s.mu.Unlock()
	if p == nil || p.edge == nil {
		return
	}
	p.edgeKicked.Store(true)
	p.disconnect(k.Reason, k.Message)
	s.removeParticipant(p, protocol.OfflineQuit)
}

// sweep fails the channel when its owner died and stops pulling the
// tracks nobody here has watched for edgeIdle.
func (ec *edgeChannel) sweep(now time.Time) {
	if !ec.e.reg.Alive(ec.ownerNode()) {
		ec.startHandOver()
		return
	}
	ec.rt.sweep(now)
}

// ownerNode is the channel's owner now.
func (ec *edgeChannel) ownerNode() cluster.NodeID {
	ec.mu.Lock()
	defer ec.mu.Unlock()
	return ec.owner
}

// hostTrack is uid's mt track when uid is a host connected here, else
// nil.
func (ec *edgeChannel) hostTrack(uid protocol.UID, mt protocol.MediaType) *pubTrack {
	l := ec.local
	l.mu.Lock()
	defer l.mu.Unlock()
	if q := l.users[uid]; q != nil && q.role == protocol.RoleBroadcaster {
		return q.published[mt]
	}
	return nil
}

// track returns the local copy of a host's track for a member who
// subscribes: the track itself when its publisher is connected here,
// else pulled from the node where it is, when nobody here watches it yet.
func (ec *edgeChannel) track(ctx context.Context, uid protocol.UID, mt protocol.MediaType) (*pubTrack, *protocol.Error) {
	if pt := ec.hostTrack(uid, mt); pt != nil {
		return pt, nil
	}
	in, e := ec.rt.get(ctx, subKey{uid: uid, mt: mt}, ec.ownerNode())
	if e != nil {
		return nil, e
	}
	return &pubTrack{track: in}, nil
}

// tryEdgeJoin serves a member of a channel (live audience or host, or a
// communication channel's member) on this node when another live node
// owns the channel; handled is false when the join takes the usual path
// (placement, redirect).
func (c *conn) tryEdgeJoin(id uint64, req protocol.JoinRequest, app config.App, privs privileges, codecs map[protocol.Codec]bool) (handled bool, _ *protocol.Error) {
	s := c.srv
	e := s.edgeFor()
	if e == nil || s.nats.place == nil || !req.Edge {
		return false, nil
	}
	key := channelKey{app: app.ID, name: req.Channel}
	ctx, cancel := context.WithTimeout(context.Background(), edgeRequestTimeout)
	defer cancel()
	owner, err := s.nats.place.leases.Holder(ctx, leaseKeyOf(key))
	if err != nil || owner == "" || owner == e.self || !e.reg.Alive(owner) {
		return false, nil
	}
	ec, err := e.channel(key, owner, req.Profile)
	if err != nil {
		return true, protoErr(err)
	}
	defer ec.joinDone()
	session := newSessionID()
	var r edgeJoinReply
	err = e.request(ctx, owner, edgeOpJoin, edgeJoinRequest{Node: e.self, App: app.ID, Channel: req.Channel, Profile: req.Profile,
		UID: req.UID, Account: req.Account, Session: session, Role: req.Role, MayHost: mayHost(app, privs, time.Now())}, &r)
	switch {
	case err == nil && r.NotOwner:
		return false, nil
	case err == nil && r.Error != nil:
		return true, r.Error
	case err != nil:
		// The owner may have admitted it before the answer was lost.
		e.publish(nodeSubject(owner, edgeOpLeave), edgeLeave{Node: e.self, App: app.ID, Channel: req.Channel, Session: session, Reason: protocol.OfflineQuit})
		return true, protoErr(err)
	}
	now := time.Now()
	p := &Participant{srv: s, ch: ec.local, edge: ec, app: app, uid: r.UID, account: req.Account, sessionID: session, joinedAt: now,
		role: r.Role, published: map[protocol.MediaType]*pubTrack{}, out: c.out, conn: c, codecs: codecs, privs: privs,
		warned: map[token.Privilege]bool{}, expired: map[token.Privilege]bool{}, subs: map[subKey]*sfu.DownTrack{}}
	p.touch()
	p.logger = s.logger.With("app", app.ID, "channel", string(req.Channel), "uid", uint32(p.uid), "owner", string(owner))
	leave := func() {
		e.publish(nodeSubject(owner, edgeOpLeave), edgeLeave{Node: e.self, App: app.ID, Channel: req.Channel, UID: r.UID, Session: session, Reason: protocol.OfflineQuit})
	}
	s.mu.Lock()
	closing := s.closing
	if !closing {
		s.sessions[session] = p
	}
	s.mu.Unlock()
	if closing {
		leave()
		return true, perr(protocol.ErrRefused, "the server is shutting down")
	}
	resp := protocol.JoinResponse{UID: p.uid, Channel: req.Channel, SessionID: session, Role: r.Role, Profile: req.Profile,
		KeepAliveMs: s.cfg.Timers.KeepAlive.Milliseconds(), DropTimeoutMs: s.cfg.Timers.DropTimeout.Milliseconds(),
		ServerTimeMs: now.UnixMilli(), RoleError: r.RoleError, Nodes: s.nodeList(), ICEServers: s.iceServers(p, c.host)}
	old, ok := ec.admit(p, r, func() { c.reply(id, resp, nil) })
	if !ok {
		s.mu.Lock()
		delete(s.sessions, session)
		s.mu.Unlock()
		leave()
		return true, perr(protocol.ErrNoServerResources, "cluster: the channel moved while joining; try again")
	}
	c.p = p
	c.joined.Store(true)
	c.logger = p.logger
	p.logger.Info("joined a channel hosted by another node", "role", r.Role)
	if old != nil {
		old.edgeKicked.Store(true)
		old.disconnect(protocol.ReasonSameUIDLogin, "the same uid joined the channel from another connection")
		s.finishRemoval(old)
	}
	return true, nil
}
