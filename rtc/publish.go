package rtc

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/pion/rtcp"
	"github.com/pion/webrtc/v4"

	"github.com/cohost-rtc/cohost/internal/eventq"
	"github.com/cohost-rtc/cohost/protocol"
)

// publisher owns a session's upstream peer connection, in which the SDK is
// the offerer. Everything it holds is touched only by functions running on
// its queue (and by close, after the queue has stopped), so negotiations,
// mutes and teardowns never interleave.
type publisher struct {
	e    *Engine
	sess *session
	q    *eventq.Queue

	// Owned by q.
	pc     *webrtc.PeerConnection
	tracks map[protocol.MediaType]*published
	order  uint64         // counts tracks added, for published.order
	rtcp   sync.WaitGroup // RTCP readers of senders
}

// published is one local track on the upstream connection.
type published struct {
	track  *LocalTrack
	sender *webrtc.RTPSender
	tr     *webrtc.RTPTransceiver
	order  uint64 // when it was added: publishing again keeps the app's order
}

func newPublisher(e *Engine, sess *session) *publisher {
	return &publisher{e: e, sess: sess, q: eventq.New(), tracks: make(map[protocol.MediaType]*published)}
}

// Publish publishes local tracks: at most one audio and one video track per
// engine (ErrMediaTypeInUse otherwise). Tracks already published are left
// alone. It returns once the server has answered the upstream offer; from
// then on remote users get OnUserPublished and can subscribe. An audience
// member gets the server's refusal, ErrRefused. If ctx ends first Publish
// returns ctx.Err() while the negotiation completes in the background.
func (e *Engine) Publish(ctx context.Context, tracks ...*LocalTrack) error {
	seen := make(map[protocol.MediaType]bool)
	for _, t := range tracks {
		if t == nil {
			return invalidArgument("nil track")
		}
		if seen[t.kind] {
			return fmt.Errorf("rtc: Publish: %w (%s)", ErrMediaTypeInUse, t.kind)
		}
		seen[t.kind] = true
	}
	sess, err := e.session()
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	p := sess.pub
	return p.q.Do(ctx, ErrNotJoined, func() error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		jctx, cancel := context.WithTimeout(sess.ctx, e.cfg.RequestTimeout)
		defer cancel()
		return p.publish(jctx, tracks)
	})
}

// Unpublish stops publishing tracks and renegotiates; tracks not published
// are ignored.
func (e *Engine) Unpublish(ctx context.Context, tracks ...*LocalTrack) error {
	sess, err := e.session()
	if err != nil {
		return err
	}
	p := sess.pub
	return p.q.Do(ctx, ErrNotJoined, func() error {
		jctx, cancel := context.WithTimeout(sess.ctx, e.cfg.RequestTimeout)
		defer cancel()
		return p.unpublish(jctx, tracks)
	})
}

// MuteLocalAudioStream stops (or resumes) sending the published audio:
// writes to the track are dropped and remote users get OnUserMuteAudio.
// The state is kept for tracks published later and for later sessions.
func (e *Engine) MuteLocalAudioStream(ctx context.Context, muted bool) error {
	return e.muteLocal(ctx, protocol.MediaAudio, muted)
}

// MuteLocalVideoStream is MuteLocalAudioStream for video.
func (e *Engine) MuteLocalVideoStream(ctx context.Context, muted bool) error {
	return e.muteLocal(ctx, protocol.MediaVideo, muted)
}

func (e *Engine) muteLocal(ctx context.Context, mt protocol.MediaType, muted bool) error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return ErrClosed
	}
	e.muted[mt] = muted
	sess := e.sess
	if sess == nil || sess.leaving {
		e.mu.Unlock()
		return nil
	}
	e.mu.Unlock()
	p := sess.pub
	return p.q.Do(ctx, nil, func() error {
		pt := p.tracks[mt]
		if pt == nil {
			return nil
		}
		// Apply the latest state: concurrent calls may queue out of order.
		muted := p.engineMuted(mt)
		pt.track.muted.Store(muted)
		jctx, cancel := context.WithTimeout(sess.ctx, e.cfg.RequestTimeout)
		defer cancel()
		_, err := e.request(jctx, sess, protocol.TypeMute, protocol.MuteRequest{MediaType: mt, Muted: muted}, nil)
		return err
	})
}

// engineMuted returns the engine's mute state for mt.
func (p *publisher) engineMuted(mt protocol.MediaType) bool {
	p.e.mu.Lock()
	defer p.e.mu.Unlock()
	return p.e.muted[mt]
}

// publish runs on q.
func (p *publisher) publish(ctx context.Context, tracks []*LocalTrack) error {
	var added []*published
	for _, t := range tracks {
		if cur := p.tracks[t.kind]; cur != nil {
			if cur.track == t {
				continue
			}
			return fmt.Errorf("rtc: Publish: %w (%s)", ErrMediaTypeInUse, t.kind)
		}
		added = append(added, &published{track: t})
	}
	if len(added) == 0 {
		return nil
	}
	p.e.mu.Lock()
	role := p.sess.info.Role
	p.e.mu.Unlock()
	if p.e.cfg.profile == protocol.ProfileLiveBroadcasting && role == protocol.RoleAudience {
		return fmt.Errorf("rtc: publish: %w", protocol.NewError(protocol.ErrRefused, "audience can not publish"))
	}
	for i, pt := range added {
		if !pt.track.claim(p.e) {
			for _, prev := range added[:i] {
				prev.track.release(p.e)
			}
			return fmt.Errorf("rtc: Publish: %w", ErrTrackInUse)
		}
	}
	if p.pc == nil {
		pc, err := p.e.newPeerConnection(p.e.pubAPI, "upstream", p.sess)
		if err != nil {
			for _, pt := range added {
				pt.track.release(p.e)
			}
			return err
		}
		p.pc = pc
	}
	var err error
	for _, pt := range added {
		pt.track.muted.Store(p.engineMuted(pt.track.kind))
		if pt.sender, pt.tr, err = p.addTrack(pt.track); err != nil {
			break
		}
		p.order++
		pt.order = p.order
		p.tracks[pt.track.kind] = pt
	}
	if err == nil {
		err = p.negotiate(ctx, false)
	}
	if err != nil {
		for _, pt := range added {
			if pt.sender != nil {
				_ = p.pc.RemoveTrack(pt.sender)
			}
			delete(p.tracks, pt.track.kind)
			pt.track.release(p.e)
		}
		if p.pc.RemoteDescription() == nil {
			// Never negotiated: start afresh next time.
			_ = p.pc.Close()
			p.pc = nil
		}
		return err
	}
	for _, pt := range added {
		p.readRTCP(pt)
	}
	return nil
}

// addTrack adds t on a sendonly transceiver, reusing an idle one of the
// same kind when Pion allows it (it keeps the SDP from growing), and
// restricts the transceiver to t's codec: the offer then names exactly the
// codec that will be sent.
func (p *publisher) addTrack(t *LocalTrack) (*webrtc.RTPSender, *webrtc.RTPTransceiver, error) {
	sender, tr, err := p.addTransceiver(t)
	if err != nil {
		return sender, tr, err
	}
	params, err := codecParameters(t.codec)
	if err == nil {
		err = tr.SetCodecPreferences([]webrtc.RTPCodecParameters{params})
	}
	if err != nil {
		return sender, tr, fmt.Errorf("rtc: codec preferences: %w", err)
	}
	return sender, tr, nil
}

func (p *publisher) addTransceiver(t *LocalTrack) (*webrtc.RTPSender, *webrtc.RTPTransceiver, error) {
	kind := webrtc.RTPCodecTypeAudio
	if t.kind == protocol.MediaVideo {
		kind = webrtc.RTPCodecTypeVideo
	}
	reusable := false
	for _, tr := range p.pc.GetTransceivers() {
		if tr.Kind() == kind && tr.Sender() == nil && tr.Direction() == webrtc.RTPTransceiverDirectionInactive {
			reusable = true
			break
		}
	}
	if reusable {
		sender, err := p.pc.AddTrack(t.track)
		if err != nil {
			return nil, nil, fmt.Errorf("rtc: add track: %w", err)
		}
		for _, tr := range p.pc.GetTransceivers() {
			if tr.Sender() == sender {
				return sender, tr, nil
			}
		}
		_ = p.pc.RemoveTrack(sender)
		return nil, nil, errors.New("rtc: add track: transceiver not found")
	}
	tr, err := p.pc.AddTransceiverFromTrack(t.track, webrtc.RTPTransceiverInit{
		Direction: webrtc.RTPTransceiverDirectionSendonly,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("rtc: add track: %w", err)
	}
	return tr.Sender(), tr, nil
}

// readRTCP drains a sender's RTCP, which drives the interceptors (NACK
// responses, reports) and reports key-frame requests. It ends when the
// sender stops.
func (p *publisher) readRTCP(pt *published) {
	p.rtcp.Add(1)
	go func() {
		defer p.rtcp.Done()
		for {
			pkts, _, err := pt.sender.ReadRTCP()
			if err != nil {
				return
			}
			for _, pkt := range pkts {
				switch pkt.(type) {
				case *rtcp.PictureLossIndication, *rtcp.FullIntraRequest:
					pt.track.keyFrameRequested()
				}
			}
		}
	}()
}

// negotiate runs one offer/answer round with the server, listing every
// published track. On failure the local offer is rolled back.
func (p *publisher) negotiate(ctx context.Context, iceRestart bool) error {
	offer, err := p.pc.CreateOffer(&webrtc.OfferOptions{ICERestart: iceRestart})
	if err != nil {
		return fmt.Errorf("rtc: create offer: %w", err)
	}
	gathered := webrtc.GatheringCompletePromise(p.pc)
	if err := p.pc.SetLocalDescription(offer); err != nil {
		return fmt.Errorf("rtc: set local offer: %w", err)
	}
	select {
	case <-gathered:
	case <-ctx.Done():
		p.rollback()
		return fmt.Errorf("rtc: gathering candidates: %w", ctx.Err())
	}
	req := protocol.PublishRequest{SDP: p.pc.LocalDescription().SDP, Tracks: []protocol.TrackInfo{}}
	for _, mt := range []protocol.MediaType{protocol.MediaAudio, protocol.MediaVideo} {
		if pt := p.tracks[mt]; pt != nil {
			req.Tracks = append(req.Tracks, protocol.TrackInfo{
				MID: pt.tr.Mid(), MediaType: mt, Muted: pt.track.muted.Load(),
			})
		}
	}
	data, err := p.e.request(ctx, p.sess, protocol.TypePublish, req, nil)
	if err != nil {
		p.rollback()
		return err
	}
	var resp protocol.PublishResponse
	if err := json.Unmarshal(data, &resp); err != nil {
		p.rollback()
		return fmt.Errorf("rtc: publish: decode response: %w", err)
	}
	if err := p.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: resp.SDP}); err != nil {
		p.rollback()
		return fmt.Errorf("rtc: set remote answer: %w", err)
	}
	p.e.log.Debug("upstream negotiated", "tracks", len(req.Tracks), "ice_restart", iceRestart)
	return nil
}

func (p *publisher) rollback() {
	if p.pc.SignalingState() == webrtc.SignalingStateHaveLocalOffer {
		if err := p.pc.SetLocalDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeRollback}); err != nil {
			p.e.log.Warn("upstream rollback failed", "err", err)
		}
	}
}

// unpublish runs on q.
func (p *publisher) unpublish(ctx context.Context, tracks []*LocalTrack) error {
	removed := false
	for _, t := range tracks {
		if t == nil {
			continue
		}
		if pt := p.tracks[t.kind]; pt != nil && pt.track == t {
			p.remove(pt)
			removed = true
		}
	}
	if !removed {
		return nil
	}
	return p.negotiate(ctx, false)
}

// remove takes a track off the connection without renegotiating.
func (p *publisher) remove(pt *published) {
	if err := p.pc.RemoveTrack(pt.sender); err != nil {
		p.e.log.Warn("remove track", "err", err)
	}
	delete(p.tracks, pt.track.kind)
	pt.track.release(p.e)
}

// drop removes tracks the server already unpublished (publish revoked):
// no renegotiation is needed. It may be called with e.mu held.
func (p *publisher) drop(mts []protocol.MediaType) {
	p.q.Push(func() {
		for _, mt := range mts {
			if pt := p.tracks[mt]; pt != nil {
				p.remove(pt)
			}
		}
	})
}

// dropAll removes every track: the user became audience and the server
// unpublished them. It may be called with e.mu held.
func (p *publisher) dropAll() {
	p.drop([]protocol.MediaType{protocol.MediaAudio, protocol.MediaVideo})
}

// restartICE renegotiates the upstream connection with an ICE restart
// after a resume, when tracks are published (the server refuses a publish
// from an audience member, whose tracks it already unpublished). It may be
// called with e.mu held.
func (p *publisher) restartICE() {
	p.q.Push(func() {
		if p.pc == nil || p.pc.RemoteDescription() == nil || len(p.tracks) == 0 {
			return
		}
		ctx, cancel := context.WithTimeout(p.sess.ctx, p.e.cfg.RequestTimeout)
		defer cancel()
		if err := p.negotiate(ctx, true); err != nil && p.sess.ctx.Err() == nil {
			err = fmt.Errorf("rtc: upstream ICE restart: %w", err)
			p.e.log.Warn("upstream ICE restart failed", "err", err)
			p.e.emit(func(h EventHandler) { h.OnError(err) })
		}
	})
}

// republish publishes the same tracks again on a new upstream connection
// after the session moved to another node. It may be called with e.mu
// held.
func (p *publisher) republish() {
	p.q.Push(func() {
		// In the order the app published them, so that the others see
		// user-published for them in the same order as the first time.
		pts := slices.SortedFunc(maps.Values(p.tracks), func(a, b *published) int { return cmp.Compare(a.order, b.order) })
		tracks := make([]*LocalTrack, 0, len(pts))
		for _, pt := range pts {
			tracks = append(tracks, pt.track)
		}
		if p.pc != nil {
			_ = p.pc.Close()
			p.pc = nil
		}
		p.rtcp.Wait()
		clear(p.tracks)
		if len(tracks) == 0 {
			return
		}
		ctx, cancel := context.WithTimeout(p.sess.ctx, p.e.cfg.RequestTimeout)
		defer cancel()
		if err := p.publish(ctx, tracks); err != nil && p.sess.ctx.Err() == nil {
			err = fmt.Errorf("rtc: publish again on the new node: %w", err)
			p.e.log.Warn("republish failed", "err", err)
			p.e.emit(func(h EventHandler) { h.OnError(err) })
		}
	})
}

// close stops the queue, then closes the peer connection and releases the
// tracks.
func (p *publisher) close() {
	p.q.Close()
	if p.pc != nil {
		if err := p.pc.Close(); err != nil {
			p.e.log.Debug("close upstream", "err", err)
		}
	}
	for _, pt := range p.tracks {
		pt.track.release(p.e)
	}
	p.tracks = nil
	p.rtcp.Wait()
}

// newPeerConnection creates a peer connection that reports failures.
// It adds the session's TURN servers, and relays everything when a cloud
// proxy is forced.
func (e *Engine) newPeerConnection(api *webrtc.API, name string, sess *session) (*webrtc.PeerConnection, error) {
	e.mu.Lock()
	servers, proxy := sess.info.ICEServers, sess.proxy
	e.mu.Unlock()
	cfg, err := iceConfiguration(e.cfg.ICEServers, servers, proxy)
	if err != nil {
		return nil, err
	}
	pc, err := api.NewPeerConnection(cfg)
	if err != nil {
		return nil, fmt.Errorf("rtc: new %s peer connection: %w", name, err)
	}
	log := e.log.With("pc", name)
	pc.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
		log.Debug("peer connection state", "state", s)
		if s == webrtc.PeerConnectionStateFailed {
			err := fmt.Errorf("rtc: %s peer connection failed", name)
			e.emit(func(h EventHandler) { h.OnError(err) })
		}
	})
	return pc, nil
}
