package token

import (
	"errors"
	"testing"
	"time"
)

const (
	testAppID = "970ca35de60c44645bbae8a215061b33"
	testCert  = "5cfd2fd1755d40ecb72977518be15d3b"
	issue     = 1795315650
)

// expiryToken is issued at issue, lives 600 s, and grants join for 300 s,
// audio for 900 s (beyond the token), video for 0 s, data for 600 s and the
// unnamed privilege 101 for 100 s, to uid "7" in channel "stage".
func expiryToken(t *testing.T) (string, *AccessToken) {
	t.Helper()
	tok := &AccessToken{AppID: testAppID, IssueTs: issue, Expire: 600, Salt: 1, Services: []Service{{
		Type: ServiceRTC, Channel: "stage", UID: "7",
		Privileges: map[Privilege]uint32{1: 300, 2: 900, 3: 0, 4: 600, 101: 100},
	}}}
	s, err := tok.Build(testCert)
	if err != nil {
		t.Fatal(err)
	}
	return s, tok
}

func at(seconds int64) time.Time { return time.Unix(issue+seconds, 0) }

func TestCheckExpiry(t *testing.T) {
	s, _ := expiryToken(t)
	zero := &AccessToken{AppID: testAppID, IssueTs: issue, Expire: 0, Salt: 1}
	zeroToken, err := zero.Build(testCert)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		token string
		now   time.Time
		want  error
	}{
		{"at issue", s, at(0), nil},
		{"before issue", s, at(-10), nil},
		{"last second", s, at(599), nil},
		{"at expiry", s, at(600), ErrExpired},
		{"long after", s, at(86400), ErrExpired},
		{"expire 0 at issue", zeroToken, at(0), ErrExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := Check(tt.token, testAppID, testCert, tt.now)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Check = %v, want %v", err, tt.want)
			}
			if (err == nil) != (tok != nil) {
				t.Fatalf("Check returned token %v with error %v", tok, err)
			}
		})
	}
	_, err = Check(s, testAppID, testCert, at(600))
	if want := "token: expired at 2026-11-22T02:57:30Z"; err == nil || err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}

func TestCheckRejects(t *testing.T) {
	s, _ := expiryToken(t)
	if _, err := Check(s, "00000000000000000000000000000000", testCert, at(1)); !errors.Is(err, ErrAppIDMismatch) {
		t.Errorf("other app id: %v", err)
	}
	if _, err := Check(s, testAppID, "00000000000000000000000000000000", at(1)); !errors.Is(err, ErrSignature) {
		t.Errorf("other certificate: %v", err)
	}
	if _, err := Check("007AAAA", testAppID, testCert, at(1)); !errors.Is(err, ErrMalformed) {
		t.Errorf("garbage: %v", err)
	}
}

func TestRTCPrivileges(t *testing.T) {
	_, tok := expiryToken(t)
	got, err := tok.RTCPrivileges("stage", "7")
	if err != nil {
		t.Fatal(err)
	}
	want := map[Privilege]time.Time{1: at(300), 2: at(600), 3: at(0), 4: at(600), 101: at(100)}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for p, w := range want {
		if !got[p].Equal(w) {
			t.Errorf("%v expires at %v, want %v", p, got[p], w)
		}
	}

	tests := []struct {
		p    Privilege
		now  time.Time
		want error
	}{
		{PrivJoinChannel, at(0), nil},
		{PrivJoinChannel, at(299), nil},
		{PrivJoinChannel, at(300), ErrPrivilegeExpired},
		{PrivPublishAudioStream, at(599), nil},
		{PrivPublishAudioStream, at(600), ErrPrivilegeExpired}, // capped at the token's expiry
		{PrivPublishVideoStream, at(0), ErrPrivilegeExpired},   // 0 s: expired when issued
		{PrivPublishDataStream, at(300), nil},
		{101, at(99), nil},
		{101, at(100), ErrPrivilegeExpired},
		{5, at(0), ErrNoPrivilege},
	}
	for _, tt := range tests {
		if err := CheckPrivilege(got, tt.p, tt.now); !errors.Is(err, tt.want) {
			t.Errorf("CheckPrivilege(%v, +%ds) = %v, want %v", tt.p, tt.now.Unix()-issue, err, tt.want)
		}
	}
	if at, ok := tok.PrivilegeExpiresAt(ServiceRTC, PrivPublishAudioStream); !ok || at.Unix() != issue+600 {
		t.Errorf("PrivilegeExpiresAt = %v, %v", at, ok)
	}
	if _, ok := tok.PrivilegeExpiresAt(ServiceRTM, PrivLogin); ok {
		t.Error("PrivilegeExpiresAt found an RTM privilege")
	}
}

func TestRTCPrivilegesMatching(t *testing.T) {
	_, specific := expiryToken(t)
	anyUID := &AccessToken{Expire: 60, Services: []Service{{Type: ServiceRTC, Channel: "stage", Privileges: map[Privilege]uint32{1: 60}}}}
	rtmOnly := &AccessToken{Expire: 60, Services: []Service{{Type: ServiceRTM, UserID: "u", Privileges: map[Privilege]uint32{1: 60}}}}
	tests := []struct {
		name    string
		tok     *AccessToken
		channel string
		uid     string
		want    error
	}{
		{"same uid", specific, "stage", "7", nil},
		{"other uid", specific, "stage", "8", ErrUIDMismatch},
		{"account for numeric uid", specific, "stage", "seven", ErrUIDMismatch},
		{"empty uid against a specific token", specific, "stage", "", ErrUIDMismatch},
		{"other channel", specific, "Stage", "7", ErrChannelMismatch},
		{"uid 0 token, any uid", anyUID, "stage", "12345", nil},
		{"uid 0 token, account", anyUID, "stage", "alice", nil},
		{"uid 0 token, other channel", anyUID, "lobby", "1", ErrChannelMismatch},
		{"no rtc service", rtmOnly, "stage", "1", ErrNoService},
	}
	for _, tt := range tests {
		if _, err := tt.tok.RTCPrivileges(tt.channel, tt.uid); !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestRTMPrivileges(t *testing.T) {
	tok := &AccessToken{IssueTs: issue, Expire: 3600, Services: []Service{{Type: ServiceRTM, UserID: "host-1", Privileges: map[Privilege]uint32{PrivLogin: 7200}}}}
	got, err := tok.RTMPrivileges("host-1")
	if err != nil || !got[PrivLogin].Equal(at(3600)) {
		t.Fatalf("RTMPrivileges = %v, %v", got, err)
	}
	if _, err := tok.RTMPrivileges("host-2"); !errors.Is(err, ErrUIDMismatch) {
		t.Errorf("other user: %v", err)
	}
	if _, err := (&AccessToken{}).RTMPrivileges("host-1"); !errors.Is(err, ErrNoService) {
		t.Errorf("no service: %v", err)
	}
}
