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

// conn is one signalling WebSocket. Its reader goroutine handles requests
// one at a time, in order; its writer goroutine drains out. p is set once a
// join or resume succeeds and only the reader touches it.
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
	writerDone  chan struct{}
}

func (s *Server) handleSignal(w http.ResponseWriter, r *http.Request) {
	ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
	if err != nil {
		return
	}
	ws.SetReadLimit(int64(s.cfg.Limits.MaxMessageBytes))
	ctx, cancel := context.WithCancel(context.Background())
	c := &conn{
		srv: s, ws: ws, out: newOutbox(outboxLimit), logger: s.logger, host: r.Host,
		limiter: rate.NewLimiter(rate.Limit(s.cfg.Limits.MaxRequestsPerSecond), 2*s.cfg.Limits.MaxRequestsPerSecond),
		ctx:     ctx, cancel: cancel, flushThen: make(chan struct{}), writerDone: make(chan struct{}),
	}
	if !s.trackConn(c, true) {
		cancel()
		_ = ws.Close(websocket.StatusGoingAway, "server shutting down")
		return
	}
	defer s.trackConn(c, false)
	joinTimer := time.AfterFunc(s.cfg.Connections.JoinTimeout, func() {
		if !c.joined.Load() {
			c.close(websocket.StatusPolicyViolation, reasonJoinTimeout.String())
		}
	})
	defer joinTimer.Stop()
	go c.writeLoop()
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
		if c.p != nil {
			c.p.touch()
		}
		if typ != websocket.MessageText {
			c.reply(0, nil, perr(protocol.ErrMalformedMessage, "binary frames are not part of the protocol"))
			continue
		}
		var env protocol.Envelope
		if err := json.Unmarshal(data, &env); err != nil {
			c.reply(0, nil, perr(protocol.ErrMalformedMessage, "message is not a JSON envelope: %v", err))
			continue
		}
		if env.ID == 0 {
			c.reply(0, nil, perr(protocol.ErrMalformedMessage, "request %q has no id", env.Type))
			continue
		}
		if !c.limiter.Allow() {
			c.reply(env.ID, nil, perr(protocol.ErrTooOften, "more than %d requests per second", c.srv.cfg.Limits.MaxRequestsPerSecond))
			continue
		}
		if e := c.dispatch(&env); e != nil {
			c.reply(env.ID, nil, e)
		}
		select {
		case <-c.flushThen:
			return
		default:
		}
	}
}

// closeFlushGrace bounds how long a connection whose close was asked for
// waits for its writer to flush what is queued before it is cut.
const closeFlushGrace = 5 * time.Second

// finish ends the connection once its reader stopped. After a requested
// close (leave, kick, shutdown) the writer first flushes what is queued,
// such as the leave response or the disconnect event, then closes, within
// closeFlushGrace; otherwise the client is gone and the writer stops now.
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

func (c *conn) writeLoop() {
	defer close(c.writerDone)
	defer c.cancel()
	for {
		for _, b := range c.out.take() {
			wctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			err := c.ws.Write(wctx, websocket.MessageText, b)
			cancel()
			if err != nil {
				c.closeNow(websocket.StatusAbnormalClosure, "write failed")
				return
			}
		}
		if c.out.isClosed() && c.out.pending() == 0 {
			status, reason := c.closeStatus, c.closeReason
			if status == 0 {
				status = websocket.StatusNormalClosure
			}
			_ = c.ws.Close(status, reason)
			return
		}
		select {
		case <-c.out.notify:
		case <-c.ctx.Done():
			c.closeNow(websocket.StatusGoingAway, "")
			return
		}
	}
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
