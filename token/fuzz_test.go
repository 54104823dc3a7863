package token

import (
	"bytes"
	"cmp"
	"compress/zlib"
	"errors"
	"io"
	"reflect"
	"slices"
	"testing"
)

// FuzzParse feeds arbitrary strings to Parse: it must fail with
// ErrMalformed or return a token that passes checkParsed.
func FuzzParse(f *testing.F) {
	for _, v := range loadVectors(f).Vectors {
		f.Add(v.Token)
	}
	f.Add("")
	f.Add("006970ca35de60c44645bbae8a215061b33")
	f.Add(tokenOf(sampleContent()))
	f.Fuzz(func(t *testing.T, s string) {
		tok, err := Parse(s)
		if err != nil {
			if tok != nil || !errors.Is(err, ErrMalformed) {
				t.Fatalf("Parse = %v, %v", tok, err)
			}
			return
		}
		checkParsed(t, tok)
	})
}

// FuzzDecodeContent feeds arbitrary decompressed content to the decoder,
// which a string fuzzer rarely reaches through base64 and zlib.
func FuzzDecodeContent(f *testing.F) {
	for _, v := range loadVectors(f).Vectors {
		if tok, err := Parse(v.Token); err == nil {
			f.Add(append(append([]byte{32, 0}, tok.Signature...), tok.body...))
		}
	}
	f.Add(sampleContent())
	f.Fuzz(func(t *testing.T, content []byte) {
		tok, err := decodeContent(content)
		if err != nil {
			if tok != nil || !errors.Is(err, ErrMalformed) {
				t.Fatalf("decodeContent = %v, %v", tok, err)
			}
			return
		}
		checkParsed(t, tok)
	})
}

// checkParsed checks a parsed token: it verifies without panicking,
// re-encodes, parses back to the same fields, and its content survives the
// compressor.
func checkParsed(t *testing.T, tok *AccessToken) {
	_ = tok.Verify(testCert)
	body, err := tok.encodeBody()
	if err != nil {
		t.Fatalf("encodeBody of a parsed token: %v", err)
	}
	content := append([]byte{byte(len(tok.Signature)), byte(len(tok.Signature) >> 8)}, tok.Signature...)
	content = append(content, body...)
	again, err := decodeContent(content)
	if err != nil {
		t.Fatalf("re-encoded token does not parse: %v", err)
	}
	if !bytes.Equal(again.body, body) {
		t.Fatal("body changed")
	}
	if !reflect.DeepEqual(normalised(tok), normalised(again)) {
		t.Fatalf("fields changed:\n%+v\n%+v", tok, again)
	}
	zr, err := zlib.NewReader(bytes.NewReader(compressContent(content)))
	if err != nil {
		t.Fatal(err)
	}
	if out, err := io.ReadAll(zr); err != nil || !bytes.Equal(out, content) {
		t.Fatalf("compressor round trip failed: %v", err)
	}
}

// normalised returns the fields of t with services in encoding order.
func normalised(t *AccessToken) AccessToken {
	n := *t
	n.body = nil
	n.Services = slices.Clone(t.Services)
	slices.SortStableFunc(n.Services, func(a, b Service) int {
		return cmp.Or(cmp.Compare(a.Type.unknownLayout(), b.Type.unknownLayout()), cmp.Compare(a.Type, b.Type))
	})
	return n
}
