package rtc

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/cohost-rtc/cohost/protocol"
)

// EngineConfig configures an Engine. Only ServerURL (or ServerURLs) and
// AppID are required.
type EngineConfig struct {
	// ServerURL is the cohost server's HTTP address, e.g.
	// "http://127.0.0.1:7800" or "https://rtc.example.com". ws:// and
	// wss:// are accepted too. The signalling path is appended.
	ServerURL string
	// ServerURLs are more addresses of the same service, e.g. the nodes
	// of a cluster: a join tries ServerURL, then each of these in order,
	// until one answers. Either may be empty, not both. In a cluster a
	// join reaching any node is sent on to the node hosting the channel,
	// and when that node dies the engine reconnects through the live
	// nodes the cluster listed (see docs/go-sdk.md).
	ServerURLs []string
	// AppID is the application's App ID.
	AppID string
	// Handler receives the engine's events; nil discards them.
	Handler EventHandler
	// Logger receives the SDK's logs; nil discards them.
	Logger *slog.Logger

	// ChannelProfile is the channel profile; nil means
	// protocol.ProfileLiveBroadcasting (Agora's default). Write
	// new(protocol.ProfileCommunication) for the communication profile.
	ChannelProfile *protocol.ChannelProfile
	// ClientRole is the role of the next join. Zero means audience in the
	// live profile; in the communication profile everyone is a host.
	// SetClientRole before joining changes it.
	ClientRole protocol.ClientRole
	// AutoSubscribeAudio and AutoSubscribeVideo subscribe to every remote
	// audio or video track as soon as it is published, as Agora's native
	// SDK does by default (here they default to off). Subscribe returns
	// the automatic subscription's track.
	AutoSubscribeAudio, AutoSubscribeVideo bool
	// Codecs lists the codecs this client can receive (decode); nil means
	// all codecs cohost forwards. The server refuses to subscribe the
	// client to tracks in other codecs (ErrCodecNotSupported).
	Codecs []protocol.Codec

	// SettingEngine configures Pion (network types, interface filters, UDP
	// ports, loopback candidates …). Nil uses Pion's defaults, which gather
	// on every interface: right for real networks. Tests that must stay on
	// 127.0.0.1 enable the loopback candidate and filter interfaces here.
	SettingEngine *webrtc.SettingEngine
	// ICEServers are STUN/TURN servers for both peer connections, added to
	// the TURN servers the server hands out with each join (used
	// automatically when direct UDP fails); usually none are needed.
	ICEServers []webrtc.ICEServer
	// CloudProxy forces media through the server's TURN relay (UDPProxy,
	// TCPProxy), as Agora's setCloudProxy; SetCloudProxy changes it
	// between sessions. Zero (NoneProxy) connects directly.
	CloudProxy CloudProxyType
	// HTTPClient performs the WebSocket handshake (proxies, TLS settings,
	// or a test's dialer). Nil uses http.DefaultClient.
	HTTPClient *http.Client
	// RequestTimeout bounds requests the SDK sends on its own (answers to
	// offers, automatic subscriptions, ICE restarts) and each dial. Zero
	// means 15 s.
	RequestTimeout time.Duration
	// ReconnectTimeout is how long the engine tries to get back into the
	// channel after losing its connection: it resumes the session within
	// the server's drop timeout, then rejoins the channel with the same uid,
	// role and publications, as Agora's SDK does. After it the engine
	// reports FAILED (JOIN_FAILED). Zero means 20 minutes (Agora's).
	ReconnectTimeout time.Duration
	// SendCaptureTime stamps every RTP packet the engine sends with the
	// abs-capture-time header extension (the time of the write, from the
	// local clock, as an NTP timestamp). The server forwards it unchanged,
	// so a receiver can measure end-to-end latency without decrypting
	// media. Off by default.
	SendCaptureTime bool
	// AudienceOnAnyNode lets the cluster node the engine reaches serve it
	// in a live channel, as audience or host, or in a communication
	// channel, even when another node hosts the channel: that node
	// carries the channel's events and media from and to the other
	// nodes, so members spread over the cluster. Everything works as on the channel's node: a host joins
	// and publishes there, SetClientRole(RoleBroadcaster) makes the
	// engine host where it is, and a host's channel media relay runs
	// there. Off by default (the engine is sent to the node hosting the
	// channel).
	AudienceOnAnyNode bool
}

const defaultRequestTimeout = 15 * time.Second

const defaultReconnectTimeout = 20 * time.Minute

// settings is an EngineConfig checked and completed with defaults.
type settings struct {
	EngineConfig
	signalURLs []string // ServerURL then ServerURLs, as signalling URLs
	profile    protocol.ChannelProfile
	codecs     []protocol.Codec
}

// allCodecs are the codecs cohost forwards, in preference order.
var allCodecs = []protocol.Codec{protocol.CodecOpus, protocol.CodecVP8, protocol.CodecH264, protocol.CodecVP9}

func (c EngineConfig) settings() (*settings, error) {
	s := &settings{EngineConfig: c}
	servers := slices.DeleteFunc(append([]string{c.ServerURL}, c.ServerURLs...), func(u string) bool { return u == "" })
	if len(servers) == 0 {
		servers = []string{""} // reported as an empty ServerURL
	}
	for _, server := range servers {
		u, err := signalURL(server)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(s.signalURLs, u) {
			s.signalURLs = append(s.signalURLs, u)
		}
	}
	if c.AppID == "" {
		return nil, fmt.Errorf("%w: AppID is empty", ErrInvalidConfig)
	}
	s.profile = protocol.ProfileLiveBroadcasting
	if c.ChannelProfile != nil {
		s.profile = *c.ChannelProfile
	}
	if !s.profile.Valid() {
		return nil, fmt.Errorf("%w: unknown channel profile %v", ErrInvalidConfig, s.profile)
	}
	if c.ClientRole != 0 && !c.ClientRole.Valid() {
		return nil, fmt.Errorf("%w: unknown client role %v", ErrInvalidConfig, c.ClientRole)
	}
	if !c.CloudProxy.Valid() {
		return nil, fmt.Errorf("%w: unknown cloud proxy type %d", ErrInvalidConfig, int(c.CloudProxy))
	}
	if len(c.Codecs) == 0 {
		s.codecs = slices.Clone(allCodecs)
	} else {
		for _, codec := range c.Codecs {
			if !slices.Contains(allCodecs, codec) {
				return nil, fmt.Errorf("%w: %w %q", ErrInvalidConfig, ErrUnsupportedCodec, codec)
			}
			if !slices.Contains(s.codecs, codec) {
				s.codecs = append(s.codecs, codec)
			}
		}
	}
	if s.Logger == nil {
		s.Logger = slog.New(slog.DiscardHandler)
	}
	if s.HTTPClient == nil {
		s.HTTPClient = http.DefaultClient
	}
	if s.RequestTimeout <= 0 {
		s.RequestTimeout = defaultRequestTimeout
	}
	if s.ReconnectTimeout <= 0 {
		s.ReconnectTimeout = defaultReconnectTimeout
	}
	return s, nil
}

// signalURL turns a server address into its signalling WebSocket URL.
func signalURL(server string) (string, error) {
	if server == "" {
		return "", fmt.Errorf("%w: ServerURL is empty", ErrInvalidConfig)
	}
	u, err := url.Parse(server)
	if err != nil {
		return "", fmt.Errorf("%w: ServerURL: %w", ErrInvalidConfig, err)
	}
	switch u.Scheme {
	case "http", "ws":
		u.Scheme = "ws"
	case "https", "wss":
		u.Scheme = "wss"
	default:
		return "", fmt.Errorf("%w: ServerURL %q: scheme must be http, https, ws or wss", ErrInvalidConfig, server)
	}
	if u.Host == "" {
		return "", fmt.Errorf("%w: ServerURL %q has no host", ErrInvalidConfig, server)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%w: ServerURL %q has a query or fragment", ErrInvalidConfig, server)
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + protocol.SignalPath
	u.RawPath = ""
	return u.String(), nil
}

// defaultRole is the role of a join when none was chosen.
func defaultRole(p protocol.ChannelProfile) protocol.ClientRole {
	if p == protocol.ProfileCommunication {
		return protocol.RoleBroadcaster
	}
	return protocol.RoleAudience
}
