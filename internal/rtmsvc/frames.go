package rtmsvc

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/coder/websocket"

	"github.com/cohost-rtc/cohost/protocol"
)

// maxPooledFrame bounds the buffers frames keeps: a larger one (a frame
// over the usual message limit) is left to the garbage collector.
const maxPooledFrame = 64 << 10

// frames lends the buffers that frames are read into and events are
// encoded in, given back once the request is handled or the event
// written. A node relaying users' messages of up to 32 KB would otherwise
// allocate each one several times (read, envelope, encoding), and the
// garbage collector's cycles, each a stop of the whole process that a
// busy machine stretches, came with every few hundred messages.
type frames struct{ pool sync.Pool }

func (f *frames) get() *bytes.Buffer {
	if b, ok := f.pool.Get().(*bytes.Buffer); ok {
		return b
	}
	return new(bytes.Buffer)
}

// put gives b back; nil is fine.
func (f *frames) put(b *bytes.Buffer) {
	if b == nil || b.Cap() > maxPooledFrame {
		return
	}
	b.Reset()
	f.pool.Put(b)
}

// readFrame reads the next data frame of ws into buf.
func readFrame(ctx context.Context, ws *websocket.Conn, buf *bytes.Buffer) (websocket.MessageType, error) {
	typ, r, err := ws.Reader(ctx)
	if err != nil {
		return 0, err
	}
	if _, err := buf.ReadFrom(r); err != nil {
		return 0, fmt.Errorf("rtm: read frame: %w", err)
	}
	return typ, nil
}

// encodeEvent writes the envelope of an event of typ around v's
// encoding, or around data when v is nil, into buf.
func encodeEvent(buf *bytes.Buffer, typ protocol.Type, v any, data []byte) {
	buf.WriteString(`{"type":`)
	buf.Write(mustJSON(typ))
	switch {
	case v != nil:
		buf.WriteString(`,"data":`)
		if err := json.NewEncoder(buf).Encode(v); err != nil {
			panic(err)
		}
		buf.Truncate(buf.Len() - 1) // Encode's newline
	case len(data) > 0:
		buf.WriteString(`,"data":`)
		buf.Write(data)
	}
	buf.WriteByte('}')
}
