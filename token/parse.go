package token

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strings"
)

// Limits that keep a hostile token from costing more than a little memory.
const (
	// MaxTokenLength is the longest token string Parse accepts.
	MaxTokenLength = 128 << 10
	// MaxContentSize is the largest decompressed content Parse accepts.
	MaxContentSize = 64 << 10
)

// Parse decodes an AccessToken2 string. It checks the encoding only: use
// [AccessToken.Verify] or [Check] before trusting the result. Errors wrap
// ErrMalformed with the reason (and ErrUnsupportedVersion for another
// version).
func Parse(s string) (*AccessToken, error) {
	if !strings.HasPrefix(s, Version) {
		return nil, versionError(s)
	}
	if len(s) > MaxTokenLength {
		return nil, fmt.Errorf("%w: %d characters, more than %d", ErrMalformed, len(s), MaxTokenLength)
	}
	compressed, err := base64.StdEncoding.Strict().DecodeString(s[len(Version):])
	if err != nil {
		return nil, fmt.Errorf("%w: base64: %w", ErrMalformed, err)
	}
	content, err := decompress(compressed)
	if err != nil {
		return nil, err
	}
	return decodeContent(content)
}

// versionError describes a token that does not start with Version.
func versionError(s string) error {
	if len(s) >= len(Version) && isDigits(s[:len(Version)]) {
		return fmt.Errorf("%w: %w %q (want %q)", ErrMalformed, ErrUnsupportedVersion, s[:len(Version)], Version)
	}
	return fmt.Errorf("%w: does not start with %q", ErrMalformed, Version)
}

func isDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// decompress inflates a zlib stream of at most MaxContentSize bytes that
// must end exactly where the data ends.
func decompress(compressed []byte) ([]byte, error) {
	src := bytes.NewReader(compressed)
	content, err := inflate(src, MaxContentSize+1)
	if err != nil {
		return nil, fmt.Errorf("%w: compressed content: %w", ErrMalformed, err)
	}
	if len(content) > MaxContentSize {
		return nil, fmt.Errorf("%w: content larger than %d bytes", ErrMalformed, MaxContentSize)
	}
	if n := src.Len(); n > 0 {
		return nil, fmt.Errorf("%w: %d bytes after the zlib stream", ErrMalformed, n)
	}
	return content, nil
}

// decodeContent decodes [u16 len + signature][body].
func decodeContent(content []byte) (*AccessToken, error) {
	r := &reader{buf: content}
	t := &AccessToken{}
	t.Signature = bytes.Clone(r.bytes16("signature"))
	bodyStart := r.off
	t.AppID = r.string16("app id")
	t.IssueTs = r.uint32("issue time")
	t.Expire = r.uint32("expire")
	t.Salt = r.uint32("salt")
	count := int(r.uint16("service count"))
	if r.err != nil {
		return nil, r.err
	}
	// A service takes at least 4 bytes: never allocate for more.
	t.Services = make([]Service, 0, min(count, r.left()/4))
	for i := range count {
		svc, opaque := r.service(t, i)
		if r.err != nil {
			return nil, r.err
		}
		t.Services = append(t.Services, svc)
		if opaque {
			t.opaqueServices = uint16(count - i - 1)
			break
		}
	}
	if r.left() > 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes at offset %d", ErrMalformed, r.left(), r.off)
	}
	t.body = content[bodyStart:len(content):len(content)]
	return t, nil
}

// service decodes service number i. opaque reports that its type is unknown
// and the rest of the content went into its Extra.
func (r *reader) service(t *AccessToken, i int) (svc Service, opaque bool) {
	start := r.off
	svc.Type = ServiceType(r.uint16("service type"))
	if r.err == nil {
		for _, prev := range t.Services {
			if prev.Type == svc.Type {
				r.fail(fmt.Errorf("%w: service %s repeated at offset %d", ErrMalformed, svc.Type, start))
				return svc, false
			}
		}
	}
	n := int(r.uint16("privilege count"))
	if r.err == nil && n*6 > r.left() {
		r.truncated(fmt.Sprintf("privileges of service %s", svc.Type), n*6)
	}
	if r.err != nil {
		return svc, false
	}
	svc.Privileges = make(map[Privilege]uint32, n)
	for range n {
		at := r.off
		p := Privilege(r.uint16("privilege"))
		seconds := r.uint32("privilege expire")
		if _, dup := svc.Privileges[p]; dup {
			r.fail(fmt.Errorf("%w: privilege %d of service %s repeated at offset %d", ErrMalformed, p, svc.Type, at))
		}
		svc.Privileges[p] = seconds
	}
	switch svc.Type {
	case ServiceRTC:
		svc.Channel = r.string16("channel name")
		svc.UID = r.string16("uid")
	case ServiceRTM, ServiceChat:
		svc.UserID = r.string16("user id")
	case ServiceFPA:
	case ServiceEducation:
		at := r.off
		r.bytes16("room uuid")
		r.bytes16("user uuid")
		r.uint16("role")
		if r.err == nil {
			svc.Extra = bytes.Clone(r.buf[at:r.off])
		}
	default:
		svc.Extra = bytes.Clone(r.buf[r.off:])
		r.off = len(r.buf)
		return svc, true
	}
	return svc, false
}

// reader decodes little-endian fields, remembering the first error.
type reader struct {
	buf []byte
	off int
	err error
}

func (r *reader) left() int { return len(r.buf) - r.off }

func (r *reader) fail(err error) {
	if r.err == nil {
		r.err = err
	}
}

func (r *reader) truncated(field string, need int) {
	r.fail(fmt.Errorf("%w: truncated %s at offset %d (need %d bytes, %d left)", ErrMalformed, field, r.off, need, r.left()))
}

// take returns the next n bytes, or nil after an error.
func (r *reader) take(field string, n int) []byte {
	if r.err != nil {
		return nil
	}
	if n > r.left() {
		r.truncated(field, n)
		return nil
	}
	b := r.buf[r.off : r.off+n : r.off+n]
	r.off += n
	return b
}

func (r *reader) uint16(field string) uint16 {
	if b := r.take(field, 2); b != nil {
		return binary.LittleEndian.Uint16(b)
	}
	return 0
}

func (r *reader) uint32(field string) uint32 {
	if b := r.take(field, 4); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

// bytes16 reads a length-prefixed byte string.
func (r *reader) bytes16(field string) []byte {
	n := r.uint16(field + " length")
	return r.take(field, int(n))
}

func (r *reader) string16(field string) string {
	return string(r.bytes16(field))
}
