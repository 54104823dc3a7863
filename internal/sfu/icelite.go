package sfu

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"

	"github.com/pion/stun/v4"
)

// ICE-lite (RFC 8445 §2.5): the server never checks connectivity itself;
// it answers the client's binding requests on the media port and uses the
// address the client nominates. A check is accepted when its USERNAME is
// "<our ufrag>:<theirs>" and its MESSAGE-INTEGRITY verifies with our
// password; the answer carries the address the request came from.

// errBadBinding: a STUN message that is not a valid binding request for us.
var errBadBinding = errors.New("sfu: invalid ICE binding request")

// iceCredentials are a local ICE username fragment and password.
type iceCredentials struct{ ufrag, pwd string }

// newICECredentials draws fresh credentials (RFC 8445: at least 24 bits
// of randomness for the ufrag, 128 for the password).
func newICECredentials() iceCredentials {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/"
	draw := func(n int) string {
		b := make([]byte, n)
		_, _ = rand.Read(b)
		for i := range b {
			b[i] = alphabet[int(b[i])%len(alphabet)]
		}
		return string(b)
	}
	return iceCredentials{ufrag: draw(16), pwd: draw(32)}
}

// bindingCheck is a verified binding request.
type bindingCheck struct {
	nominated bool // USE-CANDIDATE: the client selects this address
	response  []byte
}

// checkBinding verifies a binding request against creds and builds its
// success response, to be sent back to from.
func checkBinding(p []byte, from netip.AddrPort, creds iceCredentials) (bindingCheck, error) {
	m := &stun.Message{Raw: append([]byte(nil), p...)}
	if err := m.Decode(); err != nil {
		return bindingCheck{}, fmt.Errorf("%w: %v", errBadBinding, err)
	}
	if m.Type != stun.BindingRequest {
		return bindingCheck{}, fmt.Errorf("%w: type %v", errBadBinding, m.Type)
	}
	user, err := m.Get(stun.AttrUsername)
	if err != nil {
		return bindingCheck{}, fmt.Errorf("%w: no USERNAME", errBadBinding)
	}
	if local, _, ok := strings.Cut(string(user), ":"); !ok || local != creds.ufrag {
		return bindingCheck{}, fmt.Errorf("%w: USERNAME %q", errBadBinding, user)
	}
	if m.Contains(stun.AttrFingerprint) {
		if err := stun.Fingerprint.Check(m); err != nil {
			return bindingCheck{}, fmt.Errorf("%w: %v", errBadBinding, err)
		}
	}
	integrity := stun.NewShortTermIntegrity(creds.pwd)
	if err := integrity.Check(m); err != nil {
		return bindingCheck{}, fmt.Errorf("%w: %v", errBadBinding, err)
	}
	resp, err := stun.Build(stun.NewTransactionIDSetter(m.TransactionID), stun.BindingSuccess,
		&stun.XORMappedAddress{IP: net.IP(from.Addr().Unmap().AsSlice()), Port: int(from.Port())},
		integrity, stun.Fingerprint)
	if err != nil {
		return bindingCheck{}, fmt.Errorf("sfu: binding response: %w", err)
	}
	return bindingCheck{nominated: m.Contains(stun.AttrUseCandidate), response: resp.Raw}, nil
}

// isSTUNResponse tells a binding success or error response (to the check
// the server sends to hasten nomination) from a request.
func isSTUNResponse(p []byte) bool {
	if len(p) < 2 {
		return false
	}
	t := uint16(p[0])<<8 | uint16(p[1])
	return t == 0x0101 || t == 0x0111
}

// nominationNudge is a binding request to the client, sent once its check
// succeeded. An ICE-lite agent sends no checks of its own; this one only
// tells a controlling agent that waits for its next check tick (Pion's
// 200 ms) that the pair works both ways, which makes it nominate at once
// (RFC 8445 §7.3.1.4, a triggered check). The client's answer to it is
// ignored. It goes only to an address whose check was valid and that the
// candidate policy allows (candfilter.go).
func nominationNudge(local, remote iceCredentials) ([]byte, error) {
	var tie [8]byte
	_, _ = rand.Read(tie[:])
	m, err := stun.Build(stun.TransactionID, stun.BindingRequest, stun.NewUsername(remote.ufrag+":"+local.ufrag),
		stun.RawAttribute{Type: stun.AttrICEControlled, Value: tie[:]},
		stun.RawAttribute{Type: stun.AttrPriority, Value: []byte{0x7e, 0xff, 0xff, 0xff}},
		stun.NewShortTermIntegrity(remote.pwd), stun.Fingerprint)
	if err != nil {
		return nil, fmt.Errorf("sfu: nomination check: %w", err)
	}
	return m.Raw, nil
}
