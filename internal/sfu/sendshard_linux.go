package sfu

import (
	"errors"
	"net"
	"net/netip"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// sweepInterval is how often a shard forgets destinations with nothing
// queued that were not written to for the last two intervals.
const sweepInterval = 10 * time.Second

// sendShard is one sender goroutine with its queue: a pool of packet slots
// shared by its destinations, each destination a FIFO list of slots, and a
// list of destinations with packets ready to send. mu guards the queue;
// the sender holds it only to take a batch and to give its slots back,
// never during the system call.
type sendShard struct {
	raw   syscall.RawConn
	v6    bool
	stats *Stats

	// mem holds the slots' packet bytes, slotSize each (mapSlotMemory):
	// mapped outside the Go heap when mapped, and given back once the
	// shard is closed, its sender has stopped and no slot is reserved.
	mem    []byte
	mapped bool

	mu       sync.Mutex
	drain    *sync.Cond // signalled when queued reaches 0
	slots    []sendSlot
	reserved int     // slots reserved and not yet committed or cancelled
	free     []int32 // free slot indices
	dests    map[netip.AddrPort]*destQueue
	ready    []*destQueue // destinations with packets to send, in order
	queued   int          // slots in use (queued or being sent)
	tick     uint32       // sweep count, stamps destinations' last write
	stall    func(netip.AddrPort) bool
	closed   bool
	wake     chan struct{} // the sender waits on it when ready is empty
	done     chan struct{}

	// owned by the sender goroutine
	batch [sendBatch]int32
	hdrs  [sendBatch]unix.Mmsghdr
	iovs  [sendBatch]unix.Iovec
	names [sendBatch]unix.RawSockaddrInet6
	// arguments and results of sendmmsgFn, which raw.Write calls: kept
	// here so that the call allocates nothing.
	sendmmsgFn func(fd uintptr) bool
	from, cnt  int
	sent       uintptr
	errno      syscall.Errno
}

// sendSlot is one queued packet; its bytes are in the shard's mem
// (slotBuf).
type sendSlot struct {
	n    int
	next int32 // next slot of the same destination, -1 at the tail
	dest *destQueue
}

// destQueue is one destination's FIFO of slots.
type destQueue struct {
	addr       netip.AddrPort
	head, tail int32 // -1 when nothing waits to be sent
	n          int   // slots held (waiting or being sent)
	inReady    bool
	seen       uint32 // shard tick of the last write
	dropped    uint64
}

func newSendShard(raw syscall.RawConn, v6 bool, stats *Stats) *sendShard {
	s := &sendShard{raw: raw, v6: v6, stats: stats, slots: make([]sendSlot, shardSlots), free: make([]int32, shardSlots),
		dests: map[netip.AddrPort]*destQueue{}, wake: make(chan struct{}, 1), done: make(chan struct{})}
	s.mem, s.mapped = mapSlotMemory(shardSlots * slotSize)
	for i := range s.free {
		s.free[i] = int32(shardSlots - 1 - i)
	}
	s.drain = sync.NewCond(&s.mu)
	for i := range s.hdrs {
		s.hdrs[i].Hdr.Iov = &s.iovs[i]
		s.hdrs[i].Hdr.SetIovlen(1)
		s.hdrs[i].Hdr.Name = (*byte)(unsafe.Pointer(&s.names[i]))
	}
	s.sendmmsgFn = s.sendmmsg
	go s.run()
	return s
}

// enqueue copies p into a slot for addr, or drops it when addr's queue or
// the shard is full.
func (s *sendShard) enqueue(p []byte, addr netip.AddrPort) (int, error) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return 0, net.ErrClosed
	}
	i := s.claimLocked(addr)
	if i < 0 {
		s.mu.Unlock()
		s.stats.EgressDropped.Add(1)
		return len(p), nil
	}
	s.slots[i].n = copy(s.slotBuf(i), p)
	s.appendLocked(i)
	s.mu.Unlock()
	return len(p), nil
}

// reserve takes a slot for one packet to addr, which the caller fills
// outside the lock and then commits (or cancels): a packet is built in
// the queue instead of copied into it. It returns -1 when addr's queue or
// the shard is full (the packet is counted as dropped). A reserved slot
// counts against addr's queue and keeps flush waiting.
func (s *sendShard) reserve(addr netip.AddrPort) (int32, error) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return -1, net.ErrClosed
	}
	i := s.claimLocked(addr)
	if i >= 0 {
		s.reserved++
	}
	s.mu.Unlock()
	if i < 0 {
		s.stats.EgressDropped.Add(1)
	}
	return i, nil
}

// slotBuf is slot i's packet memory. A slot's bytes are its holder's: the
// enqueuer's under mu, a reserver's until it commits or cancels, the
// sender's while the slot is in its batch.
func (s *sendShard) slotBuf(i int32) []byte {
	off := int(i) * slotSize
	return s.mem[off : off+slotSize : off+slotSize]
}

// unreserveLocked ends a reservation; the slot memory goes back to the
// system once the shard is closed, its sender stopped and the last
// reservation ended. Called with mu held.
func (s *sendShard) unreserveLocked() {
	s.reserved--
	s.releaseMemoryLocked()
}

// releaseMemoryLocked unmaps the slot memory when nothing can touch it
// any more. Called with mu held.
func (s *sendShard) releaseMemoryLocked() {
	if !s.closed || s.reserved > 0 || s.mem == nil {
		return
	}
	select {
	case <-s.done: // the sender has returned
	default:
		return
	}
	if s.mapped {
		unmapSlotMemory(s.mem)
	}
	s.mem = nil
}

// commit queues reserved slot i, filled with n bytes, behind its
// destination's earlier packets.
func (s *sendShard) commit(i int32, n int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.unreserveLocked()
	if s.closed {
		s.freeLocked(i)
		return net.ErrClosed
	}
	s.slots[i].n = n
	s.appendLocked(i)
	return nil
}

// cancel gives reserved slot i back unsent.
func (s *sendShard) cancel(i int32) {
	s.mu.Lock()
	s.freeLocked(i)
	s.unreserveLocked()
	s.mu.Unlock()
}

// claimLocked takes a free slot for addr and counts it in addr's queue,
// or returns -1 (counted in addr's drops) when addr's queue or the shard
// is full. Called with mu held.
func (s *sendShard) claimLocked(addr netip.AddrPort) int32 {
	d := s.dests[addr]
	if d == nil {
		d = &destQueue{addr: addr, head: -1, tail: -1}
		s.dests[addr] = d
	}
	d.seen = s.tick
	if d.n >= destSlots || len(s.free) == 0 {
		d.dropped++
		return -1
	}
	i := s.free[len(s.free)-1]
	s.free = s.free[:len(s.free)-1]
	sl := &s.slots[i]
	sl.next = -1
	sl.dest = d
	d.n++
	s.queued++
	return i
}

// appendLocked puts claimed slot i at the tail of its destination's FIFO
// and the destination in the ready list, waking the sender if it was
// empty. Called with mu held.
func (s *sendShard) appendLocked(i int32) {
	d := s.slots[i].dest
	if d.tail >= 0 {
		s.slots[d.tail].next = i
	} else {
		d.head = i
	}
	d.tail = i
	if !d.inReady {
		d.inReady = true
		s.ready = append(s.ready, d)
		if len(s.ready) == 1 {
			select {
			case s.wake <- struct{}{}:
			default:
			}
		}
	}
}

// freeLocked returns a claimed slot that will not be sent. Called with mu
// held.
func (s *sendShard) freeLocked(i int32) {
	sl := &s.slots[i]
	sl.dest.n--
	sl.dest = nil
	s.free = append(s.free, i)
	s.queued--
	if s.queued == 0 {
		s.drain.Broadcast()
	}
}

func (s *sendShard) dropped(addr netip.AddrPort) uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d := s.dests[addr]; d != nil {
		return d.dropped
	}
	return 0
}

// close stops accepting packets and waits until the sender has sent what
// it could. It reports false if the shard was already closed.
func (s *sendShard) close() bool {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return false
	}
	s.closed = true
	close(s.wake)
	s.drain.Broadcast()
	s.mu.Unlock()
	<-s.done
	s.mu.Lock()
	s.releaseMemoryLocked()
	s.mu.Unlock()
	return true
}

func (s *sendShard) flush() {
	s.mu.Lock()
	for s.queued > 0 && !s.closed {
		s.drain.Wait()
	}
	s.mu.Unlock()
}

func (s *sendShard) run() {
	defer close(s.done)
	sweep := time.NewTicker(sweepInterval)
	defer sweep.Stop()
	for {
		s.mu.Lock()
		n := s.take()
		closed := s.closed
		s.mu.Unlock()
		if n > 0 {
			s.send(n)
			s.mu.Lock()
			s.release(n)
			s.mu.Unlock()
			select {
			case <-sweep.C:
				s.sweep()
			default:
			}
			continue
		}
		if closed {
			return
		}
		select {
		case <-s.wake:
		case <-sweep.C:
			s.sweep()
		}
	}
}

// take moves up to sendBatch waiting packets into the batch, destination
// by destination in the order they became ready. Called with mu held.
func (s *sendShard) take() int {
	n, used := 0, 0
	for ; used < len(s.ready) && n < sendBatch; used++ {
		d := s.ready[used]
		if s.stall != nil && s.stall(d.addr) {
			d.inReady = false // held back; its queue fills and then drops
			continue
		}
		for d.head >= 0 && n < sendBatch {
			s.batch[n] = d.head
			n++
			d.head = s.slots[d.head].next
		}
		if d.head >= 0 {
			break // the batch is full: d stays first
		}
		d.tail = -1
		d.inReady = false
	}
	if used > 0 {
		rest := copy(s.ready, s.ready[used:])
		clear(s.ready[rest:])
		s.ready = s.ready[:rest]
	}
	return n
}

// release returns the batch's slots to the pool. Called with mu held.
func (s *sendShard) release(n int) {
	for _, i := range s.batch[:n] {
		s.freeLocked(i)
	}
}

// sweep forgets destinations with nothing queued and no write for two
// sweep intervals.
func (s *sendShard) sweep() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tick++
	for a, d := range s.dests {
		if d.n == 0 && s.tick-d.seen >= 2 {
			delete(s.dests, a)
		}
	}
}

// send hands the batch's n packets to the kernel with sendmmsg, waiting
// for the socket to become writable when its buffer is full. A packet the
// kernel refuses is counted in Stats.WriteErrors and skipped.
func (s *sendShard) send(n int) {
	for k, i := range s.batch[:n] {
		sl := &s.slots[i]
		s.iovs[k].Base = &s.slotBuf(i)[0]
		s.iovs[k].SetLen(sl.n)
		s.hdrs[k].Hdr.Namelen = s.sockaddr(&s.names[k], sl.dest.addr)
		s.hdrs[k].Len = 0
	}
	s.from, s.cnt = 0, n
	for s.from < s.cnt {
		err := s.raw.Write(s.sendmmsgFn)
		switch {
		case err != nil:
			return // socket closed
		case s.errno == 0:
			s.from += int(s.sent)
		case errors.Is(s.errno, unix.EINTR):
		default:
			// The first packet was refused (e.g. unreachable): skip it.
			s.stats.WriteErrors.Add(1)
			s.from++
		}
	}
}

// sendmmsg is the raw.Write callback. The socket is non-blocking, so
// sendmmsg cannot block: a raw system call keeps the runtime from handing
// the P over (and sysmon from waking every 20 µs to do so).
func (s *sendShard) sendmmsg(fd uintptr) bool {
	s.sent, _, s.errno = unix.RawSyscall6(unix.SYS_SENDMMSG, fd, uintptr(unsafe.Pointer(&s.hdrs[s.from])), uintptr(s.cnt-s.from), 0, 0, 0)
	return s.errno != unix.EAGAIN
}

// sockaddr writes addr into rs and returns its length.
func (s *sendShard) sockaddr(rs *unix.RawSockaddrInet6, addr netip.AddrPort) uint32 {
	port := addr.Port()
	if !s.v6 {
		s4 := (*unix.RawSockaddrInet4)(unsafe.Pointer(rs))
		s4.Family = unix.AF_INET
		p := (*[2]byte)(unsafe.Pointer(&s4.Port))
		p[0], p[1] = byte(port>>8), byte(port)
		s4.Addr = addr.Addr().Unmap().As4()
		return unix.SizeofSockaddrInet4
	}
	rs.Family = unix.AF_INET6
	p := (*[2]byte)(unsafe.Pointer(&rs.Port))
	p[0], p[1] = byte(port>>8), byte(port)
	rs.Addr = addr.Addr().As16()
	rs.Flowinfo, rs.Scope_id = 0, 0
	return unix.SizeofSockaddrInet6
}
