package sfu

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"
	"maps"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// ICE-TCP on the media port for the fan-out transport (passive, RFC 4571
// framing: each packet preceded by its length on two bytes). Publishers'
// ICE-TCP is Pion's (its ICE TCP mux); the media port's TCP listener is
// shared: tcpSplit accepts every connection and reads its first frame, a
// STUN binding request. A connection whose request names a username
// fragment of the fan-out transport is served here: its frames go to the
// shared reader's routing, as datagrams from the connection's remote
// address would, and what the media layer sends to that address goes
// down the connection. Any other connection goes on to Pion's mux, which
// reads the same first frame again.

const (
	// tcpFirstFrameTimeout bounds the wait for a connection's first frame.
	tcpFirstFrameTimeout = 10 * time.Second
	// tcpIdleTimeout closes a fan-out connection silent this long (clients
	// send consent checks every few seconds).
	tcpIdleTimeout = 30 * time.Second
	// tcpSendQueue bounds the packets queued for one connection: a client
	// that far behind loses its own packets, never delays the others.
	tcpSendQueue = 512
)

// tcpSplit shares the media port's TCP listener between the fan-out
// transport and Pion's ICE TCP mux.
type tcpSplit struct {
	ln   net.Listener
	d    *demux
	pion *chanListener

	mu sync.Mutex // guards closed and the replacement of remotes
	// remotes holds the fan-out transport's connections by remote
	// address. Every packet the media port sends looks its address up in
	// it, so it is never changed in place, and read without a lock.
	remotes atomic.Pointer[map[netip.AddrPort]*tcpRemote]
	closed  bool
	wg      sync.WaitGroup
}

func newTCPSplit(ln net.Listener) *tcpSplit {
	s := &tcpSplit{ln: ln, pion: newChanListener(ln.Addr())}
	s.remotes.Store(&map[netip.AddrPort]*tcpRemote{})
	return s
}

// setRemoteLocked makes r addr's connection, or none if r is nil; s.mu
// held.
func (s *tcpSplit) setRemoteLocked(addr netip.AddrPort, r *tcpRemote) {
	m := maps.Clone(*s.remotes.Load())
	if r == nil {
		delete(m, addr)
	} else {
		m[addr] = r
	}
	s.remotes.Store(&m)
}

// start accepts connections for d until close.
func (s *tcpSplit) start(d *demux) {
	s.d = d
	s.wg.Go(s.acceptLoop)
}

func (s *tcpSplit) acceptLoop() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			if s.isClosed() || errors.Is(err, net.ErrClosed) {
				return
			}
			time.Sleep(10 * time.Millisecond) // out of descriptors: let some close
			continue
		}
		s.wg.Go(func() { s.sort(c) })
	}
}

func (s *tcpSplit) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// sort reads c's first frame and hands c to the fan-out transport or to
// Pion.
func (s *tcpSplit) sort(c net.Conn) {
	_ = c.SetReadDeadline(time.Now().Add(tcpFirstFrameTimeout))
	br := bufio.NewReaderSize(c, 4096)
	first, err := peekFrame(br)
	if err != nil {
		_ = c.Close()
		return
	}
	_ = c.SetReadDeadline(time.Time{})
	frag, ok := stunUfrag(first)
	var lite bool
	if ok {
		s.d.mu.RLock()
		lite = s.d.byFrag[string(frag)] != nil
		s.d.mu.RUnlock()
	}
	if !lite {
		// Pion reads from br, the first frame included.
		if !s.pion.offer(&bufferedConn{Conn: c, r: br}) {
			_ = c.Close()
		}
		return
	}
	ap, err := netip.ParseAddrPort(c.RemoteAddr().String())
	if err != nil {
		_ = c.Close()
		return
	}
	r := newTCPRemote(c, canonical(ap))
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = c.Close()
		return
	}
	if old := (*s.remotes.Load())[r.addr]; old != nil {
		old.close()
	}
	s.setRemoteLocked(r.addr, r)
	s.mu.Unlock()
	s.wg.Go(r.writeLoop)
	// Its packets are served as the reading goroutine serves datagrams
	// (those Pion's would be are dropped: its connections are not here).
	s.d.serve(first, r.addr)
	_, _ = br.Discard(2 + len(first))
	buf := make([]byte, 0, 1500)
	for {
		_ = c.SetReadDeadline(time.Now().Add(tcpIdleTimeout))
		p, err := readFrame(br, buf)
		if err != nil {
			break
		}
		s.d.serve(p, r.addr)
	}
	s.mu.Lock()
	if (*s.remotes.Load())[r.addr] == r {
		s.setRemoteLocked(r.addr, nil)
	}
	s.mu.Unlock()
	r.close()
}

// write sends p to addr down its connection, if addr is one of the
// fan-out transport's TCP remotes; handled is false otherwise.
func (s *tcpSplit) write(p []byte, addr netip.AddrPort) (handled bool) {
	r := (*s.remotes.Load())[addr]
	if r == nil {
		return false
	}
	if !r.send(p) {
		s.d.stats.TCPQueueFull.Add(1)
	}
	return true
}

// has reports whether addr is a fan-out client's ICE-TCP connection.
func (s *tcpSplit) has(addr netip.AddrPort) bool {
	return (*s.remotes.Load())[addr] != nil
}

// close stops accepting, closes every fan-out connection and Pion's
// listener, and waits for their goroutines.
func (s *tcpSplit) close() {
	s.mu.Lock()
	s.closed = true
	remotes := *s.remotes.Swap(&map[netip.AddrPort]*tcpRemote{})
	s.mu.Unlock()
	_ = s.ln.Close()
	_ = s.pion.Close()
	for _, r := range remotes {
		r.close()
	}
	s.wg.Wait()
}

// tcpRemote is one fan-out client's ICE-TCP connection.
type tcpRemote struct {
	conn net.Conn
	addr netip.AddrPort
	q    chan *[]byte // frames from tcpFrames
	once sync.Once
	done chan struct{}
}

func newTCPRemote(c net.Conn, addr netip.AddrPort) *tcpRemote {
	return &tcpRemote{conn: c, addr: addr, q: make(chan *[]byte, tcpSendQueue), done: make(chan struct{})}
}

// tcpWriteBatch bounds the frames one write system call sends.
const tcpWriteBatch = 64

// tcpFrames lends the frames queued for ICE-TCP connections: a packet is
// copied into one (its own buffer is reused as soon as send returns), and
// the frame comes back once written, so that queueing allocates nothing.
var tcpFrames = sync.Pool{New: func() any {
	f := make([]byte, 0, 2+receiveMTU+srtpOverhead)
	return &f
}}

// send queues p, framed, without blocking; false if the queue is full or
// the connection closed.
func (r *tcpRemote) send(p []byte) bool {
	if len(p) > 0xffff {
		return false
	}
	select {
	case <-r.done:
		return false
	default:
	}
	f := tcpFrames.Get().(*[]byte)
	*f = append(binary.BigEndian.AppendUint16((*f)[:0], uint16(len(p))), p...)
	select {
	case r.q <- f:
		return true
	default:
		tcpFrames.Put(f)
		return false
	}
}

// writeLoop writes the queued frames, as many as are queued (up to
// tcpWriteBatch) in one system call.
func (r *tcpRemote) writeLoop() {
	batch := make([]*[]byte, 0, tcpWriteBatch)
	iov := make([][]byte, 0, tcpWriteBatch)
	var bufs net.Buffers // WriteTo consumes it: set from iov each time
	for {
		select {
		case <-r.done:
			return
		case f := <-r.q:
			batch = append(batch[:0], f)
		fill:
			for len(batch) < tcpWriteBatch {
				select {
				case f := <-r.q:
					batch = append(batch, f)
				default:
					break fill
				}
			}
			bufs = iov[:0]
			for _, f := range batch {
				bufs = append(bufs, *f)
			}
			_ = r.conn.SetWriteDeadline(time.Now().Add(tcpIdleTimeout))
			_, err := bufs.WriteTo(r.conn)
			for i, f := range batch {
				tcpFrames.Put(f)
				batch[i] = nil
			}
			if err != nil {
				r.close()
				return
			}
		}
	}
}

func (r *tcpRemote) close() {
	r.once.Do(func() {
		close(r.done)
		_ = r.conn.Close()
	})
}

// readFrame reads one RFC 4571 frame into buf (reused; a new slice if nil).
func readFrame(br *bufio.Reader, buf []byte) ([]byte, error) {
	hdr, err := br.Peek(2) // not io.ReadFull: its buffer would escape
	if err != nil {
		return nil, err
	}
	n := int(binary.BigEndian.Uint16(hdr))
	_, _ = br.Discard(2)
	if cap(buf) < n {
		buf = make([]byte, n)
	}
	buf = buf[:n]
	if _, err := io.ReadFull(br, buf); err != nil {
		return nil, err
	}
	return buf, nil
}

// peekFrame returns the next RFC 4571 frame without reading it past br's
// buffer (which holds frames of up to its size less two bytes).
func peekFrame(br *bufio.Reader) ([]byte, error) {
	hdr, err := br.Peek(2)
	if err != nil {
		return nil, err
	}
	f, err := br.Peek(2 + int(binary.BigEndian.Uint16(hdr)))
	if err != nil {
		return nil, err
	}
	return f[2:], nil
}

// bufferedConn is a connection read through a buffer that may hold its
// next bytes already.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// chanListener is the listener Pion's ICE TCP mux accepts from: the
// connections tcpSplit passes on.
type chanListener struct {
	addr  net.Addr
	conns chan net.Conn
	once  sync.Once
	done  chan struct{}
}

func newChanListener(addr net.Addr) *chanListener {
	return &chanListener{addr: addr, conns: make(chan net.Conn), done: make(chan struct{})}
}

// offer hands c to the listener's Accept; false once closed.
func (l *chanListener) offer(c net.Conn) bool {
	select {
	case l.conns <- c:
		return true
	case <-l.done:
		return false
	}
}

func (l *chanListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *chanListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *chanListener) Addr() net.Addr { return l.addr }

// splitConn is the media socket seen by the fan-out transport: writes to
// an ICE-TCP remote go down its connection, the others to the socket.
type splitConn struct {
	addrPortConn
	s *tcpSplit
}

func (c splitConn) WriteToAddrPort(p []byte, addr netip.AddrPort) (int, error) {
	if c.s.write(p, canonical(addr)) {
		return len(p), nil
	}
	return c.addrPortConn.WriteToAddrPort(p, addr)
}
