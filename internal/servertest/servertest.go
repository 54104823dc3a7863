// Package servertest starts a real cohost server in-process on 127.0.0.1
// with random ports and short timers, for end-to-end tests. It is the one
// place that runs a server for tests: the public package cohosttest builds
// on it.
package servertest

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/cohost-rtc/cohost/internal/config"
	"github.com/cohost-rtc/cohost/internal/server"
	"github.com/cohost-rtc/cohost/token"
)

// App credentials used by test servers.
const (
	AppID          = "970ca35de60c44645bbae8a215061b33"
	AppCertificate = "5cfd2fd1755d40ecb72977518be15d3b"
	TestAppID      = "0123456789abcdef0123456789abcdef"
)

// stopTimeout bounds a test server's shutdown.
const stopTimeout = 30 * time.Second

// Server is a running test server.
type Server struct {
	*server.Server
	// URL is the HTTP base URL, e.g. http://127.0.0.1:41234.
	URL string
	// AppID and Certificate are an app with a certificate (co-host
	// authentication on); TestAppID is an app in testing mode.
	AppID, Certificate, TestAppID string
	Config                        config.Config

	cancel    context.CancelFunc
	done      chan error
	closeOnce sync.Once
	closeErr  error
}

// Config returns the configuration of a test server keeping its state in
// dataDir: 127.0.0.1 with random ports, the certificate app and the
// testing-mode app (TURN, when on, on a random port too), a 3 s drop timeout, a 500 ms keep-alive and a 2 s
// shutdown grace.
func Config(dataDir string) config.Config {
	cfg := config.Default()
	cfg.Listen = "127.0.0.1:0"
	cfg.MediaPort = 0
	cfg.TURN.Port = 0
	cfg.DataDir = dataDir
	cfg.Apps = []config.App{{ID: AppID, Certificate: AppCertificate}, {ID: TestAppID}}
	cfg.Timers.DropTimeout = 3 * time.Second
	cfg.Timers.KeepAlive = 500 * time.Millisecond
	cfg.Timers.ShutdownGrace = 2 * time.Second
	return cfg
}

// Run starts a server with cfg and serves until Close. A nil logger
// discards the logs.
func Run(cfg config.Config, logger *slog.Logger) (*Server, error) {
	srv, err := server.New(cfg, logger)
	if err != nil {
		return nil, fmt.Errorf("start server: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{Server: srv, URL: srv.Endpoints().HTTP, AppID: AppID, Certificate: AppCertificate,
		TestAppID: TestAppID, Config: cfg, cancel: cancel, done: make(chan error, 1)}
	go func() { s.done <- srv.Serve(ctx) }()
	return s, nil
}

// Close shuts the server down gracefully and waits for it, at most 30 s.
// It returns the error Serve returned; later calls return the same.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.cancel()
		select {
		case err := <-s.done:
			if err != nil {
				s.closeErr = fmt.Errorf("server stopped with error: %w", err)
			}
		case <-time.After(stopTimeout):
			s.closeErr = ErrStopTimeout
		}
	})
	return s.closeErr
}

// Start runs a server until the test ends. mutate adjusts the configuration
// (timers, limits) before start. Set COHOST_TEST_LOG=1 to see its logs.
func Start(t testing.TB, mutate ...func(*config.Config)) *Server {
	t.Helper()
	cfg := Config(t.TempDir())
	for _, m := range mutate {
		m(&cfg)
	}
	s, err := Run(cfg, Logger())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

// Logger is the logger of test servers: debug logs on stderr when the
// COHOST_TEST_LOG environment variable is set, else none.
func Logger() *slog.Logger {
	if os.Getenv("COHOST_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// WSURL is the signalling WebSocket URL.
func (s *Server) WSURL() string { return s.Endpoints().Signalling }

// Token mints an RTC token of the certificate app for (channel, uid).
func (s *Server) Token(t testing.TB, channel string, uid uint32, role token.Role, expireSeconds uint32) string {
	t.Helper()
	tok, err := token.BuildRTCWithUID(s.AppID, s.Certificate, channel, uid, role, expireSeconds, expireSeconds)
	if err != nil {
		t.Fatalf("mint token: %v", err)
	}
	return tok
}
