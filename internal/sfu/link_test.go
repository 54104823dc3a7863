package sfu

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/netip"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/pion/dtls/v3/pkg/crypto/selfsign"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"
)

func newCert(t testing.TB) (tls.Certificate, string) {
	t.Helper()
	cert, err := selfsign.GenerateSelfSigned()
	if err != nil {
		t.Fatal(err)
	}
	x, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	return cert, CertificateFingerprint(x)
}

func mediaAddr(m *Media) netip.AddrPort { return m.demux.LocalAddr().(*net.UDPAddr).AddrPort() }

// packetSink collects a link's decrypted packets.
type packetSink struct {
	mu   sync.Mutex
	pkts [][]byte
	more chan struct{}
}

func newSink() *packetSink { return &packetSink{more: make(chan struct{}, 1)} }

func (s *packetSink) add(p []byte) {
	s.mu.Lock()
	s.pkts = append(s.pkts, bytes.Clone(p))
	s.mu.Unlock()
	select {
	case s.more <- struct{}{}:
	default:
	}
}

func (s *packetSink) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.pkts)
}

func (s *packetSink) waitFor(t testing.TB, n int) [][]byte {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		s.mu.Lock()
		got := append([][]byte(nil), s.pkts...)
		s.mu.Unlock()
		if len(got) >= n {
			return got
		}
		select {
		case <-s.more:
		case <-deadline:
			t.Fatalf("got %d packets, want %d", len(got), n)
		}
	}
}

type linkPair struct {
	client, server       *Link
	clientRTP, serverRTP *packetSink
	clientRTCP           *packetSink
}

// dialPair links a (DTLS client) and b (DTLS server) and waits for both
// handshakes.
func dialPair(t testing.TB, a, b *Media, certA, certB tls.Certificate, fpA, fpB string) linkPair {
	t.Helper()
	p := linkPair{clientRTP: newSink(), serverRTP: newSink(), clientRTCP: newSink()}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	var errS error
	wg.Add(1)
	go func() {
		defer wg.Done()
		p.server, errS = b.NewLink(ctx, LinkConfig{Remote: mediaAddr(a), Certificate: certB, RemoteFingerprint: fpA,
			OnRTP: p.serverRTP.add})
	}()
	var errC error
	p.client, errC = a.NewLink(ctx, LinkConfig{Remote: mediaAddr(b), Client: true, Certificate: certA, RemoteFingerprint: fpB,
		OnRTP: p.clientRTP.add, OnRTCP: p.clientRTCP.add})
	wg.Wait()
	if errC != nil || errS != nil {
		t.Fatalf("link handshake: client %v, server %v", errC, errS)
	}
	t.Cleanup(func() { _ = p.client.Close(); _ = p.server.Close() })
	return p
}

// waitGoroutines waits until at most n goroutines run.
func waitGoroutines(t testing.TB, n int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for runtime.NumGoroutine() > n {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines, want at most %d", runtime.NumGoroutine(), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestLinkCarriesSRTPBothWaysWithoutGoroutines: two media ports linked by
// DTLS-SRTP exchange RTP and RTCP; once each side has seen the other's
// first packet, the links run no goroutine of their own.
func TestLinkCarriesSRTPBothWaysWithoutGoroutines(t *testing.T) {
	a, b := newTestMedia(t), newTestMedia(t)
	certA, fpA := newCert(t)
	certB, fpB := newCert(t)
	before := runtime.NumGoroutine()
	p := dialPair(t, a, b, certA, certB, fpA, fpB)

	h := &rtp.Header{Version: 2, PayloadType: 111, SequenceNumber: 1, Timestamp: 960, SSRC: 0xabc}
	for i := range 10 {
		h.SequenceNumber = uint16(i + 1)
		if err := p.client.WriteRTP(h, []byte{byte(i), 1, 2, 3}); err != nil {
			t.Fatal(err)
		}
	}
	got := p.serverRTP.waitFor(t, 10)
	var pkt rtp.Packet
	if err := pkt.Unmarshal(got[9]); err != nil || pkt.SSRC != 0xabc || pkt.SequenceNumber != 10 || !bytes.Equal(pkt.Payload, []byte{9, 1, 2, 3}) {
		t.Fatalf("server got %+v (%v)", pkt.Header, err)
	}
	rr, err := (&rtcp.PictureLossIndication{SenderSSRC: 1, MediaSSRC: 0xabc}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.server.WriteRTCP(rr); err != nil {
		t.Fatal(err)
	}
	if err := p.server.WriteRTP(h, []byte("back")); err != nil {
		t.Fatal(err)
	}
	if got := p.clientRTCP.waitFor(t, 1); !bytes.Equal(got[0], rr) {
		t.Fatalf("client got RTCP %x, want %x", got[0], rr)
	}
	p.clientRTP.waitFor(t, 1)
	// Both sides proved their keys: the DTLS goroutines are gone.
	waitGoroutines(t, before)

	// Forged SRTP from the linked address is dropped and counted.
	if _, err := a.demux.WriteToAddrPort(append([]byte{0x80, 111}, make([]byte, 40)...), mediaAddr(b)); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for b.DemuxStats().BadSRTP.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("a forged SRTP packet was not counted")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if n := p.serverRTP.count(); n != 10 {
		t.Fatalf("server delivered %d packets, want the 10 genuine ones", n)
	}
}

// TestLinkWritesWithoutAllocating: sending a packet allocates nothing.
func TestLinkWritesWithoutAllocating(t *testing.T) {
	a, b := newTestMedia(t), newTestMedia(t)
	certA, fpA := newCert(t)
	certB, fpB := newCert(t)
	p := dialPair(t, a, b, certA, certB, fpA, fpB)
	h := &rtp.Header{Version: 2, PayloadType: 96, SSRC: 7}
	payload := make([]byte, 1000)
	allocs := testing.AllocsPerRun(200, func() {
		h.SequenceNumber++
		if err := p.client.WriteRTP(h, payload); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per packet, want 0", allocs)
	}
}

// TestLinkRefusesAnotherCertificate: a peer whose certificate does not
// match the expected fingerprint fails the handshake, and it is counted.
func TestLinkRefusesAnotherCertificate(t *testing.T) {
	a, b := newTestMedia(t), newTestMedia(t)
	certA, fpA := newCert(t)
	certB, _ := newCert(t)
	_, fpOther := newCert(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	srv, err := b.startLink(LinkConfig{Remote: mediaAddr(a), Certificate: certB, RemoteFingerprint: fpA, HandshakeTimeout: 5 * time.Second}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = srv.Close() }()
	_, err = a.NewLink(ctx, LinkConfig{Remote: mediaAddr(b), Client: true, Certificate: certA, RemoteFingerprint: fpOther, HandshakeTimeout: 5 * time.Second})
	if err == nil {
		t.Fatal("a link to a peer with another certificate connected")
	}
	if n := a.DemuxStats().HandshakeFailures.Load(); n != 1 {
		t.Fatalf("handshake failures counted %d, want 1", n)
	}
}

// TestLinkHandshakeTimesOut: a peer that never completes its handshake
// is given up after the timeout, counted, and leaves no goroutine.
func TestLinkHandshakeTimesOut(t *testing.T) {
	m := newTestMedia(t)
	cert, _ := newCert(t)
	_, fp := newCert(t)
	silent, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = silent.Close() }()
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err = m.NewLink(ctx, LinkConfig{Remote: silent.LocalAddr().(*net.UDPAddr).AddrPort(), Client: true, Certificate: cert,
		RemoteFingerprint: fp, HandshakeTimeout: 300 * time.Millisecond})
	if !errors.Is(err, ErrHandshakeTimeout) {
		t.Fatalf("err %v, want %v", err, ErrHandshakeTimeout)
	}
	if n := m.DemuxStats().HandshakeTimeouts.Load(); n != 1 {
		t.Fatalf("handshake timeouts counted %d, want 1", n)
	}
	waitGoroutines(t, before)
}

// TestManyLinksComeAndGo: a hundred links handshake, carry a packet and
// close; no goroutine is left (goleak checks the package at exit too).
func TestManyLinksComeAndGo(t *testing.T) {
	b := newTestMedia(t)
	certA, fpA := newCert(t)
	certB, fpB := newCert(t)
	const n = 100
	// Each link needs its own address on the server's side: one port per client.
	clients := make([]*Media, n)
	for i := range clients {
		clients[i] = newTestMedia(t)
	}
	before := runtime.NumGoroutine()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			sink := newSink()
			var srv *Link
			var errS error
			done := make(chan struct{})
			go func() {
				defer close(done)
				srv, errS = b.NewLink(ctx, LinkConfig{Remote: mediaAddr(clients[i]), Certificate: certB, RemoteFingerprint: fpA, OnRTP: sink.add})
			}()
			cl, err := clients[i].NewLink(ctx, LinkConfig{Remote: mediaAddr(b), Client: true, Certificate: certA, RemoteFingerprint: fpB})
			<-done
			if err != nil || errS != nil {
				errs <- errors.Join(err, errS)
				if cl != nil {
					_ = cl.Close()
				}
				if srv != nil {
					_ = srv.Close()
				}
				return
			}
			h := &rtp.Header{Version: 2, PayloadType: 111, SSRC: uint32(i + 1)}
			deadline := time.Now().Add(20 * time.Second)
			for sink.count() == 0 && time.Now().Before(deadline) {
				h.SequenceNumber++
				_ = cl.WriteRTP(h, []byte("x"))
				time.Sleep(20 * time.Millisecond)
			}
			if sink.count() == 0 {
				errs <- errors.New("no packet arrived")
			}
			_ = cl.Close()
			_ = srv.Close()
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	waitGoroutines(t, before)
}

// snapshot copies the packets received so far.
func (s *packetSink) snapshot() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]byte(nil), s.pkts...)
}
