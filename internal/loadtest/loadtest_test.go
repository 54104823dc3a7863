//go:build linux

package loadtest

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/cohost-rtc/cohost/internal/config"
	"github.com/cohost-rtc/cohost/internal/servertest"
	"github.com/cohost-rtc/cohost/rtc"
)

// TestRun runs a tiny load test against an in-process server: one host,
// three audience members, with the development token endpoint.
func TestRun(t *testing.T) {
	srv := servertest.Start(t)
	var progress bytes.Buffer
	rep, err := Run(context.Background(), Config{
		URL: srv.URL, Audience: 3, VideoKbps: 500, VideoPPS: 100, AudioKbps: 32, AudioPPS: 50,
		JoinRate: 100, Duration: time.Second, Settle: 5 * time.Second,
		Baseline: true, BaselineDuration: 600 * time.Millisecond, Rounds: 2, Progress: &progress,
	})
	if err != nil {
		t.Fatal(err)
	}
	var table bytes.Buffer
	if err := rep.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", table.String())
	if rep.Users.AudienceJoined != 3 || rep.Users.AudienceReceiving != 3 || rep.Users.HostsJoined != 1 {
		t.Fatalf("users %+v", rep.Users)
	}
	if rep.Errors != 0 {
		t.Fatalf("errors: %v", rep.FirstErrors)
	}
	if rep.Join.N != 3 || rep.FirstMedia.N != 3 || rep.FirstVideo.N != 3 || rep.FirstMedia.P50 <= 0 {
		t.Fatalf("join %+v first media %+v first video %+v", rep.Join, rep.FirstMedia, rep.FirstVideo)
	}
	// 3 × 150 packets/s for about a second; loopback loses nothing.
	if rep.Loss.Expected < 300 || rep.Loss.Percent > 1 {
		t.Fatalf("loss %+v", rep.Loss)
	}
	if rep.Latency.Samples < 300 || rep.Latency.Unstamped != 0 || rep.Latency.P50Ms <= 0 || rep.Latency.P99Ms > 1000 {
		t.Fatalf("latency %+v", rep.Latency)
	}
	// The server forwarded for a second: it spent CPU time on it, which the
	// per-packet figure is computed from.
	if rep.Server.PacketsOutPerSec < 200 || rep.Server.CPUSeconds <= 0 || rep.Server.NsCPUPerForwardedPacket <= 0 || rep.Server.RSSMB <= 0 {
		t.Fatalf("server %+v", rep.Server)
	}
	if b := rep.Baseline; b == nil || b.Packets == 0 || b.Receivers != 3 || b.NsPerPacket <= 0 || rep.Ratio <= 0 || b.Batched {
		t.Fatalf("baseline %+v ratio %v", b, rep.Ratio)
	}
	if b := rep.BatchedBaseline; b == nil || b.Packets == 0 || b.Received == 0 || b.Receivers != 3 || b.NsPerPacket <= 0 || rep.RatioBatched <= 0 || !b.Batched {
		t.Fatalf("batched baseline %+v ratio %v", b, rep.RatioBatched)
	}
	if len(rep.Rounds) != 2 || rep.RatioSpread[0] > rep.Ratio || rep.Ratio > rep.RatioSpread[1] {
		t.Fatalf("rounds %+v ratio %v spread %v", rep.Rounds, rep.Ratio, rep.RatioSpread)
	}
	if !strings.Contains(progress.String(), "receiving") {
		t.Errorf("progress %q", progress.String())
	}
	if _, err := json.Marshal(rep); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, name := range []string{"cohost_subscriptions{media=\"video\"}", "cohost_rtp_retransmits_total", "cohost_keyframe_requests_total",
		"cohost_sessions", "cohost_signalling_connections", "cohost_nacks_received_total", "cohost_plis_sent_total"} {
		if !strings.Contains(string(body), name) {
			t.Errorf("/metrics lacks %s", name)
		}
	}
}

// TestRunRelay: two channels in mutual relay, minted tokens; each audience
// member receives both hosts.
func TestRunRelay(t *testing.T) {
	srv := servertest.Start(t)
	rep, err := Run(context.Background(), Config{
		URL: srv.URL, AppID: srv.AppID, AppCertificate: srv.Certificate,
		Channels: 2, Audience: 2, Relay: true, VideoKbps: 300, VideoPPS: 60, VideoFPS: 20, AudioKbps: 16, AudioPPS: 50,
		JoinRate: 100, Duration: 700 * time.Millisecond, Settle: 5 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Users.AudienceJoined != 4 || rep.Users.AudienceReceiving != 4 || rep.Errors != 0 {
		t.Fatalf("users %+v errors %v", rep.Users, rep.FirstErrors)
	}
	if rep.Loss.Expected < 4*4*50/2 || rep.Loss.Percent > 1 {
		t.Fatalf("loss %+v", rep.Loss)
	}
}

func TestConfigChecks(t *testing.T) {
	for _, c := range []Config{
		{URL: "ftp://x", VideoKbps: 1, VideoPPS: 1},
		{Channels: 6, Relay: true, AudioKbps: 32, AudioPPS: 50},
		{Channels: 1, Relay: true, AudioKbps: 32, AudioPPS: 50},
		{VideoKbps: 1500, VideoPPS: 100},
		{},
	} {
		if _, err := c.withDefaults(); err == nil {
			t.Errorf("%+v accepted", c)
		}
	}
}

func TestCaptureTimeParse(t *testing.T) {
	now := time.Now()
	p := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 96, CSRC: []uint32{7}}, Payload: []byte{1, 2, 3}}
	ts := make([]byte, 8)
	binary.BigEndian.PutUint64(ts, rtc.NTPTime(now))
	_ = p.Header.SetExtension(3, []byte{1, 2})
	_ = p.Header.SetExtension(5, ts)
	b, _ := p.Marshal()
	got, ok := captureTime(b)
	if !ok || got.Sub(now).Abs() > time.Microsecond {
		t.Fatalf("got %v %v, want %v", got, ok, now)
	}
	if !isRTP(b) {
		t.Fatal("not RTP")
	}
	p.Header.Extension, p.Header.Extensions = false, nil
	b, _ = p.Marshal()
	if _, ok := captureTime(b); ok {
		t.Fatal("capture time without extension")
	}
}

func TestHist(t *testing.T) {
	h := newHist()
	for i := 1; i <= 1000; i++ {
		h.add(time.Duration(i) * time.Microsecond)
	}
	for _, c := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 500 * time.Microsecond}, {0.99, 990 * time.Microsecond}} {
		got := h.quantile(c.q)
		if d := (got - c.want).Abs(); d > c.want/50 {
			t.Errorf("q%.2f = %v, want %v", c.q, got, c.want)
		}
	}
}

// TestTargetOnly: the load tester's HTTP client and media sockets reach the
// target and nothing else.
func TestTargetOnly(t *testing.T) {
	tg, err := newTarget(context.Background(), "http://127.0.0.1:1")
	if err != nil {
		t.Fatal(err)
	}
	defer tg.close()
	if _, err := tg.client.Get("http://127.0.0.2:80/"); err == nil || !strings.Contains(err.Error(), "refusing") {
		t.Fatalf("request to another host: %v", err)
	}
	if !tg.allowed(netip.MustParseAddr("127.0.0.1")) || tg.allowed(netip.MustParseAddr("127.0.0.2")) {
		t.Fatal("allowed addresses")
	}
	recv, err := newReceiver()
	if err != nil {
		t.Fatal(err)
	}
	defer recv.close()
	c, err := recv.listen(tg, nil, "udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.WriteToAddrPort([]byte("x"), netip.MustParseAddrPort("127.0.0.2:9")); err == nil {
		t.Fatal("media sent to another address")
	}
	if _, err := c.WriteToAddrPort([]byte("x"), netip.MustParseAddrPort("127.0.0.1:9")); err != nil {
		t.Fatalf("media to the target: %v", err)
	}
}

// TestProgressWhileJoining: joining lasts about three progress ticks (12
// members at 4 joins/s, so at least one tick falls inside it even when a
// slow tick delays the next), so progress lines are written while members
// are still being added; they count what has joined so far.
func TestProgressWhileJoining(t *testing.T) {
	srv := servertest.Start(t)
	var progress syncBuffer
	rep, err := Run(context.Background(), Config{URL: srv.URL, AppID: srv.TestAppID, Audience: 12, AudioKbps: 32, AudioPPS: 50,
		JoinRate: 4, Duration: 300 * time.Millisecond, Settle: 10 * time.Second, Progress: &progress})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Users.AudienceJoined != 12 || rep.Users.Audience != 12 {
		t.Fatalf("users %+v", rep.Users)
	}
	var joining []string
	for line := range strings.Lines(progress.String()) {
		if strings.Contains(line, " joining ") {
			joining = append(joining, line)
		}
	}
	if len(joining) == 0 || !strings.Contains(joining[0], "/12 receiving") {
		t.Fatalf("no progress line while joining:\n%s", progress.String())
	}
}

// syncBuffer is a bytes.Buffer safe for the progress goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestRunTestingMode: an app without certificate joins without tokens.
func TestRunTestingMode(t *testing.T) {
	srv := servertest.Start(t)
	rep, err := Run(context.Background(), Config{URL: srv.URL, AppID: srv.TestAppID, Audience: 1, AudioKbps: 32, AudioPPS: 50,
		JoinRate: 100, Duration: 300 * time.Millisecond, Settle: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Users.AudienceReceiving != 1 || rep.Config.Tokens != "none (testing mode)" || rep.Loss.Expected == 0 {
		t.Fatalf("users %+v tokens %q loss %+v", rep.Users, rep.Config.Tokens, rep.Loss)
	}
}

// TestScrapeSendsTheMetricsToken: a server whose /metrics asks for a
// bearer token (off loopback) is measured with the token given.
func TestScrapeSendsTheMetricsToken(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer s3cret" {
			http.Error(w, "token", http.StatusUnauthorized)
			return
		}
		_, _ = w.Write([]byte("process_cpu_seconds_total 12.5\ncohost_users{role=\"host\"} 3\n"))
	}))
	defer ts.Close()
	tg, err := newTarget(context.Background(), ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer tg.close()
	if _, err := tg.scrape(context.Background()); err == nil {
		t.Fatal("scrape without the token succeeded")
	}
	tg.metricsToken = "s3cret"
	s, err := tg.scrape(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if s.cpuSeconds != 12.5 || s.users != 3 {
		t.Errorf("sample %+v", s)
	}
}

// TestDevTokensWaitOutTheRateLimit: when the development token endpoint
// answers 429, the load tester waits as told and asks again instead of
// failing the run.
func TestDevTokensWaitOutTheRateLimit(t *testing.T) {
	var calls atomic.Int32
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			http.Error(w, "too many", http.StatusTooManyRequests)
			return
		}
		_, _ = w.Write([]byte(`{"appId":"app","token":"tok"}`))
	}))
	defer ts.Close()
	tg, err := newTarget(context.Background(), ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer tg.close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	tk, err := newTokens(ctx, tg, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if tok, err := tk.token(ctx, "c", 1, false); err != nil || tok != "tok" || calls.Load() != 3 {
		t.Fatalf("token %q, %v after %d requests", tok, err, calls.Load())
	}
}

// TestRunCluster: --url listing the three nodes of a cluster spreads the
// members over them (they follow the cluster's redirects to each
// channel's node, every one of which is a node given), every viewer
// receives, and the server figures add up every node's /metrics.
func TestRunCluster(t *testing.T) {
	cfgs := make([]config.Config, 3)
	dir := t.TempDir()
	for i := range cfgs {
		cfgs[i] = servertest.Config(filepath.Join(dir, fmt.Sprint("node", i)))
		cfgs[i].Cluster.NodeTimeout = 1500 * time.Millisecond
	}
	nodes, err := servertest.RunCluster(cfgs, nil)
	if err != nil {
		t.Fatal(err)
	}
	var urls []string
	for _, n := range nodes {
		t.Cleanup(func() { _ = n.Close() })
		urls = append(urls, n.URL)
	}
	rep, err := Run(context.Background(), Config{URL: strings.Join(urls, ","), AppID: nodes[0].TestAppID, Channels: 2, Audience: 2,
		AudioKbps: 32, AudioPPS: 50, JoinRate: 100, Duration: time.Second, Settle: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Users.HostsJoined != 2 || rep.Users.AudienceJoined != 4 || rep.Users.AudienceReceiving != 4 || rep.Errors != 0 {
		t.Fatalf("users %+v errors %v", rep.Users, rep.FirstErrors)
	}
	// Two hosts on two nodes (each new channel goes to the least loaded
	// node) each forward 50 packets/s to two viewers.
	if rep.Server.PacketsOutPerSec < 100 || rep.Server.CPUSeconds <= 0 {
		t.Fatalf("server %+v", rep.Server)
	}
	if !strings.Contains(rep.Config.URL, urls[2]) {
		t.Errorf("report target %q lacks the third node", rep.Config.URL)
	}
}

// TestRunClusterAudienceOnAnyNode: with AudienceOnAnyNode the viewers
// stay on the nodes they reach, and the channel's node sends one copy per
// other node, not one per viewer there, as each node's figures show.
func TestRunClusterAudienceOnAnyNode(t *testing.T) {
	cfgs := make([]config.Config, 3)
	dir := t.TempDir()
	for i := range cfgs {
		cfgs[i] = servertest.Config(filepath.Join(dir, fmt.Sprint("node", i)))
		cfgs[i].Cluster.NodeTimeout = 1500 * time.Millisecond
	}
	nodes, err := servertest.RunCluster(cfgs, nil)
	if err != nil {
		t.Fatal(err)
	}
	var urls []string
	for _, n := range nodes {
		t.Cleanup(func() { _ = n.Close() })
		urls = append(urls, n.URL)
	}
	rep, err := Run(context.Background(), Config{URL: strings.Join(urls, ","), AppID: nodes[0].TestAppID, Channels: 1, Audience: 6,
		AudienceOnAnyNode: true, AudioKbps: 32, AudioPPS: 50, JoinRate: 100, Duration: 2 * time.Second, Settle: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Users.AudienceReceiving != 6 || rep.Errors != 0 {
		t.Fatalf("users %+v errors %v", rep.Users, rep.FirstErrors)
	}
	if len(rep.Server.Nodes) != 3 {
		t.Fatalf("nodes %+v, want one line per URL", rep.Server.Nodes)
	}
	var most float64
	for _, n := range rep.Server.Nodes {
		most = max(most, n.PacketsOutPerSec)
	}
	// The host's node: 2 viewers of its own and 2 other nodes, 4 copies
	// of 50 packets/s (6 if it sent one per viewer); each other node: 2.
	if most < 150 || most > 250 {
		t.Errorf("the host's node sent %.0f pkt/s, want about 200 (one copy per node): %+v", most, rep.Server.Nodes)
	}
}
