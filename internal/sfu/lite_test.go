package sfu

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cohost-rtc/cohost/protocol"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/sdp/v3"
	"github.com/pion/stun/v4"
	"github.com/pion/webrtc/v4"
)

// rawViewer is a minimal subscriber built from the media layer's own
// pieces on its own port: it answers the server's offer by hand, sends
// ICE checks and runs a DTLS client Link. It lets a test run hundreds of
// viewers, drop chosen packets and send chosen RTCP.
type rawViewer struct {
	t      testing.TB
	srv    *Media
	m      *Media
	down   *Downstream
	offers chan protocol.OfferEvent
	failed chan *DownTrack
	ice    chan webrtc.ICEConnectionState
	link   *Link
	rtp    *packetSink
	drop   func(seq uint16) bool // packets the viewer pretends it lost

	offer    parsedOffer
	ssrcs    map[string]uint32 // by mid
	answered int
}

type parsedOffer struct {
	ufrag, pwd, fingerprint string
	addr                    netip.AddrPort
	sd                      sdp.SessionDescription
}

func newRawViewer(t testing.TB, srv *Media) *rawViewer {
	t.Helper()
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewMedia(MediaConfig{Conn: conn, NoBatch: true, PionDownstream: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close() })
	v := &rawViewer{t: t, srv: srv, m: m, offers: make(chan protocol.OfferEvent, 16), failed: make(chan *DownTrack, 16),
		ice: make(chan webrtc.ICEConnectionState, 64), rtp: newSink(), ssrcs: map[string]uint32{}}
	down, err := srv.NewDownstream(nil, 5*time.Second, func(ev protocol.OfferEvent) { v.offers <- ev },
		func(dt *DownTrack) { v.failed <- dt }, func(s webrtc.ICEConnectionState) {
			select {
			case v.ice <- s:
			default:
			}
		})
	if err != nil {
		t.Fatal(err)
	}
	v.down = down
	t.Cleanup(func() { _ = down.Close() })
	return v
}

func (v *rawViewer) nextOffer() protocol.OfferEvent {
	v.t.Helper()
	select {
	case ev := <-v.offers:
		return ev
	case <-time.After(20 * time.Second):
		v.t.Fatal("no offer within 20 s")
		return protocol.OfferEvent{}
	}
}

func parseOffer(t testing.TB, raw string) parsedOffer {
	t.Helper()
	var o parsedOffer
	if err := o.sd.UnmarshalString(raw); err != nil {
		t.Fatalf("offer: %v\n%s", err, raw)
	}
	if _, ok := o.sd.Attribute("ice-lite"); !ok {
		t.Fatal("the offer does not say ice-lite")
	}
	md := o.sd.MediaDescriptions[0]
	o.ufrag, _ = md.Attribute("ice-ufrag")
	o.pwd, _ = md.Attribute("ice-pwd")
	fp, _ := md.Attribute("fingerprint")
	o.fingerprint = strings.TrimPrefix(fp, "sha-256 ")
	for _, a := range md.Attributes {
		if a.Key != "candidate" {
			continue
		}
		f := strings.Fields(a.Value)
		ap, err := netip.ParseAddrPort(net.JoinHostPort(f[4], f[5]))
		if err != nil {
			t.Fatal(err)
		}
		o.addr = ap
	}
	return o
}

// answer accepts every sendonly section of ev (refuse: mids to reject).
func (v *rawViewer) answer(ev protocol.OfferEvent, refuse ...string) error {
	v.t.Helper()
	v.offer = parseOffer(v.t, ev.SDP)
	var b strings.Builder
	b.WriteString("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n")
	var mids []string
	for _, md := range v.offer.sd.MediaDescriptions {
		mid, _ := md.Attribute("mid")
		mids = append(mids, mid)
	}
	fmt.Fprintf(&b, "a=group:BUNDLE %s\r\n", strings.Join(mids, " "))
	for _, md := range v.offer.sd.MediaDescriptions {
		mid, _ := md.Attribute("mid")
		port := 9
		for _, r := range refuse {
			if r == mid {
				port = 0
			}
		}
		fmt.Fprintf(&b, "m=%s %d UDP/TLS/RTP/SAVPF %s\r\n", md.MediaName.Media, port, strings.Join(md.MediaName.Formats, " "))
		b.WriteString("c=IN IP4 0.0.0.0\r\n")
		fmt.Fprintf(&b, "a=mid:%s\r\na=ice-ufrag:viewer\r\na=ice-pwd:viewerviewerviewerviewer\r\n", mid)
		fmt.Fprintf(&b, "a=fingerprint:sha-256 %s\r\na=setup:active\r\na=rtcp-mux\r\n", v.m.fingerprint)
		if _, ok := md.Attribute("inactive"); ok {
			b.WriteString("a=inactive\r\n")
		} else {
			b.WriteString("a=recvonly\r\n")
		}
		for _, a := range md.Attributes {
			switch a.Key {
			case "rtpmap", "fmtp", "rtcp-fb", "extmap":
				fmt.Fprintf(&b, "a=%s:%s\r\n", a.Key, a.Value)
			case "ssrc":
				var ssrc uint32
				if _, err := fmt.Sscanf(a.Value, "%d", &ssrc); err == nil {
					v.ssrcs[mid] = ssrc
				}
			}
		}
	}
	return v.down.Answer(b.String())
}

// check sends an ICE connectivity check naming the server's ufrag.
func (v *rawViewer) check(nominate bool) {
	v.t.Helper()
	setters := []stun.Setter{stun.TransactionID, stun.BindingRequest, stun.NewUsername(v.offer.ufrag + ":viewer")}
	if nominate {
		setters = append(setters, stun.RawAttribute{Type: stun.AttrUseCandidate})
	}
	setters = append(setters, stun.NewShortTermIntegrity(v.offer.pwd), stun.Fingerprint)
	msg, err := stun.Build(setters...)
	if err != nil {
		v.t.Fatal(err)
	}
	if _, err := v.m.demux.WriteToAddrPort(msg.Raw, v.offer.addr); err != nil {
		v.t.Fatal(err)
	}
}

// connect answers the first offer, checks ICE and runs the DTLS client.
func (v *rawViewer) connect(ctx context.Context) error {
	if err := v.answer(v.nextOffer()); err != nil {
		return err
	}
	v.check(true)
	cfg := LinkConfig{Remote: v.offer.addr, Client: true, Certificate: v.m.cert,
		RemoteFingerprint: v.offer.fingerprint, OnRTP: v.rtp.add}
	var l *Link
	var err error
	if v.drop == nil {
		l, err = v.m.NewLink(ctx, cfg)
	} else {
		// Lost on the way: the packets never reach the link.
		lossy := &lossyPeer{drop: v.drop}
		if l, err = v.m.startLink(cfg, lossy, nil); err == nil {
			lossy.link = l
			v.m.demux.bindAddr(cfg.Remote, lossy)
			v.t.Cleanup(func() { v.m.demux.unbindAddr(cfg.Remote, lossy) })
			err = l.Wait(ctx)
		}
	}
	if err != nil {
		return err
	}
	v.link = l
	v.t.Cleanup(func() { _ = l.Close() })
	return nil
}

// lossyPeer loses chosen SRTP packets before its link sees them (the
// sequence number is in the clear).
type lossyPeer struct {
	link *Link
	drop func(seq uint16) bool
}

func (p *lossyPeer) handlePacket(c packetClass, b []byte, from netip.AddrPort) {
	if c == classRTP && !isRTCP(b) && len(b) >= 4 && p.drop(uint16(b[2])<<8|uint16(b[3])) {
		return
	}
	p.link.handlePacket(c, b, from)
}

// sendRTCP sends the viewer's feedback.
func (v *rawViewer) sendRTCP(pkts ...rtcp.Packet) {
	v.t.Helper()
	b, err := rtcp.Marshal(pkts)
	if err != nil {
		v.t.Fatal(err)
	}
	if err := v.link.WriteRTCP(b); err != nil {
		v.t.Fatal(err)
	}
}

// feeder forwards numbered VP8 packets on pt until stopped.
type feeder struct {
	pt   *PublishedTrack
	seq  atomic.Uint32
	stop chan struct{}
	done chan struct{}
}

func startFeeder(t testing.TB, pt *PublishedTrack, every time.Duration) *feeder {
	f := &feeder{pt: pt, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(f.done)
		tick := time.NewTicker(every)
		defer tick.Stop()
		var hdr rtp.Header
		for {
			select {
			case <-f.stop:
				return
			case <-tick.C:
				f.send(&hdr)
			}
		}
	}()
	t.Cleanup(f.close)
	return f
}

func (f *feeder) send(hdr *rtp.Header) {
	n := f.seq.Add(1)
	p := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 96, SequenceNumber: uint16(n), Timestamp: n * 3000, SSRC: 0x1234},
		Payload: []byte(fmt.Sprintf("packet-%06d", n))}
	b, _ := p.Marshal()
	f.pt.forward(hdr, b)
}

func (f *feeder) close() {
	select {
	case <-f.stop:
	default:
		close(f.stop)
	}
	<-f.done
}

func newVideoTrack() *PublishedTrack {
	return NewPublishedTrack(7, protocol.MediaVideo, protocol.CodecVP8, &Stats{}, time.Millisecond, slog.New(slog.DiscardHandler))
}

// TestLiteViewersCostNoGoroutine: two hundred viewers join a track on the
// fan-out transport and receive it; once connected none of them costs the
// server a goroutine, and after they leave the shared reader knows none of
// them.
func TestLiteViewersCostNoGoroutine(t *testing.T) {
	srv := newTestMedia(t)
	pt := newVideoTrack()
	const n = 200
	viewers := make([]*rawViewer, n)
	for i := range viewers {
		viewers[i] = newRawViewer(t, srv)
	}
	startFeeder(t, pt, 5*time.Millisecond)
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	sem := make(chan struct{}, 16)
	for _, v := range viewers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			v.down.Add(NewDownTrack(pt))
			if err := v.connect(ctx); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for _, v := range viewers {
		v.rtp.waitFor(t, 1)
		// A receiver report proves the viewer's keys to the server.
		v.sendRTCP(&rtcp.ReceiverReport{SSRC: 1})
	}
	waitGoroutines(t, before)
	for _, v := range viewers {
		_ = v.down.Close()
		_ = v.link.Close()
	}
	srv.demux.mu.RLock()
	addrs, frags := len(srv.demux.byAddr), len(srv.demux.byFrag)
	srv.demux.mu.RUnlock()
	if addrs != 0 || frags != 0 {
		t.Fatalf("after every viewer left the shared reader still routes %d addresses and %d ufrags", addrs, frags)
	}
	if n := len(pt.DownTracks()); n != 0 {
		t.Fatalf("the track still has %d down tracks", n)
	}
}

// TestLiteRecoversLossThroughNACK: a viewer that lost packets (every
// seventh, once) asks for them with NACKs and gets them from the track's
// shared cache.
func TestLiteRecoversLossThroughNACK(t *testing.T) {
	srv := newTestMedia(t)
	pt := newVideoTrack()
	v := newRawViewer(t, srv)
	var lostOnce sync.Map
	v.drop = func(seq uint16) bool {
		if seq%7 != 3 {
			return false
		}
		_, seen := lostOnce.LoadOrStore(seq, true)
		return !seen
	}
	v.down.Add(NewDownTrack(pt))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := v.connect(ctx); err != nil {
		t.Fatal(err)
	}
	// Wait until the track is bound, then send 100 packets.
	deadline := time.Now().Add(20 * time.Second)
	var hdr rtp.Header
	f := &feeder{pt: pt}
	for v.rtp.count() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no media within 20 s")
		}
		f.send(&hdr)
		time.Sleep(5 * time.Millisecond)
	}
	first := f.seq.Load()
	ssrc := v.ssrcs["0"]
	var missing []uint16
	for range 10 {
		// Ten packets, then a NACK for those of them that were lost, as
		// a receiver asks soon after a gap (within the SRTP replay window).
		from := uint16(f.seq.Load()) + 1
		for range 10 {
			f.send(&hdr)
		}
		var nacks []rtcp.NackPair
		for seq := from; seq != from+10; seq++ {
			if seq%7 == 3 {
				missing = append(missing, seq)
				nacks = append(nacks, rtcp.NackPair{PacketID: seq})
			}
		}
		if len(nacks) > 0 {
			v.sendRTCP(&rtcp.TransportLayerNack{SenderSSRC: 1, MediaSSRC: ssrc, Nacks: nacks})
		}
		// The next batch waits for the retransmissions, as packets
		// more than 64 behind the newest fall out of the SRTP replay window.
		waitReceived(t, v, uint16(first+1), uint16(f.seq.Load()), missing)
	}
	if n := pt.stats.Retransmits.Load(); n < uint64(len(missing)) {
		t.Fatalf("%d retransmissions, want at least %d", n, len(missing))
	}
}

// waitReceived waits until the viewer holds every packet from first to
// last.
func waitReceived(t *testing.T, v *rawViewer, first, last uint16, missing []uint16) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		got := map[uint16]bool{}
		v.rtp.mu.Lock()
		for _, p := range v.rtp.pkts {
			got[uint16(p[2])<<8|uint16(p[3])] = true
		}
		v.rtp.mu.Unlock()
		all := true
		for seq := first; seq != last+1; seq++ {
			if !got[seq] {
				all = false
			}
		}
		if all {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("packets %d–%d not all received after NACKs for %v", first, last, missing)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// TestLiteRefusedSectionFailsItsTrack: a track whose section the answer
// refuses is reported and removed; the next offer shows it inactive.
func TestLiteRefusedSectionFailsItsTrack(t *testing.T) {
	srv := newTestMedia(t)
	pt := newVideoTrack()
	v := newRawViewer(t, srv)
	dt := NewDownTrack(pt)
	v.down.Add(dt)
	if err := v.answer(v.nextOffer(), "0"); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-v.failed:
		if got != dt {
			t.Fatal("another track was reported")
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the refused track was not reported")
	}
	ev := v.nextOffer()
	if len(ev.Tracks) != 0 || !strings.Contains(ev.SDP, "a=inactive") {
		t.Fatalf("offer after the refusal: tracks %+v\n%s", ev.Tracks, ev.SDP)
	}
	if len(pt.DownTracks()) != 0 {
		t.Fatal("the refused track still receives")
	}
}

// TestLiteICERestartAndConsent: consent lost reports disconnected; an ICE
// restart's offer brings new credentials, the old ones stop working once
// it is answered, and checks with the new ones reconnect without a new
// DTLS handshake.
func TestLiteICERestartAndConsent(t *testing.T) {
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := NewMedia(MediaConfig{Conn: conn, DisconnectedTimeout: 400 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	pt := newVideoTrack()
	v := newRawViewer(t, srv)
	v.down.Add(NewDownTrack(pt))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := v.connect(ctx); err != nil {
		t.Fatal(err)
	}
	waitState := func(want webrtc.ICEConnectionState) {
		t.Helper()
		deadline := time.After(20 * time.Second)
		for {
			select {
			case s := <-v.ice:
				if s == want {
					return
				}
			case <-deadline:
				t.Fatalf("ICE state %v not reported", want)
			}
		}
	}
	waitState(webrtc.ICEConnectionStateConnected)
	waitState(webrtc.ICEConnectionStateDisconnected)

	old := v.offer
	v.down.RestartICE(false)
	ev := v.nextOffer()
	if err := v.answer(ev); err != nil {
		t.Fatal(err)
	}
	if v.offer.ufrag == old.ufrag || v.offer.pwd == old.pwd {
		t.Fatal("the ICE restart offer kept the old credentials")
	}
	bad := srv.DemuxStats().BadSTUN.Load()
	cur := v.offer
	v.offer = old
	v.check(true)
	deadline := time.Now().Add(20 * time.Second)
	for srv.DemuxStats().BadSTUN.Load() == bad {
		if time.Now().After(deadline) {
			t.Fatal("a check with the replaced credentials was not refused")
		}
		time.Sleep(5 * time.Millisecond)
	}
	v.offer = cur
	v.check(true)
	waitState(webrtc.ICEConnectionStateConnected)
	var hdr rtp.Header
	f := &feeder{pt: pt}
	for v.rtp.count() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no media after the ICE restart")
		}
		f.send(&hdr)
		time.Sleep(5 * time.Millisecond)
	}
}

// TestLiteNudgesAClientThatCheckedEarly: a client whose first check
// arrived before its answer gets a check from the server once the answer
// is applied, so it nominates at once instead of at its next check tick
// (200 ms with Pion).
func TestLiteNudgesAClientThatCheckedEarly(t *testing.T) {
	v, ev, got := checkedEarly(t, newTestMedia(t))
	// The check is answered; no nudge yet, the server has no answer.
	if first := got.waitFor(t, 1); !isSTUNResponse(first[0].data) {
		t.Fatalf("the first packet from the server is not a check response")
	}
	if err := v.answer(ev); err != nil {
		t.Fatal(err)
	}
	nudge := got.waitFor(t, 2)[1]
	m := &stun.Message{Raw: nudge.data}
	if err := m.Decode(); err != nil || m.Type != stun.BindingRequest {
		t.Fatalf("the server sent %v (%v), want a binding request", m.Type, err)
	}
	if user, _ := m.Get(stun.AttrUsername); string(user) != "viewer:"+v.offer.ufrag {
		t.Fatalf("USERNAME %q", user)
	}
	if err := stun.NewShortTermIntegrity("viewerviewerviewerviewer").Check(m); err != nil {
		t.Fatalf("integrity with the client's password: %v", err)
	}
}

// TestLiteNudgesEveryAddressThatCheckedEarly: a client whose agent checked
// from two addresses before its answer arrived is nudged on both once the
// answer is applied, since its agent nominates on a nudge only on the pair
// it ranks best, which need not be the first that checked.
func TestLiteNudgesEveryAddressThatCheckedEarly(t *testing.T) {
	v, ev, got := checkedEarly(t, newTestMedia(t))
	second, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = second.Close() })
	check, err := stun.Build(stun.TransactionID, stun.BindingRequest, stun.NewUsername(v.offer.ufrag+":viewer"),
		stun.NewShortTermIntegrity(v.offer.pwd), stun.Fingerprint)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := second.WriteToUDPAddrPort(check.Raw, v.offer.addr); err != nil {
		t.Fatal(err)
	}
	_ = second.SetReadDeadline(time.Now().Add(20 * time.Second))
	buf := make([]byte, 1500)
	n, _, err := second.ReadFromUDPAddrPort(buf)
	if err != nil || !isSTUNResponse(buf[:n]) {
		t.Fatalf("the second address's check was not answered (%v)", err)
	}
	if err := v.answer(ev); err != nil {
		t.Fatal(err)
	}
	// Both addresses get a binding request with the client's credentials.
	isNudge := func(p []byte) bool {
		m := &stun.Message{Raw: append([]byte(nil), p...)}
		if m.Decode() != nil || m.Type != stun.BindingRequest {
			return false
		}
		return stun.NewShortTermIntegrity("viewerviewerviewerviewer").Check(m) == nil
	}
	if !isNudge(got.waitFor(t, 2)[1].data) {
		t.Fatal("the first address got no nudge")
	}
	n, _, err = second.ReadFromUDPAddrPort(buf)
	if err != nil || !isNudge(buf[:n]) {
		t.Fatalf("the second address got no nudge (%v)", err)
	}
}

// checkedEarly makes a viewer of srv with one video track that checks
// once before answering its first offer, and returns the offer and the
// recorder of what the server sends the viewer's address, which has the
// check's response.
func checkedEarly(t *testing.T, srv *Media) (*rawViewer, protocol.OfferEvent, *recordingPeer) {
	t.Helper()
	v := newRawViewer(t, srv)
	v.down.Add(NewDownTrack(newVideoTrack()))
	ev := v.nextOffer()
	v.offer = parseOffer(t, ev.SDP)
	got := newRecordingPeer()
	v.m.demux.bindAddr(v.offer.addr, got)
	v.check(false)
	got.waitFor(t, 1)
	return v, ev, got
}
