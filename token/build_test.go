package token

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// TestRoundTripUnknown builds a token with a privilege id and services this
// package does not interpret, parses it and builds it again.
func TestRoundTripUnknown(t *testing.T) {
	education := &writer{}
	education.string16("", "room-1")
	education.string16("", "user-1")
	education.uint16(2)
	unknown := []byte{3, 0, 'a', 'b', 'c', 0xff} // fields of a type this package does not know
	orig := &AccessToken{AppID: testAppID, IssueTs: issue, Expire: 3600, Salt: 99, Services: []Service{
		{Type: ServiceRTC, Channel: "stage", UID: "7", Privileges: map[Privilege]uint32{1: 3600, 101: 1800, 4: 60}},
		{Type: 9, Privileges: map[Privilege]uint32{1: 10, 2: 20}, Extra: unknown},
		{Type: ServiceRTM, UserID: "7", Privileges: map[Privilege]uint32{1: 3600}},
		{Type: ServiceEducation, Privileges: map[Privilege]uint32{1: 5}, Extra: education.buf},
		{Type: ServiceChat, UserID: "chatter", Privileges: map[Privilege]uint32{1: 5, 2: 6}},
		{Type: ServiceFPA, Privileges: map[Privilege]uint32{1: 0}},
	}}
	s, err := orig.Build(testCert)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	if err := got.Verify(testCert); err != nil {
		t.Fatal(err)
	}
	wantTypes := []ServiceType{ServiceRTC, ServiceRTM, ServiceFPA, ServiceChat, ServiceEducation, 9}
	for i, svc := range got.Services {
		if svc.Type != wantTypes[i] {
			t.Fatalf("service %d is %v, want %v", i, svc.Type, wantTypes[i])
		}
		want, _ := orig.Service(svc.Type)
		if !reflect.DeepEqual(&svc, want) {
			t.Errorf("service %v:\n got %+v\nwant %+v", svc.Type, svc, *want)
		}
	}
	if p, _ := got.RTCPrivileges("stage", "7"); !p[101].Equal(at(1800)) {
		t.Errorf("privilege 101 expires at %v", p[101])
	}
	again, err := got.Build(testCert)
	if err != nil || again != s {
		t.Fatalf("rebuild differs (%v)", err)
	}
}

// TestRoundTripOpaque parses a token where a service of unknown layout is
// followed by another: the rest of the token stays opaque and is written
// back as it was.
func TestRoundTripOpaque(t *testing.T) {
	orig := &AccessToken{AppID: testAppID, IssueTs: issue, Expire: 60, Salt: 5, Services: []Service{
		{Type: ServiceRTC, Channel: "c", Privileges: map[Privilege]uint32{1: 60}},
		{Type: 3, Privileges: map[Privilege]uint32{1: 60}, Extra: []byte{1, 0, 'x'}},
	}}
	body, err := orig.encodeBody()
	if err != nil {
		t.Fatal(err)
	}
	// Append an FPA service after the unknown one and fix the count.
	body = append(body, 4, 0, 1, 0, 1, 0, 60, 0, 0, 0)
	countAt := 2 + len(testAppID) + 12
	body[countAt] = 3
	content := append([]byte{32, 0}, sign(testCert, issue, 5, body)...)
	content = append(content, body...)
	s := tokenOf(content)

	got, err := Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Services) != 2 || got.Services[1].Type != 3 || len(got.Services[1].Extra) != 3+10 {
		t.Fatalf("services %+v", got.Services)
	}
	if err := got.Verify(testCert); err != nil {
		t.Fatal(err)
	}
	again, err := got.Build(testCert)
	if err != nil || again != s {
		t.Fatalf("rebuild differs (%v)", err)
	}
}

// TestVerifyInMemory verifies a token that was never encoded.
func TestVerifyInMemory(t *testing.T) {
	_, built := expiryToken(t)
	tok := *built
	tok.body = nil
	if err := tok.Verify(testCert); err != nil {
		t.Fatal(err)
	}
	tok.Expire++
	if err := tok.Verify(testCert); !errors.Is(err, ErrSignature) {
		t.Fatalf("changed token verifies: %v", err)
	}
}

func TestBuildErrors(t *testing.T) {
	long := strings.Repeat("x", 1<<16)
	tests := []struct {
		name  string
		build func() (string, error)
		want  error
	}{
		{"short app id", func() (string, error) { return BuildRTM("970ca35de60c", testCert, "u", 60) }, ErrInvalidAppID},
		{"non-hex app id", func() (string, error) { return BuildRTM("970ca35de60c44645bbae8a215061b3z", testCert, "u", 60) }, ErrInvalidAppID},
		{"short certificate", func() (string, error) { return BuildRTM(testAppID, "5cfd", "u", 60) }, ErrInvalidCertificate},
		{"role 0", func() (string, error) { return BuildRTCWithUID(testAppID, testCert, "c", 1, 0, 60, 60) }, ErrInvalidRole},
		{"role 101", func() (string, error) { return BuildRTCWithRTM(testAppID, testCert, "c", "a", 101, 60, 60) }, ErrInvalidRole},
		{"long channel", func() (string, error) {
			return BuildRTCWithPrivileges(testAppID, testCert, long, "", 60, 60, 60, 60, 60)
		}, ErrInvalidField},
		{"long account", func() (string, error) {
			return BuildRTCWithAccount(testAppID, testCert, "c", long, RolePublisher, 60, 60)
		}, ErrInvalidField},
		{"service twice", func() (string, error) {
			rtm := Service{Type: ServiceRTM, UserID: "u"}
			return (&AccessToken{AppID: testAppID, Services: []Service{rtm, rtm}}).Build(testCert)
		}, ErrInvalidField},
	}
	for _, tt := range tests {
		if s, err := tt.build(); !errors.Is(err, tt.want) || s != "" {
			t.Errorf("%s: %q, %v; want %v", tt.name, s, err, tt.want)
		}
	}
}

func TestStrings(t *testing.T) {
	tests := []struct {
		got, want string
	}{
		{ServiceRTC.String(), "rtc"},
		{ServiceRTM.String(), "rtm"},
		{ServiceFPA.String(), "fpa"},
		{ServiceChat.String(), "chat"},
		{ServiceEducation.String(), "education"},
		{ServiceType(9).String(), "service(9)"},
		{PrivJoinChannel.String(), "joinChannel"},
		{PrivPublishAudioStream.String(), "publishAudioStream"},
		{PrivPublishVideoStream.String(), "publishVideoStream"},
		{PrivPublishDataStream.String(), "publishDataStream"},
		{Privilege(101).String(), "administrateChannel"},
		{ServiceRTM.PrivilegeName(PrivLogin), "login"},
		{ServiceRTM.PrivilegeName(2), "privilege(2)"},
		{ServiceChat.PrivilegeName(2), "chatApp"},
		{ServiceEducation.PrivilegeName(3), "app"},
		{RolePublisher.String(), "publisher"},
		{RoleSubscriber.String(), "subscriber"},
		{Role(0).String(), "Role(0)"},
		{UIDString(0), ""},
		{UIDString(4294967295), "4294967295"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
	for in, want := range map[string]Role{"publisher": RolePublisher, "Subscriber": RoleSubscriber, "1": RolePublisher, "2": RoleSubscriber} {
		if r, err := ParseRole(in); r != want || err != nil {
			t.Errorf("ParseRole(%q) = %v, %v", in, r, err)
		}
	}
	if _, err := ParseRole("admin"); !errors.Is(err, ErrInvalidRole) {
		t.Errorf("ParseRole(admin) = %v", err)
	}
}
