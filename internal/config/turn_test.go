package config

import (
	"strings"
	"testing"
)

func TestTURNValidation(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(*TURN)
		want   string // "" for valid
	}{
		{"defaults", func(*TURN) {}, ""},
		{"embedded on a free port", func(t *TURN) { t.Mode, t.Port = TURNEmbedded, 0 }, ""},
		{"unknown mode", func(t *TURN) { t.Mode = "sometimes" }, "turn.mode"},
		{"port out of range", func(t *TURN) { t.Port = 70000 }, "turn.port"},
		{"no credential lifetime", func(t *TURN) { t.CredentialTTL = 0 }, "turn.credentialTTL"},
		{"no allocations", func(t *TURN) { t.MaxAllocationsPerSession = 0 }, "turn.maxAllocationsPerSession"},
		{"relay IP not an IP", func(t *TURN) { t.RelayIP = "relay.example.com" }, "turn.relayIP"},
		{"relay IP unspecified", func(t *TURN) { t.RelayIP = "0.0.0.0" }, "turn.relayIP"},
		{"allowed peers not CIDRs", func(t *TURN) { t.AllowedPeers = "10.0.0.0/8,nowhere" }, "turn.allowedPeers"},
		{"allowed peers", func(t *TURN) { t.AllowedPeers = "10.0.0.0/8, 192.0.2.7" }, ""},
		{"host with a port", func(t *TURN) { t.Host = "rtc.example.com:3478" }, "turn.host"},
		{"short secret", func(t *TURN) { t.Secret = "short" }, "turn.secret"},
		{"external without URLs", func(t *TURN) { t.Mode, t.Secret = TURNExternal, "0123456789abcdef" }, "turn.urls"},
		{"external without credentials", func(t *TURN) { t.Mode, t.URLs = TURNExternal, "turn:turn.example.com:3478" }, "turn.secret"},
		{"external with a REST secret", func(t *TURN) {
			t.Mode, t.URLs, t.Secret = TURNExternal, "turn:turn.example.com:3478?transport=udp", "0123456789abcdef"
		}, ""},
		{"external with static credentials", func(t *TURN) {
			t.Mode, t.URLs, t.Username, t.Credential = TURNExternal, "turns:turn.example.com:443?transport=tcp", "u", "p"
		}, ""},
		{"username without credential", func(t *TURN) { t.Username = "u" }, "turn.username"},
		{"URL of another scheme", func(t *TURN) { t.URLs = "https://turn.example.com" }, "turn.urls"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Default()
			c.Apps = []App{{ID: strings.Repeat("a", 32), Certificate: strings.Repeat("b", 32)}}
			tc.mutate(&c.TURN)
			err := c.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("Validate: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("Validate: %v, want an error naming %s", err, tc.want)
			}
		})
	}
}

func TestTURNEmbeddedByDefaultOffLoopback(t *testing.T) {
	c := Default()
	if c.TURNEmbedded() {
		t.Fatal("auto mode runs TURN on the loopback default")
	}
	c.Listen = "0.0.0.0:443"
	if !c.TURNEmbedded() {
		t.Fatal("auto mode runs no TURN on a public listen address")
	}
	c.TURN.Mode = TURNOff
	if c.TURNEmbedded() {
		t.Fatal("off mode runs TURN")
	}
}
