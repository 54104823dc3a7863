package turnsrv

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"slices"
	"sync"
	"time"
)

// Demux shares one TLS port between HTTPS and TURN over TLS: it completes
// each TLS handshake, then hands the connection to TURN when its first
// byte is STUN framing (the two top bits zero: a TURN client starts with
// an Allocate request) and to HTTP otherwise (HTTP starts with a letter).
// HTTP gets HTTP/1.1 only: it receives a wrapped connection, which
// net/http serves without HTTP/2.
type Demux struct {
	raw    net.Listener
	cfg    *tls.Config
	logger *slog.Logger
	http   *chanListener
	turn   *chanListener
	// timeout bounds the TLS handshake and the wait for the first byte.
	timeout time.Duration
	done    chan struct{}
	ctx     context.Context // cancelled by Close
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	once    sync.Once
}

// NewDemux starts accepting on raw with cfg. Its two listeners report
// raw's address; Close closes raw and both.
func NewDemux(raw net.Listener, cfg *tls.Config, logger *slog.Logger) *Demux {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cfg = cfg.Clone()
	// net/http serves HTTP/2 only on a *tls.Conn; the wrapped one gets
	// HTTP/1.1, so do not offer h2.
	cfg.NextProtos = slices.DeleteFunc(slices.Clone(cfg.NextProtos), func(p string) bool { return p == "h2" })
	d := &Demux{raw: raw, cfg: cfg, logger: logger, timeout: 10 * time.Second, done: make(chan struct{})}
	d.ctx, d.cancel = context.WithCancel(context.Background())
	d.http = newChanListener(raw.Addr(), d.done, d.Close)
	d.turn = newChanListener(raw.Addr(), d.done, d.Close)
	d.wg.Add(1)
	go d.accept()
	return d
}

// HTTP is the listener of the HTTPS connections (already decrypted).
func (d *Demux) HTTP() net.Listener { return d.http }

// TURN is the listener of the TURN over TLS connections.
func (d *Demux) TURN() net.Listener { return d.turn }

// Close stops accepting, closes both listeners and waits for pending
// handshakes.
func (d *Demux) Close() error {
	var err error
	d.once.Do(func() {
		close(d.done)
		d.cancel()
		err = d.raw.Close()
	})
	d.wg.Wait()
	return err
}

func (d *Demux) accept() {
	defer d.wg.Done()
	for {
		c, err := d.raw.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return
		}
		d.wg.Add(1)
		go d.sort(c)
	}
}

// sort completes c's handshake, reads its first byte and queues it to
// its listener.
func (d *Demux) sort(raw net.Conn) {
	defer d.wg.Done()
	tc := tls.Server(raw, d.cfg)
	_ = raw.SetDeadline(time.Now().Add(d.timeout))
	ctx, cancel := context.WithTimeout(d.ctx, d.timeout)
	stop := context.AfterFunc(d.ctx, func() { _ = raw.SetDeadline(time.Now()) })
	defer stop()
	err := tc.HandshakeContext(ctx)
	var first [1]byte
	if err == nil {
		_, err = tc.Read(first[:])
	}
	cancel()
	if err != nil {
		d.logger.Debug("TLS connection closed before its first byte", "remote", raw.RemoteAddr(), "err", err)
		_ = tc.Close()
		return
	}
	_ = raw.SetDeadline(time.Time{})
	pc := &PeekedConn{Conn: tc, first: first[:]}
	to := d.http
	if first[0] < 0x40 {
		to = d.turn
	}
	select {
	case to.ch <- pc:
	case <-d.done:
		_ = tc.Close()
	}
}

// PeekedConn is a TLS connection whose first byte was read to sort it.
type PeekedConn struct {
	*tls.Conn
	first []byte
}

// Read returns the peeked byte first.
func (c *PeekedConn) Read(b []byte) (int, error) {
	if len(c.first) > 0 && len(b) > 0 {
		n := copy(b, c.first)
		c.first = c.first[n:]
		return n, nil
	}
	return c.Conn.Read(b)
}

// chanListener is a net.Listener fed by the demux.
type chanListener struct {
	addr  net.Addr
	ch    chan net.Conn
	done  <-chan struct{}
	close func() error
}

func newChanListener(addr net.Addr, done <-chan struct{}, closeFn func() error) *chanListener {
	return &chanListener{addr: addr, ch: make(chan net.Conn), done: done, close: closeFn}
}

func (l *chanListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.ch:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *chanListener) Close() error {
	return l.close()
}

func (l *chanListener) Addr() net.Addr { return l.addr }
