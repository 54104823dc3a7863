package server

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/cohost-rtc/cohost/internal/cluster"
	"github.com/cohost-rtc/cohost/internal/natsbus"
	"github.com/cohost-rtc/cohost/protocol"
)

// placement decides, in a cluster, which node hosts each RTC channel: the
// holder of the channel's lease hosts all its members; a join reaching
// another node is answered with the holder's URL; a new channel goes to
// the least loaded live node that is neither draining nor full.
type placement struct {
	s        *Server
	reg      *cluster.Registry
	leases   *cluster.Leases
	maxUsers int
	log      *slog.Logger
}

// placementTimeout bounds the lease look-ups of one join.
const placementTimeout = 5 * time.Second

// placed reports whether this server places channels: it is one node of
// a cluster (routed embedded NATS or an external NATS).
func (s *Server) placed() bool { return s.cfg.Cluster.Clustered() || s.cfg.NATS.URL != "" }

// startPlacement opens the lease bucket and starts renewing leases.
func (s *Server) startPlacement(ctx context.Context, bus *natsbus.Bus, reg *cluster.Registry) (*placement, error) {
	kv, err := bus.KeyValue(ctx, jetstream.KeyValueConfig{Bucket: cluster.LeaseBucket,
		Description: "RTC channel leases: the node that hosts each channel", History: 1})
	if err != nil {
		return nil, fmt.Errorf("server: channel leases: %w", err)
	}
	p := &placement{s: s, reg: reg, maxUsers: s.cfg.Cluster.MaxUsers, log: s.logger}
	p.leases = cluster.StartLeases(kv, cluster.LeaseConfig{Self: reg.ID(), TTL: reg.Timeout(), Alive: reg.Alive,
		Wanted: s.hostedLeaseKeys, OnLost: s.channelLost, Conn: bus.Conn, Logger: s.logger})
	return p, nil
}

func leaseKeyOf(k channelKey) string { return cluster.LeaseKey(k.app, string(k.name)) }

// hostedLeaseKeys lists the lease keys of the channels this node hosts.
func (s *Server) hostedLeaseKeys() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	keys := make([]string, 0, len(s.channels))
	for k := range s.channels {
		keys = append(keys, leaseKeyOf(k))
	}
	return keys
}

// channelLost ends the sessions of a channel whose lease this node lost:
// another node orders it now (or will: this node could not renew), so its
// members must join there. They are told as when the node stops
// (SERVER_SHUTDOWN), which makes both SDKs join again through another
// node with their uid and role. Every member is told before any is
// removed, so nobody hears that another left.
func (s *Server) channelLost(key string) {
	var members []*Participant
	s.mu.Lock()
	for k, ch := range s.channels {
		if leaseKeyOf(k) != key {
			continue
		}
		ch.mu.Lock()
		for _, p := range ch.users {
			if !p.virtual {
				members = append(members, p)
			}
		}
		ch.mu.Unlock()
	}
	s.mu.Unlock()
	for _, p := range members {
		p.disconnect(protocol.ReasonServerShutdown, "the channel is hosted by another node now: join again there")
	}
	if rn := s.relayNodeFor(); rn != nil {
		rn.endImports(func(imp *relayImport) bool { return leaseKeyOf(imp.ch.key) == key }, "the destination channel is hosted by another node now")
	}
	for _, p := range members {
		s.removeParticipant(p, protocol.OfflineDropped)
	}
}

// users is how many RTC and RTM users this node has.
func (p *placement) users() int {
	s := p.s
	s.mu.Lock()
	n := len(s.sessions)
	s.mu.Unlock()
	if s.nats != nil && s.nats.svc != nil {
		n += s.nats.svc.Sessions()
	}
	return n
}

// full reports whether the node takes no more users.
func (p *placement) full() bool { return p.maxUsers > 0 && p.users() >= p.maxUsers }

// route says where a join for key goes: nil to host it here (the lease is
// then held), else the node to send the client to.
func (p *placement) route(key channelKey, redirects int) (*cluster.Node, *protocol.Error) {
	ctx, cancel := context.WithTimeout(context.Background(), placementTimeout)
	defer cancel()
	lk := leaseKeyOf(key)
	self := p.reg.ID()
	holder, err := p.leases.Holder(ctx, lk)
	if err != nil {
		return nil, perr(protocol.ErrNoServerResources, "cluster: channel placement unavailable: %v", err)
	}
	if holder != "" && holder != self {
		return p.nodeOr(holder)
	}
	if holder == "" {
		target := p.pick(redirects > 0)
		if target == nil {
			return nil, perr(protocol.ErrNoServerResources, "every node of the cluster is full or draining")
		}
		if target.ID != self {
			return target, nil
		}
	}
	got, err := p.leases.Acquire(ctx, lk)
	if err != nil {
		return nil, perr(protocol.ErrNoServerResources, "cluster: channel placement unavailable: %v", err)
	}
	if got != self {
		return p.nodeOr(got)
	}
	if p.full() {
		return nil, perr(protocol.ErrNoServerResources, "the node hosting channel %q is full (%d users)", key.name, p.maxUsers)
	}
	return nil, nil
}

// nodeOr is the live node id, or an error when the registry lost it since.
func (p *placement) nodeOr(id cluster.NodeID) (*cluster.Node, *protocol.Error) {
	for _, n := range p.reg.Nodes() {
		if n.ID == id {
			return &n, nil
		}
	}
	return nil, perr(protocol.ErrNoServerResources, "cluster: the node hosting the channel just died; try again")
}

// pick is the least loaded live node taking new channels: fewest users,
// then this node (no redirect), then the smallest id. With preferSelf this
// node wins whenever it takes channels at all (the client was already
// sent here by placement).
func (p *placement) pick(preferSelf bool) *cluster.Node {
	self := p.reg.ID()
	selfFull := p.full()
	var cands []cluster.Node
	for _, n := range p.reg.Nodes() {
		if n.ID == self {
			if selfFull || n.Draining {
				continue
			}
			if preferSelf {
				return &n
			}
			n.Load.Users = p.users()
		} else if n.Draining || n.Load.Full {
			continue
		}
		cands = append(cands, n)
	}
	if len(cands) == 0 {
		return nil
	}
	best := slices.MinFunc(cands, func(a, b cluster.Node) int {
		if a.Load.Users != b.Load.Users {
			return a.Load.Users - b.Load.Users
		}
		if (a.ID == self) != (b.ID == self) {
			if a.ID == self {
				return -1
			}
			return 1
		}
		if a.ID < b.ID {
			return -1
		}
		if a.ID > b.ID {
			return 1
		}
		return 0
	})
	return &best
}

// nodeList is the live nodes that take new members, as clients see them.
func (p *placement) nodeList() []protocol.NodeInfo {
	var out []protocol.NodeInfo
	for _, n := range p.reg.Nodes() {
		if !n.Draining {
			out = append(out, protocol.NodeInfo{ID: string(n.ID), URL: n.SignalURL})
		}
	}
	return out
}

// nodeList is the cluster's node list for join and resume responses; nil
// on a single node.
func (s *Server) nodeList() []protocol.NodeInfo {
	if s.nats == nil || s.nats.place == nil {
		return nil
	}
	return s.nats.place.nodeList()
}

// releaseLeaseSoon lets the renewal release the leases of channels this
// node no longer hosts.
func (s *Server) releaseLeaseSoon() {
	if s.nats != nil && s.nats.place != nil {
		s.nats.place.leases.Release()
	}
}

// RTCSessions is how many RTC sessions the node holds.
func (s *Server) RTCSessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sessions)
}
