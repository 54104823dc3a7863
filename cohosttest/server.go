package cohosttest

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/cohost-rtc/cohost/internal/servertest"
)

// The default credentials of a test server.
const (
	// AppID is the App ID of the app the server accepts by default.
	AppID = "970ca35de60c44645bbae8a215061b33"
	// AppCertificate is that app's certificate.
	AppCertificate = "5cfd2fd1755d40ecb72977518be15d3b"
	// testAppID is the app in testing mode added by WithTestingModeApp.
	testAppID = "0123456789abcdef0123456789abcdef"
)

// Node is one running cohost server process: where clients reach it.
type Node struct {
	// URL is the HTTP base URL, e.g. http://127.0.0.1:41234: the
	// ServerURL of the rtc and rtm SDKs, the demo page, /healthz.
	URL string
	// SignalURL is the RTC signalling WebSocket URL (ws://…/v1/signal).
	SignalURL string
	// RTMURL is the real-time messaging WebSocket URL (ws://…/v1/rtm).
	RTMURL string
	// MetricsURL is the Prometheus metrics URL.
	MetricsURL string
	// MediaAddr is the UDP address carrying all media, e.g.
	// 127.0.0.1:41235.
	MediaAddr string
	// ID is the node's id in its cluster (see [StartCluster]).
	ID string
}

// Server is a cohost service running in-process: its node's addresses,
// the apps it accepts and token helpers for them.
type Server struct {
	// Node is the node clients connect to.
	Node
	// AppID and Certificate are the app the server accepts: tokens are
	// required and checked (co-host authentication on).
	AppID, Certificate string
	// TestAppID is an app in testing mode (no token needed), set only
	// with [WithTestingModeApp].
	TestAppID string

	nodes       []*servertest.Server
	dir         string
	tokenExpiry time.Duration
	closeOnce   sync.Once
	closeErr    error
}

// Start runs a cohost server on 127.0.0.1 with random ports until Close.
// Unless options say otherwise it accepts the app [AppID] with
// [AppCertificate], drops a silent client after 3 s with a 500 ms
// keep-alive, shuts down within 2 s, logs nothing, and keeps every other
// setting at the default of `cohost serve`.
func Start(opts ...Option) (*Server, error) {
	o := options{appID: AppID, certificate: AppCertificate, tokenExpiry: time.Hour}
	for _, opt := range opts {
		opt(&o)
	}
	if o.tokenExpiry < time.Second || o.tokenExpiry > time.Duration(1<<32-1)*time.Second {
		return nil, fmt.Errorf("%w: token expiry %v", ErrInvalidOption, o.tokenExpiry)
	}
	dir, err := os.MkdirTemp("", "cohosttest-")
	if err != nil {
		return nil, fmt.Errorf("cohosttest: %w", err)
	}
	cfg := servertest.Config(dir)
	o.apply(&cfg)
	if err := cfg.Validate(); err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("%w: %w", ErrInvalidOption, err)
	}
	n, err := servertest.Run(cfg, o.logger)
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("cohosttest: %w", err)
	}
	s := &Server{AppID: o.appID, Certificate: o.certificate, nodes: []*servertest.Server{n}, dir: dir,
		tokenExpiry: o.tokenExpiry}
	if o.testingModeApp {
		s.TestAppID = testAppID
	}
	s.Node = nodeOf(n)
	return s, nil
}

// NewServer starts a server as [Start] does and closes it when the test
// and its subtests end (t.Cleanup). It fails the test if the server does
// not start or does not stop cleanly.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s, err := Start(opts...)
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

// Nodes returns every node of the service: one, or those of
// [StartCluster].
func (s *Server) Nodes() []Node {
	nodes := make([]Node, len(s.nodes))
	for i, n := range s.nodes {
		nodes[i] = nodeOf(n)
	}
	return nodes
}

// Close shuts the server down gracefully: connected clients are told the
// server is shutting down (SERVER_SHUTDOWN), then their connections close.
// It waits for the shutdown, removes the server's files and returns the
// errors. Later calls return the same.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		var errs []error
		for _, n := range s.nodes {
			errs = append(errs, n.Close())
		}
		errs = append(errs, os.RemoveAll(s.dir))
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}

func nodeOf(n *servertest.Server) Node {
	e := n.Endpoints()
	return Node{URL: e.HTTP, SignalURL: e.Signalling, RTMURL: e.RTM, MetricsURL: e.Metrics, MediaAddr: e.Media, ID: n.NodeID()}
}
