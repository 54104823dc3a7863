package server

import (
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/cohost-rtc/cohost/internal/cluster"
	"github.com/cohost-rtc/cohost/internal/config"
	"github.com/cohost-rtc/cohost/internal/sfu"
	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/token"
	"github.com/pion/webrtc/v4"
)

// pubTrack is one published media type of a participant. For a relay's
// stand-in it is the relayed host's track seen through the relay's gate.
type pubTrack struct {
	track *sfu.PublishedTrack
	mid   string
	muted bool
	gate  *sfu.Gate // set for relayed tracks, which the stand-in does not own
	// remoteCodec is the codec of a track published on another node by a
	// member connected there (track is nil: it is pulled on demand).
	remoteCodec protocol.Codec
}

// codec is the track's codec.
func (pt *pubTrack) codec() protocol.Codec {
	if pt.track == nil {
		return pt.remoteCodec
	}
	return pt.track.Codec
}

// subKey names one subscription.
type subKey struct {
	uid protocol.UID
	mt  protocol.MediaType
}

// Participant is one user's session in a channel. It outlives its
// WebSocket: when the connection drops, events are buffered until the
// client resumes or the drop timeout ends the session.
//
// role, published and left are guarded by the channel's mutex; the fields
// below mu by mu.
type Participant struct {
	srv       *Server
	ch        *Channel
	app       config.App
	uid       protocol.UID
	account   protocol.UserAccount
	sessionID string
	logger    *slog.Logger
	joinedAt  time.Time

	lastSignal atomic.Int64  // unix nanos of the last message received
	iceUp      atomic.Bool   // upstream ICE connected
	iceDown    atomic.Bool   // downstream ICE connected
	offerSeq   atomic.Uint64 // seq of the last downstream offer event

	// virtual marks a relay's stand-in for a host of another channel: it
	// has no connection or media of its own; relayOf is that host.
	virtual bool
	relayOf *Participant
	// relayIn, for a relaying host of another node standing among a
	// channel's watchers, is its relay as shown here (relay_import.go).
	relayIn *relayImport

	// remote, on a channel's owner, is the node a member connected to
	// another node is on (edge_owner.go); edge, on that node, is the
	// channel as it serves it (edge_member.go). edgeKicked: the owner
	// ended the session, so its node does not report the leave.
	remote     cluster.NodeID
	edge       *edgeChannel
	edgeKicked atomic.Bool
	// ghost, on a channel's owner, is a host of a dead former owner that
	// the channel's edges knew of: kept, as the dead node's members are,
	// until it joins again or the drop timeout passes (edge_adopt.go).
	ghost bool
	// edgeSync orders the reports of p's tracks to the owner (an edge's
	// host); edgeIDs names them.
	edgeSync sync.Mutex
	edgeIDs  edgeTrackIDs

	// relayMu guards relay. Lock order: relayMu before any Channel.mu.
	relayMu        sync.Mutex
	relay          *relaySession
	lastRelayStart time.Time // guarded by relayMu

	// guarded by ch.mu
	granted   bool // promoted by an administrator: may host and publish whatever the token says
	role      protocol.ClientRole
	roleEpoch uint64 // counts role changes: a demotion stops only older relays
	published map[protocol.MediaType]*pubTrack
	left      bool
	offline   protocol.UserOfflineReason // why it left, once left

	mu      sync.Mutex
	up      *sfu.Upstream
	seq     uint64     // seq of the last event sent
	replay  replayRing // recent events, for resumes
	out     *outbox    // the connection's; nil while detached
	conn    *conn
	codecs  map[protocol.Codec]bool
	privs   privileges
	warned  map[token.Privilege]bool
	expired map[token.Privilege]bool
	down    *sfu.Downstream
	subs    map[subKey]*sfu.DownTrack
	closed  bool
	// relayPeers counts, per uid, the destinations of p's relay where a
	// host with that uid is (see relaypeers.go).
	relayPeers map[protocol.UID]int
}

// touch records signalling activity.
func (p *Participant) touch() { p.lastSignal.Store(time.Now().UnixNano()) }

// alive reports whether the client showed life within d: a signalling
// message, or ICE consent on one of its peer connections.
func (p *Participant) alive(now time.Time, d time.Duration) bool {
	if p.iceUp.Load() || p.iceDown.Load() {
		return true
	}
	return now.Sub(time.Unix(0, p.lastSignal.Load())) < d
}

func iceTracker(flag *atomic.Bool) func(webrtc.ICEConnectionState) {
	return func(s webrtc.ICEConnectionState) {
		flag.Store(s == webrtc.ICEConnectionStateConnected || s == webrtc.ICEConnectionStateCompleted)
	}
}

// sendRaw numbers an encoded event, queues it for the client and returns
// its seq (0 for a relay stand-in, which has no client).
func (p *Participant) sendRaw(b []byte) uint64 {
	if p.virtual || p.remote != "" {
		return 0
	}
	p.mu.Lock()
	full := p.queueLocked(b)
	seq, c := p.seq, p.conn
	p.mu.Unlock()
	if full && c != nil {
		c.close(websocket.StatusPolicyViolation, "client too slow")
	}
	return seq
}

// queueLocked numbers an encoded event, keeps it for a resume and queues it
// for the client; it reports true when the client's outbox is full (the
// caller then closes the connection). Caller holds p.mu.
func (p *Participant) queueLocked(b []byte) (full bool) {
	p.seq++
	b = withSeq(b, p.seq)
	p.replay.add(p.seq, b)
	return p.out != nil && !p.out.push(b) // nil: detached, the ring keeps it
}

// send queues an event for the client and returns its seq.
func (p *Participant) send(t protocol.Type, data any) uint64 { return p.sendRaw(encodeEvent(t, data)) }

// attach makes c the participant's connection: resp goes first, then every
// event after lastSeq, from the replay ring. Events still queued for the old
// connection are among them, as are those its writer took but the client
// may never have received. It reports false, attaching nothing, when events
// after lastSeq are no longer held.
func (p *Participant) attach(c *conn, resp []byte, lastSeq uint64) bool {
	p.mu.Lock()
	missed, ok := p.replay.since(lastSeq, p.seq)
	if !ok {
		p.mu.Unlock()
		return false
	}
	old := p.conn
	if p.out != nil {
		// The old connection's outbox: old.close below closes it, after
		// setting the close status its writer reads.
		p.out.take()
	}
	p.conn = c
	p.out = c.out
	c.out.push(resp)
	for _, b := range missed {
		c.out.push(b)
	}
	p.mu.Unlock()
	p.touch()
	if old != nil && old != c {
		old.close(websocket.StatusNormalClosure, "session resumed on another connection")
	}
	return true
}

// detach is called when c's connection ended: until a resume, events are
// kept only in the replay ring.
func (p *Participant) detach(c *conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.conn != c || p.closed {
		return
	}
	p.conn = nil
	p.out = nil
	p.logger.Info("signalling connection lost; waiting for resume")
}

// disconnect tells the client why its session ends and closes its connection
// after the message is flushed.
func (p *Participant) disconnect(reason protocol.ConnectionChangedReason, msg string) {
	if p.ghost {
		return // nobody to tell
	}
	if p.remote != "" {
		if e := p.srv.edgeFor(); e != nil {
			e.kickRemote(p, reason, msg)
		}
		return
	}
	// The session ends before the client hears why: a resume or a TURN
	// allocation made with its credential as soon as the client reads the
	// reason finds it gone.
	p.srv.forgetSession(p)
	p.send(protocol.EventDisconnect, protocol.DisconnectEvent{Reason: reason, Message: msg})
	p.mu.Lock()
	c := p.conn
	p.mu.Unlock()
	if c != nil {
		c.close(websocket.StatusNormalClosure, reason.String())
	}
}

// closeMedia releases the peer connections (I/O: never under a lock).
func (p *Participant) closeMedia() {
	p.mu.Lock()
	down, up := p.down, p.up
	p.down, p.up = nil, nil
	p.subs = map[subKey]*sfu.DownTrack{}
	p.closed = true
	p.mu.Unlock()
	if down != nil {
		_ = down.Close()
	}
	if up != nil {
		_ = up.Close()
	}
}
