package server

import (
	"crypto/subtle"
	"net"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/time/rate"
)

// The guards of an exposed server: which pages may open the WebSockets,
// who may mint development tokens, who may read metrics and profiles, and
// the headers of the web pages.

// originAllowed reports whether the request's Origin may open a WebSocket:
// no Origin (not a browser), the server's own origin, or one of
// security.allowedOrigins. An empty list allows every Origin.
func (s *Server) originAllowed(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if len(s.origins) == 0 || origin == "" || sameOrigin(origin, r) {
		return true
	}
	_, ok := s.origins[strings.ToLower(strings.TrimRight(origin, "/"))]
	return ok
}

// originGuard refuses WebSocket upgrades from pages of other origins than
// the allowed ones with 403, before the upgrade.
func (s *Server) originGuard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.originAllowed(r) {
			s.logger.Debug("websocket refused: origin not allowed", "origin", r.Header.Get("Origin"), "path", r.URL.Path)
			http.Error(w, "origin not allowed", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// sameOrigin reports whether origin is the origin the request was sent to.
func sameOrigin(origin string, r *http.Request) bool {
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return strings.EqualFold(u.Scheme, scheme) && strings.EqualFold(u.Host, r.Host)
}

// loopbackHostHeader reports whether the Host header names a loopback
// host: localhost (or a name under .localhost) or a loopback IP. A page of
// a DNS-rebinding attacker sends its own name.
func loopbackHostHeader(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.ToLower(strings.TrimSuffix(strings.Trim(host, "[]"), "."))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// devTokenGuard serves the development token endpoint only to requests
// addressed to a loopback host, from the server's own pages or from no page
// at all (a command line tool), at most security.devTokensPerSecond per
// second with bursts of twice as many.
func (s *Server) devTokenGuard(next http.HandlerFunc) http.HandlerFunc {
	n := s.cfg.Security.DevTokensPerSecond
	lim := rate.NewLimiter(rate.Limit(n), 2*n)
	return func(w http.ResponseWriter, r *http.Request) {
		if !loopbackHostHeader(r.Host) {
			http.Error(w, "development tokens are served only to requests for a loopback host", http.StatusForbidden)
			return
		}
		if o := r.Header.Get("Origin"); o != "" && !sameOrigin(o, r) {
			http.Error(w, "development tokens are served only to the server's own pages", http.StatusForbidden)
			return
		}
		if !lim.Allow() {
			w.Header().Set("Retry-After", "1")
			http.Error(w, "too many development token requests", http.StatusTooManyRequests)
			return
		}
		next(w, r)
	}
}

// metricsGuard protects /metrics and /debug/pprof/ on the main listener:
// open on loopback; off loopback they need the bearer token
// security.metricsToken, and without one they are refused.
func (s *Server) metricsGuard(next http.Handler) http.Handler {
	if s.loopback {
		return next
	}
	want := []byte("Bearer " + s.cfg.Security.MetricsToken)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.cfg.Security.MetricsToken == "" {
			http.Error(w, "metrics are served off loopback only with security.metricsToken or on security.metricsListen", http.StatusForbidden)
			return
		}
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="cohost metrics"`)
			http.Error(w, "a valid bearer token is required", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// pageCSP is the Content-Security-Policy of the demo page: its scripts and
// styles come from the server, media and images may be blobs or streams,
// and it connects (HTTP and WebSocket) to any server, as a cluster's
// redirects and an app's setServerURL may send it elsewhere. No other site
// may frame it.
const pageCSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data: blob:; media-src 'self' blob: mediastream:; connect-src 'self' http: https: ws: wss:; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// setPageHeaders sets the security headers of an HTML page.
func setPageHeaders(h http.Header) {
	h.Set("Content-Security-Policy", pageCSP)
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
}
