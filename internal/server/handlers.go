package server

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/coder/websocket"
	"github.com/cohost-rtc/cohost/internal/sfu"
	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/token"
)

// sessionHandler handles a request of a joined session.
type sessionHandler func(c *conn, p *Participant, env *protocol.Envelope) *protocol.Error

// sessionHandlers are the requests that need a joined channel.
var sessionHandlers = map[protocol.Type]sessionHandler{
	protocol.TypeLeave: func(c *conn, p *Participant, env *protocol.Envelope) *protocol.Error {
		// The session ends before the client hears it left: its TURN
		// credential opens no allocation once leave has returned.
		c.srv.forgetSession(p)
		c.reply(env.ID, struct{}{}, nil)
		c.srv.removeParticipant(p, protocol.OfflineQuit)
		c.close(websocket.StatusNormalClosure, "left the channel")
		return nil
	},
	protocol.TypeSetRole:            withData((*conn).handleSetRole),
	protocol.TypeSetRemoteRole:      withData((*conn).handleSetRemoteRole),
	protocol.TypeRenewToken:         withData((*conn).handleRenewToken),
	protocol.TypePublish:            withData((*conn).handlePublish),
	protocol.TypeMute:               withData((*conn).handleMute),
	protocol.TypeSubscribe:          withData((*conn).handleSubscribe),
	protocol.TypeUnsubscribe:        withData((*conn).handleUnsubscribe),
	protocol.TypeAnswer:             withData((*conn).handleAnswer),
	protocol.TypeRelayStart:         (*conn).handleRelay,
	protocol.TypeRelayUpdate:        (*conn).handleRelay,
	protocol.TypeRelayStartOrUpdate: (*conn).handleRelay,
	protocol.TypeRelayStop:          (*conn).handleRelay,
	protocol.TypeRelayPause:         (*conn).handleRelay,
	protocol.TypeRelayResume:        (*conn).handleRelay,
}

func withData(h func(*conn, *Participant, uint64, json.RawMessage) *protocol.Error) sessionHandler {
	return func(c *conn, p *Participant, env *protocol.Envelope) *protocol.Error {
		return h(c, p, env.ID, env.Data)
	}
}

// dispatch handles one request. A handler replies itself on success; the
// error it returns is sent as the response otherwise.
func (c *conn) dispatch(env *protocol.Envelope) *protocol.Error {
	switch env.Type {
	case protocol.TypeJoin:
		return c.handleJoin(env.ID, env.Data)
	case protocol.TypeResume:
		return c.handleResume(env.ID, env.Data)
	case protocol.TypePing:
		c.reply(env.ID, protocol.PingResponse{ServerTimeMs: time.Now().UnixMilli()}, nil)
		return nil
	}
	h, ok := sessionHandlers[env.Type]
	switch {
	case !ok:
		return perr(protocol.ErrUnknownMessage, "unknown request type %q", env.Type)
	case c.p == nil:
		return perr(protocol.ErrNotInChannel, "%q needs a joined channel", env.Type)
	}
	return h(c, c.p, env)
}

func (c *conn) handleSetRole(p *Participant, id uint64, data json.RawMessage) *protocol.Error {
	req, e := decode[protocol.SetRoleRequest](data)
	if e != nil {
		return e
	}
	if !req.Role.Valid() {
		return perr(protocol.ErrInvalidArgument, "unknown client role %d", int(req.Role))
	}
	if p.edge != nil {
		return c.edgeSetRole(p, id, req.Role)
	}
	ch := p.ch
	p.mu.Lock()
	privs := p.privs
	p.mu.Unlock()
	ch.mu.Lock()
	old, e := ch.changeRoleLocked(p, req.Role, mayHost(p.app, privs, time.Now()), c.srv.cfg.Limits.MaxHostsPerChannel)
	role, epoch := p.role, p.roleEpoch
	ch.mu.Unlock()
	if e != nil {
		return e
	}
	if old != role && role == protocol.RoleAudience {
		// A relay needs a publishing host: the one started before this
		// change stops now, before the next request of this connection is
		// read, so a relay started after a promotion is never hit.
		c.srv.stopRelayBefore(p, epoch, "the host became audience")
	}
	c.reply(id, protocol.SetRoleResponse{Old: old, New: role}, nil)
	return nil
}

// changeRoleLocked is p's own role change (setClientRole), wherever p is
// connected: becoming host needs an administrator's grant or mayHost (the
// token's publish privilege) and room for one more host; stepping down
// ends the grant, as a demotion does. Nothing changes in the
// communication profile. It returns the role before. Caller holds ch.mu.
func (ch *Channel) changeRoleLocked(p *Participant, role protocol.ClientRole, mayHost bool, maxHosts int) (protocol.ClientRole, *protocol.Error) {
	old := p.role
	switch {
	case p.left:
		return old, perr(protocol.ErrNotInChannel, "the session has ended")
	case ch.profile == protocol.ProfileCommunication || role == old:
		return old, nil
	case role == protocol.RoleBroadcaster && !p.granted && !mayHost:
		return old, perr(protocol.ErrSetClientRoleNotAuth, "co-host authentication: the token has no publish privilege; renew it with a publisher token first").WithReason(int(protocol.RoleChangeFailedNotAuthorized))
	case role == protocol.RoleBroadcaster && ch.hosts >= maxHosts:
		return old, perr(protocol.ErrSetClientRoleNotAuth, "channel has %d hosts, the limit", ch.hosts).WithReason(int(protocol.RoleChangeFailedTooManyBroadcasters))
	}
	ch.setRoleLocked(p, role)
	if role == protocol.RoleAudience {
		p.granted = false
	}
	return old, nil
}

// setRoleLocked changes p's role and tells everyone. Caller holds ch.mu.
func (ch *Channel) setRoleLocked(p *Participant, role protocol.ClientRole) {
	old := p.role
	if old == role {
		return
	}
	p.roleEpoch++
	if role == protocol.RoleAudience {
		ch.unpublishAllLocked(p, ch.visible(p))
		p.role = role
		ch.hosts--
		ch.memberLeftLocked(p, protocol.OfflineBecomeAudience)
	} else {
		p.role = role
		ch.hosts++
		ch.memberJoinedLocked(p)
	}
	p.logger.Info("role changed", "old", old, "new", role)
}

func (c *conn) handleRenewToken(p *Participant, id uint64, data json.RawMessage) *protocol.Error {
	req, e := decode[protocol.RenewTokenRequest](data)
	if e != nil {
		return e
	}
	uid := string(p.account)
	if uid == "" {
		uid = p.uid.String()
	}
	privs, e := checkToken(p.app, req.Token, p.ch.key.name, uid, time.Now())
	if e != nil {
		e.Reason = 0
		return e
	}
	p.mu.Lock()
	p.privs = privs
	p.warned = map[token.Privilege]bool{}
	p.expired = map[token.Privilege]bool{}
	p.mu.Unlock()
	c.reply(id, protocol.RenewTokenResponse{ICEServers: c.srv.iceServers(p, c.host)}, nil)
	return nil
}

func (c *conn) handlePublish(p *Participant, id uint64, data json.RawMessage) *protocol.Error {
	req, e := decode[protocol.PublishRequest](data)
	if e != nil {
		return e
	}
	s := c.srv
	ch := p.ch
	if len(req.Tracks) > s.cfg.Limits.MaxTracksPerUser {
		return perr(protocol.ErrInvalidArgument, "%d tracks: a user publishes at most %d", len(req.Tracks), s.cfg.Limits.MaxTracksPerUser)
	}
	seen := map[protocol.MediaType]bool{}
	for _, t := range req.Tracks {
		if !t.MediaType.Valid() {
			return perr(protocol.ErrInvalidArgument, "track %q has unknown media type %q", t.MID, t.MediaType)
		}
		if t.MID == "" {
			return perr(protocol.ErrInvalidArgument, "a %s track has no mid", t.MediaType)
		}
		if seen[t.MediaType] {
			return perr(protocol.ErrInvalidArgument, "more than one %s track: publish one audio and one video track at most", t.MediaType)
		}
		seen[t.MediaType] = true
	}
	now := time.Now()
	p.mu.Lock()
	privs := p.privs
	p.mu.Unlock()
	ch.mu.Lock()
	role, granted := p.role, p.granted
	ch.mu.Unlock()
	if role != protocol.RoleBroadcaster {
		return perr(protocol.ErrRefused, "audience can not publish stream: set the client role to host first")
	}
	for _, t := range req.Tracks { // in the offer's order, as every loop below
		mt := t.MediaType
		if !granted && !mayPublish(p.app, privs, mt, now) {
			return perr(protocol.ErrNoPermission, "co-host authentication: the token has no valid %s privilege", privName(publishPrivilege(mt)))
		}
	}
	if req.SDP == "" {
		return perr(protocol.ErrInvalidArgument, "publish needs an SDP offer")
	}
	if err := sfu.CheckOffer(req.SDP, s.cfg.Limits.MaxTracksPerUser); err != nil {
		return perr(protocol.ErrInvalidArgument, "%v", err)
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return perr(protocol.ErrNotInChannel, "the session has ended")
	}
	up := p.up
	if up == nil {
		var err error
		up, err = s.media.NewUpstream(p.logger, iceTracker(&p.iceUp))
		if err != nil {
			p.mu.Unlock()
			return perr(protocol.ErrFailed, "create peer connection: %v", err)
		}
		p.up = up
	}
	p.mu.Unlock()
	answer, negotiated, err := up.Negotiate(req.SDP, s.cfg.Timers.RequestTimeout)
	if err != nil {
		if !up.Stable() {
			c.replaceUpstream(p, up)
		}
		if errors.Is(err, sfu.ErrBadSDP) {
			return perr(protocol.ErrInvalidArgument, "%v", err)
		}
		return perr(protocol.ErrFailed, "%v", err)
	}
	byMID := map[string]sfu.NegotiatedTrack{}
	for _, n := range negotiated {
		byMID[n.MID] = n
	}
	want := make([]wantTrack, 0, len(req.Tracks))
	for _, t := range req.Tracks {
		mt := t.MediaType
		n, ok := byMID[t.MID]
		if !ok || n.Kind != mt {
			return perr(protocol.ErrInvalidArgument, "the offer has no sending %s m-section with mid %q", mt, t.MID)
		}
		if n.Codec == "" {
			return perr(protocol.ErrNotSupported, "the %s track offers no codec cohost forwards (opus, vp8, vp9, h264)", mt)
		}
		want = append(want, wantTrack{mt: mt, id: t.MID, codec: n.Codec, muted: t.Muted})
	}

	defer s.syncEdgeTracks(p)
	defer s.syncRelays(p)
	ch.mu.Lock()
	defer ch.mu.Unlock()
	if p.left {
		return perr(protocol.ErrNotInChannel, "the session has ended")
	}
	if p.role != protocol.RoleBroadcaster {
		return perr(protocol.ErrRefused, "audience can not publish stream")
	}
	c.reply(id, protocol.PublishResponse{SDP: answer}, nil)
	// Announced in the offer's order: the order the app published in.
	ch.applyTracksLocked(p, want, func(t wantTrack) *pubTrack {
		track := sfu.NewPublishedTrack(p.uid, t.mt, t.codec, s.stats, s.cfg.Timers.KeyframeInterval, p.logger)
		up.Publish(t.id, track)
		return &pubTrack{track: track, mid: t.id, muted: t.muted}
	})
	return nil
}

// wantTrack is a track a host publishes now. id tells it from a track
// published before: a local host's mid, or the name the node of a host
// connected there gives it (edge_host_member.go).
type wantTrack struct {
	mt    protocol.MediaType
	id    string
	codec protocol.Codec
	muted bool
}

// applyTracksLocked makes p's published tracks those of want and announces
// the difference, in Agora's order: user-unpublished for each track no
// longer published or published again (audio first), then, in want's
// order, user-published (and user-muted when muted) for each new track,
// made by start, and user-muted for each track whose mute changed. Caller
// holds ch.mu.
func (ch *Channel) applyTracksLocked(p *Participant, want []wantTrack, start func(wantTrack) *pubTrack) {
	for _, mt := range []protocol.MediaType{protocol.MediaAudio, protocol.MediaVideo} {
		if cur := p.published[mt]; cur != nil {
			i := slices.IndexFunc(want, func(t wantTrack) bool { return t.mt == mt })
			if i < 0 || want[i].id != cur.mid {
				ch.unpublishLocked(p, mt, true)
			}
		}
	}
	for _, t := range want {
		if cur := p.published[t.mt]; cur != nil {
			if cur.muted != t.muted {
				cur.muted = t.muted
				ch.broadcast(p, encodeEvent(protocol.EventUserMuted, protocol.UserMutedEvent{UID: p.uid, MediaType: t.mt, Muted: t.muted}))
			}
			continue
		}
		p.published[t.mt] = start(t)
		ch.broadcast(p, encodeEvent(protocol.EventUserPublished, protocol.UserPublishedEvent{UID: p.uid, MediaType: t.mt, Codec: t.codec}))
		if t.muted {
			ch.broadcast(p, encodeEvent(protocol.EventUserMuted, protocol.UserMutedEvent{UID: p.uid, MediaType: t.mt, Muted: true}))
		}
		p.logger.Info("published", "media", t.mt, "codec", t.codec)
	}
}

// replaceUpstream drops p's upstream connection up, left unusable by a
// failed negotiation: its tracks are unpublished and the next publish
// creates a new connection.
func (c *conn) replaceUpstream(p *Participant, up *sfu.Upstream) {
	p.mu.Lock()
	mine := p.up == up
	if mine {
		p.up = nil
	}
	p.mu.Unlock()
	if !mine {
		return
	}
	ch := p.ch
	ch.mu.Lock()
	ch.unpublishAllLocked(p, true)
	ch.mu.Unlock()
	c.srv.syncRelays(p)
	c.srv.syncEdgeTracks(p)
	_ = up.Close()
	p.logger.Warn("upstream connection replaced after a failed negotiation")
}

// unpublishLocked stops p's mt track: subscribers lose it and, if announce,
// get user-unpublished. Caller holds ch.mu.
func (ch *Channel) unpublishLocked(p *Participant, mt protocol.MediaType, announce bool) {
	pt := p.published[mt]
	if pt == nil {
		return
	}
	delete(p.published, mt)
	key := subKey{uid: p.uid, mt: mt}
	track := pt.track
	switch {
	case track == nil:
		// Published on another node: the copy pulled here, if any, ends.
		if ch.pulls != nil {
			track = ch.pulls.drop(key)
		}
	case pt.gate == nil:
		p.mu.Lock()
		up := p.up
		p.mu.Unlock()
		if up != nil {
			up.Unpublish(pt.mid)
		}
		pt.track.Close()
	}
	if track != nil {
		for _, q := range ch.users {
			q.dropSubscription(key, track)
		}
	}
	if announce {
		ch.broadcast(p, encodeEvent(protocol.EventUserUnpublished, protocol.UserPublishedEvent{UID: p.uid, MediaType: mt, Codec: pt.codec()}))
	}
}

// dropSubscription removes q's subscription to key if it copies track.
func (q *Participant) dropSubscription(key subKey, track *sfu.PublishedTrack) {
	q.mu.Lock()
	dt := q.subs[key]
	if dt == nil || dt.Source() != track {
		q.mu.Unlock()
		return
	}
	delete(q.subs, key)
	down := q.down
	q.mu.Unlock()
	if down != nil {
		down.Remove(dt)
	}
}

func (c *conn) handleMute(p *Participant, id uint64, data json.RawMessage) *protocol.Error {
	req, e := decode[protocol.MuteRequest](data)
	if e != nil {
		return e
	}
	if !req.MediaType.Valid() {
		return perr(protocol.ErrInvalidArgument, "unknown media type %q", req.MediaType)
	}
	ch := p.ch
	ch.mu.Lock()
	pt := p.published[req.MediaType]
	if pt == nil {
		ch.mu.Unlock()
		return perr(protocol.ErrInvalidState, "no published %s track to mute", req.MediaType)
	}
	c.reply(id, struct{}{}, nil)
	changed := pt.muted != req.Muted
	if changed {
		pt.muted = req.Muted
		ch.broadcast(p, encodeEvent(protocol.EventUserMuted, protocol.UserMutedEvent{UID: p.uid, MediaType: req.MediaType, Muted: req.Muted}))
	}
	ch.mu.Unlock()
	if changed {
		c.srv.syncRelays(p)
		c.srv.syncEdgeTracks(p)
	}
	return nil
}

func (c *conn) handleSubscribe(p *Participant, id uint64, data json.RawMessage) *protocol.Error {
	req, e := decode[protocol.SubscribeRequest](data)
	if e != nil {
		return e
	}
	if !req.MediaType.Valid() {
		return perr(protocol.ErrInvalidArgument, "unknown media type %q", req.MediaType)
	}
	if req.UID == p.uid {
		return perr(protocol.ErrInvalidArgument, "cannot subscribe to yourself")
	}
	s := c.srv
	var pt *pubTrack
	if p.edge != nil {
		ctx, cancel := context.WithTimeout(context.Background(), s.cfg.Timers.RequestTimeout)
		pt, e = p.edge.track(ctx, req.UID, req.MediaType)
		cancel()
		if e != nil {
			return e
		}
	} else {
		ch := p.ch
		ch.mu.Lock()
		target := ch.users[req.UID]
		if target != nil && ch.visible(target) {
			pt = target.published[req.MediaType]
		}
		ch.mu.Unlock()
		if target == nil {
			return perr(protocol.ErrInvalidArgument, "user %d is not in the channel", req.UID)
		}
		if pt == nil {
			return perr(protocol.ErrInvalidArgument, "user %d has not published %s", req.UID, req.MediaType)
		}
		if pt.track == nil && ch.pulls != nil {
			// Published on another node: pulled from there.
			ctx, cancel := context.WithTimeout(context.Background(), s.cfg.Timers.RequestTimeout)
			in, e := ch.pulls.get(ctx, subKey{uid: req.UID, mt: req.MediaType}, target.remote)
			cancel()
			if e != nil {
				return e
			}
			pt = &pubTrack{track: in}
		}
	}
	key := subKey{uid: req.UID, mt: req.MediaType}
	p.mu.Lock()
	if !p.codecs[pt.track.Codec] {
		p.mu.Unlock()
		return perr(protocol.ErrCodecNotSupported, "user %d publishes %s in %s, which this client cannot receive", req.UID, req.MediaType, pt.track.Codec)
	}
	if dt := p.subs[key]; dt != nil && dt.Source() == pt.track {
		p.mu.Unlock()
		c.reply(id, struct{}{}, nil)
		return nil
	}
	if len(p.subs) >= s.cfg.Limits.MaxSubscriptionsPerUser {
		p.mu.Unlock()
		return perr(protocol.ErrResourceLimited, "a user receives at most %d tracks", s.cfg.Limits.MaxSubscriptionsPerUser)
	}
	if p.closed {
		p.mu.Unlock()
		return perr(protocol.ErrNotInChannel, "the session has ended")
	}
	if p.down == nil {
		down, err := s.media.NewDownstream(p.logger, s.cfg.Timers.RequestTimeout,
			func(ev protocol.OfferEvent) { p.offerSeq.Store(p.send(protocol.EventOffer, ev)) }, p.subscriptionFailed, iceTracker(&p.iceDown))
		if err != nil {
			p.mu.Unlock()
			return perr(protocol.ErrFailed, "create peer connection: %v", err)
		}
		p.down = down
	}
	old := p.subs[key]
	dt := sfu.NewDownTrack(pt.track)
	if pt.gate != nil {
		dt = sfu.NewRelayedDownTrack(pt.track, req.UID, pt.gate)
	}
	p.subs[key] = dt
	down := p.down
	p.mu.Unlock()
	c.reply(id, struct{}{}, nil)
	if old != nil {
		down.Remove(old)
	}
	down.Add(dt)
	// The track may have been unpublished meanwhile.
	if pt.track.Closed() {
		p.dropSubscription(key, pt.track)
	}
	return nil
}

func (c *conn) handleUnsubscribe(p *Participant, id uint64, data json.RawMessage) *protocol.Error {
	req, e := decode[protocol.SubscribeRequest](data)
	if e != nil {
		return e
	}
	if !req.MediaType.Valid() {
		return perr(protocol.ErrInvalidArgument, "unknown media type %q", req.MediaType)
	}
	key := subKey{uid: req.UID, mt: req.MediaType}
	p.mu.Lock()
	dt := p.subs[key]
	delete(p.subs, key)
	down := p.down
	p.mu.Unlock()
	c.reply(id, struct{}{}, nil)
	if dt != nil && down != nil {
		down.Remove(dt)
	}
	return nil
}

func (c *conn) handleAnswer(p *Participant, id uint64, data json.RawMessage) *protocol.Error {
	req, e := decode[protocol.AnswerRequest](data)
	if e != nil {
		return e
	}
	p.mu.Lock()
	down := p.down
	p.mu.Unlock()
	if down == nil {
		return perr(protocol.ErrInvalidState, "no downstream offer was sent")
	}
	// The offer answered was sent at or after this seq: the client has
	// every event up to it, which a resume never asks for again.
	received := p.offerSeq.Load()
	if err := down.Answer(req.SDP); err != nil {
		if errors.Is(err, sfu.ErrNoOfferPending) {
			return perr(protocol.ErrInvalidState, "%v", err)
		}
		return perr(protocol.ErrInvalidArgument, "%v", err)
	}
	p.mu.Lock()
	p.replay.forget(received)
	p.mu.Unlock()
	c.reply(id, struct{}{}, nil)
	return nil
}

// subscriptionFailed is called by the downstream loop when the client's
// answer refused a track: the subscription ends with a typed event.
func (p *Participant) subscriptionFailed(dt *sfu.DownTrack) {
	key := subKey{uid: dt.UID, mt: dt.MediaType}
	p.mu.Lock()
	if p.subs[key] == dt {
		delete(p.subs, key)
	}
	p.mu.Unlock()
	p.send(protocol.EventSubscriptionFailed, protocol.SubscriptionFailedEvent{UID: dt.UID, MediaType: dt.MediaType,
		Error: perr(protocol.ErrCodecNotSupported, "the client's answer refused %s in %s", dt.MediaType, dt.Codec)})
}
