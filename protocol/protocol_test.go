package protocol

import (
	"errors"
	"strings"
	"testing"
)

func TestCodesKeepAgorasNumbersAndNames(t *testing.T) {
	tests := []struct {
		got  string
		want string
	}{
		{RoleBroadcaster.String(), "BROADCASTER"}, {RoleAudience.String(), "AUDIENCE"}, {ClientRole(7).String(), "ClientRole(7)"},
		{OfflineQuit.WebString(), "Quit"}, {OfflineDropped.WebString(), "ServerTimeOut"}, {OfflineBecomeAudience.WebString(), "BecomeAudience"},
		{ConnReconnecting.String(), "RECONNECTING"}, {ReasonSameUIDLogin.String(), "SAME_UID_LOGIN"}, {ReasonTokenExpired.String(), "TOKEN_EXPIRED"},
		{RoleChangeFailedNotAuthorized.String(), "NOT_AUTHORIZED"}, {ProfileLiveBroadcasting.String(), "LIVE_BROADCASTING"},
		{ErrInvalidToken.String(), "ERR_INVALID_TOKEN"}, {ErrorCode(9999).String(), "ErrorCode(9999)"},
		{RelayStateRunning.String(), "RELAY_STATE_RUNNING"}, {RelayErrFailedJoinDest.String(), "FAILED_JOIN_DEST"},
		{RelayEventUpdateDestChannelRefused.String(), "PACKET_UPDATE_DEST_CHANNEL_REFUSED"}, {RelayEvent(16).String(), "RelayEvent(16)"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
	nums := map[string][2]int{
		"SAME_UID_LOGIN": {int(ReasonSameUIDLogin), 19}, "KEEP_ALIVE_TIMEOUT": {int(ReasonKeepAliveTimeout), 14},
		"ERR_TOKEN_EXPIRED": {int(ErrTokenExpired), 109}, "ERR_SET_CLIENT_ROLE_NOT_AUTHORIZED": {int(ErrSetClientRoleNotAuth), 119},
		"DEST_TOKEN_EXPIRED": {int(RelayErrDestTokenExpired), 11}, "RESUME_FAILED": {int(RelayEventResumeSendPacketFailed), 15},
		"MESSAGE_TYPE_TEXT": {int(RTMMessageText), 1}, "MESSAGE_TYPE_RAW": {int(RTMMessageRaw), 2},
		"MESSAGE_TYPE_FILE": {int(RTMMessageFile), 3}, "MESSAGE_TYPE_IMAGE": {int(RTMMessageImage), 4},
	}
	for name, v := range nums {
		if v[0] != v[1] {
			t.Errorf("%s = %d, want Agora's %d", name, v[0], v[1])
		}
	}
}

func TestErrorMatchesByCode(t *testing.T) {
	e := NewError(ErrRefused, "audience can not publish %s", "video")
	if e.Web != "INVALID_OPERATION" || e.Name != "ERR_REFUSED" || !strings.Contains(e.Error(), "audience can not publish video") {
		t.Fatalf("%+v", e)
	}
	if !errors.Is(e, NewError(ErrRefused, "")) || errors.Is(e, NewError(ErrFailed, "")) {
		t.Fatal("errors.Is must compare codes")
	}
	if NewError(ErrRelayFailedJoinSrc, "").Web != "CROSS_CHANNEL_FAILED_JOIN_SEC" {
		t.Fatal("Agora Web's relay code string")
	}
}

func TestValidateChannelName(t *testing.T) {
	valid := []string{"a", "room_1", "Z9 !#$%&()+-:;<=.>?@[]^_{}|~,", strings.Repeat("x", 64)}
	invalid := []string{"", strings.Repeat("x", 65), "a/b", "a\\b", "caf\u00e9", "tab\there", "quote\"", "star*", "apos'"}
	for _, n := range valid {
		if err := ValidateChannelName(n); err != nil {
			t.Errorf("%q: %v", n, err)
		}
	}
	for _, n := range invalid {
		if err := ValidateChannelName(n); err == nil {
			t.Errorf("%q accepted", n)
		}
	}
	if ValidateUserAccount("null") == nil || ValidateUserAccount(strings.Repeat("a", 256)) == nil || ValidateUserAccount("alice@example.com") != nil {
		t.Error("user account rules")
	}
}

// The allowed set has exactly Agora's 89 characters.
func TestAllowedSetSize(t *testing.T) {
	n := 0
	for b := 0; b < 256; b++ {
		if allowed(byte(b)) {
			n++
		}
	}
	if n != 89 {
		t.Fatalf("%d allowed characters, want 89", n)
	}
}

func FuzzValidateChannelName(f *testing.F) {
	for _, s := range []string{"room", "", "a/b", strings.Repeat("x", 65)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := ValidateChannelName(s)
		if err == nil && (len(s) == 0 || len(s) > 64) {
			t.Fatalf("%q accepted", s)
		}
	})
}

// An RTM request's wire error prints the name of its own code table.
func TestRTMWireErrorPrintsItsRTMName(t *testing.T) {
	e := NewRTMError(RTMAttributeInvalidArgument, "empty value for key %q", "e")
	if got, want := e.Error(), `INVALID_ARGUMENT (3): empty value for key "e"`; got != want {
		t.Fatalf("%q, want %q", got, want)
	}
	if got, want := NewRTMError(RTMLoginInvalidToken, "bad").Error(), "INVALID_TOKEN (5): bad"; got != want {
		t.Fatalf("%q, want %q", got, want)
	}
}
