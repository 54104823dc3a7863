package sfu

import (
	"bytes"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/pion/stun/v4"
	"github.com/pion/webrtc/v4"
)

// recordingPeer is a demuxPeer that keeps what it was handed.
type recordingPeer struct {
	mu   sync.Mutex
	got  []recorded
	seen chan struct{}
}

type recorded struct {
	class packetClass
	data  []byte
	from  netip.AddrPort
}

func newRecordingPeer() *recordingPeer { return &recordingPeer{seen: make(chan struct{}, 64)} }

func (r *recordingPeer) handlePacket(c packetClass, p []byte, from netip.AddrPort) {
	r.mu.Lock()
	r.got = append(r.got, recorded{c, bytes.Clone(p), from})
	r.mu.Unlock()
	select {
	case r.seen <- struct{}{}:
	default:
	}
}

// waitFor waits until the peer holds n packets.
func (r *recordingPeer) waitFor(t *testing.T, n int) []recorded {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		r.mu.Lock()
		got := append([]recorded(nil), r.got...)
		r.mu.Unlock()
		if len(got) >= n {
			return got
		}
		select {
		case <-r.seen:
		case <-deadline:
			t.Fatalf("peer got %d packets, want %d", len(got), n)
		}
	}
}

func bindingRequest(t *testing.T, username string) []byte {
	t.Helper()
	m, err := stun.Build(stun.TransactionID, stun.BindingRequest, stun.NewUsername(username),
		stun.NewShortTermIntegrity("pwd"), stun.Fingerprint)
	if err != nil {
		t.Fatal(err)
	}
	return m.Raw
}

// TestDemuxServesItsPeersAndPassesTheRestToPion: on one media port, a
// peer known to the shared reader (by ICE username fragment, then by its
// address) receives its STUN, DTLS and SRTP packets, while a publisher's
// Pion peer connection still connects through the same port.
func TestDemuxServesItsPeersAndPassesTheRestToPion(t *testing.T) {
	m := newTestMedia(t)
	peer := newRecordingPeer()
	m.demux.addUfrag("lite", peer)
	t.Cleanup(func() { m.demux.removeUfrag("lite", peer) })

	client, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = client.Close() }()
	server := m.demux.LocalAddr()
	from := client.LocalAddr().(*net.UDPAddr).AddrPort()

	req := bindingRequest(t, "lite:remote")
	if _, err := client.WriteTo(req, server); err != nil {
		t.Fatal(err)
	}
	got := peer.waitFor(t, 1)
	if got[0].class != classSTUN || !bytes.Equal(got[0].data, req) || got[0].from != from {
		t.Fatalf("peer got %v %d bytes from %v, want the binding request from %v", got[0].class, len(got[0].data), got[0].from, from)
	}

	// Once bound, everything from the address is the peer's; what is not
	// STUN, DTLS or SRTP is dropped and counted.
	m.demux.bindAddr(from, peer)
	t.Cleanup(func() { m.demux.unbindAddr(from, peer) })
	dtlsRecord := []byte{22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	srtp := append([]byte{0x80, 111}, make([]byte, 30)...)
	for _, p := range [][]byte{dtlsRecord, {0x50, 1, 2, 3}, srtp} {
		if _, err := client.WriteTo(p, server); err != nil {
			t.Fatal(err)
		}
	}
	got = peer.waitFor(t, 3)
	if got[1].class != classDTLS || !bytes.Equal(got[1].data, dtlsRecord) || got[2].class != classRTP || !bytes.Equal(got[2].data, srtp) {
		t.Fatalf("peer got %v then %v, want dtls then rtp", got[1].class, got[2].class)
	}
	if n := m.DemuxStats().Malformed.Load(); n != 1 {
		t.Fatalf("malformed packets counted %d, want 1", n)
	}

	// A publisher's connection, unknown to the shared reader, is Pion's.
	pub := newClientPC(t)
	if _, err := pub.AddTransceiverFromKind(webrtc.RTPCodecTypeAudio, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly}); err != nil {
		t.Fatal(err)
	}
	up, err := m.NewUpstream(slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = up.Close() })
	offer, err := pub.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	done := webrtc.GatheringCompletePromise(pub)
	if err := pub.SetLocalDescription(offer); err != nil {
		t.Fatal(err)
	}
	<-done
	answer, _, err := up.Negotiate(pub.LocalDescription().SDP, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if err := pub.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer}); err != nil {
		t.Fatal(err)
	}
	waitConnected(t, pub)
	peer.mu.Lock()
	n := len(peer.got)
	peer.mu.Unlock()
	if n != 3 {
		t.Fatalf("the served peer got %d packets after the publisher connected, want still 3", n)
	}
}

// TestStunUfrag reads the username fragment of binding requests only, and
// refuses truncated or inconsistent messages.
func TestStunUfrag(t *testing.T) {
	req := bindingRequest(t, "abcd:efgh")
	if frag, ok := stunUfrag(req); !ok || string(frag) != "abcd" {
		t.Fatalf("ufrag %q %v, want abcd", frag, ok)
	}
	resp, err := stun.Build(stun.TransactionID, stun.BindingSuccess, stun.NewUsername("abcd:efgh"))
	if err != nil {
		t.Fatal(err)
	}
	noColon := bindingRequest(t, "abcdefgh")
	for name, p := range map[string][]byte{
		"response":     resp.Raw,
		"no colon":     noColon,
		"truncated":    req[:len(req)-3],
		"header only":  req[:stunHeaderSize],
		"short":        req[:10],
		"empty":        nil,
		"bad length":   append(bytes.Clone(req[:2]), append([]byte{0xff, 0xfc}, req[4:]...)...),
		"attr overrun": overrunAttr(req),
	} {
		if frag, ok := stunUfrag(p); ok {
			t.Errorf("%s: ufrag %q accepted", name, frag)
		}
	}
}

// overrunAttr makes the first attribute claim more bytes than the message has.
func overrunAttr(req []byte) []byte {
	p := bytes.Clone(req)
	p[stunHeaderSize+2], p[stunHeaderSize+3] = 0xff, 0xff
	return p
}

// FuzzStunUfrag: no input makes the parser panic or read out of bounds.
func FuzzStunUfrag(f *testing.F) {
	m, _ := stun.Build(stun.TransactionID, stun.BindingRequest, stun.NewUsername("a:b"))
	f.Add(m.Raw)
	f.Add([]byte{0, 1, 0, 0, 0x21, 0x12, 0xa4, 0x42})
	f.Fuzz(func(t *testing.T, p []byte) {
		if frag, ok := stunUfrag(p); ok && len(frag) > len(p) {
			t.Fatalf("ufrag longer than the packet")
		}
	})
}

func TestClassify(t *testing.T) {
	for b, want := range map[byte]packetClass{0: classSTUN, 3: classSTUN, 4: classOther, 20: classDTLS, 63: classDTLS,
		64: classOther, 127: classOther, 128: classRTP, 191: classRTP, 192: classOther} {
		if got := classify([]byte{b}); got != want {
			t.Errorf("first byte %d: %v, want %v", b, got, want)
		}
	}
}

// TestDemuxDropsWhatBelongsToNobody: packets from an address no
// connection on the port uses, and checks naming no username fragment on
// it, are dropped and counted by reason; a publisher's connection is
// still Pion's, and once it closes its addresses are forgotten.
func TestDemuxDropsWhatBelongsToNobody(t *testing.T) {
	m := newTestMedia(t)
	client, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = client.Close() }()
	server := m.demux.LocalAddr()
	for _, p := range [][]byte{append([]byte{0x80, 111}, make([]byte, 30)...), {22, 0xfe, 0xfd, 0, 0}, bindingRequest(t, "nobody:remote")} {
		if _, err := client.WriteTo(p, server); err != nil {
			t.Fatal(err)
		}
	}
	st := m.DemuxStats()
	deadline := time.Now().Add(20 * time.Second)
	for st.UnknownAddress.Load() < 2 || st.UnknownUfrag.Load() < 1 {
		if time.Now().After(deadline) {
			t.Fatalf("unknown address %d, unknown ufrag %d: want 2 and 1", st.UnknownAddress.Load(), st.UnknownUfrag.Load())
		}
		time.Sleep(5 * time.Millisecond)
	}

	pub := newClientPC(t)
	if _, err := pub.AddTransceiverFromKind(webrtc.RTPCodecTypeAudio, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly}); err != nil {
		t.Fatal(err)
	}
	up, err := m.NewUpstream(slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	offer, err := pub.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	done := webrtc.GatheringCompletePromise(pub)
	if err := pub.SetLocalDescription(offer); err != nil {
		t.Fatal(err)
	}
	<-done
	answer, _, err := up.Negotiate(pub.LocalDescription().SDP, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if err := pub.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer}); err != nil {
		t.Fatal(err)
	}
	waitConnected(t, pub)
	m.demux.mu.RLock()
	learnt := len(m.demux.pionAddr)
	m.demux.mu.RUnlock()
	if learnt == 0 {
		t.Fatal("the publisher's address is not known as Pion's")
	}
	_ = up.Close()
	deadline = time.Now().Add(20 * time.Second)
	for {
		m.demux.mu.RLock()
		left := len(m.demux.pion) + len(m.demux.pionAddr)
		m.demux.mu.RUnlock()
		if left == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d Pion ufrags and addresses left after the publisher closed", left)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
