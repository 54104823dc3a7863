package rtmsvc

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"
	"golang.org/x/time/rate"

	"github.com/cohost-rtc/cohost/internal/config"
	"github.com/cohost-rtc/cohost/protocol"
)

// outboxLimit bounds the messages queued for one client; a client that far
// behind is disconnected.
const outboxLimit = 8192

// wsConn is one RTM WebSocket. Its reader goroutine handles requests in
// order (a peer message's response comes when its delivery is confirmed,
// so responses may overtake each other); its writer goroutine drains out.
type wsConn struct {
	svc      *Service
	ws       *websocket.Conn
	ctx      context.Context
	cancel   context.CancelFunc
	requests *rate.Limiter
	login    *rate.Limiter

	mu        sync.Mutex
	q         [][]byte
	notify    chan struct{}
	closing   bool
	status    websocket.StatusCode
	reason    string
	sess      *session // guarded by svc.mu
	writeDone chan struct{}
}

// limiterOf makes a token bucket of r.N refilled over r.Per.
func limiterOf(r config.Rate) *rate.Limiter {
	return rate.NewLimiter(rate.Limit(float64(r.N)/r.Per.Seconds()), r.N)
}

// ServeHTTP serves the RTM WebSocket endpoint.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
	if err != nil {
		return
	}
	ws.SetReadLimit(int64(s.cfg.Limits.MaxFrameBytes))
	c := &wsConn{svc: s, ws: ws, notify: make(chan struct{}, 1), writeDone: make(chan struct{}),
		requests: limiterOf(s.rates.requests), login: limiterOf(s.rates.login)}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		c.cancel()
		_ = ws.Close(websocket.StatusGoingAway, "server shutting down")
		return
	}
	s.conns[c] = struct{}{}
	s.mu.Unlock()
	go c.writeLoop()
	c.readLoop()
	c.cancel()
	<-c.writeDone
	s.detach(c)
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
}

func (c *wsConn) readLoop() {
	idle := c.svc.cfg.Timers.Unreachable
	for {
		ctx, cancel := context.WithTimeout(c.ctx, idle)
		typ, data, err := c.ws.Read(ctx)
		cancel()
		if err != nil {
			return
		}
		if typ != websocket.MessageText {
			c.reply(0, nil, protocol.NewError(protocol.ErrMalformedMessage, "binary frames are not part of the protocol"))
			continue
		}
		var env protocol.Envelope
		if err := json.Unmarshal(data, &env); err != nil {
			c.reply(0, nil, protocol.NewError(protocol.ErrMalformedMessage, "message is not a JSON envelope: %v", err))
			continue
		}
		if env.Type == protocol.RTMTypeAck {
			c.svc.handleAck(c, env.Data)
			continue
		}
		if env.ID == 0 {
			c.reply(0, nil, protocol.NewError(protocol.ErrMalformedMessage, "request %q has no id", env.Type))
			continue
		}
		if !c.requests.Allow() {
			c.reply(env.ID, nil, tooOften(env.Type))
			continue
		}
		c.svc.dispatch(c, &env)
		c.mu.Lock()
		closing := c.closing
		c.mu.Unlock()
		if closing {
			return
		}
	}
}

// reply queues the response to request id.
func (c *wsConn) reply(id uint64, data any, e *protocol.Error) {
	env := protocol.Envelope{ID: id, Type: protocol.TypeResponse, Error: e}
	if data != nil {
		env.Data = mustJSON(data)
	}
	c.push(mustJSON(env))
}

// event queues an event with an encoded payload.
func (c *wsConn) event(typ protocol.Type, data []byte) {
	c.push(mustJSON(protocol.Envelope{Type: typ, Data: data}))
}

func (c *wsConn) push(b []byte) {
	c.mu.Lock()
	if c.closing {
		c.mu.Unlock()
		return
	}
	if len(c.q) >= outboxLimit {
		c.closing, c.status, c.reason = true, websocket.StatusPolicyViolation, "client too slow"
		c.q = nil
		c.mu.Unlock()
		c.cancel()
		return
	}
	c.q = append(c.q, b)
	c.mu.Unlock()
	select {
	case c.notify <- struct{}{}:
	default:
	}
}

func (c *wsConn) writeLoop() {
	defer close(c.writeDone)
	defer c.cancel()
	for {
		c.mu.Lock()
		q := c.q
		c.q = nil
		closing, status, reason := c.closing, c.status, c.reason
		c.mu.Unlock()
		for _, b := range q {
			wctx, cancel := context.WithTimeout(c.ctx, 10*time.Second)
			err := c.ws.Write(wctx, websocket.MessageText, b)
			cancel()
			if err != nil {
				_ = c.ws.CloseNow()
				return
			}
		}
		if closing && len(q) == 0 {
			if status == 0 {
				status = websocket.StatusNormalClosure
			}
			_ = c.ws.Close(status, reason)
			return
		}
		if len(q) > 0 {
			continue
		}
		select {
		case <-c.notify:
		case <-c.ctx.Done():
			_ = c.ws.CloseNow()
			return
		}
	}
}

// close flushes what is queued, then closes with status.
func (c *wsConn) close(status websocket.StatusCode, reason string) {
	c.mu.Lock()
	if !c.closing {
		c.closing, c.status, c.reason = true, status, reason
	}
	c.mu.Unlock()
	select {
	case c.notify <- struct{}{}:
	default:
	}
}

// kill drops the connection at once.
func (c *wsConn) kill() {
	c.mu.Lock()
	c.closing, c.q = true, nil
	c.mu.Unlock()
	_ = c.ws.CloseNow()
	c.cancel()
}
