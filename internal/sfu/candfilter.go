package sfu

import (
	"net"
	"net/netip"
	"sync/atomic"
)

// AddrClass sorts the address of a candidate a client offers by where a
// check sent to it would go.
type AddrClass int

const (
	// AddrPublic is a globally routable unicast address.
	AddrPublic AddrClass = iota
	// AddrPrivate is an address of the server's own networks: loopback,
	// link-local, RFC 1918, IPv6 unique local (fc00::/7) and the carriers'
	// shared space (100.64.0.0/10). A server on a public address that
	// checked them would probe its own host or its provider's network.
	AddrPrivate
	// AddrInvalid is never a peer: unspecified, multicast, broadcast,
	// 0.0.0.0/8, or not an IP at all.
	AddrInvalid
)

func (c AddrClass) String() string {
	switch c {
	case AddrPublic:
		return "public"
	case AddrPrivate:
		return "private"
	case AddrInvalid:
		return "invalid"
	}
	return "unknown"
}

var (
	sharedSpace = netip.MustParsePrefix("100.64.0.0/10")
	thisNetwork = netip.MustParsePrefix("0.0.0.0/8")
	broadcast4  = netip.AddrFrom4([4]byte{255, 255, 255, 255})
)

// ClassifyAddr returns the class of a candidate address (an IPv4-mapped
// IPv6 address is classified as the IPv4 one).
func ClassifyAddr(a netip.Addr) AddrClass {
	a = a.Unmap()
	switch {
	case !a.IsValid() || a.IsUnspecified() || a.IsMulticast() || a == broadcast4 || thisNetwork.Contains(a):
		return AddrInvalid
	case a.IsLoopback() || a.IsLinkLocalUnicast() || a.IsPrivate() || sharedSpace.Contains(a):
		return AddrPrivate
	}
	return AddrPublic
}

// CandidatePolicy says which client candidates the server sends ICE
// checks to.
type CandidatePolicy int

const (
	// CandidatesAuto allows private candidates when every address the
	// server offers is itself private (a LAN or loopback server), and
	// refuses them when one is public.
	CandidatesAuto CandidatePolicy = iota
	// CandidatesAllowPrivate checks public and private candidates.
	CandidatesAllowPrivate
	// CandidatesPublicOnly checks public candidates only.
	CandidatesPublicOnly
)

func (p CandidatePolicy) String() string {
	switch p {
	case CandidatesAuto:
		return "auto"
	case CandidatesAllowPrivate:
		return "allow-private"
	case CandidatesPublicOnly:
		return "public-only"
	}
	return "unknown"
}

// candidateFilter decides which remote addresses get ICE checks and counts
// the ones it refuses. Invalid addresses are always refused.
type candidateFilter struct {
	allowPrivate bool
	// own are the node's relay addresses (MediaConfig.OwnAddrs), checked
	// whatever their class.
	own      map[netip.Addr]bool
	filtered *atomic.Uint64
}

// newCandidateFilter resolves policy against the addresses the server
// offers in its own candidates.
func newCandidateFilter(policy CandidatePolicy, local []netip.AddrPort, filtered *atomic.Uint64) *candidateFilter {
	allow := policy == CandidatesAllowPrivate
	if policy == CandidatesAuto {
		allow = true
		for _, ap := range local {
			if ClassifyAddr(ap.Addr()) == AddrPublic {
				allow = false
			}
		}
	}
	return &candidateFilter{allowPrivate: allow, filtered: filtered}
}

// trust makes the filter allow addrs, the node's own relay addresses.
func (f *candidateFilter) trust(addrs []netip.Addr) *candidateFilter {
	for _, a := range addrs {
		if f.own == nil {
			f.own = map[netip.Addr]bool{}
		}
		f.own[a.Unmap()] = true
	}
	return f
}

// allows reports whether a check may be sent to a, counting a refusal.
func (f *candidateFilter) allows(a netip.Addr) bool {
	if f.own[a.Unmap()] {
		return true
	}
	switch ClassifyAddr(a) {
	case AddrPublic:
		return true
	case AddrPrivate:
		if f.allowPrivate {
			return true
		}
	}
	f.filtered.Add(1)
	return false
}

// keepRemoteIP is the Pion remote-candidate filter: a candidate refused
// here never enters the ICE agent, so no check is sent to it.
func (f *candidateFilter) keepRemoteIP(ip net.IP) bool {
	a, ok := netip.AddrFromSlice(ip)
	if !ok {
		f.filtered.Add(1)
		return false
	}
	return f.allows(a)
}
