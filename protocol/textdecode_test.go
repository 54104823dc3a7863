package protocol

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

var long = strings.Repeat("x", longText)

// messageCases are inputs DecodeMessage must decode exactly as
// json.Unmarshal does: the plain long text it takes out, and every case
// it must leave to json.Unmarshal.
var messageCases = []string{
	`{"peerId":"bob","message":{"type":1,"text":"` + long + `"}}`,
	` { "peerId" : "bob" , "message" : { "text" : "` + long + `" , "type" : 1 } , "enableOfflineMessaging" : true } `,
	`{"message":{"type":1,"text":"` + long + `","description":"d"},"peerId":"bob","extra":[1,{"a":"b"}]}`,
	`{"peerId":"bob","message":{"type":1,"text":"short"}}`,
	`{"peerId":"bob","message":{"type":1,"text":"` + long + `\n"}}`,
	`{"peerId":"bob","message":{"type":1,"text":"` + long + `é"}}`,
	`{"peerId":"bob","message":{"type":1,"Text":"` + long + `"}}`,
	`{"peerId":"bob","MESSAGE":{"type":1,"text":"` + long + `"}}`,
	`{"peerId":"bob","message":{"type":1,"text":"` + long + `","text":"b"}}`,
	`{"peerId":"bob","message":{"type":1,"text":"` + long + `"},"message":{"type":2}}`,
	`{"peerId":"bob","message":null}`,
	`{"peerId":"bob","message":{"type":"one","text":"` + long + `"}}`,
	`{"peerId":7,"message":{"type":1,"text":"` + long + `"}}`,
	`{"peerId":"bob","message":{"type":1,"text":"` + long + `"}} x`,
	`{"peerId":"bob","message":{"type":1,"text":"` + long + `"}`,
	`{"peerId":"bob","message":{"type":1,"text":"` + long + `",}}`,
	`{"peerId":"bob","message":{"type":1,"text":"` + long + `"},"raw":"AA=="}`,
	`{"peerId":"bob","message":{"type":2,"raw":"AAEC","text":"` + long + `"}}`,
	`[]`,
	`{}`,
	``,
}

func TestDecodeMessageMatchesUnmarshal(t *testing.T) {
	for _, in := range messageCases {
		checkMessageDecode(t, []byte(in))
	}
}

// TestDecodeMessageTakesTextOut: a long plain text is decoded without
// json.Unmarshal reading it (the decoded text is a copy, not a view).
func TestDecodeMessageTakesTextOut(t *testing.T) {
	in := []byte(messageCases[0])
	if _, _, ok := plainLongText(in, "message"); !ok {
		t.Fatal("a long plain text is left to json.Unmarshal")
	}
	var req RTMSendPeerMessageRequest
	if err := DecodeMessage(in, &req, "message", &req.Message.Text); err != nil {
		t.Fatal(err)
	}
	copy(in, strings.Repeat("y", len(in)))
	if req.Message.Text != long || req.PeerID != "bob" || req.Message.Type != RTMMessageText {
		t.Fatalf("decoded %+v", req)
	}
}

func FuzzDecodeMessage(f *testing.F) {
	for _, in := range messageCases {
		f.Add([]byte(in))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		checkMessageDecode(t, in)
	})
}

// checkMessageDecode fails t when DecodeMessage and json.Unmarshal
// disagree on in: error or not, the error's text, the fields.
func checkMessageDecode(t *testing.T, in []byte) {
	t.Helper()
	var want, got RTMSendPeerMessageRequest
	wantErr := json.Unmarshal(in, &want)
	gotErr := DecodeMessage(in, &got, "message", &got.Message.Text)
	if (wantErr == nil) != (gotErr == nil) || (wantErr != nil && wantErr.Error() != gotErr.Error()) {
		t.Fatalf("%.80q: error %v, json.Unmarshal's %v", in, gotErr, wantErr)
	}
	if wantErr == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("%.80q: decoded %+v, json.Unmarshal %+v", in, got, want)
	}
}

// BenchmarkDecodeMessage: a 16 KB peer message request, decoded by
// json.Unmarshal and by DecodeMessage.
func BenchmarkDecodeMessage(b *testing.B) {
	in := []byte(`{"peerId":"bob","message":{"type":1,"text":"` + strings.Repeat("x", 16<<10) + `"}}`)
	b.Run("json.Unmarshal", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(in)))
		for b.Loop() {
			var req RTMSendPeerMessageRequest
			if err := json.Unmarshal(in, &req); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("DecodeMessage", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(in)))
		for b.Loop() {
			var req RTMSendPeerMessageRequest
			if err := DecodeMessage(in, &req, "message", &req.Message.Text); err != nil {
				b.Fatal(err)
			}
		}
	})
}
