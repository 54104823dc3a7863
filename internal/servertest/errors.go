package servertest

import "errors"

// ErrStopTimeout is returned by Close when the server did not stop in time.
var ErrStopTimeout = errors.New("servertest: server did not stop within 30 s")
