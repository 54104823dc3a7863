package rtc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/pion/webrtc/v4"

	"github.com/cohost-rtc/cohost/internal/eventq"
	"github.com/cohost-rtc/cohost/protocol"
)

// subKey names a remote track.
type subKey struct {
	uid protocol.UID
	mt  protocol.MediaType
}

// subscription is one remote track the client asked for. Its mid and its
// membership in the session's maps are guarded by Engine.mu; ready and done
// are each closed once.
type subscription struct {
	key   subKey
	track *RemoteTrack
	mid   string // transceiver carrying it in the last offer; "" if none
	stale bool   // the session moved: renewed when the publisher is announced

	ready     chan struct{} // closed when an answered offer carries it
	readyOnce sync.Once
	done      chan struct{} // closed when it ends; err says why
	err       error         // written before done is closed
	endOnce   sync.Once
}

func (s *subscription) markReady() { s.readyOnce.Do(func() { close(s.ready) }) }

// end ends the subscription and its track.
func (s *subscription) end(err error) {
	s.endOnce.Do(func() {
		s.err = err
		close(s.done)
	})
	s.track.close()
}

// addSubLocked registers a new pending subscription.
func (e *Engine) addSubLocked(sess *session, uid protocol.UID, mt protocol.MediaType) *subscription {
	sub := &subscription{
		key:   subKey{uid, mt},
		track: newRemoteTrack(uid, mt),
		ready: make(chan struct{}),
		done:  make(chan struct{}),
	}
	sess.subs[sub.key] = sub
	return sub
}

// removeSubLocked unregisters sub; the caller ends it after unlocking.
func (e *Engine) removeSubLocked(sess *session, sub *subscription) {
	if sess.subs[sub.key] == sub {
		delete(sess.subs, sub.key)
	}
	if sub.mid != "" && sess.byMid[sub.mid] == sub {
		delete(sess.byMid, sub.mid)
	}
}

// Subscribe subscribes to a remote user's audio or video and returns the
// track once the server's renegotiation that carries it is complete
// (reading blocks until media arrives, e.g. while the publisher is muted).
// It is idempotent: while subscribed, it returns the same track, also when
// an automatic subscription made it. A server refusal is returned as a
// *protocol.Error: ErrInvalidArgument (the user is not in the channel or
// does not publish that media type), ErrCodecNotSupported (its codec is not
// in EngineConfig.Codecs), ErrResourceLimited (too many subscriptions). If
// ctx ends first the subscription stays in effect; Unsubscribe cancels it.
func (e *Engine) Subscribe(ctx context.Context, uid protocol.UID, mt protocol.MediaType) (*RemoteTrack, error) {
	if !mt.Valid() {
		return nil, invalidArgument("unknown media type %q", mt)
	}
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil, ErrClosed
	}
	sess := e.sess
	if sess == nil || sess.leaving {
		e.mu.Unlock()
		return nil, ErrNotJoined
	}
	sub := sess.subs[subKey{uid, mt}]
	created := sub == nil
	if created {
		sub = e.addSubLocked(sess, uid, mt)
	}
	e.mu.Unlock()
	if created {
		_, err := e.request(ctx, sess, protocol.TypeSubscribe, protocol.SubscribeRequest{UID: uid, MediaType: mt},
			func(_ json.RawMessage, perr *protocol.Error) {
				if perr != nil {
					e.failSub(sess, sub, fmt.Errorf("rtc: subscribe: %w", perr))
				}
			})
		if err != nil && ctx.Err() == nil {
			e.failSub(sess, sub, err)
			return nil, err
		}
	}
	select {
	case <-sub.ready:
		select {
		case <-sub.done: // ended as soon as it started
			return nil, sub.err
		default:
			return sub.track, nil
		}
	case <-sub.done:
		return nil, sub.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// autoSubscribe sends the request of an automatic subscription.
func (e *Engine) autoSubscribe(sess *session, sub *subscription) {
	ctx, cancel := context.WithTimeout(sess.ctx, e.cfg.RequestTimeout)
	defer cancel()
	_, err := e.request(ctx, sess, protocol.TypeSubscribe,
		protocol.SubscribeRequest{UID: sub.key.uid, MediaType: sub.key.mt}, nil)
	if err == nil || sess.ctx.Err() != nil {
		return
	}
	if e.failSub(sess, sub, err) {
		uid, mt := sub.key.uid, sub.key.mt
		e.emit(func(h EventHandler) { h.OnSubscriptionFailed(uid, mt, err) })
	}
}

// failSub ends sub if it is still registered, and reports whether it was.
func (e *Engine) failSub(sess *session, sub *subscription, err error) bool {
	e.mu.Lock()
	found := sess.subs[sub.key] == sub
	e.removeSubLocked(sess, sub)
	e.mu.Unlock()
	sub.end(err)
	return found
}

// Unsubscribe stops receiving a remote track; its RemoteTrack ends (reads
// return io.EOF). Unsubscribing from a track not subscribed does nothing.
func (e *Engine) Unsubscribe(ctx context.Context, uid protocol.UID, mt protocol.MediaType) error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return ErrClosed
	}
	sess := e.sess
	if sess == nil || sess.leaving {
		e.mu.Unlock()
		return ErrNotJoined
	}
	sub := sess.subs[subKey{uid, mt}]
	if sub == nil {
		e.mu.Unlock()
		return nil
	}
	e.removeSubLocked(sess, sub)
	e.mu.Unlock()
	sub.end(ErrSubscriptionEnded)
	_, err := e.request(ctx, sess, protocol.TypeUnsubscribe, protocol.SubscribeRequest{UID: uid, MediaType: mt}, nil)
	return err
}

// subscriber owns a session's downstream peer connection, in which the
// server is the offerer. Offers are handled one at a time on q (the server
// sends no new offer before it has the answer).
type subscriber struct {
	e    *Engine
	sess *session
	q    *eventq.Queue
	pc   *webrtc.PeerConnection // owned by q
}

func newSubscriber(e *Engine, sess *session) *subscriber {
	return &subscriber{e: e, sess: sess, q: eventq.New()}
}

// offer queues an offer that arrived on c. It may be called with e.mu held.
func (s *subscriber) offer(ev protocol.OfferEvent, c *signalConn) {
	s.q.Push(func() {
		err := s.answer(ev, c)
		if isLost(err) {
			// The answer belongs to the connection that brought the
			// offer. If that broke, the server sends the offer again
			// after the resume; an answer sent on the new connection
			// could be taken for the answer to a later offer.
			s.e.log.Debug("offer not answered: its connection broke", "err", err)
			return
		}
		if err != nil && s.sess.ctx.Err() == nil {
			err = fmt.Errorf("rtc: downstream offer: %w", err)
			s.e.log.Warn("cannot answer offer", "err", err)
			s.e.emit(func(h EventHandler) { h.OnError(err) })
		}
	})
}

// answer applies an offer and sends the answer on c. It runs on q.
func (s *subscriber) answer(ev protocol.OfferEvent, c *signalConn) error {
	ctx, cancel := context.WithTimeout(s.sess.ctx, s.e.cfg.RequestTimeout)
	defer cancel()
	if s.pc == nil {
		pc, err := s.e.newPeerConnection(s.e.subAPI, "downstream", s.sess)
		if err != nil {
			return err
		}
		pc.OnTrack(func(t *webrtc.TrackRemote, r *webrtc.RTPReceiver) { s.onTrack(pc, t, r) })
		s.pc = pc
	}
	// Map mids before applying the offer: media of a new track may
	// arrive as soon as the description is set.
	s.e.mapOffer(s.sess, s.pc, ev.Tracks)
	if err := s.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: ev.SDP}); err != nil {
		return fmt.Errorf("set remote offer: %w", err)
	}
	answer, err := s.pc.CreateAnswer(nil)
	if err != nil {
		return fmt.Errorf("create answer: %w", err)
	}
	gathered := webrtc.GatheringCompletePromise(s.pc)
	if err := s.pc.SetLocalDescription(answer); err != nil {
		return fmt.Errorf("set local answer: %w", err)
	}
	select {
	case <-gathered:
	case <-ctx.Done():
		return fmt.Errorf("gathering candidates: %w", ctx.Err())
	}
	_, err = c.request(ctx, protocol.TypeAnswer, protocol.AnswerRequest{SDP: s.pc.LocalDescription().SDP}, nil)
	if err != nil {
		return err
	}
	s.e.markOffered(s.sess, ev.Tracks)
	s.e.log.Debug("downstream negotiated", "tracks", len(ev.Tracks))
	return nil
}

// onTrack runs on a Pion goroutine when media of a downstream transceiver
// starts.
func (s *subscriber) onTrack(pc *webrtc.PeerConnection, t *webrtc.TrackRemote, r *webrtc.RTPReceiver) {
	tr := r.RTPTransceiver()
	if tr == nil {
		return
	}
	mid := tr.Mid()
	e := s.e
	e.mu.Lock()
	if e.sess != s.sess {
		e.mu.Unlock()
		return
	}
	s.sess.live[mid] = t
	sub := s.sess.byMid[mid]
	e.mu.Unlock()
	if sub != nil {
		sub.track.attach(t, pc)
	}
}

// mapOffer points each subscription at the transceiver the offer carries it
// on. Subscriptions absent from the offer are detached but kept: an offer
// sent before the server handled a subscribe does not list it yet, and one
// that ends is reported by its own event.
func (e *Engine) mapOffer(sess *session, pc *webrtc.PeerConnection, tracks []protocol.SubTrack) {
	type binding struct {
		sub *subscription
		t   *webrtc.TrackRemote
	}
	var attach []binding
	var detach []*subscription
	e.mu.Lock()
	byMid := make(map[string]*subscription, len(tracks))
	for _, st := range tracks {
		sub := sess.subs[subKey{st.UID, st.MediaType}]
		if sub == nil {
			continue
		}
		byMid[st.MID] = sub
		sub.track.setCodec(st.Codec)
		if sub.mid != st.MID {
			sub.mid = st.MID
			if t := sess.live[st.MID]; t != nil {
				attach = append(attach, binding{sub, t})
			}
		}
	}
	for _, sub := range sess.subs {
		if sub.mid != "" && byMid[sub.mid] != sub {
			sub.mid = ""
			detach = append(detach, sub)
		}
	}
	sess.byMid = byMid
	e.mu.Unlock()
	for _, sub := range detach {
		sub.track.detach()
	}
	for _, b := range attach {
		b.sub.track.attach(b.t, pc)
	}
}

// markOffered completes the Subscribe calls waiting for tracks that an
// answered offer carries.
func (e *Engine) markOffered(sess *session, tracks []protocol.SubTrack) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, st := range tracks {
		if sub := sess.subs[subKey{st.UID, st.MediaType}]; sub != nil && sub.mid == st.MID {
			sub.markReady()
		}
	}
}

// reset closes the downstream connection after the session moved to
// another node: the next offer opens a new one. It may be called with
// e.mu held.
func (s *subscriber) reset() {
	s.q.Push(func() {
		if s.pc != nil {
			_ = s.pc.Close()
			s.pc = nil
		}
	})
}

// close stops the queue and closes the peer connection, which ends every
// remote track's reads.
func (s *subscriber) close() {
	s.q.Close()
	if s.pc != nil {
		if err := s.pc.Close(); err != nil && !errors.Is(err, webrtc.ErrConnectionClosed) {
			s.e.log.Debug("close downstream", "err", err)
		}
	}
}
