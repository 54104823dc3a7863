package server

import (
	"bufio"
	"errors"
	"net"
	"net/http"
)

// Buffers of a signalling WebSocket once upgraded. net/http hands a
// hijacked connection its own 4 KB reader and writer, which the WebSocket
// keeps for its whole life; signalling messages are few and small, so a
// live socket keeps these smaller ones instead (larger frames are read and
// written through them, in more system calls).
const (
	wsReadBuffer  = 1024
	wsWriteBuffer = 1024
)

// smallBufHijacker is a ResponseWriter whose Hijack gives the connection
// with wsReadBuffer and wsWriteBuffer instead of net/http's buffers, so
// that those are freed once the handler returns.
type smallBufHijacker struct{ http.ResponseWriter }

func (w smallBufHijacker) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("server: the response writer cannot be hijacked")
	}
	c, brw, err := hj.Hijack()
	if err != nil {
		return nil, nil, err
	}
	if err := brw.Writer.Flush(); err != nil {
		_ = c.Close()
		return nil, nil, err
	}
	if n := brw.Reader.Buffered(); n > 0 {
		// Bytes the client sent after its request, already read: they
		// come first.
		b, _ := brw.Reader.Peek(n)
		c = &prefixConn{Conn: c, prefix: append([]byte(nil), b...)}
	}
	return c, bufio.NewReadWriter(bufio.NewReaderSize(c, wsReadBuffer), bufio.NewWriterSize(c, wsWriteBuffer)), nil
}

// prefixConn reads prefix before the connection.
type prefixConn struct {
	net.Conn
	prefix []byte
}

func (c *prefixConn) Read(b []byte) (int, error) {
	if len(c.prefix) > 0 {
		n := copy(b, c.prefix)
		c.prefix = c.prefix[n:]
		return n, nil
	}
	return c.Conn.Read(b)
}
