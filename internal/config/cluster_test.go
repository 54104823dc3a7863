package config

import (
	"strconv"
	"strings"
	"testing"
)

// A node given peers without a secret, or a short one, refuses to start;
// the cluster options name their keys when wrong.
func TestValidateCluster(t *testing.T) {
	base := Default()
	base.Apps = []App{{ID: strings.Repeat("a", 32)}}
	cases := []struct {
		name string
		mut  func(*Config)
		key  string // "" for valid
	}{
		{"single node", func(*Config) {}, ""},
		{"three nodes", func(c *Config) {
			c.Cluster.Listen, c.Cluster.Peers, c.Cluster.Secret = "0.0.0.0:6222", "a:6222, b:6222", "0123456789abcdef"
		}, ""},
		{"peers without secret", func(c *Config) { c.Cluster.Listen, c.Cluster.Peers = ":6222", "a:6222" }, "cluster.secret"},
		{"short secret", func(c *Config) { c.Cluster.Listen, c.Cluster.Peers, c.Cluster.Secret = ":6222", "a:6222", "short" }, "cluster.secret"},
		{"peers without listen", func(c *Config) { c.Cluster.Peers, c.Cluster.Secret = "a:6222", "0123456789abcdef" }, "cluster.listen"},
		{"bad peer", func(c *Config) {
			c.Cluster.Listen, c.Cluster.Peers, c.Cluster.Secret = ":6222", "a", "0123456789abcdef"
		}, "cluster.peers"},
		{"peers with external NATS", func(c *Config) {
			c.NATS.URL, c.Cluster.Listen, c.Cluster.Peers, c.Cluster.Secret = "nats://x:4222", ":6222", "a:6222", "0123456789abcdef"
		}, "cluster.peers"},
		{"zero node timeout", func(c *Config) { c.Cluster.NodeTimeout = 0 }, "cluster.nodeTimeout"},
		{"bad advertise URL", func(c *Config) { c.Cluster.AdvertiseURL = "ftp://x" }, "cluster.advertiseURL"},
		{"token and user", func(c *Config) { c.NATS.Token, c.NATS.User, c.NATS.Password = "t", "u", "p" }, "nats.token"},
		{"user without password", func(c *Config) { c.NATS.User = "u" }, "nats.user"},
		{"creds for embedded", func(c *Config) { c.NATS.CredsFile = "x.creds" }, "nats.credsFile"},
		{"TLS cert without key", func(c *Config) { c.NATS.TLSCert = "c.pem" }, "nats.tlsCert"},
	}
	for _, tc := range cases {
		c := base
		tc.mut(&c)
		err := c.Validate()
		switch {
		case tc.key == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.key != "" && (err == nil || !strings.Contains(err.Error(), tc.key)):
			t.Errorf("%s: error %v does not name %s", tc.name, err, tc.key)
		}
	}
}

func TestNATSReplicas(t *testing.T) {
	c := Default()
	if r := c.NATSReplicas(); r != 1 {
		t.Errorf("alone: %d", r)
	}
	c.Cluster.Listen, c.Cluster.Peers = "h1:6222", "h1:6222,h2:6222"
	if r := c.NATSReplicas(); r != 2 {
		t.Errorf("two nodes: %d", r)
	}
	c.Cluster.Peers = "h2:6222,h3:6222,h4:6222"
	if r := c.NATSReplicas(); r != 3 {
		t.Errorf("four nodes: %d", r)
	}
	c.NATS.Replicas = 1
	if r := c.NATSReplicas(); r != 1 {
		t.Errorf("configured: %d", r)
	}
}

// The URL a node announces is the one clients can reach.
func TestAdvertisedURL(t *testing.T) {
	cases := []struct {
		listen, advertiseIP, tls, advertiseURL, want string
	}{
		{"127.0.0.1:7800", "", "", "", "http://127.0.0.1:7800"},
		{"0.0.0.0:7800", "203.0.113.5", "", "", "http://203.0.113.5:7800"},
		{":7800", "", "cert.pem", "", "https://localhost:7800"},
		{"[::1]:7800", "", "", "", "http://[::1]:7800"},
		{"0.0.0.0:7800", "203.0.113.5", "", "https://live.example.com/", "https://live.example.com"},
	}
	for _, tc := range cases {
		c := Default()
		c.Listen, c.AdvertiseIP, c.TLSCert, c.Cluster.AdvertiseURL = tc.listen, tc.advertiseIP, tc.tls, tc.advertiseURL
		_, port, _ := splitHostPort(tc.listen)
		if got := c.AdvertisedURL(strconv.Itoa(port)); got != tc.want {
			t.Errorf("%+v: %s, want %s", tc, got, tc.want)
		}
	}
}
