// Package natsbus connects cohost to NATS: it starts an embedded NATS server
// in-process (JetStream on) or connects to an external server or cluster.
// Everything after Open is the same either way: the embedded server is the
// single-node case of a NATS deployment, and embedded servers given each
// other as peers form a NATS cluster with JetStream replicated.
//
// Nobody reaches the embedded server without credentials: clients (the
// in-process one included) present a token, a user and password or an
// NKey, and cluster routes a shared secret.
package natsbus

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Config says where NATS is and how to reach it.
type Config struct {
	// URL of an external server or cluster; empty starts an embedded one.
	URL string
	// Server configures the embedded server (without URL).
	Server ServerConfig
	// Credentials and TLS of the client: for an external NATS they are
	// what its servers require; for the embedded server, Server's are
	// used.
	Credentials Credentials
	TLS         TLS
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
// cfg.URL, and returns once JetStream answers: on a forming cluster, once
// it has a leader. ctx bounds the wait.
func Open(ctx context.Context, cfg Config) (*Bus, error) {
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
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) { log.Warn("NATS error", "err", err) }),
	}
	creds, tlsCfg := cfg.Credentials, cfg.TLS
	if cfg.URL == "" {
		srv, err := StartServer(cfg.Server)
		if err != nil {
			return nil, err
		}
		b.srv = srv
		opts = append(opts, nats.InProcessServer(srv))
		creds, tlsCfg = cfg.Server.Credentials, TLS{}
	}
	if err := creds.check(); err != nil {
		b.shutdownServer()
		return nil, err
	}
	co, err := creds.clientOptions()
	if err == nil {
		var to []nats.Option
		to, err = tlsCfg.clientOptions()
		co = append(co, to...)
	}
	if err != nil {
		b.shutdownServer()
		return nil, err
	}
	nc, err := nats.Connect(cfg.URL, append(opts, co...)...)
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
	// Fail with a clear message when the server has no JetStream; wait
	// while a cluster elects its JetStream leader.
	if err := retry(ctx, func(ctx context.Context) error {
		_, err := b.JS.AccountInfo(ctx)
		return err
	}); err != nil {
		b.Close()
		return nil, fmt.Errorf("natsbus: JetStream not available on %q: %w", cfg.URL, err)
	}
	return b, nil
}

// retry runs f until it succeeds or ctx ends (then the last error). Each
// try gets at most 2 s.
func retry(ctx context.Context, f func(context.Context) error) error {
	for {
		tctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		err := f(tctx)
		cancel()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (waited: %w)", err, ctx.Err())
		case <-time.After(250 * time.Millisecond):
		}
	}
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

// ClusterAddr is the embedded server's route address when it is part of a
// cluster, else "".
func (b *Bus) ClusterAddr() string {
	if b.srv == nil || b.srv.ClusterAddr() == nil {
		return ""
	}
	return b.srv.ClusterAddr().String()
}

// Routes is the number of cluster routes of the embedded server (0
// without one).
func (b *Bus) Routes() int {
	if b.srv == nil {
		return 0
	}
	return b.srv.NumRoutes()
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
// the bus). On a forming cluster it retries until ctx ends.
func (b *Bus) KeyValue(ctx context.Context, cfg jetstream.KeyValueConfig) (jetstream.KeyValue, error) {
	cfg.Replicas = b.Replicas
	var kv jetstream.KeyValue
	err := retry(ctx, func(ctx context.Context) (err error) {
		kv, err = b.JS.CreateOrUpdateKeyValue(ctx, cfg)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("natsbus: bucket %s: %w", cfg.Bucket, err)
	}
	return kv, nil
}

// ObjectStore creates or updates an object store bucket with cfg (Replicas
// from the bus). On a forming cluster it retries until ctx ends.
func (b *Bus) ObjectStore(ctx context.Context, cfg jetstream.ObjectStoreConfig) (jetstream.ObjectStore, error) {
	cfg.Replicas = b.Replicas
	var os jetstream.ObjectStore
	err := retry(ctx, func(ctx context.Context) (err error) {
		os, err = b.JS.CreateOrUpdateObjectStore(ctx, cfg)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("natsbus: object store %s: %w", cfg.Bucket, err)
	}
	return os, nil
}

// Stream creates or updates a stream with cfg (Replicas from the bus). On
// a forming cluster it retries until ctx ends.
func (b *Bus) Stream(ctx context.Context, cfg jetstream.StreamConfig) (jetstream.Stream, error) {
	cfg.Replicas = b.Replicas
	var st jetstream.Stream
	err := retry(ctx, func(ctx context.Context) (err error) {
		st, err = b.JS.CreateOrUpdateStream(ctx, cfg)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("natsbus: stream %s: %w", cfg.Name, err)
	}
	return st, nil
}
