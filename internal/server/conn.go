package server

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/cohost-rtc/cohost/protocol"
	"golang.org/x/time/rate"
)

// outboxLimit bounds the messages queued for one client; a client that
// falls this far behind is disconnected instead of growing server memory.
const outboxLimit = 4096

// conn is one signalling WebSocket. Its reader goroutine reads requests
// and has each handled, one at a time, in order; its writer goroutine
// drains out, running only while out has something to send. p is set once
// a join or resume succeeds and only request handling touches it.
type conn struct {
	srv     *Server
	ws      *websocket.Conn
	out     *outbox
	limiter *rate.Limiter
	logger  *slog.Logger
	p       *Participant
	// host is the Host the WebSocket request named (TURN URLs use it).
	host string
	// joined is set with p; the join timer reads it.
	joined atomic.Bool

	ctx    context.Context
	cancel context.CancelFunc

	closeOnce   sync.Once
	closeStatus websocket.StatusCode
	closeReason string
	flushThen   chan struct{} // closed to ask the writer to flush and close
	writerDone  chan struct{} // closed when the socket is closed and no writer runs
	doneOnce    sync.Once
}

// handleSignal upgrades to a WebSocket and serves it on a goroutine of its
// own, returning at once: net/http's goroutine, its buffers and the
// request are released, and the session holds only what it uses (the
// connection limit's count moves with it, see takeConnSlot).
func (s *Server) handleSignal(w http.ResponseWriter, r *http.Request) {
	ws, err := websocket.Accept(smallBufHijacker{w}, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
	if err != nil {
		return
	}
	ws.SetReadLimit(int64(s.cfg.Limits.MaxMessageBytes))
	ctx, cancel := context.WithCancel(context.Background())
	c := &conn{
		srv: s, ws: ws, logger: s.logger, host: r.Host,
		limiter: rate.NewLimiter(rate.Limit(s.cfg.Limits.MaxRequestsPerSecond), 2*s.cfg.Limits.MaxRequestsPerSecond),
		ctx:     ctx, cancel: cancel, flushThen: make(chan struct{}), writerDone: make(chan struct{}),
	}
	c.out = newOutbox(outboxLimit, c.writeLoop)
	if !s.trackConn(c, true) {
		cancel()
		_ = ws.Close(websocket.StatusGoingAway, "server shutting down")
		return
	}
	release := takeConnSlot(r)
	go func() {
		defer release()
		c.serve()
	}()
}

// serve runs the connection until it ends.
func (c *conn) serve() {
	defer c.srv.trackConn(c, false)
	joinTimer := time.AfterFunc(c.srv.cfg.Connections.JoinTimeout, func() {
		if !c.joined.Load() {
			c.close(websocket.StatusPolicyViolation, reasonJoinTimeout.String())
		}
	})
	defer joinTimer.Stop()
	c.readLoop()
	c.finish()
	if p := c.p; p != nil {
		p.detach(c)
	}
}

func (c *conn) readLoop() {
	for {
		typ, data, err := c.ws.Read(c.ctx)
		if err != nil {
			var ce websocket.CloseError
			if errors.As(err, &ce) && ce.Code == websocket.StatusMessageTooBig {
				c.srv.metrics.rejected.WithLabelValues(protocol.ErrSizeTooLarge.String()).Inc()
			}
			return
		}
		// Each request is handled on a goroutine of its own, one at a
		// time and in order: the deep stack a request may need (JSON,
		// SDP, the media layer) is freed when it is done instead of
		// staying with the reader for the socket's life.
		done := make(chan struct{})
		go func() {
			defer close(done)
			c.handle(typ, data)
		}()
		<-done
		select {
		case <-c.flushThen:
			return
		default:
		}
	}
}

// handle answers one message from the client.
func (c *conn) handle(typ websocket.MessageType, data []byte) {
	if c.p != nil {
		c.p.touch()
	}
	if typ != websocket.MessageText {
		c.reply(0, nil, perr(protocol.ErrMalformedMessage, "binary frames are not part of the protocol"))
		return
	}
	var env protocol.Envelope
	if err := protocol.DecodeEnvelope(data, &env); err != nil {
		c.reply(0, nil, perr(protocol.ErrMalformedMessage, "message is not a JSON envelope: %v", err))
		return
	}
	if env.ID == 0 {
		c.reply(0, nil, perr(protocol.ErrMalformedMessage, "request %q has no id", env.Type))
		return
	}
	if !c.limiter.Allow() {
		c.reply(env.ID, nil, perr(protocol.ErrTooOften, "more than %d requests per second", c.srv.cfg.Limits.MaxRequestsPerSecond))
		return
	}
	if e := c.dispatch(&env); e != nil {
		c.reply(env.ID, nil, e)
	}
}

// closeFlushGrace bounds how long a connection whose close was asked for
// waits for its writer to flush what is queued before it is cut.
const closeFlushGrace = 5 * time.Second

// finish ends the connection once its reader stopped. After a requested
// close (leave, kick, shutdown) the writer first flushes what is queued,
// such as the leave response or the disconnect event, then closes, within
// closeFlushGrace; otherwise the client is gone and the socket closes now.
func (c *conn) finish() {
	select {
	case <-c.flushThen:
		t := time.NewTimer(closeFlushGrace)
		select {
		case <-c.writerDone:
		case <-t.C:
		}
		t.Stop()
	default:
	}
	c.cancel()
	if !c.out.stop() {
		// No writer runs to see the stop: close here.
		c.closeNow(websocket.StatusGoingAway, "")
		c.writerFinished()
	}
	<-c.writerDone
}

// reply queues the response to request id.
func (c *conn) reply(id uint64, data any, e *protocol.Error) {
	env := protocol.Envelope{ID: id, Type: protocol.TypeResponse, Error: e}
	if e != nil {
		c.srv.metrics.rejected.WithLabelValues(e.Code.String()).Inc()
		c.logger.Debug("request rejected", "id", id, "code", e.Code, "msg", e.Message)
	}
	if data != nil {
		b, err := json.Marshal(data)
		if err != nil {
			env.Error = perr(protocol.ErrFailed, "encode response: %v", err)
		} else {
			env.Data = b
		}
	}
	b, _ := json.Marshal(env)
	if !c.out.push(b) {
		c.close(websocket.StatusPolicyViolation, "client too slow")
	}
}

// writeLoop sends what out holds until it is empty, then returns; out
// starts it again when more is queued. It closes the socket once out is
// closed and drained, and at once when the connection ended (stop).
func (c *conn) writeLoop() {
	for {
		for _, b := range c.out.take() {
			wctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			err := c.ws.Write(wctx, websocket.MessageText, b)
			cancel()
			if err != nil {
				c.out.stop()
				c.closeNow(websocket.StatusAbnormalClosure, "write failed")
				c.writerFinished()
				return
			}
		}
		switch c.out.next() {
		case writerMore:
		case writerIdle:
			return
		case writerClose:
			status, reason := c.closeStatus, c.closeReason
			if status == 0 {
				status = websocket.StatusNormalClosure
			}
			c.out.stop()
			_ = c.ws.Close(status, reason)
			c.cancel()
			c.writerFinished()
			return
		case writerStop:
			c.closeNow(websocket.StatusGoingAway, "")
			c.writerFinished()
			return
		}
	}
}

// writerFinished: the socket is closed and no writer will run again.
func (c *conn) writerFinished() {
	c.doneOnce.Do(func() { close(c.writerDone) })
}

// close flushes what is queued, then closes the WebSocket with status.
func (c *conn) close(status websocket.StatusCode, reason string) {
	c.closeOnce.Do(func() {
		c.closeStatus, c.closeReason = status, reason
		close(c.flushThen)
		c.out.close()
	})
}

func (c *conn) closeNow(status websocket.StatusCode, reason string) {
	_ = c.ws.CloseNow()
	c.cancel()
}
