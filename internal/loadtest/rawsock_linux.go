package loadtest

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/pion/transport/v4"
	"golang.org/x/sys/unix"
)

// receiver reads every UDP socket of the load test's engines on one
// locked OS thread: epoll tells which sockets are readable and recvmmsg
// reads them without a goroutine wake-up per packet. Media packets go to
// the socket's probe; everything else (STUN, DTLS, RTCP) to Pion through
// the socket's queue.
//
// A socket starts in the fast set, read every fastInterval (ICE and DTLS
// handshakes are hardly slowed down). Once media flows it moves to
// the slow set, read every slowInterval, so that one system call serves
// several packets: receive times come from the kernel (SO_TIMESTAMPNS, the
// moment a packet reached the socket), so polling late does not bias
// latencies.
type receiver struct {
	epfd, evfd int
	slowfd     int // epoll set of the sockets that receive media
	mu         sync.RWMutex
	conns      map[int32]*rawConn
	done       chan struct{}
	closeOnce  sync.Once
}

const (
	recvBatch    = 16   // packets per recvmmsg
	recvSize     = 2048 // bytes per packet buffer
	oobSize      = 64   // control bytes per packet: one timestamp
	fastInterval = 500 * time.Microsecond
	slowInterval = 10 * time.Millisecond
)

func newReceiver() (*receiver, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("loadtest: epoll: %w", err)
	}
	evfd, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		_ = unix.Close(epfd)
		return nil, fmt.Errorf("loadtest: eventfd: %w", err)
	}
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, evfd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(evfd)}); err != nil {
		_ = unix.Close(epfd)
		_ = unix.Close(evfd)
		return nil, fmt.Errorf("loadtest: epoll: %w", err)
	}
	slowfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		_ = unix.Close(epfd)
		_ = unix.Close(evfd)
		return nil, fmt.Errorf("loadtest: epoll: %w", err)
	}
	r := &receiver{epfd: epfd, evfd: evfd, slowfd: slowfd, conns: map[int32]*rawConn{}, done: make(chan struct{})}
	go r.loop()
	return r, nil
}

// close stops the reader thread; sockets must be closed first.
func (r *receiver) close() {
	r.closeOnce.Do(func() {
		var one [8]byte
		one[0] = 1
		_, _ = unix.Write(r.evfd, one[:])
		<-r.done
		_ = unix.Close(r.epfd)
		_ = unix.Close(r.evfd)
		_ = unix.Close(r.slowfd)
	})
}

func (r *receiver) loop() {
	defer close(r.done)
	events := make([]unix.EpollEvent, 1024)
	var b batch
	b.init()
	nextSlow := time.Now()
	for {
		// Poll without blocking (a raw system call: the runtime does not
		// hand the P over, and sysmon stays asleep) and sleep between
		// rounds: a blocking epoll_wait would make the runtime take the P
		// back on every call.
		if !r.poll(r.epfd, events, &b, true) {
			return
		}
		if now := time.Now(); !now.Before(nextSlow) {
			nextSlow = now.Add(slowInterval)
			r.poll(r.slowfd, events, &b, false)
		}
		time.Sleep(fastInterval)
	}
}

// poll reads every ready socket of the epoll set epfd; fast sockets that
// receive media move to the slow set. It reports false when the receiver
// is closing.
func (r *receiver) poll(epfd int, events []unix.EpollEvent, b *batch, fast bool) bool {
	for {
		n, _, errno := unix.RawSyscall6(unix.SYS_EPOLL_PWAIT, uintptr(epfd), uintptr(unsafe.Pointer(&events[0])), uintptr(len(events)), 0, 0, 0)
		if errno == unix.EINTR {
			continue
		}
		if errno != 0 {
			return false
		}
		for _, ev := range events[:n] {
			if int(ev.Fd) == r.evfd {
				return false
			}
			if c := r.conn(ev.Fd); c != nil && c.drain(b) && fast {
				c.slowDown()
			}
		}
		if int(n) < len(events) {
			return true
		}
	}
}

func (r *receiver) conn(fd int32) *rawConn {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.conns[fd]
}

// batch is the reader thread's recvmmsg state.
type batch struct {
	hdrs  [recvBatch]unix.Mmsghdr
	iovs  [recvBatch]unix.Iovec
	names [recvBatch]unix.RawSockaddrInet6
	oobs  [recvBatch][oobSize]byte
	bufs  [recvBatch][recvSize]byte
}

func (b *batch) init() {
	for i := range b.hdrs {
		b.iovs[i].Base = &b.bufs[i][0]
		b.iovs[i].SetLen(recvSize)
		b.hdrs[i].Hdr.Iov = &b.iovs[i]
		b.hdrs[i].Hdr.SetIovlen(1)
		b.hdrs[i].Hdr.Name = (*byte)(unsafe.Pointer(&b.names[i]))
		b.hdrs[i].Hdr.Control = &b.oobs[i][0]
	}
}

// kernelTime returns the SO_TIMESTAMPNS receive time of message i, or
// fallback when absent.
func (b *batch) kernelTime(i int, fallback time.Time) time.Time {
	oob := b.oobs[i][:b.hdrs[i].Hdr.Controllen]
	for len(oob) >= unix.SizeofCmsghdr {
		h := (*unix.Cmsghdr)(unsafe.Pointer(&oob[0]))
		if h.Len < unix.SizeofCmsghdr || int(h.Len) > len(oob) {
			break
		}
		if h.Level == unix.SOL_SOCKET && h.Type == unix.SO_TIMESTAMPNS && int(h.Len) >= unix.CmsgLen(int(unsafe.Sizeof(unix.Timespec{}))) {
			ts := (*unix.Timespec)(unsafe.Pointer(&oob[unix.CmsgLen(0)]))
			return time.Unix(ts.Sec, ts.Nsec)
		}
		oob = oob[min(unix.CmsgSpace(int(h.Len)-unix.CmsgLen(0)), len(oob)):]
	}
	return fallback
}

// rawConn is one UDP socket of an engine, read by the receiver. It
// implements transport.UDPConn for Pion's ICE, and sends only to the
// target's addresses.
type rawConn struct {
	r     *receiver
	t     *target
	probe *probe
	laddr *net.UDPAddr
	v6    bool

	fdMu   sync.RWMutex // write-held while closing the fd
	fd     int
	closed bool
	slow   bool // in the receiver's slow set

	queue    chan packet
	done     chan struct{}
	deadline atomic.Pointer[time.Time]
	dlChange chan struct{}
}

type packet struct {
	b    []byte
	from netip.AddrPort
}

func (r *receiver) listen(t *target, p *probe, network string, laddr *net.UDPAddr) (*rawConn, error) {
	if laddr == nil {
		laddr = &net.UDPAddr{}
	}
	ip, _ := netip.AddrFromSlice(laddr.IP)
	ip = ip.Unmap()
	v6 := network == "udp6" || (ip.IsValid() && ip.Is6())
	family := unix.AF_INET
	if v6 {
		family = unix.AF_INET6
	}
	fd, err := unix.Socket(family, unix.SOCK_DGRAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, os.NewSyscallError("socket", err)
	}
	var sa unix.Sockaddr
	if v6 {
		s := &unix.SockaddrInet6{Port: laddr.Port}
		if ip.IsValid() {
			s.Addr = ip.As16()
		}
		sa = s
	} else {
		s := &unix.SockaddrInet4{Port: laddr.Port}
		if ip.IsValid() {
			s.Addr = ip.As4()
		}
		sa = s
	}
	if err := unix.Bind(fd, sa); err != nil {
		_ = unix.Close(fd)
		return nil, os.NewSyscallError("bind", err)
	}
	_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF, 1<<20)
	_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1)
	bound, err := unix.Getsockname(fd)
	if err != nil {
		_ = unix.Close(fd)
		return nil, os.NewSyscallError("getsockname", err)
	}
	c := &rawConn{r: r, t: t, probe: p, v6: v6, fd: fd, queue: make(chan packet, 256), done: make(chan struct{}), dlChange: make(chan struct{}, 1)}
	switch s := bound.(type) {
	case *unix.SockaddrInet4:
		c.laddr = &net.UDPAddr{IP: net.IP(s.Addr[:]).To16(), Port: s.Port}
	case *unix.SockaddrInet6:
		c.laddr = &net.UDPAddr{IP: net.IP(s.Addr[:]), Port: s.Port}
	}
	r.mu.Lock()
	r.conns[int32(fd)] = c
	r.mu.Unlock()
	if err := unix.EpollCtl(r.epfd, unix.EPOLL_CTL_ADD, fd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(fd)}); err != nil {
		_ = c.Close()
		return nil, os.NewSyscallError("epoll_ctl", err)
	}
	return c, nil
}

// slowDown moves the socket to the slow set (on the receiver's thread).
func (c *rawConn) slowDown() {
	c.fdMu.Lock()
	defer c.fdMu.Unlock()
	if c.closed || c.slow {
		return
	}
	c.slow = true
	_ = unix.EpollCtl(c.r.epfd, unix.EPOLL_CTL_DEL, c.fd, nil)
	_ = unix.EpollCtl(c.r.slowfd, unix.EPOLL_CTL_ADD, c.fd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(c.fd)})
}

// drain reads what the socket holds (on the receiver's thread); it reports
// whether media came.
func (c *rawConn) drain(b *batch) (media bool) {
	c.fdMu.RLock()
	defer c.fdMu.RUnlock()
	if c.closed {
		return
	}
	for {
		for i := range b.hdrs {
			b.hdrs[i].Hdr.Namelen = unix.SizeofSockaddrInet6
			b.hdrs[i].Hdr.SetControllen(oobSize)
			b.hdrs[i].Len = 0
		}
		n, _, errno := unix.RawSyscall6(unix.SYS_RECVMMSG, uintptr(c.fd), uintptr(unsafe.Pointer(&b.hdrs[0])), recvBatch, unix.MSG_DONTWAIT, 0, 0)
		if errno != 0 {
			return
		}
		now := time.Now()
		for i := range int(n) {
			pkt := b.bufs[i][:b.hdrs[i].Len]
			if c.probe != nil && isRTP(pkt) {
				c.probe.packet(pkt, b.kernelTime(i, now))
				media = true
				continue
			}
			from := sockaddrToAddrPort(&b.names[i])
			select {
			case c.queue <- packet{b: append([]byte(nil), pkt...), from: from}:
			default: // Pion is not reading: drop, as a full socket buffer would
			}
		}
		if int(n) < recvBatch {
			return
		}
	}
}

func sockaddrToAddrPort(rs *unix.RawSockaddrInet6) netip.AddrPort {
	switch rs.Family {
	case unix.AF_INET:
		s4 := (*unix.RawSockaddrInet4)(unsafe.Pointer(rs))
		p := (*[2]byte)(unsafe.Pointer(&s4.Port))
		return netip.AddrPortFrom(netip.AddrFrom4(s4.Addr), uint16(p[0])<<8|uint16(p[1]))
	case unix.AF_INET6:
		p := (*[2]byte)(unsafe.Pointer(&rs.Port))
		return netip.AddrPortFrom(netip.AddrFrom16(rs.Addr), uint16(p[0])<<8|uint16(p[1]))
	}
	return netip.AddrPort{}
}

var (
	errNotTarget = errors.New("loadtest: destination is not the target server")
	errClosed    = net.ErrClosed
)

type timeoutError struct{}

func (timeoutError) Error() string   { return "i/o timeout" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }

// ReadFromAddrPort returns the next non-media packet.
func (c *rawConn) ReadFromAddrPort(b []byte) (int, netip.AddrPort, error) {
	for {
		var timer <-chan time.Time
		if d := c.deadline.Load(); d != nil && !d.IsZero() {
			w := time.Until(*d)
			if w <= 0 {
				return 0, netip.AddrPort{}, timeoutError{}
			}
			t := time.NewTimer(w)
			timer = t.C
			defer t.Stop()
		}
		select {
		case p := <-c.queue:
			return copy(b, p.b), p.from, nil
		case <-c.done:
			return 0, netip.AddrPort{}, errClosed
		case <-timer:
			return 0, netip.AddrPort{}, timeoutError{}
		case <-c.dlChange:
		}
	}
}

func (c *rawConn) WriteToAddrPort(b []byte, to netip.AddrPort) (int, error) {
	if !c.t.allowed(to.Addr()) {
		return 0, errNotTarget
	}
	var sa unix.Sockaddr
	if c.v6 {
		sa = &unix.SockaddrInet6{Port: int(to.Port()), Addr: to.Addr().As16()}
	} else {
		a := to.Addr().Unmap()
		if !a.Is4() {
			return 0, errNotTarget
		}
		sa = &unix.SockaddrInet4{Port: int(to.Port()), Addr: a.As4()}
	}
	c.fdMu.RLock()
	defer c.fdMu.RUnlock()
	if c.closed {
		return 0, errClosed
	}
	for tries := 0; ; tries++ {
		err := unix.Sendto(c.fd, b, 0, sa)
		if err == nil {
			return len(b), nil
		}
		if !errors.Is(err, unix.EAGAIN) || tries > 100 {
			return 0, os.NewSyscallError("sendto", err)
		}
		time.Sleep(100 * time.Microsecond)
	}
}

func (c *rawConn) ReadFrom(b []byte) (int, net.Addr, error) {
	n, from, err := c.ReadFromAddrPort(b)
	if err != nil {
		return 0, nil, err
	}
	return n, net.UDPAddrFromAddrPort(from), nil
}

func (c *rawConn) ReadFromUDP(b []byte) (int, *net.UDPAddr, error) {
	n, from, err := c.ReadFromAddrPort(b)
	if err != nil {
		return 0, nil, err
	}
	return n, net.UDPAddrFromAddrPort(from), nil
}

func (c *rawConn) ReadMsgUDP(b, _ []byte) (int, int, int, *net.UDPAddr, error) {
	n, from, err := c.ReadFromUDP(b)
	return n, 0, 0, from, err
}

func (c *rawConn) Read(b []byte) (int, error) {
	n, _, err := c.ReadFromAddrPort(b)
	return n, err
}

func (c *rawConn) WriteTo(b []byte, to net.Addr) (int, error) {
	ua, ok := to.(*net.UDPAddr)
	if !ok {
		return 0, errNotTarget
	}
	return c.WriteToAddrPort(b, ua.AddrPort())
}

func (c *rawConn) WriteToUDP(b []byte, to *net.UDPAddr) (int, error) {
	return c.WriteToAddrPort(b, to.AddrPort())
}

func (c *rawConn) WriteMsgUDP(b, _ []byte, to *net.UDPAddr) (int, int, error) {
	n, err := c.WriteToUDP(b, to)
	return n, 0, err
}

// Write is refused: the socket is not connected.
func (c *rawConn) Write([]byte) (int, error) { return 0, errNotTarget }

func (c *rawConn) LocalAddr() net.Addr  { return c.laddr }
func (c *rawConn) RemoteAddr() net.Addr { return nil }

func (c *rawConn) SetDeadline(t time.Time) error { return c.SetReadDeadline(t) }

func (c *rawConn) SetReadDeadline(t time.Time) error {
	c.deadline.Store(&t)
	select {
	case c.dlChange <- struct{}{}:
	default:
	}
	return nil
}

func (c *rawConn) SetWriteDeadline(time.Time) error { return nil }

func (c *rawConn) SetReadBuffer(n int) error {
	return unix.SetsockoptInt(c.fd, unix.SOL_SOCKET, unix.SO_RCVBUF, n)
}

func (c *rawConn) SetWriteBuffer(n int) error {
	return unix.SetsockoptInt(c.fd, unix.SOL_SOCKET, unix.SO_SNDBUF, n)
}

func (c *rawConn) Close() error {
	c.fdMu.Lock()
	defer c.fdMu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	close(c.done)
	epfd := c.r.epfd
	if c.slow {
		epfd = c.r.slowfd
	}
	_ = unix.EpollCtl(epfd, unix.EPOLL_CTL_DEL, c.fd, nil)
	c.r.mu.Lock()
	if c.r.conns[int32(c.fd)] == c {
		delete(c.r.conns, int32(c.fd))
	}
	c.r.mu.Unlock()
	return unix.Close(c.fd)
}

var _ transport.UDPConn = (*rawConn)(nil)
