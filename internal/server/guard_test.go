package server_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cohost-rtc/cohost/internal/config"
	"github.com/cohost-rtc/cohost/internal/servertest"
	"github.com/cohost-rtc/cohost/protocol"
)

// getWith sends a GET with the given headers ("Host" sets the Host header)
// and returns the status code and, for checks, the response headers.
func getWith(t *testing.T, url string, headers map[string]string) (int, http.Header) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr, Timeout: 20 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header
}

// upgrade asks for a WebSocket on url from a page of origin ("" for no
// Origin header) and returns the status: 101 when accepted.
func upgrade(t *testing.T, url, origin string) int {
	t.Helper()
	h := map[string]string{"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
		"Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}
	if origin != "" {
		h["Origin"] = origin
	}
	code, _ := getWith(t, url, h)
	return code
}

func TestDemoPageSendsSecurityHeaders(t *testing.T) {
	srv := servertest.Start(t)
	_, h := getWith(t, srv.URL+"/", nil)
	for name, want := range map[string]string{
		"X-Frame-Options":        "DENY",
		"Referrer-Policy":        "no-referrer",
		"X-Content-Type-Options": "nosniff",
	} {
		if got := h.Get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	csp := h.Get("Content-Security-Policy")
	for _, want := range []string{"frame-ancestors 'none'", "script-src 'self'", "object-src 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("Content-Security-Policy %q lacks %q", csp, want)
		}
	}
}

func TestOriginAllowList(t *testing.T) {
	open := servertest.Start(t)
	if got := upgrade(t, open.URL+protocol.SignalPath, "https://anywhere.example"); got != http.StatusSwitchingProtocols {
		t.Errorf("default: a page of any origin gets %d, want 101", got)
	}
	srv := servertest.Start(t, func(c *config.Config) { c.Security.AllowedOrigins = "https://app.example.com, http://localhost:3000/" })
	for _, path := range []string{protocol.SignalPath, protocol.RTMPath} {
		for origin, want := range map[string]int{
			"https://evil.example":    http.StatusForbidden,
			"https://app.example.com": http.StatusSwitchingProtocols,
			"http://localhost:3000":   http.StatusSwitchingProtocols,
			"":                        http.StatusSwitchingProtocols, // not a browser
			srv.URL:                   http.StatusSwitchingProtocols, // the server's own pages
		} {
			if got := upgrade(t, srv.URL+path, origin); got != want {
				t.Errorf("%s from origin %q: %d, want %d", path, origin, got, want)
			}
		}
	}
}

// TestDevTokenRefusesOtherHostsAndOrigins: a DNS-rebinding page (its own
// host name on the loopback address) or a page of another origin cannot
// mint tokens, and the endpoint is rate limited.
func TestDevTokenRefusesOtherHostsAndOrigins(t *testing.T) {
	srv := servertest.Start(t, func(c *config.Config) { c.Security.DevTokensPerSecond = 1 })
	url := srv.URL + "/v1/dev/token?channel=c&uid=1&admin=true"
	for name, tc := range map[string]struct {
		headers map[string]string
		want    int
	}{
		"rebinding host": {map[string]string{"Host": "attacker.example:7800"}, http.StatusForbidden},
		"rebinding page": {map[string]string{"Host": "attacker.example", "Origin": "http://attacker.example"}, http.StatusForbidden},
		"foreign origin": {map[string]string{"Origin": "http://attacker.example"}, http.StatusForbidden},
		"null origin":    {map[string]string{"Origin": "null"}, http.StatusForbidden},
		"localhost name": {map[string]string{"Host": "localhost"}, 0},
		"own page":       {map[string]string{"Origin": srv.URL}, 0},
		"no page at all": {nil, 0},
		"loopback IPv6":  {map[string]string{"Host": "[::1]:7800"}, 0},
	} {
		got, _ := getWith(t, url, tc.headers)
		if tc.want != 0 && got != tc.want {
			t.Errorf("%s: %d, want %d", name, got, tc.want)
		}
		if tc.want == 0 && got != http.StatusOK && got != http.StatusTooManyRequests {
			t.Errorf("%s: %d, want 200 (or 429 once the rate is exceeded)", name, got)
		}
	}
	start := time.Now()
	ok, limited := 0, 0
	for range 20 {
		switch code, h := getWith(t, url, nil); code {
		case http.StatusOK:
			ok++
		case http.StatusTooManyRequests:
			limited++
			if h.Get("Retry-After") == "" {
				t.Error("429 without Retry-After")
			}
		default:
			t.Fatalf("status %d", code)
		}
	}
	if max := 2 + int(time.Since(start).Seconds()) + 1; limited == 0 || ok > max {
		t.Errorf("20 requests at 1 per second (burst 2): %d answered, %d limited", ok, limited)
	}
}

func TestMetricsOffLoopback(t *testing.T) {
	public := func(c *config.Config) { c.Listen, c.AllowTestingMode, c.Pprof = "0.0.0.0:0", true, true }
	local := func(srv *servertest.Server) string {
		return "http://" + strings.Replace(srv.HTTPAddr().String(), "0.0.0.0", "127.0.0.1", 1)
		// [::]:port is not expected: the listen address is IPv4.
	}

	srv := servertest.Start(t, public)
	for _, path := range []string{"/metrics", "/debug/pprof/"} {
		if got, _ := getWith(t, local(srv)+path, nil); got != http.StatusForbidden {
			t.Errorf("off loopback without a token: %s %d, want 403", path, got)
		}
	}

	withToken := servertest.Start(t, public, func(c *config.Config) { c.Security.MetricsToken = "s3cret" })
	for auth, want := range map[string]int{"": http.StatusUnauthorized, "Bearer nope": http.StatusUnauthorized, "Bearer s3cret": http.StatusOK} {
		for _, path := range []string{"/metrics", "/debug/pprof/"} {
			h := map[string]string{}
			if auth != "" {
				h["Authorization"] = auth
			}
			if got, _ := getWith(t, local(withToken)+path, h); got != want {
				t.Errorf("%s with %q: %d, want %d", path, auth, got, want)
			}
		}
	}

	apart := servertest.Start(t, public, func(c *config.Config) { c.Security.MetricsListen = "127.0.0.1:0" })
	if got, _ := getWith(t, local(apart)+"/metrics", nil); got != http.StatusNotFound {
		t.Errorf("main listener with a metrics listener: /metrics %d, want 404", got)
	}
	metricsURL := apart.Endpoints().Metrics
	if strings.Contains(metricsURL, strings.TrimPrefix(local(apart), "http://")) {
		t.Fatalf("Endpoints().Metrics = %s, the main listener", metricsURL)
	}
	if got, _ := getWith(t, metricsURL, nil); got != http.StatusOK {
		t.Errorf("metrics listener: %d, want 200", got)
	}

	loop := servertest.Start(t)
	if got, _ := getWith(t, loop.URL+"/metrics", nil); got != http.StatusOK {
		t.Errorf("loopback: /metrics %d, want 200", got)
	}
}
