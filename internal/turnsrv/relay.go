package turnsrv

import (
	"fmt"
	"net"
	"strings"

	"github.com/pion/turn/v5"
)

// familyRelays binds an allocation's relay to the relay IP of its address
// family: IPv4 for an allocation asking for IPv4 (RFC 6156's
// REQUESTED-ADDRESS-FAMILY, or by default the family of the address the
// client reached the server at), IPv6 for IPv6. A family without a relay
// IP is refused.
type familyRelays struct {
	v4, v6 *turn.RelayAddressGeneratorStatic
}

// newFamilyRelays sorts ips by family; at most one of each.
func newFamilyRelays(ips []net.IP) (*familyRelays, error) {
	r := &familyRelays{}
	for _, ip := range ips {
		g := &turn.RelayAddressGeneratorStatic{RelayAddress: ip, Address: ip.String()}
		slot := &r.v6
		if ip.To4() != nil {
			g.RelayAddress, g.Address = ip.To4(), ip.To4().String()
			slot = &r.v4
		}
		if *slot != nil {
			return nil, fmt.Errorf("%w: %v and %v", ErrRelayIPFamilyTwice, (*slot).RelayAddress, ip)
		}
		*slot = g
	}
	if r.v4 == nil && r.v6 == nil {
		return nil, ErrNoRelayIP
	}
	return r, nil
}

// of is the generator of network's family ("udp4", "tcp6" …).
func (r *familyRelays) of(network string) (*turn.RelayAddressGeneratorStatic, error) {
	g := r.v4
	if strings.HasSuffix(network, "6") {
		g = r.v6
	}
	if g == nil {
		return nil, fmt.Errorf("%w: %s", ErrNoRelayFamily, network)
	}
	return g, nil
}

// Validate prepares the generators of both families.
func (r *familyRelays) Validate() error {
	for _, g := range []*turn.RelayAddressGeneratorStatic{r.v4, r.v6} {
		if g == nil {
			continue
		}
		if err := g.Validate(); err != nil {
			return err
		}
	}
	return nil
}

// AllocatePacketConn binds a UDP relay on the relay IP of conf's family.
func (r *familyRelays) AllocatePacketConn(conf turn.AllocateListenerConfig) (net.PacketConn, net.Addr, error) {
	g, err := r.of(conf.Network)
	if err != nil {
		return nil, nil, err
	}
	return g.AllocatePacketConn(conf)
}

// AllocateListener binds a TCP relay on the relay IP of conf's family.
func (r *familyRelays) AllocateListener(conf turn.AllocateListenerConfig) (net.Listener, net.Addr, error) {
	g, err := r.of(conf.Network)
	if err != nil {
		return nil, nil, err
	}
	return g.AllocateListener(conf)
}

// AllocateConn dials a TCP relay's peer from the relay IP of conf's family.
func (r *familyRelays) AllocateConn(conf turn.AllocateConnConfig) (net.Conn, error) {
	g, err := r.of(conf.Network)
	if err != nil {
		return nil, err
	}
	return g.AllocateConn(conf)
}
