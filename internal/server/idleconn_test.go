package server_test

import (
	"bytes"
	"runtime"
	"testing"
	"time"

	"github.com/cohost-rtc/cohost/internal/servertest"
	"github.com/cohost-rtc/cohost/protocol"
)

// serverConnGoroutines counts the goroutines serving signalling sockets:
// readers (a conn's serve), writers (its writeLoop) and net/http handler
// goroutines still inside handleSignal.
func serverConnGoroutines() (readers, writers, handlers int) {
	buf := make([]byte, 8<<20)
	buf = buf[:runtime.Stack(buf, true)]
	for _, g := range bytes.Split(buf, []byte("\n\n")) {
		switch {
		case bytes.Contains(g, []byte("internal/server.(*conn).writeLoop")):
			writers++
		case bytes.Contains(g, []byte("internal/server.(*conn).serve")):
			readers++
		case bytes.Contains(g, []byte("internal/server.(*Server).handleSignal")):
			handlers++
		}
	}
	return readers, writers, handlers
}

// TestIdleSignalSocketKeepsOnlyItsReader: a joined socket with nothing to
// send costs one goroutine, its reader, outside net/http's handler; its
// writer runs only while messages are queued, and is started again by the
// next one.
func TestIdleSignalSocketKeepsOnlyItsReader(t *testing.T) {
	srv := servertest.Start(t)
	const n = 40
	audience := make([]*rawClient, n)
	for i := range audience {
		audience[i] = dialRaw(t, srv.WSURL())
		audience[i].join(liveJoin(srv.TestAppID, protocol.UID(100+i), protocol.RoleAudience, ""))
	}
	waitIdle := func() {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			r, w, h := serverConnGoroutines()
			if r == len(audience) && w == 0 && h == 0 {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("idle sockets: %d readers, %d writers, %d net/http handlers; want %d readers and no other", r, w, h, len(audience))
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitIdle()
	host := dialRaw(t, srv.WSURL())
	host.join(liveJoin(srv.TestAppID, 1, protocol.RoleBroadcaster, ""))
	audience = append(audience, host)
	for _, a := range audience[:n] {
		if j := decodeData[protocol.UserJoinedEvent](t, a.nextEvent(protocol.EventUserJoined, 20*time.Second)); j.UID != 1 {
			t.Fatalf("user-joined %+v, want the host", j)
		}
	}
	waitIdle()
	mustOK(t, audience[0].request(protocol.TypeLeave, nil))
}
