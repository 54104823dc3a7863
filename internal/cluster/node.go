// Package cluster is cohost's node registry: every node announces itself on
// NATS (id, where clients and media reach it, its load, whether it drains)
// and learns the others; a node not heard from for the node timeout is
// dead. Everything that needs to know which nodes live (RTM's cleanup of a
// dead node's sessions, later channel placement) asks the registry.
package cluster

import "time"

// NodeID identifies one running cohost process: random at each start, so
// a restarted node is a new node and nothing of its previous life is taken
// for alive.
type NodeID string

func (id NodeID) String() string { return string(id) }

// Load is what a node reports of its work.
type Load struct {
	// CPU is the share of the machine's processors the process used over
	// the last heartbeat interval, 0–1; -1 when the platform does not say.
	CPU float64 `json:"cpu"`
	// Users is the number of RTC and RTM users connected to the node.
	Users int `json:"users"`
	// PacketsPerSecond is the RTP packets forwarded per second over the
	// last heartbeat interval.
	PacketsPerSecond float64 `json:"pps"`
	// Full: the node has its configured maximum of users and takes no new
	// channels.
	Full bool `json:"full,omitempty"`
}

// Node is one member of the cluster as last announced.
type Node struct {
	ID NodeID `json:"id"`
	// Name is the node's NATS server name (stable across restarts).
	Name string `json:"name,omitempty"`
	// SignalURL is the node's advertised HTTP(S) base URL: clients reach
	// signalling at SignalURL/v1/signal.
	SignalURL string `json:"signalURL"`
	// MediaAddr is the advertised UDP media address, host:port.
	MediaAddr string `json:"mediaAddr"`
	Load      Load   `json:"load"`
	// Draining: the node takes no new members and is moving its own away.
	Draining bool `json:"draining,omitempty"`
	// Started is when the node started.
	Started time.Time `json:"started"`
	// LastSeen is when this node last heard the node's heartbeat (local
	// clock; now for the node itself).
	LastSeen time.Time `json:"-"`
}

// EventKind says what happened to a node.
type EventKind int

const (
	// NodeJoined: a node was heard from for the first time.
	NodeJoined EventKind = iota + 1
	// NodeDead: a node was not heard from for the node timeout.
	NodeDead
	// NodeLeft: a node said goodbye (graceful stop).
	NodeLeft
)

func (k EventKind) String() string {
	switch k {
	case NodeJoined:
		return "joined"
	case NodeDead:
		return "dead"
	case NodeLeft:
		return "left"
	}
	return "unknown"
}

// Event is a change of the cluster's membership.
type Event struct {
	Kind EventKind
	Node Node
}
