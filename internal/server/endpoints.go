package server

import (
	"net"
	"strconv"

	"github.com/cohost-rtc/cohost/protocol"
)

// Endpoints are the addresses at which a running server is reached, as
// clients write them: URLs for HTTP and WebSocket (https/wss with TLS), the
// UDP media address as bound.
type Endpoints struct {
	// HTTP is the base URL: the demo page, /healthz, the SDKs.
	HTTP string `json:"http"`
	// Signalling is the RTC signalling WebSocket URL.
	Signalling string `json:"signalling"`
	// RTM is the real-time messaging WebSocket URL.
	RTM string `json:"rtm"`
	// Metrics is the Prometheus metrics URL.
	Metrics string `json:"metrics"`
	// Media is the bound UDP media address (host:port).
	Media string `json:"media"`
	// MediaAdvertised is the media address put in ICE candidates when an
	// advertised IP is configured; empty otherwise.
	MediaAdvertised string `json:"mediaAdvertised,omitempty"`
	// TURN is the embedded TURN server's address (UDP and TCP, host:port);
	// empty when it does not run.
	TURN string `json:"turn,omitempty"`
}

// Endpoints returns where the server is reached.
func (s *Server) Endpoints() Endpoints {
	e := NewEndpoints(s.HTTPAddr(), s.MediaAddr(), s.cfg.TLS(), s.cfg.AdvertiseIP)
	if s.metricsLn != nil {
		e.Metrics = "http://" + displayHostPort(s.metricsLn.Addr()) + "/metrics"
	}
	if a := s.TURNAddr(); a != nil {
		e.TURN = a.String()
	}
	return e
}

// NewEndpoints returns the endpoints of a server bound to httpAddr and
// mediaAddr, serving TLS or not, with advertiseIP (may be empty) in its ICE
// candidates. An unspecified address (every interface) is written
// localhost in the URLs.
func NewEndpoints(httpAddr, mediaAddr net.Addr, tls bool, advertiseIP string) Endpoints {
	scheme, wsScheme := "http", "ws"
	if tls {
		scheme, wsScheme = "https", "wss"
	}
	hostPort := displayHostPort(httpAddr)
	e := Endpoints{
		HTTP:       scheme + "://" + hostPort,
		Signalling: wsScheme + "://" + hostPort + protocol.SignalPath,
		RTM:        wsScheme + "://" + hostPort + protocol.RTMPath,
		Metrics:    scheme + "://" + hostPort + "/metrics",
		Media:      mediaAddr.String(),
	}
	if advertiseIP != "" {
		_, port, _ := net.SplitHostPort(e.Media)
		e.MediaAdvertised = net.JoinHostPort(advertiseIP, port)
	}
	return e
}

// displayHostPort returns a as host:port for a URL: "localhost" for an
// unspecified IP.
func displayHostPort(a net.Addr) string {
	switch a := a.(type) {
	case *net.TCPAddr:
		return net.JoinHostPort(displayIP(a.IP), strconv.Itoa(a.Port))
	case *net.UDPAddr:
		return net.JoinHostPort(displayIP(a.IP), strconv.Itoa(a.Port))
	}
	return a.String()
}

func displayIP(ip net.IP) string {
	if ip == nil || ip.IsUnspecified() {
		return "localhost"
	}
	return ip.String()
}
