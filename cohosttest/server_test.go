package cohosttest_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/cohost-rtc/cohost/cohosttest"
	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/rtc"
	"github.com/cohost-rtc/cohost/token"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// A test server answers on every address it reports.
func TestNewServerReportsItsAddresses(t *testing.T) {
	t.Parallel()
	srv := cohosttest.NewServer(t)
	for _, url := range []string{srv.URL + "/healthz", srv.MetricsURL} {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %s", url, resp.Status)
		}
	}
	for _, u := range []string{srv.SignalURL, srv.RTMURL} {
		if !strings.HasPrefix(u, "ws://127.0.0.1:") {
			t.Errorf("WebSocket URL %q", u)
		}
	}
	if _, err := net.ResolveUDPAddr("udp", srv.MediaAddr); err != nil || !strings.HasPrefix(srv.MediaAddr, "127.0.0.1:") {
		t.Errorf("media address %q: %v", srv.MediaAddr, err)
	}
	if nodes := srv.Nodes(); len(nodes) != 1 || nodes[0] != srv.Node {
		t.Errorf("nodes %+v, want the one node %+v", nodes, srv.Node)
	}
	if srv.TestAppID != "" {
		t.Errorf("testing-mode app %q without WithTestingModeApp", srv.TestAppID)
	}
}

// Two servers in one test do not share ports or apps' state, and Close
// frees the ports.
func TestServersAreIndependent(t *testing.T) {
	t.Parallel()
	a := cohosttest.NewServer(t)
	b := cohosttest.NewServer(t)
	if a.URL == b.URL || a.MediaAddr == b.MediaAddr {
		t.Fatalf("two servers share an address: %+v %+v", a.Node, b.Node)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := http.Get(a.URL + "/healthz"); err == nil {
		t.Errorf("a closed server still answers")
	}
}

// The server checks tokens: the helper's are accepted, a subscriber token
// does not let a user become host, and the testing-mode app needs none.
func TestTokensAreChecked(t *testing.T) {
	t.Parallel()
	srv := cohosttest.NewServer(t, cohosttest.WithTestingModeApp())
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	join := func(appID, tok string, uid uint32, role protocol.ClientRole) (protocol.ClientRole, error) {
		e, err := rtc.NewEngine(rtc.EngineConfig{ServerURL: srv.URL, AppID: appID, ClientRole: role,
			SettingEngine: cohosttest.Loopback()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { e.Close() })
		_, err = e.JoinChannel(ctx, tok, "tokens", protocol.UID(uid))
		return e.ClientRole(), err
	}
	pub, err := srv.RTCToken("tokens", 1, token.RolePublisher)
	if err != nil {
		t.Fatal(err)
	}
	if role, err := join(srv.AppID, pub, 1, protocol.RoleBroadcaster); err != nil || role != protocol.RoleBroadcaster {
		t.Errorf("publisher token: %s, %v", role, err)
	}
	sub, err := srv.RTCToken("tokens", 2, token.RoleSubscriber)
	if err != nil {
		t.Fatal(err)
	}
	if role, _ := join(srv.AppID, sub, 2, protocol.RoleBroadcaster); role != protocol.RoleAudience {
		t.Errorf("a subscriber token joined as %s, want audience", role)
	}
	if _, err := join(srv.AppID, "", 3, protocol.RoleAudience); err == nil {
		t.Errorf("joined the certificate app without a token")
	}
	if role, err := join(srv.TestAppID, "", 4, protocol.RoleBroadcaster); err != nil || role != protocol.RoleBroadcaster {
		t.Errorf("testing-mode app: %s, %v", role, err)
	}
}

// An option the server cannot use is refused at start, naming it.
func TestInvalidOption(t *testing.T) {
	t.Parallel()
	for name, opt := range map[string]cohosttest.Option{
		"negative drop timeout": cohosttest.WithTimers(cohosttest.Timers{DropTimeout: -time.Second}),
		"negative limit":        cohosttest.WithLimits(cohosttest.Limits{MaxHostsPerChannel: -1}),
		"short App ID":          cohosttest.WithApp("abc", strings.Repeat("0", 32)),
		"zero token expiry":     cohosttest.WithTokenExpiry(time.Millisecond),
	} {
		srv, err := cohosttest.Start(opt)
		if !errors.Is(err, cohosttest.ErrInvalidOption) {
			t.Errorf("%s: err %v", name, err)
		}
		if srv != nil {
			srv.Close()
		}
	}
}
