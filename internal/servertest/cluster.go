package servertest

import (
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
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

// freeTCPAddrs returns n 127.0.0.1 addresses free a moment ago, taken
// below the kernel's ephemeral port range where it has room for them: a
// port the kernel handed out would be free again once closed, and another
// test's outgoing connection could take it before the route listener
// binds it (on a busy machine, a cluster then failed to start).
func freeTCPAddrs(n int) ([]string, error) {
	out := make([]string, 0, n)
	lns := make([]net.Listener, 0, n)
	defer func() {
		for _, ln := range lns {
			_ = ln.Close()
		}
	}()
	lo := ephemeralLow()
	for attempt := 0; len(lns) < n && lo > minFixedPort+1000 && attempt < 200; attempt++ {
		port := minFixedPort + rand.IntN(lo-minFixedPort)
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			continue
		}
		lns = append(lns, ln)
		out = append(out, ln.Addr().String())
	}
	for len(lns) < n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("servertest: free port: %w", err)
		}
		lns = append(lns, ln)
		out = append(out, ln.Addr().String())
	}
	return out, nil
}

// minFixedPort is the lowest port freeTCPAddrs picks itself.
const minFixedPort = 20000

// ephemeralLow is the first port of the kernel's ephemeral range (32768
// when it cannot be read).
func ephemeralLow() int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return 32768
	}
	f := strings.Fields(string(b))
	if len(f) != 2 {
		return 32768
	}
	lo, err := strconv.Atoi(f[0])
	if err != nil {
		return 32768
	}
	return lo
}
