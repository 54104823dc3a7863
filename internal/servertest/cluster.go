package servertest

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"

	"github.com/cohost-rtc/cohost/internal/config"
)

// ClusterSecret is the cluster secret of test clusters.
const ClusterSecret = "servertest-cluster-secret"

// RunCluster starts one server per configuration as one cluster: their
// embedded NATS servers route to each other on free 127.0.0.1 ports with
// ClusterSecret, and start together (JetStream needs a quorum before any
// of them is ready). On error the servers already started are closed.
func RunCluster(cfgs []config.Config, logger *slog.Logger) ([]*Server, error) {
	if len(cfgs) < 2 {
		return nil, fmt.Errorf("servertest: a cluster needs 2 nodes or more, got %d", len(cfgs))
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	routes, err := freeTCPAddrs(len(cfgs))
	if err != nil {
		return nil, err
	}
	for i := range cfgs {
		c := &cfgs[i]
		c.Cluster.Listen, c.Cluster.Peers, c.Cluster.Secret = routes[i], strings.Join(routes, ","), ClusterSecret
	}
	servers := make([]*Server, len(cfgs))
	errs := make([]error, len(cfgs))
	var wg sync.WaitGroup
	for i := range cfgs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			servers[i], errs[i] = Run(cfgs[i], logger.With("n", i))
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		for _, s := range servers {
			if s != nil {
				_ = s.Close()
			}
		}
		return nil, err
	}
	return servers, nil
}

// freeTCPAddrs returns n 127.0.0.1 addresses free a moment ago.
func freeTCPAddrs(n int) ([]string, error) {
	out := make([]string, 0, n)
	lns := make([]net.Listener, 0, n)
	defer func() {
		for _, ln := range lns {
			_ = ln.Close()
		}
	}()
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("servertest: free port: %w", err)
		}
		lns = append(lns, ln)
		out = append(out, ln.Addr().String())
	}
	return out, nil
}
