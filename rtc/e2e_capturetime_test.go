package rtc_test

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/rtc"
)

func TestNTPTimeRoundTrip(t *testing.T) {
	now := time.Now()
	back := rtc.TimeFromNTP(rtc.NTPTime(now))
	if d := back.Sub(now); d < -time.Nanosecond || d > time.Nanosecond {
		t.Fatalf("round trip off by %v", d)
	}
}

// TestE2ECaptureTime: a host with SendCaptureTime stamps its packets with
// abs-capture-time; a viewer receives it through the server.
func TestE2ECaptureTime(t *testing.T) {
	srv := startServer(t)
	host := newClient(t, srv, "host", asHost, func(c *rtc.EngineConfig) { c.SendCaptureTime = true })
	host.join(t, "ct", 1)
	audio, err := rtc.NewLocalTrack(protocol.CodecOpus)
	if err != nil {
		t.Fatal(err)
	}
	if err := host.Publish(ctxT(t), audio); err != nil {
		t.Fatal(err)
	}
	viewer := newClient(t, srv, "viewer")
	viewer.join(t, "ct", 2)
	viewer.waitEvent(t, "user-published 1 audio")
	track, err := viewer.Subscribe(ctxT(t), 1, protocol.MediaAudio)
	if err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for seq := uint16(1); ; seq++ {
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
			}
			_ = audio.WriteRTP(&rtp.Packet{Header: rtp.Header{Version: 2, SequenceNumber: seq, Timestamp: uint32(seq) * 480}, Payload: []byte{1, 2, 3}})
		}
	}()
	pkt, err := track.ReadRTP()
	if err != nil {
		t.Fatal(err)
	}
	var stamp time.Time
	for _, id := range pkt.Header.GetExtensionIDs() {
		if ext := pkt.Header.GetExtension(id); len(ext) == 8 {
			stamp = rtc.TimeFromNTP(binary.BigEndian.Uint64(ext))
		}
	}
	if d := time.Since(stamp); stamp.IsZero() || d < 0 || d > 5*time.Second {
		t.Fatalf("capture time %v (%v ago); extensions %v", stamp, d, pkt.Header.GetExtensionIDs())
	}
}
