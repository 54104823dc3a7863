package rtmsvc

import (
	"bytes"
	"context"
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
	q         []outItem
	notify    chan struct{}
	closing   bool
	status    websocket.StatusCode
	reason    string
	sess      *session // guarded by svc.mu
	writeDone chan struct{}

	// held is the budget this connection's requests hold (guarded by
	// svc.fair.mu); grant is the current request's (reader goroutine only).
	held  int
	grant *grant
	// resume is when the reader reads again after a request refused for
	// a rate limit (reader goroutine only).
	resume time.Time
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
		if c.svc.fair.wait(c.ctx, c) != nil || c.pause() != nil {
			return
		}
		ctx, cancel := context.WithTimeout(c.ctx, idle)
		buf := c.svc.frames.get()
		typ, err := readFrame(ctx, c.ws, buf)
		cancel()
		if err != nil {
			return
		}
		c.grant = c.svc.fair.hold(c, buf.Len())
		// Nothing keeps the frame's bytes past handle (decoding copies
		// what it keeps), so its buffer is lent again at once.
		err = c.svc.fair.handle(c.ctx, buf.Len(), func() { c.handle(typ, buf.Bytes()) })
		c.svc.frames.put(buf)
		c.grant.release()
		c.grant = nil
		if err != nil {
			return
		}
		c.mu.Lock()
		closing := c.closing
		c.mu.Unlock()
		if closing {
			return
		}
	}
}

// handle serves one frame read from the client.
func (c *wsConn) handle(typ websocket.MessageType, data []byte) {
	if typ != websocket.MessageText {
		c.reply(0, nil, protocol.NewError(protocol.ErrMalformedMessage, "binary frames are not part of the protocol"))
		return
	}
	// The payload is decoded into a lent buffer (json.RawMessage copies
	// into the capacity it is given), which no handler keeps: each
	// decodes what it keeps.
	pb := c.svc.frames.get()
	defer c.svc.frames.put(pb)
	pb.Grow(len(data))
	env := protocol.Envelope{Data: pb.AvailableBuffer()}
	if err := protocol.DecodeEnvelope(data, &env); err != nil {
		c.reply(0, nil, protocol.NewError(protocol.ErrMalformedMessage, "message is not a JSON envelope: %v", err))
		return
	}
	if env.Type == protocol.RTMTypeAck {
		c.svc.handleAck(c, env.Data)
		return
	}
	if env.ID == 0 {
		c.reply(0, nil, protocol.NewError(protocol.ErrMalformedMessage, "request %q has no id", env.Type))
		return
	}
	if !c.requests.Allow() {
		c.reply(env.ID, nil, tooOften(env.Type))
		c.backOff(c.requests)
		return
	}
	c.svc.dispatch(c, &env)
}

// maxBackOff bounds the pause of a connection after a refused request,
// well under the keep-alive its client's pings must meet.
const maxBackOff = 250 * time.Millisecond

// backOff pauses the reading of c until lim, whose limit a request
// just exceeded, has a token again (at most maxBackOff): the next
// requests wait in the client's socket instead of each being read,
// decoded and refused, and the node's time goes to the other users.
func (c *wsConn) backOff(lim *rate.Limiter) {
	now := time.Now()
	missing := 1 - lim.TokensAt(now)
	if missing <= 0 || lim.Limit() <= 0 {
		return
	}
	d := time.Duration(missing / float64(lim.Limit()) * float64(time.Second))
	c.resume = now.Add(min(d, maxBackOff))
}

// pause waits until the back-off of c, if any, is over.
func (c *wsConn) pause() error {
	d := time.Until(c.resume)
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-c.ctx.Done():
		return c.ctx.Err()
	}
}

// takeGrant hands the budget held by the request being handled to a
// handler that finishes it later; the handler releases it.
func (c *wsConn) takeGrant() *grant {
	g := c.grant
	c.grant = nil
	return g
}

// reply queues the response to request id.
func (c *wsConn) reply(id uint64, data any, e *protocol.Error) {
	env := protocol.Envelope{ID: id, Type: protocol.TypeResponse, Error: e}
	if data != nil {
		env.Data = mustJSON(data)
	}
	c.push(mustJSON(env))
}

// event queues an event with an encoded payload. The envelope is
// written around data as it is, which json.Marshal would scan and copy
// again (a peer message's up to 32 KB, once per recipient).
func (c *wsConn) event(typ protocol.Type, data []byte) { c.eventHeld(typ, nil, data, nil) }

// eventHeld queues an event that holds g, the budget of the request it
// delivers, until it is written to the client; its payload is v encoded,
// or data when v is nil. The envelope is encoded in a buffer lent by
// the node's frames until written.
func (c *wsConn) eventHeld(typ protocol.Type, v any, data []byte, g *grant) {
	buf := c.svc.frames.get()
	encodeEvent(buf, typ, v, data)
	c.queue(outItem{b: buf.Bytes(), g: g, buf: buf})
}

// outItem is a message queued for the client, with the budget it holds
// until written (nil for none) and the lent buffer holding b (nil for
// none).
type outItem struct {
	b   []byte
	g   *grant
	buf *bytes.Buffer
}

func (c *wsConn) push(b []byte) { c.queue(outItem{b: b}) }

// queue queues it, or drops it when the connection closes.
func (c *wsConn) queue(it outItem) {
	g := it.g
	c.mu.Lock()
	if c.closing {
		c.mu.Unlock()
		g.release()
		return
	}
	if len(c.q) >= outboxLimit {
		c.closing, c.status, c.reason = true, websocket.StatusPolicyViolation, "client too slow"
		q := c.q
		c.q = nil
		c.mu.Unlock()
		g.release()
		releaseAll(q)
		c.cancel()
		return
	}
	c.q = append(c.q, it)
	c.mu.Unlock()
	select {
	case c.notify <- struct{}{}:
	default:
	}
}

// releaseAll gives back the budget held by the messages of q.
func releaseAll(q []outItem) {
	for _, it := range q {
		it.g.release()
	}
}

func (c *wsConn) writeLoop() {
	defer close(c.writeDone)
	defer c.cancel()
	defer func() {
		// Nothing is written any more: what is queued, or comes later,
		// gives its budget back at once.
		c.mu.Lock()
		c.closing = true
		q := c.q
		c.q = nil
		c.mu.Unlock()
		releaseAll(q)
	}()
	for {
		c.mu.Lock()
		q := c.q
		c.q = nil
		closing, status, reason := c.closing, c.status, c.reason
		c.mu.Unlock()
		for i, it := range q {
			wctx, cancel := context.WithTimeout(c.ctx, 10*time.Second)
			err := c.ws.Write(wctx, websocket.MessageText, it.b)
			cancel()
			it.g.release()
			c.svc.frames.put(it.buf)
			if err != nil {
				releaseAll(q[i+1:])
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
	q := c.q
	c.closing, c.q = true, nil
	c.mu.Unlock()
	releaseAll(q)
	_ = c.ws.CloseNow()
	c.cancel()
}
