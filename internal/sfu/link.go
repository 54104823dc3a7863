package sfu

import (
	"context"
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cohost-rtc/cohost/internal/srtpseal"
	"github.com/pion/dtls/v3"
	"github.com/pion/dtls/v3/pkg/crypto/fingerprint"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"
)

// LinkConfig configures a DTLS-SRTP link with one remote peer on the media
// port.
type LinkConfig struct {
	// Remote is the peer's address: every packet from it goes to the link.
	Remote netip.AddrPort
	// Client makes this side the DTLS client (it sends the first flight);
	// the peer must then be the server.
	Client bool
	// Certificate is this side's; the peer checks its fingerprint
	// (CertificateFingerprint).
	Certificate tls.Certificate
	// RemoteFingerprint is the SHA-256 fingerprint of the peer's
	// certificate as SDP writes it ("AB:CD:…"); the handshake fails on any
	// other certificate.
	RemoteFingerprint string
	// HandshakeTimeout bounds the handshake (10 s if zero).
	HandshakeTimeout time.Duration
	// Linger is how long the DTLS state outlives the handshake to answer a
	// retransmitted last flight, unless the peer's first authenticated
	// SRTP/SRTCP packet arrives sooner (3 s if zero).
	Linger time.Duration
	// OnRTP and OnRTCP (either may be nil) receive the peer's decrypted
	// packets, on the media port's reading goroutine: they must not block
	// and must not keep the slice.
	OnRTP, OnRTCP func(p []byte)
}

// Link is a DTLS-SRTP association with one remote peer, sharing the media
// port with everything else: the node-to-node media link of a cluster, and
// the security layer of a subscriber's transport. The DTLS handshake runs
// on its own goroutines (pion/dtls) and is bounded by a timeout; once the
// peer has proved it holds the keys (or the linger passes) the DTLS state
// is dropped, and the link owns no goroutine at all: received packets are
// decrypted on the shared reader's goroutine, sent ones encrypted on the
// caller's and queued on the media socket, both in buffers borrowed from
// the port for the packet (a link keeps none).
type Link struct {
	sock  addrPortConn
	slots slotConn // sock, where packets can be built in its send queue; nil if not
	demux *demux
	cfg   LinkConfig
	owner demuxPeer // routes the peer's packets here; nil when the link is bound itself

	onReady func(error) // learns the handshake's outcome before ready closes

	ready chan struct{} // closed when the handshake ended
	err   error         // the handshake's outcome, set before ready closes

	hsMu sync.Mutex
	hs   *handshakeConn // nil once the DTLS state is dropped
	conn *dtls.Conn
	hsOnce,
	closeOnce sync.Once

	remote atomic.Pointer[srtp.Context] // decrypts; used by the reading goroutine only
	proved atomic.Bool                  // an authenticated packet arrived
	closed atomic.Bool
	rhdr   rtp.Header // reading goroutine only, like rchdr
	rchdr  rtcp.Header

	wmu        sync.Mutex // guards local, whdr, wchdr, remoteAddr
	remoteAddr netip.AddrPort
	local      *srtp.Context
	seal       *srtpseal.Sealer // RTP with a GCM profile; nil: local seals RTP too
	whdr       rtp.Header
	wchdr      rtcp.Header
}

// ErrHandshakeTimeout: the DTLS handshake did not finish in time.
var ErrHandshakeTimeout = errors.New("sfu: DTLS handshake timed out")

// NewLink starts a DTLS-SRTP link with cfg.Remote and waits until its
// handshake ends (ctx, or the handshake timeout, bounds the wait).
func (m *Media) NewLink(ctx context.Context, cfg LinkConfig) (*Link, error) {
	l, err := m.startLink(cfg, nil, nil)
	if err != nil {
		return nil, err
	}
	if err := l.Wait(ctx); err != nil {
		_ = l.Close()
		return nil, err
	}
	return l, nil
}

// startLink starts a link's handshake without waiting for it. Unless
// owner is set (a transport that routes the peer's packets to the link
// itself), cfg.Remote is bound to the link on the shared reader.
// onReady (may be nil) learns the handshake's outcome, on its goroutine.
func (m *Media) startLink(cfg LinkConfig, owner demuxPeer, onReady func(error)) (*Link, error) {
	if !cfg.Remote.IsValid() {
		return nil, fmt.Errorf("sfu: link: invalid remote address %v", cfg.Remote)
	}
	if len(cfg.Certificate.Certificate) == 0 {
		return nil, errors.New("sfu: link: no certificate")
	}
	if cfg.HandshakeTimeout <= 0 {
		cfg.HandshakeTimeout = 10 * time.Second
	}
	if cfg.Linger <= 0 {
		cfg.Linger = 3 * time.Second
	}
	cfg.Remote = canonical(cfg.Remote)
	l := &Link{sock: m.demux.conn, demux: m.demux, cfg: cfg, owner: owner, onReady: onReady, remoteAddr: cfg.Remote, ready: make(chan struct{})}
	l.slots, _ = l.sock.(slotConn)
	l.hs = newHandshakeConn(l.sock, l.Remote, &m.demux.stats.DTLSQueueFull)
	if owner == nil {
		m.demux.bindAddr(cfg.Remote, l)
	}
	go l.handshake(l.hs)
	return l, nil
}

const (
	receiveMTU   = 1500
	srtpOverhead = 64 // authentication tag, SRTCP index and MKI, with room
)

// Wait waits until the handshake ends and returns its error.
func (l *Link) Wait(ctx context.Context) error {
	select {
	case <-l.ready:
		return l.err
	case <-ctx.Done():
		return fmt.Errorf("sfu: link handshake: %w", ctx.Err())
	}
}

func (l *Link) handshake(hs *handshakeConn) {
	ctx, cancel := context.WithTimeout(context.Background(), l.cfg.HandshakeTimeout)
	defer cancel()
	err := l.runHandshake(ctx, hs)
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			l.demux.stats.HandshakeTimeouts.Add(1)
			err = fmt.Errorf("%w (%v): %v", ErrHandshakeTimeout, l.cfg.HandshakeTimeout, err)
		} else if !l.closed.Load() {
			l.demux.stats.HandshakeFailures.Add(1)
		}
		l.err = err
		if l.onReady != nil {
			l.onReady(err)
		}
		close(l.ready)
		l.dropDTLS()
		return
	}
	if l.onReady != nil {
		l.onReady(nil)
	}
	close(l.ready)
	time.AfterFunc(l.cfg.Linger, l.dropDTLS)
}

func (l *Link) runHandshake(ctx context.Context, hs *handshakeConn) error {
	want := strings.ToUpper(strings.TrimSpace(l.cfg.RemoteFingerprint))
	opts := &dtls.Config{
		Certificates:           []tls.Certificate{l.cfg.Certificate},
		SRTPProtectionProfiles: []dtls.SRTPProtectionProfile{dtls.SRTP_AEAD_AES_128_GCM, dtls.SRTP_AEAD_AES_256_GCM, dtls.SRTP_AES128_CM_HMAC_SHA1_80},
		ClientAuth:             dtls.RequireAnyClientCert,
		InsecureSkipVerify:     true, // self-signed: the fingerprint is what is checked
		VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
			if len(raw) == 0 {
				return errors.New("sfu: link: the peer sent no certificate")
			}
			cert, err := x509.ParseCertificate(raw[0])
			if err != nil {
				return fmt.Errorf("sfu: link: peer certificate: %w", err)
			}
			if got := CertificateFingerprint(cert); got != want {
				return fmt.Errorf("sfu: link: peer certificate fingerprint %s, want %s", got, want)
			}
			return nil
		},
	}
	raddr := net.UDPAddrFromAddrPort(l.cfg.Remote)
	var conn *dtls.Conn
	var err error
	if l.cfg.Client {
		conn, err = dtls.Client(hs, raddr, opts)
	} else {
		conn, err = dtls.Server(hs, raddr, opts)
	}
	if err != nil {
		return fmt.Errorf("sfu: link: %w", err)
	}
	l.hsMu.Lock()
	dropped := l.hs == nil
	if !dropped {
		l.conn = conn
	}
	l.hsMu.Unlock()
	if dropped {
		_ = conn.Close()
		return ErrClosed
	}
	if err := conn.HandshakeContext(ctx); err != nil {
		return fmt.Errorf("sfu: link handshake: %w", err)
	}
	local, remote, seal, err := srtpContexts(conn, l.cfg.Client)
	if err != nil {
		return err
	}
	l.wmu.Lock()
	l.local, l.seal = local, seal
	l.wmu.Unlock()
	l.remote.Store(remote)
	return nil
}

// srtpContexts keys SRTP both ways from the DTLS exporter (RFC 5764).
// With a GCM profile, seal encrypts outgoing RTP (local still does RTCP).
func srtpContexts(conn *dtls.Conn, client bool) (local, remote *srtp.Context, seal *srtpseal.Sealer, err error) {
	p, ok := conn.SelectedSRTPProtectionProfile()
	if !ok {
		return nil, nil, nil, errors.New("sfu: link: no SRTP protection profile negotiated")
	}
	var profile srtp.ProtectionProfile
	switch p {
	case dtls.SRTP_AEAD_AES_128_GCM:
		profile = srtp.ProtectionProfileAeadAes128Gcm
	case dtls.SRTP_AEAD_AES_256_GCM:
		profile = srtp.ProtectionProfileAeadAes256Gcm
	case dtls.SRTP_AES128_CM_HMAC_SHA1_80:
		profile = srtp.ProtectionProfileAes128CmHmacSha1_80
	default:
		return nil, nil, nil, fmt.Errorf("sfu: link: unsupported SRTP protection profile %v", p)
	}
	state, ok := conn.ConnectionState()
	if !ok {
		return nil, nil, nil, errors.New("sfu: link: no DTLS state after the handshake")
	}
	cfg := srtp.Config{Profile: profile}
	if err := cfg.ExtractSessionKeysFromDTLS(&state, client); err != nil {
		return nil, nil, nil, fmt.Errorf("sfu: link: SRTP keys: %w", err)
	}
	if local, err = srtp.CreateContext(cfg.Keys.LocalMasterKey, cfg.Keys.LocalMasterSalt, profile); err != nil {
		return nil, nil, nil, fmt.Errorf("sfu: link: SRTP context: %w", err)
	}
	remote, err = srtp.CreateContext(cfg.Keys.RemoteMasterKey, cfg.Keys.RemoteMasterSalt, profile,
		srtp.SRTPReplayProtection(64), srtp.SRTCPReplayProtection(64))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("sfu: link: SRTP context: %w", err)
	}
	if profile != srtp.ProtectionProfileAes128CmHmacSha1_80 {
		if seal, err = srtpseal.New(cfg.Keys.LocalMasterKey, cfg.Keys.LocalMasterSalt); err != nil {
			return nil, nil, nil, fmt.Errorf("sfu: link: SRTP context: %w", err)
		}
	}
	return local, remote, seal, nil
}

// dropDTLS ends the DTLS state without telling the peer (the SRTP keys
// stay): its goroutines exit and the link owns none any more.
func (l *Link) dropDTLS() {
	l.hsOnce.Do(func() {
		l.hsMu.Lock()
		hs, conn := l.hs, l.conn
		l.hs, l.conn = nil, nil
		l.hsMu.Unlock()
		hs.muted.Store(true)
		if conn != nil {
			_ = conn.Close()
		}
		_ = hs.Close()
	})
}

// handlePacket receives the peer's packets from the shared reader.
func (l *Link) handlePacket(c packetClass, p []byte, _ netip.AddrPort) {
	st := &l.demux.stats
	switch c {
	case classDTLS:
		l.hsMu.Lock()
		hs := l.hs
		l.hsMu.Unlock()
		if hs == nil {
			st.LateDTLS.Add(1)
			return
		}
		hs.push(p)
	case classRTP:
		remote := l.remote.Load()
		if remote == nil {
			st.Unkeyed.Add(1)
			return
		}
		buf := l.demux.scratch.get()
		defer l.demux.scratch.put(buf)
		var out []byte
		var err error
		if isRTCP(p) {
			out, err = remote.DecryptRTCP(buf.enc[:0], p, &l.rchdr)
		} else {
			out, err = remote.DecryptRTP(buf.enc[:0], p, &l.rhdr)
		}
		if err != nil {
			st.BadSRTP.Add(1)
			return
		}
		if !l.proved.Load() {
			l.proved.Store(true)
			go l.dropDTLS() // the peer has the keys: its handshake is over
		}
		if isRTCP(p) {
			if l.cfg.OnRTCP != nil {
				l.cfg.OnRTCP(out)
			}
		} else if l.cfg.OnRTP != nil {
			l.cfg.OnRTP(out)
		}
	default:
		st.Malformed.Add(1)
	}
}

// isRTCP tells RTCP from RTP by the packet type (RFC 5761: 192–223).
func isRTCP(p []byte) bool { return len(p) >= 2 && p[1] >= 192 && p[1] <= 223 }

// WriteRTP encrypts a packet (header and payload) and queues it for the
// peer. Where the socket queues the peer's packets the packet is
// encrypted in place in its send slot (one copy of the payload, no
// buffer borrowed); otherwise in a borrowed buffer then written. It
// allocates nothing.
func (l *Link) WriteRTP(h *rtp.Header, payload []byte) error {
	l.wmu.Lock()
	defer l.wmu.Unlock()
	if err := l.writable(); err != nil {
		return err
	}
	if l.slots != nil {
		slot, ok, err := l.slots.reserveSlot(l.remoteAddr)
		if err != nil {
			return err
		}
		if ok {
			if slot.buf == nil {
				return nil // the peer's queue is full: dropped and counted
			}
			if h.MarshalSize()+len(payload)+srtpOverhead <= len(slot.buf) {
				n, err := l.sealRTP(slot.buf, h, payload)
				if err != nil {
					slot.cancel()
					return err
				}
				return slot.commit(n)
			}
			slot.cancel() // too large to queue: written directly below
		}
	}
	buf := l.demux.scratch.get()
	defer l.demux.scratch.put(buf)
	n, err := l.sealRTP(buf.enc[:], h, payload)
	if err != nil {
		return err
	}
	_, err = l.sock.WriteToAddrPort(buf.enc[:n], l.remoteAddr)
	return err
}

// sealRTP writes the packet's header and payload into b and encrypts it
// there, returning its SRTP length. b must have room for the SRTP
// overhead. l.wmu held.
func (l *Link) sealRTP(b []byte, h *rtp.Header, payload []byte) (int, error) {
	n, err := h.MarshalTo(b)
	if err != nil {
		return 0, fmt.Errorf("sfu: link: RTP header: %w", err)
	}
	if n+len(payload)+srtpOverhead > len(b) {
		return 0, fmt.Errorf("sfu: link: RTP packet of %d bytes is too large", n+len(payload))
	}
	hl := n
	n += copy(b[n:], payload)
	if l.seal != nil {
		return l.seal.Seal(b, hl, n)
	}
	out, err := l.local.EncryptRTP(b[:0], b[:n], &l.whdr)
	if err != nil {
		return 0, fmt.Errorf("sfu: link: encrypt RTP: %w", err)
	}
	if len(out) > len(b) || (len(out) > 0 && &out[0] != &b[0]) {
		return 0, fmt.Errorf("sfu: link: SRTP packet of %d bytes not sealed in its buffer", len(out))
	}
	return len(out), nil
}

// WriteRTCP encrypts a (compound) RTCP packet and queues it for the peer.
func (l *Link) WriteRTCP(p []byte) error {
	l.wmu.Lock()
	defer l.wmu.Unlock()
	if err := l.writable(); err != nil {
		return err
	}
	buf := l.demux.scratch.get()
	defer l.demux.scratch.put(buf)
	out, err := l.local.EncryptRTCP(buf.enc[:0], p, &l.wchdr)
	if err != nil {
		return fmt.Errorf("sfu: link: encrypt RTCP: %w", err)
	}
	_, err = l.sock.WriteToAddrPort(out, l.remoteAddr)
	return err
}

// writable: l.wmu held.
func (l *Link) writable() error {
	if l.closed.Load() {
		return ErrClosed
	}
	if l.local == nil {
		return errors.New("sfu: link: handshake not finished")
	}
	return nil
}

// Remote is the peer's address.
func (l *Link) Remote() netip.AddrPort {
	l.wmu.Lock()
	defer l.wmu.Unlock()
	return l.remoteAddr
}

// setRemote sends to addr from now on (the peer's ICE moved; the DTLS
// association and its keys stay).
func (l *Link) setRemote(addr netip.AddrPort) {
	l.wmu.Lock()
	l.remoteAddr = addr
	l.wmu.Unlock()
}

// Close stops the link: the peer's packets are no longer read, writes
// fail, a running handshake is abandoned. Safe to call more than once.
func (l *Link) Close() error {
	l.closeOnce.Do(func() {
		l.closed.Store(true)
		if l.owner == nil {
			l.demux.unbindAddr(l.cfg.Remote, l)
		}
		l.dropDTLS()
		<-l.ready
	})
	return nil
}

// CertificateFingerprint is cert's SHA-256 fingerprint as SDP's
// a=fingerprint writes it (upper-case hex pairs joined by colons).
func CertificateFingerprint(cert *x509.Certificate) string {
	fp, err := fingerprint.Fingerprint(cert, crypto.SHA256)
	if err != nil {
		return ""
	}
	return strings.ToUpper(fp)
}
