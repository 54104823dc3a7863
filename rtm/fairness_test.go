package rtm_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/cohost-rtc/cohost/internal/config"
	"github.com/cohost-rtc/cohost/internal/servertest"
	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/rtm"
)

// TestFloodersWaitWhileBystanderIsServed: two users write 30 KB peer
// messages as fast as their sockets take them, each to a receiver that
// reads two frames a second and acknowledges nothing (its socket's buffers
// are small, so the node soon holds its messages), with rate limits far
// above the flood. The node answers every message it reads: each times
// out unacknowledged after 2 s. Its budget (64 KB here) fills up and
// each flooder is read only within its share, as its receiver drains: the
// rest of its messages wait in its socket, unread and unanswered, instead
// of piling up in the node. Meanwhile a bystander's peer messages are all
// read, delivered and acknowledged. A node without budget reads every
// flooder's message at once and queues it for the slow receivers: every
// one of them is answered.
func TestFloodersWaitWhileBystanderIsServed(t *testing.T) {
	const timeout = 2 * time.Second
	srv := servertest.Start(t, func(c *config.Config) {
		c.RTM.Limits.NodeBudgetBytes = 64 << 10
		c.RTM.Rates.Messages = "100000/1s"
		c.RTM.Rates.Requests = "100000/1s"
		c.RTM.Timers.PeerMessageTimeout = timeout
	})
	_, bRec := login(t, srv, "b")
	a, _ := login(t, srv, "a")

	const (
		flooders = 2
		frames   = 600 // 18 MB each, several times what the slow receivers' sockets hold
		textLen  = 30000
	)
	var answered [flooders]atomic.Int64
	var wg sync.WaitGroup
	defer wg.Wait()
	floodCtx, stop := context.WithCancel(context.Background())
	defer stop()
	for i := range flooders {
		rx := rawLogin(t, srv, fmt.Sprint("slow-", i), 4<<10)
		tx := rawLogin(t, srv, fmt.Sprint("flooder-", i), 32<<10)
		t.Cleanup(func() {
			_ = rx.CloseNow()
			_ = tx.CloseNow()
		})
		wg.Go(func() { // the slow receiver: two frames a second, and a ping every second
			ping := mustEnvelope(t, 1, protocol.RTMTypePing, struct{}{})
			tick := time.NewTicker(500 * time.Millisecond)
			defer tick.Stop()
			for k := 0; ; k++ {
				select {
				case <-floodCtx.Done():
					return
				case <-tick.C:
				}
				if _, _, err := rx.Read(floodCtx); err != nil {
					return
				}
				if k%2 == 0 && rx.Write(floodCtx, websocket.MessageText, ping) != nil {
					return
				}
			}
		})
		wg.Go(func() { // the answers to the flooder, counted
			for {
				_, b, err := tx.Read(floodCtx)
				if err != nil {
					return
				}
				var env protocol.Envelope
				if json.Unmarshal(b, &env) == nil && env.ID == 2 {
					answered[i].Add(1)
				}
			}
		})
		frame := mustEnvelope(t, 2, protocol.RTMTypeSendPeerMessage, protocol.RTMSendPeerMessageRequest{
			PeerID: fmt.Sprint("slow-", i), Message: protocol.RTMMessage{Type: protocol.RTMMessageText, Text: strings.Repeat("f", textLen)}})
		wg.Go(func() {
			for range frames {
				if tx.Write(floodCtx, websocket.MessageText, frame) != nil {
					return
				}
			}
		})
	}
	counts := func() [flooders]int64 {
		var out [flooders]int64
		for i := range out {
			out[i] = answered[i].Load()
		}
		return out
	}

	// The node answers what it reads within the timeout: once both
	// flooders have answers, the answers over twice the timeout more tell
	// what it read (an upper bound: a slow machine reads less).
	deadline := time.Now().Add(60 * time.Second)
	for now := counts(); now[0] == 0 || now[1] == 0; now = counts() {
		if time.Now().After(deadline) {
			t.Fatalf("the node answered no flood message: %v", now)
		}
		time.Sleep(50 * time.Millisecond)
	}
	window := time.Now().Add(2*timeout + time.Second)
	for now := counts(); time.Now().Before(window) && (now[0] < frames || now[1] < frames); now = counts() {
		time.Sleep(50 * time.Millisecond)
	}
	check := func(when string) {
		t.Helper()
		for i, n := range counts() {
			if n > frames/2 {
				t.Fatalf("%s: the node read and answered %d of flooder %d's %d messages", when, n, i, frames)
			}
		}
	}
	check("flood")

	// The flooders wait, unread; the bystander is read and served.
	const n = 20
	for i := range n {
		code, err := a.SendMessageToPeer(ctx(t), "b", rtm.NewTextMessage(fmt.Sprint("m", i)), nil)
		if err != nil || code != protocol.RTMPeerMessageOK {
			t.Fatalf("bystander message %d: %v, %v (flooders answered %v)", i, code, err, counts())
		}
	}
	for i := range n {
		bRec.waitFor(t, fmt.Sprintf("peer a m%d offline=false", i))
	}
	check("after the bystander's messages")
	t.Logf("the flooders' messages the node read: %v of %d each", counts(), frames)
	stop()
}

// TestRefusedMessagePausesReading: a message refused for the messages
// limit pauses the reading of its sender's socket until the limit has a
// token again (at most 250 ms): a request sent right after the refused
// message is answered no sooner than that, while the messages before it
// were answered at once.
func TestRefusedMessagePausesReading(t *testing.T) {
	srv := servertest.Start(t, func(c *config.Config) {
		c.RTM.Rates.Messages = "2/1s" // a token every 500 ms
		c.RTM.Rates.Requests = "100000/1s"
	})
	ws := rawLogin(t, srv, "a", 64<<10)
	t.Cleanup(func() { _ = ws.CloseNow() })
	msg := protocol.RTMSendPeerMessageRequest{PeerID: "nobody", Message: protocol.RTMMessage{Type: protocol.RTMMessageText, Text: "m"}}
	var sent time.Time
	for id := uint64(2); id <= 5; id++ {
		frame := mustEnvelope(t, id, protocol.RTMTypeSendPeerMessage, msg)
		if id == 5 {
			frame = mustEnvelope(t, id, protocol.RTMTypePing, struct{}{})
		}
		if id == 4 {
			sent = time.Now()
		}
		if err := ws.Write(ctx(t), websocket.MessageText, frame); err != nil {
			t.Fatal(err)
		}
	}
	for {
		_, b, err := ws.Read(ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		var env protocol.Envelope
		if err := json.Unmarshal(b, &env); err != nil {
			t.Fatal(err)
		}
		switch env.ID {
		case 4:
			if env.Error == nil || env.Error.Code != protocol.ErrorCode(protocol.RTMPeerMessageTooOften) {
				t.Fatalf("the third message within the limit of 2: %s, want PEER_MESSAGE_TOO_OFTEN", b)
			}
		case 5:
			if env.Error != nil {
				t.Fatalf("ping: %v", env.Error)
			}
			if d := time.Since(sent); d < 250*time.Millisecond {
				t.Errorf("the ping after the refused message was answered %v after it was sent, want at least 250 ms", d)
			}
			return
		}
	}
}

// rawLogin logs user in on a WebSocket of its own whose socket buffers
// hold buf bytes each way (the kernel's automatic tuning off).
func rawLogin(t *testing.T, srv *servertest.Server, user string, buf int) *websocket.Conn {
	t.Helper()
	dialer := &net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		var serr error
		err := rc.Control(func(fd uintptr) {
			serr = errors.Join(syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, buf),
				syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_SNDBUF, buf))
		})
		if err != nil {
			return err
		}
		return serr
	}}
	client := &http.Client{Transport: &http.Transport{DialContext: dialer.DialContext}}
	ws, _, err := websocket.Dial(ctx(t), srv.Endpoints().RTM, &websocket.DialOptions{HTTPClient: client})
	if err != nil {
		t.Fatal(err)
	}
	ws.SetReadLimit(1 << 20)
	login := mustEnvelope(t, 1, protocol.RTMTypeLogin, protocol.RTMLoginRequest{Version: protocol.RTMVersion, AppID: srv.TestAppID, UserID: user})
	if err := ws.Write(ctx(t), websocket.MessageText, login); err != nil {
		t.Fatal(err)
	}
	for {
		_, b, err := ws.Read(ctx(t))
		if err != nil {
			t.Fatalf("%s: login: %v", user, err)
		}
		var env protocol.Envelope
		if err := json.Unmarshal(b, &env); err != nil {
			t.Fatal(err)
		}
		if env.ID == 1 {
			if env.Error != nil {
				t.Fatalf("%s: login refused: %v", user, env.Error)
			}
			return ws
		}
	}
}

func mustEnvelope(t *testing.T, id uint64, typ protocol.Type, v any) []byte {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(protocol.Envelope{ID: id, Type: typ, Data: data})
	if err != nil {
		t.Fatal(err)
	}
	return b
}
