package server

import (
	"github.com/coder/websocket"
	"github.com/cohost-rtc/cohost/protocol"
)

// A relaying host sees the hosts of its destination channels, as Agora's
// source host does: user-joined for each while the relay includes their
// channel, user-left (QUIT, DROPPED, BECOME_AUDIENCE) when one goes, and
// user-left (QUIT) for those still there when the destination is removed
// or the relay stops. No track of theirs is announced to it and no other
// member of the source channel hears of them. A uid that is a host in two
// destinations is announced once; the host's own stand-ins and its own uid
// are never announced.

// memberJoinedLocked tells the other members of ch, and the hosts relaying
// into ch, that q became visible (joined as host, or became one). Caller
// holds ch.mu.
func (ch *Channel) memberJoinedLocked(q *Participant) {
	ch.broadcast(q, encodeEvent(protocol.EventUserJoined, protocol.UserJoinedEvent{UID: q.uid, Account: q.account}))
	for w := range ch.watchers {
		w.relayPeer(q, true, 0)
	}
}

// memberLeftLocked tells the other members of ch, and the hosts relaying
// into ch, that q is no longer visible. Caller holds ch.mu.
func (ch *Channel) memberLeftLocked(q *Participant, reason protocol.UserOfflineReason) {
	ch.broadcast(q, encodeEvent(protocol.EventUserLeft, protocol.UserLeftEvent{UID: q.uid, Reason: reason}))
	for w := range ch.watchers {
		w.relayPeer(q, false, reason)
	}
}

// watchLocked makes w, a host whose relay now includes ch, see ch's hosts:
// it gets user-joined for those already there. Caller holds ch.mu.
func (ch *Channel) watchLocked(w *Participant) {
	if _, ok := ch.watchers[w]; ok {
		return
	}
	ch.watchers[w] = struct{}{}
	for _, q := range ch.users {
		if ch.visible(q) {
			w.relayPeer(q, true, 0)
		}
	}
}

// unwatchLocked ends watchLocked: w gets user-left (QUIT) for ch's hosts.
// Caller holds ch.mu.
func (ch *Channel) unwatchLocked(w *Participant) {
	if _, ok := ch.watchers[w]; !ok {
		return
	}
	delete(ch.watchers, w)
	for _, q := range ch.users {
		if ch.visible(q) {
			w.relayPeer(q, false, protocol.OfflineQuit)
		}
	}
}

// relayPeer records that q, a host of one of p's relay destinations,
// appeared or went, and tells p's client when q's uid appears in a first
// destination or leaves the last one.
func (p *Participant) relayPeer(q *Participant, joined bool, reason protocol.UserOfflineReason) {
	if q.relayOf == p || q.uid == p.uid {
		return
	}
	if p.relayIn != nil {
		// p stands for a host of another node: its node is told.
		p.relayIn.forward(q, joined, reason)
		return
	}
	if p.virtual {
		return
	}
	p.relayPeerUID(q.uid, q.account, joined, reason)
}

// relayPeerUID is relayPeer for a host known by its uid (and account).
func (p *Participant) relayPeerUID(uid protocol.UID, account protocol.UserAccount, joined bool, reason protocol.UserOfflineReason) {
	if uid == p.uid {
		return
	}
	p.mu.Lock()
	n := p.relayPeers[uid]
	switch {
	case joined:
		n++
	case n == 0:
		p.mu.Unlock()
		return
	default:
		n--
	}
	if n == 0 {
		delete(p.relayPeers, uid)
	} else {
		if p.relayPeers == nil {
			p.relayPeers = map[protocol.UID]int{}
		}
		p.relayPeers[uid] = n
	}
	var full bool
	var c *conn
	if !p.closed && (joined && n == 1 || !joined && n == 0) {
		if joined {
			full = p.queueLocked(encodeEvent(protocol.EventUserJoined, protocol.UserJoinedEvent{UID: uid, Account: account}))
		} else {
			full = p.queueLocked(encodeEvent(protocol.EventUserLeft, protocol.UserLeftEvent{UID: uid, Reason: reason}))
		}
		c = p.conn
	}
	p.mu.Unlock()
	if full && c != nil {
		c.close(websocket.StatusPolicyViolation, "client too slow")
	}
}
