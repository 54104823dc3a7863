// Package server is the cohost server: HTTP and WebSocket endpoints,
// channels and their users, roles and tokens. Media goes through
// internal/sfu.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/cohost-rtc/cohost/internal/config"
	"github.com/cohost-rtc/cohost/internal/sfu"
	"github.com/cohost-rtc/cohost/protocol"
)

// Server serves signalling over HTTP/WebSocket and media over one UDP port.
//
// mu guards channels, sessions, conns and closing.
type Server struct {
	cfg      config.Config
	logger   *slog.Logger
	apps     map[string]config.App
	loopback bool

	httpLn  net.Listener
	udpConn *net.UDPConn
	media   *sfu.Media
	stats   *sfu.Stats
	metrics *metrics
	httpSrv *http.Server
	tls     *tlsSetup
	// origins are security.allowedOrigins, lowercased.
	origins map[string]struct{}
	// connLimit counts the open WebSockets against connections.*.
	connLimit *connLimiter
	// metricsLn and metricsSrv serve /metrics and pprof apart
	// (security.metricsListen).
	metricsLn  net.Listener
	metricsSrv *http.Server
	nats       *natsState // see cluster.go
	turn       *turnState // see turn.go

	mu       sync.Mutex
	channels map[channelKey]*Channel
	sessions map[string]*Participant
	conns    map[*conn]struct{}
	closing  bool
	draining bool
	crashed  atomic.Bool // Crash closed the listener

	drainReq  chan struct{} // closed by Drain
	drainOnce sync.Once
}

// New checks cfg and binds the HTTP and UDP listeners, so their addresses
// are known before Serve.
func New(cfg config.Config, logger *slog.Logger) (*Server, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if len(cfg.Apps) == 0 {
		return nil, ErrNoApps
	}
	host, _, err := net.SplitHostPort(cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("server: listen address %q: %w", cfg.Listen, err)
	}
	s := &Server{cfg: cfg, logger: logger, apps: map[string]config.App{}, loopback: isLoopbackHost(host),
		channels: map[channelKey]*Channel{}, sessions: map[string]*Participant{}, conns: map[*conn]struct{}{},
		stats: &sfu.Stats{}, drainReq: make(chan struct{})}
	for _, a := range cfg.Apps {
		if a.TestingMode() && !s.loopback && !cfg.AllowTestingMode {
			return nil, fmt.Errorf("%w (app %s)", ErrTestingModeNotAllowed, a.ID)
		}
		s.apps[a.ID] = a
	}
	s.httpLn, err = net.Listen("tcp", cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("server: listen: %w", err)
	}
	// ICE-TCP, when on, listens on the media port's number.
	var tcpLn net.Listener
	s.udpConn, tcpLn, err = listenPair(host, cfg.MediaPort, cfg.MediaTCP)
	if err != nil {
		_ = s.httpLn.Close()
		return nil, fmt.Errorf("server: media port: %w", err)
	}
	var relayAddrs []netip.Addr
	if cfg.TURNEmbedded() {
		// Clients relayed by the node's TURN server offer candidates at
		// its relay addresses, private or not.
		for _, ip := range s.relayIPs() {
			if a, ok := netip.AddrFromSlice(ip); ok {
				relayAddrs = append(relayAddrs, a.Unmap())
			}
		}
	}
	s.media, err = sfu.NewMedia(sfu.MediaConfig{Conn: s.udpConn, TCPListener: tcpLn, AdvertiseIP: cfg.AdvertiseIP, Candidates: candidatePolicy(cfg.ICE), OwnAddrs: relayAddrs,
		KeyframeInterval: cfg.Timers.KeyframeInterval, PionDownstream: cfg.PionDownstream, CongestionPause: cfg.CongestionPause, DisconnectedTimeout: iceDisconnectedTimeout(cfg.Timers.DropTimeout), Logger: logger, Stats: s.stats})
	if err != nil {
		_ = s.httpLn.Close()
		_ = s.udpConn.Close()
		if tcpLn != nil {
			_ = tcpLn.Close()
		}
		return nil, err
	}
	s.metrics = newMetrics(s) // before RTM, which reports to it
	if err := s.startNATS(); err != nil {
		_ = s.Close()
		return nil, err
	}
	if s.connLimit, err = newConnLimiter(cfg.Connections, s.logger); err != nil {
		_ = s.Close()
		return nil, err
	}
	if len(cfg.Security.OriginList()) > 0 {
		s.origins = map[string]struct{}{}
		for _, o := range cfg.Security.OriginList() {
			s.origins[o] = struct{}{}
		}
	}
	if cfg.Security.MetricsListen != "" {
		s.metricsLn, err = net.Listen("tcp", cfg.Security.MetricsListen)
		if err != nil {
			_ = s.Close()
			return nil, fmt.Errorf("server: metrics listen: %w", err)
		}
		mux := http.NewServeMux()
		s.diagnosticRoutes(mux, func(h http.Handler) http.Handler { return h })
		s.metricsSrv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second,
			ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelDebug)}
	}
	s.httpSrv = &http.Server{Handler: withTLSState(s.routes()), ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelDebug)}
	s.tls, err = newTLS(cfg, logger)
	if err != nil {
		_ = s.Close()
		return nil, err
	}
	s.httpSrv.TLSConfig = s.tls.config
	s.httpSrv.ConnContext = connTLSState
	if err := s.startTURN(); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

// iceDisconnectedTimeout: ICE reports consent lost after a quarter of the
// drop timeout (at most 5 s), so a silent client is noticed in time.
func iceDisconnectedTimeout(drop time.Duration) time.Duration {
	return min(5*time.Second, max(drop/4, 200*time.Millisecond))
}

func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// HTTPAddr is the bound HTTP address.
func (s *Server) HTTPAddr() net.Addr { return s.httpLn.Addr() }

// MediaAddr is the bound UDP media address.
func (s *Server) MediaAddr() net.Addr { return s.udpConn.LocalAddr() }

// DevTokensEnabled reports whether /v1/dev/token is served.
func (s *Server) DevTokensEnabled() bool { return s.loopback && s.cfg.DevTokens && s.devApp() != nil }

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.Handle(protocol.SignalPath, s.originGuard(s.connLimit.guard(http.HandlerFunc(s.handleSignal))))
	s.rtmRoutes(mux)
	s.clusterRoutes(mux)
	if s.DevTokensEnabled() {
		mux.HandleFunc("GET /v1/dev/token", s.devTokenGuard(s.handleDevToken))
	}
	if s.metricsSrv == nil {
		s.diagnosticRoutes(mux, s.metricsGuard)
	}
	s.webRoutes(mux)
	return mux
}

// diagnosticRoutes registers /metrics and, if enabled, /debug/pprof/ on
// mux, each wrapped by guard.
func (s *Server) diagnosticRoutes(mux *http.ServeMux, guard func(http.Handler) http.Handler) {
	mux.Handle("GET /metrics", guard(s.metrics.handler()))
	mux.Handle("POST "+DrainPath, guard(http.HandlerFunc(s.handleDrain)))
	if s.cfg.Pprof {
		mux.Handle("/debug/pprof/", guard(http.HandlerFunc(pprof.Index)))
		mux.Handle("/debug/pprof/cmdline", guard(http.HandlerFunc(pprof.Cmdline)))
		mux.Handle("/debug/pprof/profile", guard(http.HandlerFunc(pprof.Profile)))
		mux.Handle("/debug/pprof/symbol", guard(http.HandlerFunc(pprof.Symbol)))
		mux.Handle("/debug/pprof/trace", guard(http.HandlerFunc(pprof.Trace)))
	}
}

// Serve serves until ctx is cancelled or Drain is called, then shuts down
// gracefully: every client gets a disconnect event with reason
// SERVER_SHUTDOWN before its connection closes. A cluster node drains
// first (see Drain), within cluster.drainTimeout. It returns nil after a
// clean shutdown.
func (s *Server) Serve(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() {
		var err error
		if s.turn != nil && s.turn.demux != nil {
			// TLS is done by the demux, which sends TURN apart.
			err = s.httpSrv.Serve(s.turn.demux.HTTP())
			if errors.Is(err, net.ErrClosed) {
				err = nil
			}
		} else if s.httpSrv.TLSConfig != nil {
			err = s.httpSrv.ServeTLS(s.httpLn, "", "")
		} else {
			err = s.httpSrv.Serve(s.httpLn)
		}
		if errors.Is(err, http.ErrServerClosed) || s.crashed.Load() {
			err = nil
		}
		errc <- err
	}()
	acmeDone := make(chan struct{})
	go func() {
		defer close(acmeDone)
		if err := s.tls.serveACMEHTTP(); err != nil {
			s.logger.Error("ACME HTTP-01 listener", "err", err)
		}
	}()
	metricsDone := make(chan struct{})
	go func() {
		defer close(metricsDone)
		if s.metricsSrv == nil {
			return
		}
		if err := s.metricsSrv.Serve(s.metricsLn); err != nil && !errors.Is(err, http.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
			s.logger.Error("metrics listener", "err", err)
		}
	}()
	janitorDone := make(chan struct{})
	jctx, stopJanitor := context.WithCancel(context.Background())
	go func() {
		defer close(janitorDone)
		s.janitor(jctx)
	}()
	var serveErr error
	served := false
	select {
	case <-ctx.Done():
	case <-s.drainReq:
	case serveErr = <-errc:
		served = true
		if s.crashed.Load() {
			// Crash closed the listener: stay as the crash left
			// things until told to stop.
			<-ctx.Done()
		}
	}
	if !served {
		// A graceful stop of a cluster node drains it first.
		limit := s.cfg.Cluster.DrainTimeout
		if limit <= 0 {
			limit = config.DefaultCluster().DrainTimeout
		}
		dctx, cancel := context.WithTimeout(context.Background(), limit)
		s.drain(dctx)
		cancel()
	}
	stopJanitor()
	<-janitorDone
	s.shutdown()
	<-acmeDone
	<-metricsDone
	if !served {
		serveErr = <-errc
	}
	return serveErr
}

// shutdown disconnects every session and closes the listeners.
func (s *Server) shutdown() {
	grace := s.cfg.Timers.ShutdownGrace
	s.mu.Lock()
	s.closing = true
	sessions := make([]*Participant, 0, len(s.sessions))
	for _, p := range s.sessions {
		sessions = append(sessions, p)
	}
	s.mu.Unlock()
	for _, p := range sessions {
		p.disconnect(protocol.ReasonServerShutdown, "the server is shutting down")
		s.removeParticipant(p, protocol.OfflineQuit)
	}
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	// Wait for flushed disconnect messages, then force what is left.
	for {
		s.mu.Lock()
		n := len(s.conns)
		s.mu.Unlock()
		if n == 0 || ctx.Err() != nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	s.mu.Lock()
	for c := range s.conns {
		c.close(websocket.StatusGoingAway, "server shutting down")
		c.cancel()
	}
	s.mu.Unlock()
	_ = s.httpSrv.Shutdown(ctx)
	for {
		s.mu.Lock()
		n := len(s.conns)
		s.mu.Unlock()
		if n == 0 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	_ = s.Close()
}

// Close releases the listeners. Serve calls it on shutdown.
func (s *Server) Close() error {
	_ = s.httpLn.Close()
	if s.tls != nil {
		s.tls.close()
	}
	if s.metricsSrv != nil {
		_ = s.metricsSrv.Close()
	}
	if s.metricsLn != nil {
		_ = s.metricsLn.Close()
	}
	s.stopNATS()
	s.closeTURN()
	return s.media.Close()
}

// trackConn registers (add) or forgets a connection; it refuses new ones
// while shutting down.
func (s *Server) trackConn(c *conn, add bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !add {
		delete(s.conns, c)
		return true
	}
	if s.closing {
		return false
	}
	s.conns[c] = struct{}{}
	return true
}
