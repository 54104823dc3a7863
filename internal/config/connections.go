package config

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// Connections bounds the signalling and RTM WebSockets a server keeps
// open, so that idle or abusive sockets cannot exhaust its file
// descriptors and starve legitimate joins.
type Connections struct {
	// JoinTimeout closes a signalling WebSocket that has not joined (or
	// resumed) a channel within it.
	JoinTimeout time.Duration `yaml:"joinTimeout"`
	// MaxTotal bounds the open signalling and RTM WebSockets together;
	// further upgrades get 503.
	MaxTotal int `yaml:"maxTotal"`
	// MaxPerIP bounds the open signalling and RTM WebSockets of one client
	// address; further upgrades get 429. Loopback clients are exempt.
	MaxPerIP int `yaml:"maxPerIP"`
	// TrustedProxies, comma-separated IPs or CIDR prefixes, are the peers
	// whose X-Forwarded-For header names the client address. Others' header
	// is ignored.
	TrustedProxies string `yaml:"trustedProxies"`
}

// DefaultConnections returns the connection defaults: room for a large
// NAT (a campus, a carrier) behind one address.
func DefaultConnections() Connections {
	return Connections{JoinTimeout: 10 * time.Second, MaxTotal: 50000, MaxPerIP: 1000}
}

// ProxyPrefixes returns TrustedProxies parsed; a plain IP becomes a
// single-address prefix.
func (c Connections) ProxyPrefixes() ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range strings.Split(c.TrustedProxies, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		if strings.Contains(s, "/") {
			p, err := netip.ParsePrefix(s)
			if err != nil {
				return nil, fmt.Errorf("%q is not an IP or CIDR prefix: %w", s, err)
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("%q is not an IP or CIDR prefix: %w", s, err)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

func (c Config) validateConnections() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
	}
	if c.Connections.JoinTimeout <= 0 {
		bad("connections.joinTimeout", "must be positive, got %s", c.Connections.JoinTimeout)
	}
	if c.Connections.MaxTotal <= 0 {
		bad("connections.maxTotal", "must be positive, got %d", c.Connections.MaxTotal)
	}
	if c.Connections.MaxPerIP <= 0 {
		bad("connections.maxPerIP", "must be positive, got %d", c.Connections.MaxPerIP)
	}
	if _, err := c.Connections.ProxyPrefixes(); err != nil {
		bad("connections.trustedProxies", "%v", err)
	}
	return errors.Join(errs...)
}

func init() {
	settings = append(settings, connectionSettings()...)
}

func connectionSettings() []setting {
	return []setting{
		{"connections.joinTimeout", "join-timeout", "COHOST_JOIN_TIMEOUT", kindDuration,
			"closes a signalling WebSocket that has not joined a channel within it",
			func(c *Config) any { return &c.Connections.JoinTimeout }},
		{"connections.maxTotal", "max-connections", "COHOST_MAX_CONNECTIONS", kindInt,
			"open signalling and RTM WebSockets in total; more get 503",
			func(c *Config) any { return &c.Connections.MaxTotal }},
		{"connections.maxPerIP", "max-connections-per-ip", "COHOST_MAX_CONNECTIONS_PER_IP", kindInt,
			"open signalling and RTM WebSockets per client address (loopback exempt); more get 429",
			func(c *Config) any { return &c.Connections.MaxPerIP }},
		{"connections.trustedProxies", "trusted-proxies", "COHOST_TRUSTED_PROXIES", kindString,
			"IPs or CIDR prefixes (comma-separated) whose X-Forwarded-For header names the client",
			func(c *Config) any { return &c.Connections.TrustedProxies }},
	}
}
