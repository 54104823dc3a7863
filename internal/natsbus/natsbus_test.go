package natsbus

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nkeys"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

const testToken = "natsbus-test-token-0123456789"

func TestEmbeddedAndExternal(t *testing.T) {
	ctx := testCtx(t)
	// An embedded server that also listens, and a second bus using it as
	// its external URL: both see the same bucket.
	a, err := Open(ctx, Config{Server: ServerConfig{StoreDir: t.TempDir(), Listen: "127.0.0.1:0", Credentials: Credentials{Token: testToken}}, Name: "a"})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if !a.Embedded() || a.ClientURL() == "" {
		t.Fatalf("embedded = %v, url %q", a.Embedded(), a.ClientURL())
	}
	b, err := Open(ctx, Config{URL: a.ClientURL(), Credentials: Credentials{Token: testToken}, Name: "b"})
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
	b, err := Open(testCtx(t), Config{Server: ServerConfig{StoreDir: t.TempDir(), Credentials: Credentials{Token: testToken}}})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if b.ClientURL() != "" {
		t.Errorf("in-process server listens on %s", b.ClientURL())
	}
	if _, err := Open(testCtx(t), Config{Server: ServerConfig{Credentials: Credentials{Token: testToken}}}); !errors.Is(err, ErrNoStoreDir) {
		t.Errorf("Open without store dir: %v", err)
	}
	if _, err := Open(testCtx(t), Config{Server: ServerConfig{StoreDir: t.TempDir()}}); !errors.Is(err, ErrCredentials) {
		t.Errorf("Open without credentials: %v", err)
	}
}

// The embedded server's listener refuses clients without the configured
// credentials, whichever kind is configured.
func TestAnonymousRefused(t *testing.T) {
	cases := []struct {
		name  string
		creds Credentials
		good  []nats.Option
		wrong []nats.Option
	}{
		{"token", Credentials{Token: testToken}, []nats.Option{nats.Token(testToken)}, []nats.Option{nats.Token("guess")}},
		{"user", Credentials{User: "cohost", Password: "pw-0123456789"}, []nats.Option{nats.UserInfo("cohost", "pw-0123456789")},
			[]nats.Option{nats.UserInfo("cohost", "guess")}},
	}
	user, err := nkeys.CreateUser()
	if err != nil {
		t.Fatal(err)
	}
	seed, _ := user.Seed()
	seedFile := filepath.Join(t.TempDir(), "user.nk")
	if err := os.WriteFile(seedFile, seed, 0o600); err != nil {
		t.Fatal(err)
	}
	other, _ := nkeys.CreateUser()
	otherSeed, _ := other.Seed()
	otherFile := filepath.Join(t.TempDir(), "other.nk")
	if err := os.WriteFile(otherFile, otherSeed, 0o600); err != nil {
		t.Fatal(err)
	}
	good, err := nats.NkeyOptionFromSeed(seedFile)
	if err != nil {
		t.Fatal(err)
	}
	wrong, err := nats.NkeyOptionFromSeed(otherFile)
	if err != nil {
		t.Fatal(err)
	}
	cases = append(cases, struct {
		name  string
		creds Credentials
		good  []nats.Option
		wrong []nats.Option
	}{"nkey", Credentials{NKeySeedFile: seedFile}, []nats.Option{good}, []nats.Option{wrong}})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, err := Open(testCtx(t), Config{Server: ServerConfig{StoreDir: t.TempDir(), Listen: "127.0.0.1:0", Credentials: tc.creds}})
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			for what, opts := range map[string][]nats.Option{"anonymous": nil, "wrong": tc.wrong} {
				nc, err := nats.Connect(b.ClientURL(), append(opts, nats.MaxReconnects(0))...)
				if err == nil {
					nc.Close()
					t.Errorf("%s client accepted", what)
				} else if !errors.Is(err, nats.ErrAuthorization) {
					t.Errorf("%s client: %v, want an authorization violation", what, err)
				}
			}
			nc, err := nats.Connect(b.ClientURL(), tc.good...)
			if err != nil {
				t.Fatalf("client with the credentials: %v", err)
			}
			nc.Close()
		})
	}
}

// freeAddrs returns n free 127.0.0.1 TCP addresses.
func freeAddrs(t *testing.T, n int) []string {
	var out []string
	var lns []net.Listener
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		lns = append(lns, ln)
		out = append(out, ln.Addr().String())
	}
	for _, ln := range lns {
		_ = ln.Close()
	}
	return out
}

// openCluster starts three embedded servers routed to each other (buckets
// replicated three times), closed when the test ends.
func openCluster(ctx context.Context, t *testing.T) []*Bus {
	t.Helper()
	const secret = "cluster-secret-0123456789"
	routes := freeAddrs(t, 3)
	buses := make([]*Bus, 3)
	errs := make([]error, 3)
	var wg sync.WaitGroup
	for i := range buses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buses[i], errs[i] = Open(ctx, Config{Replicas: 3, Name: fmt.Sprint("n", i), Server: ServerConfig{
				Name: fmt.Sprint("n", i), StoreDir: t.TempDir(), Credentials: Credentials{Token: secret},
				Cluster: Cluster{Listen: routes[i], Peers: routes, Secret: secret},
			}})
		}()
	}
	wg.Wait()
	for i, b := range buses {
		if b != nil {
			t.Cleanup(b.Close)
		}
		if errs[i] != nil {
			t.Fatalf("node %d: %v", i, errs[i])
		}
	}
	return buses
}

// Three embedded servers given each other as peers form one NATS cluster:
// a bucket replicated three times is written on one and read on another,
// and still written and read after one server stops.
func TestEmbeddedCluster(t *testing.T) {
	ctx := testCtx(t)
	buses := openCluster(ctx, t)
	kv0, err := buses[0].KeyValue(ctx, jetstream.KeyValueConfig{Bucket: "R3"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kv0.Put(ctx, "k", []byte("v1")); err != nil {
		t.Fatal(err)
	}
	kv1, err := buses[1].JS.KeyValue(ctx, "R3")
	if err != nil {
		t.Fatal(err)
	}
	st, err := kv1.Status(ctx)
	if err != nil || st.(*jetstream.KeyValueBucketStatus).StreamInfo().Config.Replicas != 3 {
		t.Fatalf("bucket status %v, %v", st, err)
	}
	buses[0].Close()
	// Each try has its own 2 s: a write sent while the stream elects a
	// new leader may never be acknowledged, and must not use up the test's
	// whole context.
	deadline := time.Now().Add(30 * time.Second)
	for {
		tctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		_, err := kv1.Put(tctx, "k", []byte("v2"))
		cancel()
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("write after the loss of one server: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	kv2, err := buses[2].JS.KeyValue(ctx, "R3")
	if err != nil {
		t.Fatal(err)
	}
	for {
		tctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		e, err := kv2.Get(tctx, "k")
		cancel()
		if err == nil && string(e.Value()) == "v2" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("read on the third server: %v, %v", e, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// A route without the cluster secret is refused: a server with the wrong
// secret never joins, and a server given peers without secret does not
// start.
func TestClusterRoutesNeedSecret(t *testing.T) {
	routes := freeAddrs(t, 2)
	a, err := StartServer(ServerConfig{Name: "a", StoreDir: t.TempDir(), Credentials: Credentials{Token: testToken},
		Cluster: Cluster{Listen: routes[0], Peers: routes, Secret: "right-secret-0123456789"}})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { a.Shutdown(); a.WaitForShutdown() }()
	b, err := StartServer(ServerConfig{Name: "b", StoreDir: t.TempDir(), Credentials: Credentials{Token: testToken},
		Cluster: Cluster{Listen: routes[1], Peers: routes, Secret: "wrong-secret-0123456789"}})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { b.Shutdown(); b.WaitForShutdown() }()
	time.Sleep(1500 * time.Millisecond) // several route attempts; none may succeed
	if a.NumRoutes() != 0 || b.NumRoutes() != 0 {
		t.Errorf("routes with a wrong secret: %d, %d", a.NumRoutes(), b.NumRoutes())
	}
	if _, err := StartServer(ServerConfig{StoreDir: t.TempDir(), Credentials: Credentials{Token: testToken},
		Cluster: Cluster{Listen: "127.0.0.1:0", Peers: routes}}); !errors.Is(err, ErrNoClusterSecret) {
		t.Errorf("peers without secret: %v", err)
	}
	if _, err := StartServer(ServerConfig{StoreDir: t.TempDir(), Credentials: Credentials{Token: testToken},
		Cluster: Cluster{Listen: routes[0], Peers: routes[:1], Secret: "right-secret-0123456789"}}); !errors.Is(err, ErrNoPeers) {
		t.Errorf("a cluster of one: %v", err)
	}
}
