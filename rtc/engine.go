package rtc

import (
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/cohost-rtc/cohost/internal/eventq"
	"github.com/cohost-rtc/cohost/protocol"
)

// Engine is one client of a cohost server: Agora's IRtcEngine. It holds at
// most one channel session at a time. Create it with NewEngine and release
// it with Close.
//
// Engine.mu guards the engine's state and that of its session (ids, role,
// remote users, subscriptions). It is never held during I/O or while the
// event handler runs. Each session's peer connections are owned by their
// own serial queues (see publisher and subscriber), the handler by the
// engine's event queue.
type Engine struct {
	cfg    *settings
	log    *slog.Logger
	pubAPI *webrtc.API // upstream: every codec the SDK can send
	subAPI *webrtc.API // downstream: the codecs the client receives
	events *eventq.Queue
	ctx    context.Context // ends at Close
	cancel context.CancelFunc
	wg     sync.WaitGroup // goroutines of sessions

	mu     sync.Mutex
	closed bool
	state  protocol.ConnectionState
	role   protocol.ClientRole // role of the next join, then the current one
	muted  map[protocol.MediaType]bool
	sess   *session
	// proxy is the cloud proxy of the next session (SetCloudProxy).
	proxy CloudProxyType
	// relay is the last channel media relay configuration the server
	// accepted, to name a relay token in OnTokenPrivilegeWillExpire.
	relay protocol.RelayRequest
}

// session is one stay in a channel, from JoinChannel to its end (leave,
// disconnect, failed resume, Close). A resumed connection keeps the session.
type session struct {
	ctx       context.Context // ends with the session
	cancel    context.CancelFunc
	channel   string
	account   string
	joinStart time.Time
	pub       *publisher
	sub       *subscriber
	ended     chan struct{} // closed when endSession has finished
	// relayOn: the server reported the session's relay RUNNING and not
	// since IDLE or FAILURE; relayPaused: it was last paused. Guarded by
	// the engine's mu; a move to another node continues the relay.
	relayOn, relayPaused bool

	// Guarded by Engine.mu.
	token   string
	info    protocol.JoinResponse
	proxy   CloudProxyType // fixed at JoinChannel
	joined  bool
	leaving bool // LeaveChannel or a disconnect event is ending it
	conn    *signalConn
	url     string // signalling URL of the node the session is on
	// homeStopped: the session's node said it shuts down (or drains), so
	// the session moves to another node without trying to resume there.
	homeStopped bool
	nodes       []string // signalling URLs of the cluster's live nodes, last listed
	// away: remote users known before the session moved to another node
	// and not announced by it since; moves counts the moves.
	away    map[protocol.UID]bool
	moves   int
	ready   chan struct{}                         // closed while conn is usable (after join/resume)
	lostAt  time.Time                             // when the connection broke
	remote  map[protocol.UID]protocol.UserAccount // visible remote users
	subs    map[subKey]*subscription
	byMid   map[string]*subscription       // subscriptions in the last offer
	live    map[string]*webrtc.TrackRemote // downstream tracks by mid
	lastSeq uint64                         // seq of the last event handled
}

// NewEngine checks cfg and creates an engine. It starts no goroutine and
// opens no connection until JoinChannel.
func NewEngine(cfg EngineConfig) (*Engine, error) {
	s, err := cfg.settings()
	if err != nil {
		return nil, err
	}
	pubAPI, err := newAPI(s, allCodecs)
	if err != nil {
		return nil, err
	}
	subAPI, err := newAPI(s, s.codecs)
	if err != nil {
		return nil, err
	}
	e := &Engine{
		cfg:    s,
		log:    s.Logger,
		pubAPI: pubAPI,
		subAPI: subAPI,
		events: eventq.New(),
		state:  protocol.ConnDisconnected,
		role:   s.ClientRole,
		proxy:  s.CloudProxy,
		muted:  make(map[protocol.MediaType]bool),
	}
	e.ctx, e.cancel = context.WithCancel(context.Background())
	return e, nil
}

// Close leaves the channel (waiting briefly for the server), releases every
// connection and stops every goroutine of the engine. Callbacks not yet
// delivered are dropped. Close must not be called from an EventHandler
// method. Further calls return ErrClosed; Close itself is idempotent.
func (e *Engine) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	sess := e.sess
	e.mu.Unlock()
	if sess != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_ = e.leave(ctx, sess)
		cancel()
	}
	e.cancel()
	e.events.Close()
	e.wg.Wait()
	return nil
}

// ConnectionState returns the current connection state.
func (e *Engine) ConnectionState() protocol.ConnectionState {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.state
}

// LocalUID returns the local user's uid, or 0 when not joined.
func (e *Engine) LocalUID() protocol.UID {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.sess == nil || !e.sess.joined {
		return 0
	}
	return e.sess.info.UID
}

// ClientRole returns the current role (after the join) or the role of the
// next join.
func (e *Engine) ClientRole() protocol.ClientRole {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.sess != nil && e.sess.joined {
		return e.sess.info.Role
	}
	return e.joinRoleLocked()
}

// RemoteUsers returns the uids of the remote users the session knows (the
// hosts in the live profile), in increasing order.
func (e *Engine) RemoteUsers() []protocol.UID {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.sess == nil {
		return nil
	}
	uids := make([]protocol.UID, 0, len(e.sess.remote))
	for uid := range e.sess.remote {
		uids = append(uids, uid)
	}
	slices.Sort(uids)
	return uids
}

func (e *Engine) joinRoleLocked() protocol.ClientRole {
	if e.cfg.profile == protocol.ProfileCommunication {
		return protocol.RoleBroadcaster
	}
	if e.role == 0 {
		return defaultRole(e.cfg.profile)
	}
	return e.role
}

// emit queues a handler call. It may be called with e.mu held: the queue
// orders calls as they were emitted.
func (e *Engine) emit(f func(h EventHandler)) {
	h := e.cfg.Handler
	if h == nil {
		return
	}
	e.events.Push(func() { f(h) })
}

// afterCallbacks is the end of a call whose callbacks the application sees
// before the call returns: it waits until the handler has run every
// callback emitted before the answer to the call arrived (the server sends
// a request's events before its response), then returns err. If ctx ends
// meanwhile it returns ctx.Err(); called from a handler method it does not
// wait, since those callbacks can only run after that method returns.
func (e *Engine) afterCallbacks(ctx context.Context, err error) error {
	if e.cfg.Handler == nil || ctx.Err() != nil {
		return err
	}
	if werr := e.events.Wait(ctx); werr != nil && err == nil {
		return werr
	}
	return err
}

// setStateLocked changes the connection state and reports it.
func (e *Engine) setStateLocked(state protocol.ConnectionState, reason protocol.ConnectionChangedReason) {
	if e.state == state {
		return
	}
	e.state = state
	e.log.Info("connection state", "state", state, "reason", reason)
	e.emit(func(h EventHandler) { h.OnConnectionStateChanged(state, reason) })
}

// goLocked runs f on a new goroutine that Close waits for. e.mu must be
// held and the caller must have checked that the session is current, so
// that no goroutine starts after Close has ended the session.
func (e *Engine) goLocked(f func()) {
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		f()
	}()
}

// session returns the current session.
func (e *Engine) session() (*session, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil, ErrClosed
	}
	if e.sess == nil || e.sess.leaving {
		return nil, ErrNotJoined
	}
	return e.sess, nil
}

// currentLocked reports whether sess is the live session and c its
// connection: messages from anything else are stale.
func (e *Engine) currentLocked(sess *session, c *signalConn) bool {
	return e.sess == sess && !sess.leaving && sess.conn == c
}

// liveConn waits until sess has a usable connection (after the join, or
// after a resume while reconnecting).
func (e *Engine) liveConn(ctx context.Context, sess *session) (*signalConn, error) {
	for {
		e.mu.Lock()
		if e.sess != sess || sess.leaving {
			closed := e.closed
			e.mu.Unlock()
			if closed {
				return nil, ErrClosed
			}
			return nil, ErrNotJoined
		}
		if sess.joined && sess.conn != nil {
			c := sess.conn
			e.mu.Unlock()
			return c, nil
		}
		ready := sess.ready
		e.mu.Unlock()
		select {
		case <-ready:
		case <-sess.ctx.Done():
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// request sends a request on the session's connection, waiting for one if
// the engine is reconnecting.
func (e *Engine) request(ctx context.Context, sess *session, typ protocol.Type, payload any,
	hook func(json.RawMessage, *protocol.Error)) (json.RawMessage, error) {
	c, err := e.liveConn(ctx, sess)
	if err != nil {
		return nil, err
	}
	return c.request(ctx, typ, payload, hook)
}

// endSession ends sess, if it is still the engine's session: it reports
// state, closes the connection and both peer connections, and ends every
// subscription. It waits for the session's queues but not for its other
// goroutines (Close does). It must not run on a goroutine of the session's
// connection or queues.
func (e *Engine) endSession(sess *session, state protocol.ConnectionState, reason protocol.ConnectionChangedReason) {
	e.mu.Lock()
	if e.sess != sess {
		e.mu.Unlock()
		return
	}
	defer close(sess.ended)
	e.sess = nil
	sess.leaving = true
	c := sess.conn
	sess.conn = nil
	subs := sess.subs
	sess.subs = make(map[subKey]*subscription)
	sess.byMid = make(map[string]*subscription)
	sess.live = make(map[string]*webrtc.TrackRemote)
	e.setStateLocked(state, reason)
	e.mu.Unlock()

	sess.cancel()
	if c != nil {
		c.close()
	}
	sess.pub.close()
	sess.sub.close()
	for _, sub := range subs {
		sub.end(ErrSubscriptionEnded)
	}
}

func newSession(e *Engine, channel, account, token string) *session {
	s := &session{
		channel:   channel,
		account:   account,
		token:     token,
		joinStart: time.Now(),
		ready:     make(chan struct{}),
		ended:     make(chan struct{}),
		remote:    make(map[protocol.UID]protocol.UserAccount),
		subs:      make(map[subKey]*subscription),
		byMid:     make(map[string]*subscription),
		live:      make(map[string]*webrtc.TrackRemote),
	}
	s.ctx, s.cancel = context.WithCancel(e.ctx)
	s.pub = newPublisher(e, s)
	s.sub = newSubscriber(e, s)
	return s
}
