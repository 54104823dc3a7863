package server

import "github.com/cohost-rtc/cohost/protocol"

// A host connected to another node whose uid joins again (its node died
// and its SDK joined again elsewhere, or the user moved) is replaced
// without the others being told it left: they see its tracks
// unpublished, then published again by the new session, as after a
// reconnection, and a user-left only if the new session is not a host.

// replaceLocked takes old, a member whose uid joins again, out of ch. It
// reports whether the others were not told it left (old was a host of
// another node); announceJoinLocked then tells them what the new session
// is. Caller holds ch.mu.
func (ch *Channel) replaceLocked(old *Participant) (quiet bool) {
	if old.left || old.remote == "" || !ch.visible(old) {
		ch.removeLocked(old, protocol.OfflineQuit)
		return false
	}
	old.left = true
	old.offline = protocol.OfflineQuit
	delete(ch.users, old.uid)
	ch.edgeMembers--
	if old.role == protocol.RoleBroadcaster {
		ch.hosts--
	}
	ch.unpublishAllLocked(old, true)
	return true
}

// announceJoinLocked announces p, a new member, which replaced old (nil
// when none) quietly or not (replaceLocked's answer). Caller holds ch.mu.
func (ch *Channel) announceJoinLocked(p, old *Participant, quiet bool) {
	switch visible := ch.visible(p); {
	case visible && !quiet:
		ch.memberJoinedLocked(p)
	case !visible && quiet:
		// Not to p, which has old's uid.
		ch.broadcast(p, encodeEvent(protocol.EventUserLeft, protocol.UserLeftEvent{UID: old.uid, Reason: protocol.OfflineQuit}))
		for w := range ch.watchers {
			w.relayPeer(old, false, protocol.OfflineQuit)
		}
	}
}
