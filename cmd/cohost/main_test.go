package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/cohost-rtc/cohost/internal/config"
	"github.com/cohost-rtc/cohost/internal/server"
)

// envRunMain makes the test binary run the cohost command instead of the
// tests, so that a test can start the real binary as a process.
const envRunMain = "COHOST_TEST_RUN_MAIN"

// TestMain runs the tests, checking that no goroutine outlives them, or,
// with envRunMain set, the cohost command itself.
func TestMain(m *testing.M) {
	if os.Getenv(envRunMain) == "1" {
		main()
		return
	}
	goleak.VerifyTestMain(m)
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func noEnv(string) string { return "" }

func runArgs(t *testing.T, getenv func(string) string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut syncBuffer
	code = run(context.Background(), args, &out, &errOut, getenv)
	return code, out.String(), errOut.String()
}

func TestVersion(t *testing.T) {
	code, out, _ := runArgs(t, noEnv, "version")
	if code != 0 || !strings.HasPrefix(out, "cohost ") || !strings.Contains(out, runtime.Version()) {
		t.Errorf("version: code %d, output %q", code, out)
	}
	code, out, _ = runArgs(t, noEnv, "--version")
	if code != 0 || !strings.HasPrefix(out, "cohost ") {
		t.Errorf("--version: code %d, output %q", code, out)
	}
}

// TestServeHelp checks that the help of serve names every option by its
// flag, environment variable and YAML key.
func TestServeHelp(t *testing.T) {
	for _, args := range [][]string{{"serve", "--help"}, {"--help"}} {
		code, out, _ := runArgs(t, noEnv, args...)
		if code != 0 {
			t.Fatalf("%q: exit code %d", args, code)
		}
		for _, o := range config.Options() {
			if o.Flag != "" && !strings.Contains(out, "--"+o.Flag+" ") {
				t.Errorf("%q: help lacks --%s", args, o.Flag)
			}
			if o.Env != "" && !strings.Contains(out, o.Env) {
				t.Errorf("%q: help lacks %s", args, o.Env)
			}
			if args[0] == "serve" && o.Key != "" && !strings.Contains(out, o.Key) {
				t.Errorf("%q: help lacks key %s", args, o.Key)
			}
		}
	}
}

func TestExitCodes(t *testing.T) {
	var stderr bytes.Buffer
	if got := exitCode(nil, &stderr); got != 0 {
		t.Errorf("nil: %d", got)
	}
	if got := exitCode(errors.New("boom"), &stderr); got != 1 {
		t.Errorf("plain error: %d", got)
	}
	wrapped := fmt.Errorf("wrapped: %w", &exitError{code: 3, err: errors.New("bad token")})
	if got := exitCode(wrapped, &stderr); got != 3 {
		t.Errorf("exitError: %d", got)
	}
	if !strings.Contains(stderr.String(), "cohost: boom") || !strings.Contains(stderr.String(), "bad token") {
		t.Errorf("stderr = %q", stderr.String())
	}
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"bogus"}, `unknown command "bogus"`},
		{[]string{"serve", "extra"}, `unknown command "extra"`},
		{[]string{"--no-such-flag"}, "unknown flag: --no-such-flag"},
		{[]string{"--drop-timeout", "20"}, `invalid duration "20"`},
		{[]string{"--keepalive", "1m"}, "timers.keepAlive: 1m0s must be shorter than timers.dropTimeout"},
		{[]string{"--app-certificate", strings.Repeat("a", 32)}, "--app-certificate is set without --app-id"},
		{[]string{"--config", "/does/not/exist.yaml"}, "exist.yaml"},
	}
	for _, tt := range tests {
		code, out, errOut := runArgs(t, noEnv, tt.args...)
		if code != 1 || !strings.Contains(errOut, tt.want) {
			t.Errorf("%q: code %d, stderr %q; want 1 and %q", tt.args, code, errOut, tt.want)
		}
		if out != "" {
			t.Errorf("%q: stdout %q", tt.args, out)
		}
	}
	code, _, errOut := runArgs(t, func(k string) string {
		if k == "COHOST_MAX_CHANNELS" {
			return "many"
		}
		return ""
	})
	if code != 1 || !strings.Contains(errOut, `COHOST_MAX_CHANNELS: invalid integer "many"`) {
		t.Errorf("bad env: code %d, stderr %q", code, errOut)
	}
}

// TestServe starts the server with a development app, waits for the
// banner, then stops it as a signal would.
func TestServe(t *testing.T) {
	dataDir := t.TempDir()
	getenv := func(k string) string {
		if k == "COHOST_DATA_DIR" {
			return dataDir
		}
		return ""
	}
	for i, wantCreated := range []bool{true, false} {
		ctx, cancel := context.WithCancel(context.Background())
		var out, errOut syncBuffer
		done := make(chan int, 1)
		go func() {
			done <- run(ctx, []string{"--listen", "127.0.0.1:0", "--media-port", "0", "--log-level", "debug"}, &out, &errOut, getenv)
		}()
		deadline := time.Now().Add(10 * time.Second)
		for !strings.Contains(out.String(), "Dev token:") {
			if time.Now().After(deadline) {
				cancel()
				t.Fatalf("run %d: no banner; stdout %q, stderr %q", i, out.String(), errOut.String())
			}
			time.Sleep(10 * time.Millisecond)
		}
		banner := out.String()
		m := regexp.MustCompile(`Demo page: +http://(127\.0\.0\.1:\d+)/`).FindStringSubmatch(banner)
		if m == nil {
			t.Fatalf("banner lacks the demo page:\n%s", banner)
		}
		conn, err := net.Dial("tcp", m[1])
		if err != nil {
			t.Errorf("dial %s: %v", m[1], err)
		} else {
			conn.Close()
		}
		app, created, err := config.EnsureDevApp(dataDir)
		if err != nil || created {
			t.Fatalf("dev app after start: %+v %v %v", app, created, err)
		}
		for _, want := range []string{
			"ws://" + m[1] + "/v1/signal",
			"http://" + m[1] + "/metrics",
			"Media (UDP): 127.0.0.1:",
			"App ID:          " + app.ID,
			"App Certificate: " + app.Certificate,
			"http://" + m[1] + "/v1/dev/token?channel=",
			filepath.Join(dataDir, config.DevAppFile),
		} {
			if !strings.Contains(banner, want) {
				t.Errorf("banner lacks %q:\n%s", want, banner)
			}
		}
		if got := strings.Contains(banner, "created in"); got != wantCreated {
			t.Errorf("run %d: banner says created %v, want %v", i, got, wantCreated)
		}
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("run %d: exit code %d; stderr %s", i, code, errOut.String())
			}
		case <-time.After(15 * time.Second):
			t.Fatalf("run %d: server did not stop", i)
		}
	}
}

func TestServeCorruptDevApp(t *testing.T) {
	dataDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dataDir, config.DevAppFile), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runArgs(t, func(k string) string {
		if k == "COHOST_DATA_DIR" {
			return dataDir
		}
		return ""
	}, "--listen", "127.0.0.1:0", "--media-port", "0")
	if code != 1 || !strings.Contains(errOut, "corrupt") {
		t.Errorf("code %d, stderr %q", code, errOut)
	}
}

func TestBanner(t *testing.T) {
	cfg := config.Default()
	cfg.Listen = "0.0.0.0:7800"
	cfg.TLSCert, cfg.TLSKey = "c.pem", "k.pem"
	cfg.AdvertiseIP = "203.0.113.9"
	cfg.Apps = []config.App{{ID: strings.Repeat("a", 32), Certificate: strings.Repeat("b", 32)}, {ID: strings.Repeat("c", 32)}}
	var b bytes.Buffer
	httpAddr := &net.TCPAddr{IP: net.IPv4zero, Port: 7800}
	e := server.NewEndpoints(httpAddr, &net.UDPAddr{IP: net.IPv4zero, Port: 7801}, true, cfg.AdvertiseIP)
	e.TURN = "0.0.0.0:3478"
	printBanner(&b, cfg, httpAddr, e, nil)
	out := b.String()
	for _, want := range []string{
		"Listening:   0.0.0.0:7800 (every interface)",
		"TURN:        0.0.0.0:3478 (UDP and TCP; TLS on the HTTPS port)",
		"https://localhost:7800/",
		"wss://localhost:7800/v1/signal",
		"https://localhost:7800/metrics",
		"advertised as 203.0.113.9:7801",
		strings.Repeat("c", 32) + " (testing mode",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("banner lacks %q:\n%s", want, out)
		}
	}
	for _, unwanted := range []string{strings.Repeat("b", 32), "Dev token"} {
		if strings.Contains(out, unwanted) {
			t.Errorf("banner shows %q:\n%s", unwanted, out)
		}
	}
}

// TestBannerHidesTheDevCertificateOffLoopback: a development app's App
// Certificate is printed only while the server listens on loopback, where
// only local users can reach it; on a public bind the banner says where it
// is kept instead.
func TestBannerHidesTheDevCertificateOffLoopback(t *testing.T) {
	dev := &devApp{app: config.App{ID: strings.Repeat("d", 32), Certificate: strings.Repeat("e", 32)}, path: "/var/lib/cohost/dev-app.json"}
	for listen, shown := range map[string]bool{"127.0.0.1:7800": true, "0.0.0.0:7800": false, "192.0.2.2:7800": false} {
		cfg := config.Default()
		cfg.Listen = listen
		tcp, _ := net.ResolveTCPAddr("tcp", listen)
		var b bytes.Buffer
		printBanner(&b, cfg, tcp, server.NewEndpoints(tcp, &net.UDPAddr{IP: tcp.IP, Port: 7801}, false, ""), dev)
		out := b.String()
		if got := strings.Contains(out, dev.app.Certificate); got != shown {
			t.Errorf("listen %s: certificate shown %v, want %v:\n%s", listen, got, shown, out)
		}
		if !strings.Contains(out, dev.app.ID) || !strings.Contains(out, dev.path) {
			t.Errorf("listen %s: banner lacks the App ID or the file:\n%s", listen, out)
		}
	}
}
