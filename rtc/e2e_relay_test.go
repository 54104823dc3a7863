package rtc_test

import (
	"bytes"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cohost-rtc/cohost/internal/config"
	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/rtc"
)

// publishAV publishes an Opus and a VP8 track from c.
func publishAV(t *testing.T, c *client) *mediaSender {
	t.Helper()
	audio, err := rtc.NewLocalTrack(protocol.CodecOpus)
	if err != nil {
		t.Fatal(err)
	}
	video, err := rtc.NewLocalTrack(protocol.CodecVP8)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Publish(ctxT(t), audio, video); err != nil {
		t.Fatalf("%s: Publish: %v", c.name, err)
	}
	return &mediaSender{audio: audio, video: video}
}

// receive subscribes c to uid's media type and starts reading.
func receive(t *testing.T, c *client, uid protocol.UID, mt protocol.MediaType, wg *sync.WaitGroup) *receiver {
	t.Helper()
	c.waitEvent(t, "user-published "+uid.String()+" "+string(mt))
	rt, err := c.Subscribe(ctxT(t), uid, mt)
	if err != nil {
		t.Fatalf("%s: Subscribe %d %s: %v", c.name, uid, mt, err)
	}
	r := &receiver{track: rt}
	if mt == protocol.MediaVideo {
		r.offset = len(vp8Key)
	}
	wg.Add(1)
	go r.run(wg)
	return r
}

func relayConfig(dests ...rtc.ChannelMediaInfo) *rtc.ChannelMediaRelayConfiguration {
	cfg := rtc.NewChannelMediaRelayConfiguration()
	cfg.SetSrcChannelInfo(rtc.ChannelMediaInfo{})
	for _, d := range dests {
		cfg.AddDestChannelInfo(d)
	}
	return cfg
}

// relayEvents returns c's relay callbacks so far.
func relayEvents(c *client) []string { return c.rec.matching("relay-") }

func wantSeq(t *testing.T, c *client, want []string) {
	t.Helper()
	var got []string
	deadline := time.Now().Add(waitTimeout)
	for {
		got = relayEvents(c)
		if len(got) >= len(want) || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("%s relay callbacks:\n got  %q\n want %q", c.name, got, want)
	}
}

// TestE2EPKRelay is seeds 001/002: host A in "a" and host B in "b" relay
// into each other's channel; each audience member receives both hosts'
// payloads byte-identical; A sees B's stand-in leave when B leaves.
func TestE2EPKRelay(t *testing.T) {
	srv := startServer(t)
	ctx := ctxT(t)
	hostA := newClient(t, srv, "hostA", asHost)
	hostA.join(t, "a", 1)
	hostB := newClient(t, srv, "hostB", asHost)
	hostB.join(t, "b", 2)
	sa, sb := publishAV(t, hostA), publishAV(t, hostB)
	viewA := newClient(t, srv, "viewA")
	viewA.join(t, "a", 11)
	viewB := newClient(t, srv, "viewB")
	viewB.join(t, "b", 22)

	if err := hostA.StartChannelMediaRelay(ctx, relayConfig(rtc.ChannelMediaInfo{ChannelName: "b", UID: 1001})); err != nil {
		t.Fatalf("A start: %v", err)
	}
	hasNow(t, hostA, "StartChannelMediaRelay", "relay-state RELAY_STATE_RUNNING RELAY_OK ")
	wantSeq(t, hostA, []string{
		"relay-state RELAY_STATE_CONNECTING RELAY_OK ",
		"relay-event PACKET_JOINED_SRC_CHANNEL a",
		"relay-event PACKET_JOINED_DEST_CHANNEL b",
		"relay-event PACKET_SENT_TO_DEST_CHANNEL b",
		"relay-event PACKET_RECEIVED_VIDEO_FROM_SRC ",
		"relay-event PACKET_RECEIVED_AUDIO_FROM_SRC ",
		"relay-state RELAY_STATE_RUNNING RELAY_OK ",
	})
	if err := hostB.StartChannelMediaRelay(ctx, relayConfig(rtc.ChannelMediaInfo{ChannelName: "a", UID: 2002})); err != nil {
		t.Fatalf("B start: %v", err)
	}
	// Hosts of both channels see each other; audiences see both hosts.
	hostA.waitEvent(t, "user-joined 2002")
	hostB.waitEvent(t, "user-joined 1001")
	viewA.waitEvent(t, "user-joined 2002")
	viewB.waitEvent(t, "user-joined 1001")

	var wg sync.WaitGroup
	rs := []*receiver{
		receive(t, viewA, 1, protocol.MediaVideo, &wg), receive(t, viewA, 1, protocol.MediaAudio, &wg),
		receive(t, viewB, 1001, protocol.MediaVideo, &wg), receive(t, viewB, 1001, protocol.MediaAudio, &wg),
		receive(t, hostB, 1001, protocol.MediaVideo, &wg),
	}
	deliver(t, sa, 200, &wg, rs...)
	var wg2 sync.WaitGroup
	rs = []*receiver{
		receive(t, viewB, 2, protocol.MediaVideo, &wg2), receive(t, viewA, 2002, protocol.MediaVideo, &wg2),
		receive(t, viewA, 2002, protocol.MediaAudio, &wg2), receive(t, hostA, 2002, protocol.MediaAudio, &wg2),
	}
	deliver(t, sb, 200, &wg2, rs...)

	// B leaves: its relay stops, A and A's audience see its stand-in go.
	if err := hostB.LeaveChannel(ctx); err != nil {
		t.Fatal(err)
	}
	hostA.waitEvent(t, "user-offline 2002 QUIT")
	viewA.waitEvent(t, "user-offline 2002 QUIT")

	if err := hostA.StopChannelMediaRelay(ctx); err != nil {
		t.Fatal(err)
	}
	hostA.waitEvent(t, "relay-state RELAY_STATE_IDLE RELAY_OK ")
	viewB.waitEvent(t, "user-offline 1001 QUIT")
}

func relayErr(t *testing.T, err error, code protocol.ErrorCode) {
	t.Helper()
	var pe *protocol.Error
	if !errors.As(err, &pe) || pe.Code != code {
		t.Fatalf("error %v, want %s", err, code)
	}
}

// TestE2ERelayRules checks every rule the server enforces, with typed errors
// and Agora's relay codes.
func TestE2ERelayRules(t *testing.T) {
	srv := startServer(t, func(c *config.Config) { c.Timers.RelayMinInterval = 300 * time.Millisecond })
	ctx := ctxT(t)
	aud := newClient(t, srv, "aud")
	aud.join(t, "src", 5)
	dest := rtc.ChannelMediaInfo{ChannelName: "d1", UID: 500}
	relayErr(t, aud.StartChannelMediaRelay(ctx, relayConfig(dest)), protocol.ErrRefused)

	host := newClient(t, srv, "host", asHost)
	host.join(t, "src", 1)
	relayErr(t, host.StartChannelMediaRelay(ctx, relayConfig(dest)), protocol.ErrRefused) // not publishing
	publishAV(t, host)
	relayErr(t, host.UpdateChannelMediaRelay(ctx, relayConfig(dest)), protocol.ErrInvalidState)
	relayErr(t, host.StopChannelMediaRelay(ctx), protocol.ErrInvalidState)
	relayErr(t, host.StartChannelMediaRelay(ctx, relayConfig()), protocol.ErrInvalidArgument)
	relayErr(t, host.StartChannelMediaRelay(ctx, relayConfig(rtc.ChannelMediaInfo{ChannelName: "src"})), protocol.ErrInvalidArgument)
	relayErr(t, host.StartChannelMediaRelay(ctx, relayConfig(rtc.ChannelMediaInfo{ChannelName: "bad/name"})), protocol.ErrInvalidChannelName)
	five := relayConfig()
	for _, n := range []string{"d1", "d2", "d3", "d4", "d5"} {
		five.AddDestChannelInfo(rtc.ChannelMediaInfo{ChannelName: n})
	}
	relayErr(t, host.StartChannelMediaRelay(ctx, five), protocol.ErrInvalidArgument)
	badSrc := relayConfig(dest)
	badSrc.SetSrcChannelInfo(rtc.ChannelMediaInfo{ChannelName: "other"})
	relayErr(t, host.StartChannelMediaRelay(ctx, badSrc), protocol.ErrInvalidArgument)
	badSrc.SetSrcChannelInfo(rtc.ChannelMediaInfo{UID: 77})
	relayErr(t, host.StartChannelMediaRelay(ctx, badSrc), protocol.ErrInvalidArgument)

	// A destination uid that is taken refuses the relay: FAILED_JOIN_DEST,
	// and the user who has the uid stays.
	occupant := newClient(t, srv, "occupant")
	occupant.join(t, "d1", 500)
	relayErr(t, host.StartChannelMediaRelay(ctx, relayConfig(dest)), protocol.ErrRelayFailedJoinDest)
	host.waitEvent(t, "relay-state RELAY_STATE_FAILURE FAILED_JOIN_DEST d1")
	if occupant.ConnectionState() != protocol.ConnConnected {
		t.Fatalf("occupant was disturbed: %v", occupant.ConnectionState())
	}
	time.Sleep(srv.Config.Timers.RelayMinInterval) // the failed start counts as a start

	// Four destinations at once.
	four := relayConfig()
	for _, n := range []string{"d2", "d3", "d4", "d5"} {
		four.AddDestChannelInfo(rtc.ChannelMediaInfo{ChannelName: n})
	}
	if err := host.StartChannelMediaRelay(ctx, four); err != nil {
		t.Fatalf("start with four destinations: %v", err)
	}
	for _, n := range []string{"d2", "d3", "d4", "d5"} {
		host.waitEvent(t, "relay-event PACKET_SENT_TO_DEST_CHANNEL "+n)
	}
	relayErr(t, host.StartChannelMediaRelay(ctx, four), protocol.ErrInvalidState)
	// Same destinations and tokens: NOT_CHANGE, accepted.
	time.Sleep(srv.Config.Timers.RelayMinInterval)
	if err := host.UpdateChannelMediaRelay(ctx, four); err != nil {
		t.Fatalf("unchanged update: %v", err)
	}
	host.waitEvent(t, "relay-event PACKET_UPDATE_DEST_CHANNEL_NOT_CHANGE ")
	// Two changes within the interval: the second is refused.
	three := relayConfig(rtc.ChannelMediaInfo{ChannelName: "d2"}, rtc.ChannelMediaInfo{ChannelName: "d3"}, rtc.ChannelMediaInfo{ChannelName: "d4"})
	if err := host.UpdateChannelMediaRelay(ctx, three); err != nil {
		t.Fatalf("update: %v", err)
	}
	relayErr(t, host.UpdateChannelMediaRelay(ctx, four), protocol.ErrTooOften)
	host.waitEvent(t, "relay-event PACKET_UPDATE_DEST_CHANNEL_REFUSED ")
	// Pause and resume; pausing twice fails.
	if err := host.PauseAllChannelMediaRelay(ctx); err != nil {
		t.Fatal(err)
	}
	relayErr(t, host.PauseAllChannelMediaRelay(ctx), protocol.ErrInvalidState)
	if err := host.ResumeAllChannelMediaRelay(ctx); err != nil {
		t.Fatal(err)
	}
	relayErr(t, host.ResumeAllChannelMediaRelay(ctx), protocol.ErrInvalidState)
	host.waitEvent(t, "relay-event PAUSE_SEND_PACKET_TO_DEST_CHANNEL_FAILED ")
	host.waitEvent(t, "relay-event RESUME_SEND_PACKET_TO_DEST_CHANNEL_FAILED ")
	// Becoming audience stops the relay (after unpublishing, as Web does).
	if err := host.SetClientRole(ctx, protocol.RoleAudience); err != nil {
		t.Fatal(err)
	}
	host.waitEvent(t, "relay-state RELAY_STATE_IDLE RELAY_OK ")
}

// TestE2ERelayContinuity: destination subscribers see no gap in sequence
// numbers when the relay swaps another destination, nor across a pause.
func TestE2ERelayContinuity(t *testing.T) {
	srv := startServer(t, func(c *config.Config) { c.Timers.RelayMinInterval = 100 * time.Millisecond })
	ctx := ctxT(t)
	host := newClient(t, srv, "host", asHost)
	host.join(t, "src", 1)
	s := publishAV(t, host)
	v1 := newClient(t, srv, "v1")
	v1.join(t, "d1", 11)
	v2 := newClient(t, srv, "v2")
	v2.join(t, "d2", 12)
	v3 := newClient(t, srv, "v3")
	v3.join(t, "d3", 13)
	if err := host.StartChannelMediaRelay(ctx, relayConfig(rtc.ChannelMediaInfo{ChannelName: "d1", UID: 101}, rtc.ChannelMediaInfo{ChannelName: "d2", UID: 102})); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	r1 := receive(t, v1, 101, protocol.MediaVideo, &wg)
	deadline := time.Now().Add(waitTimeout)
	for i := 0; !r1.warm.Load(); i++ {
		if time.Now().After(deadline) {
			t.Fatal("no media through the relay")
		}
		s.send(t, kindWarm, i)
		time.Sleep(10 * time.Millisecond)
	}
	var sent [][]byte
	phase := func(from, to int) {
		for i := from; i < to; i++ {
			_, v := s.send(t, kindTest, i)
			sent = append(sent, v)
			time.Sleep(3 * time.Millisecond)
		}
	}
	phase(0, 100)
	// Swap d2 for d3 while media flows: d1 keeps receiving without a gap.
	if err := host.UpdateChannelMediaRelay(ctx, relayConfig(rtc.ChannelMediaInfo{ChannelName: "d1", UID: 101}, rtc.ChannelMediaInfo{ChannelName: "d3", UID: 103})); err != nil {
		t.Fatal(err)
	}
	phase(100, 200)
	v2.waitEvent(t, "user-offline 102 QUIT")
	v3.waitEvent(t, "user-published 103 video")
	// Pause: nothing reaches d1; resume: the sequence continues where it stopped.
	if err := host.PauseAllChannelMediaRelay(ctx); err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		s.send(t, 'P', i)
		time.Sleep(3 * time.Millisecond)
	}
	if err := host.ResumeAllChannelMediaRelay(ctx); err != nil {
		t.Fatal(err)
	}
	phase(200, 300)
	for i := 0; !r1.ended.Load(); i++ {
		if time.Now().After(deadline) {
			t.Fatal("end packets did not arrive")
		}
		s.send(t, kindEnd, i)
		time.Sleep(10 * time.Millisecond)
	}
	wg.Wait()
	r1.mu.Lock()
	defer r1.mu.Unlock()
	if len(r1.test) != len(sent) {
		t.Fatalf("d1 got %d test packets, want %d", len(r1.test), len(sent))
	}
	for j := range sent {
		if !bytes.Equal(r1.test[j], sent[j]) {
			t.Fatalf("packet %d differs", j)
		}
		if j > 0 && r1.seqs[j] != r1.seqs[j-1]+1 {
			t.Fatalf("gap: sequence %d after %d at packet %d", r1.seqs[j], r1.seqs[j-1], j)
		}
	}
	for _, c := range []*client{host, v1} {
		if errs := c.rec.matching("error"); len(errs) > 0 {
			t.Errorf("%s: errors %q", c.name, errs)
		}
	}
}
