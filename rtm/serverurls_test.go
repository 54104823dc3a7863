package rtm_test

import (
	"net"
	"testing"

	"github.com/cohost-rtc/cohost/rtm"
)

// TestLoginServerURLsFallBack: with an unreachable first address, the
// login goes through the next one.
func TestLoginServerURLsFallBack(t *testing.T) {
	cl := startCluster(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String()
	_ = ln.Close() // nothing listens there now
	c, err := rtm.NewClient(rtm.ClientConfig{ServerURL: dead, ServerURLs: []string{dead, cl.b.URL}, AppID: cl.appID})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	if err := c.Login(ctx(t), "", "fallback"); err != nil {
		t.Fatalf("login through the second URL: %v", err)
	}
	if _, err := rtm.NewClient(rtm.ClientConfig{ServerURLs: []string{""}, AppID: cl.appID}); err == nil {
		t.Error("NewClient without any server URL succeeded")
	}
}
