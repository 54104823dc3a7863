package rtmsvc

import "errors"

// ErrNoRegistry: the service needs the node registry.
var ErrNoRegistry = errors.New("rtmsvc: no node registry")
