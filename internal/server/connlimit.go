package server

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"

	"github.com/cohost-rtc/cohost/internal/config"
)

// Bounds on the open signalling and RTM WebSockets (connections.* in the
// configuration): in total, per client address, and the time a signalling
// socket may stay open without joining.

// closeReason is the reason of a WebSocket close frame the server sends,
// in the style of RTM's close reasons.
type closeReason string

// String returns the reason as sent in the close frame.
func (r closeReason) String() string { return string(r) }

// reasonJoinTimeout closes a signalling socket that did not join or
// resume within connections.joinTimeout.
const reasonJoinTimeout closeReason = "not joined in time"

// connLimiter counts the open WebSockets, in total and per client address.
type connLimiter struct {
	logger   *slog.Logger
	maxTotal int
	maxPerIP int
	proxies  []netip.Prefix

	mu    sync.Mutex
	total int
	perIP map[netip.Addr]int
}

func newConnLimiter(cfg config.Connections, logger *slog.Logger) (*connLimiter, error) {
	proxies, err := cfg.ProxyPrefixes()
	if err != nil {
		return nil, fmt.Errorf("server: connections.trustedProxies: %w", err)
	}
	return &connLimiter{logger: logger, maxTotal: cfg.MaxTotal, maxPerIP: cfg.MaxPerIP,
		proxies: proxies, perIP: map[netip.Addr]int{}}, nil
}

// clientAddr returns the address of the client: the peer's, or, when the
// peer is a trusted proxy, the last X-Forwarded-For entry not itself a
// trusted proxy. An unparsable address yields the zero Addr, counted as
// one client.
func (l *connLimiter) clientAddr(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	peer = peer.Unmap()
	if !l.trusted(peer) {
		return peer
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return peer
		}
		if a = a.Unmap(); !l.trusted(a) {
			return a
		}
	}
	return peer
}

func (l *connLimiter) trusted(a netip.Addr) bool {
	for _, p := range l.proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// acquire counts a new connection from addr, or returns the HTTP status
// refusing it: 503 over the total, 429 over the per-address limit
// (loopback exempt).
func (l *connLimiter) acquire(addr netip.Addr) (release func(), status int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.total >= l.maxTotal {
		return nil, http.StatusServiceUnavailable
	}
	perIP := !addr.IsLoopback()
	if perIP && l.perIP[addr] >= l.maxPerIP {
		return nil, http.StatusTooManyRequests
	}
	l.total++
	if perIP {
		l.perIP[addr]++
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			l.mu.Lock()
			defer l.mu.Unlock()
			l.total--
			if perIP {
				if l.perIP[addr]--; l.perIP[addr] <= 0 {
					delete(l.perIP, addr)
				}
			}
		})
	}, 0
}

// guard refuses WebSocket upgrades over the limits before the upgrade,
// with Retry-After, and holds the count while next serves the socket.
func (l *connLimiter) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		addr := l.clientAddr(r)
		release, status := l.acquire(addr)
		if status != 0 {
			l.logger.Debug("websocket refused: too many connections", "client", addr, "status", status, "path", r.URL.Path)
			w.Header().Set("Retry-After", strconv.Itoa(5))
			msg := "too many connections from this address"
			if status == http.StatusServiceUnavailable {
				msg = "too many connections"
			}
			http.Error(w, msg, status)
			return
		}
		slot := &connSlot{release: release}
		defer func() {
			if !slot.taken {
				release()
			}
		}()
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), connSlotKey{}, slot)))
	})
}

// connSlot is the count guard holds for a request; a handler that serves
// its socket beyond its own return takes it (takeConnSlot) and releases it
// when the socket ends.
type connSlot struct {
	release func()
	taken   bool // set on the handler's goroutine, read by guard after it
}

type connSlotKey struct{}

// takeConnSlot moves the count guard holds for r to the caller, who must
// call the function returned when the connection ends (a no-op without
// guard).
func takeConnSlot(r *http.Request) func() {
	slot, ok := r.Context().Value(connSlotKey{}).(*connSlot)
	if !ok || slot.taken {
		return func() {}
	}
	slot.taken = true
	return slot.release
}
