//go:build !linux

package loadtest

import (
	"context"
	"errors"
)

// Run is implemented on Linux only: the probes read their sockets with
// epoll and recvmmsg, and the baseline measures a thread's CPU time.
func Run(context.Context, Config) (*Report, error) {
	return nil, errors.New("loadtest: runs on Linux only")
}
