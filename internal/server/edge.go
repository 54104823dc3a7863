package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"sync"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/cohost-rtc/cohost/internal/cluster"
	"github.com/cohost-rtc/cohost/internal/eventq"
	"github.com/cohost-rtc/cohost/internal/sfu"
	"github.com/cohost-rtc/cohost/protocol"
)

// edgeState is a cluster node's part in channels that span nodes. As a
// channel's owner (the holder of its lease) it admits the audience members
// of other nodes, publishes the channel's events for them and sends the
// tracks they watch over media links (edge_owner.go); as an edge it serves
// local audience members of channels owned elsewhere (edge_member.go).
type edgeState struct {
	s    *Server
	nc   *nats.Conn
	reg  *cluster.Registry
	self cluster.NodeID
	out  *eventq.Queue // channel events and notices, published in order
	subs []*nats.Subscription

	ctx    context.Context // ends when the node stops
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu     sync.Mutex
	links  map[cluster.NodeID]*peerLink
	chans  map[channelKey]*edgeChannel // channels served here as an edge
	remote map[*Participant]struct{}   // members of other nodes in channels owned here
	// stopping: close began, so no goroutine may join e.wg any more.
	stopping bool
	closed   bool
}

// peerLink is the media link with one other node, once its handshake ends.
type peerLink struct {
	ready chan struct{}
	c     *sfu.Cascade
	err   error
}

// edgeRequestTimeout bounds one request between nodes.
const edgeRequestTimeout = 5 * time.Second

// edgeLinkTimeout bounds a media link's set-up.
const edgeLinkTimeout = 15 * time.Second

// startEdge subscribes to this node's subjects and starts the sweep.
func (s *Server) startEdge(nc *nats.Conn, reg *cluster.Registry) (*edgeState, error) {
	e := &edgeState{s: s, nc: nc, reg: reg, self: reg.ID(), out: eventq.New(), links: map[cluster.NodeID]*peerLink{},
		chans: map[channelKey]*edgeChannel{}, remote: map[*Participant]struct{}{}}
	handlers := map[string]nats.MsgHandler{
		edgeOpJoin: e.onJoin, edgeOpLeave: e.onLeave, edgeOpKick: e.onKick,
		edgeOpLink: e.onLink, edgeOpPull: e.onPull, edgeOpUnpull: e.onUnpull,
		edgeOpRole: e.onRole, edgeOpTracks: e.onTracks, edgeOpAdmin: e.onAdmin, edgeOpAdopt: e.onAdopt,
		edgeOpMove: e.onMove,
	}
	for op, h := range handlers {
		sub, err := nc.Subscribe(nodeSubject(e.self, op), h)
		if err != nil {
			e.close()
			return nil, fmt.Errorf("server: edge subscriptions: %w", err)
		}
		e.subs = append(e.subs, sub)
	}
	if err := nc.Flush(); err != nil {
		e.close()
		return nil, fmt.Errorf("server: edge subscriptions: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	e.ctx, e.cancel = ctx, cancel
	e.wg.Add(1)
	go e.sweepLoop(ctx)
	return e, nil
}

// close stops the node's edge work: subscriptions, links, the sweep.
func (e *edgeState) close() {
	for _, sub := range e.subs {
		_ = sub.Unsubscribe()
	}
	e.mu.Lock()
	e.stopping = true
	e.mu.Unlock()
	if e.cancel != nil {
		e.cancel()
	}
	e.wg.Wait()
	e.mu.Lock()
	e.closed = true
	links := e.links
	e.links = map[cluster.NodeID]*peerLink{}
	chans := make([]*edgeChannel, 0, len(e.chans))
	for _, ec := range e.chans {
		chans = append(chans, ec)
	}
	e.mu.Unlock()
	for _, ec := range chans {
		ec.unsubscribe()
	}
	e.out.Close()
	for _, l := range links {
		<-l.ready
		if l.c != nil {
			_ = l.c.Close()
		}
	}
}

// malformed counts a message that does not decode.
func (e *edgeState) malformed(kind string) { e.s.metrics.malformed.WithLabelValues(kind).Inc() }

// publish sends v on subject after everything queued before it.
func (e *edgeState) publish(subject string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		return
	}
	e.out.Push(func() { _ = e.nc.Publish(subject, b) })
}

// request sends v to node id's op subject and decodes the reply into out.
func (e *edgeState) request(ctx context.Context, id cluster.NodeID, op string, v, out any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	msg, err := e.nc.RequestWithContext(ctx, nodeSubject(id, op), b)
	if err != nil {
		return fmt.Errorf("server: %s request to node %s: %w", op, id, err)
	}
	if err := json.Unmarshal(msg.Data, out); err != nil {
		e.malformed(wireKind(op))
		return fmt.Errorf("server: %s reply of node %s: %w", op, id, err)
	}
	return nil
}

// reply answers a request (nothing when it expects none).
func reply(m *nats.Msg, v any) {
	if m.Reply == "" {
		return
	}
	b, _ := json.Marshal(v)
	_ = m.Respond(b)
}

// ensureLink starts this node's side of the media link with peer if it
// is not started yet; the node with the smaller id is the DTLS client.
func (e *edgeState) ensureLink(peer cluster.NodeID, addr, fingerprint string) *peerLink {
	e.mu.Lock()
	defer e.mu.Unlock()
	if l := e.links[peer]; l != nil {
		return l
	}
	l := &peerLink{ready: make(chan struct{})}
	if e.closed {
		l.err = sfu.ErrClosed
		close(l.ready)
		return l
	}
	e.links[peer] = l
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		defer close(l.ready)
		ap, err := netip.ParseAddrPort(addr)
		if err != nil {
			l.err = fmt.Errorf("server: media address %q of node %s: %w", addr, peer, err)
		} else {
			ctx, cancel := context.WithTimeout(context.Background(), edgeLinkTimeout)
			l.c, l.err = e.s.media.NewCascade(ctx, sfu.CascadeConfig{Remote: ap, Client: e.self < peer,
				RemoteFingerprint: fingerprint, Logger: e.s.logger.With("peer", string(peer))})
			cancel()
		}
		if l.err != nil {
			e.s.logger.Warn("media link failed", "peer", string(peer), "err", l.err)
			e.mu.Lock()
			if e.links[peer] == l {
				delete(e.links, peer)
			}
			e.mu.Unlock()
			return
		}
		e.s.logger.Info("media link up", "peer", string(peer), "addr", addr)
	}()
	return l
}

// wait waits for the link's handshake.
func (l *peerLink) wait(ctx context.Context) (*sfu.Cascade, error) {
	select {
	case <-l.ready:
		return l.c, l.err
	case <-ctx.Done():
		return nil, fmt.Errorf("server: media link: %w", ctx.Err())
	}
}

// linkTo returns the media link with node id, setting it up with that
// node first when there is none.
func (e *edgeState) linkTo(ctx context.Context, id cluster.NodeID) (*sfu.Cascade, error) {
	e.mu.Lock()
	l := e.links[id]
	e.mu.Unlock()
	if l == nil {
		var r edgeLinkReply
		req := edgeLinkRequest{Node: e.self, MediaAddr: e.s.advertisedMediaAddr(), Fingerprint: e.s.media.Fingerprint()}
		if err := e.request(ctx, id, edgeOpLink, req, &r); err != nil {
			return nil, err
		}
		if r.Error != nil {
			return nil, r.Error
		}
		l = e.ensureLink(id, r.MediaAddr, r.Fingerprint)
	}
	return l.wait(ctx)
}

// onLink sets up this node's side of a link another node asked for.
func (e *edgeState) onLink(m *nats.Msg) {
	var req edgeLinkRequest
	if json.Unmarshal(m.Data, &req) != nil || req.Node == "" || req.Node == e.self {
		e.malformed("edge")
		return
	}
	e.ensureLink(req.Node, req.MediaAddr, req.Fingerprint)
	reply(m, edgeLinkReply{MediaAddr: e.s.advertisedMediaAddr(), Fingerprint: e.s.media.Fingerprint()})
}

// sweepLoop drops what dead nodes leave behind and the tracks no local
// member watches any more.
func (e *edgeState) sweepLoop(ctx context.Context) {
	defer e.wg.Done()
	t := time.NewTicker(e.s.janitorTick())
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			e.sweep(now)
		}
	}
}

func (e *edgeState) sweep(now time.Time) {
	e.mu.Lock()
	var deadLinks []*sfu.Cascade
	for id, l := range e.links {
		select {
		case <-l.ready:
		default:
			continue
		}
		if !e.reg.Alive(id) {
			delete(e.links, id)
			if l.c != nil {
				deadLinks = append(deadLinks, l.c)
			}
		}
	}
	remote := make([]*Participant, 0, len(e.remote))
	for p := range e.remote {
		remote = append(remote, p)
	}
	chans := make([]*edgeChannel, 0, len(e.chans))
	for _, ec := range e.chans {
		chans = append(chans, ec)
	}
	e.mu.Unlock()
	for _, c := range deadLinks {
		_ = c.Close()
	}
	e.checkRemoteMembers(remote, now)
	for _, ec := range chans {
		ec.sweep(now)
	}
	e.s.mu.Lock()
	owned := make([]*Channel, 0, len(e.s.channels))
	for _, ch := range e.s.channels {
		owned = append(owned, ch)
	}
	e.s.mu.Unlock()
	for _, ch := range owned {
		if ch.pulls != nil {
			ch.pulls.sweep(now)
		}
	}
}

// edgeFor is the server's edge state, nil on a single node.
func (s *Server) edgeFor() *edgeState {
	if s.nats == nil {
		return nil
	}
	return s.nats.edge
}

// protoErr turns an error of a request between nodes into the client's.
func protoErr(err error) *protocol.Error {
	if pe, ok := err.(*protocol.Error); ok {
		return pe
	}
	return perr(protocol.ErrNoServerResources, "cluster: %v", err)
}
