package sfu

import "errors"

// Sentinel errors of the media layer.
var (
	// ErrClosed: the object was closed.
	ErrClosed = errors.New("sfu: closed")
	// ErrCodecNotNegotiated: the remote side cannot receive the track's codec.
	ErrCodecNotNegotiated = errors.New("sfu: codec not negotiated by the subscriber")
	// ErrBadSDP: a session description could not be applied.
	ErrBadSDP = errors.New("sfu: invalid session description")
	// ErrTooManySections: an offer has more m-sections than the user may publish tracks.
	ErrTooManySections = errors.New("sfu: more m-sections than allowed tracks")
)
