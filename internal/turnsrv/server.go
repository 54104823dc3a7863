package turnsrv

import (
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/pion/stun/v4"
	"github.com/pion/turn/v5"

	"github.com/cohost-rtc/cohost/internal/pionlog"
)

// Realm is the TURN realm of cohost's credentials.
const Realm = "cohost"

// Config configures an embedded TURN server.
type Config struct {
	// Secret checks the credentials.
	Secret Secret
	// PacketConn is the UDP socket (nil: no UDP).
	PacketConn net.PacketConn
	// Listeners carry TURN over TCP, and over TLS once decrypted.
	Listeners []net.Listener
	// RelayIPs are the addresses relays are bound to and reported at, at
	// most one IPv4 and one IPv6: an allocation is relayed from the one of
	// its address family (RFC 6156: the family it asks for, else the one of
	// the address the client reached the server at), and refused when
	// there is none.
	RelayIPs []net.IP
	// PeerAllowed reports whether an allocation may send to ip; nil
	// allows none.
	PeerAllowed func(ip net.IP) bool
	// SessionLive reports whether the session a credential names still
	// exists on this node: a new allocation or a refresh needs it.
	SessionLive func(session string) bool
	// MaxAllocationsPerSession bounds the live allocations of one
	// credential (0: 16).
	MaxAllocationsPerSession int
	// Now is the clock (nil: time.Now).
	Now    func() time.Time
	Logger *slog.Logger
}

// Server is a running TURN server. Close stops it.
type Server struct {
	cfg  Config
	turn *turn.Server

	lns []*trackListener

	mu     sync.Mutex
	allocs map[string]int // live allocations by username
}

// New starts a TURN server on the sockets of cfg.
func New(cfg Config) (*Server, error) {
	if cfg.PacketConn == nil && len(cfg.Listeners) == 0 {
		return nil, ErrNoListener
	}
	relays, err := newFamilyRelays(cfg.RelayIPs)
	if err != nil {
		return nil, err
	}
	if len(cfg.Secret.key) == 0 {
		return nil, ErrNoSecret
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxAllocationsPerSession <= 0 {
		cfg.MaxAllocationsPerSession = 16
	}
	if cfg.PeerAllowed == nil {
		cfg.PeerAllowed = func(net.IP) bool { return false }
	}
	if cfg.SessionLive == nil {
		cfg.SessionLive = func(string) bool { return false }
	}
	s := &Server{cfg: cfg, allocs: map[string]int{}}
	perm := func(_ net.Addr, peer net.IP) bool {
		ok := cfg.PeerAllowed(peer)
		if !ok {
			cfg.Logger.Debug("TURN permission refused", "peer", peer)
		}
		return ok
	}
	sc := turn.ServerConfig{
		Realm:         Realm,
		LoggerFactory: pionlog.Factory(cfg.Logger),
		AuthHandler:   s.auth,
		QuotaHandler:  s.quota,
		EventHandler: turn.EventHandler{
			OnAllocationCreated: func(_, _ net.Addr, _, user, _ string, _ net.Addr, _ int) { s.count(user, 1) },
			OnAllocationDeleted: func(_, _ net.Addr, _, user, _ string) { s.count(user, -1) },
		},
	}
	if cfg.PacketConn != nil {
		sc.PacketConnConfigs = []turn.PacketConnConfig{{PacketConn: cfg.PacketConn, RelayAddressGenerator: relays, PermissionHandler: perm}}
	}
	for _, ln := range cfg.Listeners {
		tl := newTrackListener(ln)
		s.lns = append(s.lns, tl)
		sc.ListenerConfigs = append(sc.ListenerConfigs, turn.ListenerConfig{Listener: tl, RelayAddressGenerator: relays, PermissionHandler: perm})
	}
	t, err := turn.NewServer(sc)
	if err != nil {
		return nil, fmt.Errorf("turn: start: %w", err)
	}
	s.turn = t
	return s, nil
}

// auth answers TURN's request for the key of a username: a new
// allocation needs an unexpired credential of a live session, a refresh a
// live session (an allocation made in time is never cut while its session
// lives); other requests of an existing allocation only the right
// password.
func (s *Server) auth(ra *turn.RequestAttributes) (string, []byte, bool) {
	exp, session, err := Parse(ra.Username)
	if err != nil {
		s.cfg.Logger.Debug("TURN request refused", "err", err, "from", ra.SrcAddr)
		return "", nil, false
	}
	switch ra.Method {
	case stun.MethodAllocate:
		if !s.cfg.Now().Before(exp) {
			s.cfg.Logger.Debug("TURN allocation refused: credential expired", "session", session, "expired", exp, "from", ra.SrcAddr)
			return "", nil, false
		}
		fallthrough
	case stun.MethodRefresh:
		if !s.cfg.SessionLive(session) {
			s.cfg.Logger.Debug("TURN request refused: session ended", "session", session, "method", ra.Method, "from", ra.SrcAddr)
			return "", nil, false
		}
	}
	return ra.Username, turn.GenerateAuthKey(ra.Username, ra.Realm, s.cfg.Secret.password(ra.Username)), true
}

// quota refuses an allocation beyond MaxAllocationsPerSession.
func (s *Server) quota(user, _ string, _ net.Addr) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.allocs[user] < s.cfg.MaxAllocationsPerSession
}

func (s *Server) count(user string, d int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.allocs[user] += d; s.allocs[user] <= 0 {
		delete(s.allocs, user)
	}
}

// Allocations is the number of live allocations.
func (s *Server) Allocations() int { return s.turn.AllocationCount() }

// Close stops the server and closes its sockets and listeners.
func (s *Server) Close() error {
	err := s.turn.Close()
	for _, l := range s.lns {
		l.closeConns()
	}
	return err
}
