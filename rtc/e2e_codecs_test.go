package rtc_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/webrtc/v4/pkg/media"

	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/rtc"
)

// h264Frame is an Annex-B access unit: SPS, PPS and an IDR slice large
// enough to be fragmented, carrying i.
func h264Frame(i int) []byte {
	start := []byte{0, 0, 0, 1}
	var b []byte
	b = append(b, start...)
	b = append(b, 0x67, 0x42, 0xe0, 0x1f, 0xda, 0x01, 0x40, 0x16, 0xe8)
	b = append(b, start...)
	b = append(b, 0x68, 0xce, 0x3c, 0x80)
	b = append(b, start...)
	b = append(b, 0x65, 0x88, 0x80|byte(i>>7), 0x80|byte(i&0x7f))
	for j := range 3000 + i%500 {
		b = append(b, byte(j*13+i)|1) // never a start code
	}
	return b
}

// TestE2ECommunicationH264: in the communication profile everyone is a
// host and sees everyone; H264 video arrives frame-exact through
// ReadSample; the publisher hears the key-frame request; muting drops
// writes without a gap in sequence numbers.
func TestE2ECommunicationH264(t *testing.T) {
	checkLeaks(t)
	srv := startServer(t)
	ctx := ctxT(t)
	const channel = "call"
	comm := func(c *rtc.EngineConfig) {
		c.ChannelProfile = new(protocol.ProfileCommunication)
		c.ClientRole = protocol.RoleAudience // ignored in this profile
	}
	a := newClient(t, srv, "a", comm)
	a.join(t, channel, 1)
	b := newClient(t, srv, "b", comm)
	b.join(t, channel, 2)
	carol := newClient(t, srv, "carol", comm)
	carolUID, err := carol.JoinChannelWithUserAccount(ctx, "", channel, "carol@example.com")
	if err != nil {
		t.Fatalf("JoinChannelWithUserAccount: %v", err)
	}
	a.waitEvent(t, "user-joined 2")
	a.waitEvent(t, fmt.Sprintf("user-joined %d", carolUID))
	b.waitEvent(t, "user-joined 1")
	if a.ClientRole() != protocol.RoleBroadcaster || b.ClientRole() != protocol.RoleBroadcaster {
		t.Errorf("roles %s %s", a.ClientRole(), b.ClientRole())
	}

	video, err := rtc.NewLocalTrack(protocol.CodecH264)
	if err != nil {
		t.Fatal(err)
	}
	audio, err := rtc.NewLocalTrack(protocol.CodecOpus)
	if err != nil {
		t.Fatal(err)
	}
	var keyFrameAsked atomic.Bool
	video.OnKeyFrameRequest(func() { keyFrameAsked.Store(true) })
	if err := a.Publish(ctx, video, audio); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	b.waitEvent(t, "user-published 1 video")
	b.waitEvent(t, "user-published 1 audio")
	vt, err := b.Subscribe(ctx, 1, protocol.MediaVideo)
	if err != nil {
		t.Fatal(err)
	}
	if vt.Codec() != protocol.CodecH264 {
		t.Errorf("codec %s", vt.Codec())
	}
	at, err := b.Subscribe(ctx, 1, protocol.MediaAudio)
	if err != nil {
		t.Fatal(err)
	}

	// Video: whole frames, as sent.
	type frame struct {
		data []byte
		err  error
	}
	frames := make(chan frame, 1024)
	go func() {
		for {
			s, err := vt.ReadSample()
			if err != nil {
				frames <- frame{err: err}
				return
			}
			frames <- frame{data: s.Data}
		}
	}()
	var sent [][]byte
	got, next, lastIdx := 0, 0, -1
	deadline := time.Now().Add(waitTimeout)
	for got < 30 {
		if time.Now().After(deadline) {
			t.Fatalf("received %d frames", got)
		}
		f := h264Frame(next)
		sent = append(sent, f)
		if err := video.WriteSample(media.Sample{Data: f, Duration: 33 * time.Millisecond}); err != nil {
			t.Fatalf("WriteSample: %v", err)
		}
		next++
		time.Sleep(5 * time.Millisecond)
	drain:
		for {
			select {
			case fr := <-frames:
				if fr.err != nil {
					t.Fatalf("ReadSample: %v", fr.err)
				}
				at := bytes.Index(fr.data, []byte{0x65, 0x88})
				if at < 0 || at+3 >= len(fr.data) {
					t.Fatalf("a frame without an IDR slice: %x", fr.data[:min(40, len(fr.data))])
				}
				i := int(fr.data[at+2]&0x7f)<<7 | int(fr.data[at+3]&0x7f)
				if got == 0 && !bytes.HasPrefix(fr.data, sent[0][:8]) {
					continue // the subscription started inside a frame
				}
				if i >= len(sent) || !bytes.Equal(fr.data, sent[i]) {
					t.Fatalf("frame %d differs from what was sent (%d bytes)\n got %x\nsent %x", i, len(fr.data), fr.data[:40], sent[min(i, len(sent)-1)][:40])
				}
				if i <= lastIdx {
					t.Fatalf("frame %d after frame %d", i, lastIdx)
				}
				lastIdx = i
				got++
			default:
				break drain
			}
		}
	}
	waitFor(t, "a key-frame request", keyFrameAsked.Load)

	// Audio: muted samples are dropped, and the stream goes on without a
	// sequence gap once unmuted.
	pkts := make(chan *rtpSeq, 1024)
	go func() {
		for {
			p, err := at.ReadRTP()
			if err != nil {
				close(pkts)
				return
			}
			pkts <- &rtpSeq{seq: p.SequenceNumber, kind: p.Payload[0]}
		}
	}()
	warm := func(kind byte) *rtpSeq {
		for {
			select {
			case p := <-pkts:
				if p.kind == kind {
					return p
				}
			case <-time.After(10 * time.Millisecond):
				if err := audio.WriteSample(media.Sample{Data: []byte{kind, 1, 2, 3}, Duration: 20 * time.Millisecond}); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	last := warm('W')
	if err := a.MuteLocalAudioStream(ctx, true); err != nil {
		t.Fatal(err)
	}
	b.waitEvent(t, "mute-audio 1 true")
	for range 20 {
		if err := audio.WriteSample(media.Sample{Data: []byte{'M', 1, 2, 3}, Duration: 20 * time.Millisecond}); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.MuteLocalAudioStream(ctx, false); err != nil {
		t.Fatal(err)
	}
	if err := audio.WriteSample(media.Sample{Data: []byte{'U', 1, 2, 3}, Duration: 20 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	for p := range pkts {
		if p.kind == 'M' {
			t.Fatal("a muted sample was sent")
		}
		if p.seq != last.seq+1 {
			t.Fatalf("sequence %d after %d", p.seq, last.seq)
		}
		last = p
		if p.kind == 'U' {
			break
		}
	}
	if err := b.LeaveChannel(ctx); err != nil {
		t.Fatal(err)
	}
	a.waitEvent(t, "user-offline 2 QUIT")
	// The video track ends too: after the frames queued before the leave,
	// the reader goroutine's ReadSample returns io.EOF.
	ended := time.After(waitTimeout)
	for done := false; !done; {
		select {
		case fr := <-frames:
			if fr.err != nil {
				if !errors.Is(fr.err, io.EOF) {
					t.Errorf("ReadSample after leave: %v", fr.err)
				}
				done = true
			}
		case <-ended:
			t.Fatalf("ReadSample did not end within %v of the leave", waitTimeout)
		}
	}
	if _, err := at.ReadRTP(); !errors.Is(err, io.EOF) {
		t.Errorf("ReadRTP after leave: %v", err)
	}
}

type rtpSeq struct {
	seq  uint16
	kind byte
}
