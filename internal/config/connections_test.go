package config

import (
	"net/netip"
	"strings"
	"testing"
)

func TestConnectionsDefaultsAndValidation(t *testing.T) {
	d := Default().Connections
	if d.MaxPerIP < 1000 || d.MaxTotal < d.MaxPerIP || d.JoinTimeout <= 0 {
		t.Errorf("defaults %+v: want maxPerIP ≥ 1000, maxTotal ≥ maxPerIP, a join timeout", d)
	}
	c := Default()
	c.Connections.TrustedProxies = " 10.0.0.1, 192.168.0.0/16 ,::1"
	got, err := c.Connections.ProxyPrefixes()
	if err != nil {
		t.Fatal(err)
	}
	want := []netip.Prefix{netip.MustParsePrefix("10.0.0.1/32"), netip.MustParsePrefix("192.168.0.0/16"), netip.MustParsePrefix("::1/128")}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("ProxyPrefixes = %v, want %v", got, want)
	}
	c.Connections.TrustedProxies = "proxy.example"
	c.Connections.MaxPerIP = 0
	err = c.validateConnections()
	if err == nil || !strings.Contains(err.Error(), "connections.trustedProxies") || !strings.Contains(err.Error(), "connections.maxPerIP") {
		t.Errorf("validate: %v, want errors naming connections.trustedProxies and connections.maxPerIP", err)
	}
}
