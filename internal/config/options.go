package config

import (
	"fmt"
	"strconv"
	"time"
)

// EnvConfigFile names the environment variable holding the path of the YAML
// configuration file (the --config flag wins over it).
const EnvConfigFile = "COHOST_CONFIG"

// FlagConfigFile is the name of the flag holding the path of the YAML
// configuration file.
const FlagConfigFile = "config"

// Option describes one setting and every way to give it.
type Option struct {
	// Key is the setting's path in the YAML file, e.g. "timers.dropTimeout".
	// Keys inside the apps list are written "apps[].id". Empty for the
	// configuration file path itself.
	Key string
	// Flag is the command-line flag name, without the leading "--". Empty
	// when the setting has no flag.
	Flag string
	// Env is the environment variable. Empty when it has none.
	Env string
	// Type is "string", "int", "bool" or "duration".
	Type string
	// Default is the default value as text ("" when there is none).
	Default string
	// Usage is a one-line description.
	Usage string
}

// kind is the type of a setting.
type kind int

const (
	kindString kind = iota
	kindInt
	kindBool
	kindDuration
)

func (k kind) String() string {
	switch k {
	case kindInt:
		return "int"
	case kindBool:
		return "bool"
	case kindDuration:
		return "duration"
	}
	return "string"
}

// setting is one plain field of Config reachable from the file, the
// environment and a flag. The apps (a list) are handled apart.
type setting struct {
	key   string
	flag  string
	env   string
	kind  kind
	usage string
	// field returns a pointer to the field in c: *string, *int, *bool or
	// *time.Duration according to kind.
	field func(c *Config) any
}

// settings lists every plain setting, in the order of the documentation.
var settings = []setting{
	{"listen", "listen", "COHOST_LISTEN", kindString,
		"HTTP and WebSocket listen address, host:port (port 0 picks a free port)",
		func(c *Config) any { return &c.Listen }},
	{"mediaPort", "media-port", "COHOST_MEDIA_PORT", kindInt,
		"UDP port carrying all media, bound on the listen host (0 picks a free port)",
		func(c *Config) any { return &c.MediaPort }},
	{"mediaTCP", "media-tcp", "COHOST_MEDIA_TCP", kindBool,
		"also accept media over TCP (ICE-TCP, passive) on the media port number, for publishers and viewers whose UDP is blocked",
		func(c *Config) any { return &c.MediaTCP }},
	{"advertiseIP", "advertise-ip", "COHOST_ADVERTISE_IP", kindString,
		"IP address put in ICE candidates instead of the bound one (public IP of a server behind NAT)",
		func(c *Config) any { return &c.AdvertiseIP }},
	{"pionDownstream", "pion-downstream", "COHOST_PION_DOWNSTREAM", kindBool,
		"give every subscriber a Pion PeerConnection instead of the fan-out transport (a fallback)",
		func(c *Config) any { return &c.PionDownstream }},
	{"congestionPause", "congestion-pause", "COHOST_CONGESTION_PAUSE", kindBool,
		"pause a viewer's video (audio goes on) while its bandwidth estimate stays below the video's bitrate, resuming at a keyframe",
		func(c *Config) any { return &c.CongestionPause }},
	{"dataDir", "data-dir", "COHOST_DATA_DIR", kindString,
		"directory keeping state across restarts (the development app)",
		func(c *Config) any { return &c.DataDir }},
	{"tlsCert", "tls-cert", "COHOST_TLS_CERT", kindString,
		"PEM certificate (chain) file; with --tls-key serves HTTPS and WSS",
		func(c *Config) any { return &c.TLSCert }},
	{"tlsKey", "tls-key", "COHOST_TLS_KEY", kindString,
		"PEM private key file of --tls-cert",
		func(c *Config) any { return &c.TLSKey }},
	{"allowTestingMode", "allow-testing-mode", "COHOST_ALLOW_TESTING_MODE", kindBool,
		"allow apps without certificate (joins without token) on a non-loopback address",
		func(c *Config) any { return &c.AllowTestingMode }},
	{"devTokens", "dev-tokens", "COHOST_DEV_TOKENS", kindBool,
		"serve /v1/dev/token for the first app while bound to loopback (never otherwise)",
		func(c *Config) any { return &c.DevTokens }},
	{"pprof", "pprof", "COHOST_PPROF", kindBool,
		"serve /debug/pprof/",
		func(c *Config) any { return &c.Pprof }},
	{"logLevel", "log-level", "COHOST_LOG_LEVEL", kindString,
		"log level: debug, info, warn or error",
		func(c *Config) any { return &c.LogLevel }},
	{"logFormat", "log-format", "COHOST_LOG_FORMAT", kindString,
		"log format: text or json",
		func(c *Config) any { return &c.LogFormat }},

	{"timers.dropTimeout", "drop-timeout", "COHOST_DROP_TIMEOUT", kindDuration,
		"drop a client silent (no keep-alive, no ICE consent) for this long; a dropped client may resume within it",
		func(c *Config) any { return &c.Timers.DropTimeout }},
	{"timers.keepAlive", "keepalive", "COHOST_KEEPALIVE", kindDuration,
		"keep-alive ping interval asked of clients (less than the drop timeout)",
		func(c *Config) any { return &c.Timers.KeepAlive }},
	{"timers.tokenWarning", "token-warning", "COHOST_TOKEN_WARNING", kindDuration,
		"warn a client this long before a token privilege expires",
		func(c *Config) any { return &c.Timers.TokenWarning }},
	{"timers.shutdownGrace", "shutdown-grace", "COHOST_SHUTDOWN_GRACE", kindDuration,
		"upper bound of a graceful shutdown",
		func(c *Config) any { return &c.Timers.ShutdownGrace }},
	{"timers.keyframeInterval", "keyframe-interval", "COHOST_KEYFRAME_INTERVAL", kindDuration,
		"minimum time between two keyframe requests forwarded to one published track",
		func(c *Config) any { return &c.Timers.KeyframeInterval }},
	{"timers.requestTimeout", "request-timeout", "COHOST_REQUEST_TIMEOUT", kindDuration,
		"time limit of one signalling request (e.g. an SDP negotiation)",
		func(c *Config) any { return &c.Timers.RequestTimeout }},
	{"timers.relayMinInterval", "relay-min-interval", "COHOST_RELAY_MIN_INTERVAL", kindDuration,
		"shortest time between two channel media relay starts or destination changes of one host",
		func(c *Config) any { return &c.Timers.RelayMinInterval }},

	{"limits.maxUsersPerChannel", "max-users-per-channel", "COHOST_MAX_USERS_PER_CHANNEL", kindInt,
		"most users (hosts and audience) in one channel",
		func(c *Config) any { return &c.Limits.MaxUsersPerChannel }},
	{"limits.maxHostsPerChannel", "max-hosts-per-channel", "COHOST_MAX_HOSTS_PER_CHANNEL", kindInt,
		"most hosts in one channel",
		func(c *Config) any { return &c.Limits.MaxHostsPerChannel }},
	{"limits.maxChannels", "max-channels", "COHOST_MAX_CHANNELS", kindInt,
		"most channels open at once on the server",
		func(c *Config) any { return &c.Limits.MaxChannels }},
	{"limits.maxTracksPerUser", "max-tracks-per-user", "COHOST_MAX_TRACKS_PER_USER", kindInt,
		"most tracks one user publishes",
		func(c *Config) any { return &c.Limits.MaxTracksPerUser }},
	{"limits.maxMessageBytes", "max-message-bytes", "COHOST_MAX_MESSAGE_BYTES", kindInt,
		"largest signalling message in bytes (larger ones close the connection)",
		func(c *Config) any { return &c.Limits.MaxMessageBytes }},
	{"limits.maxSubscriptionsPerUser", "max-subscriptions-per-user", "COHOST_MAX_SUBSCRIPTIONS_PER_USER", kindInt,
		"most remote tracks one user receives",
		func(c *Config) any { return &c.Limits.MaxSubscriptionsPerUser }},
	{"limits.maxRequestsPerSecond", "max-requests-per-second", "COHOST_MAX_REQUESTS_PER_SECOND", kindInt,
		"signalling requests per second allowed to one connection (bursts of twice as many)",
		func(c *Config) any { return &c.Limits.MaxRequestsPerSecond }},
	{"limits.maxRelayDestinations", "max-relay-destinations", "COHOST_MAX_RELAY_DESTINATIONS", kindInt,
		"most destination channels of one channel media relay",
		func(c *Config) any { return &c.Limits.MaxRelayDestinations }},
}

// The one app given by flags or environment variables.
const (
	flagAppID          = "app-id"
	flagAppCertificate = "app-certificate"
	envAppID           = "COHOST_APP_ID"
	envAppCertificate  = "COHOST_APP_CERTIFICATE"
)

// Options returns every setting with its YAML key, flag, environment
// variable and default, in the order of the documentation. The first entry
// is the configuration file itself.
func Options() []Option {
	def := Default()
	opts := []Option{{
		Flag:  FlagConfigFile,
		Env:   EnvConfigFile,
		Type:  "string",
		Usage: "YAML configuration file",
	}}
	for _, s := range settings {
		opts = append(opts, Option{
			Key:     s.key,
			Flag:    s.flag,
			Env:     s.env,
			Type:    s.kind.String(),
			Default: s.format(&def),
			Usage:   s.usage,
		})
		if s.key == "tlsKey" {
			// The apps come right after TLS, as in the documentation.
			opts = append(opts, appOptions()...)
		}
	}
	return opts
}

func appOptions() []Option {
	return []Option{
		{Key: "apps[].id", Flag: flagAppID, Env: envAppID, Type: "string",
			Usage: "App ID (32 hex characters) of the one app to accept; replaces the apps of the file"},
		{Key: "apps[].certificate", Flag: flagAppCertificate, Env: envAppCertificate, Type: "string",
			Usage: "App Certificate (32 hex characters) of that app; empty puts it in testing mode"},
		{Key: "apps[].cohostAuth", Type: "bool",
			Usage: "require the token's publish privileges to become host (default: on when the app has a certificate)"},
	}
}

// format returns the value of s in c as text.
func (s setting) format(c *Config) string {
	switch p := s.field(c).(type) {
	case *string:
		return *p
	case *int:
		return strconv.Itoa(*p)
	case *bool:
		return strconv.FormatBool(*p)
	case *time.Duration:
		return p.String()
	}
	panic("config: bad setting " + s.key)
}

// parse converts text to a value of the setting's kind. Errors do not name
// the source; callers add it.
func (s setting) parse(text string) (any, error) {
	switch s.kind {
	case kindString:
		return text, nil
	case kindInt:
		n, err := strconv.Atoi(text)
		if err != nil {
			return nil, fmt.Errorf("invalid integer %q", text)
		}
		return n, nil
	case kindBool:
		b, err := strconv.ParseBool(text)
		if err != nil {
			return nil, fmt.Errorf("invalid boolean %q (use true or false)", text)
		}
		return b, nil
	case kindDuration:
		d, err := time.ParseDuration(text)
		if err != nil {
			return nil, fmt.Errorf("invalid duration %q (use a Go duration such as 20s or 500ms)", text)
		}
		return d, nil
	}
	panic("config: bad setting " + s.key)
}

// assign stores v, as returned by parse, in c.
func (s setting) assign(c *Config, v any) {
	switch p := s.field(c).(type) {
	case *string:
		*p = v.(string)
	case *int:
		*p = v.(int)
	case *bool:
		*p = v.(bool)
	case *time.Duration:
		*p = v.(time.Duration)
	}
}

// setApp applies the one app given by one source (the environment or the
// flags): an App ID replaces every configured app with that app; a
// certificate alone is an error.
func setApp(c *Config, id string, idSet bool, cert string, certSet bool, idName, certName string) error {
	if !idSet {
		if certSet {
			return fmt.Errorf("%s is set without %s", certName, idName)
		}
		return nil
	}
	c.Apps = []App{{ID: id, Certificate: cert}}
	return nil
}
