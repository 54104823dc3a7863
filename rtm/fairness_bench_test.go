package rtm_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cohost-rtc/cohost/internal/servertest"
	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/rtm"
)

// Orders of the load process BenchmarkBystanderUnderUsersLoad starts.
const (
	envLoad      = "COHOST_RTM_LOAD"
	envLoadURL   = "COHOST_RTM_LOAD_URL"
	envLoadApp   = "COHOST_RTM_LOAD_APP"
	envLoadUsers = "COHOST_RTM_LOAD_USERS"
)

// loadUsers is the number of users that send as much as their own rate
// limit allows (180 peer messages per 3 s by default), each to its own
// receiver, with messages of loadBytes.
const (
	loadUsers = 10
	loadBytes = 16 << 10
)

// BenchmarkBystanderUnderUsersLoad: a bystander's peer message round trip
// (send → acknowledged by its receiver) with the default rate limits,
// quiet and while ten other users on the same node each send as much as
// their own limit allows (a burst of 180 messages of 16 KB, then 60 per
// second). The load runs in its own process, so that it does not share the
// bystander's process; both share the machine. Run with -benchtime 300x.
func BenchmarkBystanderUnderUsersLoad(b *testing.B) {
	for _, load := range []bool{false, true} {
		b.Run(map[bool]string{false: "quiet", true: "load"}[load], func(b *testing.B) {
			srv := servertest.Start(b)
			benchClient(b, srv, "rx", nil)
			tx := benchClient(b, srv, "tx", nil)
			var sent func() int
			if load {
				sent = startLoad(b, srv)
			}
			n := min(b.N, 170) // stay under tx's own limit of 180 per 3 s
			lat := make([]time.Duration, 0, n)
			var ru0 syscall.Rusage
			_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
			w0 := time.Now()
			b.ResetTimer()
			for i := range n {
				t0 := time.Now()
				if _, err := tx.SendMessageToPeer(context.Background(), "rx", rtm.NewTextMessage(strconv.Itoa(i)), nil); err != nil {
					b.Fatalf("message %d refused or lost: %v", i, err)
				}
				lat = append(lat, time.Since(t0))
				time.Sleep(10 * time.Millisecond)
			}
			b.StopTimer()
			// The CPU of this process (the server and the bystander's
			// clients) over the run, in % of one core.
			var ru1 syscall.Rusage
			_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
			cpu := time.Duration(ru1.Utime.Nano() + ru1.Stime.Nano() - ru0.Utime.Nano() - ru0.Stime.Nano())
			b.ReportMetric(100*cpu.Seconds()/time.Since(w0).Seconds(), "srv-cpu-%")
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
			if sent != nil {
				b.ReportMetric(float64(sent()), "load-acked")
			}
		})
	}
}

// startLoad starts the load process on srv and waits until its users
// are logged in; the returned function tells how many of the load's
// messages were acknowledged so far.
func startLoad(b *testing.B, srv *servertest.Server) func() int {
	b.Helper()
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, exe, "-test.run=^TestRTMLoadProcess$")
	cmd.Env = append(os.Environ(), envLoad+"=1", envLoadURL+"="+srv.URL, envLoadApp+"="+srv.TestAppID,
		envLoadUsers+"="+strconv.Itoa(loadUsers))
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	var mu sync.Mutex
	acked := 0
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "LOAD-READY":
				close(ready)
			case strings.HasPrefix(line, "LOAD-ACKED "):
				k, _ := strconv.Atoi(strings.TrimPrefix(line, "LOAD-ACKED "))
				mu.Lock()
				acked = k
				mu.Unlock()
			}
		}
	}()
	b.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
	})
	select {
	case <-ready:
	case <-time.After(30 * time.Second):
		b.Fatal("the load process did not log in within 30 s")
	}
	return func() int {
		mu.Lock()
		defer mu.Unlock()
		return acked
	}
}

// TestRTMLoadProcess is the load of BenchmarkBystanderUnderUsersLoad, run
// in its own process; run directly it skips.
func TestRTMLoadProcess(t *testing.T) {
	if os.Getenv(envLoad) == "" {
		t.Skip("the load half of BenchmarkBystanderUnderUsersLoad, started by it")
	}
	users, _ := strconv.Atoi(os.Getenv(envLoadUsers))
	url, app := os.Getenv(envLoadURL), os.Getenv(envLoadApp)
	ctx := context.Background()
	login := func(user string) *rtm.Client {
		c, err := rtm.NewClient(rtm.ClientConfig{ServerURL: url, AppID: app})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Login(ctx, "", user); err != nil {
			t.Fatal(err)
		}
		return c
	}
	var senders []*rtm.Client
	for i := range users {
		login(fmt.Sprintf("load-rx-%d", i))
		senders = append(senders, login(fmt.Sprintf("load-tx-%d", i)))
	}
	fmt.Println("LOAD-READY")
	body := strings.Repeat("x", loadBytes)
	var mu sync.Mutex
	acked := 0
	for i, c := range senders {
		peer := fmt.Sprintf("load-rx-%d", i)
		// 16 requests in flight per user: its whole burst goes out at
		// once, then it sends as fast as its limit refills.
		for range 16 {
			go func() {
				for {
					_, err := c.SendMessageToPeer(ctx, peer, rtm.NewTextMessage(body), nil)
					if err == nil {
						mu.Lock()
						acked++
						fmt.Printf("LOAD-ACKED %d\n", acked)
						mu.Unlock()
						continue
					}
					if rtm.Code(err) == int(protocol.RTMPeerMessageTooOften) {
						time.Sleep(20 * time.Millisecond)
					} else if ctx.Err() == nil {
						time.Sleep(time.Millisecond)
					}
				}
			}()
		}
	}
	select {} // until the benchmark kills the process
}
