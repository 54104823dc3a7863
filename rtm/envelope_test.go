package rtm

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/cohost-rtc/cohost/protocol"
)

// TestEncodeEnvelopeAsMarshal: an envelope whose payload is written as it
// is encodes to the bytes json.Marshal gives it.
func TestEncodeEnvelopeAsMarshal(t *testing.T) {
	req, err := json.Marshal(protocol.RTMSendPeerMessageRequest{PeerID: "rx", Message: protocol.RTMMessage{Type: protocol.RTMMessageText, Text: "<i>&</i>"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, env := range []protocol.Envelope{
		{ID: 3, Type: protocol.RTMTypeSendPeerMessage, Data: req},
		{Type: protocol.RTMTypeAck, Data: json.RawMessage(`{"deliveryId":9}`)},
		{ID: 4, Type: protocol.RTMTypePing},
	} {
		want, err := json.Marshal(env)
		if err != nil {
			t.Fatal(err)
		}
		got, err := encodeEnvelope(env)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("encodeEnvelope(%+v) = %s, %v; want %s", env, got, err, want)
		}
	}
}
