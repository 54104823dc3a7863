package cohosttest

import (
	"log/slog"
	"time"

	"github.com/cohost-rtc/cohost/internal/config"
)

// Option changes a setting of the server [Start] or [NewServer] runs.
type Option func(*options)

// options are the settings given by Options. The server configuration
// itself stays internal: apply copies them into it.
type options struct {
	appID, certificate string
	testingModeApp     bool
	timers             Timers
	rtmTimers          RTMTimers
	limits             Limits
	logger             *slog.Logger
	tokenExpiry        time.Duration
	nodeTimeout        time.Duration
	nodeMaxUsers       int
}

// Timers are the server timers a test may shorten. A zero field keeps the
// default of [Start].
type Timers struct {
	// DropTimeout: a client silent this long (no keep-alive, no ICE
	// consent) is dropped and others see it leave (default 3 s here, 20 s
	// in `cohost serve`). A dropped connection may resume within it.
	DropTimeout time.Duration
	// KeepAlive is the ping interval asked of clients (default 500 ms
	// here); less than DropTimeout.
	KeepAlive time.Duration
	// TokenWarning: clients are warned this long before a token privilege
	// expires (default 30 s).
	TokenWarning time.Duration
	// RequestTimeout bounds one signalling request (default 10 s).
	RequestTimeout time.Duration
	// RelayMinInterval is the shortest time between two channel media
	// relay starts or destination changes of one host (default 1 s).
	RelayMinInterval time.Duration
	// ShutdownGrace bounds the graceful shutdown of Close (default 2 s
	// here).
	ShutdownGrace time.Duration
}

// RTMTimers are the real-time messaging timers a test may shorten. A zero
// field keeps Agora RTM's default.
type RTMTimers struct {
	// KeepAlive is the ping interval asked of RTM clients (default 2 s).
	KeepAlive time.Duration
	// Unreachable: a silent RTM connection is closed and its user is
	// UNREACHABLE after this long (default 6 s).
	Unreachable time.Duration
	// Offline: a user without connection this long is OFFLINE and leaves
	// its channels (default 30 s).
	Offline time.Duration
	// PeerMessageTimeout bounds the delivery of a peer message (default
	// 10 s).
	PeerMessageTimeout time.Duration
	// AttributeClear: the attributes of a channel without members are
	// deleted after this long (default 2 min).
	AttributeClear time.Duration
	// InvitationExpiry: an unanswered call invitation expires after this
	// long (default 60 s).
	InvitationExpiry time.Duration
}

// Limits are the server limits a test may change. A zero field keeps the
// default of `cohost serve`.
type Limits struct {
	MaxUsersPerChannel      int // default 10000
	MaxHostsPerChannel      int // default 17
	MaxChannels             int // default 10000
	MaxTracksPerUser        int // default 2
	MaxSubscriptionsPerUser int // default 64
	MaxRequestsPerSecond    int // signalling requests of one connection; default 50
	MaxMessageBytes         int // one signalling message; default 65536
	MaxRelayDestinations    int // default 4
}

// WithApp makes the server accept the app appID (32 hex characters) with
// certificate (32 hex characters) instead of the default one, e.g. to
// use the credentials of an existing token server.
func WithApp(appID, certificate string) Option {
	return func(o *options) { o.appID, o.certificate = appID, certificate }
}

// WithTestingModeApp adds an app in testing mode: joining and logging in
// with its App ID ([Server.TestAppID]) needs no token.
func WithTestingModeApp() Option {
	return func(o *options) { o.testingModeApp = true }
}

// WithTimers sets the non-zero fields of t.
func WithTimers(t Timers) Option {
	return func(o *options) { o.timers = t }
}

// WithRTMTimers sets the non-zero fields of t.
func WithRTMTimers(t RTMTimers) Option {
	return func(o *options) { o.rtmTimers = t }
}

// WithLimits sets the non-zero fields of l.
func WithLimits(l Limits) Option {
	return func(o *options) { o.limits = l }
}

// WithLogger makes the server log to logger (by default it logs nothing).
func WithLogger(logger *slog.Logger) Option {
	return func(o *options) { o.logger = logger }
}

// WithTokenExpiry sets how long the tokens minted by the [Server]'s token
// methods are valid (default one hour).
func WithTokenExpiry(d time.Duration) Option {
	return func(o *options) { o.tokenExpiry = d }
}

// apply copies o into cfg.
func (o *options) apply(cfg *config.Config) {
	cfg.Apps = []config.App{{ID: o.appID, Certificate: o.certificate}}
	if o.testingModeApp {
		cfg.Apps = append(cfg.Apps, config.App{ID: testAppID})
	}
	set(&cfg.Timers.DropTimeout, o.timers.DropTimeout)
	set(&cfg.Timers.KeepAlive, o.timers.KeepAlive)
	set(&cfg.Timers.TokenWarning, o.timers.TokenWarning)
	set(&cfg.Timers.RequestTimeout, o.timers.RequestTimeout)
	set(&cfg.Timers.RelayMinInterval, o.timers.RelayMinInterval)
	set(&cfg.Timers.ShutdownGrace, o.timers.ShutdownGrace)

	set(&cfg.RTM.Timers.KeepAlive, o.rtmTimers.KeepAlive)
	set(&cfg.RTM.Timers.Unreachable, o.rtmTimers.Unreachable)
	set(&cfg.RTM.Timers.Offline, o.rtmTimers.Offline)
	set(&cfg.RTM.Timers.PeerMessageTimeout, o.rtmTimers.PeerMessageTimeout)
	set(&cfg.RTM.Timers.AttributeClear, o.rtmTimers.AttributeClear)
	set(&cfg.RTM.Timers.InvitationExpiry, o.rtmTimers.InvitationExpiry)

	set(&cfg.Limits.MaxUsersPerChannel, o.limits.MaxUsersPerChannel)
	set(&cfg.Limits.MaxHostsPerChannel, o.limits.MaxHostsPerChannel)
	set(&cfg.Limits.MaxChannels, o.limits.MaxChannels)
	set(&cfg.Limits.MaxTracksPerUser, o.limits.MaxTracksPerUser)
	set(&cfg.Limits.MaxSubscriptionsPerUser, o.limits.MaxSubscriptionsPerUser)
	set(&cfg.Limits.MaxRequestsPerSecond, o.limits.MaxRequestsPerSecond)
	set(&cfg.Limits.MaxMessageBytes, o.limits.MaxMessageBytes)
	set(&cfg.Limits.MaxRelayDestinations, o.limits.MaxRelayDestinations)
	set(&cfg.Cluster.NodeTimeout, o.nodeTimeout)
	set(&cfg.Cluster.MaxUsers, o.nodeMaxUsers)
}

// WithNodeMaxUsers sets how many users each node of a cluster
// ([StartCluster]) takes before it sends new channels to other nodes
// (default: no limit).
func WithNodeMaxUsers(n int) Option {
	return func(o *options) { o.nodeMaxUsers = n }
}

// WithNodeTimeout sets how long a node of a cluster ([StartCluster]) may
// stay silent before the others count it dead (default 1.5 s there, 5 s
// in `cohost serve`).
func WithNodeTimeout(d time.Duration) Option {
	return func(o *options) { o.nodeTimeout = d }
}

// set stores v in *field unless v is zero. A negative v is stored, so that
// validation rejects it.
func set[T int | time.Duration](field *T, v T) {
	if v != 0 {
		*field = v
	}
}
