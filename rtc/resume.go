package rtc

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/cohost-rtc/cohost/internal/backoff"
	"github.com/cohost-rtc/cohost/protocol"
)

// Resume timing. The first redial is quick (a broken TCP connection is
// often fixed at once): at most resumeFirstBackoff after the loss; later
// ones back off to resumeMaxBackoff. Every delay is drawn at random from
// the upper half of its range, so that the clients of a restarted server
// do not redial in lock-step.
const (
	resumeFirstBackoff = 50 * time.Millisecond
	resumeMaxBackoff   = 2 * time.Second
	// clusterMaxBackoff caps the backoff of a session whose cluster
	// lists other nodes: once the registry marks a dead node so, its
	// channels move at the next attempt, which should not be seconds
	// away (an attempt is one join through a live node).
	clusterMaxBackoff  = 500 * time.Millisecond
	defaultKeepAlive   = 2 * time.Second
	defaultDropTimeout = 20 * time.Second
)

// keepAlive pings on c every interval until c or the session ends. A ping
// left unanswered for three intervals (at least 3 s, at most the drop
// timeout) means the connection is dead although TCP has not noticed: it
// is aborted, which starts a resume.
func (e *Engine) keepAlive(sess *session, c *signalConn, interval, drop time.Duration) {
	if interval <= 0 {
		interval = defaultKeepAlive
	}
	if drop <= 0 {
		drop = defaultDropTimeout
	}
	timeout := min(max(3*interval, 3*time.Second), drop)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-sess.ctx.Done():
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(sess.ctx, timeout)
		_, err := c.request(ctx, protocol.TypePing, nil, nil)
		cancel()
		if errors.Is(err, context.DeadlineExceeded) {
			e.log.Warn("keep-alive unanswered; dropping the connection", "timeout", timeout)
			c.abort()
			return
		}
		if err != nil && !isLost(err) && sess.ctx.Err() == nil {
			e.log.Warn("keep-alive failed", "err", err)
		}
	}
}

// onConnClosed runs last on c's reader. If c was the live connection of a
// joined session that nobody is ending, the break is unexpected: report
// RECONNECTING and start resuming.
func (e *Engine) onConnClosed(sess *session, c *signalConn, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.currentLocked(sess, c) || !sess.joined {
		return
	}
	e.log.Warn("signalling connection lost", "err", err)
	sess.conn = nil
	sess.ready = make(chan struct{})
	sess.lostAt = time.Now()
	drop := time.Duration(sess.info.DropTimeoutMs) * time.Millisecond
	if drop <= 0 {
		drop = defaultDropTimeout
	}
	deadline := sess.lostAt.Add(drop)
	e.setStateLocked(protocol.ConnReconnecting, protocol.ReasonInterrupted)
	e.goLocked(func() { e.resume(sess, deadline) })
}

// resume redials and sends resume until it succeeds, the server refuses,
// the deadline (the server's drop timeout) passes, or the session ends.
// Once the server no longer holds the session (it says so, or the deadline
// passed), it joins the channel again with the same uid, role and
// publications until ReconnectTimeout after the loss, as Agora's SDK
// rejoins; the application sees RECONNECTING until then.
func (e *Engine) resume(sess *session, deadline time.Time) {
	maxBackoff := resumeMaxBackoff
	if e.inCluster(sess) {
		maxBackoff = clusterMaxBackoff
	}
	delays := backoff.New(resumeFirstBackoff, maxBackoff)
	giveUp := sess.lostAt.Add(e.cfg.ReconnectTimeout)
	expired := false
	for attempt := 1; ; attempt++ {
		limit := deadline
		if expired || giveUp.Before(deadline) {
			limit = giveUp
		}
		wait := time.NewTimer(min(delays.Next(), time.Until(limit)))
		select {
		case <-wait.C:
		case <-sess.ctx.Done():
			wait.Stop()
			return
		}
		if !time.Now().Before(giveUp) {
			e.log.Warn("reconnect: gave up", "attempts", attempt-1)
			e.endSession(sess, protocol.ConnFailed, protocol.ReasonJoinFailed)
			return
		}
		if !expired && !time.Now().Before(deadline) {
			e.log.Warn("resume: the server has dropped the session; joining again", "attempts", attempt-1)
			expired = true
		}
		if expired {
			if done := e.rejoinAttempt(sess, giveUp, attempt); done {
				return
			}
			continue
		}
		e.mu.Lock()
		stopped := sess.homeStopped
		e.mu.Unlock()
		var done bool
		var err error
		if stopped {
			err = errHomeStopped // nothing to resume there: move
		} else if done, err = e.resumeOnce(sess, deadline); done {
			return
		}
		if protocolError(err) == nil && sess.ctx.Err() == nil && e.inCluster(sess) {
			// The node may be dead: move through another one, unless
			// the cluster says the session's node still hosts it.
			done, ferr := e.failoverOnce(sess, deadline)
			if done {
				return
			}
			if pe := protocolError(ferr); pe != nil && !transientJoinError(pe) {
				err = ferr
			} else if ferr != nil {
				e.log.Info("failover attempt failed", "attempt", attempt, "err", ferr)
			}
		}
		if pe := protocolError(err); pe != nil {
			if sessionExpired(pe) {
				e.log.Warn("resume: the session expired; joining again", "err", err)
				expired = true
				if done := e.rejoinAttempt(sess, giveUp, attempt); done {
					return
				}
				continue
			}
			reason := protocol.ConnectionChangedReason(pe.Reason)
			e.log.Warn("resume refused", "err", err, "reason", reason)
			e.endSession(sess, protocol.ConnFailed, reason)
			return
		}
		if sess.ctx.Err() != nil {
			return
		}
		e.log.Info("resume attempt failed", "attempt", attempt, "err", err)
	}
}

// sessionExpired tells a refused resume whose session the server no
// longer holds (it may be joined again) from one it refused for good
// (kicked, banned, token expired: pe carries the reason).
func sessionExpired(pe *protocol.Error) bool {
	return pe.Reason == 0 || pe.Code == protocol.ErrNotInChannel ||
		protocol.ConnectionChangedReason(pe.Reason) == protocol.ReasonSessionExpired
}

// rejoinAttempt makes one attempt to join the channel again after the
// session expired on the server. done is true when the session is back,
// ended meanwhile, or ended here: the join was refused for good (FAILED
// with the refusal's reason) or giveUp passed (FAILED, JOIN_FAILED).
func (e *Engine) rejoinAttempt(sess *session, giveUp time.Time, attempt int) (done bool) {
	if !time.Now().Before(giveUp) {
		e.log.Warn("rejoin: gave up", "attempts", attempt-1)
		e.endSession(sess, protocol.ConnFailed, protocol.ReasonJoinFailed)
		return true
	}
	done, err := e.rejoinOnce(sess, giveUp, true)
	if done {
		return true
	}
	if pe := protocolError(err); pe != nil && !transientJoinError(pe) {
		reason := joinFailReason(err)
		e.log.Warn("rejoin refused", "err", err, "reason", reason)
		e.endSession(sess, protocol.ConnFailed, reason)
		return true
	}
	if sess.ctx.Err() != nil {
		return true
	}
	e.log.Info("rejoin attempt failed", "attempt", attempt, "err", err)
	return false
}

// resumeOnce makes one attempt. done is true when the session is resumed
// or no longer needs to be.
func (e *Engine) resumeOnce(sess *session, deadline time.Time) (done bool, err error) {
	ctx, cancel := context.WithDeadline(sess.ctx, deadline)
	defer cancel()
	ctx, cancel2 := context.WithTimeout(ctx, e.cfg.RequestTimeout)
	defer cancel2()

	e.mu.Lock()
	if e.sess != sess || sess.leaving {
		e.mu.Unlock()
		return true, nil
	}
	last := sess.lastSeq
	req := protocol.ResumeRequest{Version: protocol.Version, SessionID: sess.info.SessionID, LastSeq: &last}
	url := sess.url
	e.mu.Unlock()

	c, err := dialSignal(ctx, url, e.cfg.HTTPClient, e.log)
	if err != nil {
		return false, err
	}
	c.start(func(env *protocol.Envelope) { e.onEvent(sess, c, env) },
		func(err error) { e.onConnClosed(sess, c, err) })
	_, err = c.request(ctx, protocol.TypeResume, req, func(data json.RawMessage, perr *protocol.Error) {
		if perr == nil {
			e.applyJoin(sess, c, data, true)
		}
	})
	e.mu.Lock()
	resumed := e.sess == sess && sess.conn == c
	e.mu.Unlock()
	if resumed {
		return true, nil
	}
	c.close()
	if err == nil {
		// Answered, but the session ended meanwhile.
		return true, nil
	}
	return false, err
}
