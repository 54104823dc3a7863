package server

import (
	"errors"

	"github.com/cohost-rtc/cohost/protocol"
)

// Sentinel errors of the server.
var (
	// ErrTestingModeNotAllowed: an app without certificate on a non-loopback address.
	ErrTestingModeNotAllowed = errors.New("server: apps without certificate (testing mode) are allowed only on loopback unless allowTestingMode is set")
	// ErrNoApps: the configuration lists no app.
	ErrNoApps = errors.New("server: no app configured")
	// ErrNoCertificates: a PEM file meant to hold certificates holds none.
	ErrNoCertificates = errors.New("no PEM certificate found")
	// errDrainingNoOwner: a draining node found no live owner for a
	// channel whose owner died, and takes no channel itself.
	errDrainingNoOwner = errors.New("server: the node drains and no live node holds the channel")
	// errOwnerNotAlive: a channel's lease names a node the registry says
	// is dead, and it was renewed within the lease time.
	errOwnerNotAlive = errors.New("server: the channel's lease holder is dead but its lease has not run out yet")
)

func perr(code protocol.ErrorCode, format string, args ...any) *protocol.Error {
	return protocol.NewError(code, format, args...)
}
