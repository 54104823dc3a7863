package rtc_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/rtc"
)

// fakeServer speaks the signalling protocol from a test: it records every
// request and answers with handlers the test sets per request type.
type fakeServer struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	handlers map[protocol.Type]func(*fakeConn, *protocol.Envelope)
	conns    []*fakeConn
	upgrades int // WebSocket requests seen
	refuse   int // upgrade requests still to refuse with 503
	reqs     []request
	wg       sync.WaitGroup
}

// request is one request the server received.
type request struct {
	conn *fakeConn
	env  protocol.Envelope
}

// fakeConn is one accepted WebSocket.
type fakeConn struct {
	ws  *websocket.Conn
	ctx context.Context
}

func newFakeServer(t *testing.T) *fakeServer {
	f := &fakeServer{t: t, handlers: map[protocol.Type]func(*fakeConn, *protocol.Envelope){}}
	f.handle(protocol.TypeJoin, func(c *fakeConn, env *protocol.Envelope) {
		var req protocol.JoinRequest
		_ = json.Unmarshal(env.Data, &req)
		uid := req.UID
		if uid == 0 {
			uid = 42
		}
		c.reply(env.ID, protocol.JoinResponse{UID: uid, Channel: req.Channel, SessionID: "session-1", Role: req.Role,
			Profile: req.Profile, KeepAliveMs: 60000, DropTimeoutMs: 5000}, nil)
	})
	f.handle(protocol.TypeResume, func(c *fakeConn, env *protocol.Envelope) {
		c.reply(env.ID, protocol.JoinResponse{UID: 42, SessionID: "session-1", Role: protocol.RoleAudience,
			Profile: protocol.ProfileLiveBroadcasting, KeepAliveMs: 60000, DropTimeoutMs: 5000}, nil)
	})
	f.handle(protocol.TypePing, func(c *fakeConn, env *protocol.Envelope) {
		c.reply(env.ID, protocol.PingResponse{ServerTimeMs: time.Now().UnixMilli()}, nil)
	})
	f.handle(protocol.TypeLeave, func(c *fakeConn, env *protocol.Envelope) {
		c.reply(env.ID, struct{}{}, nil)
	})
	ok := func(c *fakeConn, env *protocol.Envelope) { c.reply(env.ID, struct{}{}, nil) }
	for _, typ := range []protocol.Type{protocol.TypeRenewToken, protocol.TypeMute, protocol.TypeSubscribe,
		protocol.TypeUnsubscribe, protocol.TypeAnswer} {
		f.handle(typ, ok)
	}
	f.handle(protocol.TypeSetRole, func(c *fakeConn, env *protocol.Envelope) {
		var req protocol.SetRoleRequest
		_ = json.Unmarshal(env.Data, &req)
		c.reply(env.ID, protocol.SetRoleResponse{Old: protocol.RoleAudience, New: req.Role}, nil)
	})
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.close)
	return f
}

// handle sets the handler of a request type; it runs on the connection's
// reader, so a handler that blocks holds up that connection's requests.
func (f *fakeServer) handle(typ protocol.Type, h func(*fakeConn, *protocol.Envelope)) {
	f.mu.Lock()
	f.handlers[typ] = h
	f.mu.Unlock()
}

func (f *fakeServer) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != protocol.SignalPath {
		http.NotFound(w, r)
		return
	}
	f.mu.Lock()
	f.upgrades++
	if f.refuse > 0 {
		f.refuse--
		f.mu.Unlock()
		http.Error(w, "try later", http.StatusServiceUnavailable)
		return
	}
	f.wg.Add(1)
	f.mu.Unlock()
	defer f.wg.Done()
	ws, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := &fakeConn{ws: ws, ctx: ctx}
	f.mu.Lock()
	f.conns = append(f.conns, c)
	f.mu.Unlock()
	for {
		_, data, err := ws.Read(ctx)
		if err != nil {
			_ = ws.CloseNow()
			return
		}
		var env protocol.Envelope
		if err := json.Unmarshal(data, &env); err != nil {
			f.t.Errorf("fake server: undecodable message %q", data)
			continue
		}
		f.mu.Lock()
		f.reqs = append(f.reqs, request{c, env})
		h := f.handlers[env.Type]
		f.mu.Unlock()
		if h != nil {
			h(c, &env)
		}
	}
}

func (f *fakeServer) close() {
	f.mu.Lock()
	conns := f.conns
	f.mu.Unlock()
	for _, c := range conns {
		_ = c.ws.CloseNow()
	}
	f.srv.Close()
	f.wg.Wait()
}

// requests returns the requests of a type received so far.
func (f *fakeServer) requests(typ protocol.Type) []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []request
	for _, r := range f.reqs {
		if r.env.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

func (f *fakeServer) upgradeCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.upgrades
}

// last returns the latest connection.
func (f *fakeServer) last() *fakeConn {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.conns) == 0 {
		return nil
	}
	return f.conns[len(f.conns)-1]
}

func (c *fakeConn) write(env protocol.Envelope) {
	b, _ := json.Marshal(env)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = c.ws.Write(ctx, websocket.MessageText, b)
}

func (c *fakeConn) reply(id uint64, data any, e *protocol.Error) {
	env := protocol.Envelope{ID: id, Type: protocol.TypeResponse, Error: e}
	if data != nil {
		env.Data, _ = json.Marshal(data)
	}
	c.write(env)
}

func (c *fakeConn) event(typ protocol.Type, data any) {
	env := protocol.Envelope{Type: typ}
	env.Data, _ = json.Marshal(data)
	c.write(env)
}

// fakeClient is an engine connected to a fake server.
func fakeClient(t *testing.T, f *fakeServer, mod ...func(*rtc.EngineConfig)) *client {
	t.Helper()
	rec := &recorder{}
	cfg := rtc.EngineConfig{ServerURL: f.srv.URL, AppID: "app", Handler: rec, Logger: testLogger(t, "fake")}
	for _, m := range mod {
		m(&cfg)
	}
	e, err := rtc.NewEngine(cfg)
	if err != nil {
		t.Fatalf("NewEngine: %v", err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return &client{Engine: e, name: "client", rec: rec}
}
