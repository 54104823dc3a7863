package protocol

import (
	"encoding/json"
	"strconv"
)

// DecodeEnvelope decodes one WebSocket message into env, which it
// overwrites, as json.Unmarshal into an empty Envelope would, with the
// same result and the same errors, in one pass over the message instead
// of three.
//
// json.Unmarshal first checks the whole message, then decodes it, and
// skips over Data's bytes again to copy them: for a 16 KB peer message,
// three passes of its byte-by-byte scanner, before the request's own
// decoding of Data scans it twice more. The common envelope, an object
// with only the lower-case keys id, type, seq and data, whose type has no
// escapes and whose numbers are plain integers, is read here by a scanner
// that steps over the insides of strings a run of plain bytes at a time;
// anything else (an error member, upper-case keys, escapes in keys,
// nesting deeper than 512, or a syntax error, for its message) is left to
// json.Unmarshal. Like json.RawMessage, Data reuses its capacity.
func DecodeEnvelope(data []byte, env *Envelope) error {
	if decodeEnvelopeFast(data, env) {
		return nil
	}
	*env = Envelope{Data: env.Data[:0]}
	return json.Unmarshal(data, env)
}

// maxFastDepth bounds the nesting the fast scanner follows; deeper
// values go to json.Unmarshal, whose own limit is 10 000.
const maxFastDepth = 512

// decodeEnvelopeFast decodes the common envelope into env; false when
// data is anything else, env then holding partial results.
func decodeEnvelopeFast(data []byte, env *Envelope) bool {
	var out Envelope
	out.Data = env.Data[:0]
	var sawData bool
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return false
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		i++
	} else {
		for {
			if i >= len(data) || data[i] != '"' {
				return false
			}
			start := i + 1
			end := plainStringEnd(data, start)
			if end < 0 {
				return false
			}
			key := data[start:end]
			i = skipSpace(data, end+1)
			if i >= len(data) || data[i] != ':' {
				return false
			}
			i = skipSpace(data, i+1)
			var ok bool
			switch string(key) {
			case "id":
				out.ID, i, ok = plainUint(data, i)
			case "seq":
				out.Seq, i, ok = plainUint(data, i)
			case "type":
				if i >= len(data) || data[i] != '"' {
					return false
				}
				e := plainStringEnd(data, i+1)
				if e < 0 {
					return false
				}
				out.Type, i, ok = internType(data[i+1:e]), e+1, true
			case "data":
				var e int
				e, ok = skipValue(data, i, 0)
				if ok {
					// A null, as json.Unmarshal leaves a RawMessage:
					// "null" itself.
					out.Data = append(out.Data[:0], data[i:e]...)
					sawData = true
					i = e
				}
			default:
				return false
			}
			if !ok {
				return false
			}
			i = skipSpace(data, i)
			if i >= len(data) {
				return false
			}
			if data[i] == '}' {
				i++
				break
			}
			if data[i] != ',' {
				return false
			}
			i = skipSpace(data, i+1)
		}
	}
	if skipSpace(data, i) != len(data) {
		return false
	}
	if !sawData {
		out.Data = env.Data // json.Unmarshal leaves an absent member alone
	}
	*env = out
	return true
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// plainStringEnd returns the index of the quote closing the string whose
// contents start at i, or -1 when the string has an escape, a control
// character, a byte outside ASCII (json.Unmarshal replaces invalid UTF-8)
// or no end.
func plainStringEnd(b []byte, i int) int {
	for ; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			return i
		case c == '\\' || c < 0x20 || c >= 0x80:
			return -1
		}
	}
	return -1
}

// plainUint reads an unsigned integer without sign, fraction, exponent or
// leading zero that fits in 64 bits.
func plainUint(b []byte, i int) (uint64, int, bool) {
	j := i
	for j < len(b) && b[j] >= '0' && b[j] <= '9' {
		j++
	}
	if j == i || (b[i] == '0' && j > i+1) {
		return 0, i, false
	}
	if j < len(b) && (b[j] == '.' || b[j] == 'e' || b[j] == 'E') {
		return 0, i, false
	}
	v, err := strconv.ParseUint(string(b[i:j]), 10, 64)
	if err != nil {
		return 0, i, false
	}
	return v, j, true
}

// skipValue returns the end of the JSON value starting at i, checking its
// syntax as encoding/json does; false on a syntax error or nesting deeper
// than maxFastDepth.
func skipValue(b []byte, i, depth int) (int, bool) {
	if i >= len(b) {
		return i, false
	}
	switch c := b[i]; {
	case c == '"':
		return skipString(b, i+1)
	case c == '{':
		if depth >= maxFastDepth {
			return i, false
		}
		i = skipSpace(b, i+1)
		if i < len(b) && b[i] == '}' {
			return i + 1, true
		}
		for {
			if i >= len(b) || b[i] != '"' {
				return i, false
			}
			var ok bool
			if i, ok = skipString(b, i+1); !ok {
				return i, false
			}
			i = skipSpace(b, i)
			if i >= len(b) || b[i] != ':' {
				return i, false
			}
			if i, ok = skipValue(b, skipSpace(b, i+1), depth+1); !ok {
				return i, false
			}
			i = skipSpace(b, i)
			if i >= len(b) {
				return i, false
			}
			if b[i] == '}' {
				return i + 1, true
			}
			if b[i] != ',' {
				return i, false
			}
			i = skipSpace(b, i+1)
		}
	case c == '[':
		if depth >= maxFastDepth {
			return i, false
		}
		i = skipSpace(b, i+1)
		if i < len(b) && b[i] == ']' {
			return i + 1, true
		}
		for {
			var ok bool
			if i, ok = skipValue(b, i, depth+1); !ok {
				return i, false
			}
			i = skipSpace(b, i)
			if i >= len(b) {
				return i, false
			}
			if b[i] == ']' {
				return i + 1, true
			}
			if b[i] != ',' {
				return i, false
			}
			i = skipSpace(b, i+1)
		}
	case c == '-' || (c >= '0' && c <= '9'):
		return skipNumber(b, i)
	case c == 't':
		return skipLiteral(b, i, "true")
	case c == 'f':
		return skipLiteral(b, i, "false")
	case c == 'n':
		return skipLiteral(b, i, "null")
	}
	return i, false
}

// skipString returns the index after the quote closing the string whose
// contents start at i. Bytes of 0x20 and above other than the quote and
// the backslash are stepped over without a look at their encoding, as
// encoding/json's scanner does.
func skipString(b []byte, i int) (int, bool) {
	for i < len(b) {
		c := b[i]
		switch {
		case c == '"':
			return i + 1, true
		case c < 0x20:
			return i, false
		case c == '\\':
			if i+1 >= len(b) {
				return i, false
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(b) {
					return i, false
				}
				for _, h := range b[i+2 : i+6] {
					if !isHex(h) {
						return i, false
					}
				}
				i += 6
			default:
				return i, false
			}
		default:
			i++
		}
	}
	return i, false
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// skipNumber steps over a number as RFC 8259 writes it.
func skipNumber(b []byte, i int) (int, bool) {
	if b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		i = skipDigits(b, i)
	default:
		return i, false
	}
	if i < len(b) && b[i] == '.' {
		j := skipDigits(b, i+1)
		if j == i+1 {
			return i, false
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := skipDigits(b, i)
		if j == i {
			return i, false
		}
		i = j
	}
	return i, true
}

func skipDigits(b []byte, i int) int {
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	return i
}

func skipLiteral(b []byte, i int, lit string) (int, bool) {
	if len(b)-i < len(lit) || string(b[i:i+len(lit)]) != lit {
		return i, false
	}
	return i + len(lit), true
}

// internType returns the Type named b, without allocating for the types
// that come by the thousand (messages, their acknowledgements, pings).
func internType(b []byte) Type {
	switch Type(b) {
	case RTMTypeSendPeerMessage:
		return RTMTypeSendPeerMessage
	case RTMTypeSendChannelMessage:
		return RTMTypeSendChannelMessage
	case RTMTypeAck:
		return RTMTypeAck
	case RTMTypePing:
		return RTMTypePing
	case RTMEventPeerMessage:
		return RTMEventPeerMessage
	case RTMEventChannelMessage:
		return RTMEventChannelMessage
	case TypeResponse:
		return TypeResponse
	}
	return Type(b)
}
