package token

import (
	"bytes"
	"compress/zlib"
)

// compressContent returns data as a zlib stream at the default level, as
// Agora's builders compress tokens. zlib implementations do not all
// produce the same bytes, so a token built here may differ from Agora's as
// a string; the signature covers the uncompressed content, so both decode
// to the same fields and verify alike.
func compressContent(data []byte) []byte {
	var buf bytes.Buffer
	w := zlib.NewWriter(&buf)
	_, _ = w.Write(data) // writes to a bytes.Buffer do not fail
	_ = w.Close()
	return buf.Bytes()
}
