package realnet_test

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"github.com/cohost-rtc/cohost/internal/config"
	"github.com/cohost-rtc/cohost/internal/servertest"
	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/rtc"
)

// Orders of the video viewer run inside the namespace.
const (
	envVideoViewer = "COHOST_REALNET_VIDEO_VIEWER"
	envMeasure     = "COHOST_REALNET_MEASURE"
)

// tbfPacketBytes is the payload of every test video packet.
const tbfPacketBytes = 1000

// vp8Key is a VP8 payload descriptor and key frame header: every test
// packet is a whole key frame, so the server forwards it at once.
var vp8Key = []byte{0x10, 0x10, 0x00, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00}

// limitDownlink shapes what the host sends into the namespace (the
// viewer's downlink) with a token bucket (tbf).
func (n *netns) limitDownlink(t testing.TB, rate string) {
	t.Helper()
	if err := run("tc", "qdisc", "add", "dev", n.hostIf, "root", "tbf", "rate", rate, "burst", "32kbit", "latency", "400ms"); err != nil {
		t.Skipf("no tbf (%v)", err)
	}
}

// BenchmarkTBFLink records what a Go SDK viewer in a network namespace
// receives of a host's video when its downlink is limited by tbf: the
// rate it receives, the packets lost and the one-way latency (send to
// ReadRTP, one clock). One run per case (-benchtime 1x).
func BenchmarkTBFLink(b *testing.B) {
	for _, tc := range []struct {
		link   string
		stream int // kbit/s the host sends
	}{
		{"2mbit", 500},
		{"2mbit", 1500},
		{"2mbit", 3000},
		{"1mbit", 1500},
	} {
		b.Run(fmt.Sprintf("link=%s/stream=%dkbps", tc.link, tc.stream), func(b *testing.B) {
			ns := newNetns(b)
			ns.limitDownlink(b, tc.link)
			srv := servertest.Start(b, func(c *config.Config) { c.Listen = net.JoinHostPort(ns.hostIP, "0"); c.AllowTestingMode = true })
			stop := publishVideo(b, srv, ns.hostIP, tc.stream)
			defer stop()
			res := runVideoViewer(b, ns, srv, 8*time.Second)
			b.ReportMetric(res["rx_kbps"], "rx-kbit/s")
			b.ReportMetric(res["loss_pct"], "loss-%")
			b.ReportMetric(res["p50_ms"], "p50-ms")
			b.ReportMetric(res["p99_ms"], "p99-ms")
		})
	}
}

// publishVideo joins a host on the server's side and sends VP8 test
// packets at kbps until stop.
func publishVideo(b *testing.B, srv *servertest.Server, hostIP string, kbps int) (stop func()) {
	b.Helper()
	se := &webrtc.SettingEngine{}
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	ip := net.ParseIP(hostIP)
	se.SetIPFilter(func(a net.IP) bool { return a.Equal(ip) })
	host, err := rtc.NewEngine(rtc.EngineConfig{ServerURL: srv.URL, AppID: srv.TestAppID, SettingEngine: se,
		ClientRole: protocol.RoleBroadcaster, HTTPClient: &http.Client{}})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	jctx, jcancel := context.WithTimeout(ctx, waitTimeout)
	defer jcancel()
	if _, err := host.JoinChannel(jctx, "", "tbf", 1); err != nil {
		b.Fatalf("host join: %v", err)
	}
	video, err := rtc.NewLocalTrack(protocol.CodecVP8)
	if err != nil {
		b.Fatal(err)
	}
	if err := host.Publish(jctx, video); err != nil {
		b.Fatalf("host publish: %v", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		const tick = 10 * time.Millisecond
		perTick := float64(kbps) * 1000 / 8 / tbfPacketBytes * tick.Seconds()
		t := time.NewTicker(tick)
		defer t.Stop()
		var seq uint16
		var n uint64
		owed := 0.0
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			for owed += perTick; owed >= 1; owed-- {
				p := make([]byte, tbfPacketBytes)
				copy(p, vp8Key)
				binary.BigEndian.PutUint64(p[len(vp8Key):], n)
				binary.BigEndian.PutUint64(p[len(vp8Key)+8:], uint64(time.Now().UnixNano()))
				seq++
				n++
				_ = video.WriteRTP(&rtp.Packet{Header: rtp.Header{Version: 2, Marker: true, SequenceNumber: seq,
					Timestamp: uint32(n) * 900, PayloadType: 96, SSRC: 1}, Payload: p})
			}
		}
	}()
	return func() {
		cancel()
		<-done
		_ = host.Close()
	}
}

// runVideoViewer runs TestNamespaceVideoViewer in ns and returns what it
// measured.
func runVideoViewer(b *testing.B, ns *netns, srv *servertest.Server, measure time.Duration) map[string]float64 {
	b.Helper()
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*waitTimeout)
	defer cancel()
	cmd := ns.command(ctx, exe, "-test.run=^TestNamespaceVideoViewer$", "-test.v")
	cmd.Env = append(os.Environ(), envVideoViewer+"=1", envURL+"="+srv.URL, envApp+"="+srv.TestAppID,
		envChannel+"=tbf", envMeasure+"="+measure.String())
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.Fatalf("viewer: %v\n%s", err, out)
	}
	res := map[string]float64{}
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		line, ok := strings.CutPrefix(sc.Text(), "VIEWER-RESULT ")
		if !ok {
			continue
		}
		for _, f := range strings.Fields(line) {
			k, v, _ := strings.Cut(f, "=")
			x, err := strconv.ParseFloat(v, 64)
			if err != nil {
				b.Fatalf("bad result %q", f)
			}
			res[k] = x
		}
	}
	if len(res) == 0 {
		b.Fatalf("the viewer reported nothing:\n%s", out)
	}
	return res
}

// TestNamespaceVideoViewer is the viewer runVideoViewer starts inside the
// namespace; run directly it skips.
func TestNamespaceVideoViewer(t *testing.T) {
	if os.Getenv(envVideoViewer) == "" {
		t.Skip("the viewer half of BenchmarkTBFLink, started by it inside the namespace")
	}
	measure, err := time.ParseDuration(os.Getenv(envMeasure))
	if err != nil {
		t.Fatal(err)
	}
	se := &webrtc.SettingEngine{}
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	h := &videoHandler{published: make(chan struct{}, 1)}
	e, err := rtc.NewEngine(rtc.EngineConfig{ServerURL: os.Getenv(envURL), AppID: os.Getenv(envApp), SettingEngine: se, Handler: h})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*waitTimeout)
	defer cancel()
	if _, err := e.JoinChannel(ctx, "", os.Getenv(envChannel), 2); err != nil {
		t.Fatalf("join: %v", err)
	}
	select {
	case <-h.published:
	case <-ctx.Done():
		t.Fatal("the host's video was not announced")
	}
	track, err := e.Subscribe(ctx, 1, protocol.MediaVideo)
	if err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	var (
		lat        []time.Duration
		seen       = map[uint64]bool{}
		first      = ^uint64(0)
		last       uint64
		bytes      int
		start, end time.Time
	)
	off := len(vp8Key)
	for {
		pkt, err := track.ReadRTP()
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		if len(pkt.Payload) < off+16 {
			continue
		}
		now := time.Now()
		if start.IsZero() {
			start, end = now.Add(time.Second), now.Add(time.Second+measure) // after a warm-up second
		}
		if now.Before(start) {
			continue
		}
		if now.After(end) {
			break
		}
		n := binary.BigEndian.Uint64(pkt.Payload[off:])
		sent := time.Unix(0, int64(binary.BigEndian.Uint64(pkt.Payload[off+8:])))
		lat = append(lat, now.Sub(sent))
		seen[n] = true
		first, last = min(first, n), max(last, n)
		bytes += len(pkt.Payload)
	}
	if len(lat) == 0 {
		t.Fatal("no packet in the measuring window")
	}
	slices.Sort(lat)
	expected := float64(last - first + 1)
	fmt.Printf("VIEWER-RESULT rx_kbps=%.0f loss_pct=%.1f p50_ms=%.1f p99_ms=%.1f\n",
		float64(bytes)*8/1000/measure.Seconds(), 100*(1-float64(len(seen))/expected),
		float64(lat[len(lat)/2].Microseconds())/1000, float64(lat[len(lat)*99/100].Microseconds())/1000)
	if err := e.LeaveChannel(context.Background()); err != nil {
		t.Errorf("leave: %v", err)
	}
}

type videoHandler struct {
	rtc.BaseEventHandler
	published chan struct{}
}

func (h *videoHandler) OnUserPublished(uid protocol.UID, mt protocol.MediaType) {
	if uid == 1 && mt == protocol.MediaVideo {
		select {
		case h.published <- struct{}{}:
		default:
		}
	}
}
