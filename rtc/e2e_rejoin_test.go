package rtc_test

import (
	"errors"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cohost-rtc/cohost/internal/config"
	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/rtc"
	"github.com/pion/transport/v4"
	"github.com/pion/transport/v4/stdnet"
)

// droppableNet is the network of a client's peer connections: while down
// is set, every UDP packet it sends or receives is lost.
type droppableNet struct {
	transport.Net
	down *atomic.Bool
}

func (n droppableNet) ListenUDP(network string, laddr *net.UDPAddr) (transport.UDPConn, error) {
	c, err := n.Net.ListenUDP(network, laddr)
	if err != nil {
		return nil, err
	}
	return droppableConn{UDPConn: c, down: n.down}, nil
}

func (n droppableNet) ListenPacket(network, address string) (net.PacketConn, error) {
	c, err := n.Net.ListenPacket(network, address)
	if err != nil {
		return nil, err
	}
	return droppablePacketConn{PacketConn: c, down: n.down}, nil
}

type droppableConn struct {
	transport.UDPConn
	down *atomic.Bool
}

func (c droppableConn) ReadFrom(p []byte) (int, net.Addr, error) {
	for {
		n, from, err := c.UDPConn.ReadFrom(p)
		if err != nil || !c.down.Load() {
			return n, from, err
		}
	}
}

func (c droppableConn) WriteTo(p []byte, to net.Addr) (int, error) {
	if c.down.Load() {
		return len(p), nil
	}
	return c.UDPConn.WriteTo(p, to)
}

type droppablePacketConn struct {
	net.PacketConn
	down *atomic.Bool
}

func (c droppablePacketConn) ReadFrom(p []byte) (int, net.Addr, error) {
	for {
		n, from, err := c.PacketConn.ReadFrom(p)
		if err != nil || !c.down.Load() {
			return n, from, err
		}
	}
}

func (c droppablePacketConn) WriteTo(p []byte, to net.Addr) (int, error) {
	if c.down.Load() {
		return len(p), nil
	}
	return c.PacketConn.WriteTo(p, to)
}

// withDroppableMedia routes the client's media through a network that
// down takes off.
func withDroppableMedia(t *testing.T, down *atomic.Bool) func(*rtc.EngineConfig) {
	return func(cfg *rtc.EngineConfig) {
		n, err := stdnet.NewNet()
		if err != nil {
			t.Fatal(err)
		}
		cfg.SettingEngine.SetNet(droppableNet{Net: n, down: down})
	}
}

// TestE2ERejoinAfterDropTimeout: a publishing host whose network is down
// for longer than the server's drop timeout (signalling and media) is
// dropped by the server; when its network comes back the SDK joins the
// channel again on its own with the same uid, role and publications, as
// Agora's SDK: the host sees RECONNECTING then CONNECTED (REJOIN_SUCCESS),
// the audience sees it leave and come back, and its media flows again.
func TestE2ERejoinAfterDropTimeout(t *testing.T) {
	checkLeaks(t)
	srv := startServer(t, func(c *config.Config) { c.Timers.DropTimeout = time.Second })
	ctx := ctxT(t)
	const channel = "rejoin"
	var down atomic.Bool
	host := newClient(t, srv, "host", asHost, withDroppableMedia(t, &down))
	host.join(t, channel, 1)
	audio, video := newTracks(t)
	if err := host.Publish(ctx, audio, video); err != nil {
		t.Fatal(err)
	}
	aud := newClient(t, srv, "audience")
	aud.join(t, channel, 2)
	s := &mediaSender{audio: audio, video: video}
	receive := func(what string) {
		t.Helper()
		rt, err := aud.Subscribe(ctx, 1, protocol.MediaVideo)
		if err != nil {
			t.Fatalf("%s: Subscribe: %v", what, err)
		}
		r := &receiver{track: rt, offset: len(vp8Key)}
		wg := new(syncWG)
		wg.Add(1)
		go r.run(&wg.WaitGroup)
		i := 0
		waitFor(t, what, func() bool {
			s.send(t, kindTest, i)
			i++
			time.Sleep(5 * time.Millisecond)
			r.mu.Lock()
			defer r.mu.Unlock()
			return len(r.test) > 3
		})
		if err := aud.Unsubscribe(ctx, 1, protocol.MediaVideo); err != nil && !errors.Is(err, rtc.ErrNotJoined) {
			t.Errorf("%s: Unsubscribe: %v", what, err)
		}
		wg.Wait()
	}
	aud.waitEvent(t, "user-published 1 video")
	receive("media before the drop")

	down.Store(true)
	host.net.block(true)
	host.net.cut()
	host.waitEvent(t, "state RECONNECTING INTERRUPTED")
	aud.waitEvent(t, "user-offline 1 DROPPED")
	// Past the drop timeout, the host keeps trying to get back.
	dialed := host.net.dialCount()
	waitFor(t, "dials after the drop timeout", func() bool { return host.net.dialCount() >= dialed+2 })
	if st := host.ConnectionState(); st != protocol.ConnReconnecting {
		t.Fatalf("state %s while the network is down, want RECONNECTING", st)
	}
	down.Store(false)
	host.net.block(false)
	host.waitEvent(t, "state CONNECTED REJOIN_SUCCESS")
	host.waitEvent(t, "rejoin-success rejoin 1")
	if host.LocalUID() != 1 {
		t.Errorf("uid %d after the rejoin, want 1", host.LocalUID())
	}
	waitFor(t, "the audience to see the host publish again", func() bool { return aud.rec.count("user-published 1 video") == 2 })
	receive("media after the rejoin")
	checkEvents(t, host, []string{
		"state CONNECTING CONNECTING", "state CONNECTED JOIN_SUCCESS",
		"state RECONNECTING INTERRUPTED", "state CONNECTED REJOIN_SUCCESS",
	}, "state")
	checkEvents(t, aud, []string{
		"user-joined 1", "user-published 1 audio", "user-published 1 video",
		"user-unpublished 1 audio", "user-unpublished 1 video", "user-offline 1 DROPPED",
		"user-joined 1", "user-published 1 audio", "user-published 1 video",
	}, "user-")
}
