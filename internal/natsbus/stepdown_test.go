package natsbus

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// A server that steps down before it stops leaves every stream it led with
// a leader elsewhere: a write right after it stops is answered at once,
// without waiting for an election.
func TestStepDownMovesLeaders(t *testing.T) {
	ctx := testCtx(t)
	buses := openCluster(ctx, t)
	kv, err := buses[0].KeyValue(ctx, jetstream.KeyValueConfig{Bucket: "R3"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Put(ctx, "k", []byte("v1")); err != nil {
		t.Fatal(err)
	}
	leader := -1
	waitUntil(t, "the bucket has a leader", func() bool {
		for i, b := range buses {
			if b.srv.JetStreamIsStreamLeader(b.srv.GlobalAccount().Name, "KV_R3") {
				leader = i
				return true
			}
		}
		return false
	})
	other := buses[(leader+1)%3]
	if n, err := other.StepDown(ctx); err != nil || n != 0 {
		t.Errorf("a server leading nothing moved %d streams: %v", n, err)
	}
	n, err := buses[leader].StepDown(ctx)
	if err != nil || n < 1 {
		t.Fatalf("the leader moved %d streams: %v", n, err)
	}
	if buses[leader].srv.JetStreamIsStreamLeader(buses[leader].srv.GlobalAccount().Name, "KV_R3") {
		t.Fatal("the server still leads the bucket after stepping down")
	}
	buses[leader].Close()
	okv, err := other.JS.KeyValue(ctx, "R3")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	wctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if _, err := okv.Put(wctx, "k", []byte("v2")); err != nil {
		t.Fatalf("the first write after the leader stopped: %v", err)
	}
	t.Logf("first write after the former leader stopped: %v", time.Since(start).Round(time.Millisecond))
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after 20 s: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
