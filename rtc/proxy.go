package rtc

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/pion/webrtc/v4"

	"github.com/cohost-rtc/cohost/protocol"
)

// CloudProxyType is Agora's CLOUD_PROXY_TYPE: how media reaches the
// server. cohost's proxy is the TURN relay the server hands out with each
// join.
type CloudProxyType int

// Cloud proxy types, with Agora's values.
const (
	// NoneProxy connects directly, falling back to the server's TURN
	// relays automatically when direct UDP fails (the default).
	NoneProxy CloudProxyType = 0
	// UDPProxy sends all media through the server's TURN relay over UDP.
	UDPProxy CloudProxyType = 1
	// TCPProxy sends all media through the server's TURN relay over TLS on
	// its HTTPS port (TURN over TCP when the server has no TLS), for
	// networks that let only TCP to port 443 through.
	TCPProxy CloudProxyType = 2
)

func (t CloudProxyType) String() string {
	switch t {
	case NoneProxy:
		return "NONE_PROXY"
	case UDPProxy:
		return "UDP_PROXY"
	case TCPProxy:
		return "TCP_PROXY"
	}
	return fmt.Sprintf("CloudProxyType(%d)", int(t))
}

// Valid reports whether t is one of the types above.
func (t CloudProxyType) Valid() bool { return t >= NoneProxy && t <= TCPProxy }

// SetCloudProxy chooses how the next session's media reaches the server
// (Agora's setCloudProxy). It must be called before JoinChannel: in a
// channel it returns ErrAlreadyJoined. An unknown type is
// ERR_INVALID_ARGUMENT. With UDPProxy or TCPProxy, a join to a server that
// hands out no matching TURN server fails with ErrNoProxy.
func (e *Engine) SetCloudProxy(t CloudProxyType) error {
	if !t.Valid() {
		return invalidArgument("unknown cloud proxy type %d", int(t))
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return ErrClosed
	}
	if e.sess != nil && !e.sess.leaving {
		return fmt.Errorf("rtc: SetCloudProxy: %w: leave the channel first", ErrAlreadyJoined)
	}
	e.proxy = t
	return nil
}

// iceConfiguration is the peer connection configuration of sess: the
// configured ICE servers and the server's TURN servers, all of them
// relayed only when a proxy is forced.
func iceConfiguration(configured []webrtc.ICEServer, server []protocol.ICEServer, proxy CloudProxyType) (webrtc.Configuration, error) {
	var cfg webrtc.Configuration
	if proxy == NoneProxy {
		cfg.ICEServers = append(cfg.ICEServers, configured...)
		for _, s := range server {
			cfg.ICEServers = append(cfg.ICEServers, webrtc.ICEServer{URLs: s.URLs, Username: s.Username, Credential: s.Credential})
		}
		return cfg, nil
	}
	cfg.ICETransportPolicy = webrtc.ICETransportPolicyRelay
	for _, s := range server {
		if urls := proxyURLs(s.URLs, proxy); len(urls) > 0 {
			cfg.ICEServers = append(cfg.ICEServers, webrtc.ICEServer{URLs: urls, Username: s.Username, Credential: s.Credential})
		}
	}
	if len(cfg.ICEServers) == 0 {
		return cfg, fmt.Errorf("rtc: %s: %w", proxy, ErrNoProxy)
	}
	return cfg, nil
}

// proxyURLs keeps the URLs of urls that proxy uses: UDP TURN for
// UDPProxy; TURN over TLS for TCPProxy, else TURN over TCP.
func proxyURLs(urls []string, proxy CloudProxyType) []string {
	var udp, tcp, tls []string
	for _, u := range urls {
		switch {
		case strings.HasPrefix(u, "turns:"):
			tls = append(tls, u)
		case strings.HasPrefix(u, "turn:") && strings.Contains(u, "transport=tcp"):
			tcp = append(tcp, u)
		case strings.HasPrefix(u, "turn:"):
			udp = append(udp, u)
		}
	}
	switch {
	case proxy == UDPProxy:
		return udp
	case len(tls) > 0:
		return tls
	}
	return tcp
}

// updateICEServers gives pc the session's current TURN servers (fresh
// credentials after a resume or a token renewal), used from its next ICE
// gathering on. It runs on the queue owning pc.
func (e *Engine) updateICEServers(pc *webrtc.PeerConnection, sess *session) {
	if pc == nil {
		return
	}
	e.mu.Lock()
	servers, proxy := sess.info.ICEServers, sess.proxy
	e.mu.Unlock()
	cfg, err := iceConfiguration(e.cfg.ICEServers, servers, proxy)
	if err != nil {
		e.log.Warn("new TURN servers unusable", "err", err)
		return
	}
	cur := pc.GetConfiguration()
	same := (len(cur.ICEServers) == 0 && len(cfg.ICEServers) == 0) || reflect.DeepEqual(cur.ICEServers, cfg.ICEServers)
	if same && cur.ICETransportPolicy == cfg.ICETransportPolicy {
		return // nothing new (no TURN, or the same credentials)
	}
	cur.ICEServers, cur.ICETransportPolicy = cfg.ICEServers, cfg.ICETransportPolicy
	if err := pc.SetConfiguration(cur); err != nil {
		e.log.Warn("update TURN servers", "err", err)
	}
}

// updateICE queues updateICEServers for the upstream connection.
func (p *publisher) updateICE() { p.q.Push(func() { p.e.updateICEServers(p.pc, p.sess) }) }

// updateICE queues updateICEServers for the downstream connection.
func (s *subscriber) updateICE() { s.q.Push(func() { s.e.updateICEServers(s.pc, s.sess) }) }
