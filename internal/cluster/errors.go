package cluster

import "errors"

// Sentinel errors.
var (
	// ErrStopped: the leases were closed or killed.
	ErrStopped = errors.New("cluster: stopped")
	// ErrContended: a lease kept changing under every attempt to take it.
	ErrContended = errors.New("cluster: lease contended")
	// ErrMalformedAnswer: JetStream answered a lease read with neither an
	// entry nor an error.
	ErrMalformedAnswer = errors.New("cluster: malformed JetStream answer")
)
