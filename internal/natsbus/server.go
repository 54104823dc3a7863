package natsbus

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// RouteUser is the user name cluster routes authenticate with; the
// password is the cluster secret.
const RouteUser = "cohost-route"

// ServerConfig configures an embedded NATS server.
type ServerConfig struct {
	// Name is the server's name, unique in a cluster and stable across
	// restarts (JetStream knows its peers by it). Empty: "cohost".
	Name string
	// StoreDir is the JetStream directory (required).
	StoreDir string
	// Listen, if set, makes the server accept clients on host:port
	// ("127.0.0.1:0" picks a free port); else only in-process ones, or
	// in a cluster also clients on a free 127.0.0.1 port.
	Listen string
	// Credentials every client must present (required).
	Credentials Credentials
	// TLS, with a certificate, is offered to clients and required on
	// routes.
	TLS TLS
	// Cluster makes the server one of a NATS cluster.
	Cluster Cluster
}

// Cluster is the route side of an embedded server.
type Cluster struct {
	// Listen is the route address, host:port (port 0 picks a free one).
	// Empty: no cluster.
	Listen string
	// Peers are the other servers' route addresses, host:port (this
	// server's own address may be listed: it is skipped). At least one
	// other is required: JetStream does not run as a cluster of one.
	Peers []string
	// Secret authenticates routes both ways (required with Listen).
	Secret string
}

// readyTimeout bounds the embedded server's start (JetStream's recovery
// included) until it listens; a loaded machine starting several nodes at
// once has taken more than 10 s.
const readyTimeout = 30 * time.Second

// StartServer starts a NATS server with JetStream. Stop it with Shutdown
// and WaitForShutdown.
func StartServer(cfg ServerConfig) (*server.Server, error) {
	if cfg.StoreDir == "" {
		return nil, ErrNoStoreDir
	}
	name := cfg.Name
	if name == "" {
		name = "cohost"
	}
	opts := &server.Options{
		ServerName: name,
		JetStream:  true,
		StoreDir:   cfg.StoreDir,
		NoLog:      true,
		NoSigs:     true,
		DontListen: cfg.Listen == "",
	}
	if err := cfg.Credentials.check(); err != nil {
		return nil, err
	}
	if err := cfg.Credentials.serverOptions(opts); err != nil {
		return nil, err
	}
	clientTLS, routeTLS, err := cfg.TLS.serverConfigs()
	if err != nil {
		return nil, err
	}
	if clientTLS != nil {
		opts.TLSConfig, opts.TLSTimeout = clientTLS, 5
	}
	if cfg.Listen != "" {
		if opts.Host, opts.Port, err = hostPort(cfg.Listen); err != nil {
			return nil, fmt.Errorf("natsbus: listen address %q: %w", cfg.Listen, err)
		}
	}
	if err := cfg.Cluster.options(opts, routeTLS); err != nil {
		return nil, err
	}
	if opts.DontListen && cfg.Cluster.Listen != "" {
		// The server starts its routes only once it accepts clients: a
		// clustered server listens, on a free loopback port at least.
		opts.DontListen, opts.Host, opts.Port = false, "127.0.0.1", server.RANDOM_PORT
	}
	srv, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("natsbus: embedded server: %w", err)
	}

	go srv.Start()
	if !srv.ReadyForConnections(readyTimeout) {
		srv.Shutdown()
		srv.WaitForShutdown()
		return nil, fmt.Errorf("%w within %v", ErrNotReady, readyTimeout)
	}
	return srv, nil
}

// options sets the cluster part of opts.
func (c Cluster) options(opts *server.Options, routeTLS *tls.Config) error {
	if c.Listen == "" {
		if len(c.Peers) > 0 {
			return ErrNoClusterListen
		}
		return nil
	}
	if c.Secret == "" {
		return ErrNoClusterSecret
	}
	host, port, err := hostPort(c.Listen)
	if err != nil {
		return fmt.Errorf("natsbus: cluster listen address %q: %w", c.Listen, err)
	}
	opts.Cluster = server.ClusterOpts{
		Name: "cohost", Host: host, Port: port,
		Username: RouteUser, Password: c.Secret, AuthTimeout: 5,
	}
	if routeTLS != nil {
		opts.Cluster.TLSConfig, opts.Cluster.TLSTimeout = routeTLS, 5
	}
	for _, p := range c.Peers {
		if p == c.Listen {
			continue
		}
		if _, _, err := net.SplitHostPort(p); err != nil {
			return fmt.Errorf("natsbus: cluster peer %q: %w", p, err)
		}
		opts.Routes = append(opts.Routes, &url.URL{Scheme: "nats", User: url.UserPassword(RouteUser, c.Secret), Host: p})
	}
	if len(opts.Routes) == 0 {
		return ErrNoPeers
	}
	return nil
}

func hostPort(s string) (string, int, error) {
	host, ps, err := net.SplitHostPort(s)
	if err != nil {
		return "", 0, err
	}
	port, err := strconv.Atoi(ps)
	if err != nil {
		return "", 0, fmt.Errorf("port %q: %w", ps, err)
	}
	if port == 0 {
		port = server.RANDOM_PORT
	}
	return host, port, nil
}
