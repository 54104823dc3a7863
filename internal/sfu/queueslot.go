package sfu

import "net/netip"

// slotConn is a media socket whose send queue a packet can be built in
// (the batched socket on Linux): a fan-out encrypts each subscriber's copy
// straight into the slot it is sent from, instead of into a buffer that is
// then copied into the queue.
type slotConn interface {
	// reserveSlot returns a slot for one packet to addr. ok is false when
	// packets to addr are not queued here (the caller writes with
	// WriteToAddrPort); a slot with a nil buf means addr's queue is full
	// and the packet is dropped, as WriteToAddrPort would drop it.
	reserveSlot(addr netip.AddrPort) (slot queueSlot, ok bool, err error)
}

// slotQueue is the queue a reserved slot belongs to.
type slotQueue interface {
	commit(i int32, n int) error
	cancel(i int32)
}

// queueSlot is a reserved packet slot: its owner fills buf and then
// commits the first n bytes, or cancels it. Until then it is the owner's
// alone.
type queueSlot struct {
	buf []byte
	q   slotQueue
	i   int32
}

// commit queues the slot's first n bytes for sending.
func (s queueSlot) commit(n int) error { return s.q.commit(s.i, n) }

// cancel gives the slot back unsent.
func (s queueSlot) cancel() { s.q.cancel(s.i) }

// reserveSlot reserves in the socket under the split unless addr is an
// ICE-TCP client's, whose packets go down its connection.
func (c splitConn) reserveSlot(addr netip.AddrPort) (queueSlot, bool, error) {
	sc, ok := c.addrPortConn.(slotConn)
	if !ok || c.s.has(canonical(addr)) {
		return queueSlot{}, false, nil
	}
	return sc.reserveSlot(addr)
}
