package rtm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/cohost-rtc/cohost/protocol"
)

// errConnLost is returned by requests whose connection ended.
var errConnLost = errors.New("rtm: connection lost")

// conn is one WebSocket to the RTM endpoint. Its reader goroutine
// completes requests and hands events to onEvent in wire order.
type conn struct {
	ws     *websocket.Conn
	nextID atomic.Uint64
	done   chan struct{}
	ctx    context.Context
	cancel context.CancelFunc

	mu      sync.Mutex
	pending map[uint64]chan result
	closing bool

	// rbuf holds the frame being read (run's goroutine only), reused from
	// frame to frame: decoding copies what it keeps.
	rbuf bytes.Buffer
}

// maxKeptReadBuffer bounds the read buffer a connection keeps between
// frames.
const maxKeptReadBuffer = 64 << 10

type result struct {
	data json.RawMessage
	err  error
}

func dial(ctx context.Context, url string, client *http.Client) (*conn, error) {
	ws, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPClient: client})
	if err != nil {
		return nil, fmt.Errorf("rtm: dial %s: %w", url, err)
	}
	ws.SetReadLimit(4 << 20)
	k := &conn{ws: ws, done: make(chan struct{}), pending: map[uint64]chan result{}}
	k.ctx, k.cancel = context.WithCancel(context.Background())
	return k, nil
}

// run reads until the connection ends, then calls onClose with whether the
// end was asked for (close).
func (k *conn) run(idle time.Duration, onEvent func(*protocol.Envelope), onClose func(asked bool)) {
	defer close(k.done)
	for {
		ctx, cancel := context.WithTimeout(k.ctx, idle)
		typ, data, err := k.read(ctx)
		cancel()
		if err != nil {
			break
		}
		if typ != websocket.MessageText {
			continue
		}
		var env protocol.Envelope
		if protocol.DecodeEnvelope(data, &env) != nil {
			continue
		}
		if env.Type == protocol.TypeResponse {
			k.mu.Lock()
			ch := k.pending[env.ID]
			delete(k.pending, env.ID)
			k.mu.Unlock()
			if ch != nil {
				if env.Error != nil {
					ch <- result{err: env.Error}
				} else {
					ch <- result{data: env.Data}
				}
			}
			continue
		}
		onEvent(&env)
	}
	_ = k.ws.CloseNow()
	k.cancel()
	k.mu.Lock()
	asked := k.closing
	for id, ch := range k.pending {
		ch <- result{err: errConnLost}
		delete(k.pending, id)
	}
	k.closing = true
	k.mu.Unlock()
	onClose(asked)
}

// read reads the next data frame into k.rbuf; the bytes are valid until
// the next read.
func (k *conn) read(ctx context.Context) (websocket.MessageType, []byte, error) {
	if k.rbuf.Cap() > maxKeptReadBuffer {
		k.rbuf = bytes.Buffer{}
	}
	k.rbuf.Reset()
	typ, r, err := k.ws.Reader(ctx)
	if err != nil {
		return 0, nil, err
	}
	if _, err := k.rbuf.ReadFrom(r); err != nil {
		return 0, nil, err
	}
	return typ, k.rbuf.Bytes(), nil
}

// encodeEnvelope encodes a request or an acknowledgement with its payload
// written as it is: json.Marshal would scan and copy it again (a
// message's up to 32 KB).
func encodeEnvelope(env protocol.Envelope) ([]byte, error) {
	if env.Error != nil || env.Seq != 0 {
		return json.Marshal(env)
	}
	data := env.Data
	env.Data = nil
	head, err := json.Marshal(env)
	if err != nil || len(data) == 0 {
		return head, err
	}
	b := make([]byte, 0, len(head)+len(`,"data":`)+len(data))
	b = append(append(append(b, head[:len(head)-1]...), `,"data":`...), data...)
	return append(b, '}'), nil
}

// send writes an envelope without waiting for anything.
func (k *conn) send(env protocol.Envelope) error {
	b, err := encodeEnvelope(env)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(k.ctx, 10*time.Second)
	defer cancel()
	return k.ws.Write(ctx, websocket.MessageText, b)
}

// call sends a request and waits for its response.
func (k *conn) call(ctx context.Context, typ protocol.Type, req any) (json.RawMessage, error) {
	env := protocol.Envelope{ID: k.nextID.Add(1), Type: typ}
	if req != nil {
		b, err := json.Marshal(req)
		if err != nil {
			return nil, err
		}
		env.Data = b
	}
	ch := make(chan result, 1)
	k.mu.Lock()
	if k.closing {
		k.mu.Unlock()
		return nil, errConnLost
	}
	k.pending[env.ID] = ch
	k.mu.Unlock()
	if err := k.send(env); err != nil {
		k.mu.Lock()
		delete(k.pending, env.ID)
		k.mu.Unlock()
		return nil, errConnLost
	}
	select {
	case r := <-ch:
		if pe, ok := r.err.(*protocol.Error); ok {
			return nil, fromWire(typ, pe)
		}
		return r.data, r.err
	case <-ctx.Done():
		k.mu.Lock()
		delete(k.pending, env.ID)
		k.mu.Unlock()
		return nil, ctx.Err()
	}
}

// close ends the connection; run's onClose sees asked = true.
func (k *conn) close() {
	k.mu.Lock()
	k.closing = true
	k.mu.Unlock()
	_ = k.ws.Close(websocket.StatusNormalClosure, "")
	k.cancel()
	<-k.done
}

// kill drops the connection as a network failure would (for tests).
func (k *conn) kill() {
	_ = k.ws.CloseNow()
}
