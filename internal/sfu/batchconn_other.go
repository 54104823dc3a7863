//go:build !linux

package sfu

import (
	"net"
	"net/netip"
)

// batchConn exists on Linux only (sendmmsg); elsewhere packets are sent
// one by one, and nothing is queued or dropped.
type batchConn struct{ *net.UDPConn }

func newBatchConn(c *net.UDPConn, _ *Stats, _ int) (*batchConn, error) { return &batchConn{c}, nil }

func (b *batchConn) flush() {}

func (b *batchConn) dropped(netip.AddrPort) uint64 { return 0 }
