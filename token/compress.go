package token

import (
	"bytes"
	"compress/zlib"
	"io"
	"sync"
)

// deflaters and inflaters keep zlib's compressor and decompressor state
// (about 800 KB and 40 KB, most of it tables) for reuse: a server that
// checks a token on every join, or mints them for its development
// endpoint, would otherwise allocate that much per token. They hold no
// data between uses.
var (
	deflaters = sync.Pool{New: func() any { return zlib.NewWriter(nil) }}
	inflaters sync.Pool // of io.ReadCloser that are zlib.Resetter
)

// compressContent returns data as a zlib stream at the default level, as
// Agora's builders compress tokens. zlib implementations do not all
// produce the same bytes, so a token built here may differ from Agora's as
// a string; the signature covers the uncompressed content, so both decode
// to the same fields and verify alike.
func compressContent(data []byte) []byte {
	var buf bytes.Buffer
	w := deflaters.Get().(*zlib.Writer)
	w.Reset(&buf)
	_, _ = w.Write(data) // writes to a bytes.Buffer do not fail
	_ = w.Close()
	w.Reset(nil)
	deflaters.Put(w)
	return buf.Bytes()
}

// inflate reads the zlib stream in src, at most limit bytes of its
// content.
func inflate(src io.Reader, limit int64) ([]byte, error) {
	zr, ok := inflaters.Get().(io.ReadCloser)
	if ok {
		if err := zr.(zlib.Resetter).Reset(src, nil); err != nil {
			inflaters.Put(zr)
			return nil, err
		}
	} else {
		var err error
		if zr, err = zlib.NewReader(src); err != nil {
			return nil, err
		}
	}
	defer inflaters.Put(zr)
	return io.ReadAll(io.LimitReader(zr, limit))
}
