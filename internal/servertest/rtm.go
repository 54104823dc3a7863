package servertest

import (
	"testing"
	"time"

	"github.com/cohost-rtc/cohost/internal/config"
	"github.com/cohost-rtc/cohost/internal/natsbus"
)

// StartNATS runs a standalone NATS server with JetStream on a random
// 127.0.0.1 port until the test ends and returns its URL, for servers
// started WithNATS.
func StartNATS(t testing.TB) string {
	t.Helper()
	srv, err := natsbus.StartServer(t.TempDir(), "127.0.0.1:0")
	if err != nil {
		t.Fatalf("start NATS: %v", err)
	}
	t.Cleanup(func() {
		srv.Shutdown()
		srv.WaitForShutdown()
	})
	return srv.ClientURL()
}

// WithNATS makes the server use the NATS server at url instead of an
// embedded one: several servers on one URL form one RTM service.
func WithNATS(url string) func(*config.Config) {
	return func(c *config.Config) { c.NATS.URL = url }
}

// ShortRTM shortens every RTM timer for tests.
func ShortRTM(c *config.Config) {
	c.RTM.Timers.KeepAlive = 200 * time.Millisecond
	c.RTM.Timers.Unreachable = 2 * time.Second
	c.RTM.Timers.Offline = 1500 * time.Millisecond
	c.RTM.Timers.PeerMessageTimeout = 2 * time.Second
	c.RTM.Timers.AttributeClear = time.Second
	c.RTM.Timers.InvitationExpiry = 1500 * time.Millisecond
	c.RTM.Timers.NodeTimeout = 1200 * time.Millisecond
}

// KillRTM stops the server's RTM node abruptly (connections dropped, NATS
// connection closed, nothing cleaned up), as a crashed process would. The
// test's cleanup still shuts the rest of the server down.
func (s *Server) KillRTM() { s.Server.KillRTM() }
