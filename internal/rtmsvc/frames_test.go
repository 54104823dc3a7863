package rtmsvc

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/cohost-rtc/cohost/protocol"
)

// TestEncodeEventAsMarshal: an event encoded in a lent buffer is the bytes
// json.Marshal gives its envelope, HTML escaping included.
func TestEncodeEventAsMarshal(t *testing.T) {
	ev := protocol.RTMPeerMessageEvent{PeerID: "tx", DeliveryID: 7,
		Message: protocol.RTMMessage{Type: protocol.RTMMessageText, Text: "<b>\"ü\" & \u2028</b>", ServerReceivedTs: 12}}
	payload, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	want, err := json.Marshal(struct {
		Type protocol.Type   `json:"type"`
		Data json.RawMessage `json:"data,omitempty"`
	}{protocol.RTMEventPeerMessage, payload})
	if err != nil {
		t.Fatal(err)
	}
	var f frames
	for name, enc := range map[string]func(*bytes.Buffer){
		"value": func(b *bytes.Buffer) { encodeEvent(b, protocol.RTMEventPeerMessage, ev, nil) },
		"bytes": func(b *bytes.Buffer) { encodeEvent(b, protocol.RTMEventPeerMessage, nil, payload) },
	} {
		for range 2 { // a fresh buffer, then one lent again
			b := f.get()
			enc(b)
			if !bytes.Equal(b.Bytes(), want) {
				t.Fatalf("%s: encoded %s, want %s", name, b.Bytes(), want)
			}
			f.put(b)
		}
	}
	b := f.get()
	encodeEvent(b, protocol.RTMEventPeersOnlineStatus, nil, nil)
	if got := b.String(); got != `{"type":"`+string(protocol.RTMEventPeersOnlineStatus)+`"}` {
		t.Fatalf("an event without payload encoded %s", got)
	}
}

// TestFramesKeepNoLargeBuffer: a buffer grown past maxPooledFrame is not
// lent again.
func TestFramesKeepNoLargeBuffer(t *testing.T) {
	var f frames
	big := f.get()
	big.Grow(2 * maxPooledFrame)
	f.put(big)
	for range 100 {
		if b := f.get(); b == big {
			t.Fatal("a buffer over maxPooledFrame was lent again")
		}
	}
}
