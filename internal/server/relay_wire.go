package server

import (
	"strings"

	"github.com/cohost-rtc/cohost/internal/cluster"
	"github.com/cohost-rtc/cohost/protocol"
)

// The messages of a channel media relay whose destination channel is owned
// by another node than the relaying host's (relay_remote.go, the source's
// side; relay_import.go, the destination's side). They travel on the node
// subjects (nodeSubject), like the edge's.

// Node subject operations of relays.
const (
	relayOpAdd    = "relay.add"    // relayAddRequest → relayAddReply (destination's owner)
	relayOpRemove = "relay.remove" // relayRemove → relayRemoveReply (destination's owner)
	relayOpSync   = "relay.sync"   // relaySync (destination's owner; no reply)
	relayOpPull   = "relay.pull"   // relayPullRequest → edgePullReply (source's owner)
	relayOpPeer   = "relay.peer"   // relayPeer (source's owner; no reply)
	relayOpEnded  = "relay.ended"  // relayEnded (source's owner; no reply)
)

// wireKind is the kind under which a message of op that does not decode
// is counted: a relay's, or the edge's.
func wireKind(op string) string {
	if strings.HasPrefix(op, "relay.") {
		return "relay"
	}
	return "edge"
}

// maxRelayIDLen bounds a relay id from another node.
const maxRelayIDLen = 64

// relayTrack is one of the relayed host's tracks: Gen changes when the host
// publishes a new track of that media type, so that the destination pulls
// the new one.
type relayTrack struct {
	MediaType protocol.MediaType `json:"mediaType"`
	Codec     protocol.Codec     `json:"codec"`
	Muted     bool               `json:"muted,omitempty"`
	Gen       uint64             `json:"gen"`
}

// relayAddRequest asks a destination channel's owner to show the relayed
// host as a host with UID (0: the owner picks one) in Channel. Host is the
// relaying host's uid in its channel Source, never announced to it. Relay
// names this destination of the relay in every later message.
type relayAddRequest struct {
	Node    cluster.NodeID       `json:"node"`
	Relay   string               `json:"relay"`
	App     string               `json:"app"`
	Channel protocol.ChannelName `json:"channel"`
	UID     protocol.UID         `json:"uid,omitempty"`
	Source  protocol.ChannelName `json:"source"`
	Host    protocol.UID         `json:"host"`
	Tracks  []relayTrack         `json:"tracks,omitempty"`
}

// relayAddReply admits the relayed host with UID, or refuses it (Error:
// the relay fails to join the destination). NotOwner: the node does not
// host the channel, so the source looks for its owner again.
type relayAddReply struct {
	Error    *protocol.Error `json:"error,omitempty"`
	NotOwner bool            `json:"notOwner,omitempty"`
	UID      protocol.UID    `json:"uid"`
}

// relayRemove takes the relayed host out of the destination channel.
type relayRemove struct {
	Node  cluster.NodeID `json:"node"`
	Relay string         `json:"relay"`
}

// relayRemoveReply says the relayed host is gone from the destination.
type relayRemoveReply struct{}

// relaySync gives the destination the relayed host's current tracks.
type relaySync struct {
	Node   cluster.NodeID `json:"node"`
	Relay  string         `json:"relay"`
	Tracks []relayTrack   `json:"tracks,omitempty"`
}

// relayPullRequest asks the source's owner to send the relayed track of
// MediaType (generation Gen) over the media link under SSRC, as UID.
type relayPullRequest struct {
	Node      cluster.NodeID     `json:"node"`
	Relay     string             `json:"relay"`
	MediaType protocol.MediaType `json:"mediaType"`
	Gen       uint64             `json:"gen"`
	UID       protocol.UID       `json:"uid"`
	SSRC      uint32             `json:"ssrc"`
}

// relayPeer tells the source's owner that a host of the destination
// channel appeared (Joined) or went, for the relaying host's presence.
type relayPeer struct {
	Node    cluster.NodeID             `json:"node"`
	Relay   string                     `json:"relay"`
	UID     protocol.UID               `json:"uid"`
	Account protocol.UserAccount       `json:"account,omitempty"`
	Joined  bool                       `json:"joined,omitempty"`
	Reason  protocol.UserOfflineReason `json:"reason,omitempty"`
}

// relayEnded tells the source's owner that the destination's owner no
// longer shows the relayed host (it drains, or the channel moved).
type relayEnded struct {
	Node    cluster.NodeID `json:"node"`
	Relay   string         `json:"relay"`
	Message string         `json:"message,omitempty"`
}

// validRelayID reports whether a relay id from another node is usable.
func validRelayID(id string) bool { return id != "" && len(id) <= maxRelayIDLen }

// validRelayTracks reports whether the tracks of a message are usable:
// known media types, each once, known codecs of that kind.
func validRelayTracks(ts []relayTrack) bool {
	seen := map[protocol.MediaType]bool{}
	for _, t := range ts {
		if !t.MediaType.Valid() || seen[t.MediaType] || t.Codec.Kind() != t.MediaType {
			return false
		}
		seen[t.MediaType] = true
	}
	return true
}
