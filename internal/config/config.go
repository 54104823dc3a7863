// Package config holds cohost's server configuration: its fields and
// defaults, and loading it from a YAML file, COHOST_* environment variables
// and command-line flags (flags win over the environment, which wins over the
// file).
package config

import (
	"time"
)

// App is one application the server accepts: an App ID and, unless the app
// is in testing mode, its App Certificate.
type App struct {
	// ID is the App ID: 32 hex characters.
	ID string `yaml:"id"`
	// Certificate is the App Certificate (32 hex characters). Empty puts the
	// app in testing mode: joins need no token (null tokens are accepted).
	Certificate string `yaml:"certificate"`
	// CohostAuth makes becoming a host (and publishing) require the token's
	// publish privileges. Nil means on when the app has a certificate.
	CohostAuth *bool `yaml:"cohostAuth"`
}

// TestingMode reports whether the app accepts joins without a token.
func (a App) TestingMode() bool { return a.Certificate == "" }

// CohostAuthEnabled reports whether publish privileges are enforced.
func (a App) CohostAuthEnabled() bool {
	if a.CohostAuth != nil {
		return *a.CohostAuth && !a.TestingMode()
	}
	return !a.TestingMode()
}

// Timers are every duration the server acts on. Tests shorten them.
type Timers struct {
	// DropTimeout: a client from which neither signalling (keep-alives) nor
	// ICE consent checks arrive for this long is dropped, and others see
	// user-left(ServerTimeOut). A dropped connection may resume within it.
	DropTimeout time.Duration `yaml:"dropTimeout"`
	// KeepAlive is the ping interval the server asks clients to keep.
	KeepAlive time.Duration `yaml:"keepAlive"`
	// TokenWarning is how long before a privilege expires the client gets
	// token-privilege-will-expire.
	TokenWarning time.Duration `yaml:"tokenWarning"`
	// ShutdownGrace bounds a graceful shutdown.
	ShutdownGrace time.Duration `yaml:"shutdownGrace"`
	// KeyframeInterval is the minimum time between two keyframe requests
	// forwarded to one publisher track.
	KeyframeInterval time.Duration `yaml:"keyframeInterval"`
	// RequestTimeout bounds one signalling request (e.g. an SDP negotiation).
	RequestTimeout time.Duration `yaml:"requestTimeout"`
	// RelayMinInterval is the shortest time between two channel media
	// relay starts or destination changes of one host; faster ones get
	// PACKET_UPDATE_DEST_CHANNEL_REFUSED. Token-only updates are exempt.
	RelayMinInterval time.Duration `yaml:"relayMinInterval"`
}

// Limits bound what clients may ask for. Every one is checked by the server.
type Limits struct {
	MaxUsersPerChannel int `yaml:"maxUsersPerChannel"`
	MaxHostsPerChannel int `yaml:"maxHostsPerChannel"`
	MaxChannels        int `yaml:"maxChannels"`
	// MaxTracksPerUser bounds the published tracks of one user.
	MaxTracksPerUser int `yaml:"maxTracksPerUser"`
	// MaxMessageBytes bounds one signalling message.
	MaxMessageBytes int `yaml:"maxMessageBytes"`
	// MaxSubscriptionsPerUser bounds the remote tracks one user receives.
	MaxSubscriptionsPerUser int `yaml:"maxSubscriptionsPerUser"`
	// MaxRequestsPerSecond bounds one connection's signalling request rate
	// (a burst of twice as many is allowed).
	MaxRequestsPerSecond int `yaml:"maxRequestsPerSecond"`
	// MaxRelayDestinations bounds the destination channels of one channel
	// media relay (Agora: 4).
	MaxRelayDestinations int `yaml:"maxRelayDestinations"`
}

// Config is the whole server configuration.
type Config struct {
	// Listen is the HTTP + WebSocket address.
	Listen string `yaml:"listen"`
	// MediaPort is the single UDP port for all media (ICE UDP mux), bound
	// on Listen's host.
	MediaPort int `yaml:"mediaPort"`
	// MediaTCP also accepts media over TCP (ICE-TCP, RFC 4571 framing,
	// passive candidates) on MediaPort, for publishers and viewers whose
	// UDP is blocked.
	MediaTCP bool `yaml:"mediaTCP"`
	// AdvertiseIP, if set, is the IP put in ICE candidates instead of the
	// bound one (for servers behind NAT).
	AdvertiseIP string `yaml:"advertiseIP"`
	// ICE decides which client candidates get checks (see ice.go).
	ICE ICE `yaml:"ice"`
	// PionDownstream gives every subscriber a Pion PeerConnection instead
	// of the fan-out transport (a fallback).
	PionDownstream bool `yaml:"pionDownstream"`
	// CongestionPause pauses a viewer's video while its bandwidth estimate
	// stays below the video's bitrate (audio goes on), as Agora's
	// audio-only stream fallback does. Off by default, as Agora's fallback.
	CongestionPause bool `yaml:"congestionPause"`
	// DataDir keeps state across restarts (the development app).
	DataDir string `yaml:"dataDir"`
	// TLSCert and TLSKey turn on HTTPS/WSS.
	TLSCert string `yaml:"tlsCert"`
	TLSKey  string `yaml:"tlsKey"`
	// ACME obtains and renews certificates automatically (see acme.go).
	ACME ACME `yaml:"acme"`
	// Security guards the endpoints of an exposed server (see security.go).
	Security Security `yaml:"security"`
	// Connections bounds the open WebSockets (see connections.go).
	Connections Connections `yaml:"connections"`
	// TURN is the relay clients fall back to (see turn.go).
	TURN TURN `yaml:"turn"`
	// Apps the server accepts. When empty, a development app is created in
	// DataDir (and printed at start).
	Apps []App `yaml:"apps"`
	// AllowTestingMode allows apps without a certificate while bound to a
	// non-loopback address. On loopback they are always allowed.
	AllowTestingMode bool `yaml:"allowTestingMode"`
	// DevTokens serves /v1/dev/token for the first app while bound to
	// loopback (never otherwise).
	DevTokens bool `yaml:"devTokens"`
	// Pprof serves /debug/pprof/.
	Pprof bool `yaml:"pprof"`
	// LogLevel is debug, info, warn or error; LogFormat text or json.
	LogLevel  string `yaml:"logLevel"`
	LogFormat string `yaml:"logFormat"`

	Timers Timers `yaml:"timers"`
	Limits Limits `yaml:"limits"`

	// NATS and RTM configure real-time messaging (see rtm.go).
	NATS NATS `yaml:"nats"`
	RTM  RTM  `yaml:"rtm"`
	// Cluster joins the node to others (see cluster.go).
	Cluster Cluster `yaml:"cluster"`
}

// Default returns the zero-config defaults.
func Default() Config {
	return Config{
		Listen:    "127.0.0.1:7800",
		MediaPort: 7801,
		DataDir:   DefaultDataDir(),
		DevTokens: true,
		LogLevel:  "info",
		LogFormat: "text",
		Timers: Timers{
			DropTimeout:      20 * time.Second,
			KeepAlive:        2 * time.Second,
			TokenWarning:     30 * time.Second,
			ShutdownGrace:    5 * time.Second,
			KeyframeInterval: 500 * time.Millisecond,
			RequestTimeout:   10 * time.Second,
			RelayMinInterval: time.Second,
		},
		Limits: Limits{
			MaxUsersPerChannel:      10000,
			MaxHostsPerChannel:      17,
			MaxChannels:             10000,
			MaxTracksPerUser:        2,
			MaxMessageBytes:         64 << 10,
			MaxSubscriptionsPerUser: 64,
			MaxRequestsPerSecond:    50,
			MaxRelayDestinations:    4,
		},
		ACME:        DefaultACME(),
		Security:    DefaultSecurity(),
		Connections: DefaultConnections(),
		TURN:        DefaultTURN(),
		NATS:        DefaultNATS(),
		RTM:         DefaultRTM(),

		Cluster: DefaultCluster(),
	}
}
