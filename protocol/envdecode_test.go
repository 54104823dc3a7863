package protocol

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// envelopeCases are messages DecodeEnvelope must decode exactly as
// json.Unmarshal does, the fast path's and the fallback's.
var envelopeCases = []string{
	`{"id":7,"type":"send-peer-message","data":{"peerId":"bob","message":{"type":1,"text":"hi"}}}`,
	` { "type" : "ack" , "data" : { "seq" : 3 } } `,
	`{"type":"ping","id":1}`,
	`{}`,
	`{"id":1,"type":"x","data":null}`,
	`{"id":1,"type":"x","data":[1,-2.5e+3,true,false,null,"a\"\\\/\b\f\n\r\t\u00e9"]}`,
	`{"id":1,"id":2,"type":"a","type":"b","data":1,"data":{"k":[]}}`,
	`{"seq":18446744073709551615,"type":"e"}`,
	`{"seq":18446744073709551616,"type":"e"}`,
	`{"id":-1,"type":"x"}`,
	`{"id":1.0,"type":"x"}`,
	`{"id":1e2,"type":"x"}`,
	`{"id":01,"type":"x"}`,
	`{"id":null,"type":null,"data":null}`,
	`{"ID":3,"Type":"x"}`,
	`{"type":"caf\u00e9"}`,
	"{\"type\":\"caf\xc3\xa9\"}",
	"{\"type\":\"\xff\"}",
	"{\"type\":\"x\",\"data\":\"\xff\xfe\"}",
	`{"type":"x","error":{"code":"E","message":"m"}}`,
	`{"type":"x","unknown":{"a":[1,2,{"b":null}]}}`,
	`{"type":"x","data":{"a":1,}}`,
	`{"type":"x","data":[1,]}`,
	`{"type":"x","data":01}`,
	`{"type":"x","data":-}`,
	`{"type":"x","data":1.}`,
	`{"type":"x","data":1e}`,
	`{"type":"x","data":tru}`,
	`{"type":"x","data":"\x"}`,
	`{"type":"x","data":"\u12"}`,
	"{\"type\":\"x\",\"data\":\"a\tb\"}",
	`{"type":"x","data":"unterminated}`,
	`{"type":"x"`,
	`{"type":"x"} {}`,
	`{"type":"x"}]`,
	`[]`,
	`null`,
	``,
	`"s"`,
	`{"type" "x"}`,
	`{"type":"x" "id":1}`,
	`{"type":1}`,
	`{"id":"1"}`,
	`{type:"x"}`,
	`{"data":` + strings.Repeat("[", 600) + strings.Repeat("]", 600) + `}`,
	`{"data":` + strings.Repeat(`{"a":`, 300) + `1` + strings.Repeat("}", 300) + `}`,
}

func TestDecodeEnvelopeMatchesUnmarshal(t *testing.T) {
	for _, in := range envelopeCases {
		checkEnvelopeDecode(t, []byte(in))
	}
}

// TestDecodeEnvelopeReusesData: Data is decoded into the capacity it is
// given, as json.RawMessage does, so a node can lend the buffer.
func TestDecodeEnvelopeReusesData(t *testing.T) {
	buf := make([]byte, 0, 256)
	env := Envelope{Data: buf}
	if err := DecodeEnvelope([]byte(`{"id":1,"type":"x","data":{"a":"b"}}`), &env); err != nil {
		t.Fatal(err)
	}
	if string(env.Data) != `{"a":"b"}` || &env.Data[:1][0] != &buf[:1][0] {
		t.Fatalf("data %q not decoded into the buffer given", env.Data)
	}
}

func TestDecodeEnvelopeAllocatesNothing(t *testing.T) {
	msg := []byte(`{"id":12,"type":"send-peer-message","data":{"peerId":"bob","message":{"type":1,"text":"` +
		strings.Repeat("x", 16<<10) + `"}}}`)
	env := Envelope{Data: make([]byte, 0, len(msg))}
	if n := testing.AllocsPerRun(100, func() {
		if err := DecodeEnvelope(msg, &env); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Fatalf("%v allocations per decoded envelope, want 0", n)
	}
}

func FuzzDecodeEnvelope(f *testing.F) {
	for _, in := range envelopeCases {
		f.Add([]byte(in))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		checkEnvelopeDecode(t, in)
	})
}

// checkEnvelopeDecode fails t when DecodeEnvelope and json.Unmarshal
// disagree on in: error or not, the error's text, the fields.
func checkEnvelopeDecode(t *testing.T, in []byte) {
	t.Helper()
	var want Envelope
	wantErr := json.Unmarshal(in, &want)
	got := Envelope{Data: make([]byte, 0, 8)}
	gotErr := DecodeEnvelope(in, &got)
	if (wantErr == nil) != (gotErr == nil) || (wantErr != nil && wantErr.Error() != gotErr.Error()) {
		t.Fatalf("%q: error %v, json.Unmarshal's %v", in, gotErr, wantErr)
	}
	if wantErr != nil {
		return
	}
	if len(want.Data) == 0 {
		want.Data = nil
	}
	if len(got.Data) == 0 {
		got.Data = nil
	}
	if !reflect.DeepEqual(got, want) || !bytes.Equal(got.Data, want.Data) {
		t.Fatalf("%q: decoded %+v (data %q), json.Unmarshal %+v (data %q)", in, got, got.Data, want, want.Data)
	}
}

// BenchmarkDecodeEnvelope: a 16 KB peer message's envelope, decoded by
// json.Unmarshal and by DecodeEnvelope.
func BenchmarkDecodeEnvelope(b *testing.B) {
	msg := []byte(`{"id":12,"type":"send-peer-message","data":{"peerId":"bob","message":{"type":1,"text":"` +
		strings.Repeat("x", 16<<10) + `"}}}`)
	for _, bc := range []struct {
		name   string
		decode func([]byte, *Envelope) error
	}{
		{"json.Unmarshal", func(m []byte, e *Envelope) error { return json.Unmarshal(m, e) }},
		{"DecodeEnvelope", DecodeEnvelope},
	} {
		b.Run(bc.name, func(b *testing.B) {
			env := Envelope{Data: make([]byte, 0, len(msg))}
			b.SetBytes(int64(len(msg)))
			for b.Loop() {
				env = Envelope{Data: env.Data[:0]}
				if err := bc.decode(msg, &env); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
