package config

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"
)

// TURN modes.
const (
	// TURNAuto runs the embedded TURN server when the listen address is
	// not loopback (a server other machines reach), none on loopback.
	TURNAuto = "auto"
	// TURNEmbedded always runs the embedded TURN server.
	TURNEmbedded = "embedded"
	// TURNExternal hands out the servers of TURN.URLs (e.g. coturn).
	TURNExternal = "external"
	// TURNOff hands out no TURN server.
	TURNOff = "off"
)

// TURN configures the relay clients fall back to when UDP to the media
// port does not get through (firewalls that allow only TCP or port 443).
// The server hands each session TURN servers and credentials in its join
// response. Embedded credentials follow the TURN REST convention
// (username "expiry:sessionId", password the base64 HMAC-SHA1 of the
// username under Secret); they open new allocations until the earlier of
// the join token's expiry and CredentialTTL, only while the session lives.
type TURN struct {
	// Mode is auto, embedded, external or off.
	Mode string `yaml:"mode"`
	// Port is the embedded server's UDP and TCP port, bound on the listen
	// host (0 picks a free port).
	Port int `yaml:"port"`
	// TLS serves TURN over TLS on the HTTPS port (when TLS is on): after
	// the TLS handshake a connection starting with STUN goes to TURN.
	TLS bool `yaml:"tls"`
	// Secret signs the credentials; empty: cluster.secret in a cluster,
	// else one generated at start.
	Secret string `yaml:"secret"`
	// CredentialTTL caps a credential's validity (the join token's expiry
	// caps it too).
	CredentialTTL time.Duration `yaml:"credentialTTL"`
	// RelayIP is the embedded server's relay address; empty: the media
	// port's bound IP, else the first address of the interfaces.
	RelayIP string `yaml:"relayIP"`
	// AllowedPeers, comma-separated CIDRs, are addresses relays may send
	// to besides the node's own media addresses.
	AllowedPeers string `yaml:"allowedPeers"`
	// Host is the host name put in the embedded server's URLs; empty: the
	// host the client's signalling request named.
	Host string `yaml:"host"`
	// MaxAllocationsPerSession bounds the live relays of one session.
	MaxAllocationsPerSession int `yaml:"maxAllocationsPerSession"`
	// URLs, comma-separated (turn:host:3478?transport=udp, turns:…), are
	// the external servers handed out in external mode.
	URLs string `yaml:"urls"`
	// Username and Credential are the external servers' static
	// credentials; without them Secret makes TURN REST credentials.
	Username   string `yaml:"username"`
	Credential string `yaml:"credential"`
}

// DefaultTURN returns the TURN defaults.
func DefaultTURN() TURN {
	return TURN{Mode: TURNAuto, Port: 3478, TLS: true, CredentialTTL: 24 * time.Hour, MaxAllocationsPerSession: 16}
}

// TURNEmbedded reports whether the node runs its TURN server.
func (c Config) TURNEmbedded() bool {
	return c.TURN.Mode == TURNEmbedded || (c.TURN.Mode == TURNAuto && !c.Loopback())
}

// URLList returns URLs split on commas, trimmed, without empties.
func (t TURN) URLList() []string {
	return splitList(t.URLs)
}

// PeerPrefixes parses AllowedPeers.
func (t TURN) PeerPrefixes() ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range splitList(t.AllowedPeers) {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			a, aerr := netip.ParseAddr(s)
			if aerr != nil {
				return nil, fmt.Errorf("%q is not a CIDR or an IP address", s)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, p)
	}
	return out, nil
}

func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

func (c Config) validateTURN() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
	}
	t := c.TURN
	switch t.Mode {
	case TURNAuto, TURNEmbedded, TURNExternal, TURNOff:
	default:
		bad("turn.mode", "%q is not auto, embedded, external or off", t.Mode)
	}
	if t.Port < 0 || t.Port > 65535 {
		bad("turn.port", "%d is out of range 1–65535 (or 0 for a free port)", t.Port)
	}
	if t.CredentialTTL <= 0 {
		bad("turn.credentialTTL", "must be positive, got %s", t.CredentialTTL)
	}
	if t.MaxAllocationsPerSession <= 0 {
		bad("turn.maxAllocationsPerSession", "must be positive, got %d", t.MaxAllocationsPerSession)
	}
	if t.RelayIP != "" {
		if ip, err := netip.ParseAddr(t.RelayIP); err != nil || ip.IsUnspecified() {
			bad("turn.relayIP", "%q is not a specified IP address", t.RelayIP)
		}
	}
	if _, err := t.PeerPrefixes(); err != nil {
		bad("turn.allowedPeers", "%v", err)
	}
	if strings.ContainsAny(t.Host, " /:") {
		bad("turn.host", "%q is not a host name or IPv4 address", t.Host)
	}
	for _, u := range t.URLList() {
		if !strings.HasPrefix(u, "turn:") && !strings.HasPrefix(u, "turns:") && !strings.HasPrefix(u, "stun:") {
			bad("turn.urls", "%q is not a turn:, turns: or stun: URL", u)
		}
	}
	if (t.Username == "") != (t.Credential == "") {
		bad("turn.username", "turn.username and turn.credential must be given together")
	}
	if t.Mode == TURNExternal {
		if len(t.URLList()) == 0 {
			bad("turn.urls", "must list the external servers in external mode")
		}
		if t.Username == "" && t.Secret == "" {
			bad("turn.secret", "external mode needs turn.secret (TURN REST) or turn.username and turn.credential")
		}
	}
	if t.Secret != "" && len(t.Secret) < minSecret {
		bad("turn.secret", "must be at least %d characters, got %d", minSecret, len(t.Secret))
	}
	if c.TURNEmbedded() && c.TURN.Port != 0 {
		if _, port, err := net.SplitHostPort(c.Listen); err == nil && port == fmt.Sprint(c.TURN.Port) {
			bad("turn.port", "%d is the listen port", c.TURN.Port)
		}
	}
	return errors.Join(errs...)
}

func init() {
	settings = append(settings, turnSettings()...)
}

func turnSettings() []setting {
	return []setting{
		{"turn.mode", "turn", "COHOST_TURN", kindString,
			"TURN relay for clients UDP does not reach: auto (embedded off loopback), embedded, external or off",
			func(c *Config) any { return &c.TURN.Mode }},
		{"turn.port", "turn-port", "COHOST_TURN_PORT", kindInt,
			"UDP and TCP port of the embedded TURN server, on the listen host (0 picks a free port)",
			func(c *Config) any { return &c.TURN.Port }},
		{"turn.tls", "turn-tls", "COHOST_TURN_TLS", kindBool,
			"serve TURN over TLS on the HTTPS port when TLS is on",
			func(c *Config) any { return &c.TURN.TLS }},
		{"turn.secret", "turn-secret", "COHOST_TURN_SECRET", kindString,
			"TURN REST secret signing credentials (default: cluster.secret, else generated at start); prefer the env var",
			func(c *Config) any { return &c.TURN.Secret }},
		{"turn.credentialTTL", "turn-credential-ttl", "COHOST_TURN_CREDENTIAL_TTL", kindDuration,
			"longest validity of a TURN credential (the join token's expiry caps it too)",
			func(c *Config) any { return &c.TURN.CredentialTTL }},
		{"turn.relayIP", "turn-relay-ip", "COHOST_TURN_RELAY_IP", kindString,
			"relay address of the embedded TURN server (default: the media port's IP, else the first interface address)",
			func(c *Config) any { return &c.TURN.RelayIP }},
		{"turn.allowedPeers", "turn-allowed-peers", "COHOST_TURN_ALLOWED_PEERS", kindString,
			"CIDRs (comma-separated) TURN may relay to besides the node's own media addresses",
			func(c *Config) any { return &c.TURN.AllowedPeers }},
		{"turn.host", "turn-host", "COHOST_TURN_HOST", kindString,
			"host name in the embedded TURN server's URLs (default: the host the client's signalling request named)",
			func(c *Config) any { return &c.TURN.Host }},
		{"turn.maxAllocationsPerSession", "turn-max-allocations", "COHOST_TURN_MAX_ALLOCATIONS", kindInt,
			"most live TURN relays of one session",
			func(c *Config) any { return &c.TURN.MaxAllocationsPerSession }},
		{"turn.urls", "turn-urls", "COHOST_TURN_URLS", kindString,
			"external TURN servers (comma-separated turn:/turns: URLs), external mode",
			func(c *Config) any { return &c.TURN.URLs }},
		{"turn.username", "turn-username", "COHOST_TURN_USERNAME", kindString,
			"static username of the external TURN servers (else TURN REST credentials from turn.secret)",
			func(c *Config) any { return &c.TURN.Username }},
		{"turn.credential", "turn-credential", "COHOST_TURN_CREDENTIAL", kindString,
			"static password of the external TURN servers; prefer the env var",
			func(c *Config) any { return &c.TURN.Credential }},
	}
}
