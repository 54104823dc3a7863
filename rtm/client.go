// Package rtm is cohost's Go RTM SDK: real-time messaging with Agora RTM
// 1.x's API (login, peer-to-peer and channel messages, channel and user
// attributes, presence, call invitations) in Go style: blocking calls take
// a context.Context and return errors; callbacks go to a ClientHandler and
// to each Channel's ChannelHandler.
//
// Failed calls return an [Error] whose Code is the Agora RTM result code
// of the operation, typed by its API's code table (e.g.
// protocol.RTMPeerMessageTooOften, PEER_MESSAGE_ERR_TOO_OFTEN = 5, for
// SendMessageToPeer), so that it prints Agora's name; [Code] reads the
// number of any of them.
//
// # Reconnection
//
// When the connection drops, the client reports RECONNECTING
// (INTERRUPTED), redials with a jittered exponential backoff (so that the
// clients of a restarted server do not redial in lock-step) and logs in again with its session
// id: within the server's rtm.timers.offline the session is taken over
// (nobody sees the user leave), otherwise a new one starts. Either way the
// client rejoins its channels, restores its presence subscriptions and
// sets its local user attributes again, then reports CONNECTED
// (LOGIN_SUCCESS). Calls made meanwhile wait for the connection (or their
// context).
//
// # Conventions with the RTC SDK
//
// The RTM user id of a user is its RTC uid in decimal (or its RTC user
// account), and the RTM channel id of a live channel is its RTC channel
// name, so that the two SDKs name the same people and rooms.
package rtm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cohost-rtc/cohost/internal/backoff"
	"github.com/cohost-rtc/cohost/internal/eventq"
	"github.com/cohost-rtc/cohost/protocol"
)

// Message is a peer or channel message.
type Message = protocol.RTMMessage

// Attribute is a channel or user attribute.
type Attribute = protocol.RTMAttribute

// NewTextMessage makes a text message.
func NewTextMessage(text string) *Message { return &Message{Type: protocol.RTMMessageText, Text: text} }

// NewRawMessage makes a raw (binary) message with an optional description.
func NewRawMessage(data []byte, description string) *Message {
	return &Message{Type: protocol.RTMMessageRaw, Raw: data, Description: description}
}

// SendMessageOptions are Agora's SendMessageOptions.
type SendMessageOptions struct {
	// EnableOfflineMessaging stores the message on the server when the
	// peer is offline; the result is then CACHED_BY_SERVER.
	EnableOfflineMessaging bool
}

// ChannelAttributeOptions are Agora's ChannelAttributeOptions plus
// cohost's compare-and-set.
type ChannelAttributeOptions struct {
	EnableNotificationToChannelMembers bool
	// ExpectedRevisions (cohost) makes the write conditional on the current
	// revision of each listed key (0: the key must not exist); a mismatch
	// fails with ATTRIBUTE_OPERATION_ERR_REVISION_CONFLICT (200).
	ExpectedRevisions map[string]int64
}

// ClientConfig configures a Client.
type ClientConfig struct {
	// ServerURL is the cohost server's base URL (http://host:7800, or
	// https://…); the SDK connects to its /v1/rtm WebSocket.
	ServerURL string
	// ServerURLs are more base URLs of the same service (e.g. the nodes
	// of a cluster): a login or reconnection tries the URL that worked
	// last, then the others in order, until one answers. ServerURL or
	// ServerURLs must name at least one.
	ServerURLs []string
	AppID      string
	Handler    ClientHandler
	Logger     *slog.Logger
	// HTTPClient dials the WebSocket (default http.DefaultClient).
	HTTPClient *http.Client
	// LoginTimeout bounds Login (default 6 s, as Agora).
	LoginTimeout time.Duration
}

// Client is an RTM client: Agora's IRtmService. Create it with NewClient,
// release it with Close.
type Client struct {
	cfg    ClientConfig
	urls   []string // WebSocket URLs: ServerURL then ServerURLs
	log    *slog.Logger
	events *eventq.Queue
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu        sync.Mutex
	closed    bool
	state     protocol.RTMConnectionState
	loggedIn  bool // the application wants to be logged in
	userID    string
	token     string
	sessionID string
	urlAt     int // index in urls of the last URL that answered
	keepAlive time.Duration
	conn      *conn
	ready     chan struct{} // closed while conn is logged in
	channels  map[string]*Channel
	watching  map[string]bool
	userAttrs map[string]string
	localInv  map[string]*LocalInvitation
	remoteInv map[string]*RemoteInvitation
	invSeq    uint64
}

// NewClient checks cfg and creates a client. It opens no connection until
// Login.
func NewClient(cfg ClientConfig) (*Client, error) {
	var urls []string
	for _, s := range append([]string{cfg.ServerURL}, cfg.ServerURLs...) {
		if s == "" {
			continue
		}
		u := strings.TrimRight(s, "/")
		switch {
		case strings.HasPrefix(u, "http://"):
			u = "ws://" + u[len("http://"):]
		case strings.HasPrefix(u, "https://"):
			u = "wss://" + u[len("https://"):]
		}
		if u += protocol.RTMPath; !slices.Contains(urls, u) {
			urls = append(urls, u)
		}
	}
	if len(urls) == 0 || cfg.AppID == "" {
		return nil, errors.New("rtm: ServerURL (or ServerURLs) and AppID are required")
	}
	if cfg.Handler == nil {
		cfg.Handler = BaseClientHandler{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.LoginTimeout <= 0 {
		cfg.LoginTimeout = 6 * time.Second
	}
	c := &Client{cfg: cfg, urls: urls, log: cfg.Logger, events: eventq.New(),
		state: protocol.RTMStateDisconnected, ready: make(chan struct{}), channels: map[string]*Channel{},
		watching: map[string]bool{}, userAttrs: map[string]string{}, localInv: map[string]*LocalInvitation{},
		remoteInv: map[string]*RemoteInvitation{}}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	return c, nil
}

// ConnectionState is the current connection state.
func (c *Client) ConnectionState() protocol.RTMConnectionState {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state
}

// UserID is the logged-in user id ("" before Login).
func (c *Client) UserID() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.userID
}

// setStateLocked changes the state and queues the callback.
func (c *Client) setStateLocked(s protocol.RTMConnectionState, r protocol.RTMConnectionChangeReason) {
	if c.state == s {
		return
	}
	c.state = s
	h := c.cfg.Handler
	c.events.Push(func() { h.OnConnectionStateChanged(s, r) })
}

// Login logs userID in with token (empty for apps in testing mode).
func (c *Client) Login(ctx context.Context, token, userID string) error {
	if err := protocol.ValidateRTMUserID(userID); err != nil {
		return newError(protocol.RTMLoginInvalidArgument, "%v", err)
	}
	c.mu.Lock()
	switch {
	case c.closed:
		c.mu.Unlock()
		return ErrClosed
	case c.state == protocol.RTMStateAborted:
		c.mu.Unlock()
		return newError(protocol.RTMLoginRejected, "the session was aborted: call Logout before Login")
	case c.loggedIn:
		c.mu.Unlock()
		return newError(protocol.RTMLoginAlreadyLoggedIn, "already logged in as %q", c.userID)
	}
	c.loggedIn, c.userID, c.token, c.sessionID = true, userID, token, ""
	c.setStateLocked(protocol.RTMStateConnecting, protocol.RTMReasonLogin)
	c.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, c.cfg.LoginTimeout)
	defer cancel()
	err := c.connect(ctx)
	if err != nil {
		c.mu.Lock()
		c.loggedIn = false
		reason := protocol.RTMReasonLoginFailure
		if errors.Is(err, context.DeadlineExceeded) {
			reason = protocol.RTMReasonLoginTimeout
			err = newError(protocol.RTMLoginTimeout, "login timed out")
		}
		c.setStateLocked(protocol.RTMStateDisconnected, reason)
		c.mu.Unlock()
	}
	return err
}

// connect dials, logs in (resuming the session when there is one) and
// restores channels, subscriptions and attributes.
func (c *Client) connect(ctx context.Context) error {
	k, err := c.dialAny(ctx)
	if err != nil {
		return err
	}
	c.mu.Lock()
	req := protocol.RTMLoginRequest{Version: protocol.RTMVersion, AppID: c.cfg.AppID, UserID: c.userID, Token: c.token, SessionID: c.sessionID}
	c.mu.Unlock()
	// Events before the login response (none) and after it go to the
	// handler in order.
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		k.run(20*time.Second, func(env *protocol.Envelope) { c.onEvent(k, env) }, func(asked bool) { c.onClose(k, asked) })
	}()
	data, err := k.call(ctx, protocol.RTMTypeLogin, req)
	if err != nil {
		k.close()
		return err
	}
	var resp protocol.RTMLoginResponse
	if err := json.Unmarshal(data, &resp); err != nil {
		k.close()
		return err
	}
	c.mu.Lock()
	if c.closed || !c.loggedIn {
		c.mu.Unlock()
		k.close()
		return ErrClosed
	}
	c.conn, c.sessionID = k, resp.SessionID
	c.keepAlive = time.Duration(resp.KeepAliveMs) * time.Millisecond
	channels := slices.Collect(maps.Values(c.channels))
	watching := slices.Collect(maps.Keys(c.watching))
	attrs := maps.Clone(c.userAttrs)
	c.mu.Unlock()

	// Restore what the session had (a resumed session still has it: the
	// requests are then no-ops).
	for _, ch := range channels {
		ch.mu.Lock()
		joined := ch.joined
		ch.mu.Unlock()
		if joined {
			if _, err := k.call(ctx, protocol.RTMTypeJoinChannel, protocol.RTMChannelRequest{ChannelID: ch.id, Rejoin: true}); err != nil {
				c.log.Warn("rtm: rejoin failed", "channel", ch.id, "err", err)
			}
		}
	}
	if len(watching) > 0 {
		slices.Sort(watching)
		if _, err := k.call(ctx, protocol.RTMTypeSubscribePeersOnlineStatus, protocol.RTMPeersRequest{PeerIDs: watching}); err != nil {
			c.log.Warn("rtm: presence subscriptions not restored", "err", err)
		}
	}
	if len(attrs) > 0 && !resp.Resumed {
		if _, err := k.call(ctx, protocol.RTMTypeSetLocalUserAttributes, protocol.RTMUserAttributesRequest{Attributes: attrList(attrs)}); err != nil {
			c.log.Warn("rtm: user attributes not restored", "err", err)
		}
	}
	c.mu.Lock()
	c.setStateLocked(protocol.RTMStateConnected, protocol.RTMReasonLoginSuccess)
	close(c.ready)
	c.mu.Unlock()
	c.wg.Add(1)
	go c.pinger(k)
	return nil
}

// dialAny dials the URL that worked last, then the others in order, and
// returns the first connection made.
func (c *Client) dialAny(ctx context.Context) (*conn, error) {
	var err error
	for i := range c.urls {
		c.mu.Lock()
		at := (c.urlAt + i) % len(c.urls)
		c.mu.Unlock()
		var k *conn
		if k, err = dial(ctx, c.urls[at], c.cfg.HTTPClient); err == nil {
			c.mu.Lock()
			c.urlAt = at
			c.mu.Unlock()
			return k, nil
		}
		if ctx.Err() != nil {
			break
		}
		c.log.Info("rtm: server unreachable, trying the next", "url", c.urls[at], "err", err)
	}
	return nil, err
}

func attrList(m map[string]string) []Attribute {
	out := make([]Attribute, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, Attribute{Key: k, Value: m[k]})
	}
	return out
}

func (c *Client) pinger(k *conn) {
	defer c.wg.Done()
	c.mu.Lock()
	every := c.keepAlive
	c.mu.Unlock()
	if every <= 0 {
		every = 2 * time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-k.done:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(k.ctx, every*3)
			_, _ = k.call(ctx, protocol.RTMTypePing, nil)
			cancel()
		}
	}
}

// onClose runs when a connection ends. A loss while logged in starts the
// reconnection.
func (c *Client) onClose(k *conn, asked bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conn != k {
		return
	}
	c.conn = nil
	c.ready = make(chan struct{})
	if asked || c.closed || !c.loggedIn || c.state == protocol.RTMStateAborted {
		return
	}
	c.setStateLocked(protocol.RTMStateReconnecting, protocol.RTMReasonInterrupted)
	c.wg.Add(1)
	go c.reconnect()
}

// Reconnection delays: at most reconnectFirstDelay before the first
// attempt, doubling to reconnectMaxDelay, each drawn at random from the
// upper half so that clients dropped together do not redial together.
const (
	reconnectFirstDelay = 100 * time.Millisecond
	reconnectMaxDelay   = 2 * time.Second
)

func (c *Client) reconnect() {
	defer c.wg.Done()
	delays := backoff.New(reconnectFirstDelay, reconnectMaxDelay)
	for {
		wait := time.NewTimer(delays.Next())
		select {
		case <-c.ctx.Done():
			wait.Stop()
			return
		case <-wait.C:
		}
		c.mu.Lock()
		if c.closed || !c.loggedIn || c.state != protocol.RTMStateReconnecting {
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
		ctx, cancel := context.WithTimeout(c.ctx, c.cfg.LoginTimeout)
		err := c.connect(ctx)
		cancel()
		if err == nil {
			return
		}
		switch Code(err) {
		case int(protocol.RTMLoginTokenExpired), int(protocol.RTMLoginInvalidToken), int(protocol.RTMLoginNotAuthorized), int(protocol.RTMLoginInvalidAppID):
			c.mu.Lock()
			c.loggedIn = false
			c.setStateLocked(protocol.RTMStateAborted, protocol.RTMReasonLoginFailure)
			if Code(err) == int(protocol.RTMLoginTokenExpired) {
				h := c.cfg.Handler
				c.events.Push(h.OnTokenExpired)
			}
			c.mu.Unlock()
			return
		}
		c.log.Debug("rtm: reconnect failed", "err", err)
	}
}

// active waits until the client is logged in and connected, and returns
// the connection.
func (c *Client) active(ctx context.Context) (*conn, error) {
	for {
		c.mu.Lock()
		closed, logged, k, ready := c.closed, c.loggedIn, c.conn, c.ready
		c.mu.Unlock()
		switch {
		case closed:
			return nil, ErrClosed
		case !logged:
			return nil, newError(protocol.RTMLoginNotLoggedIn, "not logged in")
		}
		select {
		case <-ready:
			if k != nil {
				return k, nil
			}
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// call sends a request on the current connection, retrying once the
// connection comes back if it was lost before the answer.
func (c *Client) call(ctx context.Context, typ protocol.Type, req, resp any) error {
	for {
		k, err := c.active(ctx)
		if err != nil {
			return err
		}
		data, err := k.call(ctx, typ, req)
		if errors.Is(err, errConnLost) {
			continue
		}
		if err != nil {
			return err
		}
		if resp != nil && len(data) > 0 {
			return json.Unmarshal(data, resp)
		}
		return nil
	}
}

// Logout ends the session: channels are left, subscriptions and user
// attributes dropped, and the state becomes DISCONNECTED (LOGOUT). It also
// clears an ABORTED state. It returns after
// OnConnectionStateChanged(DISCONNECTED, LOGOUT) has run, unless called
// from a handler method (then it follows) or ctx ends first (ctx.Err()).
func (c *Client) Logout(ctx context.Context) error {
	err := c.logout(ctx)
	if werr := c.events.Wait(ctx); err == nil {
		err = werr
	}
	return err
}

// logout is Logout without waiting for the callbacks (Close drops them).
func (c *Client) logout(ctx context.Context) error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return ErrClosed
	}
	wasIn := c.loggedIn
	k := c.conn
	c.loggedIn, c.conn, c.sessionID = false, nil, ""
	c.ready = make(chan struct{})
	for _, ch := range c.channels {
		ch.mu.Lock()
		ch.joined = false
		ch.mu.Unlock()
	}
	c.watching, c.userAttrs = map[string]bool{}, map[string]string{}
	c.setStateLocked(protocol.RTMStateDisconnected, protocol.RTMReasonLogout)
	c.mu.Unlock()
	if k != nil {
		_, _ = k.call(ctx, protocol.RTMTypeLogout, nil)
		k.close()
	}
	if !wasIn {
		return newError(protocol.RTMLoginNotLoggedIn, "not logged in")
	}
	return nil
}

// RenewToken replaces the session's token (and the one used to log in
// again after a reconnection).
func (c *Client) RenewToken(ctx context.Context, token string) error {
	if err := c.call(ctx, protocol.RTMTypeRenewToken, protocol.RTMRenewTokenRequest{Token: token}, nil); err != nil {
		return err
	}
	c.mu.Lock()
	c.token = token
	c.mu.Unlock()
	return nil
}

// Close logs out (if logged in), closes the connection and stops every
// goroutine of the client. Callbacks not yet made are dropped. It must not
// be called from a handler.
func (c *Client) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	logged := c.loggedIn && c.conn != nil
	c.mu.Unlock()
	if logged {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_ = c.logout(ctx)
		cancel()
	}
	c.mu.Lock()
	c.closed = true
	k := c.conn
	c.conn = nil
	c.mu.Unlock()
	c.cancel()
	if k != nil {
		k.close()
	}
	c.wg.Wait()
	c.events.Close()
	return nil
}

// DropConnection breaks the connection as a network failure would, so
// that the client reconnects by itself. For tests and demonstrations.
func (c *Client) DropConnection() {
	c.mu.Lock()
	k := c.conn
	c.mu.Unlock()
	if k != nil {
		k.kill()
	}
}

// SendMessageToPeer sends msg to peerID. It returns OK once the peer's SDK
// received the message, or CACHED_BY_SERVER when the peer is offline and
// opts enable offline messaging; failures (PEER_UNREACHABLE,
// SENT_TIMEOUT, TOO_OFTEN, INVALID_MESSAGE, …) are errors.
func (c *Client) SendMessageToPeer(ctx context.Context, peerID string, msg *Message, opts *SendMessageOptions) (protocol.RTMPeerMessageErr, error) {
	if msg == nil {
		return protocol.RTMPeerMessageInvalidMessage, newError(protocol.RTMPeerMessageInvalidMessage, "nil message")
	}
	req := protocol.RTMSendPeerMessageRequest{PeerID: peerID, Message: *msg}
	if opts != nil {
		req.EnableOfflineMessaging = opts.EnableOfflineMessaging
	}
	var resp protocol.RTMSendPeerMessageResponse
	if err := c.call(ctx, protocol.RTMTypeSendPeerMessage, req, &resp); err != nil {
		if code := Code(err); code >= 0 {
			return protocol.RTMPeerMessageErr(code), err
		}
		return protocol.RTMPeerMessageFailure, err
	}
	msg.ServerReceivedTs = resp.ServerReceivedTs
	return resp.Code, nil
}

// GetChannelMemberCount returns the member count of each channel (joined
// or not; 0 when it has no members).
func (c *Client) GetChannelMemberCount(ctx context.Context, channelIDs []string) (map[string]int, error) {
	var resp protocol.RTMChannelMemberCountResponse
	if err := c.call(ctx, protocol.RTMTypeGetChannelMemberCount, protocol.RTMChannelMemberCountRequest{ChannelIDs: channelIDs}, &resp); err != nil {
		return nil, err
	}
	out := make(map[string]int, len(resp.Counts))
	for _, x := range resp.Counts {
		out[x.ChannelID] = x.Count
	}
	return out, nil
}

func (c *Client) channelAttrs(ctx context.Context, typ protocol.Type, channelID string, attrs []Attribute, keys []string, opts *ChannelAttributeOptions) ([]Attribute, error) {
	req := protocol.RTMChannelAttributesRequest{ChannelID: channelID, Attributes: attrs, Keys: keys}
	if opts != nil {
		req.EnableNotificationToChannelMembers = opts.EnableNotificationToChannelMembers
		req.ExpectedRevisions = opts.ExpectedRevisions
	}
	var resp protocol.RTMChannelAttributesResponse
	if err := c.call(ctx, typ, req, &resp); err != nil {
		return nil, err
	}
	return resp.Attributes, nil
}

// SetChannelAttributes replaces every attribute of a channel (joined or
// not) and returns the resulting set.
func (c *Client) SetChannelAttributes(ctx context.Context, channelID string, attrs []Attribute, opts *ChannelAttributeOptions) ([]Attribute, error) {
	if attrs == nil {
		attrs = []Attribute{}
	}
	return c.channelAttrs(ctx, protocol.RTMTypeSetChannelAttributes, channelID, attrs, nil, opts)
}

// AddOrUpdateChannelAttributes adds or replaces attributes by key.
func (c *Client) AddOrUpdateChannelAttributes(ctx context.Context, channelID string, attrs []Attribute, opts *ChannelAttributeOptions) ([]Attribute, error) {
	return c.channelAttrs(ctx, protocol.RTMTypeAddOrUpdateChannelAttributes, channelID, attrs, nil, opts)
}

// DeleteChannelAttributesByKeys deletes attributes.
func (c *Client) DeleteChannelAttributesByKeys(ctx context.Context, channelID string, keys []string, opts *ChannelAttributeOptions) ([]Attribute, error) {
	return c.channelAttrs(ctx, protocol.RTMTypeDeleteChannelAttributes, channelID, nil, keys, opts)
}

// ClearChannelAttributes deletes every attribute of a channel.
func (c *Client) ClearChannelAttributes(ctx context.Context, channelID string, opts *ChannelAttributeOptions) ([]Attribute, error) {
	return c.channelAttrs(ctx, protocol.RTMTypeClearChannelAttributes, channelID, nil, nil, opts)
}

// GetChannelAttributes returns every attribute of a channel, sorted by key.
func (c *Client) GetChannelAttributes(ctx context.Context, channelID string) ([]Attribute, error) {
	return c.channelAttrs(ctx, protocol.RTMTypeGetChannelAttributes, channelID, nil, nil, nil)
}

// GetChannelAttributesByKeys returns the attributes of a channel with the
// given keys (missing keys are left out).
func (c *Client) GetChannelAttributesByKeys(ctx context.Context, channelID string, keys []string) ([]Attribute, error) {
	return c.channelAttrs(ctx, protocol.RTMTypeGetChannelAttributes, channelID, nil, keys, nil)
}

// QueryPeersOnlineStatus returns ONLINE or OFFLINE for each peer.
func (c *Client) QueryPeersOnlineStatus(ctx context.Context, peerIDs []string) (map[string]protocol.RTMPeerOnlineState, error) {
	var resp protocol.RTMPeersOnlineStatusResponse
	if err := c.call(ctx, protocol.RTMTypeQueryPeersOnlineStatus, protocol.RTMPeersRequest{PeerIDs: peerIDs}, &resp); err != nil {
		return nil, err
	}
	return resp.Statuses, nil
}

// SubscribePeersOnlineStatus subscribes to the peers' state:
// OnPeersOnlineStatusChanged gets a snapshot, then every change
// (ONLINE, UNREACHABLE, OFFLINE). Restored after a reconnection.
func (c *Client) SubscribePeersOnlineStatus(ctx context.Context, peerIDs []string) error {
	if err := c.call(ctx, protocol.RTMTypeSubscribePeersOnlineStatus, protocol.RTMPeersRequest{PeerIDs: peerIDs}, nil); err != nil {
		return err
	}
	c.mu.Lock()
	for _, p := range peerIDs {
		c.watching[p] = true
	}
	c.mu.Unlock()
	return nil
}

// UnsubscribePeersOnlineStatus ends subscriptions.
func (c *Client) UnsubscribePeersOnlineStatus(ctx context.Context, peerIDs []string) error {
	if err := c.call(ctx, protocol.RTMTypeUnsubscribePeersOnlineStatus, protocol.RTMPeersRequest{PeerIDs: peerIDs}, nil); err != nil {
		return err
	}
	c.mu.Lock()
	for _, p := range peerIDs {
		delete(c.watching, p)
	}
	c.mu.Unlock()
	return nil
}

// QueryPeersBySubscriptionOption lists the peers whose online status is
// subscribed.
func (c *Client) QueryPeersBySubscriptionOption(ctx context.Context) ([]string, error) {
	var resp protocol.RTMPeersResponse
	if err := c.call(ctx, protocol.RTMTypeQueryPeersBySubscription, nil, &resp); err != nil {
		return nil, err
	}
	return resp.PeerIDs, nil
}

func (c *Client) userAttrsCall(ctx context.Context, typ protocol.Type, attrs []Attribute, keys []string, apply func(m map[string]string)) error {
	if err := c.call(ctx, typ, protocol.RTMUserAttributesRequest{Attributes: attrs, Keys: keys}, nil); err != nil {
		return err
	}
	c.mu.Lock()
	apply(c.userAttrs)
	c.mu.Unlock()
	return nil
}

// SetLocalUserAttributes replaces the local user's attributes.
func (c *Client) SetLocalUserAttributes(ctx context.Context, attrs []Attribute) error {
	if attrs == nil {
		attrs = []Attribute{}
	}
	return c.userAttrsCall(ctx, protocol.RTMTypeSetLocalUserAttributes, attrs, nil, func(m map[string]string) {
		clear(m)
		for _, a := range attrs {
			m[a.Key] = a.Value
		}
	})
}

// AddOrUpdateLocalUserAttributes adds or replaces attributes by key.
func (c *Client) AddOrUpdateLocalUserAttributes(ctx context.Context, attrs []Attribute) error {
	return c.userAttrsCall(ctx, protocol.RTMTypeAddOrUpdateLocalUserAttrs, attrs, nil, func(m map[string]string) {
		for _, a := range attrs {
			m[a.Key] = a.Value
		}
	})
}

// DeleteLocalUserAttributesByKeys deletes attributes.
func (c *Client) DeleteLocalUserAttributesByKeys(ctx context.Context, keys []string) error {
	return c.userAttrsCall(ctx, protocol.RTMTypeDeleteLocalUserAttributes, nil, keys, func(m map[string]string) {
		for _, k := range keys {
			delete(m, k)
		}
	})
}

// ClearLocalUserAttributes deletes every attribute of the local user.
func (c *Client) ClearLocalUserAttributes(ctx context.Context) error {
	return c.userAttrsCall(ctx, protocol.RTMTypeClearLocalUserAttributes, nil, nil, func(m map[string]string) { clear(m) })
}

// GetUserAttributes returns an online user's attributes (USER_NOT_FOUND
// when it is offline).
func (c *Client) GetUserAttributes(ctx context.Context, userID string) ([]Attribute, error) {
	return c.GetUserAttributesByKeys(ctx, userID, nil)
}

// GetUserAttributesByKeys returns some of an online user's attributes.
func (c *Client) GetUserAttributesByKeys(ctx context.Context, userID string, keys []string) ([]Attribute, error) {
	var resp protocol.RTMUserAttributesResponse
	if err := c.call(ctx, protocol.RTMTypeGetUserAttributes, protocol.RTMUserAttributesRequest{UserID: userID, Keys: keys}, &resp); err != nil {
		return nil, err
	}
	return resp.Attributes, nil
}

// String describes the client.
func (c *Client) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return fmt.Sprintf("rtm.Client(%s, %s)", c.userID, c.state)
}
