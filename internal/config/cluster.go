package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"
)

// Cluster makes the node one of several cohost nodes. Every node
// registers in NATS (its id, advertised URLs, load); with Peers, the
// embedded NATS servers route to each other and form a NATS cluster, so
// several machines need no other software.
type Cluster struct {
	// Listen is the embedded NATS server's route address, host:port,
	// where the other nodes' servers connect.
	Listen string `yaml:"listen"`
	// Peers are the other nodes' route addresses, host:port separated by
	// commas (the node's own may be listed).
	Peers string `yaml:"peers"`
	// Secret authenticates the routes between the embedded servers
	// (required with Peers; at least 16 characters, the same on every
	// node). Without NATS credentials it is also the client token.
	Secret string `yaml:"secret"`
	// NodeTimeout: a node not heard from on NATS this long is dead (its
	// RTM users go OFFLINE and leave their channels).
	NodeTimeout time.Duration `yaml:"nodeTimeout"`
	// AdvertiseURL is the node's HTTP(S) base URL as clients reach it,
	// announced to the other nodes. Empty: built from listen (and
	// advertiseIP).
	AdvertiseURL string `yaml:"advertiseURL"`
	// MaxUsers is how many RTC and RTM users this node takes before it
	// sends the joins of new channels to other nodes (0: no limit). The
	// members of a channel it already hosts are refused once it is full.
	MaxUsers int `yaml:"maxUsers"`
	// DrainTimeout bounds a drain (SIGTERM, cohost drain): the node stops
	// taking members, moves its RTC members to other nodes, releases its
	// channels and ends its RTM sessions, and exits once done or when
	// this much time has passed, whichever comes first.
	DrainTimeout time.Duration `yaml:"drainTimeout"`
}

// DefaultCluster is a single node.
func DefaultCluster() Cluster {
	return Cluster{NodeTimeout: 5 * time.Second, DrainTimeout: 30 * time.Second}
}

// PeerList is Peers split, spaces trimmed, empty entries dropped.
func (c Cluster) PeerList() []string {
	var out []string
	for _, p := range strings.Split(c.Peers, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Clustered reports whether the embedded NATS server routes to others.
func (c Cluster) Clustered() bool { return c.Listen != "" || len(c.PeerList()) > 0 }

// NATSReplicas is nats.replicas, or when 0 the choice for the cluster:
// one copy alone, three with two peers or more, two with one peer.
func (c Config) NATSReplicas() int {
	if c.NATS.Replicas > 0 {
		return c.NATS.Replicas
	}
	n := 1
	for _, p := range c.Cluster.PeerList() {
		if p != c.Cluster.Listen {
			n++
		}
	}
	return min(n, 3)
}

// minSecret is the shortest cluster secret accepted.
const minSecret = 16

// validateCluster reports every invalid cluster and NATS security setting.
func (c Config) validateCluster() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
	}
	cl := c.Cluster
	if cl.NodeTimeout <= 0 {
		bad("cluster.nodeTimeout", "must be positive, got %v", cl.NodeTimeout)
	}
	if cl.DrainTimeout <= 0 {
		bad("cluster.drainTimeout", "must be positive, got %v", cl.DrainTimeout)
	}
	if cl.MaxUsers < 0 {
		bad("cluster.maxUsers", "must be 0 (no limit) or positive, got %d", cl.MaxUsers)
	}
	peers := cl.PeerList()
	if cl.Clustered() {
		if c.NATS.URL != "" {
			bad("cluster.peers", "routes the embedded NATS server; it cannot be set with nats.url (the external NATS cluster routes itself)")
		}
		if cl.Listen == "" {
			bad("cluster.listen", "must be set with cluster.peers (the route address the other nodes connect to)")
		} else if _, port, err := splitHostPort(cl.Listen); err != nil || port < 0 {
			bad("cluster.listen", "%q is not host:port", cl.Listen)
		}
		others := 0
		for _, p := range peers {
			if p != cl.Listen {
				others++
			}
		}
		if others == 0 {
			bad("cluster.peers", "must name at least one other node with cluster.listen (JetStream does not run as a cluster of one)")
		}
		if cl.Secret == "" {
			bad("cluster.secret", "must be set with cluster.peers: routes are never open without the shared secret")
		} else if len(cl.Secret) < minSecret {
			bad("cluster.secret", "must be at least %d characters, got %d", minSecret, len(cl.Secret))
		}
	}
	for _, p := range peers {
		if _, port, err := splitHostPort(p); err != nil || port <= 0 {
			bad("cluster.peers", "%q is not host:port", p)
		}
	}
	if cl.AdvertiseURL != "" {
		if u, err := url.Parse(cl.AdvertiseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("cluster.advertiseURL", "%q is not an http(s)://host[:port] URL", cl.AdvertiseURL)
		}
	}
	n := c.NATS
	kinds := 0
	for _, set := range []bool{n.Token != "", n.User != "" || n.Password != "", n.NKeySeedFile != "", n.CredsFile != ""} {
		if set {
			kinds++
		}
	}
	if kinds > 1 {
		bad("nats.token", "give one of nats.token, nats.user with nats.password, nats.nkeySeedFile, nats.credsFile")
	}
	if (n.User == "") != (n.Password == "") {
		bad("nats.user", "nats.user and nats.password must be given together")
	}
	if n.CredsFile != "" && n.URL == "" {
		bad("nats.credsFile", "is for an external NATS (nats.url); the embedded server takes a token, a user and password, or an NKey seed")
	}
	if (n.TLSCert == "") != (n.TLSKey == "") {
		bad("nats.tlsCert", "nats.tlsCert and nats.tlsKey must be given together")
	}
	return errors.Join(errs...)
}

// AdvertisedURL is the node's base URL for clients: cluster.advertiseURL,
// else the scheme of TLS (tlsCert or ACME), listen's host (advertiseIP, or
// localhost, for an unspecified one) and boundPort.
func (c Config) AdvertisedURL(boundPort string) string {
	if c.Cluster.AdvertiseURL != "" {
		return strings.TrimRight(c.Cluster.AdvertiseURL, "/")
	}
	scheme := "http"
	if c.TLS() {
		scheme = "https"
	}
	host, _, _ := net.SplitHostPort(c.Listen)
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = c.AdvertiseIP
		if host == "" {
			host = "localhost"
		}
	}
	return scheme + "://" + net.JoinHostPort(host, boundPort)
}

func natsSecuritySettings() []setting {
	return []setting{
		{"nats.token", "nats-token", "COHOST_NATS_TOKEN", kindString,
			"token NATS clients present (the embedded server requires it; default: generated, kept in <dataDir>/nats-token)",
			func(c *Config) any { return &c.NATS.Token }},
		{"nats.user", "nats-user", "COHOST_NATS_USER", kindString,
			"NATS user name (with --nats-password) instead of a token",
			func(c *Config) any { return &c.NATS.User }},
		{"nats.password", "nats-password", "COHOST_NATS_PASSWORD", kindString,
			"password of --nats-user; prefer the env var",
			func(c *Config) any { return &c.NATS.Password }},
		{"nats.nkeySeedFile", "nats-nkey-seed-file", "COHOST_NATS_NKEY_SEED_FILE", kindString,
			"NKey seed file: the client signs with it; the embedded server accepts its public key only",
			func(c *Config) any { return &c.NATS.NKeySeedFile }},
		{"nats.credsFile", "nats-creds-file", "COHOST_NATS_CREDS_FILE", kindString,
			"JWT .creds file for an external NATS",
			func(c *Config) any { return &c.NATS.CredsFile }},
		{"nats.tlsCert", "nats-tls-cert", "COHOST_NATS_TLS_CERT", kindString,
			"PEM certificate of the embedded NATS server (clients and routes), or client certificate for an external NATS",
			func(c *Config) any { return &c.NATS.TLSCert }},
		{"nats.tlsKey", "nats-tls-key", "COHOST_NATS_TLS_KEY", kindString,
			"PEM private key of --nats-tls-cert",
			func(c *Config) any { return &c.NATS.TLSKey }},
		{"nats.tlsCA", "nats-tls-ca", "COHOST_NATS_TLS_CA", kindString,
			"PEM CA verifying the NATS server (client) or the peers' route certificates (embedded)",
			func(c *Config) any { return &c.NATS.TLSCA }},
	}
}

func clusterSettings() []setting {
	return []setting{
		{"cluster.listen", "cluster-listen", "COHOST_CLUSTER_LISTEN", kindString,
			"host:port of the embedded NATS server's cluster routes (with --cluster-peers)",
			func(c *Config) any { return &c.Cluster.Listen }},
		{"cluster.peers", "cluster-peers", "COHOST_CLUSTER_PEERS", kindString,
			"route addresses host:port,... of the other nodes' embedded NATS servers: they form one NATS cluster",
			func(c *Config) any { return &c.Cluster.Peers }},
		{"cluster.secret", "cluster-secret", "COHOST_CLUSTER_SECRET", kindString,
			"secret shared by the cluster's nodes (routes; client token when no NATS credential is set); prefer the env var",
			func(c *Config) any { return &c.Cluster.Secret }},
		{"cluster.nodeTimeout", "node-timeout", "COHOST_NODE_TIMEOUT", kindDuration,
			"a node not heard from on NATS this long is dead: its RTM users go OFFLINE",
			func(c *Config) any { return &c.Cluster.NodeTimeout }},
		{"cluster.advertiseURL", "advertise-url", "COHOST_ADVERTISE_URL", kindString,
			"this node's http(s) base URL as clients reach it, announced to the other nodes (default from listen)",
			func(c *Config) any { return &c.Cluster.AdvertiseURL }},
		{"cluster.maxUsers", "node-max-users", "COHOST_NODE_MAX_USERS", kindInt,
			"users this node takes before it sends new channels to other nodes (0: no limit)",
			func(c *Config) any { return &c.Cluster.MaxUsers }},
		{"cluster.drainTimeout", "drain-timeout", "COHOST_DRAIN_TIMEOUT", kindDuration,
			"longest a drain (SIGTERM, cohost drain) takes: members moved to other nodes, then exit",
			func(c *Config) any { return &c.Cluster.DrainTimeout }},
	}
}
