package sfu

import (
	"net"
	"net/netip"

	"github.com/pion/ice/v4"
)

// pionMux is Pion's ICE UDP mux as Pion's agents see it. It tells the
// shared reader which local username fragments are Pion's (those of
// publishers, and of subscribers while they use Pion), so the reader can
// pass on only the packets that belong to one of them and drop the rest
// instead of handing Pion packets nobody will read.
type pionMux struct {
	ice.UDPMux
	d *demux
}

// GetConn registers ufrag with the shared reader before Pion serves it.
func (m pionMux) GetConn(ufrag string, addr net.Addr) (net.PacketConn, error) {
	m.d.addPionUfrag(ufrag)
	return m.UDPMux.GetConn(ufrag, addr)
}

// RemoveConnByUfrag forgets ufrag, and the addresses learnt for it.
func (m pionMux) RemoveConnByUfrag(ufrag string) {
	m.UDPMux.RemoveConnByUfrag(ufrag)
	m.d.removePionUfrag(ufrag)
}

// maxPionAddrs bounds the remote addresses learnt for one Pion ufrag
// (candidates of one client: host, reflexive, relayed, both families).
const maxPionAddrs = 32

// addPionUfrag makes STUN naming ufrag, and later every packet from the
// addresses those came from, Pion's.
func (d *demux) addPionUfrag(ufrag string) {
	d.mu.Lock()
	if _, ok := d.pion[ufrag]; !ok {
		d.pion[ufrag] = nil
	}
	d.mu.Unlock()
}

// removePionUfrag forgets ufrag and its addresses.
func (d *demux) removePionUfrag(ufrag string) {
	d.mu.Lock()
	for _, a := range d.pion[ufrag] {
		if d.pionAddr[a] == ufrag {
			delete(d.pionAddr, a)
		}
	}
	delete(d.pion, ufrag)
	d.mu.Unlock()
}

// learnPionAddr routes later packets from addr to Pion, on behalf of
// ufrag, if ufrag is still Pion's. It reports whether ufrag is Pion's.
func (d *demux) learnPionAddr(ufrag []byte, addr netip.AddrPort) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	addrs, ok := d.pion[string(ufrag)]
	if !ok {
		return false
	}
	if _, known := d.pionAddr[addr]; !known && len(addrs) < maxPionAddrs {
		u := string(ufrag)
		d.pion[u] = append(addrs, addr)
		d.pionAddr[addr] = u
	}
	return true
}

// notePionWrite learns the destination of a connectivity check a Pion
// agent sends (USERNAME "theirs:ours"), so that the answer, which names
// no ufrag, reaches Pion.
func (d *demux) notePionWrite(p []byte, to netip.AddrPort) {
	if classify(p) != classSTUN {
		return
	}
	user, ok := stunUsername(p)
	if !ok {
		return
	}
	for i, c := range user {
		if c == ':' {
			d.mu.RLock()
			_, mine := d.pionAddr[to]
			d.mu.RUnlock()
			if !mine {
				d.learnPionAddr(user[i+1:], canonical(to))
			}
			return
		}
	}
}
