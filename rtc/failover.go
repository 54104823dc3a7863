package rtc

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/cohost-rtc/cohost/protocol"
)

// errNoOtherNode: the session's node is unreachable and no other node is
// known.
var errNoOtherNode = errors.New("rtc: no other node to reconnect through")

// errHomeStopped: the session's node said it stops; the session is not
// resumed there.
var errHomeStopped = errors.New("rtc: the session's node is stopping")

// inCluster reports whether the session's server listed other nodes.
func (e *Engine) inCluster(sess *session) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(sess.nodes) > 1 || len(e.cfg.signalURLs) > 1
}

// transientJoinError reports a refused join that may succeed later: the
// cluster was placing the channel again, or a node was full or stopping.
func transientJoinError(pe *protocol.Error) bool {
	switch pe.Code {
	case protocol.ErrNoServerResources, protocol.ErrResourceLimited, protocol.ErrRefused, protocol.ErrTimedOut:
		return true
	}
	return false
}

// nodeURLs are the signalling URLs of a cluster's node list.
func nodeURLs(nodes []protocol.NodeInfo) []string {
	var out []string
	for _, n := range nodes {
		if u, err := signalURL(n.URL); err == nil && !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	return out
}

// failoverOnce tries to move a session whose node stopped answering to
// another node of the cluster: it joins the channel again through the
// other nodes it knows, as the same uid in the same role. When the cluster
// sends it back to its own node, that node lives and the session is
// resumed there instead (errBackHome). done is true when the session moved
// or no longer needs to.
func (e *Engine) failoverOnce(sess *session, deadline time.Time) (done bool, err error) {
	return e.rejoinOnce(sess, deadline, false)
}

// rejoinOnce joins the channel again as the same uid in the same role,
// through the session's own node first when withHome (its session there
// expired) and then the other nodes it knows; published tracks are
// published again and subscriptions renewed (applyRejoin). done is true
// when the session is back in the channel or no longer needs to be.
func (e *Engine) rejoinOnce(sess *session, deadline time.Time, withHome bool) (done bool, err error) {
	ctx, cancel := context.WithDeadline(sess.ctx, deadline)
	defer cancel()
	e.mu.Lock()
	if e.sess != sess || sess.leaving || sess.conn != nil {
		e.mu.Unlock()
		return true, nil
	}
	home := sess.url
	var urls []string
	if withHome {
		urls = append(urls, home)
	}
	for _, u := range append(slices.Clone(sess.nodes), e.cfg.signalURLs...) {
		if u != home && !slices.Contains(urls, u) {
			urls = append(urls, u)
		}
	}
	req := protocol.JoinRequest{Version: protocol.Version, AppID: e.cfg.AppID, Channel: protocol.ChannelName(sess.channel),
		Token: sess.token, UID: sess.info.UID, Profile: e.cfg.profile, Role: e.role, Codecs: e.cfg.codecs, Edge: e.cfg.AudienceOnAnyNode}
	e.mu.Unlock()
	if len(urls) == 0 {
		return false, errNoOtherNode
	}
	if withHome {
		home = "" // a redirect to the session's node is followed
	}
	c, _, err := e.joinThrough(ctx, sess, urls, req, home, func(c *signalConn, url string, data json.RawMessage) {
		e.applyRejoin(sess, c, url, data)
	})
	if err != nil || c == nil {
		return c == nil && err == nil, err
	}
	e.mu.Lock()
	moved := e.sess == sess && sess.conn == c
	e.mu.Unlock()
	if !moved {
		c.close() // the session ended meanwhile
	}
	return true, nil
}

// applyRejoin records a session moved to another node, or joined again
// on its own node after it expired there. It runs on c's reader before any
// event that follows the response. The remote users
// known before stay known; those the new node does not announce within
// the drop timeout are reported offline (DROPPED). Published tracks are
// published again on a new upstream connection, and each subscription is
// renewed when its publisher is announced again.
func (e *Engine) applyRejoin(sess *session, c *signalConn, url string, data json.RawMessage) {
	var resp protocol.JoinResponse
	if err := json.Unmarshal(data, &resp); err != nil {
		e.log.Error("undecodable join response", "err", err)
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.sess != sess || sess.leaving || sess.conn != nil {
		return
	}
	sess.info = resp
	sess.conn, sess.url = c, url
	sess.homeStopped = false
	sess.lastSeq = 0 // a new session on the new node: its events count from 1
	if nodes := nodeURLs(resp.Nodes); len(nodes) > 0 {
		// A node cut from the others (a NATS partition) lists only
		// itself, and gives the channel up once its lease runs out: the
		// nodes known before stay known, after those it lists, so the
		// session can move again then.
		for _, u := range sess.nodes {
			if !slices.Contains(nodes, u) {
				nodes = append(nodes, u)
			}
		}
		sess.nodes = nodes
	}
	close(sess.ready)
	e.role = resp.Role
	away := make(map[protocol.UID]bool, len(sess.remote))
	for uid := range sess.remote {
		away[uid] = true
	}
	sess.away = away
	sess.moves++
	gen := sess.moves
	for _, sub := range sess.subs {
		sub.mid, sub.stale = "", true
	}
	clear(sess.byMid)
	clear(sess.live)
	sess.sub.reset()
	sess.pub.republish()
	e.continueRelayLocked(sess)
	channel, uid, elapsed := sess.channel, resp.UID, time.Since(sess.lostAt)
	e.setStateLocked(protocol.ConnConnected, protocol.ReasonRejoinSuccess)
	e.emit(func(h EventHandler) { h.OnRejoinChannelSuccess(channel, uid, elapsed) })
	e.log.Info("joined the channel again", "channel", channel, "uid", uid, "url", url, "after", elapsed)
	interval := time.Duration(resp.KeepAliveMs) * time.Millisecond
	drop := time.Duration(resp.DropTimeoutMs) * time.Millisecond
	if drop <= 0 {
		drop = defaultDropTimeout
	}
	e.goLocked(func() { e.keepAlive(sess, c, interval, drop) })
	e.goLocked(func() { e.dropAway(sess, gen, drop) })
}

// dropAway reports offline, after the drop timeout, the remote users known
// before a move that the new node has not announced since.
func (e *Engine) dropAway(sess *session, gen int, drop time.Duration) {
	t := time.NewTimer(drop)
	defer t.Stop()
	select {
	case <-sess.ctx.Done():
		return
	case <-t.C:
	}
	e.mu.Lock()
	if e.sess != sess || sess.leaving || sess.moves != gen {
		// Ended, or moved again: the later move decides.
		e.mu.Unlock()
		return
	}
	var ended []*subscription
	var gone []protocol.UID
	for uid := range sess.away {
		if _, known := sess.remote[uid]; !known {
			continue
		}
		delete(sess.remote, uid)
		gone = append(gone, uid)
		for key, sub := range sess.subs {
			if key.uid == uid {
				ended = append(ended, sub)
				e.removeSubLocked(sess, sub)
			}
		}
	}
	for _, uid := range gone {
		e.emit(func(h EventHandler) { h.OnUserOffline(uid, protocol.OfflineDropped) })
	}
	e.mu.Unlock()
	for _, sub := range ended {
		sub.end(ErrSubscriptionEnded)
	}
}
