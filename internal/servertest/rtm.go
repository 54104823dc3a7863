package servertest

import (
	"strings"
	"testing"
	"time"

	"github.com/cohost-rtc/cohost/internal/config"
	"github.com/cohost-rtc/cohost/internal/natsbus"
)

// NATSToken is the token of the servers StartNATS runs.
const NATSToken = "servertest-nats-token"

// StartNATS runs a standalone NATS server with JetStream on a random
// 127.0.0.1 port until the test ends and returns its URL, for servers
// started WithNATS. The server requires NATSToken, which the URL carries
// (nats://token@host:port).
func StartNATS(t testing.TB) string {
	t.Helper()
	srv, err := natsbus.StartServer(natsbus.ServerConfig{StoreDir: t.TempDir(), Listen: "127.0.0.1:0",
		Credentials: natsbus.Credentials{Token: NATSToken}})
	if err != nil {
		t.Fatalf("start NATS: %v", err)
	}
	t.Cleanup(func() {
		srv.Shutdown()
		srv.WaitForShutdown()
	})
	return strings.Replace(srv.ClientURL(), "nats://", "nats://"+NATSToken+"@", 1)
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
	c.Cluster.NodeTimeout = 1200 * time.Millisecond
}

// KillRTM stops the server's node abruptly (RTM connections dropped,
// heartbeats stopped, NATS connection closed, nothing cleaned up), as a
// crashed process would. The test's cleanup still shuts the rest of the
// server down.
func (s *Server) KillRTM() { s.Server.KillNode() }
