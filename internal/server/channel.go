package server

import (
	"encoding/json"
	"math/rand/v2"
	"sync"

	"github.com/cohost-rtc/cohost/protocol"
)

// channelKey identifies a channel: channels of different apps never meet.
type channelKey struct {
	app  string
	name protocol.ChannelName
}

// Channel is the set of users in one channel of one app.
//
// mu guards the member map and account map, and every member's role and
// published tracks: a state change and the events announcing it happen under
// one lock, so every member sees changes in one order. Lock order:
// Channel.mu, then Participant.mu, then an outbox's lock; Server.mu is never
// held while a channel lock is taken.
type Channel struct {
	key     channelKey
	profile protocol.ChannelProfile

	mu       sync.Mutex
	users    map[protocol.UID]*Participant
	accounts map[protocol.UserAccount]protocol.UID
	hosts    int
	// watchers are the hosts of other channels relaying into this one:
	// they see its hosts come and go (relaypeers.go).
	watchers map[*Participant]struct{}

	// The members of other nodes (edge*.go): edge is nil on a single node;
	// edgeMembers counts the members connected to other nodes, and
	// edgeSeq numbers the events published for their nodes; edgeClosed
	// stops publishing them (the node drains). pulls are the tracks of
	// those members, pulled from their nodes for the local ones.
	edge        *edgeState
	edgeMembers int
	edgeSeq     uint64
	edgeClosed  bool
	pulls       *remoteTracks

	// mirror: the channel as an edge serves it (edge_member.go), whose
	// events all come from the channel's owner: it announces nothing.
	mirror bool
}

func newChannel(key channelKey, profile protocol.ChannelProfile) *Channel {
	return &Channel{key: key, profile: profile, users: map[protocol.UID]*Participant{}, accounts: map[protocol.UserAccount]protocol.UID{},
		watchers: map[*Participant]struct{}{}}
}

// visible reports whether p's presence is announced to others: hosts, or
// everyone in the communication profile. Caller holds mu.
func (ch *Channel) visible(p *Participant) bool {
	return ch.profile == protocol.ProfileCommunication || p.role == protocol.RoleBroadcaster
}

// freeUID picks an unused uid. Caller holds mu.
func (ch *Channel) freeUID() protocol.UID {
	for {
		u := protocol.UID(rand.Uint32())
		if u == 0 {
			continue
		}
		if _, used := ch.users[u]; used {
			continue
		}
		taken := false
		for _, v := range ch.accounts {
			if v == u {
				taken = true
				break
			}
		}
		if !taken {
			return u
		}
	}
}

// uidForAccount maps a user account to its uid in this channel, assigning
// one on first use. Caller holds mu.
func (ch *Channel) uidForAccount(a protocol.UserAccount) protocol.UID {
	if u, ok := ch.accounts[a]; ok {
		return u
	}
	u := ch.freeUID()
	ch.accounts[a] = u
	return u
}

// encodeEvent builds an event envelope.
func encodeEvent(t protocol.Type, data any) []byte {
	d, _ := json.Marshal(data)
	b, _ := json.Marshal(protocol.Envelope{Type: t, Data: d})
	return b
}

// broadcast sends an event to every member but except. Caller holds mu.
func (ch *Channel) broadcast(except *Participant, b []byte) {
	if ch.mirror {
		return
	}
	for _, q := range ch.users {
		if q != except {
			q.sendRaw(b)
		}
	}
	ch.publishEdgeLocked(except, b)
}

// snapshot returns, for a newly joined (or newly visible) member, the events
// describing every visible member but p and its published tracks.
func (ch *Channel) snapshot(p *Participant) [][]byte {
	var out [][]byte
	for _, q := range ch.users {
		if q == p || !ch.visible(q) {
			continue
		}
		out = append(out, encodeEvent(protocol.EventUserJoined, protocol.UserJoinedEvent{UID: q.uid, Account: q.account}))
		for _, mt := range []protocol.MediaType{protocol.MediaAudio, protocol.MediaVideo} {
			if pt := q.published[mt]; pt != nil {
				out = append(out, encodeEvent(protocol.EventUserPublished, protocol.UserPublishedEvent{UID: q.uid, MediaType: mt, Codec: pt.codec()}))
				if pt.muted {
					out = append(out, encodeEvent(protocol.EventUserMuted, protocol.UserMutedEvent{UID: q.uid, MediaType: mt, Muted: true}))
				}
			}
		}
	}
	return out
}
