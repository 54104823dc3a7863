package rtm_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/cohost-rtc/cohost/internal/servertest"
	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/rtm"
	"github.com/cohost-rtc/cohost/token"
)

// A user reading an error sees Agora RTM's name for the code in the
// table of the call that failed, not an RTC name with the same number.
func TestErrorsPrintTheirRTMNames(t *testing.T) {
	srv := servertest.Start(t, servertest.ShortRTM)

	// Testing mode: an empty attribute value is INVALID_ARGUMENT (3).
	c, _ := login(t, srv, "1001")
	_, err := c.AddOrUpdateChannelAttributes(ctx(t), "stage", []rtm.Attribute{{Key: "e", Value: ""}}, nil)
	wantPrefix(t, err, "INVALID_ARGUMENT (3): ")
	var ae *rtm.Error[protocol.RTMAttributeErr]
	if !errors.As(err, &ae) || ae.Code != protocol.RTMAttributeInvalidArgument {
		t.Fatalf("%v (%T) is not an attribute error INVALID_ARGUMENT", err, err)
	}
	if !errors.Is(err, &rtm.Error[protocol.RTMAttributeErr]{Code: protocol.RTMAttributeInvalidArgument}) {
		t.Fatalf("errors.Is does not match %v", err)
	}
	if err := c.SetLocalUserAttributes(ctx(t), []rtm.Attribute{{Key: "e", Value: ""}}); err != nil {
		wantPrefix(t, err, "INVALID_ARGUMENT (3): ")
	} else {
		t.Fatal("an empty user attribute value was accepted")
	}
}

func TestBadTokenPrintsInvalidToken(t *testing.T) {
	srv := servertest.Start(t, servertest.ShortRTM)
	// A token for another user.
	tok, err := token.BuildRTM(srv.AppID, srv.Certificate, "1002", 600)
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, srv, srv.AppID, nil)
	err = c.Login(ctx(t), tok, "1001")
	wantPrefix(t, err, "INVALID_TOKEN (5): ")
	var le *rtm.Error[protocol.RTMLoginErr]
	if !errors.As(err, &le) || le.Code != protocol.RTMLoginInvalidToken {
		t.Fatalf("%v (%T) is not a login error INVALID_TOKEN", err, err)
	}
	// Not a token at all.
	wantPrefix(t, c.Login(ctx(t), "007garbage", "1001"), "INVALID_TOKEN (5): ")
	// A bad token given to RenewToken is named in RENEW_TOKEN_ERR's table.
	good, err := token.BuildRTM(srv.AppID, srv.Certificate, "1001", 600)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Login(ctx(t), good, "1001"); err != nil {
		t.Fatal(err)
	}
	wantPrefix(t, c.RenewToken(ctx(t), tok), "INVALID_TOKEN (6): ")
}

func wantPrefix(t *testing.T, err error, prefix string) {
	t.Helper()
	if err == nil || !strings.HasPrefix(err.Error(), prefix) {
		t.Fatalf("error %v, want it to begin with %q", err, prefix)
	}
}
