package sfu

import (
	"errors"
	"regexp"
	"testing"

	"github.com/pion/webrtc/v4"
)

// TestOfferWithTooManySectionsIsRefused: an offer with more m-sections than
// the tracks a user may publish, or one a connection could not apply, is
// refused before any connection sees it.
func TestOfferWithTooManySectionsIsRefused(t *testing.T) {
	pub := newClientPC(t)
	for i := 0; i < 140; i++ {
		if _, err := pub.AddTransceiverFromKind(webrtc.RTPCodecTypeAudio, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly}); err != nil {
			t.Fatal(err)
		}
	}
	offer, err := pub.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckOffer(offer.SDP, 2); !errors.Is(err, ErrTooManySections) {
		t.Fatalf("140 m-sections: err %v, want ErrTooManySections", err)
	}
	if err := CheckOffer("not sdp", 2); !errors.Is(err, ErrBadSDP) {
		t.Fatalf("garbage: err %v, want ErrBadSDP", err)
	}
	one := newClientPC(t)
	if _, err := one.AddTransceiverFromKind(webrtc.RTPCodecTypeAudio, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly}); err != nil {
		t.Fatal(err)
	}
	good, err := one.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckOffer(good.SDP, 2); err != nil {
		t.Fatalf("one audio section: %v", err)
	}
	for i := 0; i < 4; i++ {
		if _, err := one.AddTransceiverFromKind(webrtc.RTPCodecTypeVideo, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionRecvonly}); err != nil {
			t.Fatal(err)
		}
	}
	withStopped, err := one.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckOffer(withStopped.SDP, 2); err != nil {
		t.Fatalf("one sending and four receive-only sections: %v", err)
	}
	noUfrag := regexp.MustCompile(`(?m)^a=ice-ufrag:.*\r?\n`).ReplaceAllString(good.SDP, "")
	if err := CheckOffer(noUfrag, 2); !errors.Is(err, ErrBadSDP) {
		t.Fatalf("no ice-ufrag: err %v, want ErrBadSDP", err)
	}
}
