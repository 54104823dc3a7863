package rtc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/cohost-rtc/cohost/protocol"
)

const (
	// maxSignalMessage bounds one message from the server. Offers for many
	// subscribed tracks are the largest.
	maxSignalMessage = 4 << 20
	// writeTimeout bounds one WebSocket write. A write is not tied to the
	// caller's context because coder/websocket closes the connection when
	// a write's context ends.
	writeTimeout = 10 * time.Second
)

// signalConn is one signalling WebSocket. Its reader goroutine is the
// session's event loop: it decodes every message, completes requests and
// hands events to onEvent, one at a time and in wire order. onEvent and
// response hooks run on that goroutine and must not block.
//
// mu guards pending and err; writes go straight to the WebSocket, whose
// writes are safe for concurrent use.
type signalConn struct {
	ws     *websocket.Conn
	log    *slog.Logger
	ctx    context.Context // ends when the connection is closed
	cancel context.CancelFunc
	nextID atomic.Uint64
	done   chan struct{} // closed when the reader has exited
	// closing is set by close: the end that follows is not a loss.
	closing atomic.Bool

	mu      sync.Mutex
	pending map[uint64]*call
	err     error // why the connection ended; nil while open
}

// call is one request waiting for its response.
type call struct {
	typ protocol.Type
	// hook, if set, runs on the reader goroutine when the response
	// arrives, before any later message is handled, even if the caller
	// stopped waiting. It must not block.
	hook func(data json.RawMessage, perr *protocol.Error)
	ch   chan callResult // buffered: the reader never blocks on it
}

type callResult struct {
	data json.RawMessage
	err  error
}

// dialSignal opens the WebSocket. Call start to begin reading.
func dialSignal(ctx context.Context, url string, client *http.Client, log *slog.Logger) (*signalConn, error) {
	ws, resp, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPClient: client})
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("rtc: dial %s: HTTP %d: %w", url, resp.StatusCode, err)
		}
		return nil, fmt.Errorf("rtc: dial %s: %w", url, err)
	}
	ws.SetReadLimit(maxSignalMessage)
	c := &signalConn{
		ws:      ws,
		log:     log,
		done:    make(chan struct{}),
		pending: make(map[uint64]*call),
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	return c, nil
}

// start runs the reader. onEvent gets every event; onClose is called once,
// last, with the reason the connection ended (nil after close).
func (c *signalConn) start(onEvent func(*protocol.Envelope), onClose func(error)) {
	go c.readLoop(onEvent, onClose)
}

func (c *signalConn) readLoop(onEvent func(*protocol.Envelope), onClose func(error)) {
	defer close(c.done)
	var err error
	for {
		typ, data, rerr := c.ws.Read(c.ctx)
		if rerr != nil {
			err = rerr
			break
		}
		if typ != websocket.MessageText {
			c.log.Warn("ignoring binary signalling message")
			continue
		}
		var env protocol.Envelope
		if jerr := protocol.DecodeEnvelope(data, &env); jerr != nil {
			c.log.Warn("ignoring undecodable signalling message", "err", jerr)
			continue
		}
		if env.Type == protocol.TypeResponse {
			c.deliver(&env)
			continue
		}
		onEvent(&env)
	}
	if c.closing.Load() {
		err = nil // closed on purpose
	}
	c.fail(err)
	_ = c.ws.CloseNow()
	onClose(err)
}

// deliver completes the call a response answers.
func (c *signalConn) deliver(env *protocol.Envelope) {
	c.mu.Lock()
	cl := c.pending[env.ID]
	delete(c.pending, env.ID)
	c.mu.Unlock()
	if cl == nil {
		c.log.Debug("response to no pending request", "id", env.ID)
		return
	}
	if cl.hook != nil {
		cl.hook(env.Data, env.Error)
	}
	res := callResult{data: env.Data}
	if env.Error != nil {
		res.err = fmt.Errorf("rtc: %s: %w", cl.typ, env.Error)
	}
	cl.ch <- res
}

// fail ends every pending call: the connection is gone.
func (c *signalConn) fail(cause error) {
	c.mu.Lock()
	if c.err == nil {
		c.err = ErrConnectionLost
		if cause != nil {
			c.err = fmt.Errorf("%w: %w", ErrConnectionLost, cause)
		}
	}
	pending := c.pending
	c.pending = make(map[uint64]*call)
	err := c.err
	c.mu.Unlock()
	for _, cl := range pending {
		cl.ch <- callResult{err: err}
	}
}

// request sends a request and waits for its response or for ctx. A failed
// response returns an error wrapping the *protocol.Error. hook (optional)
// sees the response on the reader goroutine even when ctx ended first.
func (c *signalConn) request(ctx context.Context, typ protocol.Type, payload any,
	hook func(json.RawMessage, *protocol.Error)) (json.RawMessage, error) {
	cl := &call{typ: typ, hook: hook, ch: make(chan callResult, 1)}
	id, err := c.send(typ, payload, cl)
	if err != nil {
		return nil, err
	}
	select {
	case res := <-cl.ch:
		return res.data, res.err
	case <-ctx.Done():
		select {
		case res := <-cl.ch:
			return res.data, res.err
		default:
		}
		if hook == nil {
			c.forget(id)
		}
		return nil, ctx.Err()
	}
}

// notify sends a request whose response nobody waits for.
func (c *signalConn) notify(typ protocol.Type, payload any) error {
	_, err := c.send(typ, payload, nil)
	return err
}

// send writes one request; cl (optional) is registered for its response.
func (c *signalConn) send(typ protocol.Type, payload any, cl *call) (uint64, error) {
	var data json.RawMessage
	if payload != nil {
		b, err := json.Marshal(payload)
		if err != nil {
			return 0, fmt.Errorf("rtc: encode %s: %w", typ, err)
		}
		data = b
	}
	id := c.nextID.Add(1)
	msg, err := json.Marshal(protocol.Envelope{ID: id, Type: typ, Data: data})
	if err != nil {
		return 0, fmt.Errorf("rtc: encode %s: %w", typ, err)
	}
	c.mu.Lock()
	if c.err != nil {
		err := c.err
		c.mu.Unlock()
		return 0, err
	}
	if cl != nil {
		c.pending[id] = cl
	}
	c.mu.Unlock()

	wctx, cancel := context.WithTimeout(c.ctx, writeTimeout)
	defer cancel()
	if err := c.ws.Write(wctx, websocket.MessageText, msg); err != nil {
		c.forget(id)
		c.mu.Lock()
		cerr := c.err
		c.mu.Unlock()
		if cerr != nil {
			return 0, cerr
		}
		return 0, fmt.Errorf("%w: send %s: %w", ErrConnectionLost, typ, err)
	}
	return id, nil
}

func (c *signalConn) forget(id uint64) {
	c.mu.Lock()
	delete(c.pending, id)
	c.mu.Unlock()
}

// close ends the connection with a close handshake and waits for the
// reader to exit. It must not be called from the reader goroutine.
func (c *signalConn) close() {
	c.closing.Store(true)
	c.mu.Lock()
	if c.err == nil {
		c.err = ErrConnectionLost
	}
	c.mu.Unlock()
	done := make(chan struct{})
	go func() {
		// The handshake waits for the server's close frame, which the
		// reader consumes; bound it in case the server is gone.
		_ = c.ws.Close(websocket.StatusNormalClosure, "")
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		_ = c.ws.CloseNow()
		<-done
	}
	c.cancel()
	<-c.done
}

// abort drops the connection without a handshake (a dead peer); the reader
// then reports the loss through onClose.
func (c *signalConn) abort() {
	_ = c.ws.CloseNow()
}

// isLost reports whether err means the connection ended before an answer.
func isLost(err error) bool { return errors.Is(err, ErrConnectionLost) }
