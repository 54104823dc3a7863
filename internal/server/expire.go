package server

import "github.com/cohost-rtc/cohost/protocol"

// ExpireSession drops the RTC session sessionID as the drop timeout does
// when a client goes silent: the client is told KEEP_ALIVE_TIMEOUT (if its
// connection still carries anything), the others see it leave (DROPPED),
// and a later resume of the session is refused with SESSION_EXPIRED. It
// reports whether the node held that session. For tests that cannot keep
// a client silent for the drop timeout (its ICE consent keeps the session
// alive).
func (s *Server) ExpireSession(sessionID string) bool {
	s.mu.Lock()
	p := s.sessions[sessionID]
	s.mu.Unlock()
	if p == nil || p.virtual {
		return false
	}
	p.logger.Info("expired on request")
	p.disconnect(protocol.ReasonKeepAliveTimeout, "no keep-alive within the drop timeout")
	s.removeParticipant(p, protocol.OfflineDropped)
	return true
}
