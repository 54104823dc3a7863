package server

import (
	"github.com/cohost-rtc/cohost/internal/cluster"
	"github.com/cohost-rtc/cohost/protocol"
)

// The message an edge sends the channel's next owner when the owner it
// followed died or handed the channel over (edge_takeover*.go).

// edgeOpAdopt: edgeAdoptRequest → edgeAdoptReply (the next owner).
const edgeOpAdopt = "adopt"

// edgeAdoptRequest carries an edge's members of a channel over to the
// node that owns it now: they keep their sessions there, the owner counts
// them as its members of that node, and nobody is told they joined.
// Known lists the other visible members the edge knew of from the old
// owner's events (its hosts and those of other nodes): the owner keeps
// those it does not have, as members of From, the old owner, until they
// join again or the drop timeout passes.
type edgeAdoptRequest struct {
	Node    cluster.NodeID          `json:"node"`
	App     string                  `json:"app"`
	Channel protocol.ChannelName    `json:"channel"`
	Profile protocol.ChannelProfile `json:"profile"`
	From    cluster.NodeID          `json:"from"`
	Members []edgeAdoptMember       `json:"members,omitempty"`
	Known   []edgeAdoptMember       `json:"known,omitempty"`
}

// edgeAdoptMember is one member as the edge knows it: its session (for
// the edge's own members), role and published tracks.
type edgeAdoptMember struct {
	UID     protocol.UID         `json:"uid"`
	Account protocol.UserAccount `json:"account,omitempty"`
	Session string               `json:"session,omitempty"`
	Role    protocol.ClientRole  `json:"role"`
	Granted bool                 `json:"granted,omitempty"`
	Tracks  []edgeTrackInfo      `json:"tracks,omitempty"`
}

// edgeAdoptReply says the owner took the members: the edge follows its
// events numbered after Seq. Refused names the sessions whose uid has
// joined again elsewhere meanwhile (their sessions end, SAME_UID_LOGIN).
// NotOwner: the node does not own the channel (the edge asks again).
type edgeAdoptReply struct {
	Error    *protocol.Error `json:"error,omitempty"`
	NotOwner bool            `json:"notOwner,omitempty"`
	Seq      uint64          `json:"seq"`
	Refused  []string        `json:"refused,omitempty"`
	// Fresh are the visible members that joined the channel on its new
	// owner, not carried over by an edge, as they are at Seq: the edge
	// tells its members about them (their tracks are new ones).
	Fresh []edgeAdoptMember `json:"fresh,omitempty"`
}
