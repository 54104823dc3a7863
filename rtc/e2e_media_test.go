package rtc_test

import (
	"bytes"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4/pkg/media"

	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/rtc"
)

// Payload kinds of the media tests: warm-up packets until every receiver
// gets media, then numbered test packets, then end packets.
const (
	kindWarm = 'W'
	kindTest = 'T'
	kindEnd  = 'E'
)

// vp8Key is a VP8 payload descriptor (start of partition) and the header
// of a 320×240 key frame: every test video packet is a whole key frame.
var vp8Key = []byte{0x10, 0x10, 0x00, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00}

// payload builds a test payload: prefix, kind, index and a filler whose
// length and content depend on the index.
func payload(prefix []byte, kind byte, i int) []byte {
	b := append([]byte{}, prefix...)
	b = append(b, kind, byte(i>>8), byte(i))
	for j := range 20 + i%97 {
		b = append(b, byte(i*7+j))
	}
	return b
}

// mediaSender writes Opus samples and VP8 RTP packets to a host's tracks.
type mediaSender struct {
	audio, video *rtc.LocalTrack
	vseq         uint16
	vts          uint32
}

func (s *mediaSender) send(t *testing.T, kind byte, i int) (audio, video []byte) {
	audio = payload(nil, kind, i)
	if err := s.audio.WriteSample(media.Sample{Data: audio, Duration: 20 * time.Millisecond}); err != nil {
		t.Errorf("audio WriteSample: %v", err)
	}
	video = payload(vp8Key, kind, i)
	s.vseq++
	s.vts += 3000
	pkt := &rtp.Packet{Header: rtp.Header{Version: 2, Marker: true, SequenceNumber: s.vseq, Timestamp: s.vts, PayloadType: 96, SSRC: 1}, Payload: video}
	if err := s.video.WriteRTP(pkt); err != nil {
		t.Errorf("video WriteRTP: %v", err)
	}
	return audio, video
}

// receiver reads one remote track and keeps its test packets.
type receiver struct {
	track  *rtc.RemoteTrack
	offset int // where the kind byte is
	warm   atomic.Bool
	ended  atomic.Bool
	mu     sync.Mutex
	test   [][]byte
	seqs   []uint16
	err    error
}

func (r *receiver) run(wg *sync.WaitGroup) {
	defer wg.Done()
	for {
		pkt, err := r.track.ReadRTP()
		if err != nil {
			r.mu.Lock()
			r.err = err
			r.mu.Unlock()
			return
		}
		if len(pkt.Payload) <= r.offset {
			continue
		}
		switch pkt.Payload[r.offset] {
		case kindWarm:
			r.warm.Store(true)
		case kindTest:
			r.warm.Store(true)
			r.mu.Lock()
			r.test = append(r.test, bytes.Clone(pkt.Payload))
			r.seqs = append(r.seqs, pkt.SequenceNumber)
			r.mu.Unlock()
		case kindEnd:
			r.ended.Store(true)
			return
		}
	}
}

// TestE2EFanout: a host publishes Opus and VP8; ten audience members
// subscribe to both and receive every test payload byte-identical, exactly
// once, in sequence order.
func TestE2EFanout(t *testing.T) {
	checkLeaks(t)
	srv := startServer(t)
	const channel, audienceN, n = "fanout", 10, 300
	ctx := ctxT(t)

	host := newClient(t, srv, "host", asHost)
	hostUID := host.join(t, channel, 1)
	audio, err := rtc.NewLocalTrack(protocol.CodecOpus)
	if err != nil {
		t.Fatal(err)
	}
	video, err := rtc.NewLocalTrack(protocol.CodecVP8)
	if err != nil {
		t.Fatal(err)
	}
	if err := host.Publish(ctx, audio, video); err != nil {
		t.Fatalf("Publish: %v", err)
	}

	var receivers []*receiver
	var wg sync.WaitGroup
	for i := range audienceN {
		aud := newClient(t, srv, "audience", func(c *rtc.EngineConfig) { c.Logger = testLogger(t, "aud") })
		aud.join(t, channel, protocol.UID(100+i))
		aud.waitEvent(t, "user-published 1 audio")
		aud.waitEvent(t, "user-published 1 video")
		for _, mt := range []protocol.MediaType{protocol.MediaAudio, protocol.MediaVideo} {
			rt, err := aud.Subscribe(ctx, hostUID, mt)
			if err != nil {
				t.Fatalf("audience %d: Subscribe %s: %v", i, mt, err)
			}
			if rt.UID() != hostUID || rt.MediaType() != mt {
				t.Fatalf("track is %d %s, want %d %s", rt.UID(), rt.MediaType(), hostUID, mt)
			}
			want := protocol.CodecOpus
			off := 0
			if mt == protocol.MediaVideo {
				want, off = protocol.CodecVP8, len(vp8Key)
			}
			if rt.Codec() != want {
				t.Errorf("codec %s, want %s", rt.Codec(), want)
			}
			// Subscribe is idempotent.
			again, err := aud.Subscribe(ctx, hostUID, mt)
			if err != nil || again != rt {
				t.Fatalf("second Subscribe: %v (same track: %t)", err, again == rt)
			}
			r := &receiver{track: rt, offset: off}
			receivers = append(receivers, r)
			wg.Add(1)
			go r.run(&wg)
		}
	}

	deliver(t, &mediaSender{audio: audio, video: video}, n, &wg, receivers...)
	for _, c := range []*client{host} {
		if errs := c.rec.matching("error"); len(errs) > 0 {
			t.Errorf("%s: errors %q", c.name, errs)
		}
	}
}

// sendAudio writes one warm-up audio sample.
func (s *mediaSender) sendAudio(t *testing.T) {
	if err := s.audio.WriteSample(media.Sample{Data: payload(nil, kindWarm, 0), Duration: 20 * time.Millisecond}); err != nil {
		t.Errorf("WriteSample: %v", err)
	}
	time.Sleep(5 * time.Millisecond)
}

// deliver sends warm-up packets until every receiver has media, n test
// packets, then end packets until every receiver has stopped; it checks
// each receiver got every test payload of its kind byte-identical, once,
// with consecutive sequence numbers.
func deliver(t *testing.T, s *mediaSender, n int, wg *sync.WaitGroup, receivers ...*receiver) {
	t.Helper()
	all := func(f func(*receiver) bool) bool {
		for _, r := range receivers {
			if !f(r) {
				return false
			}
		}
		return true
	}
	deadline := time.Now().Add(waitTimeout)
	for i := 0; !all(func(r *receiver) bool { return r.warm.Load() }); i++ {
		if time.Now().After(deadline) {
			t.Fatal("media did not reach every receiver")
		}
		s.send(t, kindWarm, i)
		time.Sleep(10 * time.Millisecond)
	}
	var sentA, sentV [][]byte
	for i := range n {
		a, v := s.send(t, kindTest, i)
		sentA, sentV = append(sentA, a), append(sentV, v)
		time.Sleep(2 * time.Millisecond)
	}
	for i := 0; !all(func(r *receiver) bool { return r.ended.Load() }); i++ {
		if time.Now().After(deadline) {
			t.Fatal("end packets did not reach every receiver")
		}
		s.send(t, kindEnd, i)
		time.Sleep(10 * time.Millisecond)
	}
	wg.Wait()
	for i, r := range receivers {
		sent := sentA
		if r.offset != 0 {
			sent = sentV
		}
		r.mu.Lock()
		if len(r.test) != len(sent) {
			t.Errorf("receiver %d (uid %d %s): %d test packets, want %d", i, r.track.UID(), r.track.MediaType(), len(r.test), len(sent))
		}
		for j := range min(len(r.test), len(sent)) {
			if !bytes.Equal(r.test[j], sent[j]) {
				t.Errorf("receiver %d: packet %d differs", i, j)
				break
			}
			if j > 0 && r.seqs[j] != r.seqs[j-1]+1 {
				t.Errorf("receiver %d: sequence %d after %d", i, r.seqs[j], r.seqs[j-1])
				break
			}
		}
		r.mu.Unlock()
	}
}
