package sfu

import (
	"errors"
	"net"
	"net/netip"
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// batchConn is the media socket with batched sends: WriteToAddrPort copies
// the packet into a queue and returns; one sender goroutine empties the
// queue with sendmmsg, many packets per system call. A forwarded packet's
// copies for all subscribers, written back to back by the published
// track's read loop, thus leave in a few system calls instead of one each,
// and the kernel's share of the work runs on another core than the
// encryption. Writers keep their order (one FIFO queue). Reads go straight
// to the socket.
type batchConn struct {
	*net.UDPConn
	raw syscall.RawConn
	v6  bool

	mu     sync.Mutex
	space  *sync.Cond // signalled when the sender frees slots
	slots  []batchSlot
	head   int // next slot to send
	n      int // queued slots
	closed bool
	wake   chan struct{}
	done   chan struct{}

	// owned by the sender goroutine
	hdrs  [sendBatch]unix.Mmsghdr
	iovs  [sendBatch]unix.Iovec
	names [sendBatch]unix.RawSockaddrInet6

	errors func() // counts a failed send (may be nil)
}

const (
	queueSlots = 2048 // packets queued at most; writers wait when full
	sendBatch  = 64   // packets per sendmmsg
	slotSize   = 1600 // largest packet queued; larger ones are sent directly
)

type batchSlot struct {
	n    int
	addr netip.AddrPort
	buf  [slotSize]byte
}

// newBatchConn wraps c; onError (may be nil) counts packets the kernel
// refused.
func newBatchConn(c *net.UDPConn, onError func()) (*batchConn, error) {
	raw, err := c.SyscallConn()
	if err != nil {
		return nil, err
	}
	la, _ := c.LocalAddr().(*net.UDPAddr)
	b := &batchConn{UDPConn: c, raw: raw, slots: make([]batchSlot, queueSlots), wake: make(chan struct{}, 1),
		done: make(chan struct{}), errors: onError}
	b.v6 = la != nil && la.IP.To4() == nil
	b.space = sync.NewCond(&b.mu)
	for i := range b.hdrs {
		b.hdrs[i].Hdr.Iov = &b.iovs[i]
		b.hdrs[i].Hdr.SetIovlen(1)
		b.hdrs[i].Hdr.Name = (*byte)(unsafe.Pointer(&b.names[i]))
	}
	go b.sender()
	return b, nil
}

// ReadFromAddrPort reads from the socket (ICE's allocation-free read).
func (b *batchConn) ReadFromAddrPort(p []byte) (int, netip.AddrPort, error) {
	return b.UDPConn.ReadFromUDPAddrPort(p)
}

// WriteToAddrPort queues p for addr. It blocks only while the queue is full.
func (b *batchConn) WriteToAddrPort(p []byte, addr netip.AddrPort) (int, error) {
	if len(p) > slotSize || (!b.v6 && !addr.Addr().Unmap().Is4()) {
		// Too large to queue, or an address the kernel will refuse
		// (IPv6 on an IPv4 socket): send directly, errors included.
		return b.UDPConn.WriteToUDPAddrPort(p, addr)
	}
	b.mu.Lock()
	for b.n == len(b.slots) && !b.closed {
		b.space.Wait()
	}
	if b.closed {
		b.mu.Unlock()
		return 0, net.ErrClosed
	}
	s := &b.slots[(b.head+b.n)%len(b.slots)]
	s.n = copy(s.buf[:], p)
	s.addr = addr
	b.n++
	if b.n == 1 {
		select {
		case b.wake <- struct{}{}:
		default:
		}
	}
	b.mu.Unlock()
	return len(p), nil
}

// WriteTo queues p like WriteToAddrPort.
func (b *batchConn) WriteTo(p []byte, addr net.Addr) (int, error) {
	ua, ok := addr.(*net.UDPAddr)
	if !ok {
		return b.UDPConn.WriteTo(p, addr)
	}
	return b.WriteToAddrPort(p, ua.AddrPort())
}

// Close sends what is queued, then closes the socket.
func (b *batchConn) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return net.ErrClosed
	}
	b.closed = true
	close(b.wake)
	b.space.Broadcast()
	b.mu.Unlock()
	<-b.done
	return b.UDPConn.Close()
}

// flush waits until every queued packet has been handed to the kernel.
func (b *batchConn) flush() {
	b.mu.Lock()
	for b.n > 0 && !b.closed {
		b.space.Wait()
	}
	b.mu.Unlock()
}

func (b *batchConn) sender() {
	defer close(b.done)
	for {
		b.mu.Lock()
		head, n := b.head, min(b.n, sendBatch, len(b.slots)-b.head)
		closed := b.closed
		b.mu.Unlock()
		if n == 0 {
			if closed {
				return
			}
			if _, ok := <-b.wake; !ok {
				// Closed: send what is left, then stop.
				b.mu.Lock()
				left := b.n
				b.mu.Unlock()
				if left == 0 {
					return
				}
			}
			continue
		}
		// The n slots from head are the sender's until head moves.
		b.send(b.slots[head : head+n])
		b.mu.Lock()
		b.head = (b.head + n) % len(b.slots)
		b.n -= n
		b.space.Broadcast()
		b.mu.Unlock()
	}
}

// send hands slots to the kernel with sendmmsg, waiting for the socket to
// become writable when its buffer is full.
func (b *batchConn) send(slots []batchSlot) {
	for i := range slots {
		s := &slots[i]
		b.iovs[i].Base = &s.buf[0]
		b.iovs[i].SetLen(s.n)
		b.hdrs[i].Hdr.Namelen = b.sockaddr(&b.names[i], s.addr)
		b.hdrs[i].Len = 0
	}
	sent := 0
	for sent < len(slots) {
		var n uintptr
		var errno syscall.Errno
		err := b.raw.Write(func(fd uintptr) bool {
			// The socket is non-blocking, so sendmmsg cannot block: a raw
			// system call keeps the runtime from handing the P over (and
			// sysmon from waking every 20 µs to do so).
			n, _, errno = unix.RawSyscall6(unix.SYS_SENDMMSG, fd, uintptr(unsafe.Pointer(&b.hdrs[sent])), uintptr(len(slots)-sent), 0, 0, 0)
			return errno != unix.EAGAIN
		})
		switch {
		case err != nil:
			return // socket closed
		case errno == 0:
			sent += int(n)
		case errors.Is(errno, unix.EINTR):
		default:
			// The first packet was refused (e.g. unreachable): skip it.
			if b.errors != nil {
				b.errors()
			}
			sent++
		}
	}
}

// sockaddr writes addr into rs and returns its length.
func (b *batchConn) sockaddr(rs *unix.RawSockaddrInet6, addr netip.AddrPort) uint32 {
	port := addr.Port()
	if !b.v6 {
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
