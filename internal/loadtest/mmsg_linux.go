package loadtest

import (
	"errors"
	"net"
	"net/netip"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// mmsgBatch is how many packets the batched baseline sends per sendmmsg,
// as the server's sender does.
const mmsgBatch = 64

// mmsgSender batches packets to IPv4 destinations and sends them with
// sendmmsg on a non-blocking socket, the way the server's sender does.
type mmsgSender struct {
	raw   syscall.RawConn
	n     int
	bufs  [mmsgBatch][1600]byte
	hdrs  [mmsgBatch]unix.Mmsghdr
	iovs  [mmsgBatch]unix.Iovec
	names [mmsgBatch]unix.RawSockaddrInet4
	// the raw.Write callback and its state, kept here so that a send
	// allocates nothing
	fn         func(fd uintptr) bool
	from, sent int
	errno      syscall.Errno
}

func newMmsgSender(c *net.UDPConn) (*mmsgSender, error) {
	raw, err := c.SyscallConn()
	if err != nil {
		return nil, err
	}
	m := &mmsgSender{raw: raw}
	for i := range m.hdrs {
		m.hdrs[i].Hdr.Iov = &m.iovs[i]
		m.hdrs[i].Hdr.SetIovlen(1)
		m.hdrs[i].Hdr.Name = (*byte)(unsafe.Pointer(&m.names[i]))
		m.hdrs[i].Hdr.Namelen = unix.SizeofSockaddrInet4
		m.names[i].Family = unix.AF_INET
	}
	m.fn = m.sendmmsg
	return m, nil
}

// buf returns the next packet's empty buffer.
func (m *mmsgSender) buf() []byte { return m.bufs[m.n][:0] }

// add queues p (normally written into buf()) for addr; it reports whether
// the batch is full.
func (m *mmsgSender) add(p []byte, addr netip.AddrPort) bool {
	b := &m.bufs[m.n]
	if len(p) > len(b) {
		p = p[:len(b)]
	}
	if len(p) == 0 || &p[0] != &b[0] {
		copy(b[:], p)
	}
	m.iovs[m.n].Base = &b[0]
	m.iovs[m.n].SetLen(len(p))
	port := addr.Port()
	pp := (*[2]byte)(unsafe.Pointer(&m.names[m.n].Port))
	pp[0], pp[1] = byte(port>>8), byte(port)
	m.names[m.n].Addr = addr.Addr().Unmap().As4()
	m.n++
	return m.n == mmsgBatch
}

// send hands the queued packets to the kernel.
func (m *mmsgSender) send() error {
	m.from = 0
	for m.from < m.n {
		if err := m.raw.Write(m.fn); err != nil {
			return err
		}
		switch {
		case m.errno == 0:
			m.from += m.sent
		case errors.Is(m.errno, unix.EINTR):
		default:
			m.n = 0
			return m.errno
		}
	}
	m.n = 0
	return nil
}

func (m *mmsgSender) sendmmsg(fd uintptr) bool {
	n, _, errno := unix.RawSyscall6(unix.SYS_SENDMMSG, fd, uintptr(unsafe.Pointer(&m.hdrs[m.from])), uintptr(m.n-m.from), 0, 0, 0)
	m.sent, m.errno = int(n), errno
	return errno != unix.EAGAIN
}
