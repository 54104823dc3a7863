package rtc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cohost-rtc/cohost/protocol"
)

// JoinChannel joins channel as uid (0: the server assigns one) and returns
// the uid. token is an AccessToken2, or "" for an app in testing mode. It
// returns once the server accepted the join; OnJoinChannelSuccess follows,
// then OnUserJoined / OnUserPublished / OnUserMute* for the users already
// there. If ctx ends first, or the server does not answer within
// EngineConfig.RequestTimeout, the join is abandoned (and left, if the
// server had accepted it). A refused join reports FAILED with the server's
// reason (INVALID_TOKEN, INVALID_APP_ID …) and, once that callback has run,
// returns its *protocol.Error.
func (e *Engine) JoinChannel(ctx context.Context, token, channel string, uid protocol.UID) (protocol.UID, error) {
	return e.join(ctx, token, channel, uid, "")
}

// JoinChannelWithUserAccount joins channel as a user account (a string id
// the server maps to a uid) and returns the uid.
func (e *Engine) JoinChannelWithUserAccount(ctx context.Context, token, channel, account string) (protocol.UID, error) {
	if err := protocol.ValidateUserAccount(account); err != nil {
		return 0, fmt.Errorf("rtc: %w", protocol.NewError(protocol.ErrInvalidUserID, "%v", err))
	}
	return e.join(ctx, token, channel, 0, account)
}

func (e *Engine) join(ctx context.Context, token, channel string, uid protocol.UID, account string) (protocol.UID, error) {
	if err := protocol.ValidateChannelName(channel); err != nil {
		return 0, fmt.Errorf("rtc: %w", protocol.NewError(protocol.ErrInvalidChannelName, "%v", err))
	}
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return 0, ErrClosed
	}
	if e.sess != nil {
		e.mu.Unlock()
		return 0, ErrAlreadyJoined
	}
	sess := newSession(e, channel, account, token)
	sess.proxy = e.proxy
	req := protocol.JoinRequest{
		Version: protocol.Version,
		AppID:   e.cfg.AppID,
		Channel: protocol.ChannelName(channel),
		Token:   token,
		UID:     uid,
		Account: protocol.UserAccount(account),
		Profile: e.cfg.profile,
		Role:    e.joinRoleLocked(),
		Codecs:  e.cfg.codecs,
		Edge:    e.cfg.AudienceOnAnyNode,
	}
	e.sess = sess
	e.setStateLocked(protocol.ConnConnecting, protocol.ReasonConnecting)
	e.mu.Unlock()

	fail := func(err error) (protocol.UID, error) {
		if ctx.Err() != nil {
			e.endSession(sess, protocol.ConnDisconnected, protocol.ReasonLeaveChannel)
			return 0, err
		}
		e.endSession(sess, protocol.ConnFailed, joinFailReason(err))
		return 0, e.afterCallbacks(ctx, err)
	}

	apply := func(c *signalConn, _ string, data json.RawMessage) { e.applyJoin(sess, c, data, false) }
	c, data, err := e.joinThrough(ctx, sess, e.cfg.signalURLs, req, "", apply)
	if err != nil {
		return fail(err)
	}
	if c == nil {
		return 0, e.gone()
	}
	var resp protocol.JoinResponse
	if err := json.Unmarshal(data, &resp); err != nil {
		return fail(fmt.Errorf("rtc: join: decode response: %w", err))
	}
	e.mu.Lock()
	ok := e.sess == sess && sess.joined
	e.mu.Unlock()
	if !ok {
		return 0, e.gone()
	}
	if _, err := iceConfiguration(nil, resp.ICEServers, sess.proxy); err != nil {
		// A forced proxy the server cannot provide: media could not flow.
		_ = e.leave(ctx, sess)
		return 0, err
	}
	return resp.UID, nil
}

// maxRedirects bounds how many "connect to node X" answers one join
// follows.
const maxRedirects = 4

// errBackHome: a join meant to move the session to another node was sent
// back to the node the session is on, which therefore lives.
var errBackHome = errors.New("rtc: the session's node still hosts the channel")

// joinThrough sends req to the first of urls that answers and follows the
// cluster's redirects. apply runs on the connection's reader with the
// accepted response, before any later event. It returns the connection
// and the response data; a nil connection when the session ended
// meanwhile. A redirect to home (when not "") ends it with errBackHome.
func (e *Engine) joinThrough(ctx context.Context, sess *session, urls []string, req protocol.JoinRequest, home string,
	apply func(c *signalConn, url string, data json.RawMessage)) (*signalConn, json.RawMessage, error) {
	var (
		c    *signalConn
		data json.RawMessage
		err  error
	)
	for i, url := range urls {
		c, data, err = e.joinAt(ctx, sess, url, req, apply)
		if err == nil || protocolError(err) != nil || ctx.Err() != nil || i == len(urls)-1 {
			break
		}
		e.log.Info("server unreachable, trying the next", "url", url, "err", err)
	}
	for err == nil && c != nil {
		var r protocol.JoinResponse
		if json.Unmarshal(data, &r) != nil || r.Redirect == "" {
			return c, data, nil
		}
		// A cluster node sends the join to the node hosting the channel.
		e.mu.Lock()
		if e.sess == sess && sess.conn == c {
			sess.conn = nil
		}
		e.mu.Unlock()
		c.close()
		if req.Redirects >= maxRedirects {
			return nil, nil, protocol.NewError(protocol.ErrNoServerResources, "join redirected %d times; last to node %s", req.Redirects, r.RedirectNode)
		}
		next, perr := signalURL(r.Redirect)
		if perr != nil {
			return nil, nil, fmt.Errorf("rtc: join: redirect: %w", perr)
		}
		if next == home {
			return nil, nil, errBackHome
		}
		e.log.Info("join redirected", "node", r.RedirectNode, "url", r.Redirect)
		req.Redirects++
		c, data, err = e.joinAt(ctx, sess, next, req, apply)
	}
	return c, data, err
}

// joinAt dials url and sends req. It returns the connection and the
// response's data; a nil connection when the session ended meanwhile.
func (e *Engine) joinAt(ctx context.Context, sess *session, url string, req protocol.JoinRequest,
	apply func(c *signalConn, url string, data json.RawMessage)) (*signalConn, json.RawMessage, error) {
	dctx, cancel := context.WithTimeout(ctx, e.cfg.RequestTimeout)
	c, err := dialSignal(dctx, url, e.cfg.HTTPClient, e.log)
	cancel()
	if err != nil {
		return nil, nil, err
	}
	c.start(func(env *protocol.Envelope) { e.onEvent(sess, c, env) },
		func(err error) { e.onConnClosed(sess, c, err) })
	e.mu.Lock()
	if e.sess != sess || sess.leaving {
		e.mu.Unlock()
		c.close()
		return nil, nil, nil
	}
	if !sess.joined {
		sess.conn, sess.url = c, url
	}
	e.mu.Unlock()

	jctx, cancel := context.WithTimeout(ctx, e.cfg.RequestTimeout)
	defer cancel()
	data, err := c.request(jctx, protocol.TypeJoin, req, func(data json.RawMessage, perr *protocol.Error) {
		if perr == nil {
			var r protocol.JoinResponse
			if json.Unmarshal(data, &r) == nil && r.Redirect == "" {
				apply(c, url, data)
			}
		}
	})
	if err != nil {
		if jctx.Err() != nil {
			// The server may have accepted the join; leave it
			// rather than let the session linger until dropped.
			_ = c.notify(protocol.TypeLeave, nil)
			if ctx.Err() == nil {
				err = fmt.Errorf("rtc: join: no answer within %v: %w", e.cfg.RequestTimeout, err)
			}
		}
		c.close()
		return nil, nil, err
	}
	return c, data, nil
}

// gone is the error of a call whose session ended under it.
func (e *Engine) gone() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return ErrClosed
	}
	return ErrNotJoined
}

// applyJoin records a successful join or resume. It runs on c's reader
// before any event that follows the response.
func (e *Engine) applyJoin(sess *session, c *signalConn, data json.RawMessage, resumed bool) {
	var resp protocol.JoinResponse
	if err := json.Unmarshal(data, &resp); err != nil {
		e.log.Error("undecodable join response", "err", err)
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.sess != sess || sess.leaving {
		return
	}
	if resumed && sess.conn != nil {
		return
	}
	if !resumed && sess.conn != c {
		return
	}
	sess.info = resp
	sess.conn = c
	sess.joined = true
	if nodes := nodeURLs(resp.Nodes); len(nodes) > 0 {
		sess.nodes = nodes
	}
	close(sess.ready)
	e.role = resp.Role
	channel, uid := sess.channel, resp.UID
	if resumed {
		elapsed := time.Since(sess.lostAt)
		e.setStateLocked(protocol.ConnConnected, protocol.ReasonRejoinSuccess)
		e.emit(func(h EventHandler) { h.OnRejoinChannelSuccess(channel, uid, elapsed) })
		sess.pub.updateICE()
		sess.sub.updateICE()
		sess.pub.restartICE()
	} else {
		elapsed := time.Since(sess.joinStart)
		e.setStateLocked(protocol.ConnConnected, protocol.ReasonJoinSuccess)
		e.emit(func(h EventHandler) { h.OnJoinChannelSuccess(channel, uid, elapsed) })
		if re := resp.RoleError; re != nil {
			// Asked to join as host, joined as audience.
			reason := protocol.ClientRoleChangeFailedReason(re.Reason)
			if reason == 0 {
				reason = protocol.RoleChangeFailedNotAuthorized
			}
			role := resp.Role
			e.emit(func(h EventHandler) { h.OnClientRoleChangeFailed(reason, role) })
		}
	}
	e.log.Info("in channel", "channel", channel, "uid", uid, "role", resp.Role, "resumed", resumed)
	interval := time.Duration(resp.KeepAliveMs) * time.Millisecond
	drop := time.Duration(resp.DropTimeoutMs) * time.Millisecond
	e.goLocked(func() { e.keepAlive(sess, c, interval, drop) })
}

// joinFailReason is the connection-changed reason of a failed join.
func joinFailReason(err error) protocol.ConnectionChangedReason {
	pe := protocolError(err)
	if pe == nil {
		return protocol.ReasonJoinFailed
	}
	if pe.Reason != 0 {
		return protocol.ConnectionChangedReason(pe.Reason)
	}
	switch pe.Code {
	case protocol.ErrInvalidAppID:
		return protocol.ReasonInvalidAppID
	case protocol.ErrInvalidChannelName:
		return protocol.ReasonInvalidChannelName
	case protocol.ErrInvalidToken:
		return protocol.ReasonInvalidToken
	case protocol.ErrTokenExpired:
		return protocol.ReasonTokenExpired
	case protocol.ErrJoinChannelRejected, protocol.ErrAlreadyInUse, protocol.ErrNoPermission:
		return protocol.ReasonRejectedByServer
	}
	return protocol.ReasonJoinFailed
}

// LeaveChannel leaves the channel: it tells the server (waiting for its
// answer until ctx ends), then releases the session's connections and ends
// its subscriptions. Local tracks stay usable for the next join. It reports
// DISCONNECTED (LEAVE_CHANNEL) and returns after that callback has run
// (unless called from an EventHandler method: then it follows), or nil at
// once when there is nothing to leave.
func (e *Engine) LeaveChannel(ctx context.Context) error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return ErrClosed
	}
	sess := e.sess
	e.mu.Unlock()
	var err error
	if sess != nil {
		err = e.leave(ctx, sess)
	}
	e.mu.Lock()
	if e.sess == nil && e.state == protocol.ConnFailed {
		e.setStateLocked(protocol.ConnDisconnected, protocol.ReasonLeaveChannel)
	}
	e.mu.Unlock()
	return e.afterCallbacks(ctx, err)
}

// leave ends sess, telling the server. If something else is already ending
// it (a disconnect event, a failed resume, another leave), it waits for that.
func (e *Engine) leave(ctx context.Context, sess *session) error {
	e.mu.Lock()
	if e.sess != sess {
		e.mu.Unlock()
		return nil
	}
	if sess.leaving {
		e.mu.Unlock()
		select {
		case <-sess.ended:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	sess.leaving = true // no more events reach the application
	c := sess.conn
	e.mu.Unlock()
	var err error
	if c != nil {
		_, err = c.request(ctx, protocol.TypeLeave, nil, nil)
	}
	e.endSession(sess, protocol.ConnDisconnected, protocol.ReasonLeaveChannel)
	if isLost(err) || errors.Is(err, protocol.NewError(protocol.ErrNotInChannel, "")) {
		err = nil // the session is over either way
	}
	return err
}

// SetClientRole sets the role. Before a join it chooses the role of the
// next join. In a channel it asks the server: on success
// OnClientRoleChanged reports the change (nothing is reported if the role
// was already role); becoming audience unpublishes the local tracks. If the
// server refuses (ErrSetClientRoleNotAuth: the token lacks publish
// privileges) OnClientRoleChangeFailed is called and the error returned. It
// returns after that callback has run, except when called from an
// EventHandler method (the callback follows). In the communication profile
// everyone is a host and the call does nothing.
func (e *Engine) SetClientRole(ctx context.Context, role protocol.ClientRole) error {
	if !role.Valid() {
		return invalidArgument("unknown client role %v", role)
	}
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return ErrClosed
	}
	if e.cfg.profile == protocol.ProfileCommunication {
		e.mu.Unlock()
		return nil
	}
	sess := e.sess
	if sess == nil || sess.leaving {
		e.role = role
		e.mu.Unlock()
		return nil
	}
	e.mu.Unlock()
	_, err := e.request(ctx, sess, protocol.TypeSetRole, protocol.SetRoleRequest{Role: role},
		func(data json.RawMessage, perr *protocol.Error) { e.applySetRole(sess, data, perr) })
	return e.afterCallbacks(ctx, err)
}

// applySetRole records the answer to set-role, on the reader goroutine.
func (e *Engine) applySetRole(sess *session, data json.RawMessage, perr *protocol.Error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.sess != sess || sess.leaving {
		return
	}
	if perr != nil {
		if perr.Code != protocol.ErrSetClientRoleNotAuth &&
			perr.Reason != int(protocol.RoleChangeFailedTooManyBroadcasters) {
			return
		}
		reason := protocol.ClientRoleChangeFailedReason(perr.Reason)
		if reason == 0 {
			reason = protocol.RoleChangeFailedNotAuthorized
		}
		current := sess.info.Role
		e.emit(func(h EventHandler) { h.OnClientRoleChangeFailed(reason, current) })
		return
	}
	var resp protocol.SetRoleResponse
	if err := json.Unmarshal(data, &resp); err != nil {
		e.log.Error("undecodable set-role response", "err", err)
		return
	}
	e.roleChangedLocked(sess, resp.Old, resp.New)
}

// roleChangedLocked applies a role change made by set-role or by the server.
func (e *Engine) roleChangedLocked(sess *session, oldRole, newRole protocol.ClientRole) {
	sess.info.Role = newRole
	e.role = newRole
	if oldRole == newRole {
		return
	}
	if newRole == protocol.RoleAudience {
		sess.pub.dropAll()
	}
	e.emit(func(h EventHandler) { h.OnClientRoleChanged(oldRole, newRole) })
}

// RenewToken replaces the session's token, e.g. after
// OnTokenPrivilegeWillExpire, without rejoining.
func (e *Engine) RenewToken(ctx context.Context, token string) error {
	sess, err := e.session()
	if err != nil {
		return err
	}
	_, err = e.request(ctx, sess, protocol.TypeRenewToken, protocol.RenewTokenRequest{Token: token},
		func(data json.RawMessage, perr *protocol.Error) {
			if perr != nil {
				return
			}
			var r protocol.RenewTokenResponse
			_ = json.Unmarshal(data, &r)
			e.mu.Lock()
			sess.token = token
			fresh := len(r.ICEServers) > 0
			if fresh {
				sess.info.ICEServers = r.ICEServers
			}
			e.mu.Unlock()
			if fresh {
				sess.pub.updateICE()
				sess.sub.updateICE()
			}
		})
	return err
}
