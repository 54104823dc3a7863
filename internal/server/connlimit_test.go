package server_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/cohost-rtc/cohost/internal/config"
	"github.com/cohost-rtc/cohost/internal/servertest"
	"github.com/cohost-rtc/cohost/protocol"
)

// dialFrom opens a WebSocket on url as if from the client address xff
// (sent as X-Forwarded-For; "" sends none) and returns it, or nil and the
// HTTP status that refused it.
func dialFrom(t *testing.T, url, xff string) (*websocket.Conn, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	h := http.Header{}
	if xff != "" {
		h.Set("X-Forwarded-For", xff)
	}
	ws, resp, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		if resp == nil {
			t.Fatalf("dial %s: %v", url, err)
		}
		return nil, resp.StatusCode
	}
	t.Cleanup(func() { _ = ws.CloseNow() })
	return ws, http.StatusSwitchingProtocols
}

// TestSignalSocketThatNeverJoinsIsClosed: a socket that sends nothing is
// closed within connections.joinTimeout with a reason saying why.
func TestSignalSocketThatNeverJoinsIsClosed(t *testing.T) {
	srv := servertest.Start(t, func(c *config.Config) { c.Connections.JoinTimeout = 300 * time.Millisecond })
	ws, _ := dialFrom(t, srv.WSURL(), "")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	start := time.Now()
	_, _, err := ws.Read(ctx)
	var ce websocket.CloseError
	if !errors.As(err, &ce) {
		t.Fatalf("idle socket: read returned %v after %v, want a close frame", err, time.Since(start))
	}
	if ce.Code != websocket.StatusPolicyViolation || ce.Reason != "not joined in time" {
		t.Errorf("idle socket closed with %d %q, want %d %q", ce.Code, ce.Reason, websocket.StatusPolicyViolation, "not joined in time")
	}
}

// TestConnectionsPerAddressAreLimited: behind a trusted proxy, the
// (limit+1)th signalling or RTM socket of one client address gets 429,
// while other addresses and loopback clients still join.
func TestConnectionsPerAddressAreLimited(t *testing.T) {
	const limit = 3
	srv := servertest.Start(t, func(c *config.Config) {
		c.Connections.MaxPerIP = limit
		c.Connections.TrustedProxies = "127.0.0.1"
	})
	rtmURL := srv.URL + protocol.RTMPath
	for i := 0; i < limit; i++ {
		url := srv.WSURL()
		if i == 0 {
			url = rtmURL // RTM sockets count too
		}
		if ws, code := dialFrom(t, url, "203.0.113.7"); ws == nil {
			t.Fatalf("socket %d of 203.0.113.7: %d, want 101", i+1, code)
		}
	}
	for _, url := range []string{srv.WSURL(), rtmURL} {
		if _, code := dialFrom(t, url, "198.51.100.1, 203.0.113.7"); code != http.StatusTooManyRequests {
			t.Errorf("socket %d of 203.0.113.7 on %s: %d, want 429", limit+1, url, code)
		}
	}
	if ws, code := dialFrom(t, srv.WSURL(), "203.0.113.8"); ws == nil {
		t.Errorf("first socket of 203.0.113.8: %d, want 101", code)
	}
	for i := 0; i < limit+1; i++ {
		if ws, code := dialFrom(t, srv.WSURL(), ""); ws == nil {
			t.Fatalf("loopback socket %d: %d, want 101 (loopback is exempt)", i+1, code)
		}
	}
	c := dialRaw(t, srv.WSURL())
	resp := c.join(protocol.JoinRequest{AppID: srv.TestAppID, Channel: "room", UID: 7, Role: protocol.RoleBroadcaster, Profile: protocol.ProfileLiveBroadcasting})
	if resp.UID != 7 {
		t.Fatalf("legitimate join: %+v", resp)
	}
}

// TestForwardedForIgnoredFromUntrustedPeers: without trusted proxies a
// client cannot pick the address it is counted under.
func TestForwardedForIgnoredFromUntrustedPeers(t *testing.T) {
	srv := servertest.Start(t, func(c *config.Config) { c.Connections.MaxPerIP = 1 })
	for i := 0; i < 3; i++ {
		if ws, code := dialFrom(t, srv.WSURL(), "203.0.113.7"); ws == nil {
			t.Fatalf("socket %d: %d, want 101 (the peer is loopback, X-Forwarded-For untrusted)", i+1, code)
		}
	}
}

// TestConnectionsInTotalAreLimited: over connections.maxTotal, upgrades
// get 503, loopback included.
func TestConnectionsInTotalAreLimited(t *testing.T) {
	srv := servertest.Start(t, func(c *config.Config) { c.Connections.MaxTotal = 2 })
	for i := 0; i < 2; i++ {
		if ws, code := dialFrom(t, srv.WSURL(), ""); ws == nil {
			t.Fatalf("socket %d: %d, want 101", i+1, code)
		}
	}
	if _, code := dialFrom(t, srv.WSURL(), ""); code != http.StatusServiceUnavailable {
		t.Errorf("socket 3 over a total of 2: %d, want 503", code)
	}
}

// TestClosedSocketFreesItsCount: a signalling socket is served after its
// HTTP handler returned; its count is held until the socket ends, then
// freed for the next one.
func TestClosedSocketFreesItsCount(t *testing.T) {
	srv := servertest.Start(t, func(c *config.Config) { c.Connections.MaxTotal = 2 })
	first, _ := dialFrom(t, srv.WSURL(), "")
	if ws, code := dialFrom(t, srv.WSURL(), ""); ws == nil {
		t.Fatalf("socket 2: %d, want 101", code)
	}
	if _, code := dialFrom(t, srv.WSURL(), ""); code != http.StatusServiceUnavailable {
		t.Fatalf("socket 3 over a total of 2 while both live: %d, want 503", code)
	}
	if first == nil {
		t.Fatal("socket 1 refused")
	}
	_ = first.CloseNow()
	deadline := time.Now().Add(20 * time.Second)
	for {
		ws, code := dialFrom(t, srv.WSURL(), "")
		if ws != nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after socket 1 closed, a new socket still gets %d, want 101", code)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
