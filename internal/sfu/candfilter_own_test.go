package sfu

import (
	"net/netip"
	"sync/atomic"
	"testing"
)

// TestCandidateFilterTrustsOwnRelayAddress: on a public server, a client's
// private candidate is refused unless it is the node's own TURN relay
// address, where relayed clients' candidates are.
func TestCandidateFilterTrustsOwnRelayAddress(t *testing.T) {
	var n atomic.Uint64
	relay := netip.MustParseAddr("10.0.0.5")
	f := newCandidateFilter(CandidatesAuto, []netip.AddrPort{netip.MustParseAddrPort("203.0.113.10:7801")}, &n).
		trust([]netip.Addr{relay})
	for _, tc := range []struct {
		addr string
		want bool
	}{
		{"10.0.0.5", true},
		{"::ffff:10.0.0.5", true},
		{"10.0.0.6", false},
		{"127.0.0.1", false},
		{"198.51.100.7", true},
	} {
		if got := f.allows(netip.MustParseAddr(tc.addr)); got != tc.want {
			t.Errorf("allows(%s) = %v, want %v", tc.addr, got, tc.want)
		}
	}
}
