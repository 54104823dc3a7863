// Package realnet holds tests in real network conditions: a client in a
// network namespace whose UDP to the server is dropped by iptables still
// gets the host's media, through the server's TURN relay over TCP or TLS.
// They need root, ip(8) and iptables; without them they skip, except in
// CI (CI=1), where they fail. BenchmarkTBFLink records what a viewer
// receives through a bandwidth-limited (tbf) link (docs/benchmarks.md).
package realnet
