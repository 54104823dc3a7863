package natsbus

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestEmbeddedAndExternal(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	// An embedded server that also listens, and a second bus using it as
	// its external URL: both see the same bucket.
	a, err := Open(Config{StoreDir: t.TempDir(), Listen: "127.0.0.1:0", Name: "a"})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if !a.Embedded() || a.ClientURL() == "" {
		t.Fatalf("embedded = %v, url %q", a.Embedded(), a.ClientURL())
	}
	b, err := Open(Config{URL: a.ClientURL(), Name: "b"})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	kva, err := a.KeyValue(ctx, jetstream.KeyValueConfig{Bucket: "T"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kva.Put(ctx, "k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	kvb, err := b.KeyValue(ctx, jetstream.KeyValueConfig{Bucket: "T"})
	if err != nil {
		t.Fatal(err)
	}
	e, err := kvb.Get(ctx, "k")
	if err != nil || string(e.Value()) != "v" {
		t.Fatalf("get = %v, %v", e, err)
	}
}

func TestInProcessOnly(t *testing.T) {
	b, err := Open(Config{StoreDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if b.ClientURL() != "" {
		t.Errorf("in-process server listens on %s", b.ClientURL())
	}
	if _, err := Open(Config{}); err == nil {
		t.Error("Open without store dir succeeded")
	}
}
