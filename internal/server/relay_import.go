package server

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/cohost-rtc/cohost/internal/cluster"
	"github.com/cohost-rtc/cohost/internal/config"
	"github.com/cohost-rtc/cohost/internal/sfu"
	"github.com/cohost-rtc/cohost/protocol"
)

// The destination's side of a relay from another node: the relayed host
// is a host of the destination channel here (a stand-in, as for a relay
// of a local host), ordered by this node's channel lock like any member;
// its tracks are pulled from the source's node over the media link (the
// relay's gate is applied there) and fanned out here, to local members
// and edges. A watcher stands for the relaying host in the channel's
// watchers: the hosts it sees come and go are told to the source's node.

// relayImport is a relayed host of another node shown in a local channel.
type relayImport struct {
	rn      *relayNode
	id      string
	from    cluster.NodeID
	ch      *Channel
	vp      *Participant // the stand-in, a host of ch
	watcher *Participant // the relaying host, as ch's watcher
	gate    *sfu.Gate    // never paused: the source's gate pauses
	source  protocol.ChannelName
	// lastAlive is when its source's node was last seen alive; guarded by
	// the relayNode's mu.
	lastAlive time.Time

	mu     sync.Mutex // orders syncs and the removal
	tracks map[protocol.MediaType]*importTrack
	done   bool
}

// importTrack is one relayed track pulled from the source's node.
type importTrack struct {
	gen   uint64
	codec protocol.Codec
	in    *sfu.PublishedTrack
	c     *sfu.Cascade
	ssrc  uint32
}

// onAdd shows a relayed host of another node in a channel hosted here.
func (rn *relayNode) onAdd(m *nats.Msg) {
	var req relayAddRequest
	if json.Unmarshal(m.Data, &req) != nil || req.Node == "" || req.Node == rn.e.self || !validRelayID(req.Relay) ||
		protocol.ValidateChannelName(string(req.Channel)) != nil || protocol.ValidateChannelName(string(req.Source)) != nil ||
		!validRelayTracks(req.Tracks) {
		rn.malformed()
		return
	}
	s := rn.s
	app, ok := s.apps[req.App]
	if !ok {
		reply(m, relayAddReply{Error: perr(protocol.ErrInvalidAppID, "unknown App ID %q", req.App)})
		return
	}
	key := channelKey{app: req.App, name: req.Channel}
	s.mu.Lock()
	ch, gone := s.channels[key], s.closing || s.draining
	s.mu.Unlock()
	if ch == nil || gone {
		reply(m, relayAddReply{NotOwner: true})
		return
	}
	// A host relays into a channel once: an import of the same host here
	// is one its node gave up on (it thought this node dead, or did not
	// get the answer), or one from a node the host had to leave; the
	// relayed host stays, with the new node's tracks.
	var old *relayImport
	rn.mu.Lock()
	for _, imp := range rn.imports {
		if imp.ch == ch && imp.source == req.Source && imp.watcher.uid == req.Host {
			old = imp
		}
	}
	rn.mu.Unlock()
	if old != nil && (req.UID == 0 || req.UID == old.vp.uid) {
		rn.takeOver(m, req, old)
		return
	}
	if old != nil {
		old.remove(protocol.OfflineQuit)
	}
	uid := req.UID
	ch.mu.Lock()
	notOwner := len(ch.users) == 0 // its last member just left
	msg := s.relayRefusalLocked(ch, uid)
	if uid == 0 {
		uid = ch.freeUID()
	}
	ch.mu.Unlock()
	switch {
	case notOwner:
		reply(m, relayAddReply{NotOwner: true})
		return
	case msg != "":
		reply(m, relayAddReply{Error: perr(protocol.ErrRelayFailedJoinDest, "%s", msg)})
		return
	}
	imp, ok := rn.newImport(m, req, ch, app, uid)
	if !ok {
		return
	}
	logger := imp.watcher.logger
	vp := &Participant{srv: s, ch: ch, app: app, uid: uid, virtual: true, relayOf: imp.watcher, role: protocol.RoleBroadcaster,
		published: map[protocol.MediaType]*pubTrack{}, subs: map[subKey]*sfu.DownTrack{}, logger: logger}
	imp.vp = vp
	ch.mu.Lock()
	msg = s.relayRefusalLocked(ch, uid)
	if len(ch.users) == 0 || msg != "" {
		ch.mu.Unlock()
		imp.stopTracks(imp.tracks)
		if msg == "" {
			reply(m, relayAddReply{NotOwner: true})
		} else {
			reply(m, relayAddReply{Error: perr(protocol.ErrRelayFailedJoinDest, "%s", msg)})
		}
		return
	}
	ch.users[uid] = vp
	ch.hosts++
	ch.memberJoinedLocked(vp)
	for _, t := range req.Tracks {
		imp.publishLocked(t, imp.tracks[t.MediaType])
	}
	ch.watchLocked(imp.watcher)
	ch.mu.Unlock()
	rn.mu.Lock()
	rn.imports[imp.id] = imp
	rn.mu.Unlock()
	reply(m, relayAddReply{UID: uid})
	logger.Info("channel media relay of another node joined")
}

// newImport pulls the relayed tracks for an import of req shown as uid in
// ch; on failure it answers m and reports false.
func (rn *relayNode) newImport(m *nats.Msg, req relayAddRequest, ch *Channel, app config.App, uid protocol.UID) (*relayImport, bool) {
	imp := &relayImport{rn: rn, id: req.Relay, from: req.Node, ch: ch, gate: &sfu.Gate{}, source: req.Source,
		lastAlive: time.Now(), tracks: map[protocol.MediaType]*importTrack{}}
	ctx, cancel := context.WithTimeout(context.Background(), edgeLinkTimeout)
	defer cancel()
	for _, t := range req.Tracks {
		it, err := imp.pull(ctx, t, uid)
		if err != nil {
			imp.stopTracks(imp.tracks)
			reply(m, relayAddReply{Error: perr(protocol.ErrRelayFailedJoinDest, "pulling the relayed %s from node %s: %v", t.MediaType, req.Node, err)})
			return nil, false
		}
		imp.tracks[t.MediaType] = it
	}
	logger := rn.s.logger.With("app", app.ID, "channel", string(req.Channel), "uid", uint32(uid), "relayOf", uint32(req.Host), "node", string(req.Node))
	imp.watcher = &Participant{srv: rn.s, ch: ch, app: app, uid: req.Host, virtual: true, relayIn: imp, logger: logger}
	return imp, true
}

// takeOver gives the relayed host of old the tracks of a new import of the
// same host: it stays in the channel (no user-left), its old tracks are
// unpublished and the new ones published, and the new node now hears of
// the channel's hosts.
func (rn *relayNode) takeOver(m *nats.Msg, req relayAddRequest, old *relayImport) {
	vp := old.vp
	imp, ok := rn.newImport(m, req, old.ch, vp.app, vp.uid)
	if !ok {
		return
	}
	old.mu.Lock()
	done := old.done
	old.done = true
	oldTracks := old.tracks
	old.tracks = nil
	old.mu.Unlock()
	rn.mu.Lock()
	if rn.imports[old.id] == old {
		delete(rn.imports, old.id)
	}
	rn.mu.Unlock()
	ch := old.ch
	ch.mu.Lock()
	if done || vp.left {
		ch.mu.Unlock()
		imp.stopTracks(imp.tracks)
		reply(m, relayAddReply{NotOwner: true}) // the source looks again, and adds it anew
		return
	}
	delete(ch.watchers, old.watcher)
	ch.unpublishAllLocked(vp, true)
	vp.relayOf = imp.watcher
	imp.vp = vp
	for _, t := range req.Tracks {
		imp.publishLocked(t, imp.tracks[t.MediaType])
	}
	ch.watchLocked(imp.watcher)
	ch.mu.Unlock()
	old.stopTracks(oldTracks)
	rn.mu.Lock()
	rn.imports[imp.id] = imp
	rn.mu.Unlock()
	reply(m, relayAddReply{UID: vp.uid})
	vp.logger.Info("channel media relay continued from another node", "node", string(req.Node))
}

// pull asks the source's node to send a relayed track over the media link.
func (imp *relayImport) pull(ctx context.Context, t relayTrack, uid protocol.UID) (*importTrack, error) {
	e := imp.rn.e
	in, c, ssrc, _, err := e.pullOver(ctx, imp.from, uid, t.MediaType, t.Codec, relayOpPull, func(ssrc uint32) any {
		return relayPullRequest{Node: e.self, Relay: imp.id, MediaType: t.MediaType, Gen: t.Gen, UID: uid, SSRC: ssrc}
	})
	if err != nil {
		return nil, err
	}
	return &importTrack{gen: t.Gen, codec: t.Codec, in: in, c: c, ssrc: ssrc}, nil
}

// stopTrack stops receiving a relayed track and tells the source's node.
func (imp *relayImport) stopTrack(it *importTrack) { imp.rn.e.unpull(it.c, imp.from, it.ssrc) }

func (imp *relayImport) stopTracks(ts map[protocol.MediaType]*importTrack) {
	for _, it := range ts {
		imp.stopTrack(it)
	}
}

// publishLocked makes a pulled track the stand-in's and announces it.
// Caller holds ch.mu.
func (imp *relayImport) publishLocked(t relayTrack, it *importTrack) {
	imp.ch.publishStandInLocked(imp.vp, t.MediaType, it.in, t.Muted, imp.gate)
}

// forward tells the source's node that q, a host of the destination,
// appeared or went. Caller holds ch.mu.
func (imp *relayImport) forward(q *Participant, joined bool, reason protocol.UserOfflineReason) {
	e := imp.rn.e
	e.publish(nodeSubject(imp.from, relayOpPeer), relayPeer{Node: e.self, Relay: imp.id, UID: q.uid, Account: q.account,
		Joined: joined, Reason: reason})
}

// importOf finds the import a message of node is about.
func (rn *relayNode) importOf(node cluster.NodeID, id string) *relayImport {
	rn.mu.Lock()
	defer rn.mu.Unlock()
	imp := rn.imports[id]
	if imp == nil || imp.from != node {
		return nil
	}
	return imp
}

// onRemove takes a relayed host out of its channel here.
func (rn *relayNode) onRemove(m *nats.Msg) {
	var req relayRemove
	if json.Unmarshal(m.Data, &req) != nil || req.Node == "" || !validRelayID(req.Relay) {
		rn.malformed()
		return
	}
	if imp := rn.importOf(req.Node, req.Relay); imp != nil {
		imp.remove(protocol.OfflineQuit)
	}
	reply(m, relayRemoveReply{})
}

// remove takes the stand-in out of the channel: its members see
// user-unpublished for each track, then user-left (reason).
func (imp *relayImport) remove(reason protocol.UserOfflineReason) bool {
	rn := imp.rn
	rn.mu.Lock()
	if rn.imports[imp.id] == imp {
		delete(rn.imports, imp.id)
	}
	rn.mu.Unlock()
	imp.mu.Lock()
	if imp.done {
		imp.mu.Unlock()
		return false
	}
	imp.done = true
	tracks := imp.tracks
	imp.tracks = nil
	imp.mu.Unlock()
	ch := imp.ch
	ch.mu.Lock()
	delete(ch.watchers, imp.watcher)
	ch.removeLocked(imp.vp, reason)
	ch.mu.Unlock()
	imp.stopTracks(tracks)
	rn.s.releaseChannel(ch)
	imp.vp.logger.Info("channel media relay of another node left", "reason", reason)
	return true
}

// endImports removes the relayed hosts for which which holds; with msg
// set, their source's nodes are told, so that they join the destination
// again where it goes.
func (rn *relayNode) endImports(which func(*relayImport) bool, msg string) {
	rn.mu.Lock()
	var imps []*relayImport
	for _, imp := range rn.imports {
		if which(imp) {
			imps = append(imps, imp)
		}
	}
	rn.mu.Unlock()
	for _, imp := range imps {
		reason := protocol.OfflineQuit
		if msg == "" && !rn.e.reg.Alive(imp.from) {
			reason = protocol.OfflineDropped
		}
		if imp.remove(reason) && msg != "" {
			rn.e.publish(nodeSubject(imp.from, relayOpEnded), relayEnded{Node: rn.e.self, Relay: imp.id, Message: msg})
		}
	}
}

// onSync follows the relayed host's tracks: a new track is pulled and
// published, a gone one unpublished, a mute announced.
func (rn *relayNode) onSync(m *nats.Msg) {
	var req relaySync
	if json.Unmarshal(m.Data, &req) != nil || req.Node == "" || !validRelayID(req.Relay) || !validRelayTracks(req.Tracks) {
		rn.malformed()
		return
	}
	if imp := rn.importOf(req.Node, req.Relay); imp != nil {
		imp.sync(req.Tracks)
	}
}

func (imp *relayImport) sync(tracks []relayTrack) {
	imp.mu.Lock()
	defer imp.mu.Unlock()
	if imp.done {
		return
	}
	want := map[protocol.MediaType]relayTrack{}
	for _, t := range tracks {
		want[t.MediaType] = t
	}
	ch, vp := imp.ch, imp.vp
	for _, mt := range []protocol.MediaType{protocol.MediaAudio, protocol.MediaVideo} {
		t, ok := want[mt]
		cur := imp.tracks[mt]
		if cur != nil && (!ok || cur.gen != t.Gen) {
			ch.mu.Lock()
			ch.unpublishLocked(vp, mt, true)
			ch.mu.Unlock()
			imp.stopTrack(cur)
			delete(imp.tracks, mt)
			cur = nil
		}
		if !ok {
			continue
		}
		if cur != nil {
			ch.mu.Lock()
			if pt := vp.published[mt]; pt != nil {
				ch.muteStandInLocked(vp, mt, pt, t.Muted)
			}
			ch.mu.Unlock()
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), edgeLinkTimeout)
		it, err := imp.pull(ctx, t, vp.uid)
		cancel()
		if err != nil {
			vp.logger.Warn("channel media relay: pulling a relayed track", "media", mt, "err", err)
			continue
		}
		ch.mu.Lock()
		if vp.left {
			ch.mu.Unlock()
			imp.stopTrack(it)
			continue
		}
		imp.publishLocked(t, it)
		ch.mu.Unlock()
		imp.tracks[mt] = it
	}
}
