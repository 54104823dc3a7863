package config

import (
	"strings"
	"testing"
	"time"
)

// rtmFlagNames are the NATS and RTM flags, after the others.
var rtmFlagNames = []string{
	"nats-url", "nats-store-dir", "nats-listen", "nats-replicas",
	"nats-token", "nats-user", "nats-password", "nats-nkey-seed-file", "nats-creds-file", "nats-tls-cert", "nats-tls-key", "nats-tls-ca",
	"cluster-listen", "cluster-peers", "cluster-secret", "node-timeout", "advertise-url", "node-max-users", "drain-timeout", "rtm",
	"rtm-keepalive", "rtm-unreachable", "rtm-offline", "rtm-peer-message-timeout", "rtm-attribute-clear",
	"rtm-invitation-expiry", "rtm-offline-message-ttl",
	"rtm-max-message-bytes", "rtm-max-offline-messages", "rtm-max-channels-per-user", "rtm-max-channel-attributes",
	"rtm-max-channel-attributes-bytes", "rtm-max-user-attributes", "rtm-max-user-attributes-bytes",
	"rtm-max-attribute-key-bytes", "rtm-max-attribute-value-bytes", "rtm-max-presence-subscriptions",
	"rtm-max-presence-query", "rtm-max-member-count-channels", "rtm-max-invitation-bytes", "rtm-max-frame-bytes", "rtm-node-budget-bytes", "rtm-heavy-bytes-per-second-per-cpu",
	"rtm-rate-messages", "rtm-rate-login", "rtm-rate-renew-token", "rtm-rate-join-channel", "rtm-rate-join-same-channel",
	"rtm-rate-get-members", "rtm-rate-member-count", "rtm-rate-channel-attribute-writes", "rtm-rate-channel-attribute-reads",
	"rtm-rate-user-attribute-writes", "rtm-rate-user-attribute-reads", "rtm-rate-presence-queries",
	"rtm-rate-presence-subscriptions", "rtm-rate-invitations", "rtm-rate-requests",
}

func TestParseRate(t *testing.T) {
	r, err := ParseRate("180/3s")
	if err != nil || r.N != 180 || r.Per != 3*time.Second {
		t.Fatalf("ParseRate = %+v, %v", r, err)
	}
	for _, s := range []string{"", "180", "0/3s", "x/3s", "5/0s", "5/abc", "-1/1s"} {
		if _, err := ParseRate(s); err == nil {
			t.Errorf("ParseRate(%q) succeeded", s)
		}
	}
}

func TestValidateRTM(t *testing.T) {
	c := Default()
	c.Apps = []App{{ID: strings.Repeat("a", 32)}}
	if err := c.Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	c.RTM.Rates.Messages = "fast"
	c.RTM.Timers.Offline = 0
	c.RTM.Limits.MaxChannelsPerUser = -1
	c.RTM.Limits.HeavyBytesPerSecondPerCPU = -1
	c.NATS.Replicas = -1
	c.NATS.URL, c.NATS.Listen = "nats://x:4222", "127.0.0.1:4222"
	err := c.Validate()
	for _, key := range []string{"rtm.rates.messages", "rtm.timers.offline", "rtm.limits.maxChannelsPerUser", "rtm.limits.heavyBytesPerSecondPerCPU", "nats.replicas", "nats.listen"} {
		if err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("Validate error %v does not name %s", err, key)
		}
	}
	// 0 turns the heavy pace off; it is not an error.
	c = Default()
	c.Apps = []App{{ID: strings.Repeat("a", 32)}}
	c.RTM.Limits.HeavyBytesPerSecondPerCPU = 0
	if err := c.Validate(); err != nil {
		t.Fatalf("heavyBytesPerSecondPerCPU 0: %v", err)
	}
}
