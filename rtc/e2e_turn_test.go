package rtc_test

import (
	"errors"
	"testing"
	"time"

	"github.com/pion/webrtc/v4/pkg/media"

	"github.com/cohost-rtc/cohost/internal/config"
	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/rtc"
)

func withTURN(c *config.Config) {
	c.TURN.Mode = config.TURNEmbedded
	c.TURN.Port = 0
}

// TestE2ECloudProxyRelaysMedia: a host forcing the TCP proxy publishes
// and a viewer forcing the UDP proxy receives its audio: every packet goes
// through the server's TURN relay, since both clients gather relay
// candidates only.
func TestE2ECloudProxyRelaysMedia(t *testing.T) {
	checkLeaks(t)
	srv := startServer(t, withTURN)
	ctx := ctxT(t)
	host := newClient(t, srv, "host", asHost, func(c *rtc.EngineConfig) { c.CloudProxy = rtc.TCPProxy })
	host.join(t, "proxied", 1)
	viewer := newClient(t, srv, "viewer")
	if err := viewer.SetCloudProxy(rtc.UDPProxy); err != nil {
		t.Fatalf("SetCloudProxy before join: %v", err)
	}
	viewer.join(t, "proxied", 2)
	if err := viewer.SetCloudProxy(rtc.NoneProxy); !errors.Is(err, rtc.ErrAlreadyJoined) {
		t.Fatalf("SetCloudProxy in a channel: %v, want ErrAlreadyJoined", err)
	}

	audio, err := rtc.NewLocalTrack(protocol.CodecOpus)
	if err != nil {
		t.Fatal(err)
	}
	if err := host.Publish(ctx, audio); err != nil {
		t.Fatalf("Publish through the TCP relay: %v", err)
	}
	viewer.waitEvent(t, "user-published 1 audio")
	track, err := viewer.Subscribe(ctx, 1, protocol.MediaAudio)
	if err != nil {
		t.Fatalf("Subscribe through the UDP relay: %v", err)
	}
	got := make(chan []byte, 64)
	go func() {
		for {
			pkt, err := track.ReadRTP()
			if err != nil {
				close(got)
				return
			}
			select {
			case got <- pkt.Payload:
			default:
			}
		}
	}()
	want := []byte("relayed opus frame")
	deadline := time.Now().Add(waitTimeout)
	for received := false; !received; {
		if time.Now().After(deadline) {
			t.Fatal("no audio through the relays within 20 s")
		}
		if err := audio.WriteSample(media.Sample{Data: want, Duration: 20 * time.Millisecond}); err != nil {
			t.Fatalf("WriteSample: %v", err)
		}
		select {
		case p, ok := <-got:
			if !ok {
				t.Fatal("the subscription ended")
			}
			received = string(p) == string(want)
		case <-time.After(20 * time.Millisecond):
		}
	}
	if n := srv.TURNAllocations(); n < 2 {
		t.Fatalf("%d TURN allocations, want the host's and the viewer's", n)
	}
}

// TestE2ECloudProxyWithoutTURN: forcing a proxy against a server that
// hands out no TURN server fails the join instead of joining without media.
func TestE2ECloudProxyWithoutTURN(t *testing.T) {
	checkLeaks(t)
	srv := startServer(t)
	c := newClient(t, srv, "c", func(c *rtc.EngineConfig) { c.CloudProxy = rtc.UDPProxy })
	if _, err := c.JoinChannel(ctxT(t), "", "noturn", 1); !errors.Is(err, rtc.ErrNoProxy) {
		t.Fatalf("JoinChannel with a forced proxy and no TURN: %v, want ErrNoProxy", err)
	}
	if err := c.SetCloudProxy(rtc.CloudProxyType(7)); err == nil {
		t.Fatal("SetCloudProxy(7) accepted")
	}
}
