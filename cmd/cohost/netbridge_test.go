package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/webrtc/v4"
)

// bridgeNet is a set of network namespaces, one per node, each joined by
// a veth pair to a bridge in the test's namespace: node i has address
// 10.214.<subnet>.<i+1>/24, the bridge (where the test's clients are)
// 10.214.<subnet>.254. A node's traffic with the others can be cut with
// firewall rules in its namespace while the test still reaches it.
type bridgeNet struct {
	subnet int
	bridge string
	ns     []string
	hostIf []string
	cutBy  string // "iptables" or "nft", whichever is installed
}

// netCommand runs a command (ip, iptables, nft) with a deadline and
// returns its combined output in the error when it fails.
func netCommand(args ...string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, args[0], args[1:]...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// bridgeUnavailable skips the test, saying why, or fails it in CI (CI set),
// where it must run.
func bridgeUnavailable(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("CI is set but "+format, args...)
	}
	t.Skipf(format, args...)
}

// newBridgeNet creates n namespaces joined by a bridge, removed when the
// test ends. Without root, ip(8) network namespaces, or iptables/nft, it
// skips the test (fails it in CI), saying why.
func newBridgeNet(t *testing.T, n int) *bridgeNet {
	t.Helper()
	if os.Geteuid() != 0 {
		bridgeUnavailable(t, "network namespaces need root (uid %d)", os.Geteuid())
	}
	if _, err := exec.LookPath("ip"); err != nil {
		bridgeUnavailable(t, "no ip(8) for network namespaces: %v", err)
	}
	b := &bridgeNet{subnet: rand.IntN(250) + 1}
	for _, tool := range []string{"iptables", "nft"} {
		if _, err := exec.LookPath(tool); err == nil {
			b.cutBy = tool
			break
		}
	}
	if b.cutBy == "" {
		bridgeUnavailable(t, "neither iptables nor nft is installed to cut a node's traffic (apt-get install iptables)")
	}
	id := fmt.Sprintf("%d%03d", os.Getpid()%10000, rand.IntN(1000))
	b.bridge = "cpb" + id
	if err := netCommand("ip", "link", "add", b.bridge, "type", "bridge"); err != nil {
		bridgeUnavailable(t, "cannot create a bridge: %v", err)
	}
	t.Cleanup(func() { _ = netCommand("ip", "link", "del", b.bridge) })
	for _, args := range [][]string{
		{"ip", "addr", "add", b.hostIP() + "/24", "dev", b.bridge},
		{"ip", "link", "set", b.bridge, "up"},
	} {
		if err := netCommand(args...); err != nil {
			t.Fatalf("bridge: %v", err)
		}
	}
	for i := range n {
		ns, hostIf, nsIf := fmt.Sprintf("cohostp%s%d", id, i), fmt.Sprintf("cph%s%d", id, i), fmt.Sprintf("cpn%s%d", id, i)
		if err := netCommand("ip", "netns", "add", ns); err != nil {
			bridgeUnavailable(t, "cannot create a network namespace (ip netns): %v", err)
		}
		b.ns = append(b.ns, ns)
		b.hostIf = append(b.hostIf, hostIf)
		t.Cleanup(func() {
			_ = netCommand("ip", "link", "del", hostIf)
			_ = netCommand("ip", "netns", "del", ns)
		})
		for _, args := range [][]string{
			{"ip", "link", "add", hostIf, "type", "veth", "peer", "name", nsIf},
			{"ip", "link", "set", nsIf, "netns", ns},
			{"ip", "link", "set", hostIf, "master", b.bridge},
			{"ip", "link", "set", hostIf, "up"},
			{"ip", "-n", ns, "addr", "add", b.IP(i) + "/24", "dev", nsIf},
			{"ip", "-n", ns, "link", "set", nsIf, "up"},
			{"ip", "-n", ns, "link", "set", "lo", "up"},
		} {
			if err := netCommand(args...); err != nil {
				t.Fatalf("namespace %d: %v", i, err)
			}
		}
	}
	return b
}

// IP is node i's address.
func (b *bridgeNet) IP(i int) string { return fmt.Sprintf("10.214.%d.%d", b.subnet, i+1) }

// hostIP is the bridge's address, from which the test's clients reach
// the nodes.
func (b *bridgeNet) hostIP() string { return fmt.Sprintf("10.214.%d.254", b.subnet) }

// prefix is the command prefix that runs a program in node i's namespace.
func (b *bridgeNet) prefix(i int) []string { return []string{"ip", "netns", "exec", b.ns[i]} }

// cutRules are the firewall commands, run in node i's namespace, that
// drop every packet between node i and the other nodes (add) or remove
// that drop (!add). The bridge's address, where the clients are, stays
// reachable.
func (b *bridgeNet) cutRules(i int, add bool) [][]string {
	var cmds [][]string
	if b.cutBy == "nft" {
		if !add {
			return [][]string{{"nft", "delete", "table", "inet", "cohostcut"}}
		}
		cmds = append(cmds,
			[]string{"nft", "add", "table", "inet", "cohostcut"},
			[]string{"nft", "add", "chain", "inet", "cohostcut", "in", "{ type filter hook input priority 0 ; }"},
			[]string{"nft", "add", "chain", "inet", "cohostcut", "out", "{ type filter hook output priority 0 ; }"})
	}
	op := "-A"
	if !add {
		op = "-D"
	}
	for j := range b.ns {
		if j == i {
			continue
		}
		if b.cutBy == "nft" {
			cmds = append(cmds,
				[]string{"nft", "add", "rule", "inet", "cohostcut", "in", "ip", "saddr", b.IP(j), "drop"},
				[]string{"nft", "add", "rule", "inet", "cohostcut", "out", "ip", "daddr", b.IP(j), "drop"})
			continue
		}
		cmds = append(cmds,
			[]string{"iptables", op, "INPUT", "-s", b.IP(j), "-j", "DROP"},
			[]string{"iptables", op, "OUTPUT", "-d", b.IP(j), "-j", "DROP"})
	}
	return cmds
}

// cut drops every packet between node i and the other nodes.
func (b *bridgeNet) cut(t *testing.T, i int) {
	t.Helper()
	for _, args := range b.cutRules(i, true) {
		if err := netCommand(append(b.prefix(i), args...)...); err != nil {
			t.Fatalf("cut node %d: %v", i, err)
		}
	}
}

// heal removes the rules cut added.
func (b *bridgeNet) heal(t *testing.T, i int) {
	t.Helper()
	for _, args := range b.cutRules(i, false) {
		if err := netCommand(append(b.prefix(i), args...)...); err != nil {
			t.Fatalf("heal node %d: %v", i, err)
		}
	}
}

// settings returns Pion settings that keep a client's media on the
// bridge: UDP4 candidates on its subnet only, no mDNS.
func (b *bridgeNet) settings() *webrtc.SettingEngine {
	_, subnet, _ := net.ParseCIDR(b.hostIP() + "/24")
	se := &webrtc.SettingEngine{}
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetIPFilter(func(ip net.IP) bool { return subnet.Contains(ip) })
	return se
}
