package sfu

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/cohost-rtc/cohost/protocol"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"
)

// cascadePair links node a (DTLS server) and node b (DTLS client).
func cascadePair(t *testing.T, a, b *Media) (ca, cb *Cascade) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	var errA error
	wg.Add(1)
	go func() {
		defer wg.Done()
		ca, errA = a.NewCascade(ctx, CascadeConfig{Remote: mediaAddr(b), RemoteFingerprint: b.Fingerprint()})
	}()
	cb, errB := b.NewCascade(ctx, CascadeConfig{Remote: mediaAddr(a), Client: true, RemoteFingerprint: a.Fingerprint()})
	wg.Wait()
	if errA != nil || errB != nil {
		t.Fatalf("cascade: a %v, b %v", errA, errB)
	}
	t.Cleanup(func() { _ = ca.Close(); _ = cb.Close() })
	return ca, cb
}

// payloadLog records the payloads one subscriber receives, in order.
type payloadLog struct {
	mu   sync.Mutex
	got  []string
	done chan struct{}
}

func (l *payloadLog) read(s *subscriber) {
	defer close(l.done)
	tr, ok := <-s.tracks
	if !ok {
		return
	}
	for {
		p, _, err := tr.ReadRTP()
		if err != nil {
			return
		}
		l.mu.Lock()
		l.got = append(l.got, string(p.Payload))
		l.mu.Unlock()
	}
}

func (l *payloadLog) snapshot() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.got...)
}

func (l *payloadLog) has(p string) bool {
	for _, g := range l.snapshot() {
		if g == p {
			return true
		}
	}
	return false
}

// waitUntil polls cond until it holds, failing after 20 s.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after 20 s: %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// source is a published track on node a fed by the test, as a
// publisher's read loop would feed it; it records the keyframe requests
// that reach the publisher.
type source struct {
	pt   *PublishedTrack
	hdr  rtp.Header
	seq  uint16
	mu   sync.Mutex
	plis int
}

func newSource(stats *Stats) *source {
	s := &source{pt: NewPublishedTrack(7, protocol.MediaVideo, protocol.CodecVP8, stats, time.Millisecond, slog.New(slog.DiscardHandler))}
	s.pt.started.Store(true)
	s.pt.mediaSSRC.Store(4242)
	s.pt.rtcp = func(pkts []rtcp.Packet) error {
		for _, p := range pkts {
			if pli, ok := p.(*rtcp.PictureLossIndication); ok && pli.MediaSSRC == 4242 {
				s.mu.Lock()
				s.plis++
				s.mu.Unlock()
			}
		}
		return nil
	}
	return s
}

func (s *source) packet(payload string) []byte {
	s.seq++
	p := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 96, SequenceNumber: s.seq, Timestamp: uint32(s.seq) * 3000, SSRC: 4242}, Payload: []byte(payload)}
	raw, _ := p.Marshal()
	return raw
}

func (s *source) send(payload string) { s.pt.forward(&s.hdr, s.packet(payload)) }

func (s *source) keyframeRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.plis
}

// TestCascadeCarriesATrackOncePerNode: a track published on node a and
// watched by three subscribers of node b crosses the link once: a sends
// one copy of each packet, b sends one to each subscriber, every
// subscriber gets every payload once and in order, and b's subscribers'
// keyframe requests reach the publisher on a.
func TestCascadeCarriesATrackOncePerNode(t *testing.T) {
	a, b := newTestMedia(t), newTestMedia(t)
	ca, cb := cascadePair(t, a, b)
	statsA, statsB := &Stats{}, &Stats{}
	src := newSource(statsA)

	in, ssrc, err := cb.Receive(7, protocol.MediaVideo, protocol.CodecVP8, statsB, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := ca.Send(src.pt, ssrc); err != nil {
		t.Fatal(err)
	}
	if err := ca.Send(src.pt, ssrc); err == nil {
		t.Fatal("a second track under one SSRC was accepted")
	}
	const viewers = 3
	logs := make([]*payloadLog, viewers)
	for i := range viewers {
		s := newSubscriber(t, b)
		s.down.Add(NewDownTrack(in))
		logs[i] = &payloadLog{done: make(chan struct{})}
		go logs[i].read(s)
		waitConnected(t, s.pc)
	}
	// Warm up until every viewer receives: their tracks start on the
	// first packet bound.
	n := 0
	waitUntil(t, "every viewer receives the warm-up", func() bool {
		n++
		src.send(fmt.Sprintf("warm-%d", n))
		for _, l := range logs {
			if len(l.snapshot()) == 0 {
				return false
			}
		}
		return true
	})
	waitUntil(t, "a keyframe request from node b reaches the publisher", func() bool { return src.keyframeRequests() > 0 })
	if ca.Stats().KeyframeRequestsReceived.Load() == 0 {
		t.Fatal("node a counted no keyframe request from node b")
	}

	// Node b has forwarded everything of the warm-up.
	waitUntil(t, "node b receives the whole warm-up", func() bool { return statsB.PacketsIn() == uint64(n) })
	outA, outB := statsA.PacketsOut(), statsB.PacketsOut()
	const count = 200
	for i := range count {
		src.send(fmt.Sprintf("p-%04d", i))
		time.Sleep(time.Millisecond)
	}
	for i, l := range logs {
		waitUntil(t, fmt.Sprintf("viewer %d receives all %d payloads", i, count), func() bool { return l.has(fmt.Sprintf("p-%04d", count-1)) })
		var seen []string
		for _, g := range l.snapshot() {
			if len(g) == 6 && g[:2] == "p-" {
				seen = append(seen, g)
			}
		}
		if len(seen) != count {
			t.Fatalf("viewer %d got %d payloads, want %d", i, len(seen), count)
		}
		for j, g := range seen {
			if g != fmt.Sprintf("p-%04d", j) {
				t.Fatalf("viewer %d: payload %d is %q", i, j, g)
			}
		}
	}
	if got := statsA.PacketsOut() - outA; got != count {
		t.Errorf("node a sent %d packets for %d, want one stream (%d)", got, count, count)
	}
	waitUntil(t, "node b counts its viewers' copies", func() bool { return statsB.PacketsOut()-outB >= viewers*count })
	if got := statsB.PacketsOut() - outB; got != viewers*count {
		t.Errorf("node b sent %d packets, want %d (one per viewer)", got, viewers*count)
	}

	// Once node b stops receiving, node a sends nothing more.
	cb.StopReceiving(ssrc)
	ca.StopSending(ssrc)
	if ca.Sending() != 0 || cb.Receiving() != 0 {
		t.Fatalf("sending %d, receiving %d after stop", ca.Sending(), cb.Receiving())
	}
	outA = statsA.PacketsOut()
	for i := range 10 {
		src.send(fmt.Sprintf("after-%d", i))
	}
	if got := statsA.PacketsOut() - outA; got != 0 {
		t.Errorf("node a sent %d packets after node b stopped receiving", got)
	}
}

// TestCascadeRecoversLinkLoss: a video packet lost between the nodes is
// asked for again by the receiving node and reaches its subscriber.
func TestCascadeRecoversLinkLoss(t *testing.T) {
	a, b := newTestMedia(t), newTestMedia(t)
	ca, cb := cascadePair(t, a, b)
	statsA, statsB := &Stats{}, &Stats{}
	src := newSource(statsA)
	in, ssrc, err := cb.Receive(7, protocol.MediaVideo, protocol.CodecVP8, statsB, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := ca.Send(src.pt, ssrc); err != nil {
		t.Fatal(err)
	}
	s := newSubscriber(t, b)
	s.down.Add(NewDownTrack(in))
	l := &payloadLog{done: make(chan struct{})}
	go l.read(s)
	waitConnected(t, s.pc)
	n := 0
	waitUntil(t, "the viewer receives the warm-up", func() bool {
		n++
		src.send(fmt.Sprintf("warm-%d", n))
		return len(l.snapshot()) > 0
	})
	// The publisher's packet reaches node a's cache but not the link, as
	// if the link had lost it; the next one shows node b the gap.
	lost := src.packet("lost")
	src.pt.cache.put(src.seq, lost)
	src.send("after")
	waitUntil(t, "the lost packet reaches the viewer", func() bool { return l.has("lost") })
	if cb.Stats().NACKsSent.Load() == 0 || ca.Stats().NACKsReceived.Load() == 0 {
		t.Fatalf("NACKs sent %d, received %d", cb.Stats().NACKsSent.Load(), ca.Stats().NACKsReceived.Load())
	}
}

// TestCascadeCloseStopsTracks: closing the link stops every track it sent
// and ends those it received.
func TestCascadeCloseStopsTracks(t *testing.T) {
	a, b := newTestMedia(t), newTestMedia(t)
	ca, cb := cascadePair(t, a, b)
	src := newSource(&Stats{})
	in, ssrc, err := cb.Receive(7, protocol.MediaVideo, protocol.CodecVP8, &Stats{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := ca.Send(src.pt, ssrc); err != nil {
		t.Fatal(err)
	}
	if len(src.pt.DownTracks()) != 1 {
		t.Fatalf("%d down tracks on the source", len(src.pt.DownTracks()))
	}
	_ = ca.Close()
	_ = cb.Close()
	if len(src.pt.DownTracks()) != 0 || !in.Closed() {
		t.Fatalf("after close: %d down tracks, received track closed %v", len(src.pt.DownTracks()), in.Closed())
	}
	if err := ca.Send(src.pt, ssrc); err == nil {
		t.Fatal("a closed cascade accepted a track")
	}
}
