package browsertest

import (
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/webrtc/v4"

	"github.com/cohost-rtc/cohost/internal/servertest"
	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/rtc"
)

// goClient is a Go SDK engine whose events are recorded as text lines, in
// the same style as the pages' T.log.
type goClient struct {
	*rtc.Engine
	rtc.BaseEventHandler
	name string

	mu     sync.Mutex
	events []string
}

// newGoClient creates a Go SDK engine on srv's app, kept on 127.0.0.1 and
// closed when the test ends.
func newGoClient(t *testing.T, srv *servertest.Server, name, appID string, role protocol.ClientRole) *goClient {
	t.Helper()
	se := &webrtc.SettingEngine{}
	se.SetIncludeLoopbackCandidate(true)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetInterfaceFilter(func(name string) bool { return name == "lo" })
	se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	c := &goClient{name: name}
	e, err := rtc.NewEngine(rtc.EngineConfig{ServerURL: srv.URL, AppID: appID, Handler: c, SettingEngine: se, ClientRole: role})
	if err != nil {
		t.Fatalf("%s: NewEngine: %v", name, err)
	}
	c.Engine = e
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("%s events:\n\t%s", name, strings.Join(c.all(), "\n\t"))
		}
		if err := e.Close(); err != nil {
			t.Errorf("%s: Close: %v", name, err)
		}
	})
	return c
}

func (c *goClient) add(format string, args ...any) {
	c.mu.Lock()
	c.events = append(c.events, fmt.Sprintf(format, args...))
	c.mu.Unlock()
}

func (c *goClient) all() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.events)
}

// waitEvent waits until the engine recorded line.
func (c *goClient) waitEvent(t *testing.T, line string) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !slices.Contains(c.all(), line) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: timed out waiting for %q", c.name, line)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (c *goClient) OnUserJoined(uid protocol.UID, _ time.Duration) { c.add("user-joined %d", uid) }
func (c *goClient) OnUserOffline(uid protocol.UID, r protocol.UserOfflineReason) {
	c.add("user-offline %d %s", uid, r)
}
func (c *goClient) OnUserPublished(uid protocol.UID, mt protocol.MediaType) {
	c.add("user-published %d %s", uid, mt)
}
func (c *goClient) OnUserUnpublished(uid protocol.UID, mt protocol.MediaType) {
	c.add("user-unpublished %d %s", uid, mt)
}

// waitFor waits until cond holds for the engine's recorded events.
func (c *goClient) waitFor(t *testing.T, what string, cond func(events []string) bool) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !cond(c.all()) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: timed out waiting for %s", c.name, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
