package rtm_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/cohost-rtc/cohost/internal/config"
	"github.com/cohost-rtc/cohost/internal/servertest"
	"github.com/cohost-rtc/cohost/rtm"
)

// benchNodes starts one or two nodes (two on a standalone NATS server)
// with the rate limits lifted.
func benchNodes(b *testing.B, two bool) (*servertest.Server, *servertest.Server) {
	unlimited := func(c *config.Config) {
		c.RTM.Rates.Messages = "100000000/1s"
		c.RTM.Rates.Requests = "100000000/1s"
	}
	if !two {
		s := servertest.Start(b, unlimited)
		return s, s
	}
	url := servertest.StartNATS(b)
	return servertest.Start(b, servertest.WithNATS(url), unlimited), servertest.Start(b, servertest.WithNATS(url), unlimited)
}

// stamp records when each numbered message arrived.
type stamp struct {
	rtm.BaseClientHandler
	rtm.BaseChannelHandler
	mu   sync.Mutex
	at   map[int]time.Time
	want int
	done chan struct{}
}

func (s *stamp) OnMessageReceived(_ string, m *rtm.Message) {
	i, _ := strconv.Atoi(m.Text)
	s.mu.Lock()
	s.at[i] = time.Now()
	if len(s.at) == s.want {
		close(s.done)
	}
	s.mu.Unlock()
}

func benchClient(b *testing.B, srv *servertest.Server, user string, h rtm.ClientHandler) *rtm.Client {
	c, err := rtm.NewClient(rtm.ClientConfig{ServerURL: srv.URL, AppID: srv.TestAppID, Handler: h})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = c.Close() })
	if err := c.Login(context.Background(), "", user); err != nil {
		b.Fatal(err)
	}
	return c
}

func report(b *testing.B, lat []time.Duration, elapsed time.Duration) {
	slices.Sort(lat)
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "msgs/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}

// BenchmarkPeerMessage: 16 senders' peer messages to one receiver; latency
// is the end-to-end acknowledged round trip (send → OK).
func BenchmarkPeerMessage(b *testing.B) {
	for _, two := range []bool{false, true} {
		b.Run(map[bool]string{false: "oneNode", true: "twoNodes"}[two], func(b *testing.B) {
			sa, sb := benchNodes(b, two)
			rx := &stamp{at: map[int]time.Time{}, want: -1, done: make(chan struct{})}
			benchClient(b, sb, "rx", rx)
			const senders = 16
			clients := make([]*rtm.Client, senders)
			for i := range clients {
				clients[i] = benchClient(b, sa, fmt.Sprint("tx", i), nil)
			}
			lat := make([]time.Duration, b.N)
			var next sync.Mutex
			n := 0
			b.ResetTimer()
			start := time.Now()
			var wg sync.WaitGroup
			for _, c := range clients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						next.Lock()
						i := n
						n++
						next.Unlock()
						if i >= b.N {
							return
						}
						t0 := time.Now()
						if _, err := c.SendMessageToPeer(context.Background(), "rx", rtm.NewTextMessage(strconv.Itoa(i)), nil); err != nil {
							b.Error(err)
							return
						}
						lat[i] = time.Since(t0)
					}
				}()
			}
			wg.Wait()
			elapsed := time.Since(start)
			b.StopTimer()
			report(b, lat, elapsed)
		})
	}
}

// BenchmarkChannelMessage: 16 senders' channel messages to a channel with
// one other member; latency is send → the member's callback.
func BenchmarkChannelMessage(b *testing.B) {
	for _, two := range []bool{false, true} {
		b.Run(map[bool]string{false: "oneNode", true: "twoNodes"}[two], func(b *testing.B) {
			sa, sb := benchNodes(b, two)
			rx := &stamp{at: map[int]time.Time{}, want: b.N, done: make(chan struct{})}
			rc := benchClient(b, sb, "rx", nil)
			ch, _ := rc.CreateChannel("bench", rx)
			if err := ch.Join(context.Background()); err != nil {
				b.Fatal(err)
			}
			const senders = 16
			chans := make([]*rtm.Channel, senders)
			for i := range chans {
				c := benchClient(b, sa, fmt.Sprint("tx", i), nil)
				chans[i], _ = c.CreateChannel("bench", nil)
				if err := chans[i].Join(context.Background()); err != nil {
					b.Fatal(err)
				}
			}
			sent := make([]time.Time, b.N)
			var next sync.Mutex
			n := 0
			b.ResetTimer()
			start := time.Now()
			var wg sync.WaitGroup
			for _, ch := range chans {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						next.Lock()
						i := n
						n++
						if i < b.N {
							sent[i] = time.Now()
						}
						next.Unlock()
						if i >= b.N {
							return
						}
						if err := ch.SendMessage(context.Background(), rtm.NewTextMessage(strconv.Itoa(i))); err != nil {
							b.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
			select {
			case <-rx.done:
			case <-time.After(60 * time.Second):
				b.Fatalf("received %d of %d", len(rx.at), b.N)
			}
			elapsed := time.Since(start)
			b.StopTimer()
			lat := make([]time.Duration, 0, b.N)
			next.Lock()
			rx.mu.Lock()
			for i, at := range rx.at {
				lat = append(lat, at.Sub(sent[i]))
			}
			rx.mu.Unlock()
			next.Unlock()
			report(b, lat, elapsed)
		})
	}
}

// BenchmarkPeerMessageUnderFlood: the latency of one user's peer messages
// (send → acknowledged by the receiver) with the default rate limits, quiet
// and while another user on the same node floods the same receiver as fast
// as it can (8 requests in flight), measured in one run. The flood is
// refused with TOO_OFTEN past 180 messages per 3 s; "flood-msgs/s" is the
// rate the flooder achieved.
func BenchmarkPeerMessageUnderFlood(b *testing.B) {
	for _, flood := range []bool{false, true} {
		b.Run(map[bool]string{false: "quiet", true: "flood"}[flood], func(b *testing.B) {
			srv := servertest.Start(b)
			benchClient(b, srv, "rx", nil)
			tx := benchClient(b, srv, "tx", nil)
			stop := make(chan struct{})
			var wg sync.WaitGroup
			var floodSent int64
			var fmu sync.Mutex
			if flood {
				flooder := benchClient(b, srv, "flooder", nil)
				for range 8 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for {
							select {
							case <-stop:
								return
							default:
							}
							_, _ = flooder.SendMessageToPeer(context.Background(), "rx", rtm.NewTextMessage("flood"), nil)
							fmu.Lock()
							floodSent++
							fmu.Unlock()
						}
					}()
				}
			}
			n := min(b.N, 170) // stay under tx's own limit of 180 per 3 s
			lat := make([]time.Duration, 0, n)
			b.ResetTimer()
			start := time.Now()
			for i := range n {
				t0 := time.Now()
				if _, err := tx.SendMessageToPeer(context.Background(), "rx", rtm.NewTextMessage(strconv.Itoa(i)), nil); err != nil {
					b.Fatalf("message %d refused or lost under flood: %v", i, err)
				}
				lat = append(lat, time.Since(t0))
				time.Sleep(5 * time.Millisecond)
			}
			elapsed := time.Since(start)
			b.StopTimer()
			close(stop)
			wg.Wait()
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
			b.ReportMetric(float64(floodSent)/elapsed.Seconds(), "flood-msgs/s")
		})
	}
}
