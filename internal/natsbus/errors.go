package natsbus

import "errors"

// Sentinel errors of Open and StartServer.
var (
	// ErrNoStoreDir: an embedded server needs a JetStream directory.
	ErrNoStoreDir = errors.New("natsbus: no JetStream store directory")
	// ErrNoClusterSecret: cluster routes are never open without a shared
	// secret.
	ErrNoClusterSecret = errors.New("natsbus: cluster peers given without a cluster secret")
	// ErrNoPeers: a cluster listen address without any other server.
	ErrNoPeers = errors.New("natsbus: cluster listen address given without peers")
	// ErrNoClusterListen: peers without a route address of our own.
	ErrNoClusterListen = errors.New("natsbus: cluster peers given without a cluster listen address")
	// ErrCredentials: more than one kind of credential, or half of one.
	ErrCredentials = errors.New("natsbus: invalid NATS credentials")
	// ErrNotReady: the embedded server did not start in time.
	ErrNotReady = errors.New("natsbus: embedded server not ready")
)
