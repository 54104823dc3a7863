package cohosttest

import "errors"

// ErrInvalidOption reports an option with a value the server cannot use
// (a negative duration or limit, a malformed App ID).
var ErrInvalidOption = errors.New("cohosttest: invalid option")
