package rtc_test

import (
	"testing"

	"go.uber.org/goleak"
)

// Every engine, server and peer connection of the tests must be gone when
// they end.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// checkLeaks fails t if goroutines started during it outlive its cleanup.
// Call it first, so that its check runs after every other cleanup.
func checkLeaks(t *testing.T) {
	opt := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, opt) })
}
