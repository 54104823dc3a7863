package natsbus

import (
	"context"
	"fmt"
	"time"
)

// stepDownPoll is how often StepDown checks whether the streams it gave up
// have a leader elsewhere.
const stepDownPoll = 20 * time.Millisecond

// StepDown moves the leadership of every JetStream stream (key-value
// buckets included) that the embedded server leads to another server of
// its cluster, and waits, within ctx, until each has a leader elsewhere.
// A node about to stop calls it first: otherwise the streams it led wait
// for an election once its server is gone, and every write to them (a
// channel's lease, for one) waits with them. It returns the number of
// streams moved; nothing to do (no embedded server, not clustered, or no
// route to another server, which could lead): 0, nil.
func (b *Bus) StepDown(ctx context.Context) (int, error) {
	if b.srv == nil || !b.srv.JetStreamIsClustered() || b.srv.NumRoutes() == 0 {
		return 0, nil
	}
	acc := b.srv.GlobalAccount().Name
	var led []string
	names := b.JS.StreamNames(ctx)
	for name := range names.Name() {
		if b.srv.JetStreamIsStreamLeader(acc, name) {
			led = append(led, name)
		}
	}
	if err := names.Err(); err != nil {
		return 0, fmt.Errorf("natsbus: step down: listing streams: %w", err)
	}
	for _, name := range led {
		if err := b.srv.JetStreamStepdownStream(acc, name); err != nil {
			return 0, fmt.Errorf("natsbus: step down: stream %s: %w", name, err)
		}
	}
	for _, name := range led {
		if err := b.waitLeader(ctx, name); err != nil {
			return len(led), err
		}
	}
	return len(led), nil
}

// waitLeader waits until stream name has a leader other than this server,
// or no other server is reachable any more (its peers stopped meanwhile:
// nobody can lead it).
func (b *Bus) waitLeader(ctx context.Context, name string) error {
	js, self := b.JS, b.srv.Name()
	t := time.NewTicker(stepDownPoll)
	defer t.Stop()
	for {
		if b.srv.NumRoutes() == 0 {
			return fmt.Errorf("natsbus: step down: stream %s: no other server is reachable", name)
		}
		ictx, cancel := context.WithTimeout(ctx, 250*time.Millisecond)
		st, err := js.Stream(ictx, name) // asks for the stream's info
		cancel()
		if err == nil {
			if info := st.CachedInfo(); info.Cluster != nil && info.Cluster.Leader != "" && info.Cluster.Leader != self {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("natsbus: step down: stream %s has no other leader yet: %w", name, ctx.Err())
		case <-t.C:
		}
	}
}
