package server

import "github.com/cohost-rtc/cohost/protocol"

// A destination on another node is lost when that node dies, drains or
// gives the channel up: the relaying host is told
// RELAY_EVENT_NETWORK_DISCONNECTED for that channel and sees its hosts
// leave (DROPPED), and the relay joins the destination again where the
// channel is hosted next (taking it here if nobody does), at every sweep
// until it succeeds; then RELAY_EVENT_NETWORK_CONNECTED. The relay's state
// stays RUNNING throughout. A refusal there (the uid is taken, the channel
// has the most hosts) fails the relay with FAILED_JOIN_DEST, as at a start.

// recoverRelay looks after p's relay's destinations on other nodes.
func (s *Server) recoverRelay(p *Participant) {
	rn := s.relayNodeFor()
	if rn == nil {
		return
	}
	p.relayMu.Lock()
	defer p.relayMu.Unlock()
	rs := p.relay
	stillLost, rejoined := false, false
	if rs != nil {
		for _, d := range rs.dests {
			if ex := d.remote; ex != nil {
				rn.mu.Lock()
				alive := rn.e.reg.Alive(ex.node)
				lost, ended := ex.ended || ex.gone || !alive, ex.ended
				rn.mu.Unlock()
				if !lost {
					continue
				}
				d.remote = nil
				// A node that ended it has removed it; a live one that did
				// not is told (it may have been thought dead for a while).
				rn.removeRemote(ex, protocol.OfflineDropped, alive && !ended)
				p.relayEvent(protocol.RelayEventNetworkDisconnected, d.info.ChannelName)
				p.logger.Info("channel media relay lost a destination's node", "destination", string(d.info.ChannelName), "node", string(ex.node))
			}
			if !d.lost() {
				continue
			}
			nd, retry, e := s.joinRelayDestLocked(p, rs, d.info, func() {
				p.relayEvent(protocol.RelayEventNetworkConnected, d.info.ChannelName)
			})
			if e != nil && retry {
				stillLost = true
				continue
			}
			if e != nil {
				s.failRelayLocked(p, protocol.RelayErrFailedJoinDest, d.info.ChannelName, e.Message)
				stillLost, rejoined = false, false
				break
			}
			d.ch, d.vp, d.remote = nd.ch, nd.vp, nd.remote
			rejoined = true
			p.logger.Info("channel media relay joined a destination again", "destination", string(d.info.ChannelName))
		}
	}
	if rejoined {
		s.syncRelayLocked(p, rs)
	}
	rn.mu.Lock()
	if stillLost {
		rn.lost[p] = struct{}{}
	} else {
		delete(rn.lost, p)
	}
	rn.mu.Unlock()
}
