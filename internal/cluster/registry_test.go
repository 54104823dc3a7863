package cluster

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"go.uber.org/goleak"

	"github.com/cohost-rtc/cohost/internal/natsbus"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// natsConn starts a NATS server for the test and returns a connection
// factory.
func natsConns(t *testing.T) func() *nats.Conn {
	t.Helper()
	srv, err := natsbus.StartServer(natsbus.ServerConfig{StoreDir: t.TempDir(), Listen: "127.0.0.1:0",
		Credentials: natsbus.Credentials{Token: "registry-test-token"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Shutdown(); srv.WaitForShutdown() })
	return func() *nats.Conn {
		nc, err := nats.Connect(srv.ClientURL(), nats.Token("registry-test-token"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(nc.Close)
		return nc
	}
}

func eventually(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %v: %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func ids(ns []Node) string {
	s := ""
	for _, n := range ns {
		s += string(n.ID) + " "
	}
	return s
}

// Three nodes see each other with what they announce; a killed one is
// dead within the timeout (and not much before it), a closed one is
// forgotten at once.
func TestRegistryMembership(t *testing.T) {
	conn := natsConns(t)
	const timeout = 600 * time.Millisecond
	var events [3]atomic.Int32
	regs := make([]*Registry, 3)
	for i := range regs {
		i := i
		r, err := Start(conn(), Config{
			Self:    Node{SignalURL: fmt.Sprintf("http://127.0.0.1:%d", 7000+i), MediaAddr: fmt.Sprintf("127.0.0.1:%d", 8000+i)},
			Timeout: timeout,
			Load:    func() Load { return Load{Users: 10 * i, PacketsPerSecond: 100} },
			OnEvent: func(ev Event) {
				if ev.Kind == NodeDead {
					events[i].Add(1)
				}
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		regs[i] = r
	}
	defer func() {
		for _, r := range regs {
			r.Close()
		}
	}()
	for i, r := range regs {
		eventually(t, fmt.Sprintf("node %d sees 3 nodes", i), 20*time.Second, func() bool { return len(r.Nodes()) == 3 })
	}
	for _, n := range regs[0].Nodes() {
		if n.ID == regs[2].ID() && (n.SignalURL != "http://127.0.0.1:7002" || n.MediaAddr != "127.0.0.1:8002" || n.Load.Users != 20 || n.Load.PacketsPerSecond != 100) {
			t.Errorf("node 2 as seen by node 0: %+v", n)
		}
	}

	regs[1].SetDraining(true)
	eventually(t, "draining flag seen", 20*time.Second, func() bool {
		for _, n := range regs[0].Nodes() {
			if n.ID == regs[1].ID() {
				return n.Draining
			}
		}
		return false
	})

	killed := regs[2].ID()
	start := time.Now()
	regs[2].Kill()
	eventually(t, "killed node dead", 20*time.Second, func() bool { return !regs[0].Alive(killed) && !regs[1].Alive(killed) })
	if d := time.Since(start); d < timeout/2 {
		t.Errorf("killed node dead after %v, before the timeout %v", d, timeout)
	}
	eventually(t, "dead event", 20*time.Second, func() bool { return events[0].Load() == 1 && events[1].Load() == 1 })
	if got := ids(regs[0].Nodes()); len(regs[0].Nodes()) != 2 {
		t.Errorf("nodes after the kill: %s", got)
	}

	left := regs[1].ID()
	regs[1].Close()
	eventually(t, "closed node forgotten", timeout/2, func() bool { return !regs[0].Alive(left) })
	if events[0].Load() != 1 {
		t.Errorf("a graceful stop was reported as a death")
	}
}

// Garbage on the heartbeat subjects is dropped and counted, and does not
// add nodes.
func TestRegistryDropsMalformed(t *testing.T) {
	conn := natsConns(t)
	var bad atomic.Int32
	r, err := Start(conn(), Config{Timeout: time.Second, OnMalformed: func() { bad.Add(1) }})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	nc := conn()
	for _, m := range []string{"not json", `{"id":""}`, `{"id":5}`, fmt.Sprintf(`{"id":"%0100d"}`, 1)} {
		_ = nc.Publish(SubjectHeartbeat, []byte(m))
	}
	_ = nc.Publish(SubjectBye, []byte("{"))
	_ = nc.Flush()
	eventually(t, "5 malformed counted", 20*time.Second, func() bool { return bad.Load() == 5 })
	if n := len(r.Nodes()); n != 1 {
		t.Errorf("%d nodes after garbage", n)
	}
}
