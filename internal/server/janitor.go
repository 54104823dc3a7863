package server

import (
	"context"
	"slices"
	"time"

	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/token"
)

// janitorTick is how often sessions are checked for silence and token
// expiry: a tenth of the shortest timer, between 10 ms and 250 ms.
func (s *Server) janitorTick() time.Duration {
	d := min(s.cfg.Timers.DropTimeout, s.cfg.Timers.TokenWarning) / 10
	return max(10*time.Millisecond, min(d, 250*time.Millisecond))
}

// janitor drops silent clients and enforces token expiry until ctx ends.
func (s *Server) janitor(ctx context.Context) {
	t := time.NewTicker(s.janitorTick())
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			s.mu.Lock()
			sessions := make([]*Participant, 0, len(s.sessions))
			for _, p := range s.sessions {
				sessions = append(sessions, p)
			}
			s.mu.Unlock()
			for _, p := range sessions {
				s.checkSession(p, now)
			}
		}
	}
}

// checkSession applies the drop timeout and token expiry to p.
func (s *Server) checkSession(p *Participant, now time.Time) {
	if !p.alive(now, s.cfg.Timers.DropTimeout) {
		p.logger.Info("dropped: no keep-alive and no ICE consent", "timeout", s.cfg.Timers.DropTimeout)
		p.disconnect(protocol.ReasonKeepAliveTimeout, "no keep-alive within the drop timeout")
		s.removeParticipant(p, protocol.OfflineDropped)
		return
	}
	s.checkRelayTokens(p, now)
	p.mu.Lock()
	if p.privs == nil {
		p.mu.Unlock()
		return
	}
	var warn, expired []token.Privilege
	var warnAt, expiredAt time.Time
	for pr, exp := range p.privs {
		if exp.IsZero() {
			continue
		}
		if !p.warned[pr] && !now.Before(exp.Add(-s.cfg.Timers.TokenWarning)) {
			p.warned[pr] = true
			warn = append(warn, pr)
			if warnAt.IsZero() || exp.Before(warnAt) {
				warnAt = exp
			}
		}
		if !p.expired[pr] && !now.Before(exp) {
			p.expired[pr] = true
			expired = append(expired, pr)
			if expiredAt.IsZero() || exp.Before(expiredAt) {
				expiredAt = exp
			}
		}
	}
	p.mu.Unlock()
	if len(warn) > 0 {
		p.send(protocol.EventTokenWillExpire, protocol.TokenExpiryEvent{Privileges: privNames(warn), ExpiresAtMs: warnAt.UnixMilli()})
	}
	if len(expired) == 0 {
		return
	}
	p.send(protocol.EventTokenExpired, protocol.TokenExpiryEvent{Privileges: privNames(expired), ExpiresAtMs: expiredAt.UnixMilli()})
	if slices.Contains(expired, token.PrivJoinChannel) {
		p.logger.Info("token expired: disconnecting")
		p.disconnect(protocol.ReasonTokenExpired, "the token's joinChannel privilege expired")
		s.removeParticipant(p, protocol.OfflineQuit)
		return
	}
	if !p.app.CohostAuthEnabled() {
		return
	}
	var revoked []protocol.MediaType
	ch := p.ch
	ch.mu.Lock()
	for _, mt := range []protocol.MediaType{protocol.MediaAudio, protocol.MediaVideo} {
		if !p.granted && slices.Contains(expired, publishPrivilege(mt)) && p.published[mt] != nil {
			ch.unpublishLocked(p, mt, true)
			revoked = append(revoked, mt)
		}
	}
	ch.mu.Unlock()
	if len(revoked) > 0 {
		s.syncRelays(p)
		s.syncEdgeTracks(p)
		p.logger.Info("publish privilege expired: unpublished", "media", revoked)
		p.send(protocol.EventPublishRevoked, protocol.PublishRevokedEvent{MediaTypes: revoked, Reason: "publish privilege expired"})
	}
}

func privNames(ps []token.Privilege) []string {
	slices.Sort(ps)
	out := make([]string, len(ps))
	for i, pr := range ps {
		out[i] = privName(pr)
	}
	return out
}
