package server

import (
	"context"
	"sync"
	"time"

	"github.com/cohost-rtc/cohost/internal/cluster"
	"github.com/cohost-rtc/cohost/internal/sfu"
	"github.com/cohost-rtc/cohost/protocol"
)

// remoteTracks are the tracks of one channel published on other nodes, as
// one node knows them: an edge knows every host's track from the owner's
// events; the owner knows the tracks of its members connected to other
// nodes. A track is pulled over the media link from the node where its
// publisher is, once for all the node's members, while one of them
// watches it (a viewer's media thus crosses at most two nodes).
type remoteTracks struct {
	e   *edgeState
	key channelKey

	mu     sync.Mutex
	tracks map[subKey]*edgeTrack
	closed bool
}

// edgeTrack is a track published on another node; in is set while this
// node pulls it, from node from.
type edgeTrack struct {
	codec   protocol.Codec
	in      *sfu.PublishedTrack
	c       *sfu.Cascade
	from    cluster.NodeID
	ssrc    uint32
	lastUse time.Time
	pulling chan struct{}
}

func newRemoteTracks(e *edgeState, key channelKey) *remoteTracks {
	return &remoteTracks{e: e, key: key, tracks: map[subKey]*edgeTrack{}}
}

// add records a track announced with codec; a track announced before
// under key is dropped (its pulled copy is returned, for the caller to end
// the subscriptions to it).
func (rt *remoteTracks) add(key subKey, codec protocol.Codec) *sfu.PublishedTrack {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	in := rt.dropLocked(key)
	if !rt.closed {
		rt.tracks[key] = &edgeTrack{codec: codec}
	}
	return in
}

// drop forgets a track and stops pulling it; it returns the pulled copy
// (nil when none), for the caller to end the subscriptions to it.
func (rt *remoteTracks) drop(key subKey) *sfu.PublishedTrack {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.dropLocked(key)
}

// close drops every track; nothing is added afterwards. It returns the
// pulled copies by key.
func (rt *remoteTracks) close() map[subKey]*sfu.PublishedTrack {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	rt.closed = true
	out := map[subKey]*sfu.PublishedTrack{}
	for key := range rt.tracks {
		if in := rt.dropLocked(key); in != nil {
			out[key] = in
		}
	}
	return out
}

func (rt *remoteTracks) dropLocked(key subKey) *sfu.PublishedTrack {
	et := rt.tracks[key]
	if et == nil {
		return nil
	}
	delete(rt.tracks, key)
	in := et.in
	rt.stopLocked(et)
	return in
}

// stopLocked stops pulling et. Caller holds rt.mu.
func (rt *remoteTracks) stopLocked(et *edgeTrack) {
	if et.in == nil {
		return
	}
	rt.e.unpull(et.c, et.from, et.ssrc)
	et.in, et.c, et.ssrc, et.from = nil, nil, 0, ""
}

// list is the tracks known, with their codecs.
func (rt *remoteTracks) list() map[subKey]protocol.Codec {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	out := make(map[subKey]protocol.Codec, len(rt.tracks))
	for key, et := range rt.tracks {
		out[key] = et.codec
	}
	return out
}

// pulledFrom is the node each track pulled here now comes from.
func (rt *remoteTracks) pulledFrom() map[subKey]cluster.NodeID {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	out := map[subKey]cluster.NodeID{}
	for key, et := range rt.tracks {
		if et.in != nil && !et.in.Closed() {
			out[key] = et.from
		}
	}
	return out
}

// sweep stops pulling the tracks nobody here has watched for edgeIdle.
func (rt *remoteTracks) sweep(now time.Time) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	for _, et := range rt.tracks {
		if et.in != nil && len(et.in.DownTracks()) == 0 && now.Sub(et.lastUse) > edgeIdle {
			rt.stopLocked(et)
		}
	}
}

// get returns this node's copy of a remote track for a member who
// subscribes, pulling it when nobody here watches it yet. from is the
// node to ask first (the owner, or the publisher's node); a node that
// does not hold the track answers with the node that does. When from is
// this node, the track is taken where it is published here.
func (rt *remoteTracks) get(ctx context.Context, key subKey, from cluster.NodeID) (*sfu.PublishedTrack, *protocol.Error) {
	if from == rt.e.self {
		// This node owns the channel (it took it over): the track is
		// here, or on the node of its publisher.
		in, node := rt.e.localSource(rt.key, key.uid, key.mt)
		switch {
		case in != nil:
			return in, nil
		case node == "":
			return nil, perr(protocol.ErrInvalidArgument, "user %d has not published %s", key.uid, key.mt)
		}
		from = node
	}
	for {
		rt.mu.Lock()
		et := rt.tracks[key]
		switch {
		case et == nil:
			rt.mu.Unlock()
			return nil, perr(protocol.ErrInvalidArgument, "user %d has not published %s", key.uid, key.mt)
		case et.in != nil && !et.in.Closed():
			et.lastUse = time.Now()
			in := et.in
			rt.mu.Unlock()
			return in, nil
		case et.pulling != nil:
			wait := et.pulling
			rt.mu.Unlock()
			select {
			case <-wait:
				continue
			case <-ctx.Done():
				return nil, perr(protocol.ErrTimedOut, "pulling %s of user %d: %v", key.mt, key.uid, ctx.Err())
			}
		}
		// Not pulled, or its link ended (the other node died).
		rt.stopLocked(et)
		et.pulling = make(chan struct{})
		rt.mu.Unlock()
		in, c, node, ssrc, err := rt.pull(ctx, key, et.codec, from)
		rt.mu.Lock()
		close(et.pulling)
		et.pulling = nil
		if err == nil && (rt.tracks[key] != et || rt.closed) {
			// Unpublished (or the channel ended) meanwhile.
			rt.e.unpull(c, node, ssrc)
			err = perr(protocol.ErrInvalidArgument, "user %d has not published %s", key.uid, key.mt)
		}
		if err != nil {
			rt.mu.Unlock()
			return nil, protoErr(err)
		}
		et.in, et.c, et.from, et.ssrc, et.lastUse = in, c, node, ssrc, time.Now()
		rt.mu.Unlock()
		return in, nil
	}
}

// pull asks node from (or the node it names) to send a track over the
// media link.
func (rt *remoteTracks) pull(ctx context.Context, key subKey, codec protocol.Codec, from cluster.NodeID) (*sfu.PublishedTrack, *sfu.Cascade, cluster.NodeID, uint32, error) {
	e := rt.e
	for range 3 {
		if from == e.self {
			return nil, nil, "", 0, perr(protocol.ErrInvalidState, "%s of user %d is published on this node", key.mt, key.uid)
		}
		in, c, ssrc, r, err := e.pullOver(ctx, from, key.uid, key.mt, codec, edgeOpPull, func(ssrc uint32) any {
			return edgePullRequest{Node: e.self, App: rt.key.app, Channel: rt.key.name, UID: key.uid, MediaType: key.mt, SSRC: ssrc}
		})
		if err != nil {
			return nil, nil, "", 0, err
		}
		if r.From != "" {
			// The publisher is connected to another node: pull from there.
			c.StopReceiving(ssrc)
			from = r.From
			continue
		}
		return in, c, from, ssrc, nil
	}
	return nil, nil, "", 0, perr(protocol.ErrFailed, "%s of user %d: no node sends it", key.mt, key.uid)
}

// pullOver asks node from (on op, with the request req builds for the
// receiving ssrc) to send a track of uid over the media link. On failure
// nothing is left pulled.
func (e *edgeState) pullOver(ctx context.Context, from cluster.NodeID, uid protocol.UID, mt protocol.MediaType, codec protocol.Codec,
	op string, req func(ssrc uint32) any) (*sfu.PublishedTrack, *sfu.Cascade, uint32, edgePullReply, error) {
	var r edgePullReply
	c, err := e.linkTo(ctx, from)
	if err != nil {
		return nil, nil, 0, r, err
	}
	in, ssrc, err := c.Receive(uid, mt, codec, e.s.stats, nil)
	if err != nil {
		return nil, nil, 0, r, err
	}
	err = e.request(ctx, from, op, req(ssrc), &r)
	if err == nil && r.Error != nil {
		err = r.Error
	}
	if err != nil {
		e.unpull(c, from, ssrc)
		return nil, nil, 0, r, err
	}
	return in, c, ssrc, r, nil
}

// unpull stops receiving ssrc over c and tells node from to stop sending it.
func (e *edgeState) unpull(c *sfu.Cascade, from cluster.NodeID, ssrc uint32) {
	c.StopReceiving(ssrc)
	e.publish(nodeSubject(from, edgeOpUnpull), edgeUnpull{Node: e.self, SSRC: ssrc})
}
