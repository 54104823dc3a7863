// Package natsbus connects cohost to NATS: it starts an embedded NATS server
// in-process (JetStream on) or connects to an external server or cluster.
// Everything after Open is the same either way: the embedded server is the
// single-node case of a NATS deployment.
package natsbus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Config says where NATS is.
type Config struct {
	// URL of an external server or cluster; empty starts an embedded one.
	URL string
	// StoreDir is the embedded server's JetStream directory (required
	// without URL).
	StoreDir string
	// Listen, if set, makes the embedded server accept clients on
	// host:port ("127.0.0.1:0" picks a free port).
	Listen string
	// Replicas of the streams and buckets created through the bus.
	Replicas int
	// Name names the connection (shown by NATS monitoring).
	Name   string
	Logger *slog.Logger
}

// Bus is a NATS connection with JetStream, and the embedded server if
// there is one.
type Bus struct {
	Conn     *nats.Conn
	JS       jetstream.JetStream
	Replicas int
	srv      *server.Server
	log      *slog.Logger
}

// Open starts the embedded server (without cfg.URL) or connects to
// cfg.URL, and returns once the connection is ready.
func Open(cfg Config) (*Bus, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	b := &Bus{Replicas: max(cfg.Replicas, 1), log: log}
	opts := []nats.Option{
		nats.Name(cfg.Name),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(250 * time.Millisecond),
		nats.ReconnectBufSize(64 << 20),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				log.Warn("NATS connection lost", "err", err)
			}
		}),
		nats.ReconnectHandler(func(c *nats.Conn) { log.Info("NATS connection restored", "url", c.ConnectedUrl()) }),
	}
	if cfg.URL == "" {
		srv, err := StartServer(cfg.StoreDir, cfg.Listen)
		if err != nil {
			return nil, err
		}
		b.srv = srv
		opts = append(opts, nats.InProcessServer(srv))
	}
	nc, err := nats.Connect(cfg.URL, opts...)
	if err != nil {
		b.shutdownServer()
		return nil, fmt.Errorf("natsbus: connect %q: %w", cfg.URL, err)
	}
	b.Conn = nc
	b.JS, err = jetstream.New(nc)
	if err != nil {
		b.Close()
		return nil, fmt.Errorf("natsbus: JetStream: %w", err)
	}
	// Fail early, with a clear message, when the server has no JetStream.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := b.JS.AccountInfo(ctx); err != nil {
		b.Close()
		return nil, fmt.Errorf("natsbus: JetStream not available on %q: %w", cfg.URL, err)
	}
	return b, nil
}

// StartServer starts a NATS server with JetStream storing in storeDir. With
// listen empty it accepts in-process connections only. Stop it with
// Shutdown and WaitForShutdown.
func StartServer(storeDir, listen string) (*server.Server, error) {
	if storeDir == "" {
		return nil, errors.New("natsbus: no JetStream store directory")
	}
	opts := &server.Options{
		ServerName: "cohost",
		JetStream:  true,
		StoreDir:   storeDir,
		NoLog:      true,
		NoSigs:     true,
		DontListen: listen == "",
	}
	if listen != "" {
		host, port, err := net.SplitHostPort(listen)
		if err != nil {
			return nil, fmt.Errorf("natsbus: listen address %q: %w", listen, err)
		}
		opts.Host = host
		if opts.Port, err = strconv.Atoi(port); err != nil {
			return nil, fmt.Errorf("natsbus: listen port %q: %w", port, err)
		}
		if opts.Port == 0 {
			opts.Port = server.RANDOM_PORT
		}
	}
	srv, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("natsbus: embedded server: %w", err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		srv.Shutdown()
		srv.WaitForShutdown()
		return nil, errors.New("natsbus: embedded server not ready within 10 s")
	}
	return srv, nil
}

// Embedded reports whether the bus runs its own server.
func (b *Bus) Embedded() bool { return b.srv != nil }

// ClientURL is the embedded server's client URL when it listens, else "".
func (b *Bus) ClientURL() string {
	if b.srv == nil || b.srv.Addr() == nil {
		return ""
	}
	return b.srv.ClientURL()
}

// Close drains nothing: it closes the connection and stops the embedded
// server. Callers flush what they must before.
func (b *Bus) Close() {
	if b.Conn != nil {
		b.Conn.Close()
	}
	b.shutdownServer()
}

func (b *Bus) shutdownServer() {
	if b.srv != nil {
		b.srv.Shutdown()
		b.srv.WaitForShutdown()
	}
}

// KeyValue opens bucket, creating or updating it with cfg (Replicas from
// the bus).
func (b *Bus) KeyValue(ctx context.Context, cfg jetstream.KeyValueConfig) (jetstream.KeyValue, error) {
	cfg.Replicas = b.Replicas
	kv, err := b.JS.CreateOrUpdateKeyValue(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("natsbus: bucket %s: %w", cfg.Bucket, err)
	}
	return kv, nil
}

// Stream creates or updates a stream with cfg (Replicas from the bus).
func (b *Bus) Stream(ctx context.Context, cfg jetstream.StreamConfig) (jetstream.Stream, error) {
	cfg.Replicas = b.Replicas
	st, err := b.JS.CreateOrUpdateStream(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("natsbus: stream %s: %w", cfg.Name, err)
	}
	return st, nil
}
