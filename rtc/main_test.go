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
