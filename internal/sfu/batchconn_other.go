//go:build !linux

package sfu

import "net"

// batchConn exists on Linux only (sendmmsg); elsewhere packets are sent
// one by one.
type batchConn struct{ *net.UDPConn }

func newBatchConn(c *net.UDPConn, _ func()) (*batchConn, error) { return &batchConn{c}, nil }

func (b *batchConn) flush() {}
