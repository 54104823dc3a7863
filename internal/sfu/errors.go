package sfu

import "errors"

// Sentinel errors of the media layer.
var (
	// ErrClosed: the object was closed.
	ErrClosed = errors.New("sfu: closed")
	// ErrCodecNotNegotiated: the remote side cannot receive the track's codec.
	ErrCodecNotNegotiated = errors.New("sfu: codec not negotiated by the subscriber")
	// ErrUnknownCodec: the publisher offered no codec cohost forwards.
	ErrUnknownCodec = errors.New("sfu: no supported codec")
	// ErrBadSDP: a session description could not be applied.
	ErrBadSDP = errors.New("sfu: invalid session description")
)
