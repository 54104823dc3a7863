// Package servertest starts a real cohost server in-process on 127.0.0.1
// with random ports and short timers, for end-to-end tests.
package servertest

import (
	"context"
	"log/slog"
	"os"
	"strings"
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

// Server is a running test server.
type Server struct {
	*server.Server
	// URL is the HTTP base URL, e.g. http://127.0.0.1:41234.
	URL string
	// AppID and Certificate are an app with a certificate (co-host
	// authentication on); TestAppID is an app in testing mode.
	AppID, Certificate, TestAppID string
	Config                        config.Config
}

// Start runs a server until the test ends. mutate adjusts the configuration
// (timers, limits) before start. Set COHOST_TEST_LOG=1 to see its logs.
func Start(t testing.TB, mutate ...func(*config.Config)) *Server {
	t.Helper()
	cfg := config.Default()
	cfg.Listen = "127.0.0.1:0"
	cfg.MediaPort = 0
	cfg.DataDir = t.TempDir()
	cfg.Apps = []config.App{{ID: AppID, Certificate: AppCertificate}, {ID: TestAppID}}
	cfg.Timers.DropTimeout = 3 * time.Second
	cfg.Timers.KeepAlive = 500 * time.Millisecond
	cfg.Timers.ShutdownGrace = 2 * time.Second
	for _, m := range mutate {
		m(&cfg)
	}
	logger := slog.New(slog.DiscardHandler)
	if os.Getenv("COHOST_TEST_LOG") != "" {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	srv, err := server.New(cfg, logger)
	if err != nil {
		t.Fatalf("start server: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("server stopped with error: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Errorf("server did not stop within 30 s")
		}
	})
	return &Server{Server: srv, URL: "http://" + srv.HTTPAddr().String(), AppID: AppID, Certificate: AppCertificate, TestAppID: TestAppID, Config: cfg}
}

// WSURL is the signalling WebSocket URL.
func (s *Server) WSURL() string { return strings.Replace(s.URL, "http://", "ws://", 1) + "/v1/signal" }

// Token mints an RTC token of the certificate app for (channel, uid).
func (s *Server) Token(t testing.TB, channel string, uid uint32, role token.Role, expireSeconds uint32) string {
	t.Helper()
	tok, err := token.BuildRTCWithUID(s.AppID, s.Certificate, channel, uid, role, expireSeconds, expireSeconds)
	if err != nil {
		t.Fatalf("mint token: %v", err)
	}
	return tok
}
