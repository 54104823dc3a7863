package server_test

import (
	"errors"
	"testing"

	"github.com/cohost-rtc/cohost/internal/config"
	"github.com/cohost-rtc/cohost/internal/server"
)

func mustNew(t *testing.T, cfg config.Config) *server.Server {
	t.Helper()
	srv, err := server.New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

func TestNewRefusesUnsafeConfigurations(t *testing.T) {
	cfg := config.Default()
	cfg.Listen, cfg.MediaPort = "127.0.0.1:0", 0
	if _, err := server.New(cfg, nil); !errors.Is(err, server.ErrNoApps) {
		t.Fatalf("no apps: %v", err)
	}
	for host, want := range map[string]bool{"127.0.0.1": true, "::1": true, "localhost": true, "127.3.4.5": true, "0.0.0.0": false, "192.0.2.2": false, "example.com": false} {
		if got := server.IsLoopbackHost(host); got != want {
			t.Errorf("IsLoopbackHost(%q) = %v, want %v", host, got, want)
		}
	}
}
