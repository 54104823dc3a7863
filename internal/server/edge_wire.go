package server

import (
	"encoding/json"

	"github.com/cohost-rtc/cohost/internal/cluster"
	"github.com/cohost-rtc/cohost/protocol"
)

// The messages between a channel's owner (the node holding its lease) and
// the edge nodes serving some of its audience, on NATS. Requests go to the
// owner on its node subjects (request/reply); the channel's events go out
// on the channel's subject, numbered by the owner.

// Node subject operations.
const (
	edgeOpJoin   = "join"   // edgeJoinRequest → edgeJoinReply (owner)
	edgeOpLeave  = "leave"  // edgeLeave (owner; no reply)
	edgeOpKick   = "kick"   // edgeKick (edge; no reply)
	edgeOpLink   = "link"   // edgeLinkRequest → edgeLinkReply (either)
	edgeOpPull   = "pull"   // edgePullRequest → edgePullReply (owner)
	edgeOpUnpull = "unpull" // edgeUnpull (the node sending; no reply)
	edgeOpRole   = "role"   // edgeRoleRequest → edgeRoleReply (owner)
	edgeOpTracks = "tracks" // edgeTracksRequest → edgeTracksReply (owner)
	edgeOpAdmin  = "admin"  // edgeAdminRequest → edgeRoleReply (owner)
	edgeOpAdopt  = "adopt"  // edgeAdoptRequest → edgeAdoptReply (the next owner)
	edgeOpMove   = "move"   // edgeMove (edge; no reply)
)

// nodeSubject is where node id takes requests of one kind.
func nodeSubject(id cluster.NodeID, op string) string {
	return "cohost.rtc.node." + string(id) + "." + op
}

// channelSubject is where a channel's owner publishes its events.
func channelSubject(k channelKey) string { return "cohost.rtc.ch." + leaseKeyOf(k) }

// edgeJoinRequest asks the owner to admit a member connected to an edge
// node: it assigns the uid (or maps the account), applies SAME_UID_LOGIN
// and the channel's limits, sets the role (a host's only when MayHost, its
// token's publish privilege that the edge checked, and the channel has
// room for one more host), and answers with the events describing the
// channel.
type edgeJoinRequest struct {
	Node    cluster.NodeID          `json:"node"`
	App     string                  `json:"app"`
	Channel protocol.ChannelName    `json:"channel"`
	Profile protocol.ChannelProfile `json:"profile"`
	UID     protocol.UID            `json:"uid,omitempty"`
	Account protocol.UserAccount    `json:"account,omitempty"`
	Session string                  `json:"session"`
	Role    protocol.ClientRole     `json:"role,omitempty"`
	MayHost bool                    `json:"mayHost,omitempty"`
}

// edgeJoinReply admits the member (Error nil) or refuses it. NotOwner:
// the node does not host the channel, so the edge places the join again.
type edgeJoinReply struct {
	Error    *protocol.Error `json:"error,omitempty"`
	NotOwner bool            `json:"notOwner,omitempty"`
	Owner    cluster.NodeID  `json:"owner"`
	UID      protocol.UID    `json:"uid"`
	// Role is the member's role; RoleError says why it is not the one
	// asked for.
	Role      protocol.ClientRole `json:"role,omitempty"`
	RoleError *protocol.Error     `json:"roleError,omitempty"`
	// Seq is the number of the channel's last event the snapshot
	// reflects: the member gets the events numbered after it.
	Seq      uint64            `json:"seq"`
	Snapshot []json.RawMessage `json:"snapshot,omitempty"`
}

// edgeLeave tells the owner a member of an edge node left.
type edgeLeave struct {
	Node    cluster.NodeID             `json:"node"`
	App     string                     `json:"app"`
	Channel protocol.ChannelName       `json:"channel"`
	UID     protocol.UID               `json:"uid"`
	Session string                     `json:"session"`
	Reason  protocol.UserOfflineReason `json:"reason"`
}

// edgeKick tells an edge node that the owner ended one of its members'
// sessions (the same uid joined elsewhere, or the channel moved).
type edgeKick struct {
	Session string                           `json:"session"`
	Reason  protocol.ConnectionChangedReason `json:"reason"`
	Message string                           `json:"message"`
}

// edgeMove tells an edge that the owner of one of its channels drains: it
// publishes no more events for the channel and has released its lease, so
// the edge hands its members to the next owner (edge_handover.go).
type edgeMove struct {
	Node    cluster.NodeID       `json:"node"`
	App     string               `json:"app"`
	Channel protocol.ChannelName `json:"channel"`
}

// edgeEvent is one event of a channel, as every member sees it, numbered
// by the owner (Seq counts from 1 per owner). Except is the member the
// event is about, who does not get it; an event with To set is for that
// member only (its role changed by an administrator).
type edgeEvent struct {
	Owner  cluster.NodeID  `json:"owner"`
	Seq    uint64          `json:"seq"`
	Except protocol.UID    `json:"except,omitempty"`
	To     protocol.UID    `json:"to,omitempty"`
	Event  json.RawMessage `json:"event"`
}

// edgeMember names a member connected to an edge node, in its requests
// to the owner.
type edgeMember struct {
	Node    cluster.NodeID       `json:"node"`
	App     string               `json:"app"`
	Channel protocol.ChannelName `json:"channel"`
	UID     protocol.UID         `json:"uid"`
	Session string               `json:"session"`
}

// edgeRoleRequest asks the owner to change the role of a member connected
// to an edge node, as its setClientRole. MayHost: its token lets it host
// (the edge checked it).
type edgeRoleRequest struct {
	edgeMember
	Role    protocol.ClientRole `json:"role"`
	MayHost bool                `json:"mayHost,omitempty"`
}

// edgeRoleReply is the role change's outcome.
type edgeRoleReply struct {
	Error *protocol.Error     `json:"error,omitempty"`
	Old   protocol.ClientRole `json:"old"`
	New   protocol.ClientRole `json:"new"`
}

// edgeAdminRequest asks the owner to change another member's role for
// an administrator connected to an edge node (setRemoteRole; the edge
// checked the administrator's privilege).
type edgeAdminRequest struct {
	edgeMember
	Target protocol.UID        `json:"target"`
	Role   protocol.ClientRole `json:"role"`
}

// edgeTracksRequest gives the owner the tracks a host connected to an
// edge node publishes now; the owner announces the difference.
type edgeTracksRequest struct {
	edgeMember
	Tracks []edgeTrackInfo `json:"tracks,omitempty"`
}

// edgeTrackInfo is one published track: ID changes when the track is
// published again.
type edgeTrackInfo struct {
	MediaType protocol.MediaType `json:"mediaType"`
	Codec     protocol.Codec     `json:"codec"`
	ID        string             `json:"id"`
	Muted     bool               `json:"muted,omitempty"`
}

// edgeTracksReply says whether the owner took the tracks.
type edgeTracksReply struct {
	Error *protocol.Error `json:"error,omitempty"`
}

// edgeLinkRequest asks a node to set up its side of the media link with
// the requesting node (idempotent).
type edgeLinkRequest struct {
	Node        cluster.NodeID `json:"node"`
	MediaAddr   string         `json:"mediaAddr"`
	Fingerprint string         `json:"fingerprint"`
}

// edgeLinkReply carries the answering node's media address and
// certificate fingerprint.
type edgeLinkReply struct {
	Error       *protocol.Error `json:"error,omitempty"`
	MediaAddr   string          `json:"mediaAddr"`
	Fingerprint string          `json:"fingerprint"`
}

// edgePullRequest asks the owner to send a published track over the media
// link under SSRC, which the edge chose.
type edgePullRequest struct {
	Node      cluster.NodeID       `json:"node"`
	App       string               `json:"app"`
	Channel   protocol.ChannelName `json:"channel"`
	UID       protocol.UID         `json:"uid"`
	MediaType protocol.MediaType   `json:"mediaType"`
	SSRC      uint32               `json:"ssrc"`
}

// edgePullReply says whether the track is sent, and its codec; From,
// instead, names the node where its publisher is connected, to ask there.
type edgePullReply struct {
	Error *protocol.Error `json:"error,omitempty"`
	Codec protocol.Codec  `json:"codec"`
	From  cluster.NodeID  `json:"from,omitempty"`
}

// edgeUnpull asks the owner to stop sending the track sent under SSRC.
type edgeUnpull struct {
	Node cluster.NodeID `json:"node"`
	SSRC uint32         `json:"ssrc"`
}

// edgeAdoptRequest hands an edge's members of a channel whose owner died
// (From) to the channel's next owner, with the hosts the edge knew of: the
// owner keeps those that are not members anywhere yet as they were (a
// host of the dead node may join again within the drop timeout).
type edgeAdoptRequest struct {
	Node    cluster.NodeID          `json:"node"`
	From    cluster.NodeID          `json:"from"`
	App     string                  `json:"app"`
	Channel protocol.ChannelName    `json:"channel"`
	Profile protocol.ChannelProfile `json:"profile"`
	Members []edgeAdoptMember       `json:"members,omitempty"`
	Hosts   []edgeAdoptMember       `json:"hosts,omitempty"`
}

// edgeAdoptMember is one member (or known host) in a hand-over: its
// session is empty, and its tracks are not given, for a known host of
// another node.
type edgeAdoptMember struct {
	UID     protocol.UID         `json:"uid"`
	Account protocol.UserAccount `json:"account,omitempty"`
	Session string               `json:"session,omitempty"`
	Role    protocol.ClientRole  `json:"role"`
	Tracks  []edgeTrackInfo      `json:"tracks,omitempty"`
}

// edgeAdoptReply takes the members (NotOwner: the node does not hold the
// channel's lease, ask again). Gone lists the sessions whose uid is used
// by a live session now (the edge ends them: SAME_UID_LOGIN), Refused
// those the channel's limits leave no room for (the edge ends them with
// SERVER_SHUTDOWN: their SDKs join again and hear the limit's error).
// Seq and Snapshot are as in edgeJoinReply.
type edgeAdoptReply struct {
	Error    *protocol.Error   `json:"error,omitempty"`
	NotOwner bool              `json:"notOwner,omitempty"`
	Owner    cluster.NodeID    `json:"owner"`
	Gone     []string          `json:"gone,omitempty"`
	Refused  []string          `json:"refused,omitempty"`
	Seq      uint64            `json:"seq"`
	Snapshot []json.RawMessage `json:"snapshot,omitempty"`
}
