package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/cohost-rtc/cohost/protocol"
)

// rawClient speaks the signalling protocol directly, without the SDK, so
// tests can send what a broken or hostile client would.
type rawClient struct {
	t      testing.TB
	ws     *websocket.Conn
	mu     sync.Mutex
	nextID uint64
	resp   map[uint64]chan protocol.Envelope
	events chan protocol.Envelope
	closed chan struct{}
	status websocket.StatusCode
}

func dialRaw(t testing.TB, url string) *rawClient {
	t.Helper()
	return dialRawWith(t, url, nil)
}

// dialRawWith dials with client (nil: the default one).
func dialRawWith(t testing.TB, url string, client *http.Client) *rawClient {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPClient: client})
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	ws.SetReadLimit(1 << 20)
	c := &rawClient{t: t, ws: ws, resp: map[uint64]chan protocol.Envelope{}, events: make(chan protocol.Envelope, 1024), closed: make(chan struct{})}
	go c.readLoop()
	t.Cleanup(func() { _ = ws.CloseNow(); <-c.closed })
	return c
}

func (c *rawClient) readLoop() {
	defer close(c.closed)
	for {
		_, data, err := c.ws.Read(context.Background())
		if err != nil {
			c.status = websocket.CloseStatus(err)
			return
		}
		var env protocol.Envelope
		if err := json.Unmarshal(data, &env); err != nil {
			c.t.Errorf("server sent a non-envelope: %q", data)
			continue
		}
		if env.Type == protocol.TypeResponse && env.ID != 0 {
			c.mu.Lock()
			ch := c.resp[env.ID]
			c.mu.Unlock()
			if ch != nil {
				ch <- env
				continue
			}
		}
		c.events <- env
	}
}

// sendRaw writes a frame as is.
func (c *rawClient) sendRaw(b []byte) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.ws.Write(ctx, websocket.MessageText, b); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// request sends a request and waits for its response.
func (c *rawClient) request(typ protocol.Type, data any) protocol.Envelope {
	c.t.Helper()
	c.mu.Lock()
	c.nextID++
	id := c.nextID
	ch := make(chan protocol.Envelope, 1)
	c.resp[id] = ch
	c.mu.Unlock()
	env := protocol.Envelope{ID: id, Type: typ}
	if data != nil {
		env.Data, _ = json.Marshal(data)
	}
	b, _ := json.Marshal(env)
	c.sendRaw(b)
	select {
	case r := <-ch:
		return r
	case <-c.closed:
		// The reader hands the response over before it sees the close, but
		// when both are ready select picks either: a response followed by
		// the server closing (leave) must still count.
		select {
		case r := <-ch:
			return r
		default:
		}
		c.t.Fatalf("connection closed while waiting for the %s response", typ)
	case <-time.After(20 * time.Second):
		c.t.Fatalf("no response to %s within 20 s", typ)
	}
	return protocol.Envelope{}
}

// mustOK fails unless the response carries no error.
func mustOK(t testing.TB, env protocol.Envelope) protocol.Envelope {
	t.Helper()
	if env.Error != nil {
		t.Fatalf("request failed: %v", env.Error)
	}
	return env
}

// wantError fails unless the response carries code.
func wantError(t testing.TB, env protocol.Envelope, code protocol.ErrorCode) *protocol.Error {
	t.Helper()
	if env.Error == nil {
		t.Fatalf("want error %s, got success %s", code, env.Data)
	}
	if env.Error.Code != code {
		t.Fatalf("want error %s, got %v", code, env.Error)
	}
	if env.Error.Name != code.String() || env.Error.Web == "" || env.Error.Message == "" {
		t.Fatalf("error is not fully typed: %+v", env.Error)
	}
	return env.Error
}

// join joins and returns the response payload.
func (c *rawClient) join(req protocol.JoinRequest) protocol.JoinResponse {
	c.t.Helper()
	req.Version = protocol.Version
	env := mustOK(c.t, c.request(protocol.TypeJoin, req))
	var resp protocol.JoinResponse
	if err := json.Unmarshal(env.Data, &resp); err != nil {
		c.t.Fatalf("join response: %v", err)
	}
	return resp
}

// nextEvent waits for the next event of type typ, skipping others (and
// failing on a timeout).
func (c *rawClient) nextEvent(typ protocol.Type, within time.Duration) protocol.Envelope {
	c.t.Helper()
	deadline := time.After(within)
	for {
		select {
		case ev := <-c.events:
			if ev.Type == typ {
				return ev
			}
		case <-deadline:
			c.t.Fatalf("no %s event within %v", typ, within)
			return protocol.Envelope{}
		}
	}
}

// noEvent fails if an event of type typ arrives within d.
func (c *rawClient) noEvent(typ protocol.Type, d time.Duration) {
	c.t.Helper()
	deadline := time.After(d)
	for {
		select {
		case ev := <-c.events:
			if ev.Type == typ {
				c.t.Fatalf("unexpected %s event: %s", typ, ev.Data)
			}
		case <-deadline:
			return
		}
	}
}

// lastSeq drains the events received so far and returns the highest seq
// among them (0 for none): what a client names when it resumes. Call it
// once the connection is closed, when nothing more can arrive.
func (c *rawClient) lastSeq() uint64 {
	var last uint64
	for {
		select {
		case ev := <-c.events:
			last = max(last, ev.Seq)
		default:
			return last
		}
	}
}

// keepAlive pings every interval until the test ends or stop is closed.
func (c *rawClient) keepAlive(interval time.Duration, stop <-chan struct{}) {
	go func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-c.closed:
				return
			case <-t.C:
				b, _ := json.Marshal(protocol.Envelope{ID: 1 << 40, Type: protocol.TypePing})
				ctx, cancel := context.WithTimeout(context.Background(), time.Second)
				_ = c.ws.Write(ctx, websocket.MessageText, b)
				cancel()
			}
		}
	}()
}

func decodeData[T any](t testing.TB, env protocol.Envelope) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(env.Data, &v); err != nil {
		t.Fatalf("decode %s: %v", env.Type, err)
	}
	return v
}
