package rtc_test

import (
	"net"
	"testing"

	"github.com/cohost-rtc/cohost/rtc"
)

// TestE2EServerURLsFallBack: with an unreachable first address, the join
// goes through the next one.
func TestE2EServerURLsFallBack(t *testing.T) {
	srv := startServer(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String()
	_ = ln.Close() // nothing listens there now
	c := newClient(t, srv, "fallback", func(cfg *rtc.EngineConfig) {
		cfg.ServerURL = dead
		cfg.ServerURLs = []string{dead, srv.URL}
	})
	if uid := c.join(t, "fallback", 7); uid != 7 {
		t.Fatalf("joined as %d, want 7", uid)
	}
	c.waitEvent(t, "join-success fallback 7")
}
