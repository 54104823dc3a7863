package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cohost-rtc/cohost/internal/server"
	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/rtm"
)

// serveProcess is a `cohost serve` process started by a test.
type serveProcess struct {
	cmd    *exec.Cmd
	exited chan error
	stderr *syncBuffer
	ready  readyFile
}

// startServe starts the test binary as `cohost serve args...` with env
// added, and kills it when the test ends.
func startServe(t *testing.T, env []string, args ...string) *serveProcess {
	t.Helper()
	return startServeWith(t, nil, env, args...)
}

// startServeWith starts `cohost serve args...` as startServe does, behind
// the command prefix (e.g. `ip netns exec NAME`, which executes the server
// in place, so killing the process kills the server).
func startServeWith(t *testing.T, prefix, env []string, args ...string) *serveProcess {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	argv := append(append(slices.Clone(prefix), exe, "serve"), args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(append(os.Environ(), envRunMain+"=1"), env...)
	p := &serveProcess{cmd: cmd, exited: make(chan error, 1), stderr: &syncBuffer{}}
	cmd.Stdout, cmd.Stderr = &syncBuffer{}, p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-p.exited
	})
	return p
}

// waitReady waits for the ready file at path.
func (p *serveProcess) waitReady(t *testing.T, path string, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		data, err := os.ReadFile(path)
		if err == nil && json.Unmarshal(data, &p.ready) == nil {
			return
		}
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			t.Fatal(err)
		}
		select {
		case err := <-p.exited:
			p.exited <- err
			t.Fatalf("the server exited (%v) before it was ready; stderr:\n%s", err, p.stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready within %v; stderr:\n%s", d, p.stderr.String())
		}
	}
}

func liveNodes(url string) []string {
	resp, err := http.Get(url + server.ClusterPath)
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	var info server.ClusterInfo
	if json.NewDecoder(resp.Body).Decode(&info) != nil {
		return nil
	}
	var ids []string
	for _, n := range info.Nodes {
		ids = append(ids, string(n.ID))
	}
	slices.Sort(ids)
	return ids
}

func selfID(url string) string {
	resp, err := http.Get(url + server.ClusterPath)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	var info server.ClusterInfo
	_ = json.NewDecoder(resp.Body).Decode(&info)
	return string(info.Self)
}

func pollUntil(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %v: %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type msgRecorder struct {
	rtm.BaseClientHandler
	mu   sync.Mutex
	msgs []string
}

func (r *msgRecorder) OnMessageReceived(peer string, m *rtm.Message) {
	r.mu.Lock()
	r.msgs = append(r.msgs, peer+" "+m.Text)
	r.mu.Unlock()
}

func (r *msgRecorder) list() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.msgs)
}

// Three `cohost serve` processes given each other as cluster peers form
// one cluster; one killed with SIGKILL is marked dead by the two others
// within the node timeout, and RTM users on the surviving nodes lose no
// message while it dies.
func TestServeClusterSurvivesSIGKILL(t *testing.T) {
	const appID = "0123456789abcdef0123456789abcdef" // testing mode
	const nodeTimeout = 2 * time.Second
	var routes []string
	for range 3 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		routes = append(routes, ln.Addr().String())
		_ = ln.Close()
	}
	env := []string{"COHOST_CLUSTER_SECRET=serve-cluster-test-secret"}
	procs := make([]*serveProcess, 3)
	dirs := make([]string, 3)
	for i := range procs {
		dirs[i] = t.TempDir()
		procs[i] = startServe(t, env, "--listen", "127.0.0.1:0", "--media-port", "0", "--app-id", appID,
			"--data-dir", dirs[i], "--ready-file", filepath.Join(dirs[i], "ready.json"),
			"--cluster-listen", routes[i], "--cluster-peers", strings.Join(routes, ","),
			"--node-timeout", nodeTimeout.String())
	}
	for i, p := range procs {
		p.waitReady(t, filepath.Join(dirs[i], "ready.json"), 120*time.Second)
	}
	var ids []string
	for _, p := range procs {
		pollUntil(t, 20*time.Second, "node id", func() bool { return selfID(p.ready.HTTP) != "" })
		ids = append(ids, selfID(p.ready.HTTP))
	}
	slices.Sort(ids)
	for i, p := range procs {
		pollUntil(t, 20*time.Second, fmt.Sprintf("node %d lists the three nodes", i), func() bool {
			return slices.Equal(liveNodes(p.ready.HTTP), ids)
		})
	}

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	login := func(p *serveProcess, user string, h rtm.ClientHandler) *rtm.Client {
		c, err := rtm.NewClient(rtm.ClientConfig{ServerURL: p.ready.HTTP, AppID: appID, Handler: h})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		if err := c.Login(ctx, "", user); err != nil {
			t.Fatalf("login %s: %v", user, err)
		}
		return c
	}
	bob := &msgRecorder{}
	alice := login(procs[0], "alice", nil)
	login(procs[1], "bob", bob)
	login(procs[2], "dora", nil)

	const n = 80
	sent := make(chan error, 1)
	go func() {
		for i := range n {
			code, err := alice.SendMessageToPeer(ctx, "bob", rtm.NewTextMessage(fmt.Sprint("m", i)), nil)
			if err == nil && code != protocol.RTMPeerMessageOK {
				err = fmt.Errorf("message %d: %s", i, code)
			}
			if err != nil {
				sent <- err
				return
			}
			time.Sleep(25 * time.Millisecond)
		}
		sent <- nil
	}()
	pollUntil(t, 20*time.Second, "bob receives the stream", func() bool { return len(bob.list()) >= 5 })
	killed := selfID(procs[2].ready.HTTP)
	if err := procs[2].cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	<-procs[2].exited
	procs[2].exited <- nil
	alive := slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return id == killed })
	for i := range 2 {
		pollUntil(t, 30*time.Second, fmt.Sprintf("node %d marks the killed node dead", i), func() bool {
			return slices.Equal(liveNodes(procs[i].ready.HTTP), alive)
		})
	}
	d := time.Since(start)
	t.Logf("SIGKILLed node marked dead by both others after %v (node timeout %v)", d, nodeTimeout)
	if d > nodeTimeout+2*time.Second {
		t.Errorf("killed node marked dead after %v, node timeout %v", d, nodeTimeout)
	}
	select {
	case err := <-sent:
		if err != nil {
			t.Fatalf("alice's stream: %v", err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("alice's stream did not end within 60 s")
	}
	pollUntil(t, 20*time.Second, "bob gets every message", func() bool { return len(bob.list()) >= n })
	got := bob.list()
	if len(got) != n {
		t.Fatalf("bob got %d messages, want %d: %v", len(got), n, got)
	}
	for i, m := range got {
		if m != fmt.Sprint("alice m", i) {
			t.Fatalf("message %d is %q: lost, repeated or out of order", i, m)
		}
	}
}

// A node given cluster peers but no secret refuses to start, naming the
// setting.
func TestServeClusterPeersWithoutSecret(t *testing.T) {
	p := startServe(t, nil, "--listen", "127.0.0.1:0", "--media-port", "0", "--data-dir", t.TempDir(),
		"--cluster-listen", "127.0.0.1:0", "--cluster-peers", "127.0.0.1:1")
	select {
	case err := <-p.exited:
		p.exited <- err
		if err == nil || !strings.Contains(p.stderr.String(), "cluster.secret") {
			t.Errorf("exit %v; stderr %s", err, p.stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the server started without a cluster secret")
	}
}
