package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/cohost-rtc/cohost/cohosttest"
	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/rtc"
	"github.com/cohost-rtc/cohost/rtm"
)

// The binary started on random ports writes where it listens to the ready
// file; clients connect with those addresses; the file goes away when the
// server stops.
func TestReadyFileOfTheBinary(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ready := filepath.Join(dir, "ready.json")
	const appID = "0123456789abcdef0123456789abcdef" // testing mode: no token
	cmd := exec.Command(exe, "serve", "--listen", "127.0.0.1:0", "--media-port", "0", "--ready-file", ready,
		"--app-id", appID, "--data-dir", dir)
	cmd.Env = append(os.Environ(), envRunMain+"=1")
	var out, errOut syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			_ = cmd.Process.Kill()
			<-exited
		}
	})

	var got readyFile
	deadline := time.Now().Add(20 * time.Second)
	for {
		data, err := os.ReadFile(ready)
		if err == nil {
			if err := json.Unmarshal(data, &got); err != nil {
				t.Fatalf("ready file is not whole JSON: %v\n%s", err, data)
			}
			break
		}
		if !errors.Is(err, fs.ErrNotExist) {
			t.Fatal(err)
		}
		select {
		case err := <-exited:
			stopped = true
			t.Fatalf("the server exited (%v) without a ready file; stdout %q, stderr %q", err, out.String(), errOut.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("no ready file after 20 s; stdout %q, stderr %q", out.String(), errOut.String())
		}
	}

	m := regexp.MustCompile(`^http://(127\.0\.0\.1:[1-9]\d*)$`).FindStringSubmatch(got.HTTP)
	if m == nil {
		t.Fatalf("http %q", got.HTTP)
	}
	if got.Signalling != "ws://"+m[1]+"/v1/signal" || got.RTM != "ws://"+m[1]+"/v1/rtm" || got.Metrics != got.HTTP+"/metrics" {
		t.Errorf("ready file %+v", got)
	}
	if got.PID != cmd.Process.Pid {
		t.Errorf("pid %d, want %d", got.PID, cmd.Process.Pid)
	}
	ua, err := net.ResolveUDPAddr("udp", got.Media)
	if err != nil || !ua.IP.IsLoopback() || ua.Port == 0 {
		t.Errorf("media %q: %v", got.Media, err)
	}

	for _, url := range []string{got.HTTP + "/healthz", got.Metrics} {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %s", url, resp.Status)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	engine, err := rtc.NewEngine(rtc.EngineConfig{ServerURL: got.HTTP, AppID: appID, ClientRole: protocol.RoleBroadcaster,
		SettingEngine: cohosttest.Loopback()})
	if err != nil {
		t.Fatal(err)
	}
	defer engine.Close()
	if _, err := engine.JoinChannel(ctx, "", "ready", 1); err != nil {
		t.Errorf("join: %v", err)
	}
	msg, err := rtm.NewClient(rtm.ClientConfig{ServerURL: got.HTTP, AppID: appID})
	if err != nil {
		t.Fatal(err)
	}
	defer msg.Close()
	if err := msg.Login(ctx, "", "1"); err != nil {
		t.Errorf("RTM login: %v", err)
	}
	_ = engine.Close()
	_ = msg.Close()

	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		stopped = true
		if err != nil {
			t.Errorf("exit: %v; stderr %s", err, errOut.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("the server did not stop within 20 s of SIGINT")
	}
	if _, err := os.Stat(ready); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ready file left after exit: %v", err)
	}
}

// The ready file is replaced whole: a reader never sees part of it.
func TestWriteReadyFileReplaces(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ready.json")
	if err := os.WriteFile(path, []byte("stale"), 0o600); err != nil {
		t.Fatal(err)
	}
	e := readyFile{}
	e.HTTP = "http://127.0.0.1:1"
	if err := writeReadyFile(path, e.Endpoints); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var got readyFile
	if err := json.Unmarshal(data, &got); err != nil || got.HTTP != e.HTTP || got.PID != os.Getpid() {
		t.Errorf("ready file %s: %v", data, err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
}
