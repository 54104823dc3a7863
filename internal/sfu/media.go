// Package sfu is cohost's media layer: peer connections on one UDP port,
// published tracks and their fan-out to subscribers. It knows nothing of
// channels, roles or tokens; internal/server decides who may publish and
// subscribe and calls in here.
package sfu

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"runtime"
	"time"

	"github.com/cohost-rtc/cohost/internal/pionlog"
	"github.com/pion/dtls/v3"
	"github.com/pion/dtls/v3/pkg/crypto/selfsign"
	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/interceptor/pkg/nack"
	"github.com/pion/webrtc/v4"
)

// MediaConfig configures the media layer.
type MediaConfig struct {
	// Conn is the bound UDP socket all peer connections share (ICE UDP mux).
	Conn net.PacketConn
	// AdvertiseIP, if set, replaces the bound address in ICE candidates.
	AdvertiseIP string
	// KeyframeInterval is the minimum time between two keyframe requests
	// sent to one publisher track.
	KeyframeInterval time.Duration
	// DisconnectedTimeout is how long ICE waits without traffic before it
	// reports disconnected (consent lost).
	DisconnectedTimeout time.Duration
	Logger              *slog.Logger
	// NoBatch sends every packet with its own system call instead of
	// queueing them for sendmmsg (Linux) on sender goroutines.
	NoBatch bool
	// SendShards is the number of sender goroutines, each with its own
	// queue; subscribers are spread over them by address. 0 means one per
	// core the runtime uses (GOMAXPROCS).
	SendShards int
	// FanoutWorkers is the number of goroutines that share a published
	// track's fan-out to many subscribers with its read loop. 0 means one
	// per core beyond the first (GOMAXPROCS − 1) when more than two cores
	// are available, else none: on two cores the second one sends; a
	// negative value means none.
	FanoutWorkers int
	// Stats (may be nil) counts packets the kernel refused and packets
	// dropped because a subscriber's send queue was full.
	Stats *Stats
	// PionDownstream makes every subscriber connection a Pion
	// PeerConnection instead of the fan-out transport (ICE-lite and
	// DTLS-SRTP on the shared reader, no goroutine per subscriber).
	PionDownstream bool
	// CongestionPause pauses a fan-out subscriber's video while its REMB
	// estimate stays below the video's bitrate (congestion.go), Agora's
	// audio-only fallback. Off, every subscriber gets the whole video
	// whatever it reports, as Agora does without a fallback option.
	CongestionPause bool
	// HandshakeTimeout bounds a subscriber's DTLS handshake on the fan-out
	// transport (10 s if zero).
	HandshakeTimeout time.Duration
	// Candidates says which client candidates get ICE checks (publishers'
	// and Pion subscribers' connections) or nomination checks (the fan-out
	// transport); refused ones are counted in DemuxStats.
	Candidates CandidatePolicy
	// TCPListener, when set, carries ICE-TCP (RFC 4571 framing, passive
	// candidates) for the Pion connections: publishers, and subscribers in
	// PionDownstream mode. Close closes it.
	TCPListener net.Listener
	// OwnAddrs are the node's TURN relay addresses: a client's relay
	// candidate there is checked whatever Candidates says of its class.
	OwnAddrs []netip.Addr
}

// Media creates peer connections that share one UDP port.
//
// Publishers' (upstream) and subscribers' (downstream) connections use two
// API instances on the same port: upstream asks publishers for lost packets
// (NACK generator), receiver reports and TWCC feedback so senders adapt
// their bitrate; downstream has no interceptor at all: it answers NACKs
// from a cache shared per published track and sends sender reports from
// the published track's clock, so nothing runs per packet and subscriber
// but the rewrite, the encryption and the send.
type Media struct {
	upAPI, downAPI *webrtc.API
	mux            ice.UDPMux
	tcpMux         ice.TCPMux // nil without ICE-TCP
	demux          *demux
	clock          *liteClock // nil with PionDownstream
	cert           tls.Certificate
	fingerprint    string
	candidates     []netip.AddrPort
	tcpCandidates  []netip.AddrPort // the fan-out transport's ICE-TCP (passive) candidates
	split          *tcpSplit        // nil without ICE-TCP
	batch          *batchConn       // nil when not batching
	fanout         *fanoutPool      // nil: fan-outs run on the read loops alone
	filter         *candidateFilter
	cfg            MediaConfig
}

// NewMedia builds the WebRTC API on cfg.Conn. Close releases the port.
func NewMedia(cfg MediaConfig) (*Media, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.KeyframeInterval <= 0 {
		cfg.KeyframeInterval = 500 * time.Millisecond
	}
	if cfg.DisconnectedTimeout <= 0 {
		cfg.DisconnectedTimeout = 5 * time.Second
	}
	if cfg.HandshakeTimeout <= 0 {
		cfg.HandshakeTimeout = 10 * time.Second
	}
	cert, err := selfsign.GenerateSelfSigned()
	if err != nil {
		return nil, fmt.Errorf("sfu: DTLS certificate: %w", err)
	}
	x, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil {
		return nil, fmt.Errorf("sfu: DTLS certificate: %w", err)
	}
	cands, err := hostCandidates(cfg.Conn.LocalAddr(), cfg.AdvertiseIP)
	if err != nil {
		return nil, err
	}
	lf := pionlog.Factory(cfg.Logger)
	conn := cfg.Conn
	var batch *batchConn
	if uc, ok := cfg.Conn.(*net.UDPConn); ok && !cfg.NoBatch {
		var err error
		shards := cfg.SendShards
		if shards <= 0 {
			shards = runtime.GOMAXPROCS(0)
		}
		if batch, err = newBatchConn(uc, cfg.Stats, shards); err != nil {
			return nil, fmt.Errorf("sfu: media socket: %w", err)
		}
		conn = batch
	}
	dm := newDemux(conn)
	var split *tcpSplit
	var tcpCands []netip.AddrPort
	if cfg.TCPListener != nil {
		split = newTCPSplit(cfg.TCPListener)
		dm.conn = splitConn{addrPortConn: dm.conn, s: split}
		tcpPort, err := listenerPort(cfg.TCPListener)
		if err != nil {
			return nil, err
		}
		for _, c := range cands {
			tcpCands = append(tcpCands, netip.AddrPortFrom(c.Addr(), tcpPort))
		}
	}
	mux := webrtc.NewICEUDPMux(lf.NewLogger("mux"), dm)
	filter := newCandidateFilter(cfg.Candidates, cands, &dm.stats.FilteredCandidates).trust(cfg.OwnAddrs)
	se := webrtc.SettingEngine{LoggerFactory: lf}
	se.SetRemoteIPFilter(filter.keepRemoteIP)
	se.SetICEUDPMux(pionMux{UDPMux: mux, d: dm})
	se.SetIncludeLoopbackCandidate(true)
	var tcpMux ice.TCPMux
	if cfg.TCPListener != nil {
		tcpMux = webrtc.NewICETCPMux(lf.NewLogger("tcpmux"), split.pion, 8)
		se.SetICETCPMux(tcpMux)
		se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4, webrtc.NetworkTypeUDP6, webrtc.NetworkTypeTCP4, webrtc.NetworkTypeTCP6})
	} else {
		se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4, webrtc.NetworkTypeUDP6})
	}
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	// ICE-lite, as the fan-out transport: the client (controlling) picks
	// the path and the server sends on the pair it nominated last. A full
	// agent keeps the pair it ranks highest, which a browser may have
	// left for another (a non-loopback interface, say), and then the
	// server's RTCP, keyframe requests and consent answers reach a path
	// the browser no longer reads.
	se.SetLite(true)
	se.SetICETimeouts(cfg.DisconnectedTimeout, failedTimeout(cfg.DisconnectedTimeout), time.Second)
	// AES-128-GCM first: what browsers negotiate, and the cheapest profile.
	se.SetSRTPProtectionProfiles(dtls.SRTP_AEAD_AES_128_GCM, dtls.SRTP_AEAD_AES_256_GCM, dtls.SRTP_AES128_CM_HMAC_SHA1_80)
	if cfg.AdvertiseIP != "" {
		se.SetNAT1To1IPs([]string{cfg.AdvertiseIP}, webrtc.ICECandidateTypeHost)
	}

	upME := &webrtc.MediaEngine{}
	if err := RegisterCodecs(upME); err != nil {
		return nil, fmt.Errorf("sfu: register codecs: %w", err)
	}
	if err := RegisterHeaderExtensions(upME); err != nil {
		return nil, fmt.Errorf("sfu: register header extensions: %w", err)
	}
	upIR := &interceptor.Registry{}
	gen, err := nack.NewGeneratorInterceptor()
	if err != nil {
		return nil, err
	}
	upIR.Add(gen)
	if err := webrtc.ConfigureRTCPReports(upIR); err != nil {
		return nil, err
	}
	if err := webrtc.ConfigureTWCCSender(upME, upIR); err != nil {
		return nil, err
	}
	downME := &webrtc.MediaEngine{}
	if err := RegisterCodecs(downME); err != nil {
		return nil, fmt.Errorf("sfu: register codecs: %w", err)
	}
	if err := RegisterHeaderExtensions(downME); err != nil {
		return nil, fmt.Errorf("sfu: register header extensions: %w", err)
	}
	// No interceptor downstream: sender reports come from the Downstream
	// (sr.go) and NACKs are answered from the shared packet cache.
	downIR := &interceptor.Registry{}
	upAPI := webrtc.NewAPI(webrtc.WithMediaEngine(upME), webrtc.WithInterceptorRegistry(upIR), webrtc.WithSettingEngine(se))
	downAPI := webrtc.NewAPI(webrtc.WithMediaEngine(downME), webrtc.WithInterceptorRegistry(downIR), webrtc.WithSettingEngine(se))
	workers := cfg.FanoutWorkers
	if workers == 0 && runtime.GOMAXPROCS(0) > 2 {
		workers = runtime.GOMAXPROCS(0) - 1
	}
	m := &Media{upAPI: upAPI, downAPI: downAPI, mux: mux, tcpMux: tcpMux, demux: dm, batch: batch, fanout: newFanoutPool(workers), cfg: cfg, filter: filter,
		cert: cert, fingerprint: CertificateFingerprint(x), candidates: cands, tcpCandidates: tcpCands, split: split}
	if !cfg.PionDownstream {
		m.clock = newLiteClock()
	}
	if split != nil {
		split.start(dm)
	}
	return m, nil
}

// listenerPort is the port a TCP listener is bound to.
func listenerPort(ln net.Listener) (uint16, error) {
	ap, err := netip.ParseAddrPort(ln.Addr().String())
	if err != nil {
		return 0, fmt.Errorf("sfu: media TCP listener address: %w", err)
	}
	return ap.Port(), nil
}

// failedTimeout: consent lost quickly marks a silent client (the drop
// timeout decides); failing the connection takes much longer, so a stalled
// but living client (a busy machine, a short outage) recovers without a
// restart.
func failedTimeout(disconnected time.Duration) time.Duration {
	return max(3*disconnected, 25*time.Second)
}

func (m *Media) failedTimeout() time.Duration { return failedTimeout(m.cfg.DisconnectedTimeout) }

// hostCandidates are the addresses the fan-out transport offers: the
// advertised IP, else the bound one, else (bound to every interface) the
// addresses of the interfaces.
func hostCandidates(local net.Addr, advertise string) ([]netip.AddrPort, error) {
	ua, ok := local.(*net.UDPAddr)
	if !ok {
		return nil, fmt.Errorf("sfu: media socket address %v is not UDP", local)
	}
	port := uint16(ua.Port)
	if advertise != "" {
		ip, err := netip.ParseAddr(advertise)
		if err != nil {
			return nil, fmt.Errorf("sfu: advertised IP %q: %w", advertise, err)
		}
		return []netip.AddrPort{netip.AddrPortFrom(ip, port)}, nil
	}
	ip, _ := netip.AddrFromSlice(ua.IP)
	ip = ip.Unmap()
	if ip.IsValid() && !ip.IsUnspecified() {
		return []netip.AddrPort{netip.AddrPortFrom(ip, port)}, nil
	}
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil, fmt.Errorf("sfu: interface addresses: %w", err)
	}
	var out []netip.AddrPort
	for _, a := range addrs {
		pfx, err := netip.ParsePrefix(a.String())
		if err != nil {
			continue
		}
		ia := pfx.Addr().Unmap()
		if ia.IsLinkLocalUnicast() || ia.IsMulticast() || (ip.Is4() && !ia.Is4()) {
			continue
		}
		out = append(out, netip.AddrPortFrom(ia, port))
	}
	return out, nil
}

func newPC(api *webrtc.API) (*webrtc.PeerConnection, error) {
	return api.NewPeerConnection(webrtc.Configuration{
		BundlePolicy:  webrtc.BundlePolicyMaxBundle,
		RTCPMuxPolicy: webrtc.RTCPMuxPolicyRequire,
	})
}

// DemuxStats counts what the media port's shared reader dropped.
func (m *Media) DemuxStats() *DemuxStats { return &m.demux.stats }

// Close releases the UDP mux (and with it the socket).
func (m *Media) Close() error {
	m.fanout.close()
	if m.clock != nil {
		m.clock.close()
	}
	if m.split != nil {
		m.split.close()
	}
	if m.tcpMux != nil {
		_ = m.tcpMux.Close()
	}
	return m.mux.Close()
}

// flush waits until every packet written so far has been handed to the
// kernel (for benchmarks).
func (m *Media) flush() {
	if m.batch != nil {
		m.batch.flush()
	}
}

// gatheredLocalDescription sets desc as pc's local description and waits
// for ICE gathering to finish (non-trickle signalling), returning the
// description with candidates.
func gatheredLocalDescription(pc *webrtc.PeerConnection, desc webrtc.SessionDescription, timeout time.Duration) (string, error) {
	done := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(desc); err != nil {
		return "", fmt.Errorf("%w: %v", ErrBadSDP, err)
	}
	select {
	case <-done:
	case <-time.After(timeout):
		return "", fmt.Errorf("sfu: ICE gathering did not complete in %v", timeout)
	}
	ld := pc.LocalDescription()
	if ld == nil {
		return "", ErrClosed
	}
	return ld.SDP, nil
}
