package cohosttest

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/cohost-rtc/cohost/internal/config"
	"github.com/cohost-rtc/cohost/internal/servertest"
)

// StartCluster runs n cohost nodes in-process as one cluster, as n
// machines running `cohost serve --cluster-peers` would: each node has its
// own ports on 127.0.0.1 and its own embedded NATS server, and the NATS
// servers route to each other (JetStream replicated on up to three of
// them). A node not heard from for 1.5 s ([WithNodeTimeout]) is dead to
// the others. The options apply to every node. The returned Server's Node
// is the first node; [Server.Nodes] lists them all.
//
// What spans the nodes today is real-time messaging (users on different
// nodes message each other, see each other's presence, share channels and
// attributes), the node registry, and a live channel's audience: an RTC
// channel's hosts are on the node holding it, where a join through another
// node is sent, but audience members joining with the Go SDK's
// AudienceOnAnyNode stay on the node they reached, which carries the
// channel's events and media from the channel's node.
func StartCluster(n int, opts ...Option) (*Server, error) {
	if n < 2 {
		return nil, fmt.Errorf("%w: a cluster of %d nodes (2 or more)", ErrInvalidOption, n)
	}
	o := options{appID: AppID, certificate: AppCertificate, tokenExpiry: time.Hour, nodeTimeout: 1500 * time.Millisecond}
	for _, opt := range opts {
		opt(&o)
	}
	dir, err := os.MkdirTemp("", "cohosttest-")
	if err != nil {
		return nil, fmt.Errorf("cohosttest: %w", err)
	}
	cfgs := make([]config.Config, n)
	for i := range cfgs {
		cfgs[i] = servertest.Config(fmt.Sprintf("%s/node%d", dir, i))
		o.apply(&cfgs[i])
		if err := cfgs[i].Validate(); err != nil {
			_ = os.RemoveAll(dir)
			return nil, fmt.Errorf("%w: %w", ErrInvalidOption, err)
		}
	}
	nodes, err := servertest.RunCluster(cfgs, o.logger)
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("cohosttest: %w", err)
	}
	s := &Server{AppID: o.appID, Certificate: o.certificate, nodes: nodes, dir: dir, tokenExpiry: o.tokenExpiry}
	if o.testingModeApp {
		s.TestAppID = testAppID
	}
	s.Node = nodeOf(nodes[0])
	return s, nil
}

// NewCluster starts a cluster as [StartCluster] does and closes it when
// the test ends. It fails the test if the cluster does not start or does
// not stop cleanly.
func NewCluster(t testing.TB, n int, opts ...Option) *Server {
	t.Helper()
	s, err := StartCluster(n, opts...)
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

// StopNode stops node i (an index of [Server.Nodes]) gracefully, as
// SIGTERM does: it drains (it takes no new members, releases its channels
// and tells its RTC members it stops, so their SDKs join again through
// another node with their uid and role), tells its RTM users the server is
// shutting down, and says goodbye to the other nodes, which forget it at
// once. Close still cleans up.
func (s *Server) StopNode(i int) error {
	if i < 0 || i >= len(s.nodes) {
		return fmt.Errorf("%w: node %d of %d", ErrInvalidOption, i, len(s.nodes))
	}
	if err := s.nodes[i].Close(); err != nil {
		return fmt.Errorf("cohosttest: node %d: %w", i, err)
	}
	return nil
}
