package rtm_test

import (
	"testing"

	"go.uber.org/goleak"
)

// Every client, server and NATS goroutine must be gone when the tests end.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
