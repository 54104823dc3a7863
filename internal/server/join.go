package server

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/cohost-rtc/cohost/internal/sfu"
	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/token"
)

func newSessionID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func decode[T any](data json.RawMessage) (T, *protocol.Error) {
	var v T
	if len(data) == 0 {
		return v, perr(protocol.ErrInvalidArgument, "request has no data")
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return v, perr(protocol.ErrInvalidArgument, "request data does not decode: %v", err)
	}
	return v, nil
}

func (c *conn) handleJoin(id uint64, data json.RawMessage) *protocol.Error {
	s := c.srv
	if c.p != nil {
		return perr(protocol.ErrJoinChannelRejected, "already in channel %q; leave first", c.p.ch.key.name)
	}
	req, e := decode[protocol.JoinRequest](data)
	if e != nil {
		return e
	}
	if req.Version != protocol.Version {
		return perr(protocol.ErrNotSupported, "protocol version %d is not supported (server speaks %d)", req.Version, protocol.Version)
	}
	app, ok := s.apps[req.AppID]
	if !ok {
		return perr(protocol.ErrInvalidAppID, "unknown App ID %q", req.AppID).WithReason(int(protocol.ReasonInvalidAppID))
	}
	if err := protocol.ValidateChannelName(string(req.Channel)); err != nil {
		return perr(protocol.ErrInvalidChannelName, "%v", err).WithReason(int(protocol.ReasonInvalidChannelName))
	}
	if !req.Profile.Valid() {
		return perr(protocol.ErrInvalidArgument, "unknown channel profile %d", int(req.Profile))
	}
	if req.Role == 0 {
		req.Role = protocol.RoleAudience
	}
	if !req.Role.Valid() {
		return perr(protocol.ErrInvalidArgument, "unknown client role %d", int(req.Role))
	}
	if req.Account != "" {
		if req.UID != 0 {
			return perr(protocol.ErrInvalidArgument, "give a uid or a user account, not both")
		}
		if err := protocol.ValidateUserAccount(string(req.Account)); err != nil {
			return perr(protocol.ErrInvalidUserID, "%v", err)
		}
	}
	codecs := map[protocol.Codec]bool{}
	for _, cd := range req.Codecs {
		if cd.Kind() == "" {
			return perr(protocol.ErrInvalidArgument, "unknown codec %q", cd)
		}
		codecs[cd] = true
	}
	if len(codecs) == 0 {
		for _, cd := range []protocol.Codec{protocol.CodecOpus, protocol.CodecVP8, protocol.CodecVP9, protocol.CodecH264} {
			codecs[cd] = true
		}
	}
	now := time.Now()
	tokenUID := string(req.Account)
	if req.Account == "" && req.UID != 0 {
		tokenUID = req.UID.String()
	}
	privs, e := checkToken(app, req.Token, req.Channel, tokenUID, now)
	if e != nil {
		return e
	}

	if handled, e := c.tryEdgeJoin(id, req, app, privs, codecs); handled || e != nil {
		return e
	}
	key := channelKey{app: app.ID, name: req.Channel}
	if s.nats != nil && s.nats.place != nil {
		to, e := s.nats.place.route(key, req.Redirects)
		if e != nil {
			return e
		}
		if to != nil {
			c.reply(id, protocol.JoinResponse{Redirect: to.SignalURL, RedirectNode: string(to.ID), Nodes: s.nodeList()}, nil)
			return nil
		}
	}
	ch, e := s.channelFor(key, req.Profile)
	if e != nil {
		return e
	}
	p := &Participant{srv: s, ch: ch, app: app, account: req.Account, sessionID: newSessionID(), joinedAt: now,
		published: map[protocol.MediaType]*pubTrack{}, out: c.out, conn: c, codecs: codecs, privs: privs,
		warned: map[token.Privilege]bool{}, expired: map[token.Privilege]bool{}, subs: map[subKey]*sfu.DownTrack{}}
	p.touch()
	ice := s.iceServers(p, c.host)

	var kicked *Participant
	var quiet bool
	ch.mu.Lock()
	if ch.profile != req.Profile {
		ch.mu.Unlock()
		s.releaseChannel(ch)
		return perr(protocol.ErrInvalidArgument, "channel %q uses profile %s, not %s", req.Channel, ch.profile, req.Profile)
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
		return perr(protocol.ErrAlreadyInUse, "uid %d is used by a channel media relay in %q", p.uid, req.Channel)
	} else if old != nil {
		kicked = old
		quiet = ch.replaceLocked(old)
	} else if len(ch.users) >= s.cfg.Limits.MaxUsersPerChannel {
		ch.mu.Unlock()
		s.releaseChannel(ch)
		return perr(protocol.ErrResourceLimited, "channel %q is full (%d users)", req.Channel, s.cfg.Limits.MaxUsersPerChannel)
	}
	var roleErr *protocol.Error
	p.role, roleErr = ch.joinRoleLocked(req.Role, mayHost(app, privs, now), s.cfg.Limits.MaxHostsPerChannel)
	p.logger = s.logger.With("app", app.ID, "channel", string(req.Channel), "uid", uint32(p.uid))
	// Register the session before the client hears of it, so a shutdown
	// that starts now still tells it why.
	s.mu.Lock()
	closing := s.closing
	if !closing {
		s.sessions[p.sessionID] = p
	}
	s.mu.Unlock()
	if closing {
		ch.mu.Unlock()
		s.releaseChannel(ch)
		return perr(protocol.ErrRefused, "the server is shutting down")
	}
	ch.users[p.uid] = p
	if p.role == protocol.RoleBroadcaster {
		ch.hosts++
	}
	resp := protocol.JoinResponse{UID: p.uid, Channel: req.Channel, SessionID: p.sessionID, Role: p.role, Profile: ch.profile,
		KeepAliveMs: s.cfg.Timers.KeepAlive.Milliseconds(), DropTimeoutMs: s.cfg.Timers.DropTimeout.Milliseconds(),
		ServerTimeMs: now.UnixMilli(), RoleError: roleErr, Nodes: s.nodeList(), ICEServers: ice}
	c.reply(id, resp, nil)
	for _, b := range ch.snapshot(p) {
		p.sendRaw(b)
	}
	ch.announceJoinLocked(p, kicked, quiet)
	role := p.role // p.role changes under ch.mu (setRemoteRole)
	ch.mu.Unlock()

	c.p = p
	c.joined.Store(true)
	c.logger = p.logger
	p.logger.Info("joined", "role", role, "profile", ch.profile)
	if kicked != nil {
		kicked.disconnect(protocol.ReasonSameUIDLogin, "the same uid joined the channel from another connection")
		s.finishRemoval(kicked)
	}
	return nil
}

func (c *conn) handleResume(id uint64, data json.RawMessage) *protocol.Error {
	s := c.srv
	if c.p != nil {
		return perr(protocol.ErrJoinChannelRejected, "already in a channel")
	}
	req, e := decode[protocol.ResumeRequest](data)
	if e != nil {
		return e
	}
	if req.Version != protocol.Version {
		return perr(protocol.ErrNotSupported, "protocol version %d is not supported (server speaks %d)", req.Version, protocol.Version)
	}
	if req.LastSeq == nil {
		// Without it the server cannot know which events the client got:
		// those written to the old connection before the server saw it
		// break would be lost.
		return perr(protocol.ErrInvalidArgument, "resume needs lastSeq, the seq of the last event handled (0 for none)")
	}
	s.mu.Lock()
	p := s.sessions[req.SessionID]
	s.mu.Unlock()
	if p == nil {
		return perr(protocol.ErrNotInChannel, "no session %q: it ended or was dropped after the timeout; join again", req.SessionID).WithReason(int(protocol.ReasonSessionExpired))
	}
	ch := p.ch
	ice := s.iceServers(p, c.host)
	ch.mu.Lock()
	if p.left {
		ch.mu.Unlock()
		return perr(protocol.ErrNotInChannel, "the session has ended; join again").WithReason(int(protocol.ReasonSessionExpired))
	}
	resp := protocol.JoinResponse{UID: p.uid, Channel: ch.key.name, SessionID: p.sessionID, Role: p.role, Profile: ch.profile,
		KeepAliveMs: s.cfg.Timers.KeepAlive.Milliseconds(), DropTimeoutMs: s.cfg.Timers.DropTimeout.Milliseconds(),
		ServerTimeMs: time.Now().UnixMilli(), Nodes: s.nodeList(), ICEServers: ice}
	env := protocol.Envelope{ID: id, Type: protocol.TypeResponse}
	env.Data, _ = json.Marshal(resp)
	b, _ := json.Marshal(env)
	if !p.attach(c, b, *req.LastSeq) {
		ch.mu.Unlock()
		return perr(protocol.ErrNotInChannel, "events after %d are no longer held; join again", *req.LastSeq).WithReason(int(protocol.ReasonSessionExpired))
	}
	ch.mu.Unlock()
	c.p = p
	c.joined.Store(true)
	c.logger = p.logger
	p.logger.Info("session resumed")
	p.mu.Lock()
	down := p.down
	p.mu.Unlock()
	if down != nil {
		// A pending offer the client never got comes again with the
		// replayed events; one it got but could not answer is sent again.
		down.RestartICE(p.offerSeq.Load() <= *req.LastSeq)
	}
	return nil
}

// channelFor returns the channel for key, creating it. The caller must add a
// member or call releaseChannel.
func (s *Server) channelFor(key channelKey, profile protocol.ChannelProfile) (*Channel, *protocol.Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return nil, perr(protocol.ErrRefused, "the server is shutting down")
	}
	if ch := s.channels[key]; ch != nil {
		return ch, nil
	}
	if len(s.channels) >= s.cfg.Limits.MaxChannels {
		return nil, perr(protocol.ErrNoServerResources, "the server holds %d channels, its limit", s.cfg.Limits.MaxChannels)
	}
	ch := newChannel(key, profile)
	if s.nats != nil && s.nats.edge != nil {
		ch.edge = s.nats.edge
		ch.pulls = newRemoteTracks(s.nats.edge, key)
	}
	s.channels[key] = ch
	return ch, nil
}

// releaseChannel forgets ch if it has no member.
func (s *Server) releaseChannel(ch *Channel) {
	ch.mu.Lock()
	empty := len(ch.users) == 0
	ch.mu.Unlock()
	if !empty {
		return
	}
	s.mu.Lock()
	if s.channels[ch.key] == ch {
		ch.mu.Lock()
		if len(ch.users) == 0 {
			delete(s.channels, ch.key)
		}
		ch.mu.Unlock()
	}
	s.mu.Unlock()
	s.releaseLeaseSoon()
}

// joinRoleLocked is the role of a member joining ch as role, wherever it
// is connected, and why it is not role: a host needs mayHost (its token's
// publish privilege) and room for one more host, else it joins as
// audience; every member of a communication channel is a host. Caller
// holds ch.mu.
func (ch *Channel) joinRoleLocked(role protocol.ClientRole, mayHost bool, maxHosts int) (protocol.ClientRole, *protocol.Error) {
	switch {
	case ch.profile == protocol.ProfileCommunication:
		return protocol.RoleBroadcaster, nil
	case role != protocol.RoleBroadcaster:
		return protocol.RoleAudience, nil
	case !mayHost:
		return protocol.RoleAudience, perr(protocol.ErrSetClientRoleNotAuth, "the token has no publish privilege: joined as audience").WithReason(int(protocol.RoleChangeFailedNotAuthorized))
	case ch.hosts >= maxHosts:
		return protocol.RoleAudience, perr(protocol.ErrSetClientRoleNotAuth, "channel has %d hosts, the limit: joined as audience", ch.hosts).WithReason(int(protocol.RoleChangeFailedTooManyBroadcasters))
	}
	return protocol.RoleBroadcaster, nil
}

// removeLocked takes p out of ch: others see user-left (if p was visible)
// and lose their subscriptions to p. Caller holds ch.mu; media is released
// by finishRemoval, outside the lock.
func (ch *Channel) removeLocked(p *Participant, reason protocol.UserOfflineReason) {
	if p.left {
		return
	}
	p.left = true
	p.offline = reason
	delete(ch.users, p.uid)
	if p.remote != "" {
		ch.edgeMembers--
	}
	wasVisible := ch.visible(p)
	if p.role == protocol.RoleBroadcaster {
		ch.hosts--
	}
	ch.unpublishAllLocked(p, wasVisible)
	if wasVisible {
		ch.memberLeftLocked(p, reason)
	}
}

// unpublishAllLocked stops p's tracks, audio then video; with announce the
// others get user-unpublished for each, as Agora's SDKs report a publisher
// leaving or becoming audience: user-unpublished first, then user-left.
// Caller holds ch.mu.
func (ch *Channel) unpublishAllLocked(p *Participant, announce bool) {
	for _, mt := range []protocol.MediaType{protocol.MediaAudio, protocol.MediaVideo} {
		ch.unpublishLocked(p, mt, announce)
	}
}

// removeParticipant ends p's session with reason as seen by others.
func (s *Server) removeParticipant(p *Participant, reason protocol.UserOfflineReason) {
	ch := p.ch
	ch.mu.Lock()
	ch.removeLocked(p, reason)
	ch.mu.Unlock()
	s.finishRemoval(p)
}

// forgetSession drops p's session from the sessions a resume or a TURN
// allocation can name.
func (s *Server) forgetSession(p *Participant) {
	s.mu.Lock()
	if s.sessions[p.sessionID] == p {
		delete(s.sessions, p.sessionID)
	}
	s.mu.Unlock()
}

// finishRemoval releases p's media and session after removeLocked.
func (s *Server) finishRemoval(p *Participant) {
	s.forgetSession(p)
	p.closeMedia()
	s.stopRelay(p, "")
	if e := s.edgeFor(); e != nil {
		if p.remote != "" {
			e.forget(p)
		}
		if p.edge != nil {
			e.memberLeft(p)
		}
	}
	s.releaseChannel(p.ch)
	p.logger.Info("left")
}
