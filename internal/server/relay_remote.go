package server

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/cohost-rtc/cohost/internal/cluster"
	"github.com/cohost-rtc/cohost/internal/sfu"
	"github.com/cohost-rtc/cohost/protocol"
)

// A relay runs on the node of the relaying host: its source channel's
// owner, or an edge where the host is connected (the host's tracks are
// there). A destination channel owned by another node D is joined through
// D: D shows the relayed host there as a host of its own (relay_import.go)
// and pulls each of its tracks once over the media link between the two
// nodes, through the relay's gate, so that pauses keep the destination's
// sequence numbers continuous; D tells this node which hosts of the
// destination come and go, for the relaying host's presence. This file is
// the source's side.

// relayAddTimeout bounds the set-up of a destination on another node: the
// request, and there the media link and the pulls.
const relayAddTimeout = edgeLinkTimeout + edgeRequestTimeout

// relayNode is a cluster node's part in relays that span nodes: the
// destinations its hosts relay into on other nodes (exports) and the
// relayed hosts of other nodes it shows in its channels (imports).
type relayNode struct {
	s    *Server
	e    *edgeState
	subs []*nats.Subscription
	kick chan struct{} // a destination ended: look at it now

	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	exports map[string]*relayExport
	imports map[string]*relayImport
	// lost are the local hosts whose relay has a destination being
	// joined again.
	lost map[*Participant]struct{}
}

// relayExport is one destination of a local host's relay, on another
// node. Guarded by the relayNode's mu.
type relayExport struct {
	id   string
	node cluster.NodeID
	p    *Participant
	gate *sfu.Gate
	// tracks are the host's tracks as last given to the destination; gen
	// numbers their generations.
	tracks map[protocol.MediaType]exportTrack
	gen    uint64
	// peers are the destination's hosts the relaying host was told of
	// through this destination.
	peers map[protocol.UID]struct{}
	ended bool // the destination's node ended it
	gone  bool // removed here
}

// exportTrack is one relayed track as the destination knows it.
type exportTrack struct {
	track *sfu.PublishedTrack
	muted bool
	gen   uint64
}

// startRelayNode subscribes to the relay subjects and starts the sweep.
func (s *Server) startRelayNode(e *edgeState) (*relayNode, error) {
	rn := &relayNode{s: s, e: e, kick: make(chan struct{}, 1), exports: map[string]*relayExport{}, imports: map[string]*relayImport{},
		lost: map[*Participant]struct{}{}}
	handlers := map[string]nats.MsgHandler{
		relayOpAdd: rn.onAdd, relayOpRemove: rn.onRemove, relayOpSync: rn.onSync,
		relayOpPull: rn.onPull, relayOpPeer: rn.onPeer, relayOpEnded: rn.onEnded,
	}
	for op, h := range handlers {
		sub, err := e.nc.Subscribe(nodeSubject(e.self, op), h)
		if err != nil {
			rn.close()
			return nil, fmt.Errorf("server: relay subscriptions: %w", err)
		}
		rn.subs = append(rn.subs, sub)
	}
	if err := e.nc.Flush(); err != nil {
		rn.close()
		return nil, fmt.Errorf("server: relay subscriptions: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	rn.cancel = cancel
	rn.wg.Add(1)
	go rn.sweepLoop(ctx)
	return rn, nil
}

// close stops the node's relay work. The relayed hosts it shows stay in
// their channels, as when the process dies (a drain ends them first).
func (rn *relayNode) close() {
	for _, sub := range rn.subs {
		_ = sub.Unsubscribe()
	}
	if rn.cancel != nil {
		rn.cancel()
	}
	rn.wg.Wait()
}

// relayNodeFor is the server's relay node state, nil on a single node.
func (s *Server) relayNodeFor() *relayNode {
	if s.nats == nil {
		return nil
	}
	return s.nats.relay
}

func (rn *relayNode) malformed() { rn.e.malformed("relay") }

// destOwner says where the destination channel key is: "" when this node
// hosts it (taking its lease if nobody holds it), else its owner. retry
// reports an error that may pass (the lease store did not answer, the
// owner died and nobody took the channel yet).
func (rn *relayNode) destOwner(key channelKey) (owner cluster.NodeID, retry bool, _ error) {
	s := rn.s
	s.mu.Lock()
	local := s.channels[key] != nil
	s.mu.Unlock()
	if local {
		return "", false, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), placementTimeout)
	defer cancel()
	lk := leaseKeyOf(key)
	leases := s.nats.place.leases
	holder, err := leases.Holder(ctx, lk)
	if err != nil {
		return "", true, fmt.Errorf("cluster: channel placement unavailable: %w", err)
	}
	if holder != "" && holder != rn.e.self && rn.e.reg.Alive(holder) {
		return holder, false, nil
	}
	got, err := leases.Acquire(ctx, lk)
	if err != nil {
		return "", true, fmt.Errorf("cluster: channel placement unavailable: %w", err)
	}
	if got == rn.e.self {
		return "", false, nil
	}
	if !rn.e.reg.Alive(got) {
		return "", true, fmt.Errorf("cluster: the node hosting channel %q just died", key.name)
	}
	return got, false, nil
}

// snapshotTracksLocked records p's current tracks in ex and returns them as
// the destination gets them. Caller holds rn.mu.
func (rn *relayNode) snapshotTracksLocked(ex *relayExport) (tracks []relayTrack, changed bool) {
	p := ex.p
	p.ch.mu.Lock()
	cur := map[protocol.MediaType]exportTrack{}
	for mt, pt := range p.published {
		cur[mt] = exportTrack{track: pt.track, muted: pt.muted}
	}
	p.ch.mu.Unlock()
	for mt := range ex.tracks {
		if _, ok := cur[mt]; !ok {
			delete(ex.tracks, mt)
			changed = true
		}
	}
	for _, mt := range []protocol.MediaType{protocol.MediaAudio, protocol.MediaVideo} {
		c, ok := cur[mt]
		if !ok {
			continue
		}
		old, had := ex.tracks[mt]
		switch {
		case !had || old.track != c.track:
			ex.gen++
			c.gen = ex.gen
			ex.tracks[mt] = c
			changed = true
		case old.muted != c.muted:
			old.muted = c.muted
			ex.tracks[mt] = old
			changed = true
		}
		t := ex.tracks[mt]
		tracks = append(tracks, relayTrack{MediaType: mt, Codec: t.track.Codec, Muted: t.muted, Gen: t.gen})
	}
	return tracks, changed
}

// addRemote shows p, relaying through rs, in the destination channel of
// info owned by node owner. notOwner: that node does not host the channel
// (any more); retry: the failure may pass. Caller holds p.relayMu.
func (rn *relayNode) addRemote(p *Participant, rs *relaySession, info protocol.ChannelMediaInfo, owner cluster.NodeID) (ex *relayExport, notOwner, retry bool, _ *protocol.Error) {
	ex = &relayExport{id: newSessionID(), node: owner, p: p, gate: rs.gate, tracks: map[protocol.MediaType]exportTrack{}, peers: map[protocol.UID]struct{}{}}
	rn.mu.Lock()
	tracks, _ := rn.snapshotTracksLocked(ex)
	rn.exports[ex.id] = ex
	rn.mu.Unlock()
	req := relayAddRequest{Node: rn.e.self, Relay: ex.id, App: p.app.ID, Channel: info.ChannelName, UID: info.UID,
		Source: p.ch.key.name, Host: p.uid, Tracks: tracks}
	ctx, cancel := context.WithTimeout(context.Background(), relayAddTimeout)
	defer cancel()
	var r relayAddReply
	err := rn.e.request(ctx, owner, relayOpAdd, req, &r)
	if err != nil || r.Error != nil || r.NotOwner {
		rn.mu.Lock()
		delete(rn.exports, ex.id)
		ex.gone = true
		rn.mu.Unlock()
	}
	switch {
	case err != nil:
		// The owner may have added it before the answer was lost.
		rn.e.publish(nodeSubject(owner, relayOpRemove), relayRemove{Node: rn.e.self, Relay: ex.id})
		return nil, false, true, perr(protocol.ErrRelayFailedJoinDest, "%v", err)
	case r.NotOwner:
		return nil, true, true, perr(protocol.ErrRelayFailedJoinDest, "node %s no longer hosts channel %q", owner, info.ChannelName)
	case r.Error != nil:
		return nil, false, false, r.Error
	}
	p.logger.Info("channel media relay joined a destination on another node", "destination", string(info.ChannelName), "node", string(owner), "uid", uint32(r.UID))
	return ex, false, false, nil
}

// removeRemote takes the relayed host out of a destination on another
// node: the relaying host sees that channel's hosts leave (reason), then
// the destination's owner removes the relayed host. Caller holds p.relayMu.
func (rn *relayNode) removeRemote(ex *relayExport, reason protocol.UserOfflineReason, tell bool) {
	rn.mu.Lock()
	if rn.exports[ex.id] == ex {
		delete(rn.exports, ex.id)
	}
	ex.gone = true
	peers := ex.peers
	ex.peers = map[protocol.UID]struct{}{}
	rn.mu.Unlock()
	for uid := range peers {
		ex.p.relayPeerUID(uid, "", false, reason)
	}
	if !tell || !rn.e.reg.Alive(ex.node) {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), edgeRequestTimeout)
	defer cancel()
	var r relayRemoveReply
	if err := rn.e.request(ctx, ex.node, relayOpRemove, relayRemove{Node: rn.e.self, Relay: ex.id}, &r); err != nil {
		ex.p.logger.Warn("channel media relay: removing a destination on another node", "node", string(ex.node), "err", err)
	}
}

// syncRemote gives the destination the host's current tracks when they
// changed. Caller holds p.relayMu.
func (rn *relayNode) syncRemote(ex *relayExport) {
	rn.mu.Lock()
	if ex.gone {
		rn.mu.Unlock()
		return
	}
	tracks, changed := rn.snapshotTracksLocked(ex)
	rn.mu.Unlock()
	if changed {
		rn.e.publish(nodeSubject(ex.node, relayOpSync), relaySync{Node: rn.e.self, Relay: ex.id, Tracks: tracks})
	}
}

// exportOf finds the export a message of node is about. Caller holds
// rn.mu.
func (rn *relayNode) exportOf(node cluster.NodeID, id string) *relayExport {
	ex := rn.exports[id]
	if ex == nil || ex.node != node {
		return nil
	}
	return ex
}

// onPull sends a relayed track to the destination's node, through the
// relay's gate.
func (rn *relayNode) onPull(m *nats.Msg) {
	var req relayPullRequest
	if json.Unmarshal(m.Data, &req) != nil || req.Node == "" || !validRelayID(req.Relay) || req.SSRC == 0 || !req.MediaType.Valid() {
		rn.malformed()
		return
	}
	rn.mu.Lock()
	ex := rn.exportOf(req.Node, req.Relay)
	var t exportTrack
	var gate *sfu.Gate
	if ex != nil {
		t, gate = ex.tracks[req.MediaType], ex.gate
	}
	rn.mu.Unlock()
	if t.track == nil || t.gen != req.Gen {
		reply(m, edgePullReply{Error: perr(protocol.ErrInvalidArgument, "relay %s has no %s track of generation %d", req.Relay, req.MediaType, req.Gen)})
		return
	}
	if pe := rn.e.sendOver(req.Node, t.track, req.SSRC, req.UID, gate); pe != nil {
		reply(m, edgePullReply{Error: pe})
		return
	}
	reply(m, edgePullReply{Codec: t.track.Codec})
}

// onPeer tells the relaying host that a host of a destination on another
// node appeared or went.
func (rn *relayNode) onPeer(m *nats.Msg) {
	var ev relayPeer
	if json.Unmarshal(m.Data, &ev) != nil || ev.Node == "" || !validRelayID(ev.Relay) || ev.UID == 0 {
		rn.malformed()
		return
	}
	rn.mu.Lock()
	defer rn.mu.Unlock()
	ex := rn.exportOf(ev.Node, ev.Relay)
	if ex == nil {
		return
	}
	_, known := ex.peers[ev.UID]
	switch {
	case ev.Joined && !known:
		ex.peers[ev.UID] = struct{}{}
		ex.p.relayPeerUID(ev.UID, ev.Account, true, 0)
	case !ev.Joined && known:
		delete(ex.peers, ev.UID)
		ex.p.relayPeerUID(ev.UID, "", false, ev.Reason)
	}
}

// onEnded notes that a destination's node no longer shows the relayed
// host; the sweep joins the destination again where it is now.
func (rn *relayNode) onEnded(m *nats.Msg) {
	var ev relayEnded
	if json.Unmarshal(m.Data, &ev) != nil || ev.Node == "" || !validRelayID(ev.Relay) {
		rn.malformed()
		return
	}
	rn.mu.Lock()
	ex := rn.exportOf(ev.Node, ev.Relay)
	if ex != nil {
		ex.ended = true
	}
	rn.mu.Unlock()
	if ex != nil {
		select {
		case rn.kick <- struct{}{}:
		default:
		}
	}
}

// sweepLoop looks after the relays that span nodes.
func (rn *relayNode) sweepLoop(ctx context.Context) {
	defer rn.wg.Done()
	t := time.NewTicker(rn.s.janitorTick())
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-rn.kick:
		}
		rn.sweep()
	}
}

// sweep drops the relayed hosts of dead nodes shown here, and joins again
// the destinations of local relays whose node died or ended them.
func (rn *relayNode) sweep() {
	reg := rn.e.reg
	now, drop := time.Now(), rn.s.cfg.Timers.DropTimeout
	// A relayed host whose node died stays for the drop timeout: its
	// host, joining again elsewhere, may continue the relay there.
	rn.endImports(func(imp *relayImport) bool {
		if reg.Alive(imp.from) {
			imp.lastAlive = now
			return false
		}
		return now.Sub(imp.lastAlive) > drop
	}, "")
	rn.mu.Lock()
	hosts := map[*Participant]struct{}{}
	for _, ex := range rn.exports {
		if ex.ended || !reg.Alive(ex.node) {
			hosts[ex.p] = struct{}{}
		}
	}
	for p := range rn.lost {
		hosts[p] = struct{}{}
	}
	rn.mu.Unlock()
	for p := range hosts {
		rn.s.recoverRelay(p)
	}
}
