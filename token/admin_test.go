package token

import (
	"testing"
	"time"
)

func TestBuildRTCAdminCarriesAdministrateChannel(t *testing.T) {
	const app, cert = "970ca35de60c44645bbae8a215061b33", "5cfd2fd1755d40ecb72977518be15d3b"
	s, err := BuildRTCAdmin(app, cert, "stage", "42", RoleSubscriber, 600, 300)
	if err != nil {
		t.Fatal(err)
	}
	at, err := Check(s, app, cert, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	privs, err := at.RTCPrivileges("stage", "42")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := privs[PrivAdministrateChannel]; !ok {
		t.Fatalf("privileges %v lack administrateChannel", privs)
	}
	if _, ok := privs[PrivPublishAudioStream]; ok {
		t.Fatalf("a subscriber admin token must not grant publishing: %v", privs)
	}
	if got := PrivAdministrateChannel.String(); got != "administrateChannel" {
		t.Fatalf("name %q", got)
	}
}
