package token

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
)

// tokenOf wraps raw content in the token encoding.
func tokenOf(content []byte) string {
	return Version + base64.StdEncoding.EncodeToString(compressContent(content))
}

// sampleContent returns a valid content: a 32-byte signature and a body
// with an RTC service.
func sampleContent() []byte {
	w := &writer{}
	w.string16("", string(make([]byte, 32)))
	w.string16("", "970ca35de60c44645bbae8a215061b33")
	w.uint32(1795315650)
	w.uint32(3600)
	w.uint32(7)
	w.uint16(1)
	w.service(&Service{Type: ServiceRTC, Channel: "c", UID: "1", Privileges: map[Privilege]uint32{1: 60, 2: 60}})
	return w.buf
}

func TestParseErrors(t *testing.T) {
	valid := sampleContent()
	zlibOf := func(b []byte) []byte {
		var buf bytes.Buffer
		zw := zlib.NewWriter(&buf)
		zw.Write(b)
		zw.Close()
		return buf.Bytes()
	}
	b64 := func(b []byte) string { return Version + base64.StdEncoding.EncodeToString(b) }
	badChecksum := compressContent(valid)
	badChecksum[len(badChecksum)-1] ^= 1
	withCount := func(count uint16, extra ...byte) []byte {
		c := bytes.Clone(valid[:2+32+2+32+12])
		c = binary.LittleEndian.AppendUint16(c, count)
		return append(c, extra...)
	}
	dupPrivilege := withCount(1, 1, 0, 2, 0, 1, 0, 1, 0, 0, 0, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0)
	rtm := []byte{2, 0, 0, 0, 0, 0}
	dupService := withCount(2, append(rtm, rtm...)...)

	tests := []struct {
		name  string
		token string
		want  string // in the error message
		is    error
	}{
		{"empty", "", `does not start with "007"`, ErrMalformed},
		{"other prefix", "abc", `does not start with "007"`, ErrMalformed},
		{"version 006", "006970ca35de60c44645bbae8a215061b33IAB", `unsupported version "006"`, ErrUnsupportedVersion},
		{"too long", Version + strings.Repeat("A", MaxTokenLength), "characters, more than", ErrMalformed},
		{"bad base64", Version + "eJ!x", "base64", ErrMalformed},
		{"unpadded base64", Version + "eJw", "base64", ErrMalformed},
		{"not zlib", b64([]byte("hello, world")), "compressed content: zlib: invalid header", ErrMalformed},
		{"cut zlib", b64(compressContent(valid)[:20]), "compressed content: unexpected EOF", ErrMalformed},
		{"bad checksum", b64(badChecksum), "compressed content: zlib: invalid checksum", ErrMalformed},
		{"after zlib", b64(append(compressContent(valid), 0)), "1 bytes after the zlib stream", ErrMalformed},
		{"zlib bomb", b64(zlibOf(make([]byte, 10*MaxContentSize))), "content larger than 65536 bytes", ErrMalformed},
		{"trailing bytes", tokenOf(append(bytes.Clone(valid), 0xff)), "1 trailing bytes at offset", ErrMalformed},
		{"huge service count", tokenOf(withCount(65535)), "truncated service type at offset 82", ErrMalformed},
		{"huge privilege count", tokenOf(withCount(1, 1, 0, 0xff, 0xff)), "truncated privileges of service rtc at offset 86 (need 393210 bytes, 0 left)", ErrMalformed},
		{"duplicate privilege", tokenOf(dupPrivilege), "privilege 1 of service rtc repeated at offset 92", ErrMalformed},
		{"duplicate service", tokenOf(dupService), "service rtm repeated at offset 88", ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := Parse(tt.token)
			if err == nil {
				t.Fatalf("Parse succeeded: %+v", tok)
			}
			if !errors.Is(err, ErrMalformed) || !errors.Is(err, tt.is) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Parse error %q, want %v containing %q", err, tt.is, tt.want)
			}
		})
	}
}

// TestParseTruncated cuts a valid content at every length.
func TestParseTruncated(t *testing.T) {
	valid := sampleContent()
	if _, err := Parse(tokenOf(valid)); err != nil {
		t.Fatal(err)
	}
	for n := range len(valid) {
		_, err := Parse(tokenOf(valid[:n]))
		if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "truncated") {
			t.Fatalf("cut at %d: %v", n, err)
		}
	}
}

func TestVerifyInvalidCertificate(t *testing.T) {
	tok, err := Parse(tokenOf(sampleContent()))
	if err != nil {
		t.Fatal(err)
	}
	for _, cert := range []string{"", "5cfd2fd1755d40ecb72977518be15d3", "5cfd2fd1755d40ecb72977518be15d3g"} {
		if err := tok.Verify(cert); !errors.Is(err, ErrInvalidCertificate) {
			t.Errorf("Verify(%q) = %v", cert, err)
		}
	}
	if err := tok.Verify("5cfd2fd1755d40ecb72977518be15d3b"); !errors.Is(err, ErrSignature) {
		t.Errorf("Verify of a zero signature = %v", err)
	}
}

// TestParseAfterBrokenStreams: the zlib state reused between tokens
// carries nothing from one to the next: after broken streams (a bad
// checksum, a cut stream, a bad header), a valid token parses as before,
// and the broken ones fail the same way every time.
func TestParseAfterBrokenStreams(t *testing.T) {
	valid := tokenOf(sampleContent())
	want, err := Parse(valid)
	if err != nil {
		t.Fatal(err)
	}
	badChecksum := compressContent(sampleContent())
	badChecksum[len(badChecksum)-1] ^= 1
	full := compressContent(sampleContent())
	broken := []string{
		Version + base64.StdEncoding.EncodeToString(badChecksum),
		Version + base64.StdEncoding.EncodeToString(full[:len(full)/2]),
		Version + base64.StdEncoding.EncodeToString([]byte{0x78, 0x00, 1, 2, 3}),
	}
	for round := range 3 {
		for _, b := range broken {
			if _, err := Parse(b); !errors.Is(err, ErrMalformed) {
				t.Fatalf("round %d: broken stream parsed: %v", round, err)
			}
		}
		got, err := Parse(valid)
		if err != nil || got.IssueTs != want.IssueTs || got.Salt != want.Salt || got.AppID != want.AppID || len(got.Services) != len(want.Services) {
			t.Fatalf("round %d: the valid token after broken ones: %+v, %v", round, got, err)
		}
	}
}
