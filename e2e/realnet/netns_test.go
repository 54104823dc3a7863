package realnet_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// netns is a network namespace joined to the host by a veth pair:
// hostIP on the host's side, nsIP inside.
type netns struct {
	name   string
	hostIf string
	nsIf   string
	hostIP string
	nsIP   string
}

// unavailable skips the test, or fails it in CI, where these tests must
// run.
func unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("CI=1 but "+format, args...)
	}
	t.Skipf(format, args...)
}

func run(args ...string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, args[0], args[1:]...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// newNetns creates a namespace with a /30 link to the host, removed when
// the test ends.
func newNetns(t testing.TB) *netns {
	t.Helper()
	if os.Geteuid() != 0 {
		unavailable(t, "network namespaces need root (uid %d)", os.Geteuid())
	}
	if _, err := exec.LookPath("ip"); err != nil {
		unavailable(t, "no ip(8): %v", err)
	}
	id := fmt.Sprintf("%d%03d", os.Getpid()%10000, rand.IntN(1000))
	subnet := rand.IntN(250) + 1
	n := &netns{name: "cohost" + id, hostIf: "ch" + id, nsIf: "cn" + id,
		hostIP: fmt.Sprintf("10.213.%d.1", subnet), nsIP: fmt.Sprintf("10.213.%d.2", subnet)}
	if err := run("ip", "netns", "add", n.name); err != nil {
		unavailable(t, "cannot create a network namespace: %v", err)
	}
	t.Cleanup(func() {
		_ = run("ip", "link", "del", n.hostIf)
		_ = run("ip", "netns", "del", n.name)
	})
	for _, args := range [][]string{
		{"ip", "link", "add", n.hostIf, "type", "veth", "peer", "name", n.nsIf},
		{"ip", "link", "set", n.nsIf, "netns", n.name},
		{"ip", "addr", "add", n.hostIP + "/30", "dev", n.hostIf},
		{"ip", "link", "set", n.hostIf, "up"},
		{"ip", "-n", n.name, "addr", "add", n.nsIP + "/30", "dev", n.nsIf},
		{"ip", "-n", n.name, "link", "set", n.nsIf, "up"},
		{"ip", "-n", n.name, "link", "set", "lo", "up"},
	} {
		if err := run(args...); err != nil {
			unavailable(t, "cannot set up the namespace's link: %v", err)
		}
	}
	return n
}

// blockUDP drops every UDP packet the namespace sends to the host.
func (n *netns) blockUDP(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("iptables"); err == nil {
		if err := run("ip", "netns", "exec", n.name, "iptables", "-A", "OUTPUT", "-p", "udp", "-d", n.hostIP, "-j", "DROP"); err != nil {
			unavailable(t, "iptables in the namespace: %v", err)
		}
		return
	}
	if _, err := exec.LookPath("nft"); err == nil {
		for _, args := range [][]string{
			{"nft", "add", "table", "inet", "block"},
			{"nft", "add", "chain", "inet", "block", "out", "{ type filter hook output priority 0 ; }"},
			{"nft", "add", "rule", "inet", "block", "out", "ip", "daddr", n.hostIP, "meta", "l4proto", "udp", "drop"},
		} {
			if err := run(append([]string{"ip", "netns", "exec", n.name}, args...)...); err != nil {
				unavailable(t, "nftables in the namespace: %v", err)
			}
		}
		return
	}
	unavailable(t, "neither iptables nor nft is installed (apt-get install iptables)")
}

// limitRate shapes the namespace's egress with a token bucket (tbf).
func (n *netns) limitRate(t *testing.T, rate string) {
	t.Helper()
	if err := run("ip", "netns", "exec", n.name, "tc", "qdisc", "add", "dev", n.nsIf, "root", "tbf",
		"rate", rate, "burst", "32kbit", "latency", "400ms"); err != nil {
		t.Logf("no bandwidth limit (%v); the test runs without it", err)
	}
}

// command runs args inside the namespace.
func (n *netns) command(ctx context.Context, args ...string) *exec.Cmd {
	return exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", n.name}, args...)...)
}
