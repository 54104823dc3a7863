package cluster

import "errors"

// Sentinel errors.
var (
	// ErrStopped: the leases were closed or killed.
	ErrStopped = errors.New("cluster: stopped")
	// ErrContended: a lease kept changing under every attempt to take it.
	ErrContended = errors.New("cluster: lease contended")
)
