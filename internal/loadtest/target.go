package loadtest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cohost-rtc/cohost/token"
)

// target is the server a load test talks to: one node, or the nodes of
// one cluster, and no other address.
type target struct {
	base      *url.URL   // the first node: tokens go there
	bases     []*url.URL // every node given
	hostPorts map[string]bool
	ips       []netip.Addr // the only addresses media is sent to
	loopback  bool
	client    *http.Client
	// metricsToken is sent as a bearer token with /metrics requests.
	metricsToken string
}

// newTarget resolves the nodes at the comma-separated raw URLs.
func newTarget(ctx context.Context, raw string) (*target, error) {
	t := &target{hostPorts: map[string]bool{}, loopback: true}
	for _, r := range strings.Split(raw, ",") {
		if r = strings.TrimSpace(r); r == "" {
			continue
		}
		u, err := url.Parse(r)
		if err != nil {
			return nil, err
		}
		hostPort := u.Host
		if u.Port() == "" {
			port := "80"
			if u.Scheme == "https" {
				port = "443"
			}
			hostPort = net.JoinHostPort(u.Hostname(), port)
		}
		t.bases = append(t.bases, u)
		t.hostPorts[hostPort] = true
		addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", u.Hostname())
		if err != nil {
			return nil, fmt.Errorf("loadtest: resolve %s: %w", u.Hostname(), err)
		}
		for _, a := range addrs {
			a = a.Unmap()
			if !slices.Contains(t.ips, a) {
				t.ips = append(t.ips, a)
			}
			if !a.IsLoopback() {
				t.loopback = false
			}
		}
	}
	if len(t.bases) == 0 {
		return nil, fmt.Errorf("loadtest: no server URL in %q", raw)
	}
	t.base = t.bases[0]
	dialer := &net.Dialer{Timeout: 10 * time.Second}
	tr := &http.Transport{
		// Every connection goes to the target, whatever the request says.
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if !t.hostPorts[addr] {
				return nil, fmt.Errorf("loadtest: refusing to connect to %s: only the nodes given are targeted", addr)
			}
			return dialer.DialContext(ctx, network, addr)
		},
		Proxy:               nil,
		MaxIdleConnsPerHost: 16,
		ForceAttemptHTTP2:   false,
	}
	t.client = &http.Client{Transport: tr, Timeout: 30 * time.Second}
	return t, nil
}

// allowed reports whether media may be sent to ip.
func (t *target) allowed(ip netip.Addr) bool {
	ip = ip.Unmap()
	for _, a := range t.ips {
		if a == ip {
			return true
		}
	}
	return false
}

func (t *target) url(path string, q url.Values) string {
	return urlAt(t.base, path, q)
}

// urlAt is base with path and query q.
func urlAt(base *url.URL, path string, q url.Values) string {
	u := *base
	u.Path = path
	u.RawQuery = q.Encode()
	return u.String()
}

// close releases idle connections.
func (t *target) close() { t.client.CloseIdleConnections() }

// tokens mints or fetches tokens for users of the test.
type tokens struct {
	t      *target
	appID  string
	cert   string
	dev    bool // fetch from /v1/dev/token
	expire uint32
}

// newTokens picks the token source: local minting with a certificate, none
// (testing mode) with an App ID alone, else the development endpoint.
func newTokens(ctx context.Context, t *target, appID, cert string) (*tokens, error) {
	tk := &tokens{t: t, appID: appID, cert: cert, expire: 24 * 3600}
	if appID != "" {
		return tk, nil
	}
	if !t.loopback {
		return nil, fmt.Errorf("loadtest: the development token endpoint is served on loopback only: give --app-id (and --app-certificate)")
	}
	tk.dev = true
	id, _, err := tk.fetch(ctx, "lt-probe", 0, true)
	if err != nil {
		return nil, err
	}
	tk.appID = id
	return tk, nil
}

// token returns a token for (channel, uid); host tokens can publish.
func (tk *tokens) token(ctx context.Context, channel string, uid uint32, host bool) (string, error) {
	switch {
	case tk.dev:
		_, tok, err := tk.fetch(ctx, channel, uid, host)
		return tok, err
	case tk.cert == "":
		return "", nil
	}
	role := token.RoleSubscriber
	if host {
		role = token.RolePublisher
	}
	return token.BuildRTCWithUID(tk.appID, tk.cert, channel, uid, role, tk.expire, tk.expire)
}

func (tk *tokens) fetch(ctx context.Context, channel string, uid uint32, host bool) (appID, tok string, err error) {
	role := "subscriber"
	if host {
		role = "publisher"
	}
	q := url.Values{"channel": {channel}, "uid": {fmt.Sprint(uid)}, "role": {role}, "expire": {fmt.Sprint(tk.expire)}}
	var resp *http.Response
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, tk.t.url("/v1/dev/token", q), nil)
		if err != nil {
			return "", "", err
		}
		resp, err = tk.t.client.Do(req)
		if err != nil {
			return "", "", fmt.Errorf("loadtest: development token: %w", err)
		}
		if resp.StatusCode != http.StatusTooManyRequests {
			break
		}
		// The endpoint is rate limited: wait as asked, then try again.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 512))
		resp.Body.Close()
		wait := time.Second
		if n, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && n > 0 {
			wait = time.Duration(n) * time.Second
		}
		select {
		case <-ctx.Done():
			return "", "", fmt.Errorf("loadtest: development token: %w", ctx.Err())
		case <-time.After(wait):
		}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return "", "", fmt.Errorf("loadtest: development token endpoint: %s: %s (give --app-id and --app-certificate instead)", resp.Status, b)
	}
	var body struct {
		AppID string `json:"appId"`
		Token string `json:"token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return "", "", fmt.Errorf("loadtest: development token: %w", err)
	}
	return body.AppID, body.Token, nil
}
