package server

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"time"

	"github.com/cohost-rtc/cohost/internal/config"
	"github.com/cohost-rtc/cohost/internal/turnsrv"
	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/token"
)

// turnState is the node's TURN: the embedded server (with the TLS port it
// shares with HTTPS) or the external servers it hands out.
type turnState struct {
	secret  turnsrv.Secret
	hasKey  bool // secret is set (embedded, or external REST)
	srv     *turnsrv.Server
	udp     *net.UDPConn
	tcp     net.Listener
	demux   *turnsrv.Demux
	tlsPort int // the HTTPS port TURN over TLS shares, 0 without
}

// startTURN binds and starts the embedded TURN server, or prepares the
// external servers' credentials, as cfg.TURN says. It runs after the TLS
// setup: TURN over TLS shares the HTTPS listener through a demux.
func (s *Server) startTURN() error {
	cfg := s.cfg
	t := &turnState{}
	s.turn = t
	external := cfg.TURN.Mode == config.TURNExternal
	if !cfg.TURNEmbedded() && !external {
		return nil
	}
	var err error
	switch {
	case cfg.TURN.Secret != "":
		t.secret, err = turnsrv.NewSecret(cfg.TURN.Secret)
	case cfg.Cluster.Clustered() && cfg.Cluster.Secret != "":
		t.secret, err = turnsrv.NewSecret("turn:" + cfg.Cluster.Secret)
	case !external:
		t.secret, err = turnsrv.GenerateSecret()
	}
	if err != nil {
		return err
	}
	t.hasKey = cfg.TURN.Secret != "" || !external
	if external {
		return nil
	}
	host, _, _ := net.SplitHostPort(cfg.Listen)
	// TCP on the port UDP got (a free one when the port is 0).
	t.udp, t.tcp, err = listenPair(host, cfg.TURN.Port, true)
	if err != nil {
		return fmt.Errorf("server: TURN port: %w", err)
	}
	lns := []net.Listener{t.tcp}
	if cfg.TLS() && cfg.TURN.TLS && s.tls.config != nil {
		t.demux = turnsrv.NewDemux(s.httpLn, s.tls.config, s.logger)
		lns = append(lns, t.demux.TURN())
		t.tlsPort = s.httpLn.Addr().(*net.TCPAddr).Port
	}
	relayIPs := s.relayIPs()
	allowed, err := s.turnPeers(relayIPs)
	if err != nil {
		_ = t.udp.Close()
		_ = t.tcp.Close()
		return err
	}
	t.srv, err = turnsrv.New(turnsrv.Config{
		Secret: t.secret, PacketConn: t.udp, Listeners: lns, RelayIPs: relayIPs,
		PeerAllowed: allowed, SessionLive: s.sessionLive,
		MaxAllocationsPerSession: cfg.TURN.MaxAllocationsPerSession,
		Logger:                   s.logger.With("component", "turn"),
	})
	if err != nil {
		_ = t.udp.Close()
		_ = t.tcp.Close()
		return err
	}
	s.logger.Info("TURN server", "udp", t.udp.LocalAddr().String(), "tcp", t.tcp.Addr().String(),
		"tlsPort", t.tlsPort, "relayIPs", relayIPs)
	return nil
}

// relayIPs are where relays are bound, one per address family that
// clients reach TURN over: turn.relayIP alone when set, else the media
// port's IP when it is bound to one, else (bound to all addresses, IPv4
// and IPv6 alike) the first IPv4 and the first IPv6 address of the
// interfaces (the fan-out transport's own candidates), not loopback nor
// link-local unless there is no other.
func (s *Server) relayIPs() []net.IP {
	if s.cfg.TURN.RelayIP != "" {
		return []net.IP{net.ParseIP(s.cfg.TURN.RelayIP)}
	}
	if ip := s.udpConn.LocalAddr().(*net.UDPAddr).IP; !ip.IsUnspecified() {
		return []net.IP{ip}
	}
	ips := []net.IP{firstUsable(localIPs(true), net.IPv4(127, 0, 0, 1))}
	if v6 := localIPs(false); len(v6) > 0 {
		ips = append(ips, firstUsable(v6, net.IPv6loopback))
	}
	return ips
}

// firstUsable is the first of addrs neither loopback nor link-local, else
// fallback.
func firstUsable(addrs []netip.Addr, fallback net.IP) net.IP {
	for _, a := range addrs {
		if !a.IsLoopback() && !a.IsLinkLocalUnicast() {
			return net.IP(a.AsSlice())
		}
	}
	return fallback
}

// localIPs are the IPv4 (v4) or IPv6 addresses of the interfaces.
func localIPs(v4 bool) []netip.Addr {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil
	}
	var out []netip.Addr
	for _, a := range addrs {
		if p, err := netip.ParsePrefix(a.String()); err == nil && p.Addr().Is4() == v4 {
			out = append(out, p.Addr())
		}
	}
	return out
}

// turnPeers returns the check of a relay's destination: the node's own
// media addresses (the media port's IP, or every interface's when bound to
// all, the advertised IP, the relay IP) and turn.allowedPeers.
func (s *Server) turnPeers(relayIPs []net.IP) (func(net.IP) bool, error) {
	extra, err := s.cfg.TURN.PeerPrefixes()
	if err != nil {
		return nil, fmt.Errorf("server: turn.allowedPeers: %w", err)
	}
	own := map[netip.Addr]bool{}
	add := func(ip net.IP) {
		if a, ok := netip.AddrFromSlice(ip); ok {
			own[a.Unmap()] = true
		}
	}
	if ip := s.udpConn.LocalAddr().(*net.UDPAddr).IP; ip.IsUnspecified() {
		for _, a := range append(localIPs(true), localIPs(false)...) {
			own[a] = true
		}
	} else {
		add(ip)
	}
	for _, ip := range relayIPs {
		add(ip)
	}
	if s.cfg.AdvertiseIP != "" {
		add(net.ParseIP(s.cfg.AdvertiseIP))
	}
	return func(ip net.IP) bool {
		a, ok := netip.AddrFromSlice(ip)
		if !ok {
			return false
		}
		a = a.Unmap()
		if own[a] {
			return true
		}
		for _, p := range extra {
			if p.Contains(a) {
				return true
			}
		}
		return false
	}, nil
}

// sessionLive reports whether session is a session of this node.
func (s *Server) sessionLive(session string) bool {
	s.mu.Lock()
	p := s.sessions[session]
	s.mu.Unlock()
	return p != nil
}

// iceServers are the TURN servers of p with credentials valid until the
// earlier of its join privilege's expiry and turn.credentialTTL; host is
// the Host header the client's WebSocket request named.
func (s *Server) iceServers(p *Participant, reqHost string) []protocol.ICEServer {
	t := s.turn
	if t == nil || (t.srv == nil && s.cfg.TURN.Mode != config.TURNExternal) {
		return nil
	}
	var user, pass string
	if t.hasKey {
		p.mu.Lock()
		exp := p.privs[token.PrivJoinChannel]
		p.mu.Unlock()
		c := t.secret.Issue(p.sessionID, turnsrv.Expiry(time.Now(), exp, s.cfg.TURN.CredentialTTL))
		user, pass = c.Username, c.Password
	} else {
		user, pass = s.cfg.TURN.Username, s.cfg.TURN.Credential
	}
	if s.cfg.TURN.Mode == config.TURNExternal {
		return []protocol.ICEServer{{URLs: s.cfg.TURN.URLList(), Username: user, Credential: pass}}
	}
	host := s.cfg.TURN.Host
	if host == "" {
		host = reqHost
		if h, _, err := net.SplitHostPort(reqHost); err == nil {
			host = h
		}
		host = trimBrackets(host)
	}
	if host == "" {
		host = s.relayHostFallback()
	}
	port := strconv.Itoa(t.udp.LocalAddr().(*net.UDPAddr).Port)
	hp := net.JoinHostPort(host, port)
	urls := []string{"turn:" + hp + "?transport=udp", "turn:" + hp + "?transport=tcp"}
	if t.tlsPort != 0 {
		urls = append(urls, "turns:"+net.JoinHostPort(host, strconv.Itoa(t.tlsPort))+"?transport=tcp")
	}
	return []protocol.ICEServer{{URLs: urls, Username: user, Credential: pass}}
}

func trimBrackets(h string) string {
	if len(h) > 1 && h[0] == '[' && h[len(h)-1] == ']' {
		return h[1 : len(h)-1]
	}
	return h
}

// relayHostFallback names the node when the request named no host.
func (s *Server) relayHostFallback() string {
	if s.cfg.AdvertiseIP != "" {
		return s.cfg.AdvertiseIP
	}
	host, _, _ := net.SplitHostPort(s.cfg.Listen)
	if host == "" || net.ParseIP(host).IsUnspecified() {
		return "localhost"
	}
	return host
}

// TURNAddr is the embedded TURN server's UDP address (its TCP one has
// the same port), or nil.
func (s *Server) TURNAddr() net.Addr {
	if s.turn == nil || s.turn.udp == nil {
		return nil
	}
	return s.turn.udp.LocalAddr()
}

// TURNAllocations is the number of live allocations of the embedded TURN
// server.
func (s *Server) TURNAllocations() int {
	if s.turn == nil || s.turn.srv == nil {
		return 0
	}
	return s.turn.srv.Allocations()
}

// closeTURN stops the embedded server.
func (s *Server) closeTURN() {
	if s.turn == nil {
		return
	}
	if s.turn.srv != nil {
		_ = s.turn.srv.Close()
	}
	if s.turn.demux != nil {
		_ = s.turn.demux.Close()
	}
}

// tlsStateKey carries a demuxed connection's TLS state to its requests.
type tlsStateKey struct{}

// connTLSState stores the TLS state of a demuxed connection in its
// context (net/http only knows it of a *tls.Conn).
func connTLSState(ctx context.Context, c net.Conn) context.Context {
	if pc, ok := c.(*turnsrv.PeekedConn); ok {
		st := pc.ConnectionState()
		return context.WithValue(ctx, tlsStateKey{}, &st)
	}
	return ctx
}

// withTLSState sets r.TLS of requests on demuxed connections.
func withTLSState(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS == nil {
			if st, ok := r.Context().Value(tlsStateKey{}).(*tls.ConnectionState); ok {
				r.TLS = st
			}
		}
		next.ServeHTTP(w, r)
	})
}
