package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// Security holds the protections of a server reachable from other
// machines: which web origins may open the WebSockets, how often the
// development token endpoint answers, and who may read the metrics and
// profiles.
type Security struct {
	// AllowedOrigins, comma-separated (e.g. "https://app.example.com"), are
	// the only Origins whose pages may open /v1/signal and /v1/rtm; others
	// get 403. Empty allows any Origin: apps are served from their own
	// origins and tokens authenticate. Clients that send no Origin (native
	// SDKs) are always allowed.
	AllowedOrigins string `yaml:"allowedOrigins"`
	// DevTokensPerSecond bounds the answers of /v1/dev/token (bursts of
	// twice as many); more get 429.
	DevTokensPerSecond int `yaml:"devTokensPerSecond"`
	// MetricsToken, when set, is the bearer token /metrics and
	// /debug/pprof/ require on the main listener off loopback.
	MetricsToken string `yaml:"metricsToken"`
	// MetricsListen, when set, serves /metrics and /debug/pprof/ on their
	// own address (e.g. 127.0.0.1:9090) instead of the main listener.
	MetricsListen string `yaml:"metricsListen"`
}

// DefaultSecurity returns the security defaults.
// DevTokensPerSecond leaves room for cohost loadtest joining a few hundred
// users per second with development tokens.
func DefaultSecurity() Security { return Security{DevTokensPerSecond: 200} }

// OriginList returns AllowedOrigins split on commas, trimmed, lowercased,
// without a trailing slash.
func (s Security) OriginList() []string {
	var out []string
	for _, o := range strings.Split(s.AllowedOrigins, ",") {
		if o = strings.ToLower(strings.TrimRight(strings.TrimSpace(o), "/")); o != "" {
			out = append(out, o)
		}
	}
	return out
}

func (c Config) validateSecurity() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
	}
	for _, o := range c.Security.OriginList() {
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			bad("security.allowedOrigins", "%q is not an origin such as https://app.example.com", o)
		}
	}
	if c.Security.DevTokensPerSecond <= 0 {
		bad("security.devTokensPerSecond", "must be positive, got %d", c.Security.DevTokensPerSecond)
	}
	if c.Security.MetricsListen != "" {
		if _, _, err := net.SplitHostPort(c.Security.MetricsListen); err != nil {
			bad("security.metricsListen", "%q is not host:port", c.Security.MetricsListen)
		}
	}
	return errors.Join(errs...)
}

func init() {
	settings = append(settings, securitySettings()...)
}

func securitySettings() []setting {
	return []setting{
		{"security.allowedOrigins", "allowed-origins", "COHOST_ALLOWED_ORIGINS", kindString,
			"origins (comma-separated) whose pages may open the signalling and RTM WebSockets; others get 403 (default: any)",
			func(c *Config) any { return &c.Security.AllowedOrigins }},
		{"security.devTokensPerSecond", "dev-tokens-per-second", "COHOST_DEV_TOKENS_PER_SECOND", kindInt,
			"answers per second of /v1/dev/token (bursts of twice as many); more get 429",
			func(c *Config) any { return &c.Security.DevTokensPerSecond }},
		{"security.metricsToken", "metrics-token", "COHOST_METRICS_TOKEN", kindString,
			"bearer token /metrics and /debug/pprof/ require off loopback; prefer the env var",
			func(c *Config) any { return &c.Security.MetricsToken }},
		{"security.metricsListen", "metrics-listen", "COHOST_METRICS_LISTEN", kindString,
			"host:port serving /metrics and /debug/pprof/ instead of the main listener",
			func(c *Config) any { return &c.Security.MetricsListen }},
	}
}
