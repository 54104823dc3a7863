package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Validate reports every invalid setting, each error naming its YAML key:
// listen must be host:port (port 0–65535, 0 picks a free one); the media port
// 0–65535 (0 likewise); App IDs 32 hex characters and unique; App
// Certificates 32 hex characters or empty (testing mode, allowed only on a
// loopback listen address unless AllowTestingMode); TLS certificate and key
// both or neither; the advertised IP a valid, specified address; every timer
// and limit positive, the keep-alive shorter than the drop timeout; the log
// level and format known. No apps is valid: the binary then creates a
// development app in DataDir, which must be set.
func (c Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
	}

	if host, port, err := net.SplitHostPort(c.Listen); err != nil {
		bad("listen", "%q is not host:port (e.g. 127.0.0.1:7800 or :7800)", c.Listen)
	} else {
		if _, err := parsePort(port); err != nil {
			bad("listen", "%q: %v", c.Listen, err)
		}
		if strings.ContainsAny(host, " /") {
			bad("listen", "%q: invalid host %q", c.Listen, host)
		}
	}
	if c.MediaPort < 0 || c.MediaPort > 65535 {
		bad("mediaPort", "%d is out of range 1–65535 (or 0 for a free port)", c.MediaPort)
	}
	if c.AdvertiseIP != "" {
		ip, err := netip.ParseAddr(c.AdvertiseIP)
		switch {
		case err != nil || ip.Zone() != "":
			bad("advertiseIP", "%q is not an IP address", c.AdvertiseIP)
		case ip.IsUnspecified():
			bad("advertiseIP", "%q is not a reachable address", c.AdvertiseIP)
		}
	}
	if len(c.Apps) == 0 && c.DataDir == "" {
		bad("dataDir", "must be set when no app is configured (the development app is kept there)")
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		bad("tlsCert", "tlsCert and tlsKey must be given together")
	}

	seen := make(map[string]int, len(c.Apps))
	for i, a := range c.Apps {
		key := fmt.Sprintf("apps[%d]", i)
		if !isHex32(a.ID) {
			bad(key+".id", "%q is not 32 hex characters", a.ID)
		} else if j, dup := seen[strings.ToLower(a.ID)]; dup {
			bad(key+".id", "%s is already apps[%d].id", a.ID, j)
		} else {
			seen[strings.ToLower(a.ID)] = i
		}
		if a.Certificate != "" && !isHex32(a.Certificate) {
			bad(key+".certificate", "is not 32 hex characters")
		}
		if a.TestingMode() && !c.AllowTestingMode && !c.Loopback() {
			bad(key+".certificate", "app %s has no certificate (testing mode: joins without token), "+
				"which is allowed on a non-loopback listen address only with allowTestingMode", a.ID)
		}
	}

	timers := []struct {
		key string
		d   time.Duration
	}{
		{"timers.dropTimeout", c.Timers.DropTimeout},
		{"timers.keepAlive", c.Timers.KeepAlive},
		{"timers.tokenWarning", c.Timers.TokenWarning},
		{"timers.shutdownGrace", c.Timers.ShutdownGrace},
		{"timers.keyframeInterval", c.Timers.KeyframeInterval},
		{"timers.requestTimeout", c.Timers.RequestTimeout},
		{"timers.relayMinInterval", c.Timers.RelayMinInterval},
	}
	for _, t := range timers {
		if t.d <= 0 {
			bad(t.key, "must be positive, got %v", t.d)
		}
	}
	if c.Timers.KeepAlive > 0 && c.Timers.DropTimeout > 0 && c.Timers.KeepAlive >= c.Timers.DropTimeout {
		bad("timers.keepAlive", "%v must be shorter than timers.dropTimeout (%v)", c.Timers.KeepAlive, c.Timers.DropTimeout)
	}

	limits := []struct {
		key string
		n   int
	}{
		{"limits.maxUsersPerChannel", c.Limits.MaxUsersPerChannel},
		{"limits.maxHostsPerChannel", c.Limits.MaxHostsPerChannel},
		{"limits.maxChannels", c.Limits.MaxChannels},
		{"limits.maxTracksPerUser", c.Limits.MaxTracksPerUser},
		{"limits.maxMessageBytes", c.Limits.MaxMessageBytes},
		{"limits.maxSubscriptionsPerUser", c.Limits.MaxSubscriptionsPerUser},
		{"limits.maxRequestsPerSecond", c.Limits.MaxRequestsPerSecond},
		{"limits.maxRelayDestinations", c.Limits.MaxRelayDestinations},
	}
	for _, l := range limits {
		if l.n <= 0 {
			bad(l.key, "must be positive, got %d", l.n)
		}
	}

	if _, ok := logLevels[strings.ToLower(c.LogLevel)]; !ok {
		bad("logLevel", "%q is not debug, info, warn or error", c.LogLevel)
	}
	switch strings.ToLower(c.LogFormat) {
	case "text", "json":
	default:
		bad("logFormat", "%q is not text or json", c.LogFormat)
	}
	errs = append(errs, c.validateACME(), c.validateICE(), c.validateSecurity(), c.validateConnections(), c.validateTURN(), c.validateRTM(), c.validateCluster())
	return errors.Join(errs...)
}

var logLevels = map[string]slog.Level{
	"debug": slog.LevelDebug,
	"info":  slog.LevelInfo,
	"warn":  slog.LevelWarn,
	"error": slog.LevelError,
}

// SlogLevel returns the slog level of LogLevel (case-insensitive), or
// slog.LevelInfo when it is not valid.
func (c Config) SlogLevel() slog.Level {
	if l, ok := logLevels[strings.ToLower(c.LogLevel)]; ok {
		return l
	}
	return slog.LevelInfo
}

// JSONLogs reports whether LogFormat is json.
func (c Config) JSONLogs() bool { return strings.EqualFold(c.LogFormat, "json") }

// Loopback reports whether the listen host is a loopback address
// (127.0.0.0/8, ::1) or "localhost". An empty host (every interface) is not.
func (c Config) Loopback() bool {
	host, _, err := net.SplitHostPort(c.Listen)
	if err != nil {
		return false
	}
	if strings.EqualFold(strings.TrimSuffix(host, "."), "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	return ip.Unmap().IsLoopback()
}

func parsePort(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 65535 || strings.Trim(s, "0123456789") != "" {
		return 0, fmt.Errorf("port %q is not a number 0–65535", s)
	}
	return n, nil
}

func isHex32(s string) bool {
	if len(s) != 32 {
		return false
	}
	for i := range len(s) {
		switch c := s[i]; {
		case '0' <= c && c <= '9', 'a' <= c && c <= 'f', 'A' <= c && c <= 'F':
		default:
			return false
		}
	}
	return true
}
