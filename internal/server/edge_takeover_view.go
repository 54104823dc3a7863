package server

import (
	"encoding/json"

	"github.com/cohost-rtc/cohost/protocol"
)

// An edge follows, from the owner's events, which members of the channel
// are visible (its hosts) and what they publish: when the owner dies, the
// next owner keeps the ones that were on it from this view, until they
// join again or the drop timeout passes.

// viewMember is a visible member as the channel's events describe it.
type viewMember struct {
	account protocol.UserAccount
	tracks  map[protocol.MediaType]*viewTrack
}

// viewTrack is one published track of a visible member.
type viewTrack struct {
	codec protocol.Codec
	muted bool
}

// viewMemberLocked returns uid's entry, adding it. Caller holds ec.mu.
func (ec *edgeChannel) viewMemberLocked(uid protocol.UID) *viewMember {
	if ec.view == nil {
		ec.view = map[protocol.UID]*viewMember{}
	}
	vm := ec.view[uid]
	if vm == nil {
		vm = &viewMember{tracks: map[protocol.MediaType]*viewTrack{}}
		ec.view[uid] = vm
	}
	return vm
}

// viewLocked applies an event of the channel to the view. Caller holds
// ec.mu.
func (ec *edgeChannel) viewLocked(env protocol.Envelope) {
	switch env.Type {
	case protocol.EventUserJoined:
		var d protocol.UserJoinedEvent
		if json.Unmarshal(env.Data, &d) == nil {
			ec.viewMemberLocked(d.UID).account = d.Account
		}
	case protocol.EventUserLeft:
		var d protocol.UserLeftEvent
		if json.Unmarshal(env.Data, &d) == nil {
			delete(ec.view, d.UID)
		}
	case protocol.EventUserPublished:
		var d protocol.UserPublishedEvent
		if json.Unmarshal(env.Data, &d) == nil && d.MediaType.Valid() {
			ec.viewMemberLocked(d.UID).tracks[d.MediaType] = &viewTrack{codec: d.Codec}
		}
	case protocol.EventUserUnpublished:
		var d protocol.UserPublishedEvent
		if json.Unmarshal(env.Data, &d) == nil {
			if vm := ec.view[d.UID]; vm != nil {
				delete(vm.tracks, d.MediaType)
			}
		}
	case protocol.EventUserMuted:
		var d protocol.UserMutedEvent
		if json.Unmarshal(env.Data, &d) == nil {
			if vm := ec.view[d.UID]; vm != nil && vm.tracks[d.MediaType] != nil {
				vm.tracks[d.MediaType].muted = d.Muted
			}
		}
	}
}

// knownLocked lists the visible members of the view that are not members
// of this node, as an adoption names them. Caller holds ec.mu.
func (ec *edgeChannel) knownLocked(local map[protocol.UID]bool) []edgeAdoptMember {
	var out []edgeAdoptMember
	for uid, vm := range ec.view {
		if local[uid] {
			continue
		}
		m := edgeAdoptMember{UID: uid, Account: vm.account, Role: protocol.RoleBroadcaster}
		for _, mt := range []protocol.MediaType{protocol.MediaAudio, protocol.MediaVideo} {
			if t := vm.tracks[mt]; t != nil && t.codec.Kind() == mt {
				m.Tracks = append(m.Tracks, edgeTrackInfo{MediaType: mt, Codec: t.codec, ID: "known-" + string(mt), Muted: t.muted})
			}
		}
		out = append(out, m)
	}
	return out
}
