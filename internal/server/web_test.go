package server_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/cohost-rtc/cohost/internal/servertest"
)

func get(t *testing.T, url string, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func TestWebRoutes(t *testing.T) {
	srv := servertest.Start(t)
	for _, tc := range []struct {
		path, ctype, contains string
	}{
		{"/sdk/cohost-rtc.js", "text/javascript; charset=utf-8", "module.exports = globalThis.AgoraRTC"},
		{"/sdk/cohost-rtc.mjs", "text/javascript; charset=utf-8", " as default"},
		{"/", "text/html; charset=utf-8", "<!doctype html>"},
	} {
		resp, body := get(t, srv.URL+tc.path)
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %s", tc.path, resp.Status)
		}
		if got := resp.Header.Get("Content-Type"); got != tc.ctype {
			t.Errorf("GET %s: Content-Type %q, want %q", tc.path, got, tc.ctype)
		}
		if !strings.Contains(body, tc.contains) {
			t.Errorf("GET %s: body lacks %q", tc.path, tc.contains)
		}
		etag := resp.Header.Get("ETag")
		if etag == "" {
			t.Fatalf("GET %s: no ETag", tc.path)
		}
		if resp, _ := get(t, srv.URL+tc.path, "If-None-Match", etag); resp.StatusCode != http.StatusNotModified {
			t.Errorf("GET %s with If-None-Match: %s, want 304", tc.path, resp.Status)
		}
	}
	if resp, _ := get(t, srv.URL+"/sdk/cohost-rtc.js"); resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("the SDK is not served with CORS")
	}
	for _, p := range []string{"/sdk/nope.js", "/sdk/../web.go", "/demo/nope.css", "/nope"} {
		if resp, _ := get(t, srv.URL+p); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %s, want 404", p, resp.Status)
		}
	}
}
