package config

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// NATS locates the NATS server that carries RTM (messages, presence,
// channel attributes). With no URL, cohost starts one in-process.
type NATS struct {
	// URL of an external NATS server or cluster (nats://host:4222, several
	// separated by commas). Empty: an embedded server runs in-process.
	URL string `yaml:"url"`
	// StoreDir is the embedded server's JetStream directory. Empty:
	// <dataDir>/nats.
	StoreDir string `yaml:"storeDir"`
	// Listen, if set, makes the embedded server accept NATS clients on
	// host:port, so that other cohost nodes can use it as their URL.
	Listen string `yaml:"listen"`
	// Replicas of the JetStream streams and key-value buckets (1 on a
	// single server; 3 on a three-node cluster survives one server's loss).
	// 0 chooses: 1 alone, 3 (2 with one peer) with cluster peers.
	Replicas int `yaml:"replicas"`
	// Token, User and Password, NKeySeedFile, CredsFile: the credentials
	// NATS clients present (at most one kind). For the embedded server,
	// the ones it requires (not CredsFile); with none, a cluster node uses
	// cluster.secret as token and a single node generates a token kept in
	// <dataDir>/nats-token.
	Token        string `yaml:"token"`
	User         string `yaml:"user"`
	Password     string `yaml:"password"`
	NKeySeedFile string `yaml:"nkeySeedFile"`
	CredsFile    string `yaml:"credsFile"`
	// TLSCert and TLSKey: the embedded server's certificate (clients and
	// routes), or the client certificate for an external NATS. TLSCA: the
	// CA that verifies the other side.
	TLSCert string `yaml:"tlsCert"`
	TLSKey  string `yaml:"tlsKey"`
	TLSCA   string `yaml:"tlsCA"`
}

// RTMTimers are every duration the RTM service acts on.
type RTMTimers struct {
	// KeepAlive is the ping interval the server asks RTM clients to keep.
	KeepAlive time.Duration `yaml:"keepAlive"`
	// Unreachable: an RTM connection silent this long is closed and its
	// user is UNREACHABLE.
	Unreachable time.Duration `yaml:"unreachable"`
	// Offline: a session without connection this long ends: the user is
	// OFFLINE and leaves its channels.
	Offline time.Duration `yaml:"offline"`
	// PeerMessageTimeout bounds the end-to-end delivery of a peer message
	// (else SENT_TIMEOUT).
	PeerMessageTimeout time.Duration `yaml:"peerMessageTimeout"`
	// AttributeClear: a channel's attributes are deleted once it has had
	// no member this long.
	AttributeClear time.Duration `yaml:"attributeClear"`
	// InvitationExpiry: an invitation not answered this long fails with
	// INVITATION_EXPIRE.
	InvitationExpiry time.Duration `yaml:"invitationExpiry"`
	// OfflineMessageTTL is how long an offline message is kept.
	OfflineMessageTTL time.Duration `yaml:"offlineMessageTTL"`
}

// RTMLimits bound what RTM clients may ask for.
type RTMLimits struct {
	MaxMessageBytes           int `yaml:"maxMessageBytes"`
	MaxOfflineMessages        int `yaml:"maxOfflineMessages"`
	MaxChannelsPerUser        int `yaml:"maxChannelsPerUser"`
	MaxChannelAttributes      int `yaml:"maxChannelAttributes"`
	MaxChannelAttributesBytes int `yaml:"maxChannelAttributesBytes"`
	MaxUserAttributes         int `yaml:"maxUserAttributes"`
	MaxUserAttributesBytes    int `yaml:"maxUserAttributesBytes"`
	MaxAttributeKeyBytes      int `yaml:"maxAttributeKeyBytes"`
	MaxAttributeValueBytes    int `yaml:"maxAttributeValueBytes"`
	MaxPresenceSubscriptions  int `yaml:"maxPresenceSubscriptions"`
	MaxPresenceQuery          int `yaml:"maxPresenceQuery"`
	MaxMemberCountChannels    int `yaml:"maxMemberCountChannels"`
	MaxInvitationBytes        int `yaml:"maxInvitationBytes"`
	// MaxFrameBytes bounds one WebSocket message of the RTM endpoint.
	MaxFrameBytes int `yaml:"maxFrameBytes"`
	// NodeBudgetBytes is the request bytes the node works on at once
	// before sharing: past it, a connection holding more than its fair
	// share (the budget divided among the connections holding some) is
	// not read from until its requests are done.
	NodeBudgetBytes int `yaml:"nodeBudgetBytes"`
	// HeavyBytesPerSecondPerCPU paces the requests over 4 KB the node
	// handles: at most this many of their bytes per second per processor
	// (GOMAXPROCS), shared among their senders in the order read; smaller
	// requests are never paced. 0 turns the pacing off.
	HeavyBytesPerSecondPerCPU int `yaml:"heavyBytesPerSecondPerCPU"`
}

// RTMRates are rate limits written "N/duration" ("180/3s": 180 calls per
// 3 seconds, as a token bucket holding N that refills over the duration).
type RTMRates struct {
	Messages               string `yaml:"messages"`
	Login                  string `yaml:"login"`
	RenewToken             string `yaml:"renewToken"`
	JoinChannel            string `yaml:"joinChannel"`
	JoinSameChannel        string `yaml:"joinSameChannel"`
	GetMembers             string `yaml:"getMembers"`
	MemberCount            string `yaml:"memberCount"`
	ChannelAttributeWrites string `yaml:"channelAttributeWrites"`
	ChannelAttributeReads  string `yaml:"channelAttributeReads"`
	UserAttributeWrites    string `yaml:"userAttributeWrites"`
	UserAttributeReads     string `yaml:"userAttributeReads"`
	PresenceQueries        string `yaml:"presenceQueries"`
	PresenceSubscriptions  string `yaml:"presenceSubscriptions"`
	Invitations            string `yaml:"invitations"`
	Requests               string `yaml:"requests"`
}

// RTM configures the real-time messaging service.
type RTM struct {
	// Enabled serves /v1/rtm and connects to NATS.
	Enabled bool      `yaml:"enabled"`
	Timers  RTMTimers `yaml:"timers"`
	Limits  RTMLimits `yaml:"limits"`
	Rates   RTMRates  `yaml:"rates"`
}

// DefaultNATS is the zero-config NATS setting: an embedded server.
func DefaultNATS() NATS { return NATS{} }

// DefaultRTM returns Agora RTM 1.x's limits and timers.
func DefaultRTM() RTM {
	return RTM{
		Enabled: true,
		Timers: RTMTimers{
			KeepAlive:          2 * time.Second,
			Unreachable:        6 * time.Second,
			Offline:            30 * time.Second,
			PeerMessageTimeout: 10 * time.Second,
			AttributeClear:     2 * time.Minute,
			InvitationExpiry:   60 * time.Second,
			OfflineMessageTTL:  7 * 24 * time.Hour,
		},
		Limits: RTMLimits{
			MaxMessageBytes:           32 << 10,
			MaxOfflineMessages:        200,
			MaxChannelsPerUser:        20,
			MaxChannelAttributes:      32,
			MaxChannelAttributesBytes: 32 << 10,
			MaxUserAttributes:         32,
			MaxUserAttributesBytes:    16 << 10,
			MaxAttributeKeyBytes:      32,
			MaxAttributeValueBytes:    8 << 10,
			MaxPresenceSubscriptions:  512,
			MaxPresenceQuery:          256,
			MaxMemberCountChannels:    32,
			MaxInvitationBytes:        8 << 10,
			MaxFrameBytes:             256 << 10,
			NodeBudgetBytes:           256 << 10,
			HeavyBytesPerSecondPerCPU: 8 << 20,
		},
		Rates: RTMRates{
			Messages:               "180/3s",
			Login:                  "2/1s",
			RenewToken:             "2/1s",
			JoinChannel:            "50/3s",
			JoinSameChannel:        "2/5s",
			GetMembers:             "5/2s",
			MemberCount:            "1/1s",
			ChannelAttributeWrites: "10/5s",
			ChannelAttributeReads:  "10/5s",
			UserAttributeWrites:    "10/5s",
			UserAttributeReads:     "40/5s",
			PresenceQueries:        "10/5s",
			PresenceSubscriptions:  "10/5s",
			Invitations:            "20/5s",
			Requests:               "500/1s",
		},
	}
}

// Rate is a parsed RTMRates entry: N calls per Per.
type Rate struct {
	N   int
	Per time.Duration
}

// ParseRate parses "N/duration", e.g. "180/3s".
func ParseRate(s string) (Rate, error) {
	n, per, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return Rate{}, fmt.Errorf("%q is not N/duration (e.g. 180/3s)", s)
	}
	count, err := strconv.Atoi(strings.TrimSpace(n))
	if err != nil || count <= 0 {
		return Rate{}, fmt.Errorf("%q: %q is not a positive count", s, n)
	}
	d, err := time.ParseDuration(strings.TrimSpace(per))
	if err != nil || d <= 0 {
		return Rate{}, fmt.Errorf("%q: %q is not a positive duration", s, per)
	}
	return Rate{N: count, Per: d}, nil
}

// rtmRateFields lists the rates with their keys.
func (r *RTMRates) fields() []struct {
	key string
	p   *string
} {
	return []struct {
		key string
		p   *string
	}{
		{"messages", &r.Messages}, {"login", &r.Login}, {"renewToken", &r.RenewToken},
		{"joinChannel", &r.JoinChannel}, {"joinSameChannel", &r.JoinSameChannel}, {"getMembers", &r.GetMembers},
		{"memberCount", &r.MemberCount}, {"channelAttributeWrites", &r.ChannelAttributeWrites},
		{"channelAttributeReads", &r.ChannelAttributeReads}, {"userAttributeWrites", &r.UserAttributeWrites},
		{"userAttributeReads", &r.UserAttributeReads}, {"presenceQueries", &r.PresenceQueries},
		{"presenceSubscriptions", &r.PresenceSubscriptions}, {"invitations", &r.Invitations},
		{"requests", &r.Requests},
	}
}

// validateRTM reports every invalid NATS and RTM setting.
func (c Config) validateRTM() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
	}
	if c.NATS.Replicas < 0 || c.NATS.Replicas > 5 {
		bad("nats.replicas", "must be 1–5 (or 0: chosen from the cluster), got %d", c.NATS.Replicas)
	}
	if c.NATS.URL != "" && c.NATS.Listen != "" {
		bad("nats.listen", "is for the embedded server; it cannot be set with nats.url")
	}
	if c.NATS.Listen != "" {
		if _, port, err := splitHostPort(c.NATS.Listen); err != nil || port < 0 {
			bad("nats.listen", "%q is not host:port", c.NATS.Listen)
		}
	}
	r := c.RTM
	timers := []struct {
		key string
		d   time.Duration
	}{
		{"rtm.timers.keepAlive", r.Timers.KeepAlive}, {"rtm.timers.unreachable", r.Timers.Unreachable},
		{"rtm.timers.offline", r.Timers.Offline}, {"rtm.timers.peerMessageTimeout", r.Timers.PeerMessageTimeout},
		{"rtm.timers.attributeClear", r.Timers.AttributeClear}, {"rtm.timers.invitationExpiry", r.Timers.InvitationExpiry},
		{"rtm.timers.offlineMessageTTL", r.Timers.OfflineMessageTTL},
	}
	for _, t := range timers {
		if t.d <= 0 {
			bad(t.key, "must be positive, got %v", t.d)
		}
	}
	if r.Timers.KeepAlive > 0 && r.Timers.KeepAlive >= r.Timers.Unreachable {
		bad("rtm.timers.keepAlive", "%v must be shorter than rtm.timers.unreachable (%v)", r.Timers.KeepAlive, r.Timers.Unreachable)
	}
	l := r.Limits
	limits := []struct {
		key string
		n   int
	}{
		{"rtm.limits.maxMessageBytes", l.MaxMessageBytes}, {"rtm.limits.maxOfflineMessages", l.MaxOfflineMessages},
		{"rtm.limits.maxChannelsPerUser", l.MaxChannelsPerUser}, {"rtm.limits.maxChannelAttributes", l.MaxChannelAttributes},
		{"rtm.limits.maxChannelAttributesBytes", l.MaxChannelAttributesBytes}, {"rtm.limits.maxUserAttributes", l.MaxUserAttributes},
		{"rtm.limits.maxUserAttributesBytes", l.MaxUserAttributesBytes}, {"rtm.limits.maxAttributeKeyBytes", l.MaxAttributeKeyBytes},
		{"rtm.limits.maxAttributeValueBytes", l.MaxAttributeValueBytes}, {"rtm.limits.maxPresenceSubscriptions", l.MaxPresenceSubscriptions},
		{"rtm.limits.maxPresenceQuery", l.MaxPresenceQuery}, {"rtm.limits.maxMemberCountChannels", l.MaxMemberCountChannels},
		{"rtm.limits.maxInvitationBytes", l.MaxInvitationBytes}, {"rtm.limits.maxFrameBytes", l.MaxFrameBytes},
		{"rtm.limits.nodeBudgetBytes", l.NodeBudgetBytes},
	}
	for _, x := range limits {
		if x.n <= 0 {
			bad(x.key, "must be positive, got %d", x.n)
		}
	}
	if l.HeavyBytesPerSecondPerCPU < 0 {
		bad("rtm.limits.heavyBytesPerSecondPerCPU", "must be 0 (not paced) or positive, got %d", l.HeavyBytesPerSecondPerCPU)
	}
	if l.MaxFrameBytes > 0 && l.MaxFrameBytes < 2*l.MaxMessageBytes {
		bad("rtm.limits.maxFrameBytes", "%d must be at least twice rtm.limits.maxMessageBytes (%d)", l.MaxFrameBytes, l.MaxMessageBytes)
	}
	rates := r.Rates
	for _, f := range rates.fields() {
		if _, err := ParseRate(*f.p); err != nil {
			bad("rtm.rates."+f.key, "%v", err)
		}
	}
	return errors.Join(errs...)
}

func splitHostPort(s string) (string, int, error) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return "", -1, fmt.Errorf("no port")
	}
	p, err := parsePort(s[i+1:])
	return s[:i], p, err
}

func init() {
	settings = append(settings, rtmSettings()...)
}

// rtmSettings lists the NATS and RTM settings, in the order of the
// documentation.
func rtmSettings() []setting {
	ss := []setting{
		{"nats.url", "nats-url", "COHOST_NATS_URL", kindString,
			"external NATS server or cluster URL(s) for RTM; empty runs an embedded NATS server",
			func(c *Config) any { return &c.NATS.URL }},
		{"nats.storeDir", "nats-store-dir", "COHOST_NATS_STORE_DIR", kindString,
			"JetStream directory of the embedded NATS server (default <dataDir>/nats)",
			func(c *Config) any { return &c.NATS.StoreDir }},
		{"nats.listen", "nats-listen", "COHOST_NATS_LISTEN", kindString,
			"host:port on which the embedded NATS server accepts clients (other cohost nodes); empty: in-process only",
			func(c *Config) any { return &c.NATS.Listen }},
		{"nats.replicas", "nats-replicas", "COHOST_NATS_REPLICAS", kindInt,
			"replicas of the JetStream streams and buckets; 0: 1 alone, 3 in a cluster of three or more",
			func(c *Config) any { return &c.NATS.Replicas }},
	}
	ss = append(ss, natsSecuritySettings()...)
	ss = append(ss, clusterSettings()...)
	ss = append(ss, []setting{
		{"rtm.enabled", "rtm", "COHOST_RTM", kindBool,
			"serve real-time messaging on /v1/rtm",
			func(c *Config) any { return &c.RTM.Enabled }},
	}...)
	dur := func(key, flag, usage string, f func(c *Config) *time.Duration) setting {
		return setting{"rtm.timers." + key, "rtm-" + flag, "COHOST_RTM_" + envName(flag), kindDuration, usage,
			func(c *Config) any { return f(c) }}
	}
	num := func(key, flag, usage string, f func(c *Config) *int) setting {
		return setting{"rtm.limits." + key, "rtm-" + flag, "COHOST_RTM_" + envName(flag), kindInt, usage,
			func(c *Config) any { return f(c) }}
	}
	rate := func(key, flag, usage string, f func(c *Config) *string) setting {
		return setting{"rtm.rates." + key, "rtm-rate-" + flag, "COHOST_RTM_RATE_" + envName(flag), kindString, usage + " (N/duration)",
			func(c *Config) any { return f(c) }}
	}
	ss = append(ss,
		dur("keepAlive", "keepalive", "RTM keep-alive ping interval asked of clients",
			func(c *Config) *time.Duration { return &c.RTM.Timers.KeepAlive }),
		dur("unreachable", "unreachable", "close an RTM connection silent this long; its user is UNREACHABLE",
			func(c *Config) *time.Duration { return &c.RTM.Timers.Unreachable }),
		dur("offline", "offline", "end an RTM session without connection this long: OFFLINE, and it leaves its channels",
			func(c *Config) *time.Duration { return &c.RTM.Timers.Offline }),
		dur("peerMessageTimeout", "peer-message-timeout", "end-to-end delivery limit of a peer message (else SENT_TIMEOUT)",
			func(c *Config) *time.Duration { return &c.RTM.Timers.PeerMessageTimeout }),
		dur("attributeClear", "attribute-clear", "delete a channel's attributes once it has had no member this long",
			func(c *Config) *time.Duration { return &c.RTM.Timers.AttributeClear }),
		dur("invitationExpiry", "invitation-expiry", "an unanswered call invitation fails with INVITATION_EXPIRE after this long",
			func(c *Config) *time.Duration { return &c.RTM.Timers.InvitationExpiry }),
		dur("offlineMessageTTL", "offline-message-ttl", "how long offline peer messages are kept",
			func(c *Config) *time.Duration { return &c.RTM.Timers.OfflineMessageTTL }),

		num("maxMessageBytes", "max-message-bytes", "largest peer or channel message (text, or raw data plus description)",
			func(c *Config) *int { return &c.RTM.Limits.MaxMessageBytes }),
		num("maxOfflineMessages", "max-offline-messages", "offline messages kept per receiver (the oldest are dropped)",
			func(c *Config) *int { return &c.RTM.Limits.MaxOfflineMessages }),
		num("maxChannelsPerUser", "max-channels-per-user", "most RTM channels one user joins",
			func(c *Config) *int { return &c.RTM.Limits.MaxChannelsPerUser }),
		num("maxChannelAttributes", "max-channel-attributes", "most attributes of one channel",
			func(c *Config) *int { return &c.RTM.Limits.MaxChannelAttributes }),
		num("maxChannelAttributesBytes", "max-channel-attributes-bytes", "largest total size of one channel's attributes (keys and values)",
			func(c *Config) *int { return &c.RTM.Limits.MaxChannelAttributesBytes }),
		num("maxUserAttributes", "max-user-attributes", "most attributes of one user",
			func(c *Config) *int { return &c.RTM.Limits.MaxUserAttributes }),
		num("maxUserAttributesBytes", "max-user-attributes-bytes", "largest total size of one user's attributes (keys and values)",
			func(c *Config) *int { return &c.RTM.Limits.MaxUserAttributesBytes }),
		num("maxAttributeKeyBytes", "max-attribute-key-bytes", "longest attribute key",
			func(c *Config) *int { return &c.RTM.Limits.MaxAttributeKeyBytes }),
		num("maxAttributeValueBytes", "max-attribute-value-bytes", "largest attribute value",
			func(c *Config) *int { return &c.RTM.Limits.MaxAttributeValueBytes }),
		num("maxPresenceSubscriptions", "max-presence-subscriptions", "most peers one user subscribes to",
			func(c *Config) *int { return &c.RTM.Limits.MaxPresenceSubscriptions }),
		num("maxPresenceQuery", "max-presence-query", "most peers in one online status query",
			func(c *Config) *int { return &c.RTM.Limits.MaxPresenceQuery }),
		num("maxMemberCountChannels", "max-member-count-channels", "most channels in one member count query",
			func(c *Config) *int { return &c.RTM.Limits.MaxMemberCountChannels }),
		num("maxInvitationBytes", "max-invitation-bytes", "largest call invitation content or response",
			func(c *Config) *int { return &c.RTM.Limits.MaxInvitationBytes }),
		num("maxFrameBytes", "max-frame-bytes", "largest WebSocket message on /v1/rtm (larger ones close the connection)",
			func(c *Config) *int { return &c.RTM.Limits.MaxFrameBytes }),
		num("nodeBudgetBytes", "node-budget-bytes", "request bytes the node works on at once before it shares them fairly among its users",
			func(c *Config) *int { return &c.RTM.Limits.NodeBudgetBytes }),
		num("heavyBytesPerSecondPerCPU", "heavy-bytes-per-second-per-cpu", "bytes per second per processor of requests over 4 KB the node handles (0: not paced)",
			func(c *Config) *int { return &c.RTM.Limits.HeavyBytesPerSecondPerCPU }),

		rate("messages", "messages", "peer plus channel messages per user",
			func(c *Config) *string { return &c.RTM.Rates.Messages }),
		rate("login", "login", "logins per connection",
			func(c *Config) *string { return &c.RTM.Rates.Login }),
		rate("renewToken", "renew-token", "token renewals per session",
			func(c *Config) *string { return &c.RTM.Rates.RenewToken }),
		rate("joinChannel", "join-channel", "channel joins per user",
			func(c *Config) *string { return &c.RTM.Rates.JoinChannel }),
		rate("joinSameChannel", "join-same-channel", "joins of one channel per user",
			func(c *Config) *string { return &c.RTM.Rates.JoinSameChannel }),
		rate("getMembers", "get-members", "getMembers calls per user",
			func(c *Config) *string { return &c.RTM.Rates.GetMembers }),
		rate("memberCount", "member-count", "getChannelMemberCount calls per user",
			func(c *Config) *string { return &c.RTM.Rates.MemberCount }),
		rate("channelAttributeWrites", "channel-attribute-writes", "channel attribute writes per user",
			func(c *Config) *string { return &c.RTM.Rates.ChannelAttributeWrites }),
		rate("channelAttributeReads", "channel-attribute-reads", "channel attribute reads per user",
			func(c *Config) *string { return &c.RTM.Rates.ChannelAttributeReads }),
		rate("userAttributeWrites", "user-attribute-writes", "local user attribute writes per user",
			func(c *Config) *string { return &c.RTM.Rates.UserAttributeWrites }),
		rate("userAttributeReads", "user-attribute-reads", "user attribute reads per user",
			func(c *Config) *string { return &c.RTM.Rates.UserAttributeReads }),
		rate("presenceQueries", "presence-queries", "online status queries per user",
			func(c *Config) *string { return &c.RTM.Rates.PresenceQueries }),
		rate("presenceSubscriptions", "presence-subscriptions", "online status (un)subscriptions per user",
			func(c *Config) *string { return &c.RTM.Rates.PresenceSubscriptions }),
		rate("invitations", "invitations", "call invitation requests per user",
			func(c *Config) *string { return &c.RTM.Rates.Invitations }),
		rate("requests", "requests", "RTM requests of any kind per connection",
			func(c *Config) *string { return &c.RTM.Rates.Requests }),
	)
	return ss
}

func envName(flag string) string { return strings.ToUpper(strings.ReplaceAll(flag, "-", "_")) }
