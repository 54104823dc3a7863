package protocol

import (
	"bytes"
	"encoding/json"
)

// longText is the length from which DecodeMessage takes a message's text
// out of the way of json.Unmarshal.
const longText = 1 << 10

// DecodeMessage decodes data, a JSON object whose member named member is
// an RTMMessage ("message" in a send-message request or a message event),
// into v, which holds nothing yet, as json.Unmarshal would, with the same
// result and the same errors; text must point to the RTMMessage's Text
// inside v.
//
// json.Unmarshal checks the whole input, then decodes it, unquoting a
// string byte by byte: for a 16 KB text that is most of the work of
// relaying a message. When the text is long and plain (ASCII without
// escapes or control characters, so that its JSON form is its value),
// the rest of the object is decoded by json.Unmarshal with an empty text
// in its place, and the text is copied once. Anything else (a short or
// escaped text, keys json.Unmarshal would match without regard to case,
// repeated keys, a syntax error) is left to json.Unmarshal.
func DecodeMessage(data []byte, v any, member string, text *string) error {
	s, e, ok := plainLongText(data, member)
	if !ok {
		return json.Unmarshal(data, v)
	}
	// The object with "text":"" in place of the text.
	rest := make([]byte, 0, len(data)-(e-s))
	rest = append(append(rest, data[:s]...), data[e:]...)
	if json.Unmarshal(rest, v) != nil {
		return json.Unmarshal(data, v) // its own error, for the whole input
	}
	*text = string(data[s:e])
	return nil
}

// plainLongText finds the contents [s, e) of data's <member>.text when
// they are at least longText plain bytes and data is an object that
// json.Unmarshal would decode the same way with those contents emptied.
func plainLongText(data []byte, member string) (s, e int, ok bool) {
	i := skipSpace(data, 0)
	found := false
	end, ok := walkObject(data, i, func(key []byte, v int) (int, bool) {
		if !bytes.EqualFold(key, []byte(member)) {
			return skipValue(data, v, 1)
		}
		if found || string(key) != member || data[v] != '{' {
			return v, false // repeated, a case-folded match, or not an object
		}
		found = true
		sawText := false
		return walkObject(data, v, func(key []byte, v int) (int, bool) {
			if !bytes.EqualFold(key, []byte("text")) {
				return skipValue(data, v, 2)
			}
			if sawText || string(key) != "text" || data[v] != '"' {
				return v, false
			}
			sawText = true
			close := plainStringEnd(data, v+1)
			if close < 0 {
				return v, false
			}
			s, e = v+1, close
			return close + 1, true
		})
	})
	if !ok || skipSpace(data, end) != len(data) || e-s < longText {
		return 0, 0, false
	}
	return s, e, true
}

// walkObject steps over the object at data[i], calling member for each
// key whose characters are plain (no escapes), with the index of its
// value; member returns the index after the value. It returns the index
// after the object, false for anything it does not follow.
func walkObject(data []byte, i int, member func(key []byte, v int) (int, bool)) (int, bool) {
	if i >= len(data) || data[i] != '{' {
		return i, false
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return i + 1, true
	}
	for {
		if i >= len(data) || data[i] != '"' {
			return i, false
		}
		ke := plainStringEnd(data, i+1)
		if ke < 0 {
			return i, false
		}
		key := data[i+1 : ke]
		i = skipSpace(data, ke+1)
		if i >= len(data) || data[i] != ':' {
			return i, false
		}
		i = skipSpace(data, i+1)
		if i >= len(data) {
			return i, false
		}
		var ok bool
		if i, ok = member(key, i); !ok {
			return i, false
		}
		i = skipSpace(data, i)
		if i >= len(data) {
			return i, false
		}
		switch data[i] {
		case '}':
			return i + 1, true
		case ',':
			i = skipSpace(data, i+1)
		default:
			return i, false
		}
	}
}
