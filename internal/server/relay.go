package server

import (
	"time"

	"github.com/cohost-rtc/cohost/internal/sfu"
	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/token"
)

// relaySession is a host's channel media relay: its published tracks appear
// in each destination channel as a host with the destination uid (a
// virtual participant), forwarded packet by packet from the same published
// track. Guarded by the owner's relayMu.
type relaySession struct {
	state      protocol.RelayState
	src        protocol.ChannelMediaInfo
	srcPrivs   privileges
	dests      []*relayDest
	gate       *sfu.Gate
	lastChange time.Time
	warned     map[string]bool
	// roleEpoch is the host's roleEpoch when the relay was checked: a
	// demotion stops only relays started before it.
	roleEpoch uint64
}

// relayDest is one destination channel of a relay: hosted here (ch, with
// the stand-in vp), or by another node (remote, relay_remote.go), or lost
// while the node that hosted it is replaced (relay_recover.go).
type relayDest struct {
	info   protocol.ChannelMediaInfo
	ch     *Channel
	vp     *Participant
	remote *relayExport
	privs  privileges
}

// lost reports a destination whose node is being replaced: nothing is
// left of it until it is joined again.
func (d *relayDest) lost() bool { return d.ch == nil && d.remote == nil }

func relayUID(u protocol.UID) string {
	if u == 0 {
		return ""
	}
	return u.String()
}

func (p *Participant) relayState(state protocol.RelayState, code protocol.RelayError, ch protocol.ChannelName, msg string) {
	p.send(protocol.EventRelayState, protocol.RelayStateEvent{State: state, Code: code, Channel: ch, Message: msg})
}

func (p *Participant) relayEvent(ev protocol.RelayEvent, ch protocol.ChannelName) {
	p.send(protocol.EventRelayEvent, protocol.RelayEventEvent{Event: ev, Channel: ch})
}

// handleRelay serves the relay requests of p.
func (c *conn) handleRelay(p *Participant, env *protocol.Envelope) *protocol.Error {
	s := c.srv
	p.relayMu.Lock()
	defer p.relayMu.Unlock()
	rs := p.relay
	switch env.Type {
	case protocol.TypeRelayStop:
		if rs == nil {
			return perr(protocol.ErrInvalidState, "no channel media relay is running")
		}
		s.teardownRelayLocked(p)
		p.relayState(protocol.RelayStateIdle, protocol.RelayOK, "", "")
		c.reply(env.ID, struct{}{}, nil)
		return nil
	case protocol.TypeRelayPause:
		if rs == nil || !rs.gate.Pause() {
			p.relayEvent(protocol.RelayEventPauseSendPacketFailed, "")
			return perr(protocol.ErrInvalidState, "no running relay to pause")
		}
		p.relayEvent(protocol.RelayEventPauseSendPacketSuccess, "")
		c.reply(env.ID, struct{}{}, nil)
		return nil
	case protocol.TypeRelayResume:
		if rs == nil || !rs.gate.Resume() {
			p.relayEvent(protocol.RelayEventResumeSendPacketFailed, "")
			return perr(protocol.ErrInvalidState, "no paused relay to resume")
		}
		p.relayEvent(protocol.RelayEventResumeSendPacketSuccess, "")
		c.reply(env.ID, struct{}{}, nil)
		return nil
	}
	req, e := decode[protocol.RelayRequest](env.Data)
	if e != nil {
		return e
	}
	rejoin := env.Type == protocol.TypeRelayStart && req.Rejoin
	if rejoin && rs != nil {
		// Its relay still runs here: nothing was lost.
		for _, d := range rs.dests {
			p.relayEvent(protocol.RelayEventNetworkConnected, d.info.ChannelName)
		}
		c.reply(env.ID, struct{}{}, nil)
		return nil
	}
	update := env.Type == protocol.TypeRelayUpdate || (env.Type == protocol.TypeRelayStartOrUpdate && rs != nil)
	switch {
	case env.Type == protocol.TypeRelayStart && rs != nil:
		return perr(protocol.ErrInvalidState, "a channel media relay is running: stop it first, or update it")
	case update && rs == nil:
		return perr(protocol.ErrInvalidState, "no channel media relay is running: start one before updating it")
	}
	epoch, e := s.checkRelayRequest(p, &req)
	if e != nil {
		return e
	}
	now := time.Now()
	tokenOnly := false
	if update {
		same, sameTokens := sameDests(rs.dests, req.Dests)
		if same && sameTokens {
			p.relayEvent(protocol.RelayEventUpdateDestChannelNotChange, "")
			c.reply(env.ID, struct{}{}, nil)
			return nil
		}
		tokenOnly = same
	}
	if !tokenOnly && rs != nil && now.Sub(rs.lastChange) < s.cfg.Timers.RelayMinInterval ||
		!update && now.Sub(p.lastRelayStart) < s.cfg.Timers.RelayMinInterval {
		p.relayEvent(protocol.RelayEventUpdateDestChannelRefused, "")
		return perr(protocol.ErrTooOften, "relay start or update more often than once per %v", s.cfg.Timers.RelayMinInterval)
	}
	if update {
		if e := s.updateRelayLocked(p, req, now, tokenOnly); e != nil {
			return e
		}
		c.reply(env.ID, struct{}{}, nil)
		return nil
	}
	if e := s.startRelayLocked(p, req, now, epoch, rejoin); e != nil {
		return e
	}
	c.reply(env.ID, struct{}{}, nil)
	return nil
}

// checkRelayRequest applies the static rules: a publishing host of a live
// channel, at most MaxRelayDestinations distinct destinations other than the
// source, valid names, a source of the caller's channel and uid (or 0). It
// returns p's roleEpoch at the time of the check. Caller holds p.relayMu.
func (s *Server) checkRelayRequest(p *Participant, req *protocol.RelayRequest) (uint64, *protocol.Error) {
	ch := p.ch
	ch.mu.Lock()
	profile, role, publishing, epoch := ch.profile, p.role, len(p.published), p.roleEpoch
	ch.mu.Unlock()
	if profile != protocol.ProfileLiveBroadcasting {
		return 0, perr(protocol.ErrRefused, "channel media relay needs the live profile")
	}
	if role != protocol.RoleBroadcaster {
		return 0, perr(protocol.ErrRefused, "only a host can relay its media: audience can not start a channel media relay")
	}
	if publishing == 0 {
		return 0, perr(protocol.ErrRefused, "publish a track before starting a channel media relay")
	}
	if req.Src.ChannelName == "" {
		req.Src.ChannelName = ch.key.name
	}
	if req.Src.ChannelName != ch.key.name {
		return 0, perr(protocol.ErrInvalidArgument, "the source channel %q is not the caller's channel %q", req.Src.ChannelName, ch.key.name)
	}
	if req.Src.UID != 0 && req.Src.UID != p.uid {
		return 0, perr(protocol.ErrInvalidArgument, "the source uid must be 0 or the caller's uid %d, not %d", p.uid, req.Src.UID)
	}
	if len(req.Dests) == 0 {
		return 0, perr(protocol.ErrInvalidArgument, "a channel media relay needs at least one destination channel")
	}
	if max := s.cfg.Limits.MaxRelayDestinations; len(req.Dests) > max {
		return 0, perr(protocol.ErrInvalidArgument, "%d destination channels: at most %d", len(req.Dests), max)
	}
	seen := map[protocol.ChannelName]bool{}
	for _, d := range req.Dests {
		if err := protocol.ValidateChannelName(string(d.ChannelName)); err != nil {
			return 0, perr(protocol.ErrInvalidChannelName, "destination: %v", err)
		}
		if d.ChannelName == ch.key.name {
			return 0, perr(protocol.ErrInvalidArgument, "the destination %q is the source channel", d.ChannelName)
		}
		if seen[d.ChannelName] {
			return 0, perr(protocol.ErrInvalidArgument, "destination %q is given twice", d.ChannelName)
		}
		seen[d.ChannelName] = true
	}
	return epoch, nil
}

// sameDests compares the current destinations with a request: same
// channels and uids, and whether the tokens are the same too.
func sameDests(cur []*relayDest, next []protocol.ChannelMediaInfo) (same, sameTokens bool) {
	if len(cur) != len(next) {
		return false, false
	}
	byName := map[protocol.ChannelName]protocol.ChannelMediaInfo{}
	for _, d := range next {
		byName[d.ChannelName] = d
	}
	sameTokens = true
	for _, d := range cur {
		n, ok := byName[d.info.ChannelName]
		if !ok || n.UID != d.info.UID {
			return false, false
		}
		if n.Token != d.info.Token {
			sameTokens = false
		}
	}
	return true, sameTokens
}

// startRelayLocked checks the tokens, joins every destination and reports
// the states and events of a start; a rejoin (the relay ran on a node the
// host had to leave) reports only NETWORK_CONNECTED for each destination.
// Caller holds p.relayMu.
func (s *Server) startRelayLocked(p *Participant, req protocol.RelayRequest, now time.Time, epoch uint64, rejoin bool) *protocol.Error {
	p.lastRelayStart = now
	rs := &relaySession{src: req.Src, gate: &sfu.Gate{}, lastChange: now, warned: map[string]bool{}, roleEpoch: epoch}
	if rejoin && req.Paused {
		rs.gate.Pause()
	}
	if !rejoin {
		p.relayState(protocol.RelayStateConnecting, protocol.RelayOK, "", "")
	}
	privs, e := checkToken(p.app, req.Src.Token, req.Src.ChannelName, relayUID(req.Src.UID), now)
	if e != nil {
		p.relayState(protocol.RelayStateFailure, protocol.RelayErrFailedJoinSrc, req.Src.ChannelName, e.Message)
		return perr(protocol.ErrRelayFailedJoinSrc, "source token: %s", e.Message)
	}
	rs.srcPrivs = privs
	if !rejoin {
		p.relayEvent(protocol.RelayEventJoinedSrcChannel, req.Src.ChannelName)
	}
	p.relay = rs
	for _, info := range req.Dests {
		if e := s.addRelayDestLocked(p, rs, info, now, rejoin); e != nil {
			return e
		}
	}
	rs.state = protocol.RelayStateRunning
	s.syncRelayLocked(p, rs)
	if rejoin {
		p.logger.Info("channel media relay continued after a move", "destinations", len(rs.dests), "paused", req.Paused)
		return nil
	}
	p.ch.mu.Lock()
	_, audio := p.published[protocol.MediaAudio]
	_, video := p.published[protocol.MediaVideo]
	p.ch.mu.Unlock()
	if video {
		p.relayEvent(protocol.RelayEventReceivedVideoFromSrc, "")
	}
	if audio {
		p.relayEvent(protocol.RelayEventReceivedAudioFromSrc, "")
	}
	p.relayState(protocol.RelayStateRunning, protocol.RelayOK, "", "")
	p.logger.Info("channel media relay started", "destinations", len(rs.dests))
	return nil
}

// updateRelayLocked replaces the destination set: removed channels lose
// the relayed host, added ones gain it, kept ones are untouched (their
// subscribers see no gap) or get fresh tokens. Caller holds p.relayMu.
func (s *Server) updateRelayLocked(p *Participant, req protocol.RelayRequest, now time.Time, tokenOnly bool) *protocol.Error {
	rs := p.relay
	want := map[protocol.ChannelName]protocol.ChannelMediaInfo{}
	for _, d := range req.Dests {
		want[d.ChannelName] = d
	}
	// Fresh tokens for kept destinations are checked first: a bad one fails
	// the relay as a whole, as a failed destination does.
	for _, d := range rs.dests {
		n, ok := want[d.info.ChannelName]
		if !ok || n.UID != d.info.UID || n.Token == d.info.Token {
			continue
		}
		privs, e := s.checkDestToken(p, n, now)
		if e != nil {
			s.failRelayLocked(p, protocol.RelayErrFailedJoinDest, n.ChannelName, e.Message)
			return perr(protocol.ErrRelayFailedJoinDest, "destination %q: %s", n.ChannelName, e.Message)
		}
		d.privs, d.info.Token = privs, n.Token
		s.resetRelayWarnings(rs, "dest:"+string(n.ChannelName))
	}
	if req.Src.Token != rs.src.Token {
		privs, e := checkToken(p.app, req.Src.Token, req.Src.ChannelName, relayUID(req.Src.UID), now)
		if e != nil {
			s.failRelayLocked(p, protocol.RelayErrFailedJoinSrc, req.Src.ChannelName, e.Message)
			return perr(protocol.ErrRelayFailedJoinSrc, "source token: %s", e.Message)
		}
		rs.srcPrivs, rs.src.Token = privs, req.Src.Token
		s.resetRelayWarnings(rs, "src")
	}
	p.relayEvent(protocol.RelayEventUpdateDestChannel, "")
	if tokenOnly {
		return nil
	}
	rs.lastChange = now
	kept := rs.dests[:0]
	for _, d := range rs.dests {
		if n, ok := want[d.info.ChannelName]; ok && n.UID == d.info.UID {
			kept = append(kept, d)
			delete(want, d.info.ChannelName)
			continue
		}
		s.removeRelayDest(d)
	}
	rs.dests = kept
	for _, info := range req.Dests {
		if _, add := want[info.ChannelName]; !add {
			continue
		}
		if e := s.addRelayDestLocked(p, rs, info, now, false); e != nil {
			return e
		}
	}
	s.syncRelayLocked(p, rs)
	p.logger.Info("channel media relay updated", "destinations", len(rs.dests))
	return nil
}

// checkDestToken checks a destination token: it must admit (channel, uid)
// and, with co-host authentication, carry a publish privilege.
func (s *Server) checkDestToken(p *Participant, info protocol.ChannelMediaInfo, now time.Time) (privileges, *protocol.Error) {
	privs, e := checkToken(p.app, info.Token, info.ChannelName, relayUID(info.UID), now)
	if e != nil {
		return nil, e
	}
	if !mayHost(p.app, privs, now) {
		return nil, perr(protocol.ErrNoPermission, "the destination token has no publish privilege")
	}
	return privs, nil
}

// addRelayDestLocked adds one destination: the relayed host appears there
// as a host with the destination uid (rejoin: of a relay continued after
// the host moved). On failure the whole relay stops with FAILED_JOIN_DEST.
// Caller holds p.relayMu.
func (s *Server) addRelayDestLocked(p *Participant, rs *relaySession, info protocol.ChannelMediaInfo, now time.Time, rejoin bool) *protocol.Error {
	fail := func(msg string) *protocol.Error {
		s.failRelayLocked(p, protocol.RelayErrFailedJoinDest, info.ChannelName, msg)
		return perr(protocol.ErrRelayFailedJoinDest, "destination %q: %s", info.ChannelName, msg)
	}
	privs, e := s.checkDestToken(p, info, now)
	if e != nil {
		return fail(e.Message)
	}
	d, _, e := s.joinRelayDestLocked(p, rs, info, func() {
		if rejoin {
			p.relayEvent(protocol.RelayEventNetworkConnected, info.ChannelName)
			return
		}
		p.relayEvent(protocol.RelayEventJoinedDestChannel, info.ChannelName)
		p.relayEvent(protocol.RelayEventSentToDestChannel, info.ChannelName)
	})
	if e != nil {
		return fail(e.Message)
	}
	d.privs = privs
	rs.dests = append(rs.dests, d)
	return nil
}

// joinRelayDestLocked shows p in the destination channel of info, where
// it is hosted: here, or through its owner when another node hosts it.
// joined runs once it is there, before p hears of the destination's
// hosts when it is hosted here. retry reports a failure that may pass.
// Caller holds p.relayMu.
func (s *Server) joinRelayDestLocked(p *Participant, rs *relaySession, info protocol.ChannelMediaInfo, joined func()) (_ *relayDest, retry bool, _ *protocol.Error) {
	key := channelKey{app: p.app.ID, name: info.ChannelName}
	if rn := s.relayNodeFor(); rn != nil && s.nats.place != nil {
		for attempt := 0; ; attempt++ {
			owner, retry, err := rn.destOwner(key)
			if err != nil {
				return nil, retry, perr(protocol.ErrRelayFailedJoinDest, "%v", err)
			}
			if owner == "" {
				break
			}
			ex, notOwner, retry, e := rn.addRemote(p, rs, info, owner)
			if notOwner && attempt == 0 {
				continue // the channel just moved, or went: where is it now?
			}
			if e != nil {
				return nil, retry, e
			}
			joined()
			return &relayDest{info: info, remote: ex}, false, nil
		}
	}
	ch, e := s.channelFor(key, protocol.ProfileLiveBroadcasting)
	if e != nil {
		return nil, false, e
	}
	if rn := s.relayNodeFor(); rn != nil {
		// The same relay shown here by a node the host had to leave.
		rn.endImports(func(imp *relayImport) bool {
			return imp.ch == ch && imp.source == p.ch.key.name && imp.watcher.uid == p.uid
		}, "")
	}
	ch.mu.Lock()
	uid := info.UID
	if msg := s.relayRefusalLocked(ch, uid); msg != "" {
		ch.mu.Unlock()
		s.releaseChannel(ch)
		return nil, false, perr(protocol.ErrRelayFailedJoinDest, "%s", msg)
	}
	if uid == 0 {
		uid = ch.freeUID()
	}
	vp := &Participant{srv: s, ch: ch, app: p.app, uid: uid, virtual: true, relayOf: p, role: protocol.RoleBroadcaster,
		published: map[protocol.MediaType]*pubTrack{}, subs: map[subKey]*sfu.DownTrack{},
		logger: s.logger.With("app", p.app.ID, "channel", string(info.ChannelName), "uid", uint32(uid), "relayOf", uint32(p.uid))}
	ch.users[uid] = vp
	ch.hosts++
	ch.memberJoinedLocked(vp)
	joined()
	// From now on p sees the destination's hosts come and go.
	ch.watchLocked(p)
	ch.mu.Unlock()
	return &relayDest{info: info, ch: ch, vp: vp}, false, nil
}

// relayRefusalLocked is why a relayed host cannot be a host with uid (0:
// any) in ch, or "". Caller holds ch.mu.
func (s *Server) relayRefusalLocked(ch *Channel, uid protocol.UID) string {
	switch {
	case ch.profile != protocol.ProfileLiveBroadcasting:
		return "the destination channel does not use the live profile"
	case uid != 0 && ch.users[uid] != nil:
		return "uid " + uid.String() + " is already used in the destination channel"
	case ch.hosts >= s.cfg.Limits.MaxHostsPerChannel:
		return "the destination channel has the most hosts allowed"
	}
	return ""
}

// removeRelayDest takes the relayed host out of a destination channel; the
// relaying host sees that channel's hosts leave.
func (s *Server) removeRelayDest(d *relayDest) {
	if d.remote != nil {
		if rn := s.relayNodeFor(); rn != nil {
			rn.removeRemote(d.remote, protocol.OfflineQuit, true)
		}
		return
	}
	if d.lost() {
		return
	}
	d.ch.mu.Lock()
	d.ch.unwatchLocked(d.vp.relayOf)
	d.ch.removeLocked(d.vp, protocol.OfflineQuit)
	d.ch.mu.Unlock()
	s.releaseChannel(d.ch)
}

// teardownRelayLocked removes every destination. Caller holds p.relayMu.
func (s *Server) teardownRelayLocked(p *Participant) {
	rs := p.relay
	if rs == nil {
		return
	}
	for _, d := range rs.dests {
		s.removeRelayDest(d)
	}
	p.relay = nil
	p.logger.Info("channel media relay stopped")
}

// failRelayLocked stops the whole relay with FAILURE(code), naming the
// channel concerned. Caller holds p.relayMu.
func (s *Server) failRelayLocked(p *Participant, code protocol.RelayError, ch protocol.ChannelName, msg string) {
	s.teardownRelayLocked(p)
	p.relayState(protocol.RelayStateFailure, code, ch, msg)
	p.logger.Info("channel media relay failed", "code", code, "destination", string(ch), "reason", msg)
}

// stopRelay ends p's relay (the host left, dropped or became audience).
// When why is not empty the host still listens and is told: IDLE.
func (s *Server) stopRelay(p *Participant, why string) {
	p.relayMu.Lock()
	defer p.relayMu.Unlock()
	if p.relay == nil {
		return
	}
	s.teardownRelayLocked(p)
	if why != "" {
		p.relayState(protocol.RelayStateIdle, protocol.RelayOK, "", why)
	}
}

// stopRelayBefore ends p's relay if it was started before p's role change
// numbered epoch (a demotion): a relay started after it, by a host promoted
// again, stays. The host is told IDLE with why.
func (s *Server) stopRelayBefore(p *Participant, epoch uint64, why string) {
	p.relayMu.Lock()
	defer p.relayMu.Unlock()
	if p.relay == nil || p.relay.roleEpoch >= epoch {
		return
	}
	s.teardownRelayLocked(p)
	p.relayState(protocol.RelayStateIdle, protocol.RelayOK, "", why)
}

// syncRelays mirrors p's published tracks (and their mute state) into every
// destination of its relay. Called outside channel locks after a change.
func (s *Server) syncRelays(p *Participant) {
	p.relayMu.Lock()
	defer p.relayMu.Unlock()
	if p.relay != nil {
		s.syncRelayLocked(p, p.relay)
	}
}

func (s *Server) syncRelayLocked(p *Participant, rs *relaySession) {
	type snap struct {
		track *sfu.PublishedTrack
		muted bool
	}
	p.ch.mu.Lock()
	src := map[protocol.MediaType]snap{}
	for mt, pt := range p.published {
		src[mt] = snap{pt.track, pt.muted}
	}
	p.ch.mu.Unlock()
	for _, d := range rs.dests {
		if d.remote != nil {
			if rn := s.relayNodeFor(); rn != nil {
				rn.syncRemote(d.remote)
			}
			continue
		}
		ch, vp := d.ch, d.vp
		if ch == nil {
			continue
		}
		ch.mu.Lock()
		for mt, pt := range vp.published {
			if cur, ok := src[mt]; !ok || cur.track != pt.track {
				ch.unpublishLocked(vp, mt, true)
			}
		}
		for _, mt := range []protocol.MediaType{protocol.MediaAudio, protocol.MediaVideo} {
			cur, ok := src[mt]
			if !ok {
				continue
			}
			if pt := vp.published[mt]; pt == nil {
				ch.publishStandInLocked(vp, mt, cur.track, cur.muted, rs.gate)
			} else {
				ch.muteStandInLocked(vp, mt, pt, cur.muted)
			}
		}
		ch.mu.Unlock()
	}
}

// publishStandInLocked makes track the stand-in vp's, sent through gate,
// and announces it to ch's members. Caller holds ch.mu.
func (ch *Channel) publishStandInLocked(vp *Participant, mt protocol.MediaType, track *sfu.PublishedTrack, muted bool, gate *sfu.Gate) {
	vp.published[mt] = &pubTrack{track: track, muted: muted, gate: gate}
	ch.broadcast(vp, encodeEvent(protocol.EventUserPublished, protocol.UserPublishedEvent{UID: vp.uid, MediaType: mt, Codec: track.Codec}))
	if muted {
		ch.broadcast(vp, encodeEvent(protocol.EventUserMuted, protocol.UserMutedEvent{UID: vp.uid, MediaType: mt, Muted: true}))
	}
}

// muteStandInLocked announces a change of the mute of the stand-in vp's
// track pt. Caller holds ch.mu.
func (ch *Channel) muteStandInLocked(vp *Participant, mt protocol.MediaType, pt *pubTrack, muted bool) {
	if pt.muted == muted {
		return
	}
	pt.muted = muted
	ch.broadcast(vp, encodeEvent(protocol.EventUserMuted, protocol.UserMutedEvent{UID: vp.uid, MediaType: mt, Muted: muted}))
}

func (s *Server) resetRelayWarnings(rs *relaySession, prefix string) {
	for k := range rs.warned {
		if len(k) >= len(prefix) && k[:len(prefix)] == prefix {
			delete(rs.warned, k)
		}
	}
}

// checkRelayTokens warns before, and fails the relay at, the expiry of its
// source token (joinChannel) or of a destination token (joinChannel, or
// with co-host authentication the last publish privilege).
func (s *Server) checkRelayTokens(p *Participant, now time.Time) {
	p.relayMu.Lock()
	defer p.relayMu.Unlock()
	rs := p.relay
	if rs == nil {
		return
	}
	// check warns once per privilege before it expires and reports whether
	// the first one listed (joinChannel) has expired.
	check := func(kind string, ch protocol.ChannelName, ps privileges, prs []token.Privilege) (joinExpired bool) {
		for i, pr := range prs {
			exp, ok := ps[pr]
			if ps == nil || !ok || exp.IsZero() {
				continue
			}
			key := kind + ":" + string(ch) + ":" + pr.String()
			if !rs.warned[key] && !now.Before(exp.Add(-s.cfg.Timers.TokenWarning)) {
				rs.warned[key] = true
				p.send(protocol.EventTokenWillExpire, protocol.TokenExpiryEvent{Privileges: []string{privName(pr)}, ExpiresAtMs: exp.UnixMilli(), Relay: kind, Channel: ch})
			}
			if i == 0 && !now.Before(exp) {
				p.send(protocol.EventTokenExpired, protocol.TokenExpiryEvent{Privileges: []string{privName(pr)}, ExpiresAtMs: exp.UnixMilli(), Relay: kind, Channel: ch})
				joinExpired = true
			}
		}
		return joinExpired
	}
	if check("src", rs.src.ChannelName, rs.srcPrivs, []token.Privilege{token.PrivJoinChannel}) {
		s.failRelayLocked(p, protocol.RelayErrSrcTokenExpired, rs.src.ChannelName, "the source token expired")
		return
	}
	for _, d := range rs.dests {
		prs := []token.Privilege{token.PrivJoinChannel}
		cohost := p.app.CohostAuthEnabled()
		if cohost {
			prs = append(prs, token.PrivPublishAudioStream, token.PrivPublishVideoStream)
		}
		if check("dest", d.info.ChannelName, d.privs, prs) {
			s.failRelayLocked(p, protocol.RelayErrDestTokenExpired, d.info.ChannelName, "a destination token's joinChannel privilege expired")
			return
		}
		if cohost && !mayHost(p.app, d.privs, now) {
			p.send(protocol.EventTokenExpired, protocol.TokenExpiryEvent{Privileges: []string{protocol.PrivPublishAudio, protocol.PrivPublishVideo}, Relay: "dest", Channel: d.info.ChannelName})
			s.failRelayLocked(p, protocol.RelayErrDestTokenExpired, d.info.ChannelName, "a destination token's publish privileges expired")
			return
		}
	}
}

// relayCensus counts relay sessions and destinations for metrics.
func (s *Server) relayCensus() (sessions, paused, dests int) {
	s.mu.Lock()
	ps := make([]*Participant, 0, len(s.sessions))
	for _, p := range s.sessions {
		ps = append(ps, p)
	}
	s.mu.Unlock()
	for _, p := range ps {
		p.relayMu.Lock()
		if rs := p.relay; rs != nil {
			sessions++
			dests += len(rs.dests)
			if rs.gate.Paused() {
				paused++
			}
		}
		p.relayMu.Unlock()
	}
	return
}
