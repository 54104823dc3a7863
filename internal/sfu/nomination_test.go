package sfu

import (
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/stun/v4"
)

// iceCreds returns the first ice-ufrag and ice-pwd of an SDP.
func iceCreds(t *testing.T, sdp string) (ufrag, pwd string) {
	t.Helper()
	for _, l := range strings.Split(sdp, "\r\n") {
		if v, ok := strings.CutPrefix(l, "a=ice-ufrag:"); ok && ufrag == "" {
			ufrag = v
		}
		if v, ok := strings.CutPrefix(l, "a=ice-pwd:"); ok && pwd == "" {
			pwd = v
		}
	}
	if ufrag == "" || pwd == "" {
		t.Fatalf("no ICE credentials in\n%s", sdp)
	}
	return ufrag, pwd
}

// controllingPath is one of a controlling client's host candidates: it
// sends nominating checks to the server and answers the server's checks,
// as a browser's socket does.
type controllingPath struct {
	conn *net.UDPConn
}

func (p *controllingPath) serve(t *testing.T, clientPwd string) {
	buf := make([]byte, 1500)
	for {
		n, from, err := p.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			return
		}
		m := &stun.Message{Raw: append([]byte(nil), buf[:n]...)}
		if m.Decode() != nil || m.Type != stun.BindingRequest {
			continue
		}
		resp, err := stun.Build(stun.NewTransactionIDSetter(m.TransactionID), stun.BindingSuccess,
			&stun.XORMappedAddress{IP: from.Addr().AsSlice(), Port: int(from.Port())},
			stun.NewShortTermIntegrity(clientPwd), stun.Fingerprint)
		if err != nil {
			t.Errorf("binding response: %v", err)
			return
		}
		_, _ = p.conn.WriteToUDPAddrPort(resp.Raw, from)
	}
}

func (p *controllingPath) nominate(t *testing.T, to netip.AddrPort, username, serverPwd string, priority uint32) {
	t.Helper()
	req, err := stun.Build(stun.TransactionID, stun.BindingRequest, stun.NewUsername(username),
		ice.PriorityAttr(priority), ice.AttrControlling(42), ice.UseCandidate(),
		stun.NewShortTermIntegrity(serverPwd), stun.Fingerprint)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.conn.WriteToUDPAddrPort(req.Raw, to); err != nil {
		t.Fatal(err)
	}
}

// TestPublisherFollowsTheClientsNomination: a publisher (controlling) that
// nominates a second path, one the server would rank lower, gets the
// server's packets on that path from then on, as a browser that moved to
// its non-loopback interface expects: otherwise keyframe requests, reports
// and consent answers go to a path it no longer reads.
func TestPublisherFollowsTheClientsNomination(t *testing.T) {
	m := newTestMedia(t)
	up, err := m.NewUpstream(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = up.Close() })
	var paths [2]*controllingPath
	var addrs []string
	for i := range paths {
		c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		paths[i] = &controllingPath{conn: c}
		addrs = append(addrs, c.LocalAddr().String())
	}
	// The first candidate has the higher priority.
	offer := offerWithCandidates(t, addrs)
	answer, _, err := up.Negotiate(offer, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	clientUfrag, clientPwd := iceCreds(t, offer)
	serverUfrag, serverPwd := iceCreds(t, answer)
	for _, p := range paths {
		go p.serve(t, clientPwd)
	}
	server := m.candidates[0]
	username := serverUfrag + ":" + clientUfrag
	iceT := up.pc.SCTP().Transport().ICETransport()
	selected := func() string {
		pair, err := iceT.GetSelectedCandidatePair()
		if err != nil || pair == nil || pair.Remote == nil {
			return ""
		}
		return netip.AddrPortFrom(netip.MustParseAddr(pair.Remote.Address), pair.Remote.Port).String()
	}
	for i, p := range paths {
		deadline := time.Now().Add(20 * time.Second)
		for selected() != addrs[i] {
			if time.Now().After(deadline) {
				t.Fatalf("after nominating path %d (%s) for 20 s the server sends to %q", i, addrs[i], selected())
			}
			p.nominate(t, server, username, serverPwd, uint32(2130706431-i))
			time.Sleep(50 * time.Millisecond)
		}
	}
}
