package sfu

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/stun/v4"
	"github.com/pion/webrtc/v4"
)

func TestClassifyAddr(t *testing.T) {
	for _, tc := range []struct {
		addr string
		want AddrClass
	}{
		{"203.0.113.9", AddrPublic},
		{"8.8.8.8", AddrPublic},
		{"2001:4860:4860::8888", AddrPublic},
		{"::ffff:8.8.4.4", AddrPublic},
		{"127.0.0.1", AddrPrivate},
		{"127.255.0.3", AddrPrivate},
		{"::1", AddrPrivate},
		{"::ffff:127.0.0.1", AddrPrivate},
		{"169.254.10.20", AddrPrivate},
		{"fe80::1", AddrPrivate},
		{"10.1.2.3", AddrPrivate},
		{"172.16.0.1", AddrPrivate},
		{"172.31.255.254", AddrPrivate},
		{"192.168.1.1", AddrPrivate},
		{"fd12:3456::1", AddrPrivate},
		{"100.64.0.1", AddrPrivate},
		{"172.32.0.1", AddrPublic},
		{"0.0.0.0", AddrInvalid},
		{"0.1.2.3", AddrInvalid},
		{"::", AddrInvalid},
		{"224.0.0.251", AddrInvalid},
		{"239.255.255.250", AddrInvalid},
		{"ff02::1", AddrInvalid},
		{"255.255.255.255", AddrInvalid},
	} {
		if got := ClassifyAddr(netip.MustParseAddr(tc.addr)); got != tc.want {
			t.Errorf("ClassifyAddr(%s) = %v, want %v", tc.addr, got, tc.want)
		}
	}
	if got := ClassifyAddr(netip.Addr{}); got != AddrInvalid {
		t.Errorf("the zero address is %v, want invalid", got)
	}
}

func TestCandidatePolicyAutoFollowsTheServersAddresses(t *testing.T) {
	port := func(s string) []netip.AddrPort { return []netip.AddrPort{netip.MustParseAddrPort(s)} }
	for _, tc := range []struct {
		policy CandidatePolicy
		local  []netip.AddrPort
		want   bool // private candidates allowed
	}{
		{CandidatesAuto, port("127.0.0.1:7801"), true},
		{CandidatesAuto, port("192.168.1.5:7801"), true},
		{CandidatesAuto, port("203.0.113.7:7801"), false},
		{CandidatesAuto, append(port("10.0.0.5:7801"), port("198.51.100.2:7801")...), false},
		{CandidatesAuto, nil, true},
		{CandidatesAllowPrivate, port("203.0.113.7:7801"), true},
		{CandidatesPublicOnly, port("127.0.0.1:7801"), false},
	} {
		var n atomic.Uint64
		f := newCandidateFilter(tc.policy, tc.local, &n)
		if got := f.allows(netip.MustParseAddr("10.9.8.7")); got != tc.want {
			t.Errorf("%v with %v: private allowed %v, want %v", tc.policy, tc.local, got, tc.want)
		}
		if !f.allows(netip.MustParseAddr("198.51.100.99")) {
			t.Errorf("%v with %v: a public candidate is refused", tc.policy, tc.local)
		}
		if f.allows(netip.MustParseAddr("224.0.0.1")) {
			t.Errorf("%v with %v: a multicast candidate is allowed", tc.policy, tc.local)
		}
		want := uint64(1)
		if !tc.want {
			want = 2
		}
		if n.Load() != want {
			t.Errorf("%v with %v: %d refusals counted, want %d", tc.policy, tc.local, n.Load(), want)
		}
	}
}

// checkRecorder is the server's media socket, recording the destination
// of every STUN binding request the server sends.
type checkRecorder struct {
	net.PacketConn
	mu     sync.Mutex
	checks map[netip.AddrPort]int
}

func (c *checkRecorder) WriteTo(p []byte, to net.Addr) (int, error) {
	if stun.IsMessage(p) {
		m := &stun.Message{Raw: append([]byte(nil), p...)}
		if m.Decode() == nil && m.Type == stun.BindingRequest {
			if ua, ok := to.(*net.UDPAddr); ok {
				c.mu.Lock()
				c.checks[ua.AddrPort()]++
				c.mu.Unlock()
			}
		}
	}
	return c.PacketConn.WriteTo(p, to)
}

func (c *checkRecorder) count(to string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.checks[netip.MustParseAddrPort(to)]
}

// TestPublisherCandidatesAreFiltered: a publisher's connection is
// ICE-lite, so its offer's candidates get no ICE check at all, whatever the
// policy; those the policy refuses (multicast always, private ones unless
// allowed) are dropped and counted.
func TestPublisherCandidatesAreFiltered(t *testing.T) {
	const public = "203.0.113.9:40000"
	private := []string{"127.0.0.1:40001", "10.1.2.3:40002", "169.254.1.1:40003", "192.168.7.7:40004"}
	const multicast = "224.0.0.1:40005"
	all := append([]string{public, multicast}, private...)
	for _, tc := range []struct {
		policy  CandidatePolicy
		refused []string
	}{
		{CandidatesPublicOnly, append([]string{multicast}, private...)},
		{CandidatesAllowPrivate, []string{multicast}},
	} {
		t.Run(tc.policy.String(), func(t *testing.T) {
			conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
			if err != nil {
				t.Fatal(err)
			}
			rec := &checkRecorder{PacketConn: conn, checks: map[netip.AddrPort]int{}}
			m, err := NewMedia(MediaConfig{Conn: rec, Candidates: tc.policy})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = m.Close() })
			up, err := m.NewUpstream(nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = up.Close() })
			offer := offerWithCandidates(t, all)
			if _, _, err := up.Negotiate(offer, 10*time.Second); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(20 * time.Second)
			for m.DemuxStats().FilteredCandidates.Load() < uint64(len(tc.refused)) {
				if time.Now().After(deadline) {
					t.Fatalf("%d filtered candidates counted after 20 s, want at least %d", m.DemuxStats().FilteredCandidates.Load(), len(tc.refused))
				}
				time.Sleep(10 * time.Millisecond)
			}
			// A full agent checks every pair within milliseconds and again
			// every few hundred: a second without one shows there is none.
			end := time.Now().Add(time.Second)
			for time.Now().Before(end) {
				for _, a := range all {
					if n := rec.count(a); n != 0 {
						t.Fatalf("%d checks sent to %s by an ICE-lite connection", n, a)
					}
				}
				time.Sleep(10 * time.Millisecond)
			}
		})
	}
}

// offerWithCandidates is a publisher's offer (one audio section) whose
// candidates are exactly the given host addresses.
func offerWithCandidates(t *testing.T, addrs []string) string {
	t.Helper()
	pc := newClientPC(t)
	if _, err := pc.AddTransceiverFromKind(webrtc.RTPCodecTypeAudio, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly}); err != nil {
		t.Fatal(err)
	}
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, line := range strings.SplitAfter(offer.SDP, "\r\n") {
		if strings.HasPrefix(line, "a=candidate:") || strings.HasPrefix(line, "a=end-of-candidates") {
			continue
		}
		b.WriteString(line)
		if strings.HasPrefix(line, "a=ice-pwd:") {
			for i, a := range addrs {
				ap := netip.MustParseAddrPort(a)
				fmt.Fprintf(&b, "a=candidate:%d 1 udp %d %s %d typ host\r\n", i+1, 2130706431-i, ap.Addr(), ap.Port())
			}
		}
	}
	return b.String()
}

// TestLiteSendsNoNudgeToFilteredAddresses: the fan-out transport answers
// every valid check, but its own nomination check never goes to an
// address the candidate policy refuses.
func TestLiteSendsNoNudgeToFilteredAddresses(t *testing.T) {
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := NewMedia(MediaConfig{Conn: conn, Candidates: CandidatesPublicOnly})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	v, ev, got := checkedEarly(t, srv)
	if err := v.answer(ev); err != nil {
		t.Fatal(err)
	}
	v.check(false) // answered; a nudge would follow it
	v.check(true)
	for i, p := range got.waitFor(t, 3) {
		if !isSTUNResponse(p.data) {
			t.Fatalf("packet %d from the server is not a check response", i+1)
		}
	}
	if n := srv.DemuxStats().FilteredCandidates.Load(); n < 2 {
		t.Fatalf("%d refused nudges counted, want 2", n)
	}
}
